package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/onboarding"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// The user import of the Users tab (About account › Users › Import users)
// and Partnerdesk's New customer wizard. Both are plain POST forms that
// work without JavaScript: the import carries the uploaded file's text
// from the preview to the confirmation in a hidden field, the wizard
// carries every step's input in hidden fields; nothing is written before
// the last step, and the services check everything again then.

// onboardingRoutes registers the onboarding wizard and user import pages.
func (s *Server) onboardingRoutes() {
	e := s.echo
	e.GET(onboarding.ImportURL, s.handleImportPage, s.requireUser)
	e.GET(onboarding.ImportTemplateURL, s.handleImportTemplate, s.requireUser)
	e.POST(onboarding.ImportPreviewURL, s.handleImportPreview, s.requireUser)
	e.POST(onboarding.ImportURL, s.handleImport, s.requireUser)
	e.GET(onboarding.WizardURL, s.handleWizardStart, s.requireUser)
	e.POST(onboarding.WizardURL, s.handleWizard, s.requireUser)
}

// importBodyLimit is the body limit of the routes that take a whole import
// (a file of tenantdesk.MaxImportRows rows, as multipart or JSON), instead
// of the server's BodyLimit.
const importBodyLimit = "5M"

// largeBodyRoute reports whether the request's route takes an import
// (routes.go gives those importBodyLimit).
func largeBodyRoute(c echo.Context) bool {
	switch c.Path() {
	case onboarding.ImportPreviewURL, onboarding.ImportURL, onboarding.WizardURL, apiPrefix + apiImportPath:
		return c.Request().Method == http.MethodPost
	}
	return false
}

// ---- the import on the Users tab ----

// importAccount is the current account when the actor may import users
// into it: a customer account they manage users of (else 404 or 403).
func (s *Server) importAccount(c echo.Context) (*tenantdesk.Account, error) {
	acc := currentAccount(c)
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(c.Request().Context()), acc, tenantdesk.AccessUserAdmin); err != nil {
		return nil, err
	}
	if acc.Kind != tenantdesk.AccountCustomer {
		return nil, echo.ErrNotFound
	}
	return acc, nil
}

func (s *Server) importView(c echo.Context, acc *tenantdesk.Account) onboarding.ImportView {
	return onboarding.ImportView{Account: acc, Access: accountAccess(c.Request().Context(), acc)}
}

// handleImportPage is the upload form with the file's format.
func (s *Server) handleImportPage(c echo.Context) error {
	acc, err := s.importAccount(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, onboarding.ImportUpload(s.importView(c, acc)))
}

// importTemplateCSV is the file the format links to: the header and two
// example rows.
const importTemplateCSV = "displayName,email,extension,roles,acdAgent\r\n" +
	"Ann Example,ann@example.com,201,,yes\r\n" +
	"Bob Example,bob@example.com,202,customer.user;customer.user.supervisorl1,no\r\n"

// handleImportTemplate sends the CSV template.
func (s *Server) handleImportTemplate(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="tenantdesk-users.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", []byte(importTemplateCSV))
}

// formCSV reads an import's text from the form: the uploaded file named
// fileField when one was chosen, else the text field textField. An
// unreadable or oversize file is an error on field "file".
func formCSV(c echo.Context, fileField, textField string) (string, error) {
	fh, err := c.FormFile(fileField)
	if err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return "", err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, tenantdesk.MaxImportBytes+1))
		if err != nil {
			return "", err
		}
		if len(b) > tenantdesk.MaxImportBytes {
			_, err := tenantdesk.ParseImportCSV(b) // the file-too-large error
			return "", err
		}
		return string(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))), nil
	} else if err != nil && !errors.Is(err, http.ErrMissingFile) && !errors.Is(err, http.ErrNotMultipart) {
		return "", err
	}
	return c.FormValue(textField), nil
}

