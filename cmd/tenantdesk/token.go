package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// runTokenCreate prints a new API token of the user with --email, made on
// the operator's behalf (audited in the user's account). The account's
// maximum token lifetime applies as on My profile.
func runTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlagSet("token create", getenv, stderr)
	email := fs.String("email", "", "the user's email")
	name := fs.String("name", "", "what the token is for (default: \"Command line <date>\")")
	days := fs.Int("days", 0, "expire after this many days (0: no expiry, or the account's maximum)")
	readOnly := fs.Bool("read-only", false, "the token can only read (GET)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return fmt.Errorf("--email is required")
	}
	if *days < 0 {
		return fmt.Errorf("--days must be 0 or more")
	}
	db, err := openDB(ctx, *dbPath, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = tenantdesk.OperatorContext(ctx)
	u, err := db.FindUserByEmail(ctx, *email)
	if err != nil {
		return describe(err)
	}
	now := db.Now()
	if *name == "" {
		*name = "Command line " + now.UTC().Format("2006-01-02 15:04")
	}
	in := tenantdesk.NewAPIToken{Name: *name, ReadOnly: *readOnly}
	if *days > 0 {
		in.ExpiresAt = now.Add(time.Duration(*days) * 24 * time.Hour)
	}
	tokens, err := tokenService(db)
	if err != nil {
		return err
	}
	t, secret, err := tokens.CreateToken(ctx, u.ID, in)
	if err != nil {
		return describe(err)
	}
	expiry := "never expires"
	if !t.ExpiresAt.IsZero() {
		expiry = "expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	fmt.Fprintln(stdout, secret)
	fmt.Fprintf(stderr, "Token %q for %s <%s> (%s%s). It is shown only this once.\n",
		t.Name, u.DisplayName, u.Email, expiry, map[bool]string{true: ", read-only"}[t.ReadOnly])
	return nil
}

// tokenService returns the API tokens service over db.
func tokenService(db *sqlstore.DB) (*service.Tokens, error) {
	bundle, err := i18n.New()
	if err != nil {
		return nil, err
	}
	return service.NewTokens(&service.Deps{Store: db, Mail: mail.NewRenderer(bundle), Now: db.Now})
}

// envFloat reads TENANTDESK_<NAME> as a number with a default.
func envFloat(e env, name string, def float64) float64 {
	if v := e("TENANTDESK_" + name); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	return def
}
