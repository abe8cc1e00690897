package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// settingsForm is the Settings form as a person fills it in.
func settingsForm(lang, zone, variant string, acd bool) url.Values {
	f := url.Values{"defaultLanguage": {lang}, "defaultTimeZone": {zone}, "essentialVariant": {variant}}
	if acd {
		f.Set("autoAssignAcd", "on")
	}
	return f
}

// settingsOf reads an account's stored settings.
func (a *testApp) settingsOf(name string) tenantdesk.AccountSettings {
	a.t.Helper()
	return a.account(name).Settings
}

// settingsView says how a settings page shows them: "form", "readonly" or
// "" (neither: an error page).
func settingsView(r *response) string {
	switch {
	case r.Doc == nil:
		return ""
	case r.Doc.Find(`form[data-testid="settings-form"]`).Length() == 1:
		return "form"
	case r.Doc.Find(`[data-testid="settings-readonly"]`).Length() == 1:
		return "readonly"
	}
	return ""
}

// TestAccountSettingsWhoMayEdit is issue 12's rule on pages: the Owner, a
// holder of customer.settings, the legacy partner admin (Partnerdesk) and
// a configure-mode impersonator change the settings; a plain member, a
// user admin without customer.settings, a partner user, the partner admin
// after the customer's first grant (access_request_required) and a
// support-mode impersonator read them and are refused with 403.
func TestAccountSettingsWhoMayEdit(t *testing.T) {
	app := newTestApp(t)
	tomCo, acre := app.account(tomSawyerCo), app.account(hundredAcre)
	type step struct {
		name     string
		email    string
		path     string // the page; POSTs go to it too
		view     string // "form" or "readonly"
		status   int    // of the POST
		lang     string // posted; stored when the POST succeeds
		contains string // the refused POST's page says it
	}
	run := func(c *client, s step) {
		t.Helper()
		page := c.get(s.path)
		if page.StatusCode != http.StatusOK || settingsView(page) != s.view {
			t.Errorf("%s: GET %s = %d, %q; want %q", s.name, s.path, page.StatusCode, settingsView(page), s.view)
		}
		if s.view == "form" && page.Doc.Find(`form[data-testid="settings-form"] input[name="_csrf"]`).Length() != 1 {
			t.Errorf("%s: the form has no CSRF token", s.name)
		}
		res := c.post(s.path, settingsForm(s.lang, "Europe/London", "standard", false))
		if res.StatusCode != s.status {
			t.Errorf("%s: POST = %d, want %d", s.name, res.StatusCode, s.status)
		}
		if s.status == http.StatusSeeOther {
			if loc := res.Header.Get("Location"); loc != s.path {
				t.Errorf("%s: redirected to %q", s.name, loc)
			}
			if got := text(c.get(s.path), `[data-testid="flash"]`); !strings.Contains(got, "Account settings saved") {
				t.Errorf("%s: no confirmation after the redirect: %q", s.name, got)
			}
		} else {
			if settingsView(res) != "readonly" || !strings.Contains(text(res, `[data-testid="settings-error"]`), s.contains) {
				t.Errorf("%s: refusal page %q: %q", s.name, settingsView(res), text(res, `[data-testid="settings-error"]`))
			}
		}
	}
	signedIn := func(email string) *client {
		c := app.client()
		c.mustSignIn(email)
		return c
	}
	partnerPage := func(acc *tenantdesk.Account) string { return "/partner/customers/" + acc.TenantID + "/settings" }
	for _, s := range []step{
		{"Owner", tom, "/account/settings", "form", http.StatusSeeOther, "de", ""},
		{"customer.settings holder", "aunt.polly@fence.example", "/account/settings", "form", http.StatusSeeOther, "fr", ""},
		{"plain member", huck, "/account/settings", "readonly", http.StatusForbidden, "ru", "Only the account Owner"},
		{"user admin without customer.settings", becky, "/account/settings", "readonly", http.StatusForbidden, "ru", "Only the account Owner"},
		{"legacy partner admin", elizabeth, partnerPage(acre), "form", http.StatusSeeOther, "pt", ""},
		{"partner user", caroline, partnerPage(acre), "readonly", http.StatusForbidden, "ru", "Only the account Owner"},
	} {
		run(signedIn(s.email), s)
		if s.status == http.StatusSeeOther {
			acc := tomSawyerCo
			if strings.HasPrefix(s.path, "/partner/") {
				acc = hundredAcre
			}
			if got := app.settingsOf(acc); got.DefaultLanguage != s.lang || got.DefaultTimeZone != "Europe/London" {
				t.Errorf("%s: stored %+v", s.name, got)
			}
		}
	}
	if got := app.settingsOf(tomSawyerCo).DefaultLanguage; got != "fr" {
		t.Errorf("a refused POST changed the settings: %q", got)
	}

	// Tom Sawyer grants its first request (Charlotte and Caroline): the
	// partner admin's legacy access ends; the granted staff act by mode.
	app.grantAccess(tomCo, tom, nil, charlotte, caroline)
	run(signedIn(elizabeth), step{"partner admin after the first grant", elizabeth, partnerPage(tomCo), "readonly", http.StatusForbidden, "ru",
		"lets in partner staff only through a granted access request"})
	configure := signedIn(charlotte)
	if r := configure.post("/impersonate/"+tomCo.TenantID+"/configure", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("configure impersonation: %d", r.StatusCode)
	}
	run(configure, step{"configure-mode impersonator", charlotte, "/account/settings", "form", http.StatusSeeOther, "en", ""})
	if got := app.settingsOf(tomSawyerCo).DefaultLanguage; got != "en" {
		t.Errorf("configure mode stored %q", got)
	}
	for _, acc := range []*tenantdesk.Account{tomCo, app.account("Classics, Inc.")} {
		if !hasAudit(t, app, acc.ID, tenantdesk.AuditSettingsUpdate, `"defaultLanguage":"en"`) {
			t.Errorf("%s: the impersonator's change is not in the log", acc.Name)
		}
	}
	support := signedIn(caroline)
	if r := support.post("/impersonate/"+tomCo.TenantID+"/support", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("support impersonation: %d", r.StatusCode)
	}
	run(support, step{"support-mode impersonator", caroline, "/account/settings", "readonly", http.StatusForbidden, "ru", "Only the account Owner"})
	if got := app.settingsOf(tomSawyerCo).DefaultLanguage; got != "en" {
		t.Errorf("a refused POST changed the settings: %q", got)
	}

	// Where the pages are not: a partner account has no Settings tab; the
	// Partnerdesk page is partner staff's; an unknown tenant is not found.
	e := signedIn(elizabeth)
	if r := e.get("/account/settings"); r.StatusCode != http.StatusNotFound {
		t.Errorf("partner account settings: %d", r.StatusCode)
	}
	if r := e.get("/account"); r.Doc.Find(`[data-testid="tab-settings"]`).Length() != 0 {
		t.Error("a partner account shows a Settings tab")
	}
	if r := e.get("/partner/customers/tnaaaaaaaaaaaaaaaa/settings"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown tenant: %d", r.StatusCode)
	}
	owner := signedIn(tom)
	if r := owner.get(partnerPage(tomCo)); r.StatusCode != http.StatusNotFound {
		t.Errorf("a customer's Owner on the Partnerdesk page: %d", r.StatusCode)
	}
	if r := owner.post(partnerPage(tomCo), settingsForm("ru", "", "standard", false)); r.StatusCode != http.StatusNotFound {
		t.Errorf("a customer's Owner posting to Partnerdesk: %d", r.StatusCode)
	}
	// Every member of the customer sees the tab.
	for _, email := range []string{tom, huck, becky} {
		c := signedIn(email)
		if r := c.get("/account"); r.Doc.Find(`[data-testid="tab-settings"]`).Length() != 1 {
			t.Errorf("%s sees no Settings tab", email)
		}
	}
}

