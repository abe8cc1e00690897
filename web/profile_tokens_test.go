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

// My profile › API tokens: create (the secret shown once), use, change,
// revoke; the account's maximum lifetime; errors with the input kept.
func TestProfileTokensPage(t *testing.T) {
	app := newTestApp(t)
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

	// Create: the secret is shown once, with a copy button and the warning.
	res = c.post("/profile/tokens", url.Values{"name": {"Nightly sync"}, "expires": {"2027-01-01"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("create: %d", res.StatusCode)
	}
	secret, _ := res.Doc.Find(`[data-testid="new-token-secret"]`).Attr("value")
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

	// Change: confirmation first, then a new secret; the old one stops at once.
	confirm := c.get("/profile/tokens/" + id + "/regenerate")
	if confirm.StatusCode != http.StatusOK || confirm.Doc.Find(`form[action="/profile/tokens/`+id+`/regenerate"]`).Length() != 1 {
		t.Fatalf("regenerate confirmation: %d", confirm.StatusCode)
	}
	res = c.post("/profile/tokens/"+id+"/regenerate", nil)
	secret2, _ := res.Doc.Find(`[data-testid="new-token-secret"]`).Attr("value")
	if !auth.ValidAPIToken(secret2) || secret2 == secret {
		t.Fatalf("regenerated secret %q", secret2)
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
	res = c.post("/profile/tokens", url.Values{"name": {"Reports"}, "readOnly": {"1"}})
	ro, _ := res.Doc.Find(`[data-testid="new-token-secret"]`).Attr("value")
	app.api(ro).get("/api/v1/customers/"+app.tenantOf(becky)+"/users").expect(t, http.StatusOK)
	app.api(ro).delete("/api/v1/customers/"+app.tenantOf(becky)+"/users/"+app.userIDOf(huck)).expect(t, http.StatusForbidden, "read_only_token")
}

func TestProfileTokensMaximumLifetime(t *testing.T) {
	app := newTestApp(t)
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
	res := c.post("/profile/tokens", url.Values{"name": {"Capped"}})
	secret, _ := res.Doc.Find(`[data-testid="new-token-secret"]`).Attr("value")
	if me := app.api(secret).get("/api/v1/me").expect(t, http.StatusOK); me.str("token.expiresAt") != "2026-12-21T09:00:00.000Z" {
		t.Fatalf("expiry %s", me.str("token.expiresAt"))
	}
	res = c.post("/profile/tokens", url.Values{"name": {"Too long"}, "expires": {"2027-06-01"}})
	if e := text(res, `[data-testid="token-expires-error"]`); !strings.Contains(e, "30") || !strings.Contains(e, "2026-12-21") {
		t.Fatalf("error %q", e)
	}
	res = c.post("/profile/tokens", url.Values{"name": {"Last day"}, "expires": {"2026-12-21"}})
	if s, _ := res.Doc.Find(`[data-testid="new-token-secret"]`).Attr("value"); s == "" {
		t.Fatalf("the last allowed day is refused: %s", text(res, `[data-testid="token-error"]`))
	}
}
