package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// runUserEmail changes a user's email on the operator's behalf: `tenantdesk
// user email --email OLD --to NEW`. It is the one way to change the email
// of a user who cannot do it on My profile (an Owner who lost the mailbox,
// say): admins may only correct a not-yet-activated user's address (R11).
// The old address is told, the user's pending links end and an invited
// user gets a new activation link; the running server's mail worker sends.
func runUserEmail(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := env(getenv)
	fs, dbPath := newFlagSet("user email", getenv, stderr)
	email := fs.String("email", "", "the user's current email")
	to := fs.String("to", "", "the new email")
	baseURL := fs.String("base-url", e.str("BASE_URL", ""), "public URL of the portal, for the links in the emails (TENANTDESK_BASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || *to == "" {
		return fmt.Errorf("usage: tenantdesk user email --email OLD --to NEW")
	}
	db, err := openDB(ctx, *dbPath, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	ops, err := operatorService(db, *baseURL)
	if err != nil {
		return err
	}
	u, err := ops.ChangeUserEmail(tenantdesk.OperatorContext(ctx), *email, *to)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "The email of %s is now %s. The old address is told; pending links of the user no longer work.\n", u.DisplayName, u.Email)
	return nil
}

// operatorService returns the operator's service over db, with emails
// rendered in the users' languages and links that start with baseURL.
func operatorService(db *sqlstore.DB, baseURL string) (*service.Operator, error) {
	bundle, err := i18n.New()
	if err != nil {
		return nil, err
	}
	return service.NewOperator(&service.Deps{Store: db, Mail: mail.NewRenderer(bundle), BaseURL: baseURL, Hasher: db.Hasher})
}
