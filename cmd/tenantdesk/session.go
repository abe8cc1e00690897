package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// runSessionEnd lets the platform operator sign one user out everywhere
// (--email) or every user (--all), leaving them enabled: after a stolen
// laptop, or a suspected leak of the session keys. Audited as the
// operator in each user's account, as `user passwd` and `customer disable`
// are (ASVS 5.0 7.4.5).
func runSessionEnd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlagSet("session end", getenv, stderr)
	email := fs.String("email", "", "the user's email")
	all := fs.Bool("all", false, "every user's sessions (and half-done sign-ins)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*email == "") == !*all {
		return fmt.Errorf("give either --email or --all")
	}
	db, err := openDB(ctx, *dbPath, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	ops, err := operatorService(db, "")
	if err != nil {
		return err
	}
	sessions, users, err := ops.EndSessions(tenantdesk.OperatorContext(ctx), *email, *all)
	if err != nil {
		return describe(err)
	}
	if *all {
		who := "users"
		if users == 1 {
			who = "user"
		}
		fmt.Fprintf(stdout, "Ended %d sessions (%d %s signed out everywhere).\n", sessions, users, who)
	} else {
		fmt.Fprintf(stdout, "Ended %d sessions of %s.\n", sessions, *email)
	}
	return nil
}
