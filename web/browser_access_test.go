package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The seed-002 journey in a real browser, by clicking: Elizabeth asks for
// Caroline's access to Tom Sawyer; Tom grants it from About account ›
// Access requests; Caroline finds it in My zone, confirms the support
// impersonation, works under the banner, and ends it. No console errors,
// no CSP violations.
func TestBrowserAccessRequestToImpersonation(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	tomCo := app.account(tomSawyerCo)
	carolineID := tenantdesk.FormatUserID(app.user(caroline).ID)

	// Elizabeth asks.
	browserSignIn(t, b, base, elizabeth, app.Password[elizabeth])
	b.DoAndWaitLoad("open Access requests", chromedp.Click(chromedp.CSS("nav.sidenav [data-testid=nav-access-requests]")))
	b.DoAndWaitLoad("new request", chromedp.Click(chromedp.CSS("[data-testid=access-new]")))
	if got := b.labelFor("name"); got == "" {
		t.Error("the name input has no label")
	}
	b.Do("fill the request",
		chromedp.SendKeys(chromedp.CSS("#name"), "SupportAccess"),
		chromedp.SendKeys(chromedp.CSS("#message"), "Caroline looks after your account."),
		chromedp.Click(chromedp.CSS(`input[name="assoc[0].users"][value="`+carolineID+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name="assoc[0].customers"][value="`+tomCo.TenantID+`"]`)))
	b.DoAndWaitLoad("send", chromedp.Click(chromedp.CSS("[data-testid=access-send]")))
	if b.Path() != "/partner/access-requests" || !strings.Contains(b.Text("[data-testid=access-row]"), tomSawyerCo) {
		t.Fatalf("after sending: %s %q", b.Path(), b.Text("main"))
	}
	if got := b.Text("[data-testid=access-state]"); got != "Pending" {
		t.Errorf("state %q", got)
	}
	b.DoAndWaitLoad("sign out", chromedp.Click(chromedp.CSS("[data-testid=signout]")))

	// Tom grants.
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account")
	b.DoAndWaitLoad("open the Access requests tab", chromedp.Click(chromedp.CSS("[data-testid=tab-access-requests]")))
	if got := b.Text("[data-testid=access-request]"); !strings.Contains(got, "Classics, Inc.") || !strings.Contains(got, "Caroline Bingley") {
		t.Errorf("the request as Tom sees it: %q", got)
	}
	b.DoAndWaitLoad("open it", chromedp.Click(chromedp.CSS("[data-testid=access-request-open]")))
	b.DoAndWaitLoad("grant", chromedp.Click(chromedp.CSS("[data-testid=grant-submit]")))
	waitFor(t, b, "the granted state", `(document.querySelector("[data-testid=access-state]")||{}).dataset?.state === "granted"`)
	b.DoAndWaitLoad("sign out", chromedp.Click(chromedp.CSS("[data-testid=signout]")))

	// Caroline works inside.
	browserSignIn(t, b, base, caroline, app.Password[caroline])
	b.Navigate(base + "/profile/zone")
	if got := b.Text("[data-testid=zone-row]"); !strings.Contains(got, tomSawyerCo) {
		t.Fatalf("My zone: %q", got)
	}
	b.DoAndWaitLoad("impersonate and support", chromedp.Click(chromedp.CSS("[data-testid=zone-impersonate-support]")))
	if !strings.Contains(b.Text("#confirm-body"), tomSawyerCo) {
		t.Fatalf("no confirmation: %q", b.Text("main"))
	}
	b.DoAndWaitLoad("confirm", chromedp.Click(chromedp.CSS("[data-testid=confirm-submit]")))
	if b.Path() != "/account/users" {
		t.Fatalf("landed on %s", b.Path())
	}
	banner := b.Text("[data-testid=impersonation-banner]")
	for _, want := range []string{tomSawyerCo, "support", "Caroline Bingley", "End impersonation"} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner %q lacks %q", banner, want)
		}
	}
	if !strings.Contains(b.Text("main"), "Becky Thatcher") {
		t.Error("Tom Sawyer's users are not listed")
	}
	b.DoAndWaitLoad("end impersonation", chromedp.Click(chromedp.CSS("[data-testid=end-impersonation]")))
	if b.Path() != "/profile/zone" || evalIn[bool](b, `!!document.querySelector("[data-testid=impersonation-banner]")`) {
		t.Errorf("after ending: %s, banner still there", b.Path())
	}
	if got := b.Text("[data-testid=flash]"); !strings.Contains(got, tomSawyerCo) {
		t.Errorf("flash %q", got)
	}
	b.AssertClean()
}
