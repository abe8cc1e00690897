package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	errpages "github.com/tenantdesk/tenantdesk/templates/pages/errors"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// statusOf maps a domain error code to its HTTP status (SPEC §5).
func statusOf(code string) int {
	switch code {
	case tenantdesk.EINVALID:
		return http.StatusBadRequest
	case tenantdesk.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case tenantdesk.EFORBIDDEN:
		return http.StatusForbidden
	case tenantdesk.ENOTFOUND:
		return http.StatusNotFound
	case tenantdesk.ECONFLICT, tenantdesk.EEmailTaken:
		return http.StatusConflict
	case tenantdesk.ETHROTTLED:
		return http.StatusTooManyRequests
	case tenantdesk.ERolePrerequisiteMissing, tenantdesk.ESupervisorRolesExclusive, tenantdesk.ELastUserAdmin,
		tenantdesk.EAdminRequiredFirst, tenantdesk.EOwnerImmutable, tenantdesk.EUnknownRole, tenantdesk.EEmailChangeSelfService:
		return http.StatusUnprocessableEntity
	case tenantdesk.EAPIAccessRequired:
		return http.StatusForbidden
	case tenantdesk.ESoftphoneRoleRequired, tenantdesk.ENotASoftphone: // devices (account_devices.go)
		return http.StatusUnprocessableEntity
	case tenantdesk.ESoftphoneAssigned, tenantdesk.EMacAddressTaken:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// handleError is echo's error handler: a friendly, translated page that
// leaks nothing (internal errors are logged with the request ID, which the
// page shows so support can find the log line).
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	} else if de := tenantdesk.AsError(err); de != nil {
		status = statusOf(de.Code)
	}
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", "request_id", reqID, "path", c.Request().URL.Path, "error", err.Error())
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		s.apiHandleError(err, c) // problem+json (api_problem.go)
		return
	}
	if !view.Has(c.Request().Context()) {
		s.setView(c)
	}
	ctx := c.Request().Context()
	v := errpages.ErrorView{Status: status, RequestID: reqID}
	switch {
	case status == http.StatusNotFound:
		v.Title, v.Message = view.T(ctx, "error.404.title"), view.T(ctx, "error.404.message")
	case status == http.StatusForbidden && he != nil && he.Message == "csrf":
		v.Title, v.Message = view.T(ctx, "error.csrf.title"), view.T(ctx, "error.csrf.message")
	case status == http.StatusForbidden:
		v.Title, v.Message = view.T(ctx, "error.403.title"), view.T(ctx, "error.403.message")
	case status == http.StatusMethodNotAllowed:
		v.Title, v.Message = view.T(ctx, "error.405.title"), view.T(ctx, "error.405.message")
	case status == http.StatusRequestEntityTooLarge:
		v.Title, v.Message = view.T(ctx, "error.413.title"), view.T(ctx, "error.413.message")
	case status == http.StatusTooManyRequests:
		v.Title, v.Message = view.T(ctx, "error.429.title"), view.T(ctx, "error.429.message")
	case status >= 500:
		v.Title, v.Message = view.T(ctx, "error.500.title"), view.T(ctx, "error.500.message")
	default:
		v.Title, v.Message = view.T(ctx, "error.400.title"), view.T(ctx, "error.400.message")
	}
	if status < 500 {
		v.RequestID = ""
	}
	if rerr := render(c, status, errpages.Error(v)); rerr != nil {
		s.log.Error("render error page", "request_id", reqID, "error", rerr.Error())
		_ = c.String(status, http.StatusText(status))
	}
}

// problem writes an RFC 9457 problem+json body.
func (s *Server) problem(c echo.Context, status int, code, detail string) error {
	body := map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
		"detail": detail,
	}
	if code != "" {
		body["code"] = code
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(status)
	return json.NewEncoder(c.Response()).Encode(body)
}
