package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// run2FAReset removes a user's lost second factor: `tenantdesk 2fa reset
// --email E`. It deletes the TOTP secret and the recovery codes (and
// unlocks a throttled second factor), audits the reset as the platform
// operator and queues an email to the user, in one transaction. The
// running server's mail worker sends it.
func run2FAReset(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := env(getenv)
	fs, dbPath := newFlagSet("2fa reset", getenv, stderr)
	email := fs.String("email", "", "the user's email")
	baseURL := fs.String("base-url", e.str("BASE_URL", ""), "public URL of the portal, for the link in the email (TENANTDESK_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return fmt.Errorf("--email is required")
	}
	db, err := openDB(ctx, *dbPath, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	ops, err := operatorService(db, *baseURL) // user_email.go
	if err != nil {
		return err
	}
	u, err := ops.ResetTwoFactor(tenantdesk.OperatorContext(ctx), *email)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Two-factor authentication of %s <%s> was reset: they can sign in with their password and set it up again.\nAn email telling them so is queued.\n",
		u.DisplayName, u.Email)
	return nil
}

// parseSecretKeys reads --secret-key: comma-separated keys of 32 bytes in
// hex or base64, newest first (older ones only decrypt). Empty: none, and
// the database generates and keeps one.
func parseSecretKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		k, err := auth.ParseSecretKey(part)
		if err != nil {
			return nil, fmt.Errorf("--secret-key: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}
