package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// ukSettings are valid settings of the UK variant.
var ukSettings = tenantdesk.AccountSettings{DefaultLanguage: "ru", DefaultTimeZone: "Europe/London", AutoAssignACD: true, EssentialVariant: "uk"}

// settingsHolder adds to C1 a member holding customer.settings.
func settingsHolder(t *testing.T, f *fixture) *tenantdesk.User {
	t.Helper()
	u := &tenantdesk.User{AccountID: f.C1.ID, DisplayName: "Sid", Email: "sid@c1.example", Roles: []string{"customer.user", "customer.settings"}}
	must(t, servicetest.NewOps(t, f.db).CreateUser(context.Background(), u))
	return u
}

// TestSettingsWhoMayChangeThem: the Owner, holders of customer.settings,
// the legacy partner admin and configure-mode impersonators change a
// customer's settings; members and user admins read them only; support
// mode and the partner's staff past the legacy rule are refused; other
// accounts' people do not see them at all.
func TestSettingsWhoMayChangeThem(t *testing.T) {
	f := newAccessFixture(t)
	sid := settingsHolder(t, f.fixture)
	for _, c := range []struct {
		name       string
		ctx        context.Context
		edit       bool
		updateCode string
		readCode   string
	}{
		{"Owner", f.as(f.Owner1), true, "", ""},
		{"customer.settings holder", f.as(sid), true, "", ""},
		{"legacy partner admin", f.as(f.PartnerOwner), true, "", ""},
		{"member", f.as(f.Member1), false, tenantdesk.EFORBIDDEN, ""},
		{"user admin", f.as(f.Admin1), false, tenantdesk.EFORBIDDEN, ""},
		{"partner user", f.as(f.PartnerUser), false, tenantdesk.EFORBIDDEN, ""},
		{"another customer's Owner", f.as(f.Owner2), false, tenantdesk.ENOTFOUND, tenantdesk.ENOTFOUND},
		{"another partner", f.as(f.OtherPartnerAdmin), false, tenantdesk.ENOTFOUND, tenantdesk.ENOTFOUND},
	} {
		page, err := f.svc.Settings.AccountSettings(c.ctx, f.C1.ID)
		if code(err) != c.readCode {
			t.Errorf("%s: read %v, want %q", c.name, err, c.readCode)
		} else if err == nil && page.CanEdit != c.edit {
			t.Errorf("%s: CanEdit %v, want %v", c.name, page.CanEdit, c.edit)
		}
		_, err = f.svc.Settings.UpdateAccountSettings(c.ctx, f.C1.ID, tenantdesk.AccountSettings{AutoAssignACD: true})
		if code(err) != c.updateCode {
			t.Errorf("%s: update %v, want %q", c.name, err, c.updateCode)
		}
	}
	// A partner account has no customer settings.
	if _, err := f.svc.Settings.AccountSettings(f.as(f.PartnerOwner), f.Partner.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("partner account: %v", err)
	}

	// After C1's first grant: the partner admin must ask; the granted staff
	// member changes them in configure mode, not in support mode.
	c1, _ := f.seed002(t)
	_, err := f.svc.Access.Grant(f.as(f.Owner1), c1.ID, tenantdesk.AccessAnswer{})
	must(t, err)
	if _, err := f.svc.Settings.UpdateAccountSettings(f.as(f.PartnerOwner), f.C1.ID, tenantdesk.AccountSettings{}); code(err) != tenantdesk.EAccessRequestRequired {
		t.Errorf("partner admin after the first grant: %v", err)
	}
	if _, err := f.svc.Settings.UpdateAccountSettings(f.impersonating(t, f.PartnerUser, f.C1, tenantdesk.ModeSupport), f.C1.ID, tenantdesk.AccountSettings{}); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("support mode: %v", err)
	}
	ctx := f.impersonating(t, f.PartnerUser, f.C1, tenantdesk.ModeConfigure)
	if _, err := f.svc.Settings.UpdateAccountSettings(ctx, f.C1.ID, tenantdesk.AccountSettings{DefaultLanguage: "de"}); err != nil {
		t.Fatalf("configure mode: %v", err)
	}
	// Audited in both accounts, naming the partner's staff member.
	for _, acc := range []int64{f.C1.ID, f.Partner.ID} {
		if n := auditCount(t, f.db, acc, tenantdesk.AuditSettingsUpdate, `"defaultLanguage":"de"`); n != 1 {
			t.Errorf("account %d: %d settings entries of the impersonator", acc, n)
		}
	}
}

