package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestDashboardFigures: a partner's customers by status (pending until a
// user admin has set a password) and the onboardings pending, a customer's
// users and invitations, each scoped to its own partner or account.
func TestDashboardFigures(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	op := tenantdesk.OperatorContext(ctx)
	ops := servicetest.NewOps(t, f.db)
	now := f.db.Now()

	p, err := f.db.PartnerFigures(ctx, f.Partner.ID, 0, now, now.Add(7*24*time.Hour))
	must(t, err)
	if p.Customers != (tenantdesk.CustomerStatusCounts{PendingOnboarding: 2}) || p.PendingRequests != 0 || p.ExpiringGrants != 0 {
		t.Fatalf("before activation: %+v", p)
	}
	must(t, ops.SetPassword(op, f.Owner1.ID, "a long enough password"))
	p, err = f.db.PartnerFigures(ctx, f.Partner.ID, 0, now, now.Add(7*24*time.Hour))
	must(t, err)
	if p.Customers != (tenantdesk.CustomerStatusCounts{PendingOnboarding: 1, Active: 1}) {
		t.Fatalf("after C1's Owner set a password: %+v", p.Customers)
	}
	pending, err := f.db.PendingOnboardings(ctx, f.Partner.ID, 5)
	must(t, err)
	if len(pending) != 1 || pending[0].ID != f.C2.ID || pending[0].AdminsInvited != 1 {
		t.Fatalf("pending onboardings %+v", pending)
	}
	// Another partner has none of these.
	q, err := f.db.PartnerFigures(ctx, f.OtherPartnerAdmin.AccountID, 0, now, now)
	must(t, err)
	if q.Customers.Total() != 0 {
		t.Errorf("the other partner counts %+v", q.Customers)
	}

	c, err := f.db.CustomerFigures(ctx, f.C1.ID, f.Admin1.ID, now)
	must(t, err)
	if c.Users != (tenantdesk.UserStatusCounts{Invited: 2, Active: 1}) || c.OwnTOTP || c.Require2FA || c.PendingRequests != 0 {
		t.Errorf("C1 figures %+v", c)
	}
}

// TestMatchCustomers: any part of the name, the reference or the tenant ID,
// letters of any script in any case, the partner's own customers only.
func TestMatchCustomers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	op := tenantdesk.OperatorContext(ctx)
	ops := servicetest.NewOps(t, f.db)
	fir := &tenantdesk.Account{Name: "Ёлки и Палки", Reference: "ERP-77", ParentID: f.Partner.ID}
	must(t, ops.CreateCustomer(op, fir, nil))
	other := &tenantdesk.Account{Name: "Ёлкин двор", ParentID: f.OtherPartnerAdmin.AccountID}
	must(t, ops.CreateCustomer(op, other, nil))
	for _, name := range []string{"Beta Mill", "Alpha Mill"} {
		must(t, ops.CreateCustomer(op, &tenantdesk.Account{Name: name, ParentID: f.Partner.ID}, nil))
	}

	names := func(query string, limit int) []string {
		t.Helper()
		ms, err := f.db.MatchCustomers(ctx, f.Partner.ID, query, limit)
		must(t, err)
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	for query, want := range map[string]string{
		"ёЛКИ":            "Ёлки и Палки",
		"палк":            "Ёлки и Палки",
		"p-7":             "Ёлки и Палки",
		fir.TenantID[2:9]: "Ёлки и Палки",
		"двор":            "",
		other.TenantID:    "",
		"a mill":          "Alpha Mill,Beta Mill", // by name; no tenant ID has a space
		"  ":              "",
	} {
		if got := strings.Join(names(query, 10), ","); got != want {
			t.Errorf("%q: %q, want %q", query, got, want)
		}
	}
	if got := strings.Join(names("a mill", 1), ","); got != "Alpha Mill" {
		t.Errorf("limit 1: %q", got)
	}
}
