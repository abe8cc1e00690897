package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func (a *testApp) user(email string) *tenantdesk.User {
	a.t.Helper()
	u, err := a.DB.FindUserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatalf("%s: %v", email, err)
	}
	return u
}

func userPath(u *tenantdesk.User, suffix string) string {
	return "/account/users/" + tenantdesk.FormatUserID(u.ID) + suffix
}

func rowNames(r *response) []string {
	var names []string
	r.Doc.Find(`[data-testid="user-row"] td:first-child a`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, strings.TrimSpace(s.Text()))
	})
	return names
}

func TestUsersTabListsSearchesAndPages(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	res := c.get("/account/users")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	names := rowNames(res)
	if len(names) != 7 || names[0] != "Aunt Polly" || !contains(names, "Huck Finn") || contains(names, "Winnie Pooh") {
		t.Fatalf("rows %v", names)
	}
	if got := text(res, "title"); !strings.Contains(got, "Users") {
		t.Errorf("title %q", got)
	}
	// Search by name prefix and by email prefix, case-insensitively.
	if got := rowNames(c.get("/account/users?q=HUCK")); len(got) != 1 || got[0] != "Huck Finn" {
		t.Errorf("name search: %v", got)
	}
	if got := rowNames(c.get("/account/users?q=becky.th")); len(got) != 1 || got[0] != "Becky Thatcher" {
		t.Errorf("email search: %v", got)
	}
	// Any part of a name or email (issue 13): "Sawyer" finds Tom and Sid,
	// "fence.example" everyone of the account (Becky and Huck included).
	if got := rowNames(c.get("/account/users?q=Sawyer")); strings.Join(got, "|") != "Sid Sawyer|Tom Sawyer" {
		t.Errorf("search for a last name: %v", got)
	}
	if got := rowNames(c.get("/account/users?q=fence.example")); len(got) != 7 {
		t.Errorf("search for the domain: %v", got)
	}
	if got := rowNames(c.get("/account/users?q=ky.thatch")); strings.Join(got, "|") != "Becky Thatcher" {
		t.Errorf("search for the middle of an email: %v", got)
	}
	if got := attr(res.Doc.Find("#user-search"), "placeholder"); !strings.Contains(got, "any part") {
		t.Errorf("search placeholder %q", got)
	}
	empty := c.get("/account/users?q=nobody")
	if empty.Doc.Find(`[data-testid="users-empty"]`).Length() != 1 || !strings.Contains(empty.Body, "nobody") {
		t.Errorf("no empty state for a search without results")
	}
	// An htmx search gets only the results fragment.
	req, _ := http.NewRequest(http.MethodGet, app.Server.URL+"/account/users?q=huck", nil)
	req.Header.Set("HX-Request", "true")
	frag := c.do(req)
	if strings.Contains(frag.Body, "<html") || frag.Doc.Find("#users-results").Length() != 1 || len(rowNames(frag)) != 1 {
		t.Errorf("htmx fragment: %s", frag.Body)
	}
	if !strings.Contains(strings.Join(frag.Header.Values("Vary"), ","), "HX-Request") {
		t.Error("no Vary: HX-Request")
	}

	// Many users: page through with the Next links; each user exactly once.
	op := tenantdesk.OperatorContext(context.Background())
	fence := app.user(tom).AccountID
	for i := 0; i < 120; i++ {
		if err := app.ops().CreateUser(op, &tenantdesk.User{AccountID: fence, DisplayName: fmt.Sprintf("Painter %03d", i),
			Email: fmt.Sprintf("painter%03d@fence.example", i), Roles: []string{"customer.user"}}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	next := "/account/users"
	pages := 0
	for next != "" {
		page := c.get(next)
		pages++
		for _, n := range rowNames(page) {
			if seen[n] {
				t.Fatalf("%s listed twice", n)
			}
			seen[n] = true
		}
		next, _ = page.Doc.Find(`[data-testid="users-next"]`).Attr("href")
	}
	if len(seen) != 127 || pages != 3 {
		t.Errorf("%d users on %d pages", len(seen), pages)
	}
	// A tampered page link starts over instead of failing.
	if res := c.get("/account/users?after=%21%21"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("bad cursor: %d", res.StatusCode)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestInviteUser(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky) // a user admin, not the Owner
	form := c.get("/account/users/new")
	if form.StatusCode != http.StatusOK || form.Doc.Find(`input[name="roles"][value="customer.user"]`).Length() != 1 {
		t.Fatalf("invite form: %d", form.StatusCode)
	}
	// The catalogue is grouped, licensed roles are marked, prerequisites explained; no partner roles here.
	if form.Doc.Find(`[data-testid="role-group-supervisor"] input[name="roles"][value^="customer.user.supervisorl"]`).Length() != 5 {
		t.Error("supervisor group incomplete")
	}
	if form.Doc.Find(`input[value="partner.admin"]`).Length() != 0 {
		t.Error("partner roles offered in a customer account")
	}
	if !strings.Contains(form.Body, "Requires: Website access") || !strings.Contains(form.Body, "Licensed") {
		t.Error("prerequisites or licensed marks missing")
	}
	res := c.post("/account/users", url.Values{"displayName": {"Ben Rogers"}, "email": {"Ben.Rogers@fence.example"},
		"roles": {"customer.user", "customer.user.supervisorl1"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/users" {
		t.Fatalf("invite: %d %q %s", res.StatusCode, res.Header.Get("Location"), text(res, `[data-testid="form-error"]`))
	}
	list := c.get("/account/users")
	if got := text(list, `[data-testid="flash"]`); got != "Ben Rogers was invited." {
		t.Errorf("flash %q", got)
	}
	if c.get("/account/users").Doc.Find(`[data-testid="flash"]`).Length() != 0 {
		t.Error("flash shown twice")
	}
	ben := app.user("ben.rogers@fence.example")
	if ben.Status != tenantdesk.UserInvited || strings.Join(ben.Roles, ",") != "customer.user,customer.user.supervisorl1" {
		t.Errorf("stored %+v", ben)
	}
	if !hasAudit(t, app, ben.AccountID, tenantdesk.AuditUserCreate, "Ben Rogers") {
		t.Error("invite not audited")
	}
}

func TestInviteUserErrorsKeepInput(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	cases := []struct {
		name      string
		form      url.Values
		wantField string // field with an error, or "" for a rule error
		wantText  string
	}{
		{"name too long", url.Values{"displayName": {strings.Repeat("n", 101)}, "email": {"long@fence.example"}, "roles": {"customer.user"}}, "displayName", "at most 100 characters"},
		{"email too long", url.Values{"displayName": {"Long"}, "email": {strings.Repeat("e", 189) + "@fence.example"}, "roles": {"customer.user"}}, "email", "at most 200 characters"},
		{"malformed email", url.Values{"displayName": {"Bad"}, "email": {"not-an-email"}, "roles": {"customer.user"}}, "email", "valid address"},
		{"missing name", url.Values{"displayName": {""}, "email": {"x@fence.example"}}, "displayName", "required"},
		{"email in another account", url.Values{"displayName": {"Winnie"}, "email": {"WINNIE.pooh@hundredacre.example"}, "roles": {"customer.user"}}, "email", "already exists"},
		{"missing prerequisite", url.Values{"displayName": {"Pre"}, "email": {"pre@fence.example"}, "roles": {"user.admin"}}, "", "“Manage users” (user.admin) requires role “Website access” (customer.user)"},
		{"two supervisors", url.Values{"displayName": {"Sup"}, "email": {"sup@fence.example"}, "roles": {"customer.user", "customer.user.supervisorl1", "customer.user.supervisorl2"}}, "", "mutually exclusive"},
		{"unknown role", url.Values{"displayName": {"Unk"}, "email": {"unk@fence.example"}, "roles": {"customer.user", "made.up"}}, "", "Unknown role “made.up”"},
	}
	for _, tc := range cases {
		res := c.post("/account/users", tc.form)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", tc.name, res.StatusCode)
			continue
		}
		if tc.wantField != "" {
			if got := text(res, "#"+tc.wantField+"-error"); !strings.Contains(got, tc.wantText) {
				t.Errorf("%s: field error %q, want %q", tc.name, got, tc.wantText)
			}
			if inv, _ := res.Doc.Find("#" + tc.wantField).Attr("aria-invalid"); inv != "true" {
				t.Errorf("%s: field not marked invalid", tc.name)
			}
		} else if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, tc.wantText) {
			t.Errorf("%s: error %q, want %q", tc.name, got, tc.wantText)
		}
		// What was typed is kept, checked roles stay checked.
		if v, _ := res.Doc.Find("#displayName").Attr("value"); v != tc.form.Get("displayName") {
			t.Errorf("%s: name not kept: %q", tc.name, v)
		}
		if v, _ := res.Doc.Find("#email").Attr("value"); v != tc.form.Get("email") {
			t.Errorf("%s: email not kept: %q", tc.name, v)
		}
		for _, r := range tc.form["roles"] {
			if r == "made.up" {
				continue
			}
			if _, checked := res.Doc.Find(`input[name="roles"][value="` + r + `"]`).Attr("checked"); !checked {
				t.Errorf("%s: role %s not kept", tc.name, r)
			}
		}
	}
	// Nothing was created by any of them.
	for _, e := range []string{"long@fence.example", "pre@fence.example", "sup@fence.example", "unk@fence.example"} {
		if _, err := app.DB.FindUserByEmail(context.Background(), e); err == nil {
			t.Errorf("%s created despite the error", e)
		}
	}
	// Russian: the rule is explained in Russian with the role names.
	c.Header.Set("Accept-Language", "ru")
	res := c.post("/account/users", cases[5].form)
	if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, "«") && !strings.Contains(got, "требует роли") {
		t.Errorf("russian rule message %q", got)
	}
}

func TestEditUserRoles(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	h := app.user(huck)
	page := c.get(userPath(h, ""))
	if _, ok := page.Doc.Find(`input[value="customer.user.supervisorl1"]`).Attr("checked"); !ok {
		t.Fatal("current role not checked")
	}
	// Swap level 1 for level 3: allowed, and the first live supervisor rolls out the real-time add-on.
	res := c.post(userPath(h, ""), url.Values{"displayName": {"Huckleberry Finn"}, "email": {h.Email},
		"roles": {"customer.user", "customer.user.supervisorl3"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d %s", res.StatusCode, text(res, `[data-testid="form-error"]`))
	}
	after := c.get(res.Header.Get("Location"))
	flashes := after.Doc.Find(`[data-testid="flash"]`).Text()
	if !strings.Contains(flashes, "Huckleberry Finn was updated.") || !strings.Contains(flashes, "Sid Sawyer") {
		t.Errorf("flashes %q", flashes)
	}
	if !app.user("sid.sawyer@fence.example").HasRole("customer.user.pbx.realtime") {
		t.Error("real-time add-on not rolled out")
	}
	// Removing a prerequisite another role needs is explained.
	sid := app.user("sid.sawyer@fence.example")
	res = c.post(userPath(sid, ""), url.Values{"displayName": {sid.DisplayName}, "email": {sid.Email},
		"roles": {"customer.user", "customer.user.pbx", "customer.user.uc.softphone"}})
	if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, "(customer.user.uc.softphone) requires role") {
		t.Errorf("prerequisite removal: %q", got)
	}
	// The Owner's permission roles are locked in the editor and in the service.
	tomU := app.user(tom)
	ownerPage := c.get(userPath(tomU, ""))
	if _, disabled := ownerPage.Doc.Find(`#role-user\.admin`).Attr("disabled"); !disabled {
		t.Error("owner's user.admin not locked in the editor")
	}
	res = c.post(userPath(tomU, ""), url.Values{"displayName": {"Tom"}, "email": {tom}, "roles": {"customer.user"}})
	if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, "Owner's permissions cannot be reduced") {
		t.Errorf("owner reduction: %q", got)
	}
	if ownerPage.Doc.Find(`[data-testid="user-delete"]`).Length() != 0 {
		t.Error("delete offered for the Owner")
	}
}

func TestLastUserAdminIsExplained(t *testing.T) {
	app := newTestApp(t)
	op := tenantdesk.OperatorContext(context.Background())
	acc := &tenantdesk.Account{Name: "Ownerless Ltd"}
	if err := app.ops().CreateCustomer(op, acc, nil); err != nil {
		t.Fatal(err)
	}
	admin := &tenantdesk.User{AccountID: acc.ID, DisplayName: "Solo Admin", Email: "solo@ownerless.example", Roles: []string{"customer.user", "user.admin"}}
	if err := app.ops().CreateUser(op, admin); err != nil {
		t.Fatal(err)
	}
	if err := app.ops().SetPassword(op, admin.ID, "the only admin here"); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	if res := c.signIn(admin.Email, "the only admin here"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("sign-in")
	}
	res := c.post(userPath(admin, ""), url.Values{"displayName": {"Solo Admin"}, "email": {admin.Email}, "roles": {"customer.user"}})
	if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, "There must be at least one user admin") {
		t.Fatalf("demote last admin: %d %q", res.StatusCode, got)
	}
	res = c.post(userPath(admin, "/disable"), nil)
	if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, "There must be at least one user admin") {
		t.Errorf("disable last admin: %q", got)
	}
	res = c.post(userPath(admin, "/delete"), nil)
	if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, "There must be at least one user admin") {
		t.Errorf("delete last admin: %q", got)
	}
	if u := app.user(admin.Email); u.Status == tenantdesk.UserDisabled || !u.HasRole("user.admin") {
		t.Errorf("last admin changed: %+v", u)
	}
}

