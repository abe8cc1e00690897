package service_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// accessFixture is the standard accounts plus two more partner users:
// Sam (named for both customers) and Tia (named nowhere).
type accessFixture struct {
	*fixture
	sam, tia *tenantdesk.User
}

func newAccessFixture(t *testing.T) *accessFixture {
	f := newFixture(t)
	ops := servicetest.NewOps(t, f.db)
	ctx := tenantdesk.OperatorContext(context.Background())
	af := &accessFixture{fixture: f}
	for _, u := range []**tenantdesk.User{&af.sam, &af.tia} {
		name := map[**tenantdesk.User]string{&af.sam: "Sam", &af.tia: "Tia"}[u]
		*u = &tenantdesk.User{AccountID: f.Partner.ID, DisplayName: name, Email: strings.ToLower(name) + "@p.example", Roles: []string{"partner.user"}}
		must(t, ops.CreateUser(ctx, *u))
	}
	return af
}

// impersonating starts an impersonation of acc by u in mode and returns
// the context of u working inside acc, as the web layer builds it.
func (f *accessFixture) impersonating(t *testing.T, u *tenantdesk.User, acc *tenantdesk.Account, mode tenantdesk.AccessMode) context.Context {
	t.Helper()
	ctx := f.as(u)
	imp, err := f.svc.Access.StartImpersonation(ctx, acc.ID, mode)
	if err != nil {
		t.Fatalf("%s impersonating %s in %s: %v", u.DisplayName, acc.Name, mode, err)
	}
	tenantdesk.ActorFrom(ctx).Impersonation = imp
	return ctx
}

// seed002 saves the seed's example: Staff → C1; Sam → C1 and C2.
func (f *accessFixture) seed002(t *testing.T) (c1, c2 *tenantdesk.AccessRequest) {
	t.Helper()
	rs, err := f.svc.Access.CreateAccessRequests(f.as(f.PartnerOwner), tenantdesk.NewAccessRequest{
		Name: "SupportAccess", Message: "Staff and Sam look after you.",
		Associations: []tenantdesk.AccessAssociation{
			{UserIDs: []int64{f.PartnerUser.ID}, AccountIDs: []int64{f.C1.ID}},
			{UserIDs: []int64{f.sam.ID}, AccountIDs: []int64{f.C1.ID, f.C2.ID}},
		}})
	must(t, err)
	if len(rs) != 2 {
		t.Fatalf("%d requests, want one per customer", len(rs))
	}
	return rs[0], rs[1]
}

func userNames(r *tenantdesk.AccessRequest) []string {
	var out []string
	for _, u := range r.Users {
		out = append(out, u.DisplayName)
	}
	return out
}

