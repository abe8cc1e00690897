package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/layout"
	"github.com/tenantdesk/tenantdesk/templates/pages/switcher"
)

// The account switcher of partner staff (templates/layout/switcher.templ):
// GET /switch?q= finds the partner's customers by any part of their name,
// reference or tenant ID. A plain request gets the page of results (the
// switcher without JavaScript); the top bar's htmx search gets the results
// alone. The Dashboard service scopes the search to the actor's own
// partner; the impersonation links are offered where Access says a live
// grant (or legacy access) lets the person in.

// maxSwitcherQuery bounds the search text.
const maxSwitcherQuery = 200

// switcherRoutes registers the account switcher.
func (s *Server) switcherRoutes() {
	s.echo.GET("/switch", s.handleSwitch, s.requireUser)
}

// handleSwitch searches the partner's customers.
func (s *Server) handleSwitch(c echo.Context) error {
	ctx := c.Request().Context()
	q := strings.TrimSpace(c.QueryParam("q"))
	if utf8.RuneCountInString(q) > maxSwitcherQuery {
		q = string([]rune(q)[:maxSwitcherQuery])
	}
	v := layout.SwitcherView{Query: q}
	if q != "" {
		// One more than shown tells whether there are more.
		found, err := s.svc.Dashboard.FindCustomers(ctx, q, tenantdesk.SwitcherLimit+1)
		if err != nil {
			return err
		}
		if len(found) > tenantdesk.SwitcherLimit {
			found, v.More = found[:tenantdesk.SwitcherLimit], true
			v.AllURL = "/partner/customers?" + url.Values{"q": {q}}.Encode()
		}
		for _, m := range found {
			r := layout.SwitcherResult{TenantID: m.TenantID, Name: m.Name, Reference: m.Reference, Disabled: m.Disabled,
				URL: dashboardCustomerURL(m.TenantID)}
			var err error
			if r.SupportURL, err = s.impersonateURL(c, m, tenantdesk.ModeSupport); err != nil {
				return err
			}
			if r.ConfigureURL, err = s.impersonateURL(c, m, tenantdesk.ModeConfigure); err != nil {
				return err
			}
			v.Results = append(v.Results, r)
		}
	} else if _, err := s.svc.Dashboard.FindCustomers(ctx, "", 1); err != nil {
		return err // not partner staff: the page is not theirs either
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, layout.SwitcherFragment(v))
	}
	return render(c, http.StatusOK, switcher.Page(v))
}

// impersonateURL is the start of an impersonation of m in mode, "" when no
// live grant (or legacy access) lets the person in with it.
func (s *Server) impersonateURL(c echo.Context, m tenantdesk.CustomerMatch, mode tenantdesk.AccessMode) (string, error) {
	_, err := s.svc.Access.ResolveImpersonation(c.Request().Context(), m.ID, mode)
	switch tenantdesk.ErrorCode(err) {
	case "":
		return "/impersonate/" + m.TenantID + "/" + string(mode), nil
	case tenantdesk.EFORBIDDEN, tenantdesk.EGrantExpired, tenantdesk.ENOTFOUND:
		return "", nil
	}
	return "", err
}
