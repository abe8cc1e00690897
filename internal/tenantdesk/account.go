package tenantdesk

import (
	"context"
	"time"
)

// Account kinds.
const (
	AccountPartner  = "partner"
	AccountCustomer = "customer"
)

// Account is one tenant: a partner (reseller) or a customer account.
type Account struct {
	ID       int64
	TenantID string // opaque, unique, generated; the ID shown to people and used by the API
	Kind     string // AccountPartner or AccountCustomer
	ParentID int64  // the partner of a customer account; 0 when none
	// ParentTenantID and ParentName describe the partner, when any (read-only join).
	ParentTenantID string
	ParentName     string

	Name        string
	Reference   string // the customer's ID in another system; not unique, never a key
	Description string

	// General information (About account).
	ServicePackages       string
	SupportPackage        string
	PersonalManagerName   string
	PersonalManagerEmail  string
	PersonalManagerPhone  string
	TechnicalManagerName  string
	TechnicalManagerEmail string
	TechnicalManagerPhone string

	// Settings are the customer settings (Settings tab; customer.settings).
	Settings AccountSettings
	// DisabledAt is when its partner or the operator disabled the account
	// (SPEC §1 "Customer status"); nil: enabled.
	DisabledAt *time.Time

	// FirstGrantAt is when the account first granted an access request
	// (SPEC §4): from then on its partner's legacy access has ended and
	// only staff with a live grant enter. nil: never.
	FirstGrantAt *time.Time

	CreatedAt time.Time
	UpdatedAt time.Time
}

// LegacyPartnerAccess reports whether the account's partner.admin still
// has the standing access of onboarding: until the first grant (SPEC §4).
func (a *Account) LegacyPartnerAccess() bool { return a.FirstGrantAt == nil }

// Disabled reports whether the account is disabled: its users cannot sign
// in and its tokens get 403 account_disabled; nothing is deleted.
func (a *Account) Disabled() bool { return a.DisabledAt != nil }

// Essential-user variants (SPEC §2): which role is a customer's essential
// user role.
const (
	EssentialStandard = "standard" // customer.user.pbx
	EssentialUK       = "uk"       // customer.user.uc.essential
)

// AccountSettings are a customer's settings (the Settings tab).
type AccountSettings struct {
	// DefaultLanguage and DefaultTimeZone are given to new users ("": the
	// browser's language, UTC).
	DefaultLanguage string
	DefaultTimeZone string
	// AutoAssignACD gives customer.user.acd to users imported as call-centre
	// agents.
	AutoAssignACD bool
	// EssentialVariant is EssentialStandard ("" reads as it) or EssentialUK.
	EssentialVariant string
}

// EssentialRole is the account's essential-user role: customer.user.pbx,
// or customer.user.uc.essential in the UK variant.
func (s AccountSettings) EssentialRole() string {
	if s.EssentialVariant == EssentialUK {
		return "customer.user.uc.essential"
	}
	return RolePBX
}

// IsPartner reports whether a is a partner (reseller) account.
func (a *Account) IsPartner() bool { return a.Kind == AccountPartner }

// AccountService reads accounts. (Creating partners is the operator's,
// internal/service.Operator, which the web layer never receives.)
type AccountService interface {
	// FindAccountByID returns ENOTFOUND if there is no such account.
	FindAccountByID(ctx context.Context, id int64) (*Account, error)
	// FindAccountByTenantID returns ENOTFOUND if there is no such account.
	FindAccountByTenantID(ctx context.Context, tenantID string) (*Account, error)
}

// CreatePartnerInput holds what the operator gives for a new partner.
type CreatePartnerInput struct {
	Name       string
	OwnerName  string
	OwnerEmail string
}

// CustomerStatus is where a customer account stands (SPEC §1).
type CustomerStatus string

// The statuses of a customer account.
const (
	// CustomerPendingOnboarding: no activated user admin yet (none holding
	// user.admin and customer.user has set a password).
	CustomerPendingOnboarding CustomerStatus = "pending_onboarding"
	// CustomerActive: at least one activated user admin, not disabled.
	CustomerActive CustomerStatus = "active"
	// CustomerDisabled: disabled by its partner or the operator.
	CustomerDisabled CustomerStatus = "disabled"
)

// CustomerStatusOf is the status of acc given whether it has an activated
// user admin: disabled first, then pending onboarding or active.
func CustomerStatusOf(acc *Account, hasActiveAdmin bool) CustomerStatus {
	switch {
	case acc.Disabled():
		return CustomerDisabled
	case !hasActiveAdmin:
		return CustomerPendingOnboarding
	}
	return CustomerActive
}
