package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlagSet("migrate", getenv, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dbPath, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "Database %s is up to date.\n", sqlstore.DisplayDSN(*dbPath))
	return nil
}

func runPartnerCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlagSet("partner create", getenv, stderr)
	name := fs.String("name", "", "partner account name")
	ownerEmail := fs.String("owner-email", "", "the Owner's email")
	ownerName := fs.String("owner-name", "", "the Owner's display name")
	if err := fs.Parse(args); err != nil {
		return err
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
	a, u, err := ops.CreatePartner(tenantdesk.OperatorContext(ctx), tenantdesk.CreatePartnerInput{Name: *name, OwnerName: *ownerName, OwnerEmail: *ownerEmail})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Created partner %q (tenant ID %s) with Owner %s <%s>.\nSet the Owner's password with: tenantdesk user passwd --email %s\n",
		a.Name, a.TenantID, u.DisplayName, u.Email, u.Email)
	return nil
}

func runUserPasswd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, dbPath := newFlagSet("user passwd", getenv, stderr)
	email := fs.String("email", "", "the user's email")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return fmt.Errorf("--email is required")
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	db, err := openDB(ctx, *dbPath, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.FindUserByEmail(ctx, *email)
	if err != nil {
		return describe(err)
	}
	ops, err := operatorService(db, "")
	if err != nil {
		return err
	}
	if err := ops.SetPassword(tenantdesk.OperatorContext(ctx), u.ID, password); err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Password set for %s <%s>.\n", u.DisplayName, u.Email)
	return nil
}

// describe turns a domain error into a line an operator can act on.
func describe(err error) error {
	if de := tenantdesk.AsError(err); de != nil {
		var b strings.Builder
		b.WriteString(de.Message)
		for _, f := range de.Fields {
			if f.Message != de.Message {
				fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
			}
		}
		return fmt.Errorf("%s", b.String())
	}
	return err
}
