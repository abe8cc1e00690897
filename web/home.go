package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/home"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Home is a dashboard (SPEC §3): partner staff see their customers at a
// glance, a customer's people (and partner staff impersonating it, within
// the mode) the account at a glance. The Dashboard service decides what
// each may see; the handler formats it.

// homeLicenceRows is how many licensed roles the home page names; the
// Licenses tab has them all.
const homeLicenceRows = 3

// handleHome shows the dashboard of the person's account.
func (s *Server) handleHome(c echo.Context) error {
	ctx := c.Request().Context()
	u := c.Get(ctxUser).(*tenantdesk.User)
	acc := c.Get(ctxAccount).(*tenantdesk.Account) // the customer while impersonating
	g := greeting(ctx, u.DisplayName)
	actor := tenantdesk.ActorFrom(ctx)
	switch {
	case tenantdesk.IsPartnerStaff(actor):
		return s.partnerHome(c, g)
	case acc.Kind == tenantdesk.AccountCustomer:
		return s.customerHome(c, g, acc)
	}
	return render(c, http.StatusOK, home.Plain(g, acc))
}

// greeting splits the translated welcome around the person's name.
func greeting(ctx context.Context, name string) home.Greeting {
	full := view.T(ctx, "home.welcome", map[string]any{"Name": auditNameMark})
	before, after, ok := strings.Cut(full, auditNameMark)
	if !ok {
		return home.Greeting{Before: full + " ", Name: name}
	}
	return home.Greeting{Before: before, Name: name, After: after}
}

func (s *Server) customerHome(c echo.Context, g home.Greeting, acc *tenantdesk.Account) error {
	ctx := c.Request().Context()
	d, err := s.svc.Dashboard.CustomerDashboard(ctx, acc.ID)
	if err != nil {
		return err
	}
	v := home.CustomerView{Greeting: g, D: d, Impersonating: currentImpersonation(c) != nil,
		CanReadDevices: tenantdesk.DeviceAccessTo(tenantdesk.ActorFrom(ctx), d.Account) >= tenantdesk.DeviceAccessRead}
	// The most held licences first (catalogue order among equals).
	lic := slices.Clone(d.Licences)
	slices.SortStableFunc(lic, func(a, b tenantdesk.LicenceCount) int { return b.Users - a.Users })
	for i, l := range lic {
		if i == homeLicenceRows {
			v.MoreLicences = len(lic) - i
			break
		}
		v.Licences = append(v.Licences, home.Figure{Label: view.T(ctx, "role."+l.Role+".name"), Value: l.Users})
	}
	loc := view.From(ctx).Location
	for _, e := range d.Audit {
		before, actor, after := auditActorParts(ctx, e, d.Account.Name)
		v.Audit = append(v.Audit, home.AuditLine{
			When: view.FormatTime(ctx, e.CreatedAt), WhenISO: e.CreatedAt.In(loc).Format(time.RFC3339),
			Actor: strings.TrimSpace(before + actor + after), Action: auditActionLabel(ctx, e.Action), Target: auditTarget(ctx, e),
		})
	}
	return render(c, http.StatusOK, home.Customer(v))
}

func (s *Server) partnerHome(c echo.Context, g home.Greeting) error {
	ctx := c.Request().Context()
	d, err := s.svc.Dashboard.PartnerDashboard(ctx)
	if err != nil {
		return err
	}
	u := c.Get(ctxUser).(*tenantdesk.User)
	v := home.PartnerView{Greeting: g, D: d, CanCreate: u.HasRole(tenantdesk.RolePartnerAdmin)}
	loc := view.From(ctx).Location
	for _, o := range d.Onboardings {
		v.Onboardings = append(v.Onboardings, home.OnboardingLine{
			Name: o.Name, Reference: o.Reference, URL: dashboardCustomerURL(o.TenantID), AdminsInvited: o.AdminsInvited,
			Created: o.CreatedAt.In(loc).Format(time.DateOnly), CreatedISO: o.CreatedAt.In(loc).Format(time.RFC3339),
		})
	}
	line := func(r *tenantdesk.AccessRequest, when string) home.RequestLine {
		names := make([]string, 0, len(r.Users))
		for _, u := range r.Users {
			names = append(names, u.DisplayName)
		}
		url := "/profile/zone"
		if d.Admin {
			url = "/partner/access-requests/" + tenantdesk.FormatAccessRequestID(r.ID)
		}
		return home.RequestLine{Name: r.Name, Customer: r.AccountName, People: strings.Join(names, ", "), URL: url, When: when}
	}
	for _, r := range d.Pending {
		v.Pending = append(v.Pending, line(r, view.T(ctx, "dashboard.prequests.sent", map[string]any{"Date": view.FormatTime(ctx, r.CreatedAt)})))
	}
	for _, r := range d.Expiring {
		v.Expiring = append(v.Expiring, line(r, view.T(ctx, "dashboard.grants.ends", map[string]any{"Date": expiryText(ctx, r.ExpiresAt)})))
	}
	return render(c, http.StatusOK, home.Partner(v))
}

// dashboardCustomerURL is a customer's page in Partnerdesk.
func dashboardCustomerURL(tenantID string) string { return "/partner/customers/" + tenantID }
