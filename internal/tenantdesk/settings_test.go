package tenantdesk

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWhoEditsSettings is issue 12's rule for the Settings tab: the Owner,
// whoever acts with customer.settings (its holders, configure-mode
// impersonators, API grants of configure), the partner.admin while the
// legacy rule holds (as themselves) and the operator edit; every member and
// the partner's staff read; everyone else does not see them.
func TestWhoEditsSettings(t *testing.T) {
	partner := &Account{ID: 1, Kind: AccountPartner, Name: "Classics, Inc."}
	legacy := &Account{ID: 2, Kind: AccountCustomer, ParentID: 1, Name: "Hundred Acre"}
	granted := &Account{ID: 3, Kind: AccountCustomer, ParentID: 1, Name: "Tom Sawyer", FirstGrantAt: &time.Time{}}
	foreign := &Account{ID: 4, Kind: AccountCustomer, ParentID: 9, Name: "Elsewhere"}
	staff := func(roles ...string) *Actor {
		return &Actor{User: &User{ID: 7, AccountID: 1, Roles: roles}, Account: partner}
	}
	member := func(acc *Account, owner bool, roles ...string) *Actor {
		return &Actor{User: &User{ID: 8, AccountID: acc.ID, Roles: roles, IsOwner: owner, Status: UserActive}, Account: acc}
	}
	impersonating := func(a *Actor, m AccessMode, acc *Account) *Actor {
		a.Impersonation = &Impersonation{Mode: m, Account: acc}
		return a
	}
	apiGrant := staff(RolePartnerUser)
	apiGrant.Grants = []Grant{{AccountID: granted.ID, Modes: []AccessMode{ModeConfigure}}}
	apiSupport := staff(RolePartnerUser)
	apiSupport.Grants = []Grant{{AccountID: granted.ID, Modes: []AccessMode{ModeSupport}}}
	for _, c := range []struct {
		name       string
		a          *Actor
		acc        *Account
		read, edit bool
		code       string // of AuthorizeSettingsEdit
	}{
		{"Owner", member(granted, true, CustomerOwnerRoles()...), granted, true, true, ""},
		{"customer.settings holder", member(granted, false, RoleCustomerUser, RoleSettings), granted, true, true, ""},
		{"plain member", member(granted, false, RoleCustomerUser), granted, true, false, EFORBIDDEN},
		{"user admin without customer.settings", member(granted, false, RoleCustomerUser, RoleUserAdmin), granted, true, false, EFORBIDDEN},
		{"legacy partner admin", staff(RolePartnerAdmin), legacy, true, true, ""},
		{"partner admin after the first grant", staff(RolePartnerAdmin), granted, true, false, EAccessRequestRequired},
		{"partner user, legacy customer", staff(RolePartnerUser), legacy, true, false, EFORBIDDEN},
		{"partner user after the first grant", staff(RolePartnerUser), granted, true, false, EAccessRequestRequired},
		{"configure-mode impersonator", impersonating(staff(RolePartnerUser), ModeConfigure, granted), granted, true, true, ""},
		{"support-mode impersonator", impersonating(staff(RolePartnerUser), ModeSupport, granted), granted, true, false, EFORBIDDEN},
		{"legacy partner admin impersonating in support mode", impersonating(staff(RolePartnerAdmin), ModeSupport, legacy), legacy, true, false, EFORBIDDEN},
		{"legacy partner admin impersonating in configure mode", impersonating(staff(RolePartnerAdmin), ModeConfigure, legacy), legacy, true, true, ""},
		{"impersonator at another customer", impersonating(staff(RolePartnerAdmin), ModeConfigure, granted), legacy, false, false, ENOTFOUND},
		{"API grant of configure", apiGrant, granted, true, true, ""},
		{"API grant of support", apiSupport, granted, true, false, EFORBIDDEN},
		{"another partner's customer", staff(RolePartnerAdmin), foreign, false, false, ENOTFOUND},
		{"a customer's Owner elsewhere", member(legacy, true, CustomerOwnerRoles()...), granted, false, false, ENOTFOUND},
		{"a partner account has no settings", member(partner, true, PartnerOwnerRoles...), partner, false, false, ENOTFOUND},
		{"operator", &Actor{Operator: true}, granted, true, true, ""},
		{"nobody", nil, granted, false, false, EUNAUTHORIZED},
	} {
		if got := CanReadSettings(c.a, c.acc); got != c.read {
			t.Errorf("%s: read %v, want %v", c.name, got, c.read)
		}
		if got := CanEditSettings(c.a, c.acc); got != c.edit {
			t.Errorf("%s: edit %v, want %v", c.name, got, c.edit)
		}
		if got := ErrorCode(AuthorizeSettingsEdit(c.a, c.acc)); got != c.code {
			t.Errorf("%s: authorize %q, want %q", c.name, got, c.code)
		}
	}
}

