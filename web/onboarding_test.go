package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// HTTP tests of the user import (Users tab › Import users, the API's
// user-imports) and of the New customer wizard, through plain forms as a
// browser without JavaScript sends them.

func init() {
	// The API takes CSV bodies: the document check reads them as text.
	openapi3filter.RegisterBodyDecoder("text/csv", func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		b, err := io.ReadAll(body)
		return string(b), err
	})
}

// postUpload sends a multipart form (as an upload form does) with the
// client's CSRF token; files maps a field to a file's content.
func (c *client) postUpload(path string, form url.Values, files map[string]string) *response {
	c.app.t.Helper()
	if c.csrf == "" {
		c.get("/")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if form.Get("_csrf") == "" {
		_ = w.WriteField("_csrf", c.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for field, content := range files {
		fw, _ := w.CreateFormFile(field, "users.csv")
		_, _ = fw.Write([]byte(content))
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.Server.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// importRows are the statuses of an import table's rows by row number.
func importRows(r *response) map[string]string {
	out := map[string]string{}
	r.Doc.Find(`[data-testid="import-row"]`).Each(func(_ int, s *goquery.Selection) {
		out[s.AttrOr("data-row", "")] = s.AttrOr("data-status", "")
	})
	return out
}

// rowErrorFields lists the fields of a row's errors.
func rowErrorFields(r *response, row string) []string {
	var out []string
	r.Doc.Find(`[data-testid="import-row"][data-row="` + row + `"] [data-testid="import-row-error"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-field", ""))
	})
	return out
}

const importCSV = "displayName,email,extension,roles,acdAgent\n" +
	"Ann Agent,ann@fence.example,201,,yes\n" + // 1 valid
	"Bob Boss,bob@fence.example,202,customer.user;customer.user.supervisorl1,no\n" + // 2 valid, may sign in
	"Becky Twin,becky.thatcher@fence.example,,,\n" + // 3 email taken
	"Ann Again,ANN@fence.example,,,\n" + // 4 duplicate of row 1
	",not-an-email,1,nope.role,maybe\n" // 5 everything wrong

func TestImportPagesPreviewThenImport(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	users := app.count(`SELECT count(*) FROM users`)

	list := c.get("/account/users")
	if href, _ := list.Doc.Find(`[data-testid="import-users"]`).Attr("href"); href != "/account/users/import" {
		t.Fatalf("Users tab: import link %q", href)
	}
	page := c.get("/account/users/import")
	if page.StatusCode != http.StatusOK || page.Doc.Find(`form[enctype="multipart/form-data"] input[type=file][name=file]`).Length() != 1 ||
		page.Doc.Find(`label[for="import-file"]`).Length() != 1 || page.Doc.Find(`label[for="import-csv"]`).Length() != 1 {
		t.Fatalf("upload page: %d", page.StatusCode)
	}
	tmpl := c.get("/account/users/import/template.csv")
	if !strings.HasPrefix(tmpl.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(tmpl.Body, "displayName,email,extension,roles,acdAgent") ||
		!strings.Contains(tmpl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("template: %s %q", tmpl.Header.Get("Content-Type"), tmpl.Body)
	}

	// The preview lists every row with its problems and writes nothing.
	prev := c.postUpload("/account/users/import/preview", nil, map[string]string{"file": importCSV})
	if prev.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d %s", prev.StatusCode, prev.Body)
	}
	want := map[string]string{"1": "valid", "2": "valid", "3": "invalid", "4": "invalid", "5": "invalid"}
	if got := importRows(prev); !equalMaps(got, want) {
		t.Fatalf("preview rows %v", got)
	}
	if got := rowErrorFields(prev, "5"); strings.Join(got, ",") != "acdAgent,extension,displayName,email,roles" {
		t.Errorf("row 5 errors on %v", got)
	}
	if got := rowErrorFields(prev, "3"); strings.Join(got, ",") != "email" {
		t.Errorf("row 3 errors on %v", got)
	}
	if msg := text(prev, `[data-row="4"] [data-testid="import-row-error"]`); !strings.Contains(msg, "row 1") {
		t.Errorf("duplicate says %q", msg)
	}
	if n := app.count(`SELECT count(*) FROM users`); n != users {
		t.Fatalf("the preview created %d users", n-users)
	}
	confirm := prev.Doc.Find(`[data-testid="import-confirm-form"]`)
	carried, _ := confirm.Find(`input[name=csv]`).Attr("value")
	if carried != importCSV || !strings.Contains(text(prev, `[data-testid="import-confirm"]`), "2") {
		t.Fatalf("confirmation carries %q", carried)
	}

	// Confirming writes the valid rows only and reports the rest.
	done := c.postUpload("/account/users/import", url.Values{"csv": {carried}}, nil)
	if done.StatusCode != http.StatusOK || text(done, `[data-testid="import-done"]`) == "" {
		t.Fatalf("import: %d %s", done.StatusCode, text(done, "main"))
	}
	want["1"], want["2"] = "imported", "imported"
	if got := importRows(done); !equalMaps(got, want) {
		t.Fatalf("result rows %v", got)
	}
	if n := app.count(`SELECT count(*) FROM users`); n != users+2 {
		t.Fatalf("%d users created, want 2", n-users)
	}
	if n := app.count(`SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.email_norm = 'ann@fence.example' AND r.role = 'customer.user.pbx'`); n != 1 {
		t.Error("Ann lacks the essential-user role")
	}
	if n := app.count(`SELECT count(*) FROM mail_outbox WHERE to_addr IN ('ann@fence.example', 'bob@fence.example')`); n != 1 {
		t.Errorf("%d activation emails, want 1 (Bob: Ann cannot sign in)", n)
	}

	// A file that is not one: the upload page again, saying why.
	bad := c.postUpload("/account/users/import/preview", url.Values{"csv": {"name,mail\nx,y\n"}}, nil)
	if bad.StatusCode != http.StatusOK || !strings.Contains(text(bad, `[data-testid="import-file-error"]`), "name") {
		t.Errorf("bad header: %d %q", bad.StatusCode, text(bad, `[data-testid="import-file-error"]`))
	}

	// Members without user.admin may not; a partner account has no import.
	huckC := app.client()
	huckC.mustSignIn(huck)
	if res := huckC.get("/account/users/import"); res.StatusCode != http.StatusForbidden {
		t.Errorf("Huck: %d", res.StatusCode)
	}
	if res := huckC.postUpload("/account/users/import", url.Values{"csv": {importCSV}}, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("Huck imports: %d", res.StatusCode)
	}
	liz := app.client()
	liz.mustSignIn(elizabeth)
	if res := liz.get("/account/users/import"); res.StatusCode != http.StatusNotFound {
		t.Errorf("partner account: %d", res.StatusCode)
	}
	if n := app.count(`SELECT count(*) FROM users`); n != users+2 {
		t.Fatalf("refused imports created %d users", n-users-2)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestAPIUserImportCSVAndJSON(t *testing.T) {
	app := newTestApp(t)
	api := app.api(app.apiToken(becky))
	path := "/api/v1/customers/" + app.tenantOf(becky) + "/user-imports"
	users := app.count(`SELECT count(*) FROM users`)

	// CSV, dry run: every row's result, nothing written.
	res := api.post(path+"?dryRun=true", raw(importCSV), "Content-Type", "text/csv").expect(t, http.StatusOK)
	if res.JSON["dryRun"] != true || res.JSON["valid"] != float64(2) || res.JSON["invalid"] != float64(3) || res.JSON["imported"] != float64(0) {
		t.Fatalf("dry run: %s", res.Body)
	}
	rows := res.JSON["rows"].([]any)
	if r := rows[2].(map[string]any); r["status"] != "invalid" || r["errors"].([]any)[0].(map[string]any)["code"] != "email_taken" {
		t.Errorf("row 3: %v", r)
	}
	if r := rows[3].(map[string]any); r["errors"].([]any)[0].(map[string]any)["code"] != "duplicate_email" {
		t.Errorf("row 4: %v", r)
	}
	if r := rows[0].(map[string]any); r["status"] != "valid" || r["userId"] != nil || r["warnings"].([]any)[0].(map[string]any)["code"] != "acd_not_assigned" {
		t.Errorf("row 1: %v", r)
	}
	if n := app.count(`SELECT count(*) FROM users`); n != users {
		t.Fatal("the dry run wrote users")
	}

	// CSV for real.
	res = api.post(path, raw(importCSV), "Content-Type", "text/csv; charset=utf-8").expect(t, http.StatusOK)
	if res.JSON["imported"] != float64(2) {
		t.Fatalf("import: %s", res.Body)
	}
	first := res.JSON["rows"].([]any)[0].(map[string]any)
	if first["status"] != "imported" || first["userId"] == nil {
		t.Errorf("row 1: %v", first)
	}
	api.get(path[:strings.LastIndex(path, "/")]+"/users/"+first["userId"].(string)).expect(t, http.StatusOK)

	// JSON, with the dry run in the body, then for real; the account
	// gives agents the Agent add-on now.
	app.exec(`UPDATE accounts SET auto_assign_acd = 1 WHERE tenant_id = ?`, app.tenantOf(becky))
	body := map[string]any{"dryRun": true, "rows": []map[string]any{
		{"displayName": "Cara Agent", "email": "cara@fence.example", "extension": "301", "acdAgent": true},
		{"displayName": "Dan", "email": "dan@fence.example", "roles": []string{"customer.user.supervisorl1"}},
	}}
	res = api.post(path, body).expect(t, http.StatusOK)
	if res.JSON["valid"] != float64(1) || app.count(`SELECT count(*) FROM users`) != users+2 {
		t.Fatalf("JSON dry run: %s", res.Body)
	}
	body["dryRun"] = false
	res = api.post(path, body).expect(t, http.StatusOK)
	cara := res.JSON["rows"].([]any)[0].(map[string]any)
	if res.JSON["imported"] != float64(1) || !hasRole(rolesOf(cara), "customer.user.acd") || !hasRole(rolesOf(cara), "customer.user.pbx") {
		t.Errorf("JSON import: %s", res.Body)
	}
	dan := res.JSON["rows"].([]any)[1].(map[string]any)
	if dan["errors"].([]any)[0].(map[string]any)["code"] != "role_prerequisite_missing" {
		t.Errorf("Dan: %v", dan)
	}

	// Problems with the request itself.
	api.post(path, raw("name,mail\nx,y\n"), "Content-Type", "text/csv").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "file")
	api.post(path, map[string]any{"rows": []any{}}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "rows")
	api.post(path, map[string]any{"rows": []any{map[string]any{"email": "x@y.example", "Roles": []string{}}}}).expect(t, http.StatusBadRequest)
	other := "/api/v1/customers/" + app.tenantOf("christopher.robin@hundredacre.example") + "/user-imports"
	api.post(other, raw(importCSV), "Content-Type", "text/csv").expect(t, http.StatusNotFound)
	app.api(app.apiToken(huck)).post(path, raw(importCSV), "Content-Type", "text/csv").expect(t, http.StatusForbidden)
	// A partner's admin imports into its customer (legacy access).
	app.api(app.apiToken(elizabeth)).post(other, map[string]any{"rows": []map[string]any{{"displayName": "Eeyore", "email": "eeyore@hundredacre.example"}}}).
		expect(t, http.StatusOK)
}

// wizardPost posts a wizard step: the fields of the step shown (the page's
// hidden and visible inputs as the browser would send them) with changes.
func wizardPost(t *testing.T, c *client, page *response, action string, set url.Values) *response {
	t.Helper()
	form := formValues(page.Doc.Find(`[data-testid="wizard-form"]`))
	for k, v := range set {
		form[k] = v
	}
	form.Set("action", action)
	return c.postUpload("/partner/customers/new", form, nil)
}

// formValues are the values a browser sends for a form as it is on the
// page (without any submit button).
func formValues(f *goquery.Selection) url.Values {
	out := url.Values{}
	f.Find("input, textarea, select").Each(func(_ int, s *goquery.Selection) {
		name, ok := s.Attr("name")
		if !ok || name == "" {
			return
		}
		typ := s.AttrOr("type", "text")
		switch {
		case goquery.NodeName(s) == "textarea":
			out.Add(name, s.Text())
		case typ == "checkbox" || typ == "radio":
			if _, checked := s.Attr("checked"); checked {
				out.Add(name, s.AttrOr("value", "on"))
			}
		case typ == "file" || typ == "submit":
		default:
			out.Add(name, s.AttrOr("value", ""))
		}
	})
	return out
}

func wizardStep(t *testing.T, r *response) string {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("wizard: %d %s", r.StatusCode, r.Body)
	}
	return r.Doc.Find(`[data-testid="wizard-form"]`).AttrOr("data-step", "")
}

func TestWizardThroughPlainForms(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(elizabeth)
	accounts := app.count(`SELECT count(*) FROM accounts`)

	// Caroline (partner.user) and customers' users may not start one.
	for _, who := range []string{charlotte, becky} {
		o := app.client()
		o.mustSignIn(who)
		if res := o.get("/partner/customers/new"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", who, res.StatusCode)
		}
	}

	p := c.get("/partner/customers/new")
	if wizardStep(t, p) != "1" || p.Doc.Find(`label[for="name"]`).Length() != 1 {
		t.Fatal("step 1")
	}
	// Step 1 checks its fields.
	p = wizardPost(t, c, p, "next", url.Values{"name": {""}, "connPort": {"70000"}})
	if wizardStep(t, p) != "1" || text(p, `[data-testid="error-name"]`) == "" || text(p, `[data-testid="error-connPort"]`) == "" {
		t.Fatalf("step 1 errors: %s", text(p, `[data-testid="wizard-errors"]`))
	}
	p = wizardPost(t, c, p, "next", url.Values{"name": {"Steamboat Ltd"}, "reference": {"CRM-7"}, "connPlatform": {"pbx.example"},
		"connHost": {"pbx.steamboat.example"}, "connPort": {"5061"}, "connTLS": {"1"}})
	if wizardStep(t, p) != "2" {
		t.Fatalf("step 2: %s", text(p, `[data-testid="wizard-errors"]`))
	}
	// user.admin and customer.user come ticked.
	for _, r := range []string{"user.admin", "customer.user"} {
		if _, ok := p.Doc.Find(`#admin-role-` + strings.ReplaceAll(r, ".", `\.`)).Attr("checked"); !ok {
			t.Errorf("%s not ticked", r)
		}
	}
	// Back keeps what was typed on both steps.
	back := wizardPost(t, c, p, "back", url.Values{"adminName": {"Sam Clemens"}, "adminEmail": {"sam@steamboat.example"}})
	if wizardStep(t, back) != "1" || back.Doc.Find("#name").AttrOr("value", "") != "Steamboat Ltd" ||
		back.Doc.Find("#connPort").AttrOr("value", "") != "5061" {
		t.Fatalf("back: name %q", back.Doc.Find("#name").AttrOr("value", ""))
	}
	p = wizardPost(t, c, back, "next", nil)
	if wizardStep(t, p) != "2" || p.Doc.Find("#adminEmail").AttrOr("value", "") != "sam@steamboat.example" {
		t.Fatalf("step 2 again: %q", p.Doc.Find("#adminEmail").AttrOr("value", ""))
	}
	// An email of a user of any account: step 2 says so.
	p = wizardPost(t, c, p, "next", url.Values{"adminEmail": {becky}})
	if wizardStep(t, p) != "2" || !strings.Contains(text(p, `[data-testid="error-adminEmail"]`), "already exists") {
		t.Fatalf("email taken: %q", text(p, `[data-testid="error-adminEmail"]`))
	}
	p = wizardPost(t, c, p, "next", url.Values{"adminEmail": {"sam@steamboat.example"}})
	if wizardStep(t, p) != "3" || p.Doc.Find(`[data-testid="typed-row"]`).Length() != 3 {
		t.Fatalf("step 3: %s", text(p, `[data-testid="wizard-errors"]`))
	}
	// A row typed in, a row more, rows pasted; Check lists them.
	p = wizardPost(t, c, p, "addrow", url.Values{"t0.displayName": {"Olivia"}, "t0.email": {"olivia@steamboat.example"}, "t0.extension": {"201"}})
	if wizardStep(t, p) != "3" || p.Doc.Find(`[data-testid="typed-row"]`).Length() != 4 || p.Doc.Find(`[name="t0.email"]`).AttrOr("value", "") != "olivia@steamboat.example" {
		t.Fatal("add a row")
	}
	csv := "displayName,email\nPete,pete@steamboat.example\nSam Again,sam@steamboat.example\n"
	p = wizardPost(t, c, p, "preview", url.Values{"usersCsv": {csv}})
	if got := importRows(p); !equalMaps(got, map[string]string{"1": "valid", "2": "valid", "3": "invalid"}) {
		t.Fatalf("step 3 preview %v", got)
	}
	p = wizardPost(t, c, p, "next", nil)
	if wizardStep(t, p) != "4" || text(p, `[data-testid="summary-name"]`) != "Steamboat Ltd" ||
		!strings.Contains(text(p, `[data-testid="summary-connection"]`), `"port": 5061`) {
		t.Fatalf("summary: %s", text(p, `[data-testid="wizard-summary"]`))
	}
	if n := app.count(`SELECT count(*) FROM accounts`); n != accounts {
		t.Fatal("the wizard stored something before Create")
	}
	// Back from the summary keeps the users.
	back = wizardPost(t, c, p, "back", nil)
	if wizardStep(t, back) != "3" || back.Doc.Find(`[name="t0.displayName"]`).AttrOr("value", "") != "Olivia" || !strings.Contains(back.Doc.Find("#usersCsv").Text(), "pete@") {
		t.Fatal("back to step 3 lost the users")
	}

	res := wizardPost(t, c, p, "create", nil)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/partner/customers/") {
		t.Fatalf("create: %d %q %s", res.StatusCode, loc, text(res, `[data-testid="wizard-errors"]`))
	}
	tid := strings.TrimPrefix(loc, "/partner/customers/")
	if n := app.count(`SELECT count(*) FROM accounts WHERE tenant_id = ? AND name = 'Steamboat Ltd' AND reference = 'CRM-7'`, tid); n != 1 {
		t.Fatal("no such customer")
	}
	if n := app.count(`SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.tenant_id = ?`, tid); n != 3 {
		t.Errorf("%d users, want the admin, Olivia and Pete", n)
	}
	if n := app.count(`SELECT count(*) FROM mail_outbox WHERE to_addr = 'sam@steamboat.example'`); n != 1 {
		t.Errorf("%d activation emails to the admin", n)
	}
	if n := app.count(`SELECT count(*) FROM account_connections c JOIN accounts a ON a.id = c.account_id WHERE a.tenant_id = ? AND c.connection LIKE '%pbx.steamboat.example%'`, tid); n != 1 {
		t.Error("connection not stored")
	}
	// The new customer's page says so.
	if page := c.get(loc); page.StatusCode != http.StatusOK || !strings.Contains(text(page, `[data-testid="flash"]`), "Steamboat Ltd") {
		t.Errorf("customer page: %d, flash %q", page.StatusCode, text(page, `[data-testid="flash"]`))
	}
	// Posting the same wizard again: the admin's email is taken now, step 2 says so.
	again := wizardPost(t, c, p, "create", nil)
	if wizardStep(t, again) != "2" || text(again, `[data-testid="error-adminEmail"]`) == "" {
		t.Errorf("second create: step %s", wizardStep(t, again))
	}
	if n := app.count(`SELECT count(*) FROM accounts`); n != accounts+1 {
		t.Errorf("%d accounts created", n-accounts)
	}
}