func TestDisableEnableDeleteWithConfirmation(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	h := app.user(huck)
	huckClient := app.client()
	huckClient.mustSignIn(huck)

	confirm := c.get(userPath(h, "/disable"))
	if confirm.Doc.Find(`form[action="`+userPath(h, "/disable")+`"] [data-testid="confirm-submit"]`).Length() != 1 {
		t.Fatal("no confirmation form for disabling")
	}
	if res := c.post(userPath(h, "/disable"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if app.user(huck).Status != tenantdesk.UserDisabled {
		t.Fatal("not disabled")
	}
	if res := huckClient.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Error("disabled user's session still works")
	}
	if res := c.post(userPath(h, "/enable"), nil); res.StatusCode != http.StatusSeeOther || app.user(huck).Status != tenantdesk.UserActive {
		t.Fatalf("enable: %d %s", res.StatusCode, app.user(huck).Status)
	}
	if !strings.Contains(c.get(userPath(h, "/delete")).Body, "cannot be undone") {
		t.Error("delete confirmation does not warn")
	}
	if res := c.post(userPath(h, "/delete"), nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/users" {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if _, err := app.DB.FindUserByEmail(context.Background(), huck); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		t.Fatal("not deleted")
	}
	if got := c.get("/account/users").Doc.Find(`[data-testid="flash"]`).Last().Text(); got != "Huck Finn was deleted." {
		t.Errorf("flash %q", got)
	}
	for _, action := range []string{tenantdesk.AuditUserCreate, "user.disable", "user.enable", "user.delete"} {
		if !hasAudit(t, app, h.AccountID, action, "") {
			t.Errorf("%s not audited", action)
		}
	}
}

func TestResendActivation(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	c.post("/account/users", url.Values{"displayName": {"Ben Rogers"}, "email": {"ben@fence.example"}, "roles": {"customer.user"}})
	ben := app.user("ben@fence.example")
	res := c.post(userPath(ben, "/activation-email"), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resend: %d", res.StatusCode)
	}
	if got := c.get(res.Header.Get("Location")).Doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(got, "A new activation email was sent to ben@fence.example") {
		t.Errorf("flash %q", got)
	}
	// An active user needs no activation: explained, nothing sent.
	res = c.post(userPath(app.user(huck), "/activation-email"), nil)
	if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, "already activated") {
		t.Errorf("active user: %q", got)
	}
}