// handleImportPreview checks the uploaded or pasted rows and lists every
// one with its problems; nothing is written.
func (s *Server) handleImportPreview(c echo.Context) error {
	ctx := c.Request().Context()
	acc, err := s.importAccount(c)
	if err != nil {
		return err
	}
	v := s.importView(c, acc)
	text, err := formCSV(c, "file", "csv")
	if isUserError(err) {
		v.FileError = errorText(ctx, err)
		return render(c, http.StatusOK, onboarding.ImportUpload(v))
	} else if err != nil {
		return err
	}
	v.CSV = text
	rows, err := tenantdesk.ParseImportCSV([]byte(text))
	if isUserError(err) {
		v.FileError = errorText(ctx, err)
		return render(c, http.StatusOK, onboarding.ImportUpload(v))
	} else if err != nil {
		return err
	}
	res, err := s.svc.Imports.Preview(ctx, acc.ID, rows)
	if err != nil {
		return err
	}
	v.Table = importTable(ctx, res, false)
	return render(c, http.StatusOK, onboarding.ImportPreview(v))
}

// handleImport imports the confirmed file's valid rows and shows the result.
func (s *Server) handleImport(c echo.Context) error {
	ctx := c.Request().Context()
	acc, err := s.importAccount(c)
	if err != nil {
		return err
	}
	v := s.importView(c, acc)
	v.CSV = c.FormValue("csv")
	rows, err := tenantdesk.ParseImportCSV([]byte(v.CSV))
	if isUserError(err) {
		v.FileError = errorText(ctx, err)
		return render(c, http.StatusOK, onboarding.ImportUpload(v))
	} else if err != nil {
		return err
	}
	res, err := s.svc.Imports.Import(ctx, acc.ID, rows)
	if err != nil {
		return err
	}
	v.Table = importTable(ctx, res, true)
	v.CSV = ""
	if len(res.AutoAssigned) > 0 {
		v.AutoAssigned = autoAssignedText(ctx, res.AutoAssigned)
	}
	return render(c, http.StatusOK, onboarding.ImportDone(v))
}

// autoAssignedText says who got a role automatically (R7).
func autoAssignedText(ctx context.Context, as []tenantdesk.AutoAssignment) string {
	var names []string
	for _, a := range as {
		names = append(names, a.DisplayName)
	}
	return view.T(ctx, "users.flash.auto_assigned", map[string]any{"Names": joinNames(names)})
}

// importTable turns an import's result into the table of the pages: every
// row with a problem, the valid ones up to MaxShownValidRows.
func importTable(ctx context.Context, res *tenantdesk.ImportResult, done bool) onboarding.Table {
	t := onboarding.Table{Total: len(res.Rows), Valid: res.Valid, Invalid: res.Invalid, Imported: res.Imported, Done: done}
	shown := 0
	for _, r := range res.Rows {
		if r.Status != tenantdesk.ImportInvalid && len(r.Warnings) == 0 {
			if shown >= onboarding.MaxShownValidRows {
				t.HiddenValid++
				continue
			}
			shown++
		}
		roles := r.Roles
		if r.Status == tenantdesk.ImportInvalid {
			roles = r.Input.Roles
		}
		row := onboarding.Row{Row: r.Row, DisplayName: r.Input.DisplayName, Email: r.Input.Email, Extension: r.Input.Extension,
			Roles: roleLabels(ctx, roles), ACDAgent: r.Input.ACDAgent, Status: r.Status}
		if r.User != nil {
			row.UserURL = "/account/users/" + tenantdesk.FormatUserID(r.User.ID)
		}
		row.Errors = issues(ctx, r.Errors)
		row.Warnings = issues(ctx, r.Warnings)
		t.Rows = append(t.Rows, row)
	}
	return t
}

// roleLabels translates role keys in the order given; an unknown key stays as it is.
func roleLabels(ctx context.Context, keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if tenantdesk.LookupRole(k) != nil {
			out = append(out, view.T(ctx, "role."+k+".name"))
		} else {
			out = append(out, k)
		}
	}
	return out
}