// TestSettingsValidationAndAudit: bad input is refused field by field and
// writes nothing; a change is stored and audited with what changed; saving
// the same again writes no entry.
func TestSettingsValidationAndAudit(t *testing.T) {
	f := newFixture(t)
	owner := f.as(f.Owner1)
	_, err := f.svc.Settings.UpdateAccountSettings(owner, f.C1.ID, tenantdesk.AccountSettings{DefaultLanguage: "xx", DefaultTimeZone: "Nowhere/City", EssentialVariant: "us"})
	e := tenantdesk.AsError(err)
	if e == nil || e.Code != tenantdesk.EINVALID || len(e.Fields) != 3 {
		t.Fatalf("invalid input: %v", err)
	}
	if n := auditCount(t, f.db, f.C1.ID, tenantdesk.AuditSettingsUpdate, ""); n != 0 {
		t.Errorf("%d entries after a refused change", n)
	}
	ch, err := f.svc.Settings.UpdateAccountSettings(owner, f.C1.ID, tenantdesk.AccountSettings{DefaultLanguage: "fr", DefaultTimeZone: "UTC", AutoAssignACD: true})
	must(t, err)
	if s := ch.Account.Settings; s.DefaultLanguage != "fr" || s.DefaultTimeZone != "" || !s.AutoAssignACD || s.EssentialVariant != "standard" {
		t.Errorf("stored %+v", s)
	}
	acc, err := f.db.FindAccountByID(context.Background(), f.C1.ID) // the read cache sees the write at once
	must(t, err)
	if acc.Settings != ch.Account.Settings {
		t.Errorf("read back %+v, want %+v", acc.Settings, ch.Account.Settings)
	}
	if n := auditCount(t, f.db, f.C1.ID, tenantdesk.AuditSettingsUpdate, `"autoAssignAcd":true`); n != 1 {
		t.Errorf("%d entries of the change", n)
	}
	_, err = f.svc.Settings.UpdateAccountSettings(owner, f.C1.ID, tenantdesk.AccountSettings{DefaultLanguage: "fr", AutoAssignACD: true, EssentialVariant: "standard"})
	must(t, err)
	if n := auditCount(t, f.db, f.C1.ID, tenantdesk.AuditSettingsUpdate, ""); n != 1 {
		t.Errorf("%d entries after saving the same settings", n)
	}
}

// TestNewUsersGetTheAccountDefaults: a user created on any path starts
// with the account's default language and time zone unless given their
// own; users already there keep theirs.
func TestNewUsersGetTheAccountDefaults(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.Settings.UpdateAccountSettings(f.as(f.Owner1), f.C1.ID, tenantdesk.AccountSettings{DefaultLanguage: "pt", DefaultTimeZone: "America/Sao_Paulo"})
	must(t, err)
	ch, err := f.users.InviteUser(f.as(f.Admin1), f.C1.ID, tenantdesk.NewUser{DisplayName: "Nina", Email: "nina@c1.example", Roles: []string{"customer.user"}})
	must(t, err)
	got, err := f.db.FindUserByID(context.Background(), ch.User.ID)
	must(t, err)
	if got.Language != "pt" || got.TimeZone != "America/Sao_Paulo" {
		t.Errorf("invited user: %q %q", got.Language, got.TimeZone)
	}
	own := &tenantdesk.User{AccountID: f.C1.ID, DisplayName: "Otis", Email: "otis@c1.example", Language: "ru", TimeZone: "Europe/Moscow"}
	must(t, servicetest.NewOps(t, f.db).CreateUser(context.Background(), own))
	if got, _ := f.db.FindUserByID(context.Background(), own.ID); got.Language != "ru" || got.TimeZone != "Europe/Moscow" {
		t.Errorf("a user's own preferences: %q %q", got.Language, got.TimeZone)
	}
	if got, _ := f.db.FindUserByID(context.Background(), f.Member1.ID); got.Language != "" || got.TimeZone != "" {
		t.Errorf("an existing user changed: %q %q", got.Language, got.TimeZone)
	}
	// Another account's new users are untouched.
	other := &tenantdesk.User{AccountID: f.C2.ID, DisplayName: "Cleo", Email: "cleo@c2.example"}
	must(t, servicetest.NewOps(t, f.db).CreateUser(context.Background(), other))
	if got, _ := f.db.FindUserByID(context.Background(), other.ID); got.Language != "" || got.TimeZone != "" {
		t.Errorf("C2's user got C1's defaults: %q %q", got.Language, got.TimeZone)
	}
}

