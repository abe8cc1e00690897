package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tenantdesk/tenantdesk/internal/auth"
)

// My profile › API tokens and the API reference in a real browser: the
// token is created through the form, shown once, copied with the copy
// button (CSP-safe script), and works against the API; reloading the page
// or going Back and Forward makes no second token and does not show the
// secret again; no console errors or CSP violations on either page.
func TestBrowserAPITokenAndReference(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.grantAPIRole(becky) // tokens need onboarding.admin (SPEC §2)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, becky, app.Password[becky])
	b.Navigate(base + "/profile/tokens")
	b.Do("fill the token form",
		chromedp.SendKeys(chromedp.CSS("#token-name"), "Browser script"),
		chromedp.Click(chromedp.CSS("#token-readonly")))
	if status := b.DoAndWaitLoad("create", chromedp.Click(chromedp.CSS("[data-testid=token-create]"))); status != 200 {
		t.Fatalf("create: status %d", status)
	}
	secret := b.Value("#new-token-secret")
	if !auth.ValidAPIToken(secret) {
		t.Fatalf("secret %q", secret)
	}
	// The copy button answers (the clipboard itself may be refused headless).
	b.Do("copy", chromedp.Click(chromedp.CSS("[data-testid=copy-token]")))
	if !strings.Contains(b.Text("[data-testid=token-row]"), "Browser script") {
		t.Fatalf("row %q", b.Text("[data-testid=token-row]"))
	}
	if b.Path() != "/profile/tokens" {
		t.Fatalf("the secret is shown at %s", b.Path())
	}
	me := app.api(secret).get("/api/v1/me").expect(t, http.StatusOK)
	if me.JSON["token"].(map[string]any)["readOnly"] != true {
		t.Fatalf("me: %s", me.Body)
	}
	// Reload, then Back and Forward: still one token, the secret gone.
	noSecondToken := func(what string) {
		t.Helper()
		if n := app.count(`SELECT count(*) FROM api_tokens`); n != 1 {
			t.Fatalf("%s: %d tokens", what, n)
		}
		if evalIn[int](b, `document.querySelectorAll("[data-testid=token-row]").length`) != 1 ||
			evalIn[int](b, `document.querySelectorAll("[data-testid=new-token]").length`) != 0 ||
			strings.Contains(evalIn[string](b, `document.documentElement.outerHTML`), secret) {
			t.Fatalf("%s: the secret is shown again, or the rows are wrong", what)
		}
	}
	if status := b.DoAndWaitLoad("reload", chromedp.Reload()); status != 200 {
		t.Fatalf("reload: status %d", status)
	}
	noSecondToken("after a reload")
	b.Navigate(base + "/profile")
	b.DoAndWaitLoad("back", chromedp.NavigateBack())
	noSecondToken("after Back")
	b.DoAndWaitLoad("back again", chromedp.NavigateBack())
	b.DoAndWaitLoad("forward", chromedp.NavigateForward())
	noSecondToken("after Back and Forward")
	// Revoke through the confirmation page.
	b.DoAndWaitLoad("revoke", chromedp.Click(chromedp.CSS("[data-testid=token-revoke]")))
	b.DoAndWaitLoad("confirm", chromedp.Click(chromedp.CSS("[data-testid=confirm-submit]")))
	if got := b.Text("[data-testid=token-status]"); got != "Revoked" {
		t.Fatalf("status %q", got)
	}
	app.api(secret).get("/api/v1/me").expect(t, http.StatusUnauthorized, "unauthorized")

	// The reference, from the side menu.
	b.DoAndWaitLoad("open the API reference", chromedp.Click(chromedp.CSS("nav.sidenav [data-testid=nav-api-docs]")))
	if b.Path() != "/api-docs" || !meaningfulTitle(b.Title()) || evalIn[int](b, `document.querySelectorAll("[data-testid=apidocs-op]").length`) < 10 {
		t.Fatalf("reference at %s, title %q", b.Path(), b.Title())
	}
	b.AssertClean()
}