// TestAccountSettingsForm: labels and explanations for every control; bad
// input re-renders the form with what was typed and each field's error,
// and stores nothing; a good one is stored, confirmed after a redirect and
// audited with what changed.
func TestAccountSettingsForm(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	page := c.get("/account/settings")
	if title := text(page, "title"); !strings.Contains(title, "Settings") || !strings.Contains(title, tomSawyerCo) {
		t.Errorf("title %q", title)
	}
	for _, id := range []string{"defaultLanguage", "defaultTimeZone", "autoAssignAcd", "essentialVariant-standard", "essentialVariant-uk"} {
		if page.Doc.Find(`label[for="`+id+`"]`).Length() != 1 || page.Doc.Find("#"+id).Length() != 1 {
			t.Errorf("control %s has no visible label", id)
		}
	}
	if page.Doc.Find(`#essentialVariant-standard[checked]`).Length() != 1 || page.Doc.Find(`#autoAssignAcd[checked]`).Length() != 0 {
		t.Error("the form does not show the stored settings")
	}
	if page.Doc.Find(`datalist#settings-time-zones option[value="Europe/London"]`).Length() != 1 {
		t.Error("the time zone has no list of zones")
	}
	if v, _ := page.Doc.Find("#defaultTimeZone").Attr("value"); v != "UTC" {
		t.Errorf("time zone shown as %q", v)
	}
	// Sid and Muff hold customer.user.pbx: the form says a change converts them.
	if got := text(page, `[data-testid="settings-variant-convert"]`); !strings.Contains(got, "2 users") || !strings.Contains(got, "customer.user.uc.essential") {
		t.Errorf("conversion note %q", got)
	}
	if !strings.Contains(text(page, "#autoAssignAcd-hint"), "customer.user.acd") {
		t.Error("the agent option does not explain itself")
	}

	res := c.post("/account/settings", settingsForm("xx", "Mars/Olympus", "us", true))
	if res.StatusCode != http.StatusOK || settingsView(res) != "form" {
		t.Fatalf("invalid input: %d %q", res.StatusCode, settingsView(res))
	}
	for id, want := range map[string]string{"defaultLanguage-error": "listed languages", "defaultTimeZone-error": "time zone",
		"essentialVariant-error": "variant"} {
		if got := text(res, `[data-testid="`+id+`"]`); !strings.Contains(got, want) {
			t.Errorf("%s: %q", id, got)
		}
	}
	if v, _ := res.Doc.Find("#defaultTimeZone").Attr("value"); v != "Mars/Olympus" {
		t.Errorf("the typed zone is not kept: %q", v)
	}
	if res.Doc.Find(`#autoAssignAcd[checked]`).Length() != 1 {
		t.Error("the ticked box is not kept")
	}
	if got := app.settingsOf(tomSawyerCo); got.AutoAssignACD || got.DefaultTimeZone != "" {
		t.Errorf("invalid input stored %+v", got)
	}

	res = c.post("/account/settings", settingsForm("ru", "Europe/Moscow", "standard", true))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	got := app.settingsOf(tomSawyerCo)
	if got != (tenantdesk.AccountSettings{DefaultLanguage: "ru", DefaultTimeZone: "Europe/Moscow", AutoAssignACD: true, EssentialVariant: "standard"}) {
		t.Errorf("stored %+v", got)
	}
	page = c.get("/account/settings")
	if page.Doc.Find(`#defaultLanguage option[value="ru"][selected]`).Length() != 1 || page.Doc.Find(`#autoAssignAcd[checked]`).Length() != 1 {
		t.Error("the saved settings are not shown")
	}
	if !hasAudit(t, app, app.account(tomSawyerCo).ID, tenantdesk.AuditSettingsUpdate, `"defaultTimeZone":"Europe/Moscow"`) {
		t.Error("the change is not audited")
	}
	// Readers see the saved values as text.
	h := app.client()
	h.mustSignIn(huck)
	ro := h.get("/account/settings")
	if text(ro, `[data-testid="settings-language-value"]`) != "Русский" || text(ro, `[data-testid="settings-time-zone-value"]`) != "Europe/Moscow" ||
		text(ro, `[data-testid="settings-auto-acd-value"]`) != "On" || ro.Doc.Find("form[data-testid=settings-form]").Length() != 0 {
		t.Errorf("read-only view: %q", text(ro, `[data-testid="settings-readonly"]`))
	}
	// The languages offered are the portal's.
	var tags []string
	for _, l := range i18n.Languages {
		tags = append(tags, l.Tag)
	}
	slices.Sort(tags)
	offered := slices.Clone(tenantdesk.SettingsLanguages)
	slices.Sort(offered)
	if !slices.Equal(tags, offered) {
		t.Errorf("settings offer %v, the portal ships %v", offered, tags)
	}
}