// TestEssentialVariantUK: switching C1 to the UK variant converts the
// holders of customer.user.pbx (add-ons kept, each change audited as
// licensed); from then on pbx is refused (422) and uc.essential accepted,
// the real-time roll-out (R7) reaches uc.essential holders; switching back
// converts them again.
func TestEssentialVariantUK(t *testing.T) {
	f := newFixture(t)
	admin := f.as(f.Admin1)
	ann, err := f.users.InviteUser(admin, f.C1.ID, tenantdesk.NewUser{DisplayName: "Ann", Email: "ann@c1.example", Roles: []string{"customer.user", "customer.user.pbx", "customer.user.acd"}})
	must(t, err)
	bob, err := f.users.InviteUser(admin, f.C1.ID, tenantdesk.NewUser{DisplayName: "Bob", Email: "bob@c1.example", Roles: []string{"customer.user.pbx"}})
	must(t, err)
	// The Owner holds pbx too: the conversion reaches them, whoever switches.
	roles := append(slices.Clone(f.Owner1.Roles), "customer.user.pbx")
	_, err = f.users.UpdateUser(admin, f.C1.ID, f.Owner1.ID, tenantdesk.UserPatch{Roles: &roles})
	must(t, err)

	page, err := f.svc.Settings.AccountSettings(f.as(f.Owner1), f.C1.ID)
	must(t, err)
	if page.EssentialHolders != 3 {
		t.Errorf("%d essential users, want 3", page.EssentialHolders)
	}
	ch, err := f.svc.Settings.UpdateAccountSettings(f.as(f.PartnerOwner), f.C1.ID, ukSettings) // the legacy partner admin
	must(t, err)
	if ch.Converted != 3 || ch.Account.Settings.EssentialRole() != tenantdesk.RoleUCEssential {
		t.Fatalf("converted %d, settings %+v", ch.Converted, ch.Account.Settings)
	}
	for id, want := range map[int64]string{
		ann.User.ID:      "customer.user,customer.user.acd,customer.user.uc.essential",
		bob.User.ID:      "customer.user.uc.essential",
		f.Owner1.ID:      "customer.user.uc.essential",
		f.Member1.ID:     "customer.user",
		f.Admin1.ID:      "customer.user,user.admin",
		f.PartnerUser.ID: "partner.user",
	} {
		u, err := f.db.FindUserByID(context.Background(), id)
		must(t, err)
		got := strings.Join(u.Roles, ",")
		if id == f.Owner1.ID {
			if !u.HasRole(tenantdesk.RoleUCEssential) || u.HasRole(tenantdesk.RolePBX) || !u.IsOwner {
				t.Errorf("Owner after the conversion: %s", got)
			}
			continue
		}
		if got != want {
			t.Errorf("%s: roles %s, want %s", u.DisplayName, got, want)
		}
	}
	if n := auditCount(t, f.db, f.C1.ID, tenantdesk.AuditUserUpdate, `"customer.user.uc.essential"`); n != 3 {
		t.Errorf("%d conversion entries, want 3", n)
	}
	if n := auditCount(t, f.db, f.C1.ID, tenantdesk.AuditSettingsUpdate, `"convertedUsers":3`); n != 1 {
		t.Errorf("%d settings entries naming the conversion", n)
	}
	var licensed int
	must(t, rawConn(t, f.path).QueryRow(`SELECT count(*) FROM audit_log WHERE account_id = ? AND action = 'user.update' AND licensed = 1
		AND after_json LIKE '%uc.essential%'`, f.C1.ID).Scan(&licensed))
	if licensed != 3 {
		t.Errorf("%d licensed conversion entries", licensed)
	}

	// The rules of the UK variant, on every path.
	_, err = f.users.InviteUser(admin, f.C1.ID, tenantdesk.NewUser{DisplayName: "Cat", Email: "cat@c1.example", Roles: []string{"customer.user.pbx"}})
	if e := tenantdesk.AsError(err); e == nil || e.Code != tenantdesk.EEssentialVariantMismatch || !strings.Contains(e.Message, "customer.user.uc.essential") {
		t.Fatalf("pbx in a UK account: %v", err)
	}
	dan, err := f.users.InviteUser(admin, f.C1.ID, tenantdesk.NewUser{DisplayName: "Dan", Email: "dan@c1.example", Roles: []string{"customer.user.uc.essential", "customer.user.pbx.realtime"}})
	must(t, err)
	// The first live supervisor rolls the real-time add-on out to the UK essential users.
	sup := []string{"customer.user", "customer.user.supervisorl3"}
	ch2, err := f.users.UpdateUser(admin, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{Roles: &sup})
	must(t, err)
	var got []string
	for _, a := range ch2.AutoAssigned {
		got = append(got, a.DisplayName)
	}
	slices.Sort(got)
	if strings.Join(got, ",") != "Ann,Bob,Olive" {
		t.Errorf("real-time rolled out to %v (Dan had it already)", got)
	}
	_ = dan

	// Back to standard: converted again, add-ons kept.
	ch, err = f.svc.Settings.UpdateAccountSettings(f.as(f.Owner1), f.C1.ID, tenantdesk.AccountSettings{EssentialVariant: "standard"})
	must(t, err)
	if ch.Converted != 4 {
		t.Errorf("converted back %d, want 4", ch.Converted)
	}
	u, _ := f.db.FindUserByID(context.Background(), ann.User.ID)
	if strings.Join(u.Roles, ",") != "customer.user,customer.user.acd,customer.user.pbx,customer.user.pbx.realtime" {
		t.Errorf("Ann back in standard: %v", u.Roles)
	}
	uc := []string{"customer.user.uc.essential"}
	if _, err := f.users.UpdateUser(admin, f.C1.ID, bob.User.ID, tenantdesk.UserPatch{Roles: &uc}); code(err) != tenantdesk.EEssentialVariantMismatch {
		t.Errorf("uc.essential in a standard account: %v", err)
	}
}

