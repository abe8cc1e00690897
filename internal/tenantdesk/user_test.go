package tenantdesk

import (
	"strings"
	"testing"
)

func TestValidateEmail(t *testing.T) {
	for email, ok := range map[string]bool{
		"a@b.example":                true,
		"first.last+tag@example.com": true,
		"":                           false,
		"plain":                      false,
		"a@b":                        false,
		"Name <a@b.example>":         false,
		"a@b.example, c@d.example":   false,
		strings.Repeat("a", 189) + "@example.com": false, // 201 characters
		strings.Repeat("a", 188) + "@example.com": true,  // 200 characters
	} {
		if got := ValidateEmail(email) == nil; got != ok {
			t.Errorf("ValidateEmail(%q) ok = %v, want %v", email, got, ok)
		}
	}
}

func TestValidateDisplayName(t *testing.T) {
	for name, ok := range map[string]bool{
		"Tom":                    true,
		strings.Repeat("я", 100): true,
		strings.Repeat("я", 101): false,
		"":                       false,
		"   ":                    false,
		"bad \xff utf8":          false,
	} {
		if got := ValidateDisplayName(name) == nil; got != ok {
			t.Errorf("ValidateDisplayName(%q) ok = %v, want %v", name, got, ok)
		}
	}
}

func TestCheckRoleSet(t *testing.T) {
	for _, c := range []struct {
		roles   []string
		partner bool
		code    string
	}{
		{[]string{"customer.user", "user.admin"}, false, ""},
		{[]string{"user.admin"}, false, ERolePrerequisiteMissing},
		{[]string{"customer.user", "customer.workspace.admin"}, false, ERolePrerequisiteMissing},
		{[]string{"customer.user", "customer.user.supervisorl1", "customer.user.supervisorl2"}, false, ESupervisorRolesExclusive},
		{[]string{"customer.user", "bogus"}, false, EUnknownRole},
		{[]string{"partner.admin"}, false, EUnknownRole},
		{[]string{"partner.admin", "partner.user"}, true, ""},
		{[]string{"customer.user.pbx.realtime"}, false, ERolePrerequisiteMissing},
	} {
		if got := ErrorCode(CheckRoleSet(c.roles, c.partner)); got != c.code {
			t.Errorf("CheckRoleSet(%v) = %q, want %q", c.roles, got, c.code)
		}
	}
}

func TestCatalogueIsConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Catalogue {
		if seen[r.Key] {
			t.Errorf("duplicate role %s", r.Key)
		}
		seen[r.Key] = true
		for _, p := range r.Pre {
			if LookupRole(p) == nil {
				t.Errorf("%s requires unknown role %s", r.Key, p)
			}
		}
	}
	// The Owner's roles must themselves satisfy the prerequisites.
	if err := CheckRoleSet(CustomerOwnerRoles(), false); err != nil {
		t.Errorf("owner roles: %v", err)
	}
}
