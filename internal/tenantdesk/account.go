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
