package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The REST API v1 framework (SPEC §5). Every API area plugs in the same way:
//
//   - Routes go into routes.go on the router returned by s.apiGroup(), with
//     paths relative to /api/v1. It authenticates the bearer token,
//     rate-limits, refuses writes with read-only tokens (403
//     read_only_token) and serves Idempotency-Key replays of POSTs, so
//     handlers do none of that.
//   - A handler parses with decodeJSON (strict: unknown fields, wrong types,
//     nulls, bad UTF-8 and oversize bodies are 400/413 problems naming the
//     field), resolves {tenantId} with s.apiCustomerParam and public IDs
//     with apiIDParam, reads ?limit=&cursor= with apiPageParams, calls ONE
//     service method (which authorizes: other accounts are ENOTFOUND) and
//     answers with apiJSON / apiCreated / apiList. It returns domain errors
//     as they are: the error handler turns them into problem+json through
//     apiProblemOf (api_problem.go), the one mapping of codes to statuses.
//   - The OpenAPI document is merged at start from web/openapi/*.json, one
//     fragment per area (api_openapi.go): add paths, schemas and the
//     area's problem codes (x-problem-codes) in your own fragment. The test
//     suite validates every request and response against it.
//
// Helpers in this file and api_problem.go, api_json.go are the stable
// interface for API areas.

// apiPrefix is where the API lives.
const apiPrefix = "/api/v1"

// echo.Context keys of the API.
const (
	ctxAPIToken = "api_token"
)

// apiRouter registers API routes under /api/v1, each with the API
// middleware: per-IP rate limit, token authentication, per-token rate
// limit, read-only tokens refused on writes, and Idempotency-Key handling
// on POST. (Not an echo.Group with Use: that adds a catch-all route, which
// would turn a wrong method into 404 instead of 405.)
type apiRouter struct {
	g  *echo.Group
	mw []echo.MiddlewareFunc
}

// apiGroup returns the API's router.
func (s *Server) apiGroup() *apiRouter {
	return &apiRouter{g: s.echo.Group(apiPrefix),
		mw: []echo.MiddlewareFunc{s.apiLimitIP, s.apiAuthenticate, s.apiLimitToken, s.apiRefuseReadOnly, s.apiIdempotency}}
}

func (r *apiRouter) add(method, path string, h echo.HandlerFunc, m []echo.MiddlewareFunc) *echo.Route {
	return r.g.Add(method, path, h, append(append([]echo.MiddlewareFunc{}, r.mw...), m...)...)
}

// GET registers a GET route (paths relative to /api/v1).
func (r *apiRouter) GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodGet, path, h, m)
}

// POST registers a POST route.
func (r *apiRouter) POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPost, path, h, m)
}

// PUT registers a PUT route.
func (r *apiRouter) PUT(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPut, path, h, m)
}

// PATCH registers a PATCH route.
func (r *apiRouter) PATCH(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodPatch, path, h, m)
}

// DELETE registers a DELETE route.
func (r *apiRouter) DELETE(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route {
	return r.add(http.MethodDelete, path, h, m)
}

// apiAuthenticate checks the bearer token and puts its user and account,
// loaded fresh (current rights, current status), into the request as the
// actor. No session and no CSRF: the API never reads cookies.
func (s *Server) apiAuthenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, secret, _ := strings.Cut(h, " ")
		if h == "" || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return &tenantdesk.Error{Code: tenantdesk.EUNAUTHORIZED,
				Message: "Send an API token as \"Authorization: Bearer <token>\". Create one on My profile › API tokens."}
		}
		if s.svc.Tokens == nil {
			return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "API tokens are not available.")
		}
		r := c.Request()
		auth, err := s.svc.Tokens.AuthenticateToken(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			if tenantdesk.ErrorCode(err) == tenantdesk.EUNAUTHORIZED {
				c.Set(ctxAPIBadToken, true)
			}
			return err
		}
		c.Set(ctxAPIToken, auth.Token)
		c.Set(ctxUser, auth.User)
		c.Set(ctxAccount, auth.Account)
		actor := &tenantdesk.Actor{User: auth.User, Account: auth.Account, IP: c.RealIP()}
		ctx := tenantdesk.WithActor(r.Context(), actor)
		if auth.Account.IsPartner() && s.svc.Access != nil {
			// Partner staff enter customers that granted them access, with
			// the grant's modes (SPEC §4): read on every request, so a
			// revoked or expired grant stops the very next call.
			if actor.Grants, err = s.svc.Access.LiveGrants(ctx); err != nil {
				return err
			}
		}
		c.SetRequest(r.WithContext(ctx))
		return next(c)
	}
}

// ctxAPIBadToken marks a request whose token was refused, for the
// WWW-Authenticate error attribute.
const ctxAPIBadToken = "api_bad_token"

// apiToken returns the request's API token (nil before authentication).
func apiToken(c echo.Context) *tenantdesk.APIToken {
	t, _ := c.Get(ctxAPIToken).(*tenantdesk.APIToken)
	return t
}