func TestAccessRequestSeed002(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	// Before any grant: legacy access for the partner.admin.
	if _, err := f.users.ListUsers(f.as(f.PartnerOwner), f.C1.ID, tenantdesk.UserFilter{}); err != nil {
		t.Fatalf("legacy access before the first grant: %v", err)
	}
	c1, c2 := f.seed002(t)
	if c1.AccountID != f.C1.ID || !slices.Equal(userNames(c1), []string{"Sam", "Staff"}) {
		t.Errorf("C1's request names %v", userNames(c1))
	}
	if c2.AccountID != f.C2.ID || !slices.Equal(userNames(c2), []string{"Sam"}) {
		t.Errorf("C2's request names %v: only that tenant's users", userNames(c2))
	}
	for _, r := range []*tenantdesk.AccessRequest{c1, c2} {
		if r.State != tenantdesk.AccessPending || len(r.Modes) != 2 {
			t.Errorf("new request: %s %v", r.State, r.Modes)
		}
	}
	// The responders were told: C1's Owner and user admin, C2's Owner.
	mails, err := f.db.ListMail(ctx, 50)
	must(t, err)
	to := map[string]bool{}
	for _, m := range mails {
		if m.Kind == tenantdesk.MailAccessRequested {
			to[m.To] = true
		}
	}
	for _, want := range []string{f.Owner1.Email, f.Admin1.Email, f.Owner2.Email} {
		if !to[want] {
			t.Errorf("no request mail to %s (mailed %v)", want, to)
		}
	}
	if to[f.Member1.Email] {
		t.Error("a plain member was mailed")
	}

	// Who sees which side.
	if _, err := f.svc.Access.Incoming(f.as(f.Member1), f.C1.ID, tenantdesk.AccessRequestFilter{}); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("member's incoming list: %v", err)
	}
	in, err := f.svc.Access.Incoming(f.as(f.Admin1), f.C1.ID, tenantdesk.AccessRequestFilter{})
	must(t, err)
	if len(in) != 1 || in[0].ID != c1.ID {
		t.Errorf("C1's incoming: %d", len(in))
	}
	if _, err := f.svc.Access.Outgoing(f.as(f.PartnerUser), tenantdesk.AccessRequestFilter{}); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("partner.user's outgoing list: %v", err)
	}
	zone, err := f.svc.Access.MyZone(f.as(f.sam), tenantdesk.AccessRequestFilter{})
	must(t, err)
	if len(zone) != 2 {
		t.Errorf("Sam's zone: %d requests", len(zone))
	}
	for _, other := range []*tenantdesk.User{f.OtherPartnerAdmin, f.Owner2} {
		if _, err := f.svc.Access.GetAccessRequest(f.as(other), c1.ID); code(err) != tenantdesk.ENOTFOUND {
			t.Errorf("%s reads C1's request: %v", other.DisplayName, err)
		}
		if _, err := f.svc.Access.Grant(f.as(other), c1.ID, tenantdesk.AccessAnswer{}); code(err) != tenantdesk.ENOTFOUND {
			t.Errorf("%s grants C1's request: %v", other.DisplayName, err)
		}
	}
	if _, err := f.svc.Access.Grant(f.as(f.PartnerOwner), c1.ID, tenantdesk.AccessAnswer{}); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("the partner grants its own request: %v", err)
	}
	if _, err := f.svc.Access.StartImpersonation(f.as(f.sam), f.C1.ID, tenantdesk.ModeSupport); code(err) != tenantdesk.EGrantExpired {
		t.Errorf("impersonating before the grant: %v", err)
	}

	// C1 grants for ten days; C2 denies.
	until := f.db.Now().Add(10 * 24 * time.Hour).Truncate(time.Second)
	g, err := f.svc.Access.Grant(f.as(f.Owner1), c1.ID, tenantdesk.AccessAnswer{Message: "Welcome", ExpiresAt: &until})
	must(t, err)
	if g.State != tenantdesk.AccessGranted || g.AnswerMessage != "Welcome" || g.AnsweredByName != f.Owner1.DisplayName {
		t.Errorf("granted: %+v", g)
	}
	if _, err := f.svc.Access.Grant(f.as(f.Owner1), c1.ID, tenantdesk.AccessAnswer{}); code(err) != tenantdesk.ERequestNotPending {
		t.Errorf("granting twice: %v", err)
	}
	_, err = f.svc.Access.Deny(f.as(f.Owner2), c2.ID, "Not now")
	must(t, err)

	// The legacy rule: from C1's first grant on, the partner.admin is out
	// of C1 by every service; C2 (which denied) keeps legacy access.
	pat := f.as(f.PartnerOwner)
	if _, err := f.users.ListUsers(pat, f.C1.ID, tenantdesk.UserFilter{}); code(err) != tenantdesk.EAccessRequestRequired {
		t.Errorf("partner.admin at C1 after the grant: %v", err)
	}
	if _, err := f.svc.Devices.ListDevices(pat, f.C1.ID, tenantdesk.DeviceFilter{}); code(err) != tenantdesk.EAccessRequestRequired {
		t.Errorf("partner.admin at C1's devices after the grant: %v", err)
	}
	if _, err := f.svc.Access.StartImpersonation(pat, f.C1.ID, tenantdesk.ModeSupport); code(err) != tenantdesk.EGrantExpired {
		t.Errorf("partner.admin's legacy impersonation after the grant: %v", err)
	}
	if _, err := f.users.ListUsers(pat, f.C2.ID, tenantdesk.UserFilter{}); err != nil {
		t.Errorf("partner.admin at C2 (never granted): %v", err)
	}
	if _, err := f.svc.Access.StartImpersonation(f.as(f.tia), f.C1.ID, tenantdesk.ModeSupport); code(err) != tenantdesk.EGrantExpired {
		t.Errorf("a partner user named nowhere: %v", err)
	}
	if _, err := f.users.ListUsers(f.as(f.tia), f.C1.ID, tenantdesk.UserFilter{}); code(err) != tenantdesk.EAccessRequestRequired {
		t.Errorf("a partner user named nowhere, users: %v", err)
	}
	if _, err := f.svc.Access.StartImpersonation(f.as(f.sam), f.C2.ID, tenantdesk.ModeSupport); code(err) != tenantdesk.EGrantExpired {
		t.Errorf("Sam at C2, which denied: %v", err)
	}

	// Both named staff are in; the customer's user list shows them.
	imp, err := f.svc.Access.StartImpersonation(f.as(f.PartnerUser), f.C1.ID, tenantdesk.ModeSupport)
	must(t, err)
	if imp.RequestID != c1.ID || imp.ExpiresAt == nil || !imp.ExpiresAt.Equal(until) {
		t.Errorf("impersonation: %+v", imp)
	}
	page, err := f.users.ListUsers(f.as(f.Owner1), f.C1.ID, tenantdesk.UserFilter{})
	must(t, err)
	var parents []string
	for _, p := range page.Parents {
		parents = append(parents, p.DisplayName)
		if p.GrantExpiresAt == nil || !p.GrantExpiresAt.Equal(until) {
			t.Errorf("%s's grant expiry %v", p.DisplayName, p.GrantExpiresAt)
		}
	}
	if !slices.Equal(parents, []string{"Sam", "Staff"}) {
		t.Errorf("isParent users %v", parents)
	}

	// Expiry passes mid-session: the next check refuses, so does a change.
	f.db.Now = func() time.Time { return until.Add(time.Second) }
	if _, err := f.svc.Access.ResolveImpersonation(f.as(f.PartnerUser), f.C1.ID, tenantdesk.ModeSupport); code(err) != tenantdesk.EGrantExpired {
		t.Errorf("after the expiry: %v", err)
	}
	later := until.Add(24 * time.Hour)
	if _, err := f.svc.Access.SetExpiry(f.as(f.Owner1), c1.ID, &later); code(err) != tenantdesk.EGrantExpired {
		t.Errorf("changing an expired grant: %v", err)
	}
	if page, err := f.users.ListUsers(f.as(f.Owner1), f.C1.ID, tenantdesk.UserFilter{}); err != nil || len(page.Parents) != 0 {
		t.Errorf("isParent users after the expiry: %v %v", page, err)
	}
	if _, err := f.users.ListUsers(pat, f.C1.ID, tenantdesk.UserFilter{}); code(err) != tenantdesk.EAccessRequestRequired {
		t.Errorf("legacy access came back after the grant expired: %v", err)
	}
	zone, err = f.svc.Access.MyZone(f.as(f.sam), tenantdesk.AccessRequestFilter{State: tenantdesk.AccessExpired})
	must(t, err)
	if len(zone) != 1 || zone[0].ID != c1.ID {
		t.Errorf("Sam's expired requests: %d", len(zone))
	}
}