// issues translates a row's problems.
func issues(ctx context.Context, in []tenantdesk.ImportIssue) []onboarding.Issue {
	out := make([]onboarding.Issue, 0, len(in))
	for _, is := range in {
		args := is.Args
		if key, ok := args["ReasonKey"].(string); ok {
			// A rule's message inside the issue's: translate it first.
			reasonArgs, _ := args["ReasonArgs"].(map[string]any)
			reason, _ := args["Reason"].(string)
			args = map[string]any{"Reason": translated(ctx, key, reason, reasonArgs)}
		}
		out = append(out, onboarding.Issue{Field: is.Field, Label: view.T(ctx, "import.col."+is.Field),
			Message: translated(ctx, is.Key, is.Message, args)})
	}
	return out
}

// ---- the New customer wizard ----

// defaultAdminRoles are the first admin's roles to start with (R4).
var defaultAdminRoles = []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleUserAdmin}

// typedRowsAtStart is how many empty rows step 3 offers at first.
const typedRowsAtStart = 3

// handleWizardStart is step 1 of a new wizard (partner.admin only).
func (s *Server) handleWizardStart(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.svc.Onboarding.CheckOnboarding(ctx, tenantdesk.OnboardingInput{}); err != nil {
		return err
	}
	f := onboarding.WizardForm{AdminRoles: append([]string(nil), defaultAdminRoles...), Typed: make([]onboarding.TypedRow, typedRowsAtStart)}
	return s.renderWizard(c, onboarding.WizardView{Step: onboarding.StepAccount, Form: f, Focus: "name"})
}

// wizardForm reads every step's input from the form (the shown step's
// fields and the others' hidden ones). A file uploaded on step 3 replaces
// the pasted rows.
func wizardForm(c echo.Context) (onboarding.WizardForm, error) {
	params, _ := c.FormParams()
	f := onboarding.WizardForm{
		Name: c.FormValue("name"), Reference: c.FormValue("reference"), Description: c.FormValue("description"),
		ConnPlatform: c.FormValue("connPlatform"), ConnHost: c.FormValue("connHost"), ConnPort: strings.TrimSpace(c.FormValue("connPort")),
		ConnTLS: c.FormValue("connTLS") == "1", ConnExtra: c.FormValue("connExtra"),
		AdminName: c.FormValue("adminName"), AdminEmail: c.FormValue("adminEmail"), AdminOwner: c.FormValue("adminOwner") == "1",
	}
	for _, r := range params["adminRoles"] {
		if r != "" {
			f.AdminRoles = append(f.AdminRoles, r)
		}
	}
	f.AdminRoles = tenantdesk.SortedRoles(f.AdminRoles)
	n, _ := strconv.Atoi(c.FormValue("typedCount"))
	n = max(0, min(n, onboarding.MaxTypedRows))
	for i := range n {
		f.Typed = append(f.Typed, onboarding.TypedRow{
			DisplayName: c.FormValue(onboarding.TypedName(i, "displayName")), Email: c.FormValue(onboarding.TypedName(i, "email")),
			Extension: c.FormValue(onboarding.TypedName(i, "extension")), Roles: c.FormValue(onboarding.TypedName(i, "roles")),
			ACDAgent: c.FormValue(onboarding.TypedName(i, "acdAgent")) == "1"})
	}
	text, err := formCSV(c, "usersFile", "usersCsv")
	f.UsersCSV = text
	return f, err
}

// wizardUsers are step 3's users: the rows typed in, then the file's.
func wizardUsers(f onboarding.WizardForm) ([]tenantdesk.ImportRow, error) {
	var rows []tenantdesk.ImportRow
	for _, r := range f.Typed {
		if r.Empty() {
			continue
		}
		rows = append(rows, tenantdesk.ImportRow{DisplayName: r.DisplayName, Email: r.Email, Extension: r.Extension,
			Roles: tenantdesk.SplitRoleList(r.Roles), ACDAgent: r.ACDAgent})
	}
	if strings.TrimSpace(f.UsersCSV) != "" {
		more, err := tenantdesk.ParseImportCSV([]byte(f.UsersCSV))
		if err != nil {
			return nil, err
		}
		rows = append(rows, more...)
	}
	return rows, nil
}

