package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// env reads TENANTDESK_<NAME> with a default.
type env func(string) string

func (e env) str(name, def string) string {
	if v := e("TENANTDESK_" + name); v != "" {
		return v
	}
	return def
}

func (e env) boolean(name string, def bool) bool {
	if v := e("TENANTDESK_" + name); v != "" {
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
	}
	return def
}

func (e env) duration(name string, def time.Duration) time.Duration {
	if v := e("TENANTDESK_" + name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func (e env) integer(name string, def int) int {
	if v := e("TENANTDESK_" + name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// newFlagSet returns a flag set writing its usage to stderr, with the
// database flag every command shares.
func newFlagSet(name string, getenv func(string) string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env(getenv).str("DB", "./data/tenantdesk.db"), "SQLite database file, or a postgres:// URL (TENANTDESK_DB)")
	return fs, db
}

// openDB opens and migrates the database, with the argon2id hasher attached.
func openDB(ctx context.Context, path string, hashConcurrency int) (*sqlstore.DB, error) {
	db, err := sqlstore.Open(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.Hasher = auth.NewArgon2id(auth.OWASPParams, hashConcurrency)
	return db, nil
}

// parseNets parses a comma-separated list of CIDRs or single IPs.
func parseNets(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if ip := net.ParseIP(part); ip != nil {
				bits := 32
				if ip.To4() == nil {
					bits = 128
				}
				part = fmt.Sprintf("%s/%d", part, bits)
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", part, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// sessionKeys returns the configured signing keys (comma-separated, hex or
// base64, at least 32 bytes each, newest first), or a generated key stored
// in the database so sessions survive restarts.
func sessionKeys(ctx context.Context, configured string, secrets tenantdesk.SecretRepository) ([][]byte, error) {
	var keys [][]byte
	for _, part := range strings.Split(configured, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, err := hex.DecodeString(part)
		if err != nil {
			if k, err = base64.StdEncoding.DecodeString(part); err != nil {
				return nil, fmt.Errorf("session key is neither hex nor base64")
			}
		}
		if len(k) < 32 {
			return nil, fmt.Errorf("session key too short: %d bytes, need at least 32", len(k))
		}
		keys = append(keys, k)
	}
	if len(keys) > 0 {
		return keys, nil
	}
	k, err := secrets.LoadOrCreateSecret(ctx, "session_key", func() ([]byte, error) { return auth.RandomBytes(32), nil })
	if err != nil {
		return nil, err
	}
	return [][]byte{k}, nil
}

// newLogger returns the structured logger: text for people, json for machines.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
