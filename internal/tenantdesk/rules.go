package tenantdesk

import (
	"sort"
)

// AccountState is what the account-wide rules need to know about an
// account before a change.
type AccountState struct {
	Kind string // AccountPartner or AccountCustomer
	// Admins is the number of enabled users holding both user.admin and
	// customer.user (R3, R4).
	Admins int
	// HasLiveSupervisor reports whether an enabled user holds supervisorl3
	// or higher (R7).
	HasLiveSupervisor bool
	// By is the path the change comes through, for the rules that depend
	// on it (R11). The zero value, ByAdmin, is the strictest.
	By ChangeBy
	// EssentialVariant is the account's essential-user variant
	// (AccountSettings.EssentialVariant; "" is standard): which of
	// customer.user.pbx and customer.user.uc.essential its users may hold,
	// and which one the Real-time and Agent add-ons build on.
	EssentialVariant string
}

// Settings are the settings the rules read from the account.
func (acc AccountState) Settings() AccountSettings {
	return AccountSettings{EssentialVariant: acc.EssentialVariant}
}

// ChangeBy says through which path a change to a user is made.
type ChangeBy int

const (
	// ByAdmin: the Owner, a user admin or a partner admin managing users
	// (the Users tab, the API, imports, onboarding).
	ByAdmin ChangeBy = iota
	// BySelf: the user themselves, through the confirmation link that My
	// profile mails to the new address.
	BySelf
	// ByOperator: the platform operator, through the tenantdesk command line.
	ByOperator
)

// IsUserAdmin reports whether u counts as a user admin for R3/R4: enabled,
// holding user.admin and customer.user. A nil user is not one.
func IsUserAdmin(u *User) bool {
	return u != nil && u.Status != UserDisabled && u.HasRole(RoleUserAdmin) && u.HasRole(RoleCustomerUser)
}

// isLiveSupervisor reports whether u holds a supervisor role of level 3 or more.
func isLiveSupervisor(u *User) bool {
	if u == nil || u.Status == UserDisabled {
		return false
	}
	for _, k := range u.Roles {
		if r := LookupRole(k); r != nil && r.Group == GroupSupervisor && r.Level >= 3 {
			return true
		}
	}
	return false
}

// CheckUserChange is the one rule function (SPEC §2, R1–R8, R11) that every path
// — pages, API, CLI, imports — calls before it stores a change to a user.
// before is the user as stored (nil for a create); after is the user as it
// would be (nil for a delete). It returns the broken rules as an *Error
// whose Code, Message, Key and Args are the first problem's. The input
// checks are all made at once, so a person sees every problem in one go:
// Fields then lists each one — the display name and email (R8) and every
// role-set problem (R6, R1, R2, field "roles") — in that order. The
// account-wide rules (R11, R5, R4, R3) are checked only on valid input and
// report one problem.
// Authorization (R9) and auditing (R10) are the caller's, in the same
// transaction; the automatic roles of R7 come from AutoRoles.
func CheckUserChange(acc AccountState, before, after *User) error {
	if after != nil {
		var fields []FieldError
		if fe := ValidateDisplayName(after.DisplayName); fe != nil {
			fields = append(fields, *fe)
		}
		if fe := ValidateEmail(after.Email); fe != nil {
			fields = append(fields, *fe)
		}
		// R6, the essential-user variant, R1, R2.
		roleErr := AsError(roleSetError(roleSetProblemsIn(after.Roles, acc.Kind == AccountPartner, acc.Settings(), true)))
		if len(fields) > 0 {
			e := &Error{Code: EINVALID, Message: fields[0].Message, Key: fields[0].Key, Args: fields[0].Args, Fields: fields}
			if roleErr != nil {
				e.Fields = append(e.Fields, roleErr.Fields...)
			}
			return e
		}
		if roleErr != nil {
			return roleErr
		}
	}
	// R11: who may change an email.
	if before != nil && after != nil && NormalizeEmail(before.Email) != NormalizeEmail(after.Email) {
		if err := checkEmailChange(acc.By, before); err != nil {
			return err
		}
	}
	// R5: the Owner keeps every permission role, and is never deleted or disabled.
	if before != nil && before.IsOwner {
		switch {
		case after == nil:
			return ownerImmutable("The account Owner cannot be deleted.", "rule.owner_immutable.delete", nil)
		case after.Status == UserDisabled:
			return ownerImmutable("The account Owner cannot be disabled.", "rule.owner_immutable.disable", nil)
		}
		for _, k := range before.Roles {
			if r := LookupRole(k); r != nil && (r.Group == GroupPermission || r.Group == GroupPartner) && !after.HasRole(k) {
				return ownerImmutable("The account Owner's permissions cannot be reduced: role \""+k+"\" must stay.",
					"rule.owner_immutable.role", map[string]any{"Role": k})
			}
		}
	}
	if acc.Kind != AccountCustomer {
		return nil
	}
	// R4: before the account has a user admin, the first change must make one.
	if acc.Admins == 0 && !IsUserAdmin(after) {
		return &Error{Code: EAdminRequiredFirst, Key: "rule.admin_required_first",
			Message: "This account has no user admin yet: the first user created or changed must hold both \"user.admin\" and \"customer.user\"."}
	}
	// R3: never leave the account without a user admin.
	n := acc.Admins
	if IsUserAdmin(before) {
		n--
	}
	if IsUserAdmin(after) {
		n++
	}
	if acc.Admins > 0 && n <= 0 {
		return &Error{Code: ELastUserAdmin, Key: "rule.last_user_admin", Message: "There must be at least one user admin"}
	}
	return nil
}

