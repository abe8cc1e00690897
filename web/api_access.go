package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// REST API v1: access requests (SPEC §4, §5), both sides. A partner.admin
// asks for access to customers (one request per customer) and may withdraw
// a request or bring a grant's expiry forward; the partner's staff named in
// requests see them; a customer's Owner, user admins and holders of
// access.respond grant, deny, revoke and change the expiry. The access
// request service authorizes every call (a request the token may not see
// is 404). The OpenAPI description is web/openapi/access.json.

// apiAccessRoutes registers /api/v1/access-requests.
func (s *Server) apiAccessRoutes(api *apiRouter) {
	api.GET("/access-requests", s.handleAPIListAccessRequests)
	api.POST("/access-requests", s.handleAPICreateAccessRequests)
	api.GET("/access-requests/:requestId", s.handleAPIGetAccessRequest)
	api.PATCH("/access-requests/:requestId", s.handleAPIUpdateAccessRequest)
	api.POST("/access-requests/:requestId/withdraw", s.handleAPIWithdrawAccessRequest)
	api.POST("/access-requests/:requestId/grant", s.handleAPIGrantAccessRequest)
	api.POST("/access-requests/:requestId/deny", s.handleAPIDenyAccessRequest)
	api.POST("/access-requests/:requestId/revoke", s.handleAPIRevokeAccessRequest)
}

// ---- JSON ----

// apiAccountName names an account in an access request.
type apiAccountName struct {
	TenantID string `json:"tenantId"`
	Name     string `json:"name"`
}

// apiAccessUser is a partner staff member named in a request.
type apiAccessUser struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email"`
}

// apiAccessAnswer is the customer's answer (grant, denial or revocation).
type apiAccessAnswer struct {
	Message    string `json:"message"`
	AnsweredBy string `json:"answeredBy"`
	AnsweredAt string `json:"answeredAt"`
}

// apiPersonRef names the partner user who asked.
type apiPersonRef struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// apiAccessRequest is the JSON form of one per-customer access request.
type apiAccessRequest struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Message     string           `json:"message"`
	Partner     apiAccountName   `json:"partner"`
	Customer    apiAccountName   `json:"customer"`
	Users       []apiAccessUser  `json:"users"`
	Modes       []string         `json:"modes"`
	State       string           `json:"state"`
	ExpiresAt   *string          `json:"expiresAt"`
	Answer      *apiAccessAnswer `json:"answer"`
	RequestedBy *apiPersonRef    `json:"requestedBy"`
	CreatedAt   string           `json:"createdAt"`
	UpdatedAt   string           `json:"updatedAt"`
}

// apiAccessBatch is the answer to a create: the requests saved, one per customer.
type apiAccessBatch struct {
	Items []apiAccessRequest `json:"items"`
}

func accessRequestLocation(r *tenantdesk.AccessRequest) string {
	return apiPrefix + "/access-requests/" + tenantdesk.FormatAccessRequestID(r.ID)
}

// accessJSON turns requests into their JSON form. It resolves the partners'
// tenant IDs (not part of a request as stored) from the token's account
// where it can — the partner itself, or a customer's own partner — and
// reads any other partner account once per answer.
type accessJSON struct {
	s       *Server
	ctx     context.Context
	now     time.Time
	tenants map[int64]string
}

func (s *Server) accessJSON(c echo.Context) *accessJSON {
	return &accessJSON{s: s, ctx: c.Request().Context(), now: s.now(), tenants: map[int64]string{}}
}

func (j *accessJSON) partnerTenant(partnerID int64) (string, error) {
	if t, ok := j.tenants[partnerID]; ok {
		return t, nil
	}
	t := ""
	a := tenantdesk.ActorFrom(j.ctx)
	switch {
	case a != nil && a.Account != nil && a.Account.ID == partnerID:
		t = a.Account.TenantID
	case a != nil && a.Account != nil && a.Account.ParentID == partnerID && a.Account.ParentTenantID != "":
		t = a.Account.ParentTenantID
	default:
		acc, err := j.s.svc.Accounts.FindAccountByID(j.ctx, partnerID)
		if err != nil {
			return "", err
		}
		t = acc.TenantID
	}
	j.tenants[partnerID] = t
	return t, nil
}

