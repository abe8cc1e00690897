package tenantdesk

// AccessLevel is the access an actor has on an account, from none to full
// user management. Services ask for the level an operation needs. (A type
// of its own, so that no other number passes for one.)
type AccessLevel int

// Access levels, in order.
const (
	// AccessNone: the account is invisible to the actor (ENOTFOUND).
	AccessNone AccessLevel = iota
	// AccessMember: a user of the account; sees general information and
	// their own profile.
	AccessMember
	// AccessUserAdmin: manages the account's users (the Owner, holders of
	// user.admin, the partner.admin of the account's partner, the operator).
	AccessUserAdmin
)

// AccessTo returns the actor's access level on acc (R9).
func AccessTo(a *Actor, acc *Account) AccessLevel {
	switch {
	case a == nil || acc == nil:
		return AccessNone
	case a.Operator:
		return AccessUserAdmin
	case a.User == nil || a.Account == nil:
		return AccessNone
	case a.User.AccountID == acc.ID:
		if a.User.IsOwner || (a.User.HasRole(RoleUserAdmin) && a.User.HasRole(RoleCustomerUser)) {
			return AccessUserAdmin
		}
		return AccessMember
	case acc.ParentID != 0 && acc.ParentID == a.User.AccountID && a.User.HasRole(RolePartnerAdmin):
		return AccessUserAdmin
	}
	return AccessNone
}

// Authorize returns nil when the actor in ctx has at least level on acc,
// ENOTFOUND when acc is not theirs to see at all, EFORBIDDEN when it is but
// the level is too low, and EUNAUTHORIZED without an actor.
func Authorize(a *Actor, acc *Account, level AccessLevel) error {
	if a == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	have := AccessTo(a, acc)
	switch {
	case have >= level:
		return nil
	case have == AccessNone:
		return Errorf(ENOTFOUND, "Not found.")
	}
	return &Error{Code: EFORBIDDEN, Key: "error.403.message", Message: "You do not have permission to do this."}
}

// CanEditGeneralInfo reports whether the actor may edit an account's
// general information: the partner of the account and the operator;
// customers see it read-only.
func CanEditGeneralInfo(a *Actor, acc *Account) bool {
	if a == nil || acc == nil {
		return false
	}
	if a.Operator {
		return true
	}
	return a.User != nil && acc.ParentID != 0 && acc.ParentID == a.User.AccountID && a.User.HasRole(RolePartnerAdmin)
}
