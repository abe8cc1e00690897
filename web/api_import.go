package web

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// API: POST /customers/{tenantId}/user-imports (SPEC §5, seed 001 step 2):
// the Users tab's import for clients. The body is the CSV file
// (text/csv, with its header row) or JSON ({"rows": [...], "dryRun"});
// ?dryRun=true (or "dryRun": true) checks without writing. The answer is
// 200 with every row's result: the same service, rules and audit as the
// pages (tenantdesk.UserImportService).

// apiImportPath is the route, relative to /api/v1.
const apiImportPath = "/customers/:tenantId/user-imports"

// apiImportRoutes registers POST /api/v1/customers/{tenantId}/user-imports.
// Its bodies may be up to tenantdesk.MaxImportBytes (the API's other
// routes take 64 KiB): the limit is set before the API middleware reads
// the body (the Idempotency-Key fingerprint).
func (s *Server) apiImportRoutes(api *apiRouter) {
	raise := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(ctxAPIMaxBody, tenantdesk.MaxImportBytes)
			return next(c)
		}
	}
	api.g.Add(http.MethodPost, apiImportPath, s.handleAPIUserImport, append([]echo.MiddlewareFunc{raise}, api.mw...)...)
}

// apiImportRow is one row of a JSON import.
type apiImportRow struct {
	DisplayName *string  `json:"displayName"`
	Email       *string  `json:"email"`
	Extension   *string  `json:"extension"`
	Roles       []string `json:"roles"`
	ACDAgent    *bool    `json:"acdAgent"`
}

type apiImportInput struct {
	Rows   *[]apiImportRow `json:"rows"`
	DryRun *bool           `json:"dryRun"`
}

// apiImportIssue is one problem of a row.
type apiImportIssue struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiImportRowResult is what became of one row.
type apiImportRowResult struct {
	Row      int              `json:"row"`
	Status   string           `json:"status"`
	UserID   *string          `json:"userId"`
	Roles    []string         `json:"roles"`
	Errors   []apiImportIssue `json:"errors"`
	Warnings []apiImportIssue `json:"warnings"`
}

// apiImportResult is the answer.
type apiImportResult struct {
	DryRun       bool                 `json:"dryRun"`
	Imported     int                  `json:"imported"`
	Valid        int                  `json:"valid"`
	Invalid      int                  `json:"invalid"`
	Rows         []apiImportRowResult `json:"rows"`
	AutoAssigned []apiAutoAssignment  `json:"autoAssigned"`
}

// apiRowCode is a row problem's code as the API writes it: the problem
// code of a domain code the error table knows, else the code itself
// (duplicate_email, acd_not_assigned).
func apiRowCode(code string) string {
	if _, ok := errorKinds[code]; ok {
		return apiCodeOf(code)
	}
	return code
}

func apiImportIssues(in []tenantdesk.ImportIssue) []apiImportIssue {
	out := make([]apiImportIssue, 0, len(in))
	for _, is := range in {
		out = append(out, apiImportIssue{Field: is.Field, Code: apiRowCode(is.Code), Message: is.Message})
	}
	return out
}

// handleAPIUserImport imports (or with dryRun, checks) users into a customer.
func (s *Server) handleAPIUserImport(c echo.Context) error {
	acc, err := s.apiCustomerParam(c)
	if err != nil {
		return err
	}
	dryRun := false
	if q := c.QueryParam("dryRun"); q != "" {
		if dryRun, err = strconv.ParseBool(q); err != nil {
			return apiFieldError("dryRun", "dryRun must be true or false.")
		}
	}
	var rows []tenantdesk.ImportRow
	if isCSV(c.Request().Header.Get(echo.HeaderContentType)) {
		b, err := readAPIBody(c)
		if err != nil {
			return err
		}
		if !utf8.Valid(b) {
			return errMalformed("The request body is not valid UTF-8.")
		}
		if rows, err = tenantdesk.ParseImportCSV(b); err != nil {
			return err
		}
	} else {
		var in apiImportInput
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
		if err := requireFields("rows", in.Rows != nil); err != nil {
			return err
		}
		if in.DryRun != nil && *in.DryRun {
			dryRun = true
		}
		for _, r := range *in.Rows {
			row := tenantdesk.ImportRow{DisplayName: str(r.DisplayName), Email: str(r.Email), Extension: str(r.Extension), Roles: r.Roles}
			row.ACDAgent = r.ACDAgent != nil && *r.ACDAgent
			rows = append(rows, row)
		}
	}
	ctx := c.Request().Context()
	var res *tenantdesk.ImportResult
	if dryRun {
		res, err = s.svc.Imports.Preview(ctx, acc.ID, rows)
	} else {
		res, err = s.svc.Imports.Import(ctx, acc.ID, rows)
	}
	if err != nil {
		return err
	}
	out := apiImportResult{DryRun: dryRun, Imported: res.Imported, Valid: res.Valid, Invalid: res.Invalid,
		Rows: make([]apiImportRowResult, 0, len(res.Rows)), AutoAssigned: []apiAutoAssignment{}}
	for _, r := range res.Rows {
		row := apiImportRowResult{Row: r.Row, Status: r.Status, Roles: r.Roles, Errors: apiImportIssues(r.Errors), Warnings: apiImportIssues(r.Warnings)}
		if row.Roles == nil {
			row.Roles = []string{}
		}
		if r.User != nil {
			id := tenantdesk.FormatUserID(r.User.ID)
			row.UserID = &id
		}
		out.Rows = append(out.Rows, row)
	}
	for _, a := range res.AutoAssigned {
		out.AutoAssigned = append(out.AutoAssigned, apiAutoAssignment{UserID: tenantdesk.FormatUserID(a.UserID), DisplayName: a.DisplayName, Role: a.Role})
	}
	return apiJSON(c, http.StatusOK, out)
}

// isCSV reports whether a Content-Type names CSV.
func isCSV(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return strings.EqualFold(mt, "text/csv")
}