func (j *accessJSON) one(r *tenantdesk.AccessRequest) (apiAccessRequest, error) {
	pt, err := j.partnerTenant(r.PartnerID)
	if err != nil {
		return apiAccessRequest{}, err
	}
	out := apiAccessRequest{
		ID: tenantdesk.FormatAccessRequestID(r.ID), Name: r.Name, Message: r.Message,
		Partner:  apiAccountName{TenantID: pt, Name: r.PartnerName},
		Customer: apiAccountName{TenantID: r.AccountTenantID, Name: r.AccountName},
		Users:    make([]apiAccessUser, 0, len(r.Users)), Modes: make([]string, 0, len(r.Modes)),
		State: string(r.StateAt(j.now)), CreatedAt: apiTime(r.CreatedAt), UpdatedAt: apiTime(r.UpdatedAt),
	}
	for _, u := range r.Users {
		out.Users = append(out.Users, apiAccessUser{ID: tenantdesk.FormatUserID(u.UserID), DisplayName: u.DisplayName, Email: u.Email})
	}
	for _, m := range r.Modes {
		out.Modes = append(out.Modes, string(m))
	}
	if r.ExpiresAt != nil {
		out.ExpiresAt = apiTimePtr(*r.ExpiresAt)
	}
	if r.AnsweredAt != nil {
		out.Answer = &apiAccessAnswer{Message: r.AnswerMessage, AnsweredBy: r.AnsweredByName, AnsweredAt: apiTime(*r.AnsweredAt)}
	}
	if r.RequestedByID != 0 {
		out.RequestedBy = &apiPersonRef{ID: tenantdesk.FormatUserID(r.RequestedByID), DisplayName: r.RequestedByName}
	}
	return out, nil
}