func TestUsersAreaForbiddenWithoutUserAdmin(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	other := app.user(becky)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/account/users"}, {"GET", "/account/users/new"}, {"POST", "/account/users"},
		{"GET", userPath(other, "")}, {"POST", userPath(other, "")}, {"GET", userPath(other, "/delete")},
		{"POST", userPath(other, "/delete")}, {"POST", userPath(other, "/disable")}, {"POST", userPath(other, "/enable")},
		{"POST", userPath(other, "/activation-email")},
	} {
		var res *response
		if tc.method == "GET" {
			res = c.get(tc.path)
		} else {
			res = c.post(tc.path, url.Values{"displayName": {"X"}, "email": {"x@fence.example"}, "roles": {"customer.user"}})
		}
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s: %d, want 403", tc.method, tc.path, res.StatusCode)
		}
	}
	if app.user(becky).Status != tenantdesk.UserActive {
		t.Error("a forbidden request changed a user")
	}
}

func TestUsersOfAnotherAccountAreNotFound(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn("christopher.robin@hundredacre.example") // Owner of another customer of the same partner
	for _, victim := range []string{huck, tom, becky} {
		u := app.user(victim)
		for _, tc := range []struct{ method, path string }{
			{"GET", userPath(u, "")}, {"POST", userPath(u, "")}, {"GET", userPath(u, "/disable")},
			{"POST", userPath(u, "/disable")}, {"POST", userPath(u, "/enable")}, {"GET", userPath(u, "/delete")},
			{"POST", userPath(u, "/delete")}, {"POST", userPath(u, "/activation-email")},
		} {
			var res *response
			if tc.method == "GET" {
				res = c.get(tc.path)
			} else {
				res = c.post(tc.path, url.Values{"displayName": {"Pwned"}, "email": {"pwned@hundredacre.example"}, "roles": {"customer.user"}})
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", tc.method, tc.path, res.StatusCode)
			}
		}
	}
	if h := app.user(huck); h.DisplayName != "Huck Finn" || h.Status != tenantdesk.UserActive {
		t.Errorf("huck changed from another account: %+v", h)
	}
	// Their own list shows only their own people.
	if names := rowNames(c.get("/account/users")); contains(names, "Huck Finn") || !contains(names, "Winnie Pooh") {
		t.Errorf("list %v", names)
	}
	if res := c.get("/account/users/abc"); res.StatusCode != http.StatusNotFound {
		t.Errorf("non-numeric id: %d", res.StatusCode)
	}
}

