package tenantdesk

import (
	"context"
	"time"
)

// Partnerdesk's console of customers (issue 12): the list with status,
// search, filter and sort, a customer's page, and disabling a customer.

// Audit actions of a customer's status, written in both the customer's and
// its partner's log.
const (
	AuditCustomerDisable = "customer.disable"
	AuditCustomerEnable  = "customer.enable"
)

// CustomerStatuses are the statuses in the order filters list them.
var CustomerStatuses = []CustomerStatus{CustomerPendingOnboarding, CustomerActive, CustomerDisabled}

// Valid reports whether s is a known status.
func (s CustomerStatus) Valid() bool {
	return s == CustomerPendingOnboarding || s == CustomerActive || s == CustomerDisabled
}

// CustomerSort is the order of a customer list.
type CustomerSort string

// The orders of a customer list, each with its own keyset cursor.
const (
	// SortByName: by name, case-insensitively, then ID (the default).
	SortByName CustomerSort = "name"
	// SortByCreated: newest first, then ID descending.
	SortByCreated CustomerSort = "created"
	// SortByStatus: pending onboarding, active, disabled; then by name.
	SortByStatus CustomerSort = "status"
)

// CustomerSorts are the orders in the order the sort control lists them.
var CustomerSorts = []CustomerSort{SortByName, SortByCreated, SortByStatus}

// Valid reports whether s is a known order ("" reads as SortByName).
func (s CustomerSort) Valid() bool {
	return s == "" || s == SortByName || s == SortByCreated || s == SortByStatus
}

// CustomerUsersGlance is a customer's users at a glance, for its partner:
// how far onboarding is.
type CustomerUsersGlance struct {
	Total, Invited, Active, Disabled int
	// AdminsInvited and AdminsActive count the user admins (the Owner and
	// holders of user.admin with customer.user) not disabled, by status.
	AdminsInvited, AdminsActive int
	// ActivationPending counts the invited users who may sign in and have
	// not activated yet: the ones "Resend activation emails" mails.
	ActivationPending int
	// Admins are the first user admins (not disabled) by name, with their status.
	Admins []*User
}

// MaxGlanceAdmins caps CustomerUsersGlance.Admins.
const MaxGlanceAdmins = 10

// CustomerOverview is the customer page of Partnerdesk: the partner's
// record of the customer, and what lies inside the account when the
// actor may look there.
type CustomerOverview struct {
	Customer *Customer
	// Summary is the customer's row of the list (status, counts, access).
	Summary CustomerSummary
	// Users and Licences are nil when the actor may not enter the
	// account (Hidden says why).
	Users    *CustomerUsersGlance
	Licences []LicenceCount
	// Hidden is the refusal that keeps Users and Licences from the actor
	// (EAccessRequestRequired: no legacy access and no live support
	// grant); nil when they are shown.
	Hidden error
	// Requests are the access requests the partner sent this customer,
	// newest first.
	Requests []*AccessRequest
	// CanManage: the actor may edit the record and disable or enable the
	// customer (partner.admin of its partner, the operator).
	CanManage bool
}

// CustomerConsoleService is Partnerdesk's customer page and a customer's
// status. Every method authorizes the actor in ctx: staff of the
// customer's partner see it, everyone else gets ENOTFOUND.
type CustomerConsoleService interface {
	// CustomerOverview returns the customer page of tenantID for staff of
	// its partner (and the operator). The users and licences are read
	// only when the actor may enter the account as a user admin (legacy
	// access, a live support grant); otherwise Hidden says why.
	CustomerOverview(ctx context.Context, tenantID string) (*CustomerOverview, error)
	// SetCustomerDisabled disables (disabled true) or enables the
	// customer: its users' sessions end and they cannot sign in, its
	// tokens are refused; nothing is deleted. Audited in the customer's
	// and its partner's log (customer.disable, customer.enable). Needs the
	// partner.admin of its partner (its record: no access request needed)
	// or the operator: EFORBIDDEN for the partner's other staff, ENOTFOUND
	// for everyone else. Setting the status it already has writes nothing.
	SetCustomerDisabled(ctx context.Context, tenantID string, disabled bool) (*Account, error)
	// ResendActivationEmails sends a new activation link to every invited
	// user of the customer who may sign in, in one transaction, and
	// returns how many were sent. Needs user-admin access to the account
	// (legacy access or a live support grant): EAccessRequestRequired when
	// the partner has none any more, EFORBIDDEN for partner staff who
	// never had it, ENOTFOUND for everyone else.
	ResendActivationEmails(ctx context.Context, tenantID string) (int, error)
}

// CustomerStatusTx writes a customer's status.
type CustomerStatusTx interface {
	// SetAccountDisabled stores when the account was disabled (nil:
	// enabled); its UpdatedAt becomes the transaction's time.
	SetAccountDisabled(ctx context.Context, accountID int64, at *time.Time) error
	// EndAccountSessions deletes every session of the account's users and
	// returns how many it deleted.
	EndAccountSessions(ctx context.Context, accountID int64) (int64, error)
	// InvitedUsers returns the account's invited users with their roles,
	// by name.
	InvitedUsers(ctx context.Context, accountID int64) ([]*User, error)
}
