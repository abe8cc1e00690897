package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// runOwnerTransfer makes another user of an account its Owner.
func runOwnerTransfer(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlagSet("owner transfer", getenv, stderr)
	account := fs.String("account", "", "the account's tenant ID")
	to := fs.String("to-email", "", "email of the user of that account who becomes the Owner")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *account == "" || *to == "" {
		return fmt.Errorf("usage: tenantdesk owner transfer --account TENANT_ID --to-email E")
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
	u, err := ops.TransferOwnership(tenantdesk.OperatorContext(ctx), *account, *to)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "%s <%s> is now the Owner of %s.\n", u.DisplayName, u.Email, *account)
	return nil
}

// runBackup writes a consistent copy of the database, safe while the portal runs.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlagSet("backup", getenv, stderr)
	to := fs.String("to", "", "the backup file to create")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" {
		return fmt.Errorf("usage: tenantdesk backup --to FILE")
	}
	db, err := openDB(ctx, *dbPath, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, *to); err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Backed up %s to %s.\n", *dbPath, *to)
	return nil
}
