package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// runAccountUpdate lets the platform operator change an account's general
// information (what the customer sees on About account); flags left out
// keep their value.
func runAccountUpdate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, dbPath := newFlagSet("account update", getenv, stderr)
	tenant := fs.String("tenant", "", "the account's tenant ID")
	fields := map[string]*string{}
	for _, f := range []struct{ name, usage string }{
		{"name", "account name"}, {"reference", "reference in another system"}, {"description", "description"},
		{"service-packages", "service package(s)"}, {"support-package", "support package"},
		{"personal-manager-name", "personal manager's name"}, {"personal-manager-email", "personal manager's email"},
		{"personal-manager-phone", "personal manager's phone"}, {"technical-manager-name", "technical account manager's name"},
		{"technical-manager-email", "technical account manager's email"}, {"technical-manager-phone", "technical account manager's phone"},
	} {
		fields[f.name] = fs.String(f.name, "", f.usage)
	}
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
	op := tenantdesk.OperatorContext(ctx)
	acc, err := db.FindAccountByTenantID(op, *tenant)
	if err != nil {
		return describe(err)
	}
	in := tenantdesk.GeneralInfoOf(acc)
	target := map[string]*string{
		"name": &in.Name, "reference": &in.Reference, "description": &in.Description,
		"service-packages": &in.ServicePackages, "support-package": &in.SupportPackage,
		"personal-manager-name": &in.PersonalManagerName, "personal-manager-email": &in.PersonalManagerEmail,
		"personal-manager-phone": &in.PersonalManagerPhone, "technical-manager-name": &in.TechnicalManagerName,
		"technical-manager-email": &in.TechnicalManagerEmail, "technical-manager-phone": &in.TechnicalManagerPhone,
	}
	changed := 0
	fs.Visit(func(f *flag.Flag) {
		if p, ok := target[f.Name]; ok {
			*p = *fields[f.Name]
			changed++
		}
	})
	if changed == 0 {
		return fmt.Errorf("nothing to change: give at least one field flag (see -h)")
	}
	bundle, err := i18n.New()
	if err != nil {
		return err
	}
	info, err := service.NewAccountInfo(&service.Deps{Store: db, Mail: mail.NewRenderer(bundle)})
	if err != nil {
		return err
	}
	updated, err := info.UpdateGeneralInfo(op, *tenant, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Updated %q (tenant ID %s).\n", updated.Name, updated.TenantID)
	return nil
}