func (j *accessJSON) list(rs []*tenantdesk.AccessRequest) ([]apiAccessRequest, error) {
	out := make([]apiAccessRequest, 0, len(rs))
	for _, r := range rs {
		v, err := j.one(r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// apiAccessRequestOK writes one request with 200.
func (s *Server) apiAccessRequestOK(c echo.Context, r *tenantdesk.AccessRequest) error {
	v, err := s.accessJSON(c).one(r)
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, v)
}

// ---- input ----

// parseAPITime reads an RFC 3339 date-time of field.
func parseAPITime(field, v string) (*time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
	if err != nil {
		return nil, apiFieldError(field, field+" must be an RFC 3339 date-time, e.g. 2026-12-31T17:00:00Z.")
	}
	t = t.UTC()
	return &t, nil
}

// decodeOptionalJSON decodes the body into dst as decodeJSON does, and
// accepts no body at all (dst stays as it is).
func decodeOptionalJSON(c echo.Context, dst any) error {
	b, err := readAPIBody(c)
	if err != nil {
		return err
	}
	if blankJSONBody(c, b) {
		return nil
	}
	return decodeJSON(c, dst)
}

// apiAccessRequestParam reads {requestId}: a malformed ID is 404, as an
// unknown one is.
func apiAccessRequestParam(c echo.Context) (int64, error) {
	return apiIDParam(c, "requestId", tenantdesk.ParseAccessRequestID)
}

// ---- handlers ----

// handleAPIListAccessRequests: GET /access-requests?state=
// A partner's token lists the partner's requests (partner.admin) or the
// requests naming its user (other partner staff); a customer's token lists
// the requests its account received.
func (s *Server) handleAPIListAccessRequests(c echo.Context) error {
	ctx := c.Request().Context()
	f := tenantdesk.AccessRequestFilter{State: tenantdesk.AccessState(c.QueryParam("state"))}
	if f.State != "" && !f.State.Valid() {
		return apiFieldError("state", "state must be one of pending, granted, denied, expired, revoked, withdrawn.")
	}
	a := tenantdesk.ActorFrom(ctx)
	var rs []*tenantdesk.AccessRequest
	var err error
	switch {
	case a.Account.IsPartner() && a.User.HasRole(tenantdesk.RolePartnerAdmin):
		rs, err = s.svc.Access.Outgoing(ctx, f)
	case a.Account.IsPartner():
		rs, err = s.svc.Access.MyZone(ctx, f)
	default:
		rs, err = s.svc.Access.Incoming(ctx, a.Account.ID, f)
	}
	if err != nil {
		return err
	}
	items, err := s.accessJSON(c).list(rs)
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, apiList(items, ""))
}

// apiAccessAssociation is one association of a new request: the partner
// users by ID and the customers by tenant ID.
type apiAccessAssociation struct {
	UserIDs     []string `json:"userIds"`
	CustomerIDs []string `json:"customerIds"`
}

// apiNewAccessRequest is the body of POST /access-requests.
type apiNewAccessRequest struct {
	Name         *string                 `json:"name"`
	Message      *string                 `json:"message"`
	Modes        *[]string               `json:"modes"`
	ExpiresAt    *string                 `json:"expiresAt"`
	Associations *[]apiAccessAssociation `json:"associations"`
}

// unknownKey stands for an ID that names nothing (malformed, or an unknown
// tenant): the service answers it ENOTFOUND like any user or customer that
// is not the partner's, after its own checks (partner.admin, the name…).
// Keys are positive, so none is ever found.
const unknownKey int64 = -1

// handleAPICreateAccessRequests: POST /access-requests (partner.admin).
// 201 with every per-customer request saved; Location is the first's.
func (s *Server) handleAPICreateAccessRequests(c echo.Context) error {
	ctx := c.Request().Context()
	var b apiNewAccessRequest
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if err := requireFields("name", b.Name != nil, "associations", b.Associations != nil); err != nil {
		return err
	}
	in := tenantdesk.NewAccessRequest{Name: *b.Name}
	if b.Message != nil {
		in.Message = *b.Message
	}
	if b.Modes != nil {
		modes, ok := tenantdesk.ParseAccessModes(*b.Modes)
		if !ok || len(modes) == 0 {
			return apiFieldError("modes", "modes must list one or both of support and configure (leave it out for both).")
		}
		in.Modes = modes
	}
	if b.ExpiresAt != nil {
		t, err := parseAPITime("expiresAt", *b.ExpiresAt)
		if err != nil {
			return err
		}
		in.ExpiresAt = t
	}
	tenants := map[string]int64{}
	for _, as := range *b.Associations {
		var assoc tenantdesk.AccessAssociation
		for _, raw := range as.UserIDs {
			id, ok := tenantdesk.ParseUserID(raw)
			if !ok {
				id = unknownKey
			}
			assoc.UserIDs = append(assoc.UserIDs, id)
		}
		for _, tid := range as.CustomerIDs {
			id, seen := tenants[tid]
			if !seen {
				id = unknownKey
				if tid != "" && len(tid) <= 64 {
					acc, err := s.svc.Accounts.FindAccountByTenantID(ctx, tid)
					if err == nil {
						id = acc.ID
					} else if tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
						return err
					}
				}
				tenants[tid] = id
			}
			assoc.AccountIDs = append(assoc.AccountIDs, id)
		}
		in.Associations = append(in.Associations, assoc)
	}
	rs, err := s.svc.Access.CreateAccessRequests(ctx, in)
	if err != nil {
		return err
	}
	items, err := s.accessJSON(c).list(rs)
	if err != nil {
		return err
	}
	if len(rs) > 0 {
		c.Response().Header().Set(echo.HeaderLocation, accessRequestLocation(rs[0]))
	}
	return apiJSON(c, http.StatusCreated, apiAccessBatch{Items: items})
}

