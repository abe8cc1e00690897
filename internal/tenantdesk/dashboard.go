package tenantdesk

import (
	"context"
	"time"
)

// Home: a customer account at a glance for its people, a partner's
// customers at a glance for its staff (SPEC §3), and the top bar's account
// switcher of partner staff. The figures are counted by the store in a few
// aggregate queries; the service decides which of them the actor sees.

// DashboardListLimit caps the short lists of a dashboard (onboardings,
// requests, grants, audit entries); each list links to its whole page.
const DashboardListLimit = 5

// DashboardExpiringSoon is how far ahead a partner's home lists grants
// that end: the week of the expiry reminder.
const DashboardExpiringSoon = AccessReminderLead

// SwitcherLimit is how many results the account switcher shows;
// MaxSwitcherLimit caps a search's results.
const (
	SwitcherLimit    = 8
	MaxSwitcherLimit = 50
)

// UserStatusCounts counts an account's users by status.
type UserStatusCounts struct {
	Invited, Active, Disabled int
}

// Total is every user of the account.
func (c UserStatusCounts) Total() int { return c.Invited + c.Active + c.Disabled }

// CustomerFigures are a customer account's counts as stored, read in one
// query (DashboardReads.CustomerFigures).
type CustomerFigures struct {
	Users UserStatusCounts
	// InvitationsLive counts invited users with an unused activation link
	// that has not expired; InvitationsExpired the invited users who may
	// sign in (the Owner, holders of customer.user) without one: their
	// link expired or was used up, and a new one is needed. Invited users
	// without website access get no link and count in neither.
	InvitationsLive    int
	InvitationsExpired int
	// ActiveWithTOTP counts active users with two-factor authentication on.
	ActiveWithTOTP int
	// Require2FA is the account's Security setting.
	Require2FA bool
	// PendingRequests counts incoming access requests waiting for an answer.
	PendingRequests int
	// OwnTOTP reports whether the user the figures were read for (0: none)
	// has two-factor authentication on.
	OwnTOTP bool
}

// CustomerDashboard is a customer's home: what the actor may see of the
// account. Figures the actor may not see stay zero, and the flags say
// which groups were filled.
type CustomerDashboard struct {
	Account *Account
	// Admin: the actor manages the account's users (AccessUserAdmin: the
	// Owner, user admins, support-mode impersonators). Users, invitations,
	// licences, 2FA coverage and the audit entries are filled only then.
	Admin bool
	Users UserStatusCounts
	// InvitationsPending and InvitationsExpired: see CustomerFigures.
	InvitationsPending int
	InvitationsExpired int
	// LicencesInUse is the number of licences held by enabled users (a
	// user with two licensed roles holds two); Licences are the licensed
	// roles held by anyone, in catalogue order.
	LicencesInUse int
	Licences      []LicenceCount
	// TwoFactorOn of TwoFactorOf active users have two-factor
	// authentication on.
	TwoFactorOn, TwoFactorOf int
	// Require2FA: the account requires two-factor authentication (every
	// member sees it).
	Require2FA bool
	// CanRespond: the actor answers the account's access requests;
	// PendingRequests counts those waiting for an answer (only then).
	CanRespond      bool
	PendingRequests int
	// Audit are the newest entries of the account's audit log (Admin only).
	Audit []*AuditEntry
	// OwnTwoFactor reports whether the actor, signed in as themselves (not
	// impersonating), has two-factor authentication on.
	OwnTwoFactor bool
	// Self: the actor is a user of the account working as themselves
	// (OwnTwoFactor means something).
	Self bool
}

// TwoFactorPercent is the share of active users with 2FA on, rounded
// down (100 only when all have it); 0 when there are no active users.
func (d *CustomerDashboard) TwoFactorPercent() int {
	if d.TwoFactorOf == 0 {
		return 0
	}
	return d.TwoFactorOn * 100 / d.TwoFactorOf
}

// CustomerStatusCounts counts a partner's customers by status.
type CustomerStatusCounts struct {
	PendingOnboarding, Active, Disabled int
}

// Total is every customer of the partner.
func (c CustomerStatusCounts) Total() int { return c.PendingOnboarding + c.Active + c.Disabled }

