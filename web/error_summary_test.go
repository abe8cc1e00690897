package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// summaryItem is one entry of a form's error summary.
type summaryItem struct{ href, text string }

// errorSummaryTitle is the heading of every form's error summary
// (components.ErrorSummary).
const errorSummaryTitle = "Nothing was saved. Please correct the following:"

// errorSummary returns the entries of the error summary above the form,
// failing unless it is an alert with a heading.
func errorSummary(t *testing.T, res *response) []summaryItem {
	t.Helper()
	box := res.Doc.Find(`[data-testid="form-error"]`)
	if box.Length() != 1 {
		t.Fatalf("no error summary (status %d)", res.StatusCode)
	}
	if role, _ := box.Attr("role"); role != "alert" {
		t.Errorf("summary role %q, want alert", role)
	}
	if h := strings.TrimSpace(box.Find("h2, h3").First().Text()); h != errorSummaryTitle {
		t.Errorf("summary heading %q", h)
	}
	var out []summaryItem
	box.Find(`[data-testid="form-error-item"]`).Each(func(_ int, li *goquery.Selection) {
		href, _ := li.Find("a").Attr("href")
		out = append(out, summaryItem{href, strings.TrimSpace(li.Text())})
	})
	return out
}

// checkSummaryLinks fails unless every entry links to a control of the page.
func checkSummaryLinks(t *testing.T, res *response, items []summaryItem) {
	t.Helper()
	for _, it := range items {
		if !strings.HasPrefix(it.href, "#") || res.Doc.Find(it.href).Length() != 1 {
			t.Errorf("entry %q links to %q, which is not on the page", it.text, it.href)
		}
	}
}

// TestEmptyInviteListsEveryProblem: an empty invite names both missing
// fields at once, in the summary (linked to the fields) and under each field.
func TestEmptyInviteListsEveryProblem(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	res := c.post("/account/users", url.Values{"displayName": {""}, "email": {""}, "roles": {"customer.user"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	items := errorSummary(t, res)
	want := []summaryItem{{"#displayName", "Display name is required."}, {"#email", "Email is required."}}
	if len(items) != len(want) {
		t.Fatalf("summary %+v, want %+v", items, want)
	}
	for i, w := range want {
		if items[i] != w {
			t.Errorf("entry %d: %+v, want %+v", i, items[i], w)
		}
	}
	checkSummaryLinks(t, res, items)
	for _, f := range []struct{ id, msg string }{{"displayName", "Display name is required."}, {"email", "Email is required."}} {
		if got := text(res, "#"+f.id+"-error"); got != f.msg {
			t.Errorf("%s: own message %q, want %q", f.id, got, f.msg)
		}
		if inv, _ := res.Doc.Find("#" + f.id).Attr("aria-invalid"); inv != "true" {
			t.Errorf("%s: not marked invalid", f.id)
		}
	}
	if res.Doc.Find(`[data-testid="form-error-lead"]`).Length() != 0 {
		t.Errorf("the first problem is said twice: %q", text(res, `[data-testid="form-error-lead"]`))
	}
}

// TestInviteBreakingTwoRoleRulesListsBoth: a missing prerequisite (R1) and
// two supervisor levels (R2) are both reported, each linked to the role
// editor, which shows them too; what was checked stays checked.
func TestInviteBreakingTwoRoleRulesListsBoth(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	roles := []string{"customer.user", "customer.user.uc.softphone", "customer.user.supervisorl1", "customer.user.supervisorl2"}
	res := c.post("/account/users", url.Values{"displayName": {"Two Rules"}, "email": {"two.rules@fence.example"}, "roles": roles})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	items := errorSummary(t, res)
	wants := []string{"(customer.user.uc.softphone) requires role “UC client” (customer.user.uc)", "mutually exclusive"}
	if len(items) != len(wants) {
		t.Fatalf("summary %+v, want %d entries", items, len(wants))
	}
	for i, w := range wants {
		if items[i].href != "#roles" || !strings.Contains(items[i].text, w) {
			t.Errorf("entry %d: %+v, want %q linked to #roles", i, items[i], w)
		}
	}
	checkSummaryLinks(t, res, items)
	own := res.Doc.Find(`#roles-error .field-error`)
	if own.Length() != 2 || !strings.Contains(own.Eq(0).Text(), wants[0]) || !strings.Contains(own.Eq(1).Text(), wants[1]) {
		t.Errorf("role editor's messages: %q", text(res, "#roles-error"))
	}
	if d, _ := res.Doc.Find("fieldset#roles").Attr("aria-describedby"); !strings.Contains(d, "roles-error") {
		t.Errorf("role editor aria-describedby %q", d)
	}
	for _, r := range roles {
		if _, checked := res.Doc.Find(`input[name="roles"][value="` + r + `"]`).Attr("checked"); !checked {
			t.Errorf("role %s not kept", r)
		}
	}
	// A broken field and broken roles come together too.
	res = c.post("/account/users", url.Values{"displayName": {""}, "email": {"two.rules@fence.example"}, "roles": roles})
	items = errorSummary(t, res)
	if len(items) != 3 || items[0].href != "#displayName" || items[1].href != "#roles" || items[2].href != "#roles" {
		t.Errorf("name and roles: %+v", items)
	}
}

// TestAPIInviteListsEveryProblem: problem+json names every problem in
// errors[], the first one giving the code as before.
func TestAPIInviteListsEveryProblem(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	api := app.api(app.apiToken(becky))
	roles := []string{"customer.user", "customer.user.uc.softphone", "customer.user.supervisorl1", "customer.user.supervisorl2"}

	res := api.post(usersPath(tenant), map[string]any{"displayName": "Two Rules", "email": "two.rules@fence.example", "roles": roles}).
		expect(t, http.StatusUnprocessableEntity, "role_prerequisite_missing")
	list, _ := res.JSON["errors"].([]any)
	var msgs []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m["field"] != "roles" {
			t.Errorf("entry %v: field %v, want roles", m, m["field"])
		}
		msg, _ := m["message"].(string)
		msgs = append(msgs, msg)
	}
	if len(msgs) != 2 || !strings.Contains(msgs[0], `"customer.user.uc.softphone" requires role "customer.user.uc"`) ||
		!strings.Contains(msgs[1], "mutually exclusive") {
		t.Errorf("errors %q, want the prerequisite and the supervisor levels", msgs)
	}

	res = api.post(usersPath(tenant), map[string]any{"displayName": "", "email": "", "roles": roles}).
		expect(t, http.StatusBadRequest, "validation_failed")
	list, _ = res.JSON["errors"].([]any)
	var fields []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		f, _ := m["field"].(string)
		fields = append(fields, f)
	}
	if strings.Join(fields, ",") != "displayName,email,roles,roles" {
		t.Errorf("fields %v, want displayName, email and both role problems", fields)
	}
}