// wizardConnectionIDs are the form ids of the connection's known fields.
var wizardConnectionIDs = map[string]string{"platform": "connPlatform", "host": "connHost", "port": "connPort", "tls": "connTLS"}

// wizardConnection builds the connection object (JSON text, "" for none)
// from step 1's fields: the extra details' object with platform, host,
// port and tls set from their own fields. Problems the form itself can
// tell are returned by field id.
func wizardConnection(ctx context.Context, f onboarding.WizardForm) (string, map[string]string) {
	obj := map[string]any{}
	errs := map[string]string{}
	if extra := strings.TrimSpace(f.ConnExtra); extra != "" {
		if err := json.Unmarshal([]byte(extra), &obj); err != nil || obj == nil {
			errs["connExtra"] = view.T(ctx, "onboarding.error.conn_extra")
			obj = map[string]any{}
		}
	}
	if v := strings.TrimSpace(f.ConnPlatform); v != "" {
		obj["platform"] = v
	}
	if v := strings.TrimSpace(f.ConnHost); v != "" {
		obj["host"] = v
	}
	if f.ConnPort != "" {
		if p, err := strconv.Atoi(f.ConnPort); err != nil || p < 1 || p > 65535 {
			errs["connPort"] = view.T(ctx, "onboarding.error.conn_port")
		} else {
			obj["port"] = p
		}
	}
	if f.ConnTLS {
		obj["tls"] = true
	}
	if len(obj) == 0 {
		return "", errs
	}
	b, _ := json.Marshal(obj)
	return string(b), errs
}

// onboardingInput is the whole wizard as the service takes it.
func onboardingInput(f onboarding.WizardForm, connection string, users []tenantdesk.ImportRow) tenantdesk.OnboardingInput {
	return tenantdesk.OnboardingInput{
		Customer: tenantdesk.NewCustomer{Name: f.Name, Reference: f.Reference, Description: f.Description, Connection: connection},
		Admin:    tenantdesk.OnboardingAdmin{DisplayName: f.AdminName, Email: f.AdminEmail, Owner: f.AdminOwner, Roles: f.AdminRoles},
		Users:    users,
	}
}

// wizardFieldID is the form's id of a service field ("admin.email" is
// adminEmail, "connection.port" connPort).
func wizardFieldID(field string) string {
	switch field {
	case "admin.displayName":
		return "adminName"
	case "admin.email":
		return "adminEmail"
	case "admin.roles":
		return "adminRoles"
	case "connection":
		return "connExtra"
	}
	if k, ok := strings.CutPrefix(field, "connection."); ok {
		if id, ok := wizardConnectionIDs[k]; ok {
			return id
		}
		return "connExtra"
	}
	return field
}

// withErrors puts a domain error's field problems on the view, by the
// form's ids, after the errors found by the form itself.
func withErrors(ctx context.Context, v *onboarding.WizardView, err error) {
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	for _, p := range fieldProblems(ctx, err) {
		id := wizardFieldID(p.Field)
		if _, dup := v.Errors[id]; !dup {
			v.Errors[id] = p.Message
		}
	}
	if de := tenantdesk.AsError(err); de != nil && len(de.Fields) == 0 {
		v.Problems = append(v.Problems, onboarding.Problem{Message: errorText(ctx, err)})
	}
}

// wizardErrorOrder lists each step's field ids in the order of the page,
// for the error summary.
var wizardErrorOrder = map[int][]string{
	onboarding.StepAccount: {"name", "reference", "description", "connPlatform", "connHost", "connPort", "connTLS", "connExtra"},
	onboarding.StepAdmin:   {"adminName", "adminEmail", "adminRoles"},
	onboarding.StepUsers:   {"usersCsv"},
}

// renderWizard renders a step, with the error summary of its field errors
// and the role editor on step 2.
func (s *Server) renderWizard(c echo.Context, v onboarding.WizardView) error {
	ctx := c.Request().Context()
	for _, id := range wizardErrorOrder[v.Step] {
		if msg := v.Errors[id]; msg != "" {
			v.Problems = append(v.Problems, onboarding.Problem{Message: msg, Href: "#" + id})
		}
	}
	if len(v.Problems) > 0 {
		v.Focus = ""
	}
	if v.Step == onboarding.StepAdmin {
		v.Groups = roleGroups(ctx, &tenantdesk.Account{Kind: tenantdesk.AccountCustomer}, v.Form.AdminRoles, nil)
	}
	return render(c, http.StatusOK, onboarding.Wizard(v))
}

