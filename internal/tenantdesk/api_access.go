package tenantdesk

// Who may hold and use an API token (SPEC §2 "onboarding.admin", §1
// "Customer status"): one function for the tokens service, which asks it
// when a token is made and on every request a token authenticates.

// RoleOnboardingAdmin is "REST API administrator": in a customer account,
// only its holders (and the Owner, who holds every permission role) create
// and use API tokens.
const RoleOnboardingAdmin = "onboarding.admin"

// CheckAPIAccess reports whether u, of account acc, may create and use API
// tokens now. It returns EAccountDisabled when acc is disabled, and
// EAPIAccessRequired when u may not sign in (website access removed) or is
// a user of a customer account without onboarding.admin; nil when u may.
// Partner staff need no role beyond signing in; the Owner always may.
// (A disabled user is the caller's to refuse: their tokens answer 401.)
func CheckAPIAccess(u *User, acc *Account) error {
	switch {
	case acc != nil && acc.Disabled():
		return &Error{Code: EAccountDisabled, Key: "token.error.account_disabled",
			Message: "This account is disabled, so its API tokens are refused. Nothing was deleted: they work again when the account is enabled."}
	case !u.CanSignIn():
		return &Error{Code: EAPIAccessRequired, Key: "token.error.no_website_access",
			Message: "This token's user no longer has website access, so the token is refused. Ask an administrator of the account to give the access back."}
	case !NeedsAPIRole(u, acc) || u.HasRole(RoleOnboardingAdmin):
		return nil
	}
	return &Error{Code: EAPIAccessRequired, Key: "token.error.api_role_required",
		Message: "API tokens need the role \"REST API administrator\" (onboarding.admin). Ask an administrator of the account to give it to this user; their existing tokens are refused until then."}
}

// NeedsAPIRole reports whether u must hold onboarding.admin to use API
// tokens: a user of a customer account who is not its Owner.
func NeedsAPIRole(u *User, acc *Account) bool {
	customer := acc == nil || acc.Kind != AccountPartner
	return customer && !u.IsOwner
}