// PartnerFigures are a partner's counts as stored, read in one query
// (DashboardReads.PartnerFigures).
type PartnerFigures struct {
	Customers CustomerStatusCounts
	// PendingRequests counts the requests waiting for the customer's
	// answer; ExpiringGrants the live grants that end before the horizon.
	PendingRequests int
	ExpiringGrants  int
}

// OnboardingSummary is a customer pending onboarding: nobody may run its
// users yet (no activated user admin).
type OnboardingSummary struct {
	ID        int64
	TenantID  string
	Name      string
	Reference string
	// AdminsInvited counts its invited user admins, who have not set a
	// password yet (0: nobody was asked to be its admin).
	AdminsInvited int
	CreatedAt     time.Time
}

// PartnerDashboard is the home of partner staff: the partner's customers
// at a glance.
type PartnerDashboard struct {
	Account   *Account
	Customers CustomerStatusCounts
	// Onboardings are the customers pending onboarding, waiting longest
	// first (at most DashboardListLimit).
	Onboardings []OnboardingSummary
	// Admin: the actor is a partner.admin and the requests are the
	// partner's; otherwise they are those naming the actor (My zone).
	Admin bool
	// PendingRequests counts the requests waiting for an answer; Pending
	// are the newest of them.
	PendingRequests int
	Pending         []*AccessRequest
	// ExpiringGrants counts the live grants ending within
	// DashboardExpiringSoon; Expiring are those ending first.
	ExpiringGrants int
	Expiring       []*AccessRequest
}

// CustomerMatch is one result of the account switcher.
type CustomerMatch struct {
	ID        int64
	TenantID  string
	Name      string
	Reference string
	Disabled  bool
}

// DashboardService computes the home dashboards and the account switcher's
// search. Every method authorizes the actor in ctx.
type DashboardService interface {
	// CustomerDashboard returns what the actor may see of customer account
	// accountID at a glance: any member (AccessMember) gets the account and
	// its 2FA requirement, user admins the figures of its users, licences
	// and audit log, responders the waiting access requests. ENOTFOUND for
	// an account the actor may not see or that is not a customer.
	CustomerDashboard(ctx context.Context, accountID int64) (*CustomerDashboard, error)
	// PartnerDashboard returns the actor's partner account's customers by
	// status, the onboardings pending, the access requests pending and the
	// grants expiring soon. EFORBIDDEN for an actor who is not partner
	// staff (partner.admin or partner.user) working in their own partner
	// account; EImpersonating while impersonating.
	PartnerDashboard(ctx context.Context) (*PartnerDashboard, error)
	// FindCustomers returns up to limit (at most MaxSwitcherLimit; 0 means
	// SwitcherLimit) customers of the actor's partner account whose name,
	// reference or tenant ID contains query (case-insensitively), by name;
	// none for an empty query. EFORBIDDEN and EImpersonating as
	// PartnerDashboard.
	FindCustomers(ctx context.Context, query string, limit int) ([]CustomerMatch, error)
}

// DashboardReads are the store's reads of the dashboards (outside
// transactions).
type DashboardReads interface {
	// CustomerFigures counts accountID's users by status, invitations,
	// 2FA coverage and pending incoming access requests at now, with the
	// Security setting, and whether userID (0: none) has 2FA on.
	CustomerFigures(ctx context.Context, accountID, userID int64, now time.Time) (CustomerFigures, error)
	// PartnerFigures counts partnerID's customers by status, its pending
	// access requests and its live grants ending in (now, until]; when
	// userID is not 0, only the requests naming that user.
	PartnerFigures(ctx context.Context, partnerID, userID int64, now, until time.Time) (PartnerFigures, error)
	// PendingOnboardings returns up to limit customers of partnerID pending
	// onboarding, created first first.
	PendingOnboardings(ctx context.Context, partnerID int64, limit int) ([]OnboardingSummary, error)
	// ExpiringGrants returns up to limit live grants of partnerID ending
	// in (now, until], soonest first, with their users; when userID is not
	// 0, only those naming that user.
	ExpiringGrants(ctx context.Context, partnerID, userID int64, now, until time.Time, limit int) ([]*AccessRequest, error)
	// MatchCustomers returns up to limit customers of partnerID whose name,
	// reference or tenant ID contains query (case-insensitively, Unicode
	// letters folded), in the order of their names.
	MatchCustomers(ctx context.Context, partnerID int64, query string, limit int) ([]CustomerMatch, error)
}