// handleWizard answers every button of the wizard: Next checks the shown
// step and goes on, Back goes back keeping everything, Add a row and
// Check users stay on step 3, Create creates it all at once.
func (s *Server) handleWizard(c echo.Context) error {
	ctx := c.Request().Context()
	// Who may not onboard customers gets no step of the wizard either
	// (403, as its first page): Back, Add a row and a bare step render
	// without reaching the service otherwise.
	if _, err := s.svc.Onboarding.CheckOnboarding(ctx, tenantdesk.OnboardingInput{}); err != nil {
		return err
	}
	f, ferr := wizardForm(c)
	step, _ := strconv.Atoi(c.FormValue("step"))
	step = max(onboarding.StepAccount, min(step, onboarding.StepSummary))
	v := onboarding.WizardView{Step: step, Form: f, Errors: map[string]string{}}
	if ferr != nil {
		if !isUserError(ferr) {
			return ferr
		}
		// An unreadable file: step 3 says so.
		v.Step, v.Errors["usersCsv"] = onboarding.StepUsers, errorText(ctx, ferr)
		if len(v.Form.Typed) == 0 {
			v.Form.Typed = make([]onboarding.TypedRow, 1)
		}
		return s.renderWizard(c, v)
	}
	action := c.FormValue("action")
	switch action {
	case "back":
		v.Step = max(onboarding.StepAccount, step-1)
		if v.Step == onboarding.StepUsers && len(v.Form.Typed) == 0 {
			v.Form.Typed = make([]onboarding.TypedRow, 1)
		}
		return s.renderWizard(c, v)
	case "addrow":
		v.Step = onboarding.StepUsers
		if len(v.Form.Typed) < onboarding.MaxTypedRows {
			v.Form.Typed = append(v.Form.Typed, onboarding.TypedRow{})
		}
		v.Focus = "t" + strconv.Itoa(len(v.Form.Typed)-1)
		return s.renderWizard(c, v)
	case "create":
		return s.wizardCreate(c, v)
	case "preview", "next":
	default:
		v.Step = step
		return s.renderWizard(c, v)
	}

	connection, connErrs := wizardConnection(ctx, f)
	users, uerr := wizardUsers(f)
	if uerr != nil && !isUserError(uerr) {
		return uerr
	}
	in := onboardingInput(f, connection, users)
	if uerr != nil {
		in.Users = nil
	}
	chk, err := s.svc.Onboarding.CheckOnboarding(ctx, in)
	if err != nil {
		if isUserError(err) && step == onboarding.StepUsers { // too many rows
			v.Errors["usersCsv"] = errorText(ctx, err)
			return s.renderWizard(c, v)
		}
		return err
	}
	// stepErrors puts step n's problems on v; false when it has none.
	stepErrors := func(n int) bool {
		switch n {
		case onboarding.StepAccount:
			for k, msg := range connErrs {
				v.Errors[k] = msg
			}
			if chk.Customer != nil {
				withErrors(ctx, &v, chk.Customer)
			}
			return len(connErrs) == 0 && chk.Customer == nil
		case onboarding.StepAdmin:
			if chk.Admin != nil {
				withErrors(ctx, &v, chk.Admin)
			}
			return chk.Admin == nil
		case onboarding.StepUsers:
			if uerr != nil {
				v.Errors["usersCsv"] = errorText(ctx, uerr)
			}
			return uerr == nil
		}
		return true
	}
	if action == "preview" {
		v.Step = onboarding.StepUsers
		if stepErrors(onboarding.StepUsers) && chk.Users != nil {
			t := importTable(ctx, chk.Users, false)
			t.InWizard = true
			v.Users, v.Focus = &t, "users-preview"
		}
		return s.renderWizard(c, v)
	}
	// Next: the shown step must pass, and so must every earlier one (the
	// hidden fields come from the person's browser: check them again).
	for n := onboarding.StepAccount; n <= step; n++ {
		if !stepErrors(n) {
			v.Step = n
			if n == onboarding.StepUsers && len(v.Form.Typed) == 0 {
				v.Form.Typed = make([]onboarding.TypedRow, 1)
			}
			return s.renderWizard(c, v)
		}
	}
	v.Step = min(step+1, onboarding.StepSummary)
	switch v.Step {
	case onboarding.StepAdmin:
		v.Focus = "adminName"
	case onboarding.StepUsers:
		if len(v.Form.Typed) == 0 {
			v.Form.Typed = make([]onboarding.TypedRow, typedRowsAtStart)
		}
	case onboarding.StepSummary:
		s.wizardSummary(ctx, &v, connection, chk)
	}
	return s.renderWizard(c, v)
}

