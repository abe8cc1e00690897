package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Problem codes of the API framework itself (the domain's codes are in
// internal/tenantdesk). Every code is listed with its status in the
// OpenAPI document's x-problem-codes.
const (
	codeValidationFailed     = "validation_failed"
	codeMalformedJSON        = "malformed_json"
	codeUnsupportedMediaType = "unsupported_media_type"
	codeBodyTooLarge         = "body_too_large"
	codeUnauthorized         = "unauthorized"
	codeForbidden            = "forbidden"
	codeNotFound             = "not_found"
	codeMethodNotAllowed     = "method_not_allowed"
	codeConflict             = "conflict"
	codeRateLimited          = "rate_limited"
	codeInternal             = "internal_error"
)

// apiProblem is an RFC 9457 problem+json body. code is the stable,
// machine-readable reason (SPEC §2 rule codes verbatim); errors lists the
// fields at fault.
type apiProblem struct {
	Type   string          `json:"type"`
	Title  string          `json:"title"`
	Status int             `json:"status"`
	Detail string          `json:"detail"`
	Code   string          `json:"code"`
	Errors []apiFieldIssue `json:"errors,omitempty"`
	// ExistingUserID names the user who has the email of an email_taken,
	// when they are in the account the request writes (SPEC §5).
	ExistingUserID string `json:"existingUserId,omitempty"`

	retryAfter int
}

// apiFieldIssue is one entry of a problem's errors.
type apiFieldIssue struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiProblemOf maps any error to its problem: domain errors by code with
// their message and fields, echo's HTTP errors (unknown route, wrong
// method, body limit) by status, anything else as an internal error that
// reveals nothing.
func apiProblemOf(err error) *apiProblem {
	var he *echo.HTTPError
	if errors.As(err, &he) && tenantdesk.AsError(err) == nil {
		p := &apiProblem{Status: he.Code, Detail: http.StatusText(he.Code)}
		switch he.Code {
		case http.StatusNotFound:
			p.Code, p.Detail = codeNotFound, "There is no such API endpoint or object."
		case http.StatusMethodNotAllowed:
			p.Code, p.Detail = codeMethodNotAllowed, "This endpoint does not support this method."
		case http.StatusRequestEntityTooLarge:
			p.Code, p.Detail = codeBodyTooLarge, "The request body is too large."
		case http.StatusUnauthorized:
			p.Code = codeUnauthorized
		case http.StatusForbidden:
			p.Code = codeForbidden
		case http.StatusTooManyRequests:
			p.Code = codeRateLimited
		case http.StatusBadRequest:
			p.Code = codeValidationFailed
		default:
			if he.Code >= 500 {
				p.Code, p.Detail = codeInternal, "Internal error."
			} else {
				p.Code = codeValidationFailed
			}
		}
		p.Title = http.StatusText(p.Status)
		return p
	}
	de := tenantdesk.AsError(err)
	if de == nil {
		return &apiProblem{Status: http.StatusInternalServerError, Title: http.StatusText(http.StatusInternalServerError),
			Detail: "Internal error.", Code: codeInternal}
	}
	status := apiStatusOf(de.Code)
	p := &apiProblem{Status: status, Title: http.StatusText(status), Detail: de.Message, Code: apiCodeOf(de.Code),
		retryAfter: de.RetryAfterSeconds}
	if status >= 500 {
		p.Code, p.Detail = codeInternal, "Internal error."
	}
	for _, f := range de.Fields {
		p.Errors = append(p.Errors, apiFieldIssue{Field: f.Field, Message: f.Message})
	}
	if de.ExistingUserID != 0 {
		p.ExistingUserID = tenantdesk.FormatUserID(de.ExistingUserID)
	}
	return p
}

// apiHandleError writes err as problem+json (called by handleError for
// /api/ paths).
func (s *Server) apiHandleError(err error, c echo.Context) {
	p := apiProblemOf(err)
	if p.Status >= 500 {
		s.log.Error("api request failed", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"path", c.Request().URL.Path, "error", err.Error())
	}
	s.writeProblem(c, p)
}

// writeProblem writes p; the type is a link to the code's entry in the
// API reference page, under the configured base URL (never the request's
// Host header, which the client chooses).
func (s *Server) writeProblem(c echo.Context, p *apiProblem) {
	p.Type = s.cfg.BaseURL + "/api-docs#problem-" + p.Code
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/problem+json")
	switch p.Status {
	case http.StatusUnauthorized:
		if h.Get(echo.HeaderWWWAuthenticate) != "" {
			break // the endpoint named its own realm (the FTP check)
		}
		v := `Bearer realm="tenantdesk"`
		if bad, _ := c.Get(ctxAPIBadToken).(bool); bad {
			v += `, error="invalid_token"`
		}
		h.Set(echo.HeaderWWWAuthenticate, v)
	case http.StatusTooManyRequests:
		if p.retryAfter < 1 {
			p.retryAfter = 1
		}
		h.Set(echo.HeaderRetryAfter, strconv.Itoa(p.retryAfter))
	}
	b, _ := json.Marshal(p)
	c.Response().WriteHeader(p.Status)
	_, _ = c.Response().Write(append(b, '\n'))
}
