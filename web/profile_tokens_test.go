package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// My profile › API tokens: create (the secret shown once), use, regenerate,
// revoke; the account's maximum lifetime; errors with the input kept.
func TestProfileTokensPage(t *testing.T) {
	app := newTestApp(t)
	app.grantAPIRole(becky) // tokens need onboarding.admin (SPEC §2)
	c := app.client()
	c.mustSignIn(becky)

	page := c.get("/profile/tokens")
	if page.StatusCode != http.StatusOK || page.Doc.Find(`[data-testid="tokens-empty"]`).Length() != 1 {
		t.Fatalf("empty page: %d", page.StatusCode)
	}
	if page.Doc.Find(`[data-testid="profile-tab-tokens"][aria-current="page"]`).Length() != 1 {
		t.Fatal("the API tokens tab is not marked current")
	}
	if page.Doc.Find(`label[for="token-name"]`).Length() != 1 || page.Doc.Find(`label[for="token-expires"]`).Length() != 1 ||
		page.Doc.Find(`label[for="token-readonly"]`).Length() != 1 {
		t.Fatal("form inputs without labels")
	}

	// Errors keep the input.
	res := c.post("/profile/tokens", url.Values{"name": {""}, "expires": {"2020-01-01"}, "readOnly": {"1"}})
	if res.StatusCode != http.StatusOK || text(res, `[data-testid="token-name-error"]`) == "" {
		t.Fatalf("no name error: %d", res.StatusCode)
	}
	if v, _ := res.Doc.Find(`#token-expires`).Attr("value"); v != "2020-01-01" {
		t.Fatalf("expiry not kept: %q", v)
	}
	if _, checked := res.Doc.Find(`#token-readonly`).Attr("checked"); !checked {
		t.Fatal("read-only not kept")
	}
	res = c.post("/profile/tokens", url.Values{"name": {"Old"}, "expires": {"2020-01-01"}})
	if text(res, `[data-testid="token-expires-error"]`) == "" {
		t.Fatal("no error for a past expiry")
	}

	// Create: the secret is shown once, on the page the POST redirects to,
	// with a copy button and the warning.
	res, secret := createToken(t, c, url.Values{"name": {"Nightly sync"}, "expires": {"2027-01-01"}})
	if !auth.ValidAPIToken(secret) {
		t.Fatalf("secret %q", secret)
	}
	if target, _ := res.Doc.Find(`[data-testid="copy-token"]`).Attr("data-copy-target"); target != "new-token-secret" {
		t.Fatalf("copy button targets %q", target)
	}
	if !strings.Contains(text(res, `[data-testid="new-token"]`), "only time") {
		t.Fatal("no warning that the secret is shown once")
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Fatal("the secret's page may be cached")
	}
	if row := res.Doc.Find(`[data-testid="token-row"]`); row.Length() != 1 || !strings.Contains(row.Text(), "Nightly sync") ||
		!strings.Contains(row.Text(), secret[:8]) || strings.Contains(row.Text(), secret) {
		t.Fatalf("list row: %q", row.Text())
	}
	// Shown once: the next visit has the token but not its secret.
	page = c.get("/profile/tokens")
	if strings.Contains(page.Body, secret) || page.Doc.Find(`[data-testid="new-token"]`).Length() != 0 {
		t.Fatal("the secret is shown again")
	}
	// It works, with Becky's rights, until the chosen day (start of day, her zone: UTC).
	me := app.api(secret).get("/api/v1/me").expect(t, http.StatusOK)
	if me.str("user.email") != becky || me.str("token.expiresAt") != "2027-01-01T00:00:00.000Z" {
		t.Fatalf("me: %s", me.Body)
	}
	id, _ := page.Doc.Find(`[data-testid="token-row"]`).Attr("data-token-id")

	// Regenerate: confirmation first, then a new secret, shown once on the
	// page the POST redirects to; the old one stops at once.
	if got := text(page, `[data-testid="token-regenerate"]`); got != "Regenerate" {
		t.Fatalf("regenerate button %q", got)
	}
	confirm := c.get("/profile/tokens/" + id + "/regenerate")
	if confirm.StatusCode != http.StatusOK || confirm.Doc.Find(`form[action="/profile/tokens/`+id+`/regenerate"]`).Length() != 1 ||
		text(confirm, `[data-testid="confirm-submit"]`) != "Regenerate the token" {
		t.Fatalf("regenerate confirmation: %d %q", confirm.StatusCode, text(confirm, `[data-testid="confirm-submit"]`))
	}
	res = c.post("/profile/tokens/"+id+"/regenerate", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile/tokens" {
		t.Fatalf("regenerate: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = c.get("/profile/tokens")
	secret2, _ := res.Doc.Find(`[data-testid="new-token-secret"]`).Attr("value")
	if !auth.ValidAPIToken(secret2) || secret2 == secret {
		t.Fatalf("regenerated secret %q", secret2)
	}
	if again := c.get("/profile/tokens"); strings.Contains(again.Body, secret2) {
		t.Fatal("the regenerated secret is shown again")
	}
	app.api(secret).get("/api/v1/me").expect(t, http.StatusUnauthorized, "unauthorized")
	app.api(secret2).get("/api/v1/me").expect(t, http.StatusOK)

	// Revoke: confirmation, then gone for good.
	if r := c.get("/profile/tokens/" + id + "/revoke"); r.StatusCode != http.StatusOK || r.Doc.Find(`[data-testid="confirm-submit"]`).Length() != 1 {
		t.Fatalf("revoke confirmation: %d", r.StatusCode)
	}
	res = c.post("/profile/tokens/"+id+"/revoke", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	page = c.get("/profile/tokens")
	if !strings.Contains(text(page, `[data-testid="flash"]`), "Nightly sync") || text(page, `[data-testid="token-status"]`) != "Revoked" ||
		page.Doc.Find(`[data-testid="token-revoke"]`).Length() != 0 {
		t.Fatalf("after revoke: %q %q", text(page, `[data-testid="flash"]`), text(page, `[data-testid="token-status"]`))
	}
	app.api(secret2).get("/api/v1/me").expect(t, http.StatusUnauthorized, "unauthorized")

	// Another user's token is not found.
	other := app.client()
	other.mustSignIn(huck)
	if r := other.get("/profile/tokens/" + id + "/revoke"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another user's token: %d", r.StatusCode)
	}
	if r := other.post("/profile/tokens/"+id+"/regenerate", nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another user's token: %d", r.StatusCode)
	}

	// Read-only from the page.
	_, ro := createToken(t, c, url.Values{"name": {"Reports"}, "readOnly": {"1"}})
	app.api(ro).get("/api/v1/customers/"+app.tenantOf(becky)+"/users").expect(t, http.StatusOK)
	app.api(ro).delete("/api/v1/customers/"+app.tenantOf(becky)+"/users/"+app.userIDOf(huck)).expect(t, http.StatusForbidden, "read_only_token")
}

func TestProfileTokensMaximumLifetime(t *testing.T) {
	app := newTestApp(t)
	app.grantAPIRole(becky) // tokens need onboarding.admin (SPEC §2)
	ctx := tenantdesk.OperatorContext(context.Background())
	if _, err := app.Svc.Security.SetAccountSecurity(ctx, tenantdesk.AccountSecurity{AccountID: app.accountOf(becky), TokenMaxLifetimeDays: 30}); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	c.mustSignIn(becky)
	page := c.get("/profile/tokens")
	if max, _ := page.Doc.Find(`#token-expires`).Attr("max"); max != "2026-12-21" {
		t.Fatalf("date input max %q", max)
	}
	if !strings.Contains(text(page, `#token-expires-hint`), "30 days") {
		t.Fatalf("hint %q", text(page, `#token-expires-hint`))
	}
	// No date: the maximum. A later date: refused, with the limit named.
	_, secret := createToken(t, c, url.Values{"name": {"Capped"}})
	if me := app.api(secret).get("/api/v1/me").expect(t, http.StatusOK); me.str("token.expiresAt") != "2026-12-21T09:00:00.000Z" {
		t.Fatalf("expiry %s", me.str("token.expiresAt"))
	}
	res := c.post("/profile/tokens", url.Values{"name": {"Too long"}, "expires": {"2027-06-01"}})
	if e := text(res, `[data-testid="token-expires-error"]`); !strings.Contains(e, "30") || !strings.Contains(e, "2026-12-21") {
		t.Fatalf("error %q", e)
	}
	res = c.post("/profile/tokens", url.Values{"name": {"Last day"}, "expires": {"2026-12-21"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the last allowed day is refused: %s", text(res, `[data-testid="token-error"]`))
	}
}

// createToken sends the create form, expects the redirect to the tab
// (post/redirect/get) and returns the tab with the new secret.
func createToken(t *testing.T, c *client, form url.Values) (*response, string) {
	t.Helper()
	res := c.post("/profile/tokens", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile/tokens" {
		t.Fatalf("create: %d to %q, error %q", res.StatusCode, res.Header.Get("Location"), text(res, `[data-testid="token-error"]`))
	}
	page := c.get("/profile/tokens")
	secret, _ := page.Doc.Find(`[data-testid="new-token-secret"]`).Attr("value")
	if !auth.ValidAPIToken(secret) {
		t.Fatalf("secret %q", secret)
	}
	return page, secret
}

// Creating answers with a redirect (post/redirect/get): refreshing the page
// that shows the secret, or coming Back to it, asks for the tab again and
// makes no second token; the secret is shown on that one page only, and is
// never in a URL. With HTMX the redirect is HX-Redirect.
func TestProfileTokensCreateThenRefresh(t *testing.T) {
	app := newTestApp(t)
	app.grantAPIRole(becky) // tokens need onboarding.admin (SPEC §2)
	c := app.client()
	c.mustSignIn(becky)

	res := c.post("/profile/tokens", url.Values{"name": {"Nightly sync"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/profile/tokens" {
		t.Fatalf("create answers %d to %q: a refresh would post the form again", res.StatusCode, res.Header.Get("Location"))
	}
	if res.Doc != nil && res.Doc.Find(`[data-testid="new-token-secret"]`).Length() != 0 {
		t.Fatal("the answer to the POST shows the secret")
	}
	shown := c.get(res.Header.Get("Location"))
	secret, _ := shown.Doc.Find(`[data-testid="new-token-secret"]`).Attr("value")
	if !auth.ValidAPIToken(secret) {
		t.Fatalf("secret %q", secret)
	}
	if strings.Contains(shown.Request.URL.String(), secret) {
		t.Fatal("the secret is in the URL")
	}
	if shown.Header.Get("Cache-Control") != "no-store" {
		t.Fatal("the secret's page may be cached (Back would show it again)")
	}
	app.api(secret).get("/api/v1/me").expect(t, http.StatusOK)

	// Refresh, twice: the same GET, one token, no secret.
	for range 2 {
		again := c.get("/profile/tokens")
		if n := again.Doc.Find(`[data-testid="token-row"]`).Length(); n != 1 {
			t.Fatalf("%d tokens after a refresh", n)
		}
		if strings.Contains(again.Body, secret) || again.Doc.Find(`[data-testid="new-token"]`).Length() != 0 {
			t.Fatal("the secret is shown again")
		}
	}
	if n := app.count(`SELECT count(*) FROM api_tokens`); n != 1 {
		t.Fatalf("%d tokens stored", n)
	}

	// The secret is not shown to another session of the same user either.
	other := app.client()
	other.mustSignIn(becky)
	if p := other.get("/profile/tokens"); strings.Contains(p.Body, secret) {
		t.Fatal("another session sees the secret")
	}

	// HTMX: the same flash, with HX-Redirect.
	c.Header = http.Header{"Hx-Request": {"true"}}
	res = c.post("/profile/tokens", url.Values{"name": {"From htmx"}})
	c.Header = nil
	if res.StatusCode != http.StatusNoContent || res.Header.Get("HX-Redirect") != "/profile/tokens" {
		t.Fatalf("htmx create: %d to %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	if s, _ := c.get("/profile/tokens").Doc.Find(`[data-testid="new-token-secret"]`).Attr("value"); !auth.ValidAPIToken(s) || s == secret {
		t.Fatalf("htmx secret %q", s)
	}
}

// Revoke is a quiet outline button on each row, not a solid red one; only
// the confirmation's button is red.
func TestProfileTokensRevokeIsCalm(t *testing.T) {
	app := newTestApp(t)
	app.grantAPIRole(becky) // tokens need onboarding.admin (SPEC §2)
	c := app.client()
	c.mustSignIn(becky)
	page, _ := createToken(t, c, url.Values{"name": {"Nightly sync"}})
	revoke := page.Doc.Find(`[data-testid="token-revoke"]`)
	if revoke.Length() != 1 || revoke.HasClass("btn-danger") || !revoke.HasClass("btn-secondary") {
		t.Fatalf("revoke button class %q", revoke.AttrOr("class", ""))
	}
	if label := revoke.AttrOr("aria-label", ""); label != "Revoke token Nightly sync" {
		t.Fatalf("revoke label %q", label)
	}
	href := revoke.AttrOr("href", "")
	if confirm := c.get(href); !confirm.Doc.Find(`[data-testid="confirm-submit"]`).HasClass("btn-danger") {
		t.Fatal("the confirmation of a revoke is not marked dangerous")
	}
}
