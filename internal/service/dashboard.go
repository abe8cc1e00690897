package service

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Dashboard computes the home dashboards and the account switcher's search
// (tenantdesk.DashboardService). The store counts each figure group in one
// aggregate query; this decides, with the same checks as the pages the
// figures link to, which of them the actor sees.
type Dashboard struct {
	d *Deps
}

var _ tenantdesk.DashboardService = (*Dashboard)(nil)

// CustomerDashboard returns a customer account at a glance. See
// tenantdesk.DashboardService.
func (s *Dashboard) CustomerDashboard(ctx context.Context, accountID int64) (*tenantdesk.CustomerDashboard, error) {
	acc, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessMember)
	if err != nil {
		return nil, err
	}
	if acc.Kind != tenantdesk.AccountCustomer {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	a := tenantdesk.ActorFrom(ctx)
	d := &tenantdesk.CustomerDashboard{
		Account:    acc,
		Admin:      tenantdesk.AccessTo(a, acc) >= tenantdesk.AccessUserAdmin,
		CanRespond: tenantdesk.CanRespond(a, acc),
		Self:       a.User != nil && a.User.AccountID == acc.ID && !a.Impersonating(),
	}
	var self int64
	if d.Self {
		self = a.User.ID
	}
	f, err := s.d.Store.CustomerFigures(ctx, acc.ID, self, s.d.now())
	if err != nil {
		return nil, err
	}
	d.Require2FA, d.OwnTwoFactor = f.Require2FA, f.OwnTOTP
	if d.CanRespond {
		d.PendingRequests = f.PendingRequests
	}
	if !d.Admin {
		return d, nil
	}
	d.Users = f.Users
	d.InvitationsPending, d.InvitationsExpired = f.InvitationsLive, f.InvitationsExpired
	d.TwoFactorOn, d.TwoFactorOf = f.ActiveWithTOTP, f.Users.Active
	counts, err := s.d.Store.LicenceCounts(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		if c.Users > 0 {
			d.Licences = append(d.Licences, c)
			d.LicencesInUse += c.Users
		}
	}
	page, err := s.d.Store.AuditPage(ctx, acc.ID, tenantdesk.AuditFilter{Limit: tenantdesk.DashboardListLimit})
	if err != nil {
		return nil, err
	}
	d.Audit = page.Entries
	return d, nil
}

// PartnerDashboard returns the partner's customers at a glance. See
// tenantdesk.DashboardService.
func (s *Dashboard) PartnerDashboard(ctx context.Context) (*tenantdesk.PartnerDashboard, error) {
	a, err := partnerStaff(ctx)
	if err != nil {
		return nil, err
	}
	d := &tenantdesk.PartnerDashboard{Account: a.Account, Admin: a.User.HasRole(tenantdesk.RolePartnerAdmin)}
	// A partner.admin sees the partner's requests (Partnerdesk › Access
	// requests); other staff the requests naming them (My zone).
	q := tenantdesk.AccessRequestQuery{PartnerID: a.Account.ID, State: tenantdesk.AccessPending, Limit: tenantdesk.DashboardListLimit}
	var naming int64
	if !d.Admin {
		naming = a.User.ID
		q = tenantdesk.AccessRequestQuery{UserID: naming, State: tenantdesk.AccessPending, Limit: tenantdesk.DashboardListLimit}
	}
	now := s.d.now()
	until := now.Add(tenantdesk.DashboardExpiringSoon)
	f, err := s.d.Store.PartnerFigures(ctx, a.Account.ID, naming, now, until)
	if err != nil {
		return nil, err
	}
	d.Customers, d.PendingRequests, d.ExpiringGrants = f.Customers, f.PendingRequests, f.ExpiringGrants
	if f.Customers.PendingOnboarding > 0 {
		if d.Onboardings, err = s.d.Store.PendingOnboardings(ctx, a.Account.ID, tenantdesk.DashboardListLimit); err != nil {
			return nil, err
		}
	}
	if f.PendingRequests > 0 {
		if d.Pending, err = s.d.Store.AccessRequests(ctx, q); err != nil {
			return nil, err
		}
	}
	if f.ExpiringGrants > 0 {
		if d.Expiring, err = s.d.Store.ExpiringGrants(ctx, a.Account.ID, naming, now, until, tenantdesk.DashboardListLimit); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// FindCustomers searches the partner's customers for the account switcher.
// See tenantdesk.DashboardService.
func (s *Dashboard) FindCustomers(ctx context.Context, query string, limit int) ([]tenantdesk.CustomerMatch, error) {
	a, err := partnerStaff(ctx)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = tenantdesk.SwitcherLimit
	}
	limit = min(limit, tenantdesk.MaxSwitcherLimit)
	// The partner's own account scopes the search: never another's customers.
	return s.d.Store.MatchCustomers(ctx, a.Account.ID, query, limit)
}