// TestAccountSettingsNewUserDefaults: after the Owner sets the defaults, a
// user invited on the Users tab and one created through the API start in
// the account's language and time zone.
func TestAccountSettingsNewUserDefaults(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	if r := c.post("/account/settings", settingsForm("de", "Europe/Berlin", "standard", false)); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", r.StatusCode)
	}
	b := app.client()
	b.mustSignIn(becky)
	if r := b.post("/account/users", url.Values{"displayName": {"Ben Rogers"}, "email": {"ben.rogers@fence.example"}, "roles": {"customer.user"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d %s", r.StatusCode, text(r, "main"))
	}
	api := app.api(app.apiToken(becky))
	api.post(usersPath(app.tenantOf(becky)), map[string]any{"displayName": "Amy Lawrence", "email": "amy.lawrence@fence.example",
		"roles": []string{"customer.user"}}).expect(t, http.StatusCreated)
	for _, email := range []string{"ben.rogers@fence.example", "amy.lawrence@fence.example"} {
		if u := app.user(email); u.Language != "de" || u.TimeZone != "Europe/Berlin" {
			t.Errorf("%s: %q %q", email, u.Language, u.TimeZone)
		}
	}
	if u := app.user(huck); u.Language != "" || u.TimeZone != "" {
		t.Errorf("an existing user changed: %q %q", u.Language, u.TimeZone)
	}
}

// TestEssentialVariantUKOnPages: switching to the UK variant converts the
// holders of customer.user.pbx and says so; from then on the Users tab
// offers customer.user.uc.essential in its place, the API refuses
// customer.user.pbx with 422 essential_variant_mismatch, and the Licenses
// tab counts the new role.
func TestEssentialVariantUKOnPages(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	res := c.post("/account/settings", settingsForm("", "", "uk", false))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: %d %s", res.StatusCode, text(res, "main"))
	}
	if got := text(c.get("/account/settings"), `[data-testid="flash"]`); !strings.Contains(got, "2 users now hold customer.user.uc.essential") {
		t.Errorf("confirmation %q", got)
	}
	sid := app.user("sid.sawyer@fence.example")
	if !sid.HasRole(tenantdesk.RoleUCEssential) || sid.HasRole(tenantdesk.RolePBX) || !sid.HasRole("customer.user.acd") {
		t.Errorf("Sid after the switch: %v", sid.Roles)
	}
	form := c.get("/account/users/new")
	if form.Doc.Find(`input[name="roles"][value="customer.user.uc.essential"]`).Length() != 1 ||
		form.Doc.Find(`input[name="roles"][value="customer.user.pbx"]`).Length() != 0 {
		t.Error("the user form offers the other variant's essential role")
	}
	if !strings.Contains(text(form, `label[for="role-customer.user.pbx.realtime"]`), "Essential user (UK variant)") {
		t.Errorf("real-time's prerequisite: %q", text(form, `label[for="role-customer.user.pbx.realtime"]`))
	}
	api := app.api(app.apiToken(becky))
	r := api.post(usersPath(app.tenantOf(becky)), map[string]any{"displayName": "Ben Rogers", "email": "ben.rogers@fence.example",
		"roles": []string{"customer.user.pbx"}}).expect(t, http.StatusUnprocessableEntity, "essential_variant_mismatch")
	if !strings.Contains(r.str("detail"), "customer.user.uc.essential") || !strings.Contains(r.str("detail"), "UK") {
		t.Errorf("detail %q", r.str("detail"))
	}
	api.post(usersPath(app.tenantOf(becky)), map[string]any{"displayName": "Ben Rogers", "email": "ben.rogers@fence.example",
		"roles": []string{"customer.user.uc.essential", "customer.user.pbx.realtime"}}).expect(t, http.StatusCreated)
	// A page re-renders the user form with the rule's message.
	b := app.client()
	b.mustSignIn(becky)
	page := b.post("/account/users", url.Values{"displayName": {"Amy Lawrence"}, "email": {"amy.lawrence@fence.example"}, "roles": {"customer.user.pbx"}})
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "UK essential-user variant") {
		t.Errorf("user form with the other variant's role: %d", page.StatusCode)
	}
	lic := c.get("/account/licenses")
	if !strings.Contains(text(lic, "main"), "Essential user (UK variant)") {
		t.Error("Licenses does not list the UK essential user")
	}
}

