package main

import (
	"context"
	"fmt"
	"io"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// runCustomerStatus lets the platform operator disable a customer (its
// users cannot sign in and are signed out, its tokens are refused, nothing
// is deleted) or enable it again, audited in the customer's and its
// partner's log as the same action from Partnerdesk is.
func runCustomerStatus(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, disable bool) error {
	name := "customer enable"
	if disable {
		name = "customer disable"
	}
	fs, dbPath := newFlagSet(name, getenv, stderr)
	tenant := fs.String("tenant", "", "the customer's tenant ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant == "" {
		return fmt.Errorf("--tenant is required")
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
	info, err := service.NewAccountInfo(&service.Deps{Store: db, Mail: mail.NewRenderer(bundle)})
	if err != nil {
		return err
	}
	acc, err := info.SetCustomerDisabled(tenantdesk.OperatorContext(ctx), *tenant, disable)
	if err != nil {
		return describe(err)
	}
	state := "enabled"
	if acc.Disabled() {
		state = "disabled"
	}
	fmt.Fprintf(stdout, "%q (tenant ID %s) is %s.\n", acc.Name, acc.TenantID, state)
	return nil
}
