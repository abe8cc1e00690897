package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	errpages "github.com/tenantdesk/tenantdesk/templates/pages/errors"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// errorKind is what the web layer knows of one error code: its HTTP
// status, its problem code in the API (empty: the code itself) and
// whether the person can fix it (a page re-renders the form with the
// message instead of showing an error page).
type errorKind struct {
	status  int
	apiCode string
	fixable bool
}

// errorKinds is the one table from error code to HTTP status, API code and
// "the user can fix it", for pages and API alike (SPEC §5): a new domain
// code is one row. A code not in it is a fault (500, logged).
var errorKinds = map[string]errorKind{
	// Generic codes (internal/tenantdesk/error.go).
	tenantdesk.EINVALID:      {http.StatusBadRequest, codeValidationFailed, true},
	tenantdesk.EUNAUTHORIZED: {http.StatusUnauthorized, codeUnauthorized, false},
	tenantdesk.EFORBIDDEN:    {http.StatusForbidden, codeForbidden, false},
	tenantdesk.ENOTFOUND:     {http.StatusNotFound, codeNotFound, false},
	tenantdesk.ECONFLICT:     {http.StatusConflict, codeConflict, true},
	tenantdesk.ETHROTTLED:    {http.StatusTooManyRequests, codeRateLimited, false},
	tenantdesk.EINTERNAL:     {http.StatusInternalServerError, codeInternal, false},
	// The rules of SPEC §2 (R1–R8, R11).
	tenantdesk.ERolePrerequisiteMissing:  {http.StatusUnprocessableEntity, "", true},
	tenantdesk.ESupervisorRolesExclusive: {http.StatusUnprocessableEntity, "", true},
	tenantdesk.ELastUserAdmin:            {http.StatusUnprocessableEntity, "", true},
	tenantdesk.EAdminRequiredFirst:       {http.StatusUnprocessableEntity, "", true},
	tenantdesk.EOwnerImmutable:           {http.StatusUnprocessableEntity, "", true},
	tenantdesk.EUnknownRole:              {http.StatusUnprocessableEntity, "", true},
	tenantdesk.EEmailChangeSelfService:   {http.StatusUnprocessableEntity, "", true},
	tenantdesk.EEmailTaken:               {http.StatusConflict, "", true},
	tenantdesk.EEssentialVariantMismatch: {http.StatusUnprocessableEntity, "", true}, // the account's essential-user variant (settings.go)
	// Users and emails.
	tenantdesk.EUserNotInvited:  {http.StatusUnprocessableEntity, "", true},
	tenantdesk.ENoWebsiteAccess: {http.StatusUnprocessableEntity, "", true},
	tenantdesk.EUserDisabled:    {http.StatusUnprocessableEntity, "", true},
	tenantdesk.EUCRoleRequired:  {http.StatusUnprocessableEntity, "", true},
	// Devices (account_devices.go, api_devices.go).
	tenantdesk.ESoftphoneRoleRequired: {http.StatusUnprocessableEntity, "", true},
	tenantdesk.ENotASoftphone:         {http.StatusUnprocessableEntity, "", true},
	tenantdesk.ESoftphoneAssigned:     {http.StatusConflict, "", true},
	tenantdesk.EMacAddressTaken:       {http.StatusConflict, "", true},
	// The API's own (api.go, api_json.go, api_idempotency.go).
	tenantdesk.EAPIAccessRequired: {http.StatusForbidden, "", false},
	tenantdesk.EAccountDisabled:   {http.StatusForbidden, "", false},
	// Access requests (SPEC §4).
	tenantdesk.ERequestNameInvalid:    {http.StatusBadRequest, "", true},
	tenantdesk.ERequestNotPending:     {http.StatusConflict, "", false},
	tenantdesk.ERequestNotGranted:     {http.StatusConflict, "", false},
	tenantdesk.ERequestClosed:         {http.StatusConflict, "", false},
	tenantdesk.EGrantExpired:          {http.StatusConflict, "", false},
	tenantdesk.EAccessRequestRequired: {http.StatusForbidden, "", false},
	tenantdesk.EImpersonating:         {http.StatusForbidden, "", false},
	tenantdesk.EReadOnlyToken:         {http.StatusForbidden, "", false},
	tenantdesk.EIdempotencyKeyInUse:   {http.StatusConflict, "", false},
	tenantdesk.EIdempotencyKeyReused:  {http.StatusUnprocessableEntity, "", false},
	codeMalformedJSON:                 {http.StatusBadRequest, "", false},
	codeUnsupportedMediaType:          {http.StatusUnsupportedMediaType, "", false},
	codeBodyTooLarge:                  {http.StatusRequestEntityTooLarge, "", false},
}

// kindOf returns the table's row for code; an unknown code is a fault.
func kindOf(code string) errorKind {
	if k, ok := errorKinds[code]; ok {
		return k
	}
	return errorKind{status: http.StatusInternalServerError, apiCode: codeInternal}
}

// statusOf is the HTTP status of a domain error code.
func statusOf(code string) int { return kindOf(code).status }

// apiCodeOf is the problem code of a domain error code in the API.
func apiCodeOf(code string) string {
	k := kindOf(code)
	if k.apiCode != "" {
		return k.apiCode
	}
	return code
}

// apiStatusOf is the HTTP status of an error code in the API (the same as on pages).
func apiStatusOf(code string) int { return statusOf(code) }

// isUserError reports whether err is something the person can fix (bad
// input or a broken rule), as opposed to "not found", "forbidden" or a fault.
func isUserError(err error) bool {
	return err != nil && tenantdesk.AsError(err) != nil && kindOf(tenantdesk.ErrorCode(err)).fixable
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
	if de := tenantdesk.AsError(err); de != nil && de.Denied {
		// A security event: someone asked for an account, or a level in
		// it, that is not theirs. The answer stays a plain 404 or 403.
		attrs := []any{"request_id", reqID, "method", c.Request().Method, "path", c.Request().URL.Path, "code", de.Code, "ip", c.RealIP()}
		if a := tenantdesk.ActorFrom(c.Request().Context()); a != nil && a.User != nil {
			attrs = append(attrs, "user_id", a.User.ID, "account_id", a.User.AccountID)
		}
		s.log.Warn("access denied", attrs...)
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
	case errors.Is(err, errCSRF):
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
