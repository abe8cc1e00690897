package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserActivateFromDemoMailbox is the newcomer's path in demo mode:
// an invitation lands in the demo mailbox, the invited user follows the
// link, chooses a password (a too short one first) and signs in.
func TestBrowserActivateFromDemoMailbox(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withDevMailbox)
	b := newBrowser(t) // after the app, so that it closes first
	inviteNewcomer(t, app)

	if status := b.Navigate(app.Server.URL + "/dev/mail"); status != 200 {
		t.Fatalf("GET /dev/mail: status %d", status)
	}
	if title := b.Title(); !meaningfulTitle(title) {
		t.Errorf("mailbox title %q is not meaningful", title)
	}
	if got := b.Text("[data-testid=devmail-to]"); got != newcomer {
		t.Errorf("mailbox recipient %q, want %s", got, newcomer)
	}
	if got := b.Text("[data-testid=devmail-subject]"); got != "Activate your Tenantdesk account" {
		t.Errorf("mailbox subject %q", got)
	}

	b.DoAndWaitLoad("click the activation link", chromedp.Click(chromedp.CSS("[data-testid=devmail-link]")))
	if got := b.Path(); !strings.HasPrefix(got, "/activate?token=") {
		t.Fatalf("the link led to %s", got)
	}
	for _, id := range []string{"password", "password_confirm"} {
		if l := b.labelFor(id); l == "" {
			t.Errorf("input #%s has no label", id)
		}
	}
	if title := b.Title(); !meaningfulTitle(title) {
		t.Errorf("activation page title %q is not meaningful", title)
	}

	// Too short: the form comes back with the rule, the fields empty.
	b.Do("type a short password",
		chromedp.SendKeys(chromedp.CSS("#password"), "too short"),
		chromedp.SendKeys(chromedp.CSS("#password_confirm"), "too short"),
	)
	if status := b.DoAndWaitLoad("submit the short password", chromedp.Click(chromedp.CSS("[data-testid=password-submit]"))); status != 422 {
		t.Errorf("short password: status %d, want 422", status)
	}
	b.AllowError("the server responded with a status of 422")
	if got := b.Text("[data-testid=password-error]"); !strings.Contains(got, "12 to 128") {
		t.Errorf("password error %q", got)
	}
	if got := b.Value("#password"); got != "" {
		t.Errorf("the password was filled back in")
	}

	b.Do("type a good password",
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
		chromedp.SendKeys(chromedp.CSS("#password_confirm"), goodPassword),
	)
	b.DoAndWaitLoad("activate", chromedp.Click(chromedp.CSS("[data-testid=password-submit]")))
	if got := b.Path(); got != "/signin?activated=1" {
		t.Fatalf("after activation the browser is at %s, want /signin?activated=1", got)
	}
	if got := b.Text("[role=status]"); !strings.Contains(got, "Your account is active") {
		t.Errorf("sign-in notice %q", got)
	}

	b.Do("sign in as the new user",
		chromedp.SendKeys(chromedp.CSS("#email"), newcomer),
		chromedp.SendKeys(chromedp.CSS("#password"), goodPassword),
	)
	b.DoAndWaitLoad("submit the sign-in form", chromedp.Click(chromedp.CSS("[data-testid=signin-submit]")))
	if got := b.Path(); got != "/" {
		t.Fatalf("after sign-in the browser is at %s, want /", got)
	}
	if got := b.Text("[data-testid=home-user-name]"); got != "Ben Rogers" {
		t.Errorf("home user name %q, want Ben Rogers", got)
	}
	b.AssertClean()
}