func TestAccessModesAndLimits(t *testing.T) {
	f := newAccessFixture(t)
	c1, _ := f.seed002(t)
	_, err := f.svc.Access.Grant(f.as(f.Admin1), c1.ID, tenantdesk.AccessAnswer{})
	must(t, err)

	support := f.impersonating(t, f.PartnerUser, f.C1, tenantdesk.ModeSupport)
	name := "Mia Renamed"
	if _, err := f.users.UpdateUser(support, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{DisplayName: &name}); err != nil {
		t.Fatalf("support mode manages users: %v", err)
	}
	ownerName := "Olive Renamed"
	if _, err := f.users.UpdateUser(support, f.C1.ID, f.Owner1.ID, tenantdesk.UserPatch{DisplayName: &ownerName}); code(err) != tenantdesk.EOwnerImmutable {
		t.Errorf("support mode changes the Owner: %v", err)
	}
	if _, err := f.users.SetUserDisabled(support, f.C1.ID, f.Owner1.ID, true); code(err) != tenantdesk.EOwnerImmutable {
		t.Errorf("support mode disables the Owner: %v", err)
	}
	dev := tenantdesk.DeviceInput{Name: "Desk", Kind: "softphone"}
	if _, err := f.svc.Devices.CreateDevice(support, f.C1.ID, dev); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("support mode creates a device: %v", err)
	}
	if _, _, err := f.svc.Tokens.CreateToken(support, f.PartnerUser.ID, tenantdesk.NewAPIToken{Name: "sneaky"}); code(err) != tenantdesk.EImpersonating {
		t.Errorf("a token while impersonating: %v", err)
	}
	if _, err := f.svc.Access.StartImpersonation(support, f.C1.ID, tenantdesk.ModeConfigure); code(err) != tenantdesk.EImpersonating {
		t.Errorf("nested impersonation: %v", err)
	}
	if _, err := f.svc.Access.Revoke(support, c1.ID, ""); code(err) != tenantdesk.EImpersonating {
		t.Errorf("an impersonator answers the customer's request: %v", err)
	}
	if _, err := f.users.ListUsers(support, f.C2.ID, tenantdesk.UserFilter{}); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("support mode at another customer: %v", err)
	}

	configure := f.impersonating(t, f.PartnerUser, f.C1, tenantdesk.ModeConfigure)
	if _, err := f.svc.Devices.CreateDevice(configure, f.C1.ID, dev); err != nil {
		t.Errorf("configure mode creates a device: %v", err)
	}
	if _, err := f.users.UpdateUser(configure, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{DisplayName: &name}); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("configure mode manages users: %v", err)
	}

	// Both identities in both logs.
	entries := func(acc *tenantdesk.Account, action string) []*tenantdesk.AuditEntry {
		page, err := f.svc.AuditLog.QueryAudit(tenantdesk.OperatorContext(context.Background()), acc.ID, tenantdesk.AuditFilter{Action: action, Limit: 50})
		must(t, err)
		return page.Entries
	}
	cust := entries(f.C1, tenantdesk.AuditUserUpdate)
	if len(cust) != 1 || cust[0].ActorName != "Staff" || cust[0].ActorAccountName != "P" || cust[0].ImpersonationMode != "support" || cust[0].TargetName != name {
		t.Errorf("customer's entry: %+v", cust)
	}
	part := entries(f.Partner, tenantdesk.AuditUserUpdate)
	if len(part) != 1 || part[0].ActorName != "Staff" || part[0].OnAccountName != "C1" || part[0].ImpersonationMode != "support" {
		t.Errorf("partner's copy: %+v", part)
	}
	for _, c := range []struct {
		acc     *tenantdesk.Account
		action  string
		entries int
	}{
		{f.C1, "access.request", 1}, {f.C1, "access.grant", 1}, {f.C1, "access.impersonation_start", 2},
		{f.Partner, "access.request", 2}, {f.Partner, "access.grant", 1}, {f.Partner, "access.impersonation_start", 2},
		{f.C2, "access.grant", 0},
	} {
		if n := len(entries(c.acc, c.action)); n != c.entries {
			t.Errorf("%s: %d %s entries, want %d", c.acc.Name, n, c.action, c.entries)
		}
	}

	// Revocation ends the next check; a partner cannot push an expiry later.
	must(t, f.svc.Access.EndImpersonation(configure, tenantdesk.ActorFrom(configure).Impersonation, "ended"))
	if n := len(entries(f.C1, "access.impersonation_end")); n != 1 {
		t.Errorf("%d end entries", n)
	}
	soon := f.db.Now().Add(48 * time.Hour)
	_, err = f.svc.Access.SetExpiry(f.as(f.Owner1), c1.ID, &soon)
	must(t, err)
	further := soon.Add(time.Hour)
	if _, err := f.svc.Access.SetExpiry(f.as(f.PartnerOwner), c1.ID, &further); code(err) != tenantdesk.EINVALID {
		t.Errorf("the partner pushes the expiry later: %v", err)
	}
	sooner := soon.Add(-time.Hour)
	if _, err := f.svc.Access.SetExpiry(f.as(f.PartnerOwner), c1.ID, &sooner); err != nil {
		t.Errorf("the partner brings the expiry forward: %v", err)
	}
	n, err := f.svc.Access.RemindExpiring(context.Background())
	must(t, err)
	if n != 1 {
		t.Errorf("reminded %d grants, want 1", n)
	}
	if n, _ := f.svc.Access.RemindExpiring(context.Background()); n != 0 {
		t.Errorf("reminded again: %d", n)
	}
	_, err = f.svc.Access.Revoke(f.as(f.Owner1), c1.ID, "Done, thanks")
	must(t, err)
	if _, err := f.svc.Access.ResolveImpersonation(f.as(f.PartnerUser), f.C1.ID, tenantdesk.ModeSupport); code(err) != tenantdesk.EGrantExpired {
		t.Errorf("after the revocation: %v", err)
	}
	if _, err := f.svc.Access.Revoke(f.as(f.Owner1), c1.ID, ""); code(err) != tenantdesk.ERequestClosed {
		t.Errorf("revoking twice: %v", err)
	}
}