func TestValidateAccountSettings(t *testing.T) {
	for _, c := range []struct {
		in     AccountSettings
		want   AccountSettings
		fields []string
	}{
		{AccountSettings{}, AccountSettings{EssentialVariant: EssentialStandard}, nil},
		{AccountSettings{DefaultLanguage: "ru", DefaultTimeZone: " Europe/London ", AutoAssignACD: true, EssentialVariant: "uk"},
			AccountSettings{DefaultLanguage: "ru", DefaultTimeZone: "Europe/London", AutoAssignACD: true, EssentialVariant: "uk"}, nil},
		{AccountSettings{DefaultTimeZone: "UTC"}, AccountSettings{EssentialVariant: EssentialStandard}, nil},
		{AccountSettings{DefaultLanguage: "es", DefaultTimeZone: "Mars/Olympus", EssentialVariant: "us"}, AccountSettings{},
			[]string{"defaultLanguage", "defaultTimeZone", "essentialVariant"}},
		{AccountSettings{DefaultLanguage: "EN"}, AccountSettings{}, []string{"defaultLanguage"}},
		{AccountSettings{DefaultTimeZone: "../../etc/passwd"}, AccountSettings{}, []string{"defaultTimeZone"}},
	} {
		got, err := ValidateAccountSettings(c.in)
		var fields []string
		if err != nil {
			if err.Code != EINVALID || err.Key == "" || err.Message != err.Fields[0].Message {
				t.Errorf("%+v: error %+v", c.in, err)
			}
			for _, f := range err.Fields {
				fields = append(fields, f.Field)
				if f.Key == "" || f.Message == "" {
					t.Errorf("%+v: field %+v has no message", c.in, f)
				}
			}
		} else if got != c.want {
			t.Errorf("%+v: normalized %+v, want %+v", c.in, got, c.want)
		}
		if !slices.Equal(fields, c.fields) {
			t.Errorf("%+v: fields %v, want %v", c.in, fields, c.fields)
		}
	}
}

func TestEssentialVariantHelpers(t *testing.T) {
	uk, std := AccountSettings{EssentialVariant: EssentialUK}, AccountSettings{}
	if uk.EssentialRole() != RoleUCEssential || std.EssentialRole() != RolePBX || std.Variant() != EssentialStandard {
		t.Error("essential roles")
	}
	if !uk.Excludes(RolePBX) || uk.Excludes(RoleUCEssential) || !std.Excludes(RoleUCEssential) || std.Excludes(RolePBX) {
		t.Error("excludes")
	}
	if got := uk.Prerequisites(RolePBXRealtime); !slices.Equal(got, []string{RoleUCEssential}) {
		t.Errorf("UK real-time needs %v", got)
	}
	if got := std.Prerequisites("customer.user.acd"); !slices.Equal(got, []string{RolePBX}) {
		t.Errorf("standard agent needs %v", got)
	}
	out, changed := uk.ConvertEssentialRole([]string{RoleCustomerUser, RolePBX, RolePBXRealtime})
	if !changed || strings.Join(out, ",") != "customer.user,customer.user.pbx.realtime,customer.user.uc.essential" {
		t.Errorf("convert to UK: %v %v", out, changed)
	}
	if _, changed := std.ConvertEssentialRole([]string{RolePBX}); changed {
		t.Error("a standard holder converted to standard")
	}
	// The converted set passes the rules of the new variant.
	if err := CheckUserChange(ukAcc(2), usr(RolePBX, RolePBXRealtime), usr(out...)); err != nil {
		t.Errorf("converted roles refused: %v", err)
	}
	if r := LookupRole(RoleUCEssential); r == nil || !r.Licensed || r.Group != GroupUserAccess || len(r.Pre) != 0 || r.Partner {
		t.Errorf("catalogue entry %+v", r)
	}
}

// TestWhoEditsSecurity: the Owner and the operator; in an account without
// an Owner, its own user admins as themselves (SPEC §1), never partner staff.
func TestWhoEditsSecurity(t *testing.T) {
	acc := &Account{ID: 3, Kind: AccountCustomer, ParentID: 1}
	partner := &Account{ID: 1, Kind: AccountPartner}
	user := func(owner bool, status string, roles ...string) *Actor {
		return &Actor{User: &User{ID: 8, AccountID: acc.ID, IsOwner: owner, Status: status, Roles: roles}, Account: acc}
	}
	admin := user(false, UserActive, RoleUserAdmin, RoleCustomerUser)
	support := &Actor{User: &User{ID: 9, AccountID: 1, Roles: []string{RolePartnerAdmin}}, Account: partner,
		Impersonation: &Impersonation{Mode: ModeSupport, Account: acc}}
	legacy := &Actor{User: &User{ID: 9, AccountID: 1, Roles: []string{RolePartnerAdmin}}, Account: partner}
	for _, c := range []struct {
		name      string
		a         *Actor
		withOwner bool
		ownerless bool
	}{
		{"Owner", user(true, UserActive, CustomerOwnerRoles()...), true, true},
		{"user admin", admin, false, true},
		{"user admin without customer.user", user(false, UserActive, RoleUserAdmin), false, false},
		{"member", user(false, UserActive, RoleCustomerUser), false, false},
		{"settings holder", user(false, UserActive, RoleCustomerUser, RoleSettings), false, false},
		{"support-mode impersonator", support, false, false},
		{"legacy partner admin", legacy, false, false},
		{"operator", &Actor{Operator: true}, true, true},
		{"nobody", nil, false, false},
	} {
		if got := CanEditSecurity(c.a, acc, true); got != c.withOwner {
			t.Errorf("%s with an Owner: %v", c.name, got)
		}
		if got := CanEditSecurity(c.a, acc, false); got != c.ownerless {
			t.Errorf("%s without an Owner: %v", c.name, got)
		}
	}
}