// apiRefuseReadOnly refuses every method but GET and HEAD with a read-only token.
func (s *Server) apiRefuseReadOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if t := apiToken(c); t != nil && t.ReadOnly {
			if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
				return &tenantdesk.Error{Code: tenantdesk.EReadOnlyToken,
					Message: "This token is read-only: it cannot change anything. Use a token without the read-only setting."}
			}
		}
		return next(c)
	}
}

// ---- parameters ----

// Objects travel in the API by their public IDs (SPEC §1: "us…", "dv…",
// tenantdesk.FormatUserID and friends), never by the database's keys.

// apiIDParam parses the path parameter name with parse (one of the
// tenantdesk.Parse…ID); anything else, an ID of another type included, is
// ENOTFOUND, as an unknown ID is.
func apiIDParam(c echo.Context, name string, parse func(string) (int64, bool)) (int64, error) {
	id, ok := parse(c.Param(name))
	if !ok {
		return 0, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	return id, nil
}

// apiCustomerAndID reads the customer ({tenantId}, as apiCustomerParam)
// and the public ID named idParam ({userId}, {deviceId}, parsed with parse)
// of a path such as …/customers/{tenantId}/users/{userId}.
func (s *Server) apiCustomerAndID(c echo.Context, idParam string, parse func(string) (int64, bool)) (*tenantdesk.Account, int64, error) {
	acc, err := s.apiCustomerParam(c)
	if err != nil {
		return nil, 0, err
	}
	id, err := apiIDParam(c, idParam, parse)
	if err != nil {
		return nil, 0, err
	}
	return acc, id, nil
}

// apiCustomerParam resolves the {tenantId} path parameter to a customer
// account the actor may see at all (its own account, or a customer of the
// actor's partner account for its partner.admin). Anything else — unknown,
// another account, a partner account — is ENOTFOUND. Finer rights (user
// admin, device access) are the services' to check.
func (s *Server) apiCustomerParam(c echo.Context) (*tenantdesk.Account, error) {
	ctx := c.Request().Context()
	tid := c.Param("tenantId")
	if tid == "" || len(tid) > 64 {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
	}
	actor := tenantdesk.ActorFrom(ctx)
	if actor != nil && actor.Account != nil && actor.Account.TenantID == tid && actor.Account.Kind == tenantdesk.AccountCustomer {
		// The token's own account, read with the token on this request.
		return actor.Account, nil
	}
	acc, err := s.svc.Accounts.FindAccountByTenantID(ctx, tid)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
	} else if err != nil {
		return nil, err
	}
	if acc.Kind != tenantdesk.AccountCustomer {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
	}
	if tenantdesk.AccessTo(actor, acc) == tenantdesk.AccessNone {
		// Refusals of an existing account are logged as denied access
		// (handleError); the caller sees what an unknown ID gets.
		if tenantdesk.IsPartnerStaffOf(actor, acc) {
			// Its partner's staff know the customer; it lets in named
			// staff only (SPEC §4).
			err := tenantdesk.ErrAccessRequestRequired(acc)
			err.Denied = true
			return nil, err
		}
		return nil, &tenantdesk.Error{Code: tenantdesk.ENOTFOUND, Message: "Customer not found.", Denied: true}
	}
	return acc, nil
}

// apiPage is the ?limit=&cursor= of a list request.
type apiPage struct {
	Limit  int
	Cursor string
}

// apiPageParams reads limit (1–200, default 50) and cursor; a bad limit is
// a 400 naming the field. The services check the cursor itself.
func apiPageParams(c echo.Context) (apiPage, error) {
	p := apiPage{Limit: tenantdesk.DefaultPageSize, Cursor: c.QueryParam("cursor")}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > tenantdesk.MaxPageSize {
			return p, apiFieldError("limit", "limit must be an integer from 1 to 200.")
		}
		p.Limit = n
	}
	if len(p.Cursor) > 1024 {
		return p, apiFieldError("cursor", "Invalid cursor.")
	}
	return p, nil
}

// apiFieldError is an EINVALID error on one field.
func apiFieldError(field, msg string) error {
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg,
		Fields: []tenantdesk.FieldError{{Field: field, Message: msg}}}
}

// ---- answers ----

// apiListBody is the shape of every list: {"items": [...], "nextCursor": …}
// with nextCursor null on the last page.
type apiListBody[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// apiList builds a list body; items is never null in JSON.
func apiList[T any](items []T, next string) apiListBody[T] {
	if items == nil {
		items = []T{}
	}
	b := apiListBody[T]{Items: items}
	if next != "" {
		b.NextCursor = &next
	}
	return b
}

// apiTime is the JSON form of a time: RFC 3339 in UTC with milliseconds.
func apiTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

// apiTimePtr is apiTime for optional times: nil (JSON null) when zero.
func apiTimePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := apiTime(t)
	return &s
}

// apiCreated answers 201 with a Location header and the new object.
func apiCreated(c echo.Context, location string, v any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return apiJSON(c, http.StatusCreated, v)
}

// apiAccepted answers 202 for queued work (emails).
func apiAccepted(c echo.Context) error {
	return apiJSON(c, http.StatusAccepted, map[string]string{"status": "queued"})
}
