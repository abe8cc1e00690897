package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/partner"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Partnerdesk's console of customers (issue 12): the customer list
// (partner_customers.go), a customer's page, disabling and enabling a
// customer, re-sending its activation emails. The account-info service
// authorizes every call: another partner's customer is "not found", the
// partner's record of a customer is its staff's to read and its
// partner.admin's to change, what lies inside the account needs legacy
// access or a live grant.

// partnerConsoleRoutes registers Partnerdesk customers, the customer page, disable/enable.
func (s *Server) partnerConsoleRoutes() {
	e := s.echo
	e.GET("/partner/customers", s.handlePartnerCustomers, s.requireUser)
	e.GET("/partner/customers.csv", s.handlePartnerCustomersCSV, s.requireUser)
	e.GET("/partner/customers/:tenantId", s.handlePartnerCustomer, s.requireUser)
	e.GET("/partner/customers/:tenantId/disable", s.handleConfirmCustomerStatus(true), s.requireUser)
	e.POST("/partner/customers/:tenantId/disable", s.handleSetCustomerStatus(true), s.requireUser)
	e.GET("/partner/customers/:tenantId/enable", s.handleConfirmCustomerStatus(false), s.requireUser)
	e.POST("/partner/customers/:tenantId/enable", s.handleSetCustomerStatus(false), s.requireUser)
	e.POST("/partner/customers/:tenantId/activation-emails", s.handleResendCustomerActivation, s.requireUser)
}

// handlePartnerCustomer is a customer's page.
func (s *Server) handlePartnerCustomer(c echo.Context) error {
	v, err := s.customerPage(c)
	if err != nil {
		return err
	}
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, partner.CustomerPage(v))
}

// customerPage reads the customer page of the URL's tenant into its view.
func (s *Server) customerPage(c echo.Context) (partner.CustomerPageView, error) {
	ctx := c.Request().Context()
	ov, err := s.svc.AccountInfo.CustomerOverview(ctx, c.Param("tenantId"))
	if err != nil {
		return partner.CustomerPageView{}, err
	}
	acc := ov.Customer.Account
	u := currentUser(c)
	isAdmin := u != nil && u.HasRole(tenantdesk.RolePartnerAdmin)
	v := partner.CustomerPageView{Account: acc, Summary: ov.Summary, CanManage: ov.CanManage,
		Connection: connectionFields(ov.Customer.Connection), Users: ov.Users, RequestLinks: isAdmin,
		Settings: partner.CustomerSettingsText{Language: languageName(acc.Settings.DefaultLanguage), TimeZone: acc.Settings.DefaultTimeZone,
			AutoAssignACD: acc.Settings.AutoAssignACD, Essential: essentialText(ctx, acc.Settings)}}
	if ov.Hidden != nil {
		v.Hidden = hiddenText(c, ov, isAdmin)
	}
	for _, l := range ov.Licences {
		if l.Users > 0 {
			v.Licences = append(v.Licences, partner.LicenceLine{Key: l.Role, Name: view.T(ctx, "role."+l.Role+".name"), Users: l.Users})
			v.LicencesTotal += l.Users
		}
	}
	now := s.now()
	for _, r := range ov.Requests {
		v.Requests = append(v.Requests, accessRow(ctx, r, now))
	}
	return v, nil
}

// hiddenText says why the customer's users and licences are not shown.
func hiddenText(c echo.Context, ov *tenantdesk.CustomerOverview, isAdmin bool) string {
	ctx := c.Request().Context()
	name := map[string]any{"Account": ov.Customer.Account.Name}
	switch {
	case tenantdesk.ErrorCode(ov.Hidden) == tenantdesk.EFORBIDDEN:
		// A live grant without support mode.
		return view.T(ctx, "partner.console.hidden.mode", name)
	case ov.Summary.LegacyAccess && !isAdmin:
		return view.T(ctx, "partner.console.hidden.admins_only", name)
	}
	return view.T(ctx, "partner.console.hidden.request_required", name)
}

// connectionFields lists the connection details' fields by name: text as
// it is, anything else as compact JSON.
func connectionFields(conn string) []partner.ConnectionField {
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(conn), &obj) != nil {
		return nil
	}
	out := make([]partner.ConnectionField, 0, len(obj))
	for k, raw := range obj {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		out = append(out, partner.ConnectionField{Name: k, Value: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// languageName is a language tag's own name ("" for none).
func languageName(tag string) string {
	for _, l := range i18n.Languages {
		if l.Tag == tag {
			return l.Name
		}
	}
	return tag
}

// essentialText names the account's essential-user variant and its role.
func essentialText(ctx context.Context, st tenantdesk.AccountSettings) string {
	variant := st.EssentialVariant
	if variant != tenantdesk.EssentialUK {
		variant = tenantdesk.EssentialStandard
	}
	return view.T(ctx, "partner.console.settings.essential."+variant) + " (" + st.EssentialRole() + ")"
}

// handleConfirmCustomerStatus asks before disabling (or enabling) a
// customer, naming what follows. Only the partner.admin of its partner
// gets the page: its other staff 403, everyone else 404.
func (s *Server) handleConfirmCustomerStatus(disable bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		acc, err := s.svc.AccountInfo.EditableAccount(c.Request().Context(), c.Param("tenantId"))
		if err != nil {
			return err
		}
		if acc.Kind != tenantdesk.AccountCustomer {
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
		}
		if acc.Disabled() == disable { // nothing to confirm: back to the page
			return c.Redirect(http.StatusSeeOther, partner.CustomerURL(acc.TenantID))
		}
		return render(c, http.StatusOK, partner.CustomerStatusConfirm(partner.CustomerStatusConfirmView{Account: acc, Disable: disable}))
	}
}

// handleSetCustomerStatus disables or enables the customer and goes back
// to its page with a confirmation.
func (s *Server) handleSetCustomerStatus(disable bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		acc, err := s.svc.AccountInfo.SetCustomerDisabled(ctx, c.Param("tenantId"), disable)
		if err != nil {
			return err
		}
		key := "partner.console.flash.enabled"
		if disable {
			key = "partner.console.flash.disabled"
		}
		if err := s.flash(c, view.T(ctx, key, map[string]any{"Name": acc.Name})); err != nil {
			return err
		}
		return redirectAfterPost(c, partner.CustomerURL(acc.TenantID))
	}
}

// handleResendCustomerActivation re-sends the activation emails of the
// customer's invited users. When the partner may not enter the account
// any more (its first grant named other staff, a grant expired), the page
// is shown again with what to do instead of a bare error page (403).
func (s *Server) handleResendCustomerActivation(c echo.Context) error {
	ctx := c.Request().Context()
	n, err := s.svc.AccountInfo.ResendActivationEmails(ctx, c.Param("tenantId"))
	switch tenantdesk.ErrorCode(err) {
	case "":
		if err := s.flash(c, view.N(ctx, "partner.console.flash.resent", n)); err != nil {
			return err
		}
		return redirectAfterPost(c, partner.CustomerURL(c.Param("tenantId")))
	case tenantdesk.EAccessRequestRequired, tenantdesk.EFORBIDDEN, tenantdesk.EGrantExpired:
		v, perr := s.customerPage(c)
		if perr != nil {
			return perr
		}
		v.Error = errorText(ctx, err)
		if tenantdesk.ErrorCode(err) == tenantdesk.EAccessRequestRequired {
			v.Error = fmt.Sprintf("%s %s", v.Error, view.T(ctx, "partner.console.error.ask_access"))
		}
		return render(c, statusOf(tenantdesk.ErrorCode(err)), partner.CustomerPage(v))
	}
	return err
}
