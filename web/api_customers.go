package web

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// API: a partner's customer accounts (SPEC §5, seed 001's onboarding). The
// CustomerService authorizes: a partner's token sees its own customers, a
// customer's token its own account, everything else is 404.

// apiCustomer is the customer object of the API.
type apiCustomer struct {
	TenantID        string          `json:"tenantId"`
	Name            string          `json:"name"`
	Description     string          `json:"description"`
	Reference       string          `json:"reference"`
	Connection      json.RawMessage `json:"connection"`
	PartnerTenantID *string         `json:"partnerTenantId"`
	// Status is pending_onboarding, active or disabled (SPEC §1).
	Status    string `json:"status"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

func toAPICustomer(cu *tenantdesk.Customer) apiCustomer {
	a := cu.Account
	conn := cu.Connection
	if conn == "" {
		conn = "{}"
	}
	out := apiCustomer{TenantID: a.TenantID, Name: a.Name, Description: a.Description, Reference: a.Reference,
		Connection: json.RawMessage(conn), Status: string(cu.Status), CreatedAt: apiTime(a.CreatedAt), UpdatedAt: apiTime(a.UpdatedAt)}
	if a.ParentTenantID != "" {
		p := a.ParentTenantID
		out.PartnerTenantID = &p
	}
	return out
}

// apiCreatedCustomer is the answer to POST /customers: the customer and its
// Owner (null when created without one).
type apiCreatedCustomer struct {
	apiCustomer
	Owner *apiUser `json:"owner"`
}

type apiOwnerInput struct {
	DisplayName *string `json:"displayName"`
	Email       *string `json:"email"`
}

type apiCustomerInput struct {
	Name        *string          `json:"name"`
	Description *string          `json:"description"`
	Reference   *string          `json:"reference"`
	Connection  *json.RawMessage `json:"connection"`
	Owner       *apiOwnerInput   `json:"owner" api:"nullable"`
}

// connectionText checks that raw is a JSON object and returns it as text.
func connectionText(raw *json.RawMessage) (*string, error) {
	if raw == nil {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(*raw, &obj); err != nil || obj == nil {
		return nil, apiFieldError("connection", "connection must be a JSON object.")
	}
	s := string(*raw)
	return &s, nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// handleAPICreateCustomer creates a customer under the token's partner
// account (partner.admin): 201 with Location and the tenant ID.
func (s *Server) handleAPICreateCustomer(c echo.Context) error {
	var in apiCustomerInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := requireFields("name", in.Name != nil); err != nil {
		return err
	}
	conn, err := connectionText(in.Connection)
	if err != nil {
		return err
	}
	nc := tenantdesk.NewCustomer{Name: *in.Name, Description: str(in.Description), Reference: str(in.Reference), Connection: str(conn)}
	if in.Owner != nil {
		if err := requireFields("owner.displayName", in.Owner.DisplayName != nil, "owner.email", in.Owner.Email != nil); err != nil {
			return err
		}
		nc.Owner = &tenantdesk.CustomerOwner{DisplayName: *in.Owner.DisplayName, Email: *in.Owner.Email}
	}
	created, err := s.svc.Customers.CreatePartnerCustomer(c.Request().Context(), nc)
	if err != nil {
		return err
	}
	out := apiCreatedCustomer{apiCustomer: toAPICustomer(created.Customer)}
	if created.Owner != nil {
		u := toAPIUser(created.Owner, created.Customer.Account.TenantID)
		out.Owner = &u
	}
	return apiCreated(c, apiPrefix+"/customers/"+out.TenantID, out)
}

// handleAPIListCustomers lists the token's partner's customers.
func (s *Server) handleAPIListCustomers(c echo.Context) error {
	p, err := apiPageParams(c)
	if err != nil {
		return err
	}
	list, next, err := s.svc.Customers.ListPartnerCustomers(c.Request().Context(), tenantdesk.CustomerFilter{After: p.Cursor, Limit: p.Limit})
	if err != nil {
		return err
	}
	items := make([]apiCustomer, 0, len(list))
	for _, cu := range list {
		items = append(items, toAPICustomer(cu))
	}
	return apiJSON(c, http.StatusOK, apiList(items, next))
}

// handleAPIGetCustomer reads one customer.
func (s *Server) handleAPIGetCustomer(c echo.Context) error {
	cu, err := s.svc.Customers.GetCustomer(c.Request().Context(), c.Param("tenantId"))
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, toAPICustomer(cu))
}

type apiCustomerPatch struct {
	Name        *string          `json:"name"`
	Description *string          `json:"description"`
	Reference   *string          `json:"reference"`
	Connection  *json.RawMessage `json:"connection"`
}

// handleAPIUpdateCustomer changes any of name, description, reference and
// connection (the partner only).
func (s *Server) handleAPIUpdateCustomer(c echo.Context) error {
	var in apiCustomerPatch
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	conn, err := connectionText(in.Connection)
	if err != nil {
		return err
	}
	cu, err := s.svc.Customers.UpdateCustomer(c.Request().Context(), c.Param("tenantId"),
		tenantdesk.CustomerPatch{Name: in.Name, Description: in.Description, Reference: in.Reference, Connection: conn})
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, toAPICustomer(cu))
}
