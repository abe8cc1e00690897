package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func TestCustomerDisableAndEnableByOperator(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "cust.db")
	env := getenv(map[string]string{"TENANTDESK_DB": db})
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"partner", "create", "--name", "Acme", "--owner-email", "o@acme.example", "--owner-name", "O"}, env, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	partnerTenant := regexp.MustCompile(`tenant ID (\S+)\)`).FindStringSubmatch(out.String())[1]
	d, err := openDB(ctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := d.FindAccountByTenantID(ctx, partnerTenant)
	ops, err := operatorService(d, "")
	if err != nil {
		t.Fatal(err)
	}
	cust := &tenantdesk.Account{Name: "Cust", ParentID: p.ID}
	if err := ops.CreateCustomer(tenantdesk.OperatorContext(ctx), cust, nil); err != nil {
		t.Fatal(err)
	}
	d.Close()

	out.Reset()
	if err := run(ctx, []string{"customer", "disable", "--tenant", cust.TenantID}, env, nil, &out, &errb); err != nil || !strings.Contains(out.String(), "is disabled") {
		t.Fatalf("disable: %v %q", err, out.String())
	}
	if err := run(ctx, []string{"customer", "disable", "--tenant", partnerTenant}, env, nil, &out, &errb); err == nil {
		t.Error("a partner account was disabled")
	}
	if err := run(ctx, []string{"customer", "disable"}, env, nil, &out, &errb); err == nil {
		t.Error("no --tenant accepted")
	}
	d, err = openDB(ctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := d.FindAccountByTenantID(ctx, cust.TenantID)
	if !a.Disabled() {
		t.Fatal("not disabled")
	}
	for _, id := range []int64{cust.ID, p.ID} {
		entries, _ := d.ListAudit(ctx, id, 5)
		if len(entries) == 0 || entries[0].Action != tenantdesk.AuditCustomerDisable || entries[0].ActorName != "Platform operator" {
			t.Errorf("account %d: not audited as the operator", id)
		}
	}
	d.Close()
	out.Reset()
	if err := run(ctx, []string{"customer", "enable", "--tenant", cust.TenantID}, env, nil, &out, &errb); err != nil || !strings.Contains(out.String(), "is enabled") {
		t.Fatalf("enable: %v %q", err, out.String())
	}
}