// handleAPIGetAccessRequest: GET /access-requests/{requestId}
func (s *Server) handleAPIGetAccessRequest(c echo.Context) error {
	id, err := apiAccessRequestParam(c)
	if err != nil {
		return err
	}
	r, err := s.svc.Access.GetAccessRequest(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.apiAccessRequestOK(c, r)
}

// apiAccessPatch is the body of PATCH /access-requests/{requestId}:
// expiresAt is required, null removes the expiry (the customer only).
type apiAccessPatch struct {
	ExpiresAt json.RawMessage `json:"expiresAt" api:"nullable"`
}

// handleAPIUpdateAccessRequest: PATCH /access-requests/{requestId}
func (s *Server) handleAPIUpdateAccessRequest(c echo.Context) error {
	id, err := apiAccessRequestParam(c)
	if err != nil {
		return err
	}
	var b apiAccessPatch
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if err := requireFields("expiresAt", len(b.ExpiresAt) > 0); err != nil {
		return err
	}
	var expires *time.Time
	if string(b.ExpiresAt) != "null" {
		var v string
		if err := json.Unmarshal(b.ExpiresAt, &v); err != nil {
			return apiFieldError("expiresAt", "expiresAt must be an RFC 3339 date-time or null.")
		}
		if expires, err = parseAPITime("expiresAt", v); err != nil {
			return err
		}
	}
	r, err := s.svc.Access.SetExpiry(c.Request().Context(), id, expires)
	if err != nil {
		return err
	}
	return s.apiAccessRequestOK(c, r)
}

// handleAPIWithdrawAccessRequest: POST /access-requests/{requestId}/withdraw
// (partner.admin; no body, or {}).
func (s *Server) handleAPIWithdrawAccessRequest(c echo.Context) error {
	id, err := apiAccessRequestParam(c)
	if err != nil {
		return err
	}
	if err := apiNoBody(c); err != nil {
		return err
	}
	r, err := s.svc.Access.Withdraw(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.apiAccessRequestOK(c, r)
}

// apiAccessGrant is the optional body of …/grant.
type apiAccessGrant struct {
	Message   *string `json:"message"`
	ExpiresAt *string `json:"expiresAt"`
}

// handleAPIGrantAccessRequest: POST /access-requests/{requestId}/grant
// (the customer; optional message and expiry).
func (s *Server) handleAPIGrantAccessRequest(c echo.Context) error {
	id, err := apiAccessRequestParam(c)
	if err != nil {
		return err
	}
	var b apiAccessGrant
	if err := decodeOptionalJSON(c, &b); err != nil {
		return err
	}
	var ans tenantdesk.AccessAnswer
	if b.Message != nil {
		ans.Message = *b.Message
	}
	if b.ExpiresAt != nil {
		if ans.ExpiresAt, err = parseAPITime("expiresAt", *b.ExpiresAt); err != nil {
			return err
		}
	}
	r, err := s.svc.Access.Grant(c.Request().Context(), id, ans)
	if err != nil {
		return err
	}
	return s.apiAccessRequestOK(c, r)
}

// apiAccessMessage is the optional body of …/deny and …/revoke.
type apiAccessMessage struct {
	Message *string `json:"message"`
}

// handleAPIDenyAccessRequest: POST /access-requests/{requestId}/deny
func (s *Server) handleAPIDenyAccessRequest(c echo.Context) error {
	return s.apiAnswerAccessRequest(c, s.svc.Access.Deny)
}

// handleAPIRevokeAccessRequest: POST /access-requests/{requestId}/revoke
func (s *Server) handleAPIRevokeAccessRequest(c echo.Context) error {
	return s.apiAnswerAccessRequest(c, s.svc.Access.Revoke)
}

func (s *Server) apiAnswerAccessRequest(c echo.Context, act func(context.Context, int64, string) (*tenantdesk.AccessRequest, error)) error {
	id, err := apiAccessRequestParam(c)
	if err != nil {
		return err
	}
	var b apiAccessMessage
	if err := decodeOptionalJSON(c, &b); err != nil {
		return err
	}
	msg := ""
	if b.Message != nil {
		msg = *b.Message
	}
	r, err := act(c.Request().Context(), id, msg)
	if err != nil {
		return err
	}
	return s.apiAccessRequestOK(c, r)
}
