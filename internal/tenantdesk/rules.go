package tenantdesk

import (
	"sort"
)

// CheckRoleSet applies the rules that depend on a role set alone: R6
// (unknown roles), partner roles only in partner accounts, R1
// (prerequisites) and R2 (one supervisor level). It returns the first
// violation as an *Error with the rule's code, naming the roles involved.
// The account-wide rules (R3, R4, R5, R7) build on it.
func CheckRoleSet(roles []string, partnerAccount bool) error {
	held := make(map[string]bool, len(roles))
	for _, k := range roles {
		r := LookupRole(k)
		if r == nil {
			return Errorf(EUnknownRole, "Unknown role %q.", k)
		}
		if r.Partner != partnerAccount {
			if partnerAccount {
				return Errorf(EUnknownRole, "Role %q is not available in a partner account.", k)
			}
			return Errorf(EUnknownRole, "Role %q is only available in a partner account.", k)
		}
		held[k] = true
	}
	for _, k := range SortedRoles(roles) {
		for _, pre := range LookupRole(k).Pre {
			if !held[pre] {
				return Errorf(ERolePrerequisiteMissing, "Role %q requires role %q.", k, pre)
			}
		}
	}
	var supervisor string
	for _, k := range SortedRoles(roles) {
		if LookupRole(k).Group == GroupSupervisor {
			if supervisor != "" {
				return Errorf(ESupervisorRolesExclusive, "Supervisor roles are mutually exclusive: %q and %q cannot be held together.", supervisor, k)
			}
			supervisor = k
		}
	}
	return nil
}

// SortedRoles returns a sorted copy of roles without duplicates.
func SortedRoles(roles []string) []string {
	out := make([]string, 0, len(roles))
	seen := make(map[string]bool, len(roles))
	for _, r := range roles {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
