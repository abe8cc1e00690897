package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
	"github.com/tenantdesk/tenantdesk/templates/pages/partner"
	"github.com/tenantdesk/tenantdesk/templates/pages/settings"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// A customer's settings (issue 12): About account › Settings for the
// account's own members (and partner staff impersonating it), and the same
// form on the customer's page in Partnerdesk. Every member reads them; the
// service decides who changes them (tenantdesk.CanEditSettings) and
// answers everyone else with 403 (access_request_required for partner
// staff past the legacy rule) or 404.

// settingsRoutes registers About account › Settings and a customer's settings in Partnerdesk.
func (s *Server) settingsRoutes() {
	e := s.echo
	e.GET("/account/settings", s.handleAccountSettings, s.requireUser)
	e.POST("/account/settings", s.handleUpdateAccountSettings, s.requireUser)
	e.GET("/partner/customers/:tenantId/settings", s.handleCustomerSettings, s.requireUser, s.settingsPartnerdeskOnly)
	e.POST("/partner/customers/:tenantId/settings", s.handleUpdateCustomerSettings, s.requireUser, s.settingsPartnerdeskOnly)
}

// settingsPartnerdeskOnly lets through partner staff working in Partnerdesk
// (not while impersonating a customer); anyone else gets 404, as for a
// page that is not theirs.
func (s *Server) settingsPartnerdeskOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !tenantdesk.IsPartnerStaff(tenantdesk.ActorFrom(c.Request().Context())) {
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
		}
		return next(c)
	}
}

// settingsForm fills the form's view model from the settings page: the
// settings as stored, and who may change them with the reason why not.
func settingsForm(ctx context.Context, action string, page *tenantdesk.SettingsPage) settings.FormView {
	acc := page.Account
	v := settings.FormView{Action: action, CanEdit: page.CanEdit, Values: acc.Settings, TimeZone: acc.Settings.DefaultTimeZone,
		StoredVariant: acc.Settings.Variant(), EssentialHolders: page.EssentialHolders, TimeZones: tenantdesk.TimeZones}
	v.Values.EssentialVariant = acc.Settings.Variant()
	if v.TimeZone == "" {
		v.TimeZone = "UTC"
	}
	for _, l := range i18n.Languages {
		v.Languages = append(v.Languages, settings.Language{Tag: l.Tag, Name: l.Name})
	}
	if !v.CanEdit {
		a := tenantdesk.ActorFrom(ctx)
		v.ReadOnlyNote = view.T(ctx, "settings.readonly")
		if tenantdesk.IsPartnerStaffOf(a, acc) && !a.Impersonating() {
			v.ReadOnlyNote = view.T(ctx, "settings.readonly_partner")
		}
	}
	return v
}

// settingsInput reads the form.
func settingsInput(c echo.Context) tenantdesk.AccountSettings {
	return tenantdesk.AccountSettings{
		DefaultLanguage:  c.FormValue("defaultLanguage"),
		DefaultTimeZone:  c.FormValue("defaultTimeZone"),
		AutoAssignACD:    c.FormValue("autoAssignAcd") == "on",
		EssentialVariant: c.FormValue("essentialVariant"),
	}
}

// saveSettings saves the form for accountID. On success it queues the
// confirmation (naming how many users were converted) and returns no
// form. On an error the person can fix, it returns the form again with
// what they entered and the messages (status 200); to someone who may read
// the settings but not change them, the settings read-only with the reason
// (status 403: access_request_required tells partner staff to ask for
// access). Any other error is returned as it is.
func (s *Server) saveSettings(c echo.Context, accountID int64, action string) (*settings.FormView, int, *tenantdesk.Account, error) {
	ctx := c.Request().Context()
	in := settingsInput(c)
	change, err := s.svc.Settings.UpdateAccountSettings(ctx, accountID, in)
	if err == nil {
		msg := view.T(ctx, "settings.saved")
		if change.Converted > 0 {
			msg = view.N(ctx, "settings.saved_converted", change.Converted, map[string]any{"Role": change.Account.Settings.EssentialRole()})
		}
		return nil, 0, change.Account, s.flash(c, msg)
	}
	refused := tenantdesk.ErrorCode(err) == tenantdesk.EFORBIDDEN || tenantdesk.ErrorCode(err) == tenantdesk.EAccessRequestRequired
	if !isUserError(err) && !refused {
		return nil, 0, nil, err
	}
	page, perr := s.svc.Settings.AccountSettings(ctx, accountID)
	if perr != nil {
		return nil, 0, nil, perr
	}
	v := settingsForm(ctx, action, page)
	v.Error = errorText(ctx, err)
	if refused {
		return &v, statusOf(tenantdesk.ErrorCode(err)), page.Account, nil
	}
	v.Values, v.TimeZone = in, in.DefaultTimeZone
	v.Fields = fieldErrors(ctx, err)
	return &v, http.StatusOK, page.Account, nil
}

// handleAccountSettings shows About account › Settings to every member
// of a customer account (404 in a partner account).
func (s *Server) handleAccountSettings(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := s.svc.Settings.AccountSettings(ctx, currentAccount(c).ID)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, account.Settings(account.SettingsView{Account: page.Account, Access: accountAccess(ctx, page.Account),
		Form: settingsForm(ctx, "/account/settings", page), Flash: s.takeFlashes(c)}))
}

// handleUpdateAccountSettings saves the tab (post/redirect/get); invalid
// input re-renders it with what was entered (status 200), a refusal shows
// the settings read-only with the reason (403).
func (s *Server) handleUpdateAccountSettings(c echo.Context) error {
	ctx := c.Request().Context()
	form, status, acc, err := s.saveSettings(c, currentAccount(c).ID, "/account/settings")
	if err != nil {
		return err
	}
	if form != nil {
		return render(c, status, account.Settings(account.SettingsView{Account: acc, Access: accountAccess(ctx, acc), Form: *form}))
	}
	return redirectAfterPost(c, "/account/settings")
}

// settingsCustomerID resolves {tenantId} to an account ID for the services,
// which authorize: an unknown tenant is 404 like one the actor may not see.
func (s *Server) settingsCustomerID(c echo.Context) (int64, error) {
	acc, err := s.svc.Accounts.FindAccountByTenantID(c.Request().Context(), c.Param("tenantId"))
	if err != nil {
		return 0, err
	}
	return acc.ID, nil
}

// handleCustomerSettings shows a customer's settings to its partner's
// staff; 404 for another partner's customer.
func (s *Server) handleCustomerSettings(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := s.settingsCustomerID(c)
	if err != nil {
		return err
	}
	page, err := s.svc.Settings.AccountSettings(ctx, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, partner.CustomerSettings(partner.SettingsView{Account: page.Account,
		Form: settingsForm(ctx, partner.SettingsURL(page.Account.TenantID), page), Flash: s.takeFlashes(c)}))
}

// handleUpdateCustomerSettings saves them (post/redirect/get): the
// partner's admins while the legacy rule holds; others get 403
// (access_request_required after the customer's first grant).
func (s *Server) handleUpdateCustomerSettings(c echo.Context) error {
	id, err := s.settingsCustomerID(c)
	if err != nil {
		return err
	}
	url := partner.SettingsURL(c.Param("tenantId"))
	form, status, acc, err := s.saveSettings(c, id, url)
	if err != nil {
		return err
	}
	if form != nil {
		return render(c, status, partner.CustomerSettings(partner.SettingsView{Account: acc, Form: *form}))
	}
	return redirectAfterPost(c, partner.SettingsURL(acc.TenantID))
}