func TestAccessRequestValidation(t *testing.T) {
	f := newAccessFixture(t)
	pat := f.as(f.PartnerOwner)
	one := []tenantdesk.AccessAssociation{{UserIDs: []int64{f.sam.ID}, AccountIDs: []int64{f.C1.ID}}}
	_, err := f.svc.Access.CreateAccessRequests(pat, tenantdesk.NewAccessRequest{Name: "Support Access", Associations: nil})
	if code(err) != tenantdesk.ERequestNameInvalid {
		t.Fatalf("a name with a space: %v", err)
	}
	if e := tenantdesk.AsError(err); len(e.Fields) != 2 {
		t.Errorf("every problem at once: %+v", e.Fields)
	}
	if _, err := f.svc.Access.CreateAccessRequests(f.as(f.sam), tenantdesk.NewAccessRequest{Name: "x", Associations: one}); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("a partner.user asks: %v", err)
	}
	// Another partner's customer or user: not found, and nothing written.
	for _, as := range [][]tenantdesk.AccessAssociation{
		{{UserIDs: []int64{f.sam.ID}, AccountIDs: []int64{f.C1.ID, f.OtherPartnerAdmin.AccountID}}},
		{{UserIDs: []int64{f.sam.ID, f.OtherPartnerAdmin.ID}, AccountIDs: []int64{f.C1.ID}}},
		{{UserIDs: []int64{f.sam.ID, f.Owner1.ID}, AccountIDs: []int64{f.C1.ID}}},
	} {
		if _, err := f.svc.Access.CreateAccessRequests(pat, tenantdesk.NewAccessRequest{Name: "x", Associations: as}); code(err) != tenantdesk.ENOTFOUND {
			t.Errorf("%+v: %v", as, err)
		}
	}
	out, err := f.svc.Access.Outgoing(pat, tenantdesk.AccessRequestFilter{})
	must(t, err)
	if len(out) != 0 {
		t.Errorf("%d requests written by refused saves", len(out))
	}
	past := f.db.Now().Add(-time.Hour)
	if _, err := f.svc.Access.CreateAccessRequests(pat, tenantdesk.NewAccessRequest{Name: "x", Associations: one, ExpiresAt: &past}); code(err) != tenantdesk.EINVALID {
		t.Errorf("an expiry in the past: %v", err)
	}
	rs, err := f.svc.Access.CreateAccessRequests(pat, tenantdesk.NewAccessRequest{Name: "Only_configure", Modes: []tenantdesk.AccessMode{tenantdesk.ModeConfigure}, Associations: one})
	must(t, err)
	_, err = f.svc.Access.Grant(f.as(f.Owner1), rs[0].ID, tenantdesk.AccessAnswer{})
	must(t, err)
	if _, err := f.svc.Access.StartImpersonation(f.as(f.sam), f.C1.ID, tenantdesk.ModeSupport); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("a mode the request does not allow: %v", err)
	}
	if _, err := f.svc.Access.Withdraw(f.as(f.PartnerOwner), rs[0].ID); err != nil {
		t.Errorf("withdrawing a grant: %v", err)
	}
	if _, err := f.svc.Access.StartImpersonation(f.as(f.sam), f.C1.ID, tenantdesk.ModeConfigure); code(err) != tenantdesk.EGrantExpired {
		t.Errorf("after the withdrawal: %v", err)
	}
}