// checkEmailChange is R11. An email address is how a person signs in and
// resets a password, so whoever changes it could take the account over:
// only the person themselves (confirming from the new address) and the
// platform operator change an activated user's email. An admin may correct
// the address of a user who has not activated yet (a typo in an
// invitation): nobody can have signed in with it.
func checkEmailChange(by ChangeBy, before *User) error {
	switch {
	case by == ByOperator, by == BySelf, AdminMayChangeEmail(before):
		return nil
	case before.IsOwner:
		e := ownerImmutable("Only the account Owner can change the Owner's email address, on My profile.",
			"rule.owner_immutable.email", nil)
		e.Fields = []FieldError{{Field: "email", Key: "rule.owner_immutable.email", Message: e.Message}}
		return e
	default:
		return &Error{Code: EEmailChangeSelfService, Key: "rule.email_change_self_service",
			Args: map[string]any{"Name": before.DisplayName},
			Message: before.DisplayName + " has activated their account, so only they can change their email address: " +
				"on My profile, confirming it from the new address. You can change the email of a user who has not activated yet.",
			Fields: []FieldError{{Field: "email", Key: "rule.email_change_self_service.field",
				Message: "This user has activated their account: only they can change their email address, on My profile."}}}
	}
}

// AdminMayChangeEmail reports whether an admin (not the user, not the
// operator) may change u's email under R11: only while u is an invited
// user who is not the Owner. Pages use it to offer the field at all.
func AdminMayChangeEmail(u *User) bool {
	return u != nil && !u.IsOwner && u.Status == UserInvited
}

func ownerImmutable(msg, key string, args map[string]any) *Error {
	return &Error{Code: EOwnerImmutable, Message: msg, Key: key, Args: args}
}

// NeedsRealtimeRollout reports whether storing after gives the account its
// first live supervisor (supervisorl3 or higher), which rolls the
// real-time add-on out to every holder of customer.user.pbx (R7) in the
// same transaction.
func NeedsRealtimeRollout(acc AccountState, after *User) bool {
	return acc.Kind == AccountCustomer && !acc.HasLiveSupervisor && isLiveSupervisor(after)
}

// CheckRoleSet applies the rules that depend on a role set alone: R6
// (unknown roles, partner roles only in partner accounts), R1
// (prerequisites) and R2 (one supervisor level). It returns nil, or an
// *Error with the first violation's code and message (naming the roles
// involved) whose Fields list every violation, each on field "roles".
// It knows no account: prerequisites are the catalogue's as written, and
// which essential-user role the account uses is CheckUserChange's to check.
func CheckRoleSet(roles []string, partnerAccount bool) error {
	return roleSetError(roleSetProblems(roles, partnerAccount))
}