// wizardSummary fills step 4: the connection as stored, the admin's roles
// as they will be, the users' preview.
func (s *Server) wizardSummary(ctx context.Context, v *onboarding.WizardView, connection string, chk *tenantdesk.OnboardingCheck) {
	if connection != "" {
		var obj any
		_ = json.Unmarshal([]byte(connection), &obj)
		b, _ := json.MarshalIndent(obj, "", "  ")
		v.Connection = string(b)
	}
	roles := v.Form.AdminRoles
	if v.Form.AdminOwner {
		roles = tenantdesk.SortedRoles(append(append([]string(nil), roles...), tenantdesk.CustomerOwnerRoles()...))
	}
	v.AdminRoles = roleNames(ctx, roles)
	if chk.Users != nil {
		t := importTable(ctx, chk.Users, false)
		t.InWizard = true
		v.Users = &t
	}
}

// wizardCreate creates the customer with its admin and users, then goes to
// the new customer's page; a problem the person can fix returns to the
// step it belongs to, with everything kept.
func (s *Server) wizardCreate(c echo.Context, v onboarding.WizardView) error {
	ctx := c.Request().Context()
	connection, connErrs := wizardConnection(ctx, v.Form)
	users, uerr := wizardUsers(v.Form)
	if len(connErrs) > 0 || uerr != nil {
		// Only a changed page gets here: show the step again.
		v.Step = onboarding.StepAccount
		for k, msg := range connErrs {
			v.Errors[k] = msg
		}
		if uerr != nil {
			if !isUserError(uerr) {
				return uerr
			}
			v.Step, v.Errors["usersCsv"] = onboarding.StepUsers, errorText(ctx, uerr)
		}
		return s.renderWizard(c, v)
	}
	done, err := s.svc.Onboarding.Onboard(ctx, onboardingInput(v.Form, connection, users))
	if isUserError(err) {
		v.Step = onboarding.StepAccount
		if de := tenantdesk.AsError(err); de != nil {
			for _, f := range de.Fields {
				if strings.HasPrefix(f.Field, "admin.") {
					v.Step = onboarding.StepAdmin
				}
			}
			if len(de.Fields) > 0 && de.Fields[0].Field == "rows" {
				v.Step = onboarding.StepUsers
				v.Errors["usersCsv"] = errorText(ctx, err)
				return s.renderWizard(c, v)
			}
		}
		withErrors(ctx, &v, err)
		return s.renderWizard(c, v)
	} else if err != nil {
		return err
	}
	acc := done.Customer.Account
	msg := view.T(ctx, "onboarding.flash.created", map[string]any{"Name": acc.Name, "Email": done.Admin.Email})
	if done.Users != nil {
		msg += " " + view.N(ctx, "onboarding.flash.users", done.Users.Imported, map[string]any{"Count": done.Users.Imported})
		if done.Users.Invalid > 0 {
			msg += " " + view.N(ctx, "onboarding.flash.skipped", done.Users.Invalid, map[string]any{"Count": done.Users.Invalid})
		}
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirectAfterPost(c, "/partner/customers/"+acc.TenantID)
}