// TestAccessAnswersUnderABurst: twenty parallel grants and denials of one
// request (a double click, a replayed form, two admins at once) leave
// exactly one answer, one audit entry per log and one mail per person.
func TestAccessAnswersUnderABurst(t *testing.T) {
	f := newAccessFixture(t)
	c1, _ := f.seed002(t)
	var wg sync.WaitGroup
	results := make([]error, 20)
	for i := range results {
		wg.Go(func() {
			who := f.Owner1
			if i%2 == 1 {
				who = f.Admin1
			}
			if i%3 == 0 {
				_, results[i] = f.svc.Access.Deny(f.as(who), c1.ID, "")
				return
			}
			_, results[i] = f.svc.Access.Grant(f.as(who), c1.ID, tenantdesk.AccessAnswer{})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		switch code(err) {
		case "":
			ok++
		case tenantdesk.ERequestNotPending:
		default:
			t.Errorf("unexpected answer: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d answers took effect, want 1", ok)
	}
	conn := rawConn(t, f.path)
	var entries int
	must(t, conn.QueryRow(`SELECT count(*) FROM audit_log WHERE action IN ('access.grant', 'access.deny')`).Scan(&entries))
	if entries != 2 { // one in the customer's log, one in the partner's
		t.Errorf("%d answer entries, want 2", entries)
	}
	var mails int
	must(t, conn.QueryRow(`SELECT count(*) FROM mail_outbox WHERE kind IN ('access_granted', 'access_denied')`).Scan(&mails))
	if mails != 3 { // the requester, Sam and Staff, once each
		t.Errorf("%d answer mails, want 3", mails)
	}
}

// TestImpersonationByNonStaffRevealsNoAccount: a customer's user asking to
// enter an account is refused with 403 for their own account only; any
// other account (a sibling customer, another partner, the partner itself)
// is 404 as an unknown one is, so the answer does not tell which tenant
// IDs exist (found by the route × identity matrix, web/route_matrix_test.go).
// Nothing is audited.
func TestImpersonationByNonStaffRevealsNoAccount(t *testing.T) {
	f := newAccessFixture(t)
	for _, who := range []*tenantdesk.User{f.Owner1, f.Admin1, f.Member1} {
		for _, c := range []struct {
			name      string
			accountID int64
			want      string
		}{
			{"own account", f.C1.ID, tenantdesk.EFORBIDDEN},
			{"sibling customer", f.C2.ID, tenantdesk.ENOTFOUND},
			{"the partner", f.Partner.ID, tenantdesk.ENOTFOUND},
			{"another partner", f.OtherPartnerAdmin.AccountID, tenantdesk.ENOTFOUND},
			{"no account", 1 << 40, tenantdesk.ENOTFOUND},
		} {
			if _, err := f.svc.Access.ResolveImpersonation(f.as(who), c.accountID, tenantdesk.ModeSupport); code(err) != c.want {
				t.Errorf("%s resolves %s: %v, want %s", who.DisplayName, c.name, err, c.want)
			}
			if _, err := f.svc.Access.StartImpersonation(f.as(who), c.accountID, tenantdesk.ModeSupport); code(err) != c.want {
				t.Errorf("%s starts %s: %v, want %s", who.DisplayName, c.name, err, c.want)
			}
		}
	}
	if n := f.countQuery(t, `SELECT count(*) FROM audit_log WHERE action LIKE 'access.impersonation%'`); n != 0 {
		t.Errorf("%d impersonation audit entries after refusals", n)
	}
}
