package tenantdesk

import "slices"

// AccessLevel is the access an actor has on an account, from none to full
// user management. Services ask for the level an operation needs. (A type
// of its own, so that no other number passes for one.)
type AccessLevel int

// Access levels, in order.
const (
	// AccessNone: the account is invisible to the actor (ENOTFOUND).
	AccessNone AccessLevel = iota
	// AccessMember: a user of the account; sees general information and
	// their own profile. Also partner staff inside a customer in configure
	// mode.
	AccessMember
	// AccessUserAdmin: manages the account's users (the Owner, holders of
	// user.admin, the partner.admin of the account's partner while the
	// legacy rule holds, partner staff in support mode, the operator).
	AccessUserAdmin
)

// AccessTo returns the actor's access level on acc (R9, SPEC §4).
//
// Partner staff reach a customer account in one of two ways. Legacy: the
// partner.admin of its partner is a user admin there until the customer
// grants its first access request (onboarding needs it). Granted: a
// partner user named in a live grant acts with the roles of the grant's
// modes: on pages through an impersonation (one mode, bound to the
// session), through the API with the union of the modes. While
// impersonating, the actor reaches nothing else but their own account as
// a member (their profile).
func AccessTo(a *Actor, acc *Account) AccessLevel {
	switch {
	case a == nil || acc == nil:
		return AccessNone
	case a.Operator:
		return AccessUserAdmin
	case a.User == nil || a.Account == nil:
		return AccessNone
	}
	if roles, ok := a.modeRoles(acc); ok {
		if slices.Contains(roles, RoleUserAdmin) {
			return AccessUserAdmin
		}
		return AccessMember
	}
	switch {
	case a.User.AccountID == acc.ID:
		if a.Impersonating() {
			return AccessMember
		}
		if a.User.IsOwner || (a.User.HasRole(RoleUserAdmin) && a.User.HasRole(RoleCustomerUser)) {
			return AccessUserAdmin
		}
		return AccessMember
	case a.Impersonating():
		return AccessNone
	case legacyPartnerAdmin(a, acc):
		return AccessUserAdmin
	}
	return AccessNone
}

// legacyPartnerAdmin reports whether the actor is the partner.admin of
// acc's partner and acc has never granted an access request (SPEC §4).
func legacyPartnerAdmin(a *Actor, acc *Account) bool {
	return a.User != nil && acc.ParentID != 0 && acc.ParentID == a.User.AccountID &&
		a.User.HasRole(RolePartnerAdmin) && acc.LegacyPartnerAccess()
}

// ActingRoles are the roles the actor acts with in acc: their own in their
// own account, a mode's through a grant, none otherwise (legacy partner
// access and the operator are levels, not roles). owner reports whether
// they act as acc's Owner.
func ActingRoles(a *Actor, acc *Account) (roles []string, owner bool) {
	if a == nil || a.User == nil || acc == nil {
		return nil, false
	}
	if r, ok := a.modeRoles(acc); ok {
		return r, false
	}
	if a.User.AccountID == acc.ID {
		return a.User.Roles, a.User.IsOwner
	}
	return nil, false
}

// Authorize returns nil when the actor in ctx has at least level on acc,
// ENOTFOUND when acc is not theirs to see at all, EFORBIDDEN when it is but
// the level is too low, EAccessRequestRequired for partner staff at a
// customer of theirs that lets in named staff only, and EUNAUTHORIZED
// without an actor.
func Authorize(a *Actor, acc *Account, level AccessLevel) error {
	if a == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	have := AccessTo(a, acc)
	var err *Error
	switch {
	case have >= level:
		return nil
	case have == AccessNone && IsPartnerStaffOf(a, acc) && !a.Impersonating():
		err = ErrAccessRequestRequired(acc)
	case have == AccessNone:
		err = Errorf(ENOTFOUND, "Not found.")
	default:
		err = forbidden()
	}
	err.Denied = true
	return err
}

// ErrAccessRequestRequired is the answer to partner staff without a live
// grant at a customer of theirs (403): the customer lets in named staff only.
func ErrAccessRequestRequired(acc *Account) *Error {
	return &Error{Code: EAccessRequestRequired, Key: "access.error.request_required", Args: map[string]any{"Account": acc.Name},
		Message: acc.Name + " lets in partner staff only through a granted access request. Ask for access with an access request."}
}

// CanEditGeneralInfo reports whether the actor may edit an account's
// general information: the partner.admin of the account's partner (its
// record of the customer, not an entry into the account: no access request
// needed) and the operator; customers see it read-only.
func CanEditGeneralInfo(a *Actor, acc *Account) bool {
	if a == nil || acc == nil {
		return false
	}
	if a.Operator {
		return true
	}
	return a.User != nil && !a.Impersonating() && acc.ParentID != 0 && acc.ParentID == a.User.AccountID && a.User.HasRole(RolePartnerAdmin)
}

// CanRespond reports whether the actor may answer acc's access requests:
// its Owner, its user admins and holders of access.respond, as themselves
// (never partner staff, impersonating or not: nobody grants themselves in).
func CanRespond(a *Actor, acc *Account) bool {
	if a == nil || acc == nil || acc.Kind != AccountCustomer || a.Impersonating() || a.User == nil || a.User.AccountID != acc.ID {
		return false
	}
	u := a.User
	return u.IsOwner || (u.HasRole(RoleUserAdmin) && u.HasRole(RoleCustomerUser)) || u.HasRole(RoleAccessRespond)
}
