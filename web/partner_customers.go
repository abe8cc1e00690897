package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/partner"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Partnerdesk: the partner's customer list (search, status filter, order,
// CSV export) and the partner's edit of a customer's general information.
// The services scope everything to the actor's own partner account:
// another partner's customer is "not found". The customer page and a
// customer's status are in partner_console.go.

// customerListFilter reads the list's query: the search, the status and
// the order (an unknown status or order reads as none, as a link typed by
// hand deserves a list rather than an error), and the cursor.
func customerListFilter(c echo.Context) tenantdesk.CustomerFilter {
	f := tenantdesk.CustomerFilter{Query: strings.TrimSpace(c.QueryParam("q")), After: c.QueryParam("after"),
		Status: tenantdesk.CustomerStatus(c.QueryParam("status")), Sort: tenantdesk.CustomerSort(c.QueryParam("sort"))}
	if !f.Status.Valid() {
		f.Status = ""
	}
	if !f.Sort.Valid() || f.Sort == tenantdesk.SortByName {
		f.Sort = ""
	}
	return f
}

// handlePartnerCustomers lists the partner's customers: a full page, or
// only the results for an htmx search, filter or page change.
func (s *Server) handlePartnerCustomers(c echo.Context) error {
	ctx := c.Request().Context()
	f := customerListFilter(c)
	page, err := s.svc.AccountInfo.ListCustomers(ctx, f)
	if err != nil {
		return err
	}
	u := c.Get(ctxUser).(*tenantdesk.User)
	v := partner.CustomersView{Query: f.Query, Status: string(f.Status), Sort: string(f.Sort), Customers: page.Customers,
		CanEdit: u.HasRole(tenantdesk.RolePartnerAdmin), ExportURL: customersURL("/partner/customers.csv", f, "")}
	if page.NextCursor != "" {
		v.NextURL = customersURL("/partner/customers", f, page.NextCursor)
	}
	if f.After != "" {
		v.FirstURL = customersURL("/partner/customers", f, "")
	}
	if isHTMX(c) {
		return render(c, http.StatusOK, partner.CustomersResults(v))
	}
	return render(c, http.StatusOK, partner.Customers(v))
}

// customersURL is path with the filter's search, status and order, and
// the cursor after.
func customersURL(path string, f tenantdesk.CustomerFilter, after string) string {
	v := url.Values{}
	if f.Query != "" {
		v.Set("q", f.Query)
	}
	if f.Status != "" {
		v.Set("status", string(f.Status))
	}
	if f.Sort != "" {
		v.Set("sort", string(f.Sort))
	}
	if after != "" {
		v.Set("after", after)
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// maxCustomerExportRows caps the CSV export.
const maxCustomerExportRows = 20000

// handlePartnerCustomersCSV exports the list as the filters show it, every
// page of it, as CSV (RFC 4180): the columns of the table, the status as
// its key too, the time in RFC 3339 UTC. Cells a spreadsheet would run as
// a formula are defused (csvRow, as the audit export).
func (s *Server) handlePartnerCustomersCSV(c echo.Context) error {
	ctx := c.Request().Context()
	f := customerListFilter(c)
	f.After, f.Limit = "", tenantdesk.MaxPageSize
	// The first page is read before anything is written, so a refusal is
	// still a clean error page.
	page, err := s.svc.AccountInfo.ListCustomers(ctx, f)
	if err != nil {
		return err
	}
	acc := currentAccount(c)
	name := fmt.Sprintf("customers-%s-%s.csv", acc.TenantID, s.now().In(view.From(ctx).Location).Format("20060102"))
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Response().WriteHeader(http.StatusOK)

	w := csv.NewWriter(c.Response())
	w.UseCRLF = true
	yes, no := view.T(ctx, "partner.console.yes"), view.T(ctx, "partner.console.no")
	if err := w.Write(csvRow([]string{
		view.T(ctx, "partner.customers.col.name"),
		view.T(ctx, "partner.customers.col.reference"),
		view.T(ctx, "partner.customers.col.tenant_id"),
		view.T(ctx, "partner.console.col.status"),
		view.T(ctx, "partner.console.csv.status_key"),
		view.T(ctx, "partner.customers.col.users"),
		view.T(ctx, "partner.console.col.licences"),
		view.T(ctx, "partner.console.col.access"),
		view.T(ctx, "partner.console.csv.granted_staff"),
		view.T(ctx, "partner.console.csv.request_pending"),
		view.T(ctx, "partner.console.csv.created_utc"),
	})); err != nil {
		return nil // the client went away; the status is already sent
	}
	rows := 0
	for {
		for _, cu := range page.Customers {
			access := view.T(ctx, "partner.console.access.none")
			if cu.LegacyAccess {
				access = view.T(ctx, "partner.console.access.legacy")
			} else if cu.GrantedStaff > 0 {
				access = view.N(ctx, "partner.console.access.granted", cu.GrantedStaff)
			}
			pending := no
			if cu.PendingRequests > 0 {
				pending = yes
			}
			if err := w.Write(csvRow([]string{
				cu.Name, cu.Reference, cu.TenantID, partner.CustomerStatusText(ctx, cu.Status), string(cu.Status),
				strconv.Itoa(cu.Users), strconv.Itoa(cu.Licences), access, strconv.Itoa(cu.GrantedStaff), pending,
				cu.CreatedAt.UTC().Format(time.RFC3339),
			})); err != nil {
				return nil
			}
			rows++
		}
		if page.NextCursor == "" || rows >= maxCustomerExportRows {
			break
		}
		f.After = page.NextCursor
		if page, err = s.svc.AccountInfo.ListCustomers(ctx, f); err != nil {
			s.log.Error("customer export", "request_id", h.Get(echo.HeaderXRequestID), "error", err.Error())
			break
		}
	}
	w.Flush()
	return nil
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
