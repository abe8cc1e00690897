// Package testdb names a fresh, empty database for a test on the store the
// test run is for: a SQLite file in the test's temporary directory, or,
// when TENANTDESK_TEST_STORE=postgres, a PostgreSQL database of its own on
// the server TENANTDESK_TEST_POSTGRES names, created for the test (from a
// migrated template made once per test binary) and dropped after it.
//
//	make test                                   # SQLite
//	TENANTDESK_TEST_POSTGRES=postgres://u:p@127.0.0.1/postgres make test   # SQLite, then PostgreSQL
//
// It depends on no Tenantdesk package, so the store's own internal tests
// can use it too.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/tenantdesk/tenantdesk/migrations"
)

// Environment variables of a PostgreSQL test run.
const (
	// StoreEnv selects the store: "postgres", or SQLite when empty.
	StoreEnv = "TENANTDESK_TEST_STORE"
	// ServerEnv is the URL of a PostgreSQL server and a database on it
	// to connect to for creating and dropping the tests' databases.
	ServerEnv = "TENANTDESK_TEST_POSTGRES"
)

// Postgres reports whether this test run is on PostgreSQL.
func Postgres() bool { return os.Getenv(StoreEnv) == "postgres" }

// DSN returns the DSN of a fresh database for t: a file path on SQLite, a
// postgres:// URL on PostgreSQL (its database dropped when t ends).
func DSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), "tenantdesk.db")
	}
	server := os.Getenv(ServerEnv)
	if server == "" {
		t.Fatalf("%s=postgres needs %s, the URL of a PostgreSQL server", StoreEnv, ServerEnv)
	}
	tpl, err := template(server)
	if err != nil {
		t.Fatalf("testdb: template database: %v", err)
	}
	name := "td_test_" + randomHex(8)
	if err := adminExec(server, `CREATE DATABASE `+name+` TEMPLATE `+tpl); err != nil {
		t.Fatalf("testdb: create database: %v", err)
	}
	t.Cleanup(func() {
		// Without FORCE: the server stops its own autovacuum there (which
		// FORCE, for a role that is not a superuser, may not), and
		// adminExec waits out a connection still closing.
		if err := adminExec(server, `DROP DATABASE IF EXISTS `+name); err != nil {
			t.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	return withDatabase(server, name)
}

var (
	tplOnce sync.Once
	tplName string
	tplErr  error
)

// template creates, once per test binary, a database with the store's
// PostgreSQL migrations applied, to copy for each test (much faster than migrating
// each one). It is dropped by the next run's sweep (dropStale), since a
// test binary has no hook after its last test.
func template(server string) (string, error) {
	tplOnce.Do(func() {
		dropStale(server)
		tplName = fmt.Sprintf("td_tpl_%d_%s", time.Now().Unix(), randomHex(4))
		if tplErr = adminExec(server, `CREATE DATABASE `+tplName); tplErr != nil {
			return
		}
		tplErr = migrate(withDatabase(server, tplName))
	})
	return tplName, tplErr
}

// dropStale drops the templates and test databases of runs that ended more
// than an hour ago (a killed run leaves its own behind).
func dropStale(server string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'td\_tpl\_%'`)
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	cutoff := time.Now().Add(-time.Hour).Unix()
	for _, n := range names {
		var at int64
		if _, err := fmt.Sscanf(n, "td_tpl_%d_", &at); err == nil && at < cutoff {
			conn.Exec(ctx, `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`)
		}
	}
}

func adminExec(server, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// CREATE DATABASE … TEMPLATE fails while another session is in the
	// template (a parallel test's copy): wait for it a little.
	for i := 0; ; i++ {
		_, err = conn.Exec(ctx, sql)
		if err == nil || i == 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// withDatabase returns server's URL with its database replaced by name.
func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// migrate applies the PostgreSQL migrations to the database at dsn.
func migrate(dsn string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Postgres)
	if err != nil {
		return err
	}
	_, err = p.Up(context.Background())
	return err
}
