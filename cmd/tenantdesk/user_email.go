package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
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
	bundle, err := i18n.New()
	if err != nil {
		return err
	}
	db.Mail.BaseURL, db.Mail.Renderer = *baseURL, mail.NewRenderer(bundle)
	u, err := db.ChangeUserEmail(tenantdesk.OperatorContext(ctx), *email, *to)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "The email of %s is now %s. The old address is told; pending links of the user no longer work.\n", u.DisplayName, u.Email)
	return nil
}
