package tenantdesk

import "context"

// AccountSecurity holds the settings of an account's Security tab.
type AccountSecurity struct {
	AccountID int64
	// Require2FA leads every user without two-factor authentication to
	// enrol at their next sign-in.
	Require2FA bool
	// TokenMaxLifetimeDays caps the expiry of new API tokens; 0 = no cap.
	TokenMaxLifetimeDays int
}

// MaxTokenLifetimeDays is the largest maximum an Owner can set (10 years).
const MaxTokenLifetimeDays = 3650

// AccountSecurityService reads and changes an account's security settings.
type AccountSecurityService interface {
	// AccountSecurity returns the settings (defaults when never set). Any
	// member of the account may read them; others get ENOTFOUND.
	AccountSecurity(ctx context.Context, accountID int64) (*AccountSecurity, error)
	// SetAccountSecurity changes them. Only the account's Owner, in an
	// account without an Owner its user admins (CanEditSecurity), and the
	// operator may: EFORBIDDEN for other members, ENOTFOUND for outsiders,
	// EINVALID for a lifetime outside 0–MaxTokenLifetimeDays. Audited as
	// "account.security_update" with before/after.
	SetAccountSecurity(ctx context.Context, s AccountSecurity) (*AccountSecurity, error)
	// CanChangeSecurity reports whether the actor may change them
	// (CanEditSecurity) and whether the account has no Owner. ENOTFOUND
	// for outsiders.
	CanChangeSecurity(ctx context.Context, accountID int64) (can, ownerless bool, err error)
}