// TestSecurityTabWithoutAnOwner: in an account without an Owner its user
// admins change the Security tab (SPEC §1); a plain member reads it; with
// an Owner, a user admin reads it only.
func TestSecurityTabWithoutAnOwner(t *testing.T) {
	app := newTestApp(t)
	b := app.client()
	b.mustSignIn(becky)
	if r := b.get("/account/security"); r.Doc.Find(`[data-testid="security-require2fa"]`).Length() != 0 {
		t.Fatal("a user admin edits Security beside an Owner")
	}
	if r := b.post("/account/security", url.Values{"require2fa": {"on"}, "tokenMaxLifetimeDays": {"30"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("user admin beside an Owner: %d", r.StatusCode)
	}
	app.exec(`UPDATE users SET is_owner = 0 WHERE email = ?`, tom) // as an account created without an Owner
	page := b.get("/account/security")
	if page.Doc.Find(`[data-testid="security-require2fa"]`).Length() != 1 {
		t.Fatalf("the user admin of an ownerless account cannot edit: %s", text(page, "main"))
	}
	if r := b.post("/account/security", url.Values{"tokenMaxLifetimeDays": {"30"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.StatusCode, text(r, "main"))
	}
	if !hasAudit(t, app, app.account(tomSawyerCo).ID, "account.security_update", `"tokenMaxLifetimeDays":30`) {
		t.Error("not audited")
	}
	h := app.client()
	h.mustSignIn(huck)
	ro := h.get("/account/security")
	if ro.Doc.Find(`[data-testid="security-require2fa"]`).Length() != 0 || !strings.Contains(text(ro, `[data-testid="security-owner-only"]`), "user admins") {
		t.Errorf("member of an ownerless account: %q", text(ro, `[data-testid="security-owner-only"]`))
	}
	if r := h.post("/account/security", url.Values{"tokenMaxLifetimeDays": {"1"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("member: %d", r.StatusCode)
	}
	sec, err := app.Svc.Security.AccountSecurity(tenantdesk.OperatorContext(context.Background()), app.account(tomSawyerCo).ID)
	if err != nil || sec.TokenMaxLifetimeDays != 30 {
		t.Errorf("stored %+v %v", sec, err)
	}
}