// roleSetError is CheckRoleSet's answer for a list of problems.
func roleSetError(problems []*Error) error {
	if len(problems) == 0 {
		return nil
	}
	first := problems[0]
	e := &Error{Code: first.Code, Message: first.Message, Key: first.Key, Args: first.Args}
	for _, p := range problems {
		e.Fields = append(e.Fields, FieldError{Field: "roles", Message: p.Message, Key: p.Key, Args: p.Args})
	}
	return e
}

// roleSetProblems lists every violation of R6, R1 and R2 in roles, in that
// order, knowing no account (CheckRoleSet).
func roleSetProblems(roles []string, partnerAccount bool) []*Error {
	return roleSetProblemsIn(roles, partnerAccount, AccountSettings{}, false)
}

// roleSetProblemsIn lists every violation of R6, the essential-user variant
// (when variant is set: a customer account's users never hold the other
// variant's essential-user role), R1 and R2 in roles, in that order, with
// prerequisites as the account's settings read them. Roles already
// reported are left out of the later checks.
func roleSetProblemsIn(roles []string, partnerAccount bool, settings AccountSettings, variant bool) []*Error {
	var out []*Error
	held := make(map[string]bool, len(roles))
	seen := make(map[string]bool, len(roles))
	for _, k := range roles { // in the given order, as before
		if seen[k] {
			continue
		}
		seen[k] = true
		r := LookupRole(k)
		switch {
		case r == nil:
			out = append(out, &Error{Code: EUnknownRole, Message: "Unknown role \"" + k + "\".", Key: "rule.unknown_role", Args: map[string]any{"Role": k}})
		case r.Partner != partnerAccount:
			out = append(out, &Error{Code: EUnknownRole, Message: "Role \"" + k + "\" is not available in this kind of account.",
				Key: "rule.role_wrong_account", Args: map[string]any{"Role": k}})
		case variant && !partnerAccount && settings.Excludes(k):
			out = append(out, essentialMismatch(k, settings))
		default:
			held[k] = true
		}
	}
	valid := make([]string, 0, len(held))
	for _, k := range SortedRoles(roles) {
		if held[k] {
			valid = append(valid, k)
		}
	}
	for _, k := range valid {
		for _, pre := range settings.Prerequisites(k) {
			if !held[pre] {
				out = append(out, &Error{Code: ERolePrerequisiteMissing, Message: "Role \"" + k + "\" requires role \"" + pre + "\".",
					Key: "rule.role_prerequisite_missing", Args: map[string]any{"Role": k, "Prerequisite": pre}})
			}
		}
	}
	var supervisor string
	for _, k := range valid {
		if LookupRole(k).Group == GroupSupervisor {
			if supervisor != "" {
				out = append(out, &Error{Code: ESupervisorRolesExclusive,
					Message: "Supervisor roles are mutually exclusive: \"" + supervisor + "\" and \"" + k + "\" cannot be held together.",
					Key:     "rule.supervisor_roles_exclusive", Args: map[string]any{"Role": supervisor, "Other": k}})
				continue
			}
			supervisor = k
		}
	}
	return out
}

// essentialMismatch is the problem of a role key that is the other
// variant's essential-user role: it names the role, the account's variant
// and the role to use instead.
func essentialMismatch(k string, settings AccountSettings) *Error {
	e := &Error{Code: EEssentialVariantMismatch, Args: map[string]any{"Role": k, "Expected": settings.EssentialRole()}}
	if settings.Variant() == EssentialUK {
		e.Key = "rule.essential_variant_mismatch.uk"
		e.Message = "Role \"" + k + "\" is not used in this account: it uses the UK essential-user variant, whose essential user role is \"" +
			settings.EssentialRole() + "\"."
	} else {
		e.Key = "rule.essential_variant_mismatch.standard"
		e.Message = "Role \"" + k + "\" is not used in this account: it uses the standard essential-user variant, whose essential user role is \"" +
			settings.EssentialRole() + "\"."
	}
	return e
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