func TestEditRolesInPlace(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	c.get("/account/users") // the CSRF token
	h := app.user(huck)
	hx := func(method, path string, form url.Values) *response {
		req, _ := http.NewRequest(method, app.Server.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", c.csrf)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res := c.do(req)
		// A table row parses only inside a table.
		res.Doc, _ = goquery.NewDocumentFromReader(strings.NewReader("<table><tbody>" + res.Body + "</tbody></table>"))
		return res
	}
	editor := hx(http.MethodGet, userPath(h, "/roles"), nil)
	if editor.StatusCode != http.StatusOK || editor.Doc.Find(`[data-testid="role-editor-row"]`).Length() != 1 || strings.Contains(editor.Body, "<html") {
		t.Fatalf("editor fragment: %d %s", editor.StatusCode, editor.Body)
	}
	if _, ok := editor.Doc.Find(`input[value="customer.user.supervisorl1"]`).Attr("checked"); !ok {
		t.Error("current role not checked in the editor")
	}
	// A broken rule comes back in the editor, with the choice kept.
	bad := hx(http.MethodPost, userPath(h, "/roles"), url.Values{"roles": {"customer.user", "customer.user.supervisorl1", "customer.user.supervisorl2"}})
	if got := text(bad, `[data-testid="role-editor-error"]`); !strings.Contains(got, "mutually exclusive") {
		t.Errorf("rule error %q", got)
	}
	if _, ok := bad.Doc.Find(`input[value="customer.user.supervisorl2"]`).Attr("checked"); !ok {
		t.Error("the choice was not kept")
	}
	// Saved: the row comes back with the new role.
	ok := hx(http.MethodPost, userPath(h, "/roles"), url.Values{"roles": {"customer.user", "customer.user.supervisorl2"}})
	if ok.Doc.Find(`[data-testid="user-row"]`).Length() != 1 || !strings.Contains(text(ok, `[data-testid="user-roles"]`), "Analytics supervisor") {
		t.Fatalf("saved row: %s", ok.Body)
	}
	if got := app.user(huck); !got.HasRole("customer.user.supervisorl2") || got.HasRole("customer.user.supervisorl1") || got.DisplayName != "Huck Finn" {
		t.Errorf("stored %+v", got)
	}
	// Cancel shows the row again; without htmx these URLs lead to the pages.
	if row := hx(http.MethodGet, userPath(h, "/row"), nil); row.Doc.Find(`[data-testid="user-row"]`).Length() != 1 {
		t.Error("cancel does not restore the row")
	}
	if res := c.get(userPath(h, "/roles")); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != userPath(h, "") {
		t.Errorf("plain GET of the editor: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The in-place editor is as forbidden as the page for others.
	huckClient := app.client()
	huckClient.mustSignIn(huck)
	if res := huckClient.post(userPath(app.user(becky), "/roles"), url.Values{"roles": {"customer.user"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("plain user saving roles: %d", res.StatusCode)
	}
}

// TestRefusedActionsAreNotOffered: the user's page offers Disable and
// Delete only when the rules allow them (R5 for the Owner, R3 for the last
// user admin), says why when not, and the confirmation pages explain
// instead of asking.
func TestRefusedActionsAreNotOffered(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	tomU, h := app.user(tom), app.user(huck)

	page := c.get(userPath(tomU, ""))
	mustStatus(t, page, http.StatusOK)
	if page.Doc.Find(`[data-testid="user-disable"], [data-testid="user-delete"]`).Length() != 0 {
		t.Error("Disable or Delete offered for the Owner")
	}
	if got := text(page, `[data-testid="user-actions-note"]`); !strings.Contains(got, "Tom Sawyer is the account's Owner and cannot be disabled or deleted") {
		t.Errorf("Owner's note %q", got)
	}
	for _, action := range []string{"disable", "delete"} {
		confirm := c.get(userPath(tomU, "/"+action))
		mustStatus(t, confirm, http.StatusOK)
		if confirm.Doc.Find(`[data-testid="confirm-submit"]`).Length() != 0 || confirm.Doc.Find("form[action$=\"/"+action+"\"]").Length() != 0 {
			t.Errorf("%s of the Owner asked to confirm", action)
		}
		if got := text(confirm, `[data-testid="confirm-refused"]`); !strings.Contains(got, "Tom Sawyer cannot be") || !strings.Contains(got, "is the account's Owner") {
			t.Errorf("%s of the Owner: %q", action, got)
		}
	}
	page = c.get(userPath(h, ""))
	if page.Doc.Find(`[data-testid="user-disable"]`).Length() != 1 || page.Doc.Find(`[data-testid="user-delete"]`).Length() != 1 ||
		page.Doc.Find(`[data-testid="user-actions-note"]`).Length() != 0 {
		t.Error("Disable and Delete not offered plainly for a member")
	}
	if c.get(userPath(h, "/disable")).Doc.Find(`[data-testid="confirm-submit"]`).Length() != 1 {
		t.Error("no confirmation for disabling a member")
	}

	// The last user admin of an account without an Owner (R3).
	op := tenantdesk.OperatorContext(context.Background())
	acc := &tenantdesk.Account{Name: "Ownerless Ltd"}
	if err := app.ops().CreateCustomer(op, acc, nil); err != nil {
		t.Fatal(err)
	}
	admin := &tenantdesk.User{AccountID: acc.ID, DisplayName: "Solo Admin", Email: "solo@ownerless.example", Roles: []string{"customer.user", "user.admin"}}
	if err := app.ops().CreateUser(op, admin); err != nil {
		t.Fatal(err)
	}
	if err := app.ops().SetPassword(op, admin.ID, "the only admin here"); err != nil {
		t.Fatal(err)
	}
	solo := app.client()
	if res := solo.signIn(admin.Email, "the only admin here"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("sign-in")
	}
	page = solo.get(userPath(admin, ""))
	if page.Doc.Find(`[data-testid="user-disable"], [data-testid="user-delete"]`).Length() != 0 {
		t.Error("Disable or Delete offered for the last user admin")
	}
	if got := text(page, `[data-testid="user-actions-note"]`); !strings.Contains(got, "Solo Admin is the account's only user admin") {
		t.Errorf("last admin's note %q", got)
	}
	if got := text(solo.get(userPath(admin, "/delete")), `[data-testid="confirm-refused"]`); !strings.Contains(got, "only user admin") {
		t.Errorf("delete of the last admin: %q", got)
	}
	// With a second user admin both are offered again.
	second := &tenantdesk.User{AccountID: acc.ID, DisplayName: "Second Admin", Email: "second@ownerless.example", Roles: []string{"customer.user", "user.admin"}}
	if err := app.ops().CreateUser(op, second); err != nil {
		t.Fatal(err)
	}
	page = solo.get(userPath(admin, ""))
	if page.Doc.Find(`[data-testid="user-disable"]`).Length() != 1 || page.Doc.Find(`[data-testid="user-delete"]`).Length() != 1 {
		t.Error("actions not offered with a second user admin")
	}
}

// TestSupervisorLevelIsOneChoice: the supervisor levels are a radio group
// led by "None" (R2: one level at most) on the user's page and in the
// in-place editor, named by its legend; the posted roles keep their names
// and "None" posts no supervisor role.
func TestSupervisorLevelIsOneChoice(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	h := app.user(huck) // customer.user + supervisorl1
	check := func(name string, res *response, prefix string) {
		t.Helper()
		group := res.Doc.Find("fieldset").FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.TrimSpace(s.ChildrenFiltered("legend").Text()) == "Supervisor access (one level at most)"
		})
		if group.Length() != 1 {
			t.Fatalf("%s: no supervisor fieldset with its legend", name)
		}
		if n := group.Find(`input[type="checkbox"]`).Length(); n != 0 {
			t.Errorf("%s: %d supervisor checkboxes", name, n)
		}
		radios := group.Find(`input[type="radio"][name="roles"]`)
		if radios.Length() != 6 {
			t.Errorf("%s: %d radios, want None and five levels", name, radios.Length())
		}
		first := radios.First()
		if v, _ := first.Attr("value"); v != "" || !strings.Contains(text(res, `label[for="`+attr(first, "id")+`"]`), "None") {
			t.Errorf("%s: first radio %q is not None", name, attr(first, "id"))
		}
		checked := group.Find(`input[type="radio"]:checked`)
		if checked.Length() != 1 || attr(checked, "id") != prefix+"customer.user.supervisorl1" {
			t.Errorf("%s: checked %d, %q", name, checked.Length(), attr(checked, "id"))
		}
		radios.Each(func(_ int, s *goquery.Selection) {
			if res.Doc.Find(`label[for="`+attr(s, "id")+`"]`).Length() != 1 {
				t.Errorf("%s: radio %q has no label", name, attr(s, "id"))
			}
		})
	}
	check("user page", c.get(userPath(h, "")), "role-")
	req, _ := http.NewRequest(http.MethodGet, app.Server.URL+userPath(h, "/roles"), nil)
	req.Header.Set("HX-Request", "true")
	check("in-place editor", c.do(req), "inline-"+tenantdesk.FormatUserID(h.ID)+"-")

	// Without JavaScript: another level, then None.
	res := c.post(userPath(h, ""), url.Values{"displayName": {h.DisplayName}, "email": {h.Email}, "roles": {"customer.user", "customer.user.supervisorl2"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("level 2: %d %s", res.StatusCode, text(res, `[data-testid="form-error"]`))
	}
	if u := app.user(huck); !u.HasRole("customer.user.supervisorl2") || u.HasRole("customer.user.supervisorl1") {
		t.Errorf("after level 2: %v", u.Roles)
	}
	res = c.post(userPath(h, "/roles"), url.Values{"roles": {"customer.user", ""}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("None: %d %s", res.StatusCode, res.Body)
	}
	if u := app.user(huck); len(u.Roles) != 1 || u.Roles[0] != "customer.user" {
		t.Errorf("after None: %v", u.Roles)
	}
	if got := c.get(userPath(h, "")).Doc.Find(`#role-supervisor-none:checked`).Length(); got != 1 {
		t.Error("None not chosen for a user without supervisor access")
	}
	// Two levels at once are still refused by the rules (R2).
	res = c.post(userPath(h, ""), url.Values{"displayName": {h.DisplayName}, "email": {h.Email},
		"roles": {"customer.user", "customer.user.supervisorl1", "customer.user.supervisorl2"}})
	if got := text(res, `[data-testid="form-error"]`); !strings.Contains(got, "mutually exclusive") {
		t.Errorf("two levels: %q", got)
	}
}

// TestRoleEditorAccessibleMarkup: the Users tab has one polite status
// region outside the table (the table itself is no live region), every
// save in the role editor sends its confirmation there, and the Edit link
// leads to the user's page without JavaScript.
func TestRoleEditorAccessibleMarkup(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	list := c.get("/account/users")
	h := app.user(huck)
	status := list.Doc.Find(`#users-status[role="status"]`)
	if status.Length() != 1 || status.Closest("#users-results").Length() != 0 || strings.TrimSpace(status.Text()) != "" {
		t.Fatalf("status region: %d, inside results %d, %q", status.Length(), status.Closest("#users-results").Length(), status.Text())
	}
	if n := list.Doc.Find(`[aria-live]`).Has(`[data-testid="users-table"]`).Length(); n != 0 {
		t.Errorf("the table is inside %d live regions", n)
	}
	edit := list.Doc.Find(`#user-row-` + tenantdesk.FormatUserID(h.ID) + ` [data-testid="user-edit-roles"]`)
	if attr(edit, "href") != userPath(h, "") || attr(edit, "hx-get") != userPath(h, "/roles") {
		t.Errorf("Edit link href %q hx-get %q", attr(edit, "href"), attr(edit, "hx-get"))
	}

	hx := func(method, path string, form url.Values) *response {
		req, _ := http.NewRequest(method, app.Server.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", c.csrf)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res := c.do(req)
		res.Doc, _ = goquery.NewDocumentFromReader(strings.NewReader("<table><tbody>" + res.Body + "</tbody></table>"))
		return res
	}
	// The editor is named by its heading, which takes the focus when it opens.
	editor := hx(http.MethodGet, userPath(h, "/roles"), nil)
	title := editor.Doc.Find(`[data-testid="role-editor-title"]`)
	if attr(title, "tabindex") != "-1" || attr(editor.Doc.Find("form"), "aria-labelledby") != attr(title, "id") || title.Text() != "Roles of Huck Finn" {
		t.Errorf("editor heading %q tabindex %q, form labelled by %q", title.Text(), attr(title, "tabindex"), attr(editor.Doc.Find("form"), "aria-labelledby"))
	}
	// A save returns the row and, out of band, the confirmation.
	saved := hx(http.MethodPost, userPath(h, "/roles"), url.Values{"roles": {"customer.user", "customer.user.supervisorl2"}})
	oob := saved.Doc.Find(`#users-status[hx-swap-oob="innerHTML"]`)
	if saved.Doc.Find(`[data-testid="user-row"]`).Length() != 1 || strings.TrimSpace(oob.Text()) != "Huck Finn was updated." {
		t.Fatalf("saved: %s", saved.Body)
	}
	// A save that rolls an add-on out to others reloads the list, which
	// confirms the save as well as naming who got the add-on.
	res := hx(http.MethodPost, userPath(h, "/roles"), url.Values{"roles": {"customer.user", "customer.user.supervisorl3", "customer.user.pbx"}})
	if res.Header.Get("HX-Redirect") != "/account/users" {
		t.Fatalf("auto-assigning save: %d %q %s", res.StatusCode, res.Header.Get("HX-Redirect"), res.Body)
	}
	var flashes []string
	c.get("/account/users").Doc.Find(`[data-testid="flash"]`).Each(func(_ int, s *goquery.Selection) { flashes = append(flashes, s.Text()) })
	if len(flashes) != 2 || flashes[0] != "Huck Finn was updated." {
		t.Errorf("flashes %q", flashes)
	}
}