// TestSecurityInAnOwnerlessAccount: in an account without an Owner its
// user admins change the Security tab (SPEC §1); members and partner staff
// do not; with an Owner, only the Owner.
func TestSecurityInAnOwnerlessAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ops := servicetest.NewOps(t, f.db)
	c3 := &tenantdesk.Account{Name: "C3", ParentID: f.Partner.ID}
	must(t, ops.CreateCustomer(ctx, c3, nil))
	admin := &tenantdesk.User{AccountID: c3.ID, DisplayName: "Abe", Email: "abe@c3.example", Roles: []string{"customer.user", "user.admin"}}
	must(t, ops.CreateUser(ctx, admin))
	member := &tenantdesk.User{AccountID: c3.ID, DisplayName: "Meg", Email: "meg@c3.example", Roles: []string{"customer.user", "customer.settings"}}
	must(t, ops.CreateUser(ctx, member))
	set := func(u *tenantdesk.User, acc *tenantdesk.Account) error {
		_, err := f.svc.Security.SetAccountSecurity(f.as(u), tenantdesk.AccountSecurity{AccountID: acc.ID, Require2FA: true, TokenMaxLifetimeDays: 30})
		return err
	}
	for _, c := range []struct {
		name string
		u    *tenantdesk.User
		acc  *tenantdesk.Account
		code string
	}{
		{"ownerless: user admin", admin, c3, ""},
		{"ownerless: member", member, c3, tenantdesk.EFORBIDDEN},
		{"ownerless: legacy partner admin", f.PartnerOwner, c3, tenantdesk.EFORBIDDEN},
		{"with an Owner: user admin", f.Admin1, f.C1, tenantdesk.EFORBIDDEN},
		{"with an Owner: the Owner", f.Owner1, f.C1, ""},
	} {
		if err := set(c.u, c.acc); code(err) != c.code {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
		can, ownerless, err := f.svc.Security.CanChangeSecurity(f.as(c.u), c.acc.ID)
		if err != nil || can != (c.code == "") || ownerless != (c.acc == c3) {
			t.Errorf("%s: CanChangeSecurity %v %v %v", c.name, can, ownerless, err)
		}
	}
	if n := auditCount(t, f.db, c3.ID, "account.security_update", `"require2fa":true`); n != 1 {
		t.Errorf("%d security entries in C3", n)
	}
	if e := tenantdesk.AsError(set(member, c3)); e == nil || e.Key != "settings.security.error.admins_only" {
		t.Errorf("the member is told who may: %+v", e)
	}
}
