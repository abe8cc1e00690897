package tenantdesk

import (
	"slices"
	"testing"
	"time"
)

// TestCheckAPIAccess: who may create and use API tokens (SPEC §2
// onboarding.admin, §1 disabled customers).
func TestCheckAPIAccess(t *testing.T) {
	customer := &Account{Kind: AccountCustomer}
	partner := &Account{Kind: AccountPartner}
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	disabled := &Account{Kind: AccountCustomer, DisabledAt: &at}
	user := func(owner bool, roles ...string) *User {
		return &User{IsOwner: owner, Roles: roles, Status: UserActive}
	}
	for _, c := range []struct {
		name string
		u    *User
		acc  *Account
		code string
	}{
		{"customer user with onboarding.admin", user(false, RoleCustomerUser, RoleOnboardingAdmin), customer, ""},
		{"customer user admin without it", user(false, RoleCustomerUser, RoleUserAdmin), customer, EAPIAccessRequired},
		{"customer user without website access", user(false, RolePBX), customer, EAPIAccessRequired},
		{"the Owner", user(true), customer, ""},
		{"partner staff", user(false, RolePartnerUser), partner, ""},
		{"partner admin", user(false, RolePartnerAdmin), partner, ""},
		{"partner user without a partner role", user(false), partner, EAPIAccessRequired},
		{"disabled account, its Owner", user(true), disabled, EAccountDisabled},
		{"disabled account, onboarding.admin", user(false, RoleCustomerUser, RoleOnboardingAdmin), disabled, EAccountDisabled},
	} {
		if got := ErrorCode(CheckAPIAccess(c.u, c.acc)); got != c.code {
			t.Errorf("%s: %q, want %q", c.name, got, c.code)
		}
	}
}

// TestPatchRoles: addRoles and removeRoles against the held set, and
// their refusals (SPEC §5).
func TestPatchRoles(t *testing.T) {
	held := []string{"customer.user", "customer.user.uc"}
	set := func(keys ...string) *[]string { return &keys }
	for _, c := range []struct {
		name  string
		p     UserPatch
		want  []string
		code  string
		field string
	}{
		{"nothing", UserPatch{}, held, "", ""},
		{"whole set", UserPatch{Roles: set("customer.user")}, []string{"customer.user"}, "", ""},
		{"add", UserPatch{AddRoles: set("user.admin", "user.admin")}, []string{"customer.user", "customer.user.uc", "user.admin"}, "", ""},
		{"add held", UserPatch{AddRoles: set("customer.user")}, held, "", ""},
		{"remove", UserPatch{RemoveRoles: set("customer.user.uc")}, []string{"customer.user"}, "", ""},
		{"remove not held", UserPatch{RemoveRoles: set("user.admin")}, held, "", ""},
		{"add and remove", UserPatch{AddRoles: set("customer.user.crm"), RemoveRoles: set("customer.user.uc")}, []string{"customer.user", "customer.user.crm"}, "", ""},
		{"empty lists", UserPatch{AddRoles: set(), RemoveRoles: set()}, held, "", ""},
		{"roles and addRoles", UserPatch{Roles: set(), AddRoles: set("user.admin")}, nil, EINVALID, "addRoles"},
		{"roles and removeRoles", UserPatch{Roles: set(), RemoveRoles: set()}, nil, EINVALID, "removeRoles"},
		{"both ways", UserPatch{AddRoles: set("user.admin"), RemoveRoles: set("user.admin")}, nil, EINVALID, "removeRoles"},
		{"unknown added", UserPatch{AddRoles: set("customer.wizard")}, nil, EUnknownRole, "addRoles"},
		{"unknown removed", UserPatch{RemoveRoles: set("customer.wizard")}, nil, EUnknownRole, "removeRoles"},
	} {
		got, err := PatchRoles(held, c.p)
		if code := ErrorCode(err); code != c.code {
			t.Errorf("%s: code %q, want %q", c.name, code, c.code)
			continue
		}
		if err != nil {
			if e := AsError(err); len(e.Fields) != 1 || e.Fields[0].Field != c.field {
				t.Errorf("%s: fields %+v, want %s", c.name, e.Fields, c.field)
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if !slices.Equal(held, []string{"customer.user", "customer.user.uc"}) {
		t.Fatalf("held changed: %v", held)
	}
}

// TestParseDownloadLinks: URL or Label=URL, comma-separated; only absolute
// http(s) URLs.
func TestParseDownloadLinks(t *testing.T) {
	got, err := ParseDownloadLinks(" Windows=https://dl.example.com/w.exe , https://dl.example.com/get?os=mac&v=2,,iPhone and iPad = https://apps.example.com/uc ")
	want := []DownloadLink{{"Windows", "https://dl.example.com/w.exe"}, {"", "https://dl.example.com/get?os=mac&v=2"}, {"iPhone and iPad", "https://apps.example.com/uc"}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("%+v %v", got, err)
	}
	if got, err := ParseDownloadLinks(""); err != nil || len(got) != 0 {
		t.Fatalf("empty: %v %v", got, err)
	}
	for _, bad := range []string{"dl.example.com/w.exe", "Windows=ftp://dl.example.com/w.exe", "Windows=", "javascript:alert(1)"} {
		if _, err := ParseDownloadLinks(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if l, err := ParseDownloadLinks(DemoUCDownloadURLs); err != nil || len(l) != 4 {
		t.Fatalf("demo downloads: %v %v", l, err)
	}
}

// TestNormalizeConnectionKnownFields: the documented fields must have
// their types; anything else is kept.
func TestNormalizeConnectionKnownFields(t *testing.T) {
	for in, field := range map[string]string{
		`{"platform":"pbx","host":"h","port":5061,"tls":false,"extra":{"port":"x"}}`: "",
		`{"port":"5061"}`: "connection.port",
		`{"port":0}`:      "connection.port",
		`{"port":5061.5}`: "connection.port",
		`{"host":null}`:   "connection.host",
		`{"platform":1}`:  "connection.platform",
		`{"tls":"true"}`:  "connection.tls",
	} {
		_, fe := NormalizeConnection(in)
		switch {
		case field == "" && fe != nil:
			t.Errorf("%s refused: %v", in, fe.Message)
		case field != "" && (fe == nil || fe.Field != field):
			t.Errorf("%s: %+v, want field %s", in, fe, field)
		}
	}
}
