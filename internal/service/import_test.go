package service_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Tests of the user import (Imports) and the onboarding wizard's service
// (Customers.CheckOnboarding, Onboard) on a real SQLite store.

// countQuery runs a counting query on the database file directly.
func (f *fixture) countQuery(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := rawConn(t, f.path).QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// issueCodes lists "field:code" of a row's errors.
func issueCodes(is []tenantdesk.ImportIssue) []string {
	var out []string
	for _, i := range is {
		out = append(out, i.Field+":"+i.Code)
	}
	return out
}

func TestImportPreviewWritesNothingThenImportWritesTheValidRows(t *testing.T) {
	f := newFixture(t)
	ctx := f.as(f.Admin1)
	rows := []tenantdesk.ImportRow{
		{DisplayName: "Amy Agent", Email: "amy@c1.example", Extension: "1001", ACDAgent: true},                                                                                         // 1 valid, no sign-in
		{DisplayName: "Ben Boss", Email: "ben@c1.example", Roles: []string{"customer.user", "customer.user.supervisorl1"}},                                                             // 2 valid, may sign in
		{DisplayName: "", Email: "not-an-email", Extension: "x1"},                                                                                                                      // 3 R8 + extension
		{DisplayName: "Amy Again", Email: "AMY@c1.example"},                                                                                                                            // 4 duplicate of row 1
		{DisplayName: "Mia Twin", Email: "mia@c1.example"},                                                                                                                             // 5 taken (Mia of C1)
		{DisplayName: "Otto Twin", Email: "otto@c2.example"},                                                                                                                           // 6 taken in another account
		{DisplayName: "Ura", Email: "ura@c1.example", Roles: []string{"no.such.role", "customer.user.supervisorl1"}},                                                                   // 7 R6 and R1
		{DisplayName: "Two Hats", Email: "two@c1.example", Roles: []string{"customer.user", "customer.user.supervisorl1", "customer.user.supervisorl2"}},                               // 8 R2
		{DisplayName: "Bad Cell", Email: "cell@c1.example", Issues: []tenantdesk.ImportIssue{{Field: "acdAgent", Code: tenantdesk.EINVALID, Message: "ACD agent must be yes or no."}}}, // 9
	}
	usersBefore := f.countQuery(t, `SELECT count(*) FROM users`)
	auditBefore := f.countQuery(t, `SELECT count(*) FROM audit_log`)
	mailBefore := f.countQuery(t, `SELECT count(*) FROM mail_outbox`)

	prev, err := f.svc.Imports.Preview(ctx, f.C1.ID, rows)
	must(t, err)
	want := map[int][]string{
		3: {"extension:invalid", "displayName:invalid", "email:invalid"},
		4: {"email:duplicate_email"},
		5: {"email:email_taken"},
		6: {"email:email_taken"},
		7: {"roles:unknown_role", "roles:role_prerequisite_missing"},
		8: {"roles:supervisor_roles_exclusive"},
		9: {"acdAgent:invalid"},
	}
	check := func(res *tenantdesk.ImportResult, okStatus string) {
		t.Helper()
		if len(res.Rows) != len(rows) || res.Valid != 2 || res.Invalid != 7 {
			t.Fatalf("%s: %d rows, %d valid, %d invalid", okStatus, len(res.Rows), res.Valid, res.Invalid)
		}
		for _, r := range res.Rows {
			got := issueCodes(r.Errors)
			if w, bad := want[r.Row]; bad {
				if r.Status != tenantdesk.ImportInvalid || !slices.Equal(got, w) {
					t.Errorf("%s row %d: %s %v, want invalid %v", okStatus, r.Row, r.Status, got, w)
				}
			} else if r.Status != okStatus || len(got) > 0 {
				t.Errorf("%s row %d: %s %v", okStatus, r.Row, r.Status, got)
			}
		}
	}
	check(prev, tenantdesk.ImportValid)
	if d := prev.Rows[3].Errors[0].Args["Row"]; d != 1 {
		t.Errorf("duplicate names row %v, want 1", d)
	}
	// Row 1 is an agent, but C1 does not give the Agent add-on automatically.
	if w := prev.Rows[0].Warnings; len(w) != 1 || w[0].Code != tenantdesk.WACDNotAssigned {
		t.Errorf("row 1 warnings %+v", w)
	}
	if got := prev.Rows[0].Roles; !slices.Equal(got, []string{"customer.user.pbx"}) {
		t.Errorf("row 1 would get %v", got)
	}
	if f.countQuery(t, `SELECT count(*) FROM users`) != usersBefore || f.countQuery(t, `SELECT count(*) FROM audit_log`) != auditBefore ||
		f.countQuery(t, `SELECT count(*) FROM mail_outbox`) != mailBefore {
		t.Fatal("the preview wrote something")
	}

	res, err := f.svc.Imports.Import(ctx, f.C1.ID, rows)
	must(t, err)
	check(res, tenantdesk.ImportImported)
	if res.Imported != 2 || f.countQuery(t, `SELECT count(*) FROM users`) != usersBefore+2 {
		t.Fatalf("imported %d", res.Imported)
	}
	amy, err := f.db.FindUserByEmail(context.Background(), "amy@c1.example")
	must(t, err)
	if amy.AccountID != f.C1.ID || amy.Status != tenantdesk.UserInvited || !slices.Equal(amy.Roles, []string{"customer.user.pbx"}) || amy.CanSignIn() {
		t.Errorf("amy: %+v", amy)
	}
	if res.Rows[0].User == nil || res.Rows[0].User.ID != amy.ID {
		t.Errorf("row 1 user %+v", res.Rows[0].User)
	}
	ben, err := f.db.FindUserByEmail(context.Background(), "ben@c1.example")
	must(t, err)
	if !slices.Equal(ben.Roles, []string{"customer.user", "customer.user.pbx", "customer.user.supervisorl1"}) {
		t.Errorf("ben: %v", ben.Roles)
	}
	// Only Ben may sign in: one activation email, none for Amy.
	if n := f.countQuery(t, `SELECT count(*) FROM mail_outbox`) - mailBefore; n != 1 {
		t.Errorf("%d emails queued, want 1 (Ben's activation)", n)
	}
	if f.countQuery(t, `SELECT count(*) FROM mail_outbox WHERE to_addr = ?`, "amy@c1.example") != 0 {
		t.Error("Amy, who cannot sign in, got an email")
	}
	// Audit: each user created (marked as imported, with the extension),
	// Ben's activation email, and the summary.
	var after string
	must(t, rawConn(t, f.path).QueryRow(`SELECT after_json FROM audit_log WHERE action = 'user.create' AND target_name = 'Amy Agent'`).Scan(&after))
	var a map[string]any
	must(t, json.Unmarshal([]byte(after), &a))
	if a["source"] != "import" || a["extension"] != "1001" || a["acdAgent"] != true {
		t.Errorf("Amy's entry: %s", after)
	}
	if n := f.countQuery(t, `SELECT count(*) FROM audit_log WHERE action = 'user.import' AND account_id = ? AND actor_user_id = ?`, f.C1.ID, f.Admin1.ID); n != 1 {
		t.Errorf("%d user.import entries", n)
	}
	if n := f.countQuery(t, `SELECT count(*) FROM audit_log WHERE action = 'user.create' AND licensed = 1 AND account_id = ?`, f.C1.ID); n < 2 {
		t.Errorf("imported users with licensed roles not audited as licensed (%d)", n)
	}

	// The same file again: every row is refused now, nothing written.
	again, err := f.svc.Imports.Import(ctx, f.C1.ID, rows[:2])
	must(t, err)
	if again.Imported != 0 || again.Rows[0].Errors[0].Code != tenantdesk.EEmailTaken {
		t.Errorf("re-import: %+v", again.Rows[0])
	}
}

func TestImportAuthorization(t *testing.T) {
	f := newFixture(t)
	rows := []tenantdesk.ImportRow{{DisplayName: "Zed", Email: "zed@c1.example"}}
	for _, c := range []struct {
		name    string
		actor   *tenantdesk.User
		account int64
		want    string
	}{
		{"owner", f.Owner1, f.C1.ID, ""},
		{"user admin", f.Admin1, f.C1.ID, ""},
		{"partner admin (legacy)", f.PartnerOwner, f.C1.ID, ""},
		{"member", f.Member1, f.C1.ID, tenantdesk.EFORBIDDEN},
		{"another customer's owner", f.Owner2, f.C1.ID, tenantdesk.ENOTFOUND},
		{"another partner", f.OtherPartnerAdmin, f.C1.ID, tenantdesk.ENOTFOUND},
		{"a partner account", f.PartnerOwner, f.Partner.ID, tenantdesk.ENOTFOUND},
	} {
		if _, err := f.svc.Imports.Preview(f.as(c.actor), c.account, rows); code(err) != c.want {
			t.Errorf("%s: Preview = %v, want %q", c.name, err, c.want)
		}
		if c.want != "" {
			if _, err := f.svc.Imports.Import(f.as(c.actor), c.account, rows); code(err) != c.want {
				t.Errorf("%s: Import = %v, want %q", c.name, err, c.want)
			}
		}
	}
	if _, err := f.svc.Imports.Preview(f.as(f.Admin1), f.C1.ID, nil); code(err) != tenantdesk.EINVALID {
		t.Errorf("no rows: %v", err)
	}
	if _, err := f.svc.Imports.Import(f.as(f.Admin1), f.C1.ID, make([]tenantdesk.ImportRow, tenantdesk.MaxImportRows+1)); code(err) != tenantdesk.EINVALID {
		t.Errorf("too many rows: %v", err)
	}
}

// R4 in an import: in a customer without a user admin, rows before the
// first admin row are refused, rows after it pass, in the preview as in
// the import.
func TestImportAppliesTheRulesCumulatively(t *testing.T) {
	f := newFixture(t)
	ops := f.svc.Operator
	c3 := &tenantdesk.Account{Name: "C3", ParentID: f.Partner.ID}
	must(t, ops.CreateCustomer(tenantdesk.OperatorContext(context.Background()), c3, nil))
	rows := []tenantdesk.ImportRow{
		{DisplayName: "Early", Email: "early@c3.example"},
		{DisplayName: "Admin", Email: "admin@c3.example", Roles: []string{"user.admin", "customer.user"}},
		{DisplayName: "Late", Email: "late@c3.example"},
		{DisplayName: "Live", Email: "live@c3.example", Roles: []string{"customer.user", "customer.user.supervisorl3"}},
	}
	ctx := f.as(f.PartnerOwner)
	for _, run := range []func(context.Context, int64, []tenantdesk.ImportRow) (*tenantdesk.ImportResult, error){f.svc.Imports.Preview, f.svc.Imports.Import} {
		res, err := run(ctx, c3.ID, rows)
		must(t, err)
		if got := issueCodes(res.Rows[0].Errors); !slices.Equal(got, []string{"roles:admin_required_first"}) {
			t.Errorf("row 1: %v", got)
		}
		if res.Valid != 3 {
			t.Errorf("valid %d, rows %+v", res.Valid, res.Rows)
		}
	}
	// The first live supervisor rolled the real-time add-on out (R7) to
	// the essential users imported before it, in the same transaction.
	admin, err := f.db.FindUserByEmail(context.Background(), "late@c3.example")
	must(t, err)
	if !admin.HasRole(tenantdesk.RolePBXRealtime) {
		t.Errorf("late@ roles %v: no real-time add-on", admin.Roles)
	}
}

// The account's essential-user role, autoAssignAcd and the UK variant.
func TestImportEssentialRoleAndACDAgents(t *testing.T) {
	f := newFixture(t)
	var ctx context.Context
	agent := func(email string) []tenantdesk.ImportRow {
		return []tenantdesk.ImportRow{{DisplayName: "Agent " + email, Email: email, ACDAgent: true},
			{DisplayName: "Not an agent " + email, Email: "x" + email}}
	}
	setAccount := func(sql string) {
		t.Helper()
		if _, err := rawConn(t, f.path).Exec(sql, f.C1.ID); err != nil {
			t.Fatal(err)
		}
		f.db.ForgetCachedReads()
		ctx = f.as(f.Owner1) // the actor's account as a new request reads it
	}

	setAccount(`UPDATE accounts SET auto_assign_acd = 1 WHERE id = ?`)
	res, err := f.svc.Imports.Import(ctx, f.C1.ID, agent("a1@c1.example"))
	must(t, err)
	if got := res.Rows[0].Roles; !slices.Equal(got, []string{"customer.user.acd", "customer.user.pbx"}) || len(res.Rows[0].Warnings) > 0 {
		t.Errorf("standard, agent: %v %+v", got, res.Rows[0].Warnings)
	}
	if got := res.Rows[1].Roles; !slices.Equal(got, []string{"customer.user.pbx"}) {
		t.Errorf("standard, not an agent: %v", got)
	}

	setAccount(`UPDATE accounts SET essential_variant = 'uk', auto_assign_acd = 1 WHERE id = ?`)
	if tenantdesk.LookupRole(tenantdesk.RoleUCEssential) == nil {
		t.Fatal("customer.user.uc.essential is not in the catalogue")
	}
	res, err = f.svc.Imports.Import(ctx, f.C1.ID, agent("a2@c1.example"))
	must(t, err)
	if got := res.Rows[0].Roles; !slices.Equal(got, []string{"customer.user.acd", "customer.user.uc.essential"}) || res.Imported != 2 {
		t.Errorf("UK, agent: %v %+v", got, res.Rows[0])
	}
	u, err := f.db.FindUserByEmail(context.Background(), "xa2@c1.example")
	must(t, err)
	if !slices.Equal(u.Roles, []string{"customer.user.uc.essential"}) {
		t.Errorf("UK, not an agent: %v", u.Roles)
	}
	// A row asking for the standard variant's role in a UK account is refused.
	res, err = f.svc.Imports.Preview(ctx, f.C1.ID, []tenantdesk.ImportRow{{DisplayName: "Std", Email: "std@c1.example", Roles: []string{"customer.user.pbx"}}})
	must(t, err)
	if res.Valid != 0 || len(res.Rows[0].Errors) == 0 || res.Rows[0].Errors[0].Field != "roles" {
		t.Errorf("pbx in a UK account: %+v", res.Rows[0])
	}

	setAccount(`UPDATE accounts SET essential_variant = 'uk', auto_assign_acd = 0 WHERE id = ?`)
	res, err = f.svc.Imports.Import(ctx, f.C1.ID, agent("a3@c1.example"))
	must(t, err)
	if got := res.Rows[0].Roles; !slices.Equal(got, []string{"customer.user.uc.essential"}) || len(res.Rows[0].Warnings) != 1 {
		t.Errorf("autoAssignAcd off: %v %+v", got, res.Rows[0].Warnings)
	}
}

func TestOnboardCreatesCustomerAdminAndUsersInOneTransaction(t *testing.T) {
	f := newFixture(t)
	ctx := f.as(f.PartnerOwner)
	in := tenantdesk.OnboardingInput{
		Customer: tenantdesk.NewCustomer{Name: "Steamboat Ltd", Reference: "CRM-7", Connection: `{"platform":"pbx.example","host":"pbx.steamboat.example","port":5061}`},
		Admin:    tenantdesk.OnboardingAdmin{DisplayName: "Sam Clemens", Email: "sam@steamboat.example", Roles: []string{"user.admin", "customer.user"}},
		Users: []tenantdesk.ImportRow{
			{DisplayName: "Olivia", Email: "olivia@steamboat.example", Extension: "201"},
			{DisplayName: "Sam Again", Email: "SAM@steamboat.example"},
			{DisplayName: "Mia Twin", Email: "mia@c1.example"},
		},
	}
	accounts := f.countQuery(t, `SELECT count(*) FROM accounts`)

	// Partner staff without partner.admin, and customers' users, may not.
	for _, u := range []*tenantdesk.User{f.PartnerUser, f.Owner1} {
		if _, err := f.svc.Customers.CheckOnboarding(f.as(u), in); code(err) != tenantdesk.EFORBIDDEN {
			t.Errorf("%s: CheckOnboarding %v", u.Email, err)
		}
		if _, err := f.svc.Customers.Onboard(f.as(u), in); code(err) != tenantdesk.EFORBIDDEN {
			t.Errorf("%s: Onboard %v", u.Email, err)
		}
	}

	chk, err := f.svc.Customers.CheckOnboarding(ctx, in)
	must(t, err)
	if chk.Customer != nil || chk.Admin != nil || chk.Users.Valid != 1 {
		t.Fatalf("check: %v %v %+v", chk.Customer, chk.Admin, chk.Users)
	}
	if got := issueCodes(chk.Users.Rows[1].Errors); !slices.Equal(got, []string{"email:duplicate_email"}) {
		t.Errorf("row with the admin's email: %v", got)
	}

	// The admin's email is taken: step 2's error, nothing written.
	bad := in
	bad.Admin.Email = "ada@c1.example"
	chk, err = f.svc.Customers.CheckOnboarding(ctx, bad)
	must(t, err)
	if de := tenantdesk.AsError(chk.Admin); de == nil || de.Code != tenantdesk.EEmailTaken || de.Fields[0].Field != "admin.email" {
		t.Errorf("check, email taken: %v", chk.Admin)
	}
	_, err = f.svc.Customers.Onboard(ctx, bad)
	if de := tenantdesk.AsError(err); de == nil || de.Code != tenantdesk.EEmailTaken || de.Fields[0].Field != "admin.email" {
		t.Errorf("onboard, email taken: %v", err)
	}
	// Without user.admin the first user breaks R4.
	bad = in
	bad.Admin.Roles = []string{"customer.user"}
	_, err = f.svc.Customers.Onboard(ctx, bad)
	if de := tenantdesk.AsError(err); de == nil || de.Code != tenantdesk.EAdminRequiredFirst || de.Fields[0].Field != "admin.roles" {
		t.Errorf("onboard, no admin: %v", err)
	}
	bad = in
	bad.Customer.Name, bad.Customer.Connection = "", "[1]"
	chk, err = f.svc.Customers.CheckOnboarding(ctx, bad)
	must(t, err)
	if fe := tenantdesk.AsError(chk.Customer); fe == nil || len(fe.Fields) != 2 {
		t.Errorf("check, bad customer: %v", chk.Customer)
	}
	if _, err := f.svc.Customers.Onboard(ctx, bad); code(err) != tenantdesk.EINVALID {
		t.Errorf("onboard, bad customer: %v", err)
	}
	if n := f.countQuery(t, `SELECT count(*) FROM accounts`); n != accounts {
		t.Fatalf("failed onboardings left %d accounts", n-accounts)
	}

	done, err := f.svc.Customers.Onboard(ctx, in)
	must(t, err)
	acc := done.Customer.Account
	if acc.ParentID != f.Partner.ID || acc.Name != "Steamboat Ltd" || acc.Reference != "CRM-7" || !strings.Contains(done.Customer.Connection, "pbx.steamboat.example") {
		t.Errorf("customer %+v %s", acc, done.Customer.Connection)
	}
	if done.Admin.AccountID != acc.ID || done.Admin.IsOwner || !tenantdesk.IsUserAdmin(done.Admin) {
		t.Errorf("admin %+v", done.Admin)
	}
	if done.Users.Imported != 1 || done.Users.Invalid != 2 {
		t.Errorf("users %+v", done.Users)
	}
	if n := f.countQuery(t, `SELECT count(*) FROM users WHERE account_id = ?`, acc.ID); n != 2 {
		t.Errorf("%d users in the new customer", n)
	}
	if n := f.countQuery(t, `SELECT count(*) FROM mail_outbox WHERE to_addr = ?`, "sam@steamboat.example"); n != 1 {
		t.Errorf("%d activation emails to the admin", n)
	}
	if n := f.countQuery(t, `SELECT count(*) FROM audit_log WHERE account_id = ? AND action = 'customer.create' AND target_id = ?`, f.Partner.ID, acc.TenantID); n != 1 {
		t.Errorf("%d customer.create entries in the partner's log", n)
	}
	for _, action := range []string{"account.create", "user.create", "user.import", "user.activation_sent"} {
		if n := f.countQuery(t, `SELECT count(*) FROM audit_log WHERE account_id = ? AND action = ?`, acc.ID, action); n == 0 {
			t.Errorf("no %s in the customer's log", action)
		}
	}

	// An Owner as first admin holds every permission role besides those chosen.
	in2 := tenantdesk.OnboardingInput{Customer: tenantdesk.NewCustomer{Name: "Owned"},
		Admin: tenantdesk.OnboardingAdmin{DisplayName: "Own Er", Email: "owner@owned.example", Owner: true, Roles: []string{"customer.user.supervisorl1"}}}
	done, err = f.svc.Customers.Onboard(ctx, in2)
	must(t, err)
	if !done.Admin.IsOwner || !done.Admin.HasRole("customer.user.supervisorl1") || !done.Admin.HasRole("recording.viewer") || done.Users != nil {
		t.Errorf("owner %+v", done.Admin)
	}
}
