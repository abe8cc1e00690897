package web

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/partner"
)

// Partnerdesk: the partner's customer list and the partner's edit of a
// customer's general information. The services scope everything to the
// actor's own partner account: another partner's customer is "not found".

// handlePartnerCustomers lists the partner's customers: a full page, or
// only the results for an htmx search or page change.
func (s *Server) handlePartnerCustomers(c echo.Context) error {
	ctx := c.Request().Context()
	q, after := c.QueryParam("q"), c.QueryParam("after")
	page, err := s.svc.AccountInfo.ListCustomers(ctx, tenantdesk.CustomerFilter{Query: q, After: after})
	if err != nil {
		return err
	}
	u := c.Get(ctxUser).(*tenantdesk.User)
	v := partner.CustomersView{Query: q, Customers: page.Customers, CanEdit: u.HasRole(tenantdesk.RolePartnerAdmin)}
	if page.NextCursor != "" {
		v.NextURL = customersURL(q, page.NextCursor)
	}
	if after != "" {
		v.FirstURL = customersURL(q, "")
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, partner.CustomersResults(v))
	}
	return render(c, http.StatusOK, partner.Customers(v))
}

func customersURL(q, after string) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if after != "" {
		v.Set("after", after)
	}
	if len(v) == 0 {
		return "/partner/customers"
	}
	return "/partner/customers?" + v.Encode()
}

// handleCustomerGeneral shows the form for a customer's general
// information to the partner.admin of its partner; 404 for everyone else
// but the partner's other staff (403).
func (s *Server) handleCustomerGeneral(c echo.Context) error {
	acc, err := s.svc.AccountInfo.EditableAccount(c.Request().Context(), c.Param("tenantId"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, partner.GeneralEdit(partner.GeneralEditView{
		Account: acc, Form: tenantdesk.GeneralInfoOf(acc), Saved: c.QueryParam("saved") == "1",
	}))
}

// handleUpdateCustomerGeneral saves the form: on success back to the form
// with a confirmation (post/redirect/get), on invalid input the form again
// with the input kept and the errors by their fields (status 200, as the
// other forms, so htmx would swap it too).
func (s *Server) handleUpdateCustomerGeneral(c echo.Context) error {
	ctx := c.Request().Context()
	tenantID := c.Param("tenantId")
	in := tenantdesk.GeneralInfo{
		Name:                  c.FormValue("name"),
		Reference:             c.FormValue("reference"),
		Description:           c.FormValue("description"),
		ServicePackages:       c.FormValue("servicePackages"),
		SupportPackage:        c.FormValue("supportPackage"),
		PersonalManagerName:   c.FormValue("personalManagerName"),
		PersonalManagerEmail:  c.FormValue("personalManagerEmail"),
		PersonalManagerPhone:  c.FormValue("personalManagerPhone"),
		TechnicalManagerName:  c.FormValue("technicalManagerName"),
		TechnicalManagerEmail: c.FormValue("technicalManagerEmail"),
		TechnicalManagerPhone: c.FormValue("technicalManagerPhone"),
	}
	acc, err := s.svc.AccountInfo.UpdateGeneralInfo(ctx, tenantID, in)
	if tenantdesk.ErrorCode(err) == tenantdesk.EINVALID {
		// Validation runs after authorization, so the account is the
		// actor's to edit; load it for the heading.
		stored, ferr := s.svc.AccountInfo.EditableAccount(ctx, tenantID)
		if ferr != nil {
			return ferr
		}
		return render(c, http.StatusOK, partner.GeneralEdit(partner.GeneralEditView{
			Account: stored, Form: in, Errors: fieldErrors(ctx, err),
		}))
	} else if err != nil {
		return err
	}
	return redirectAfterPost(c, partner.GeneralURL(acc.TenantID)+"?saved=1")
}
