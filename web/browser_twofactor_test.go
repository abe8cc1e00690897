package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tenantdesk/tenantdesk/internal/auth"
)

// TestBrowserTwoFactorAndLanguage is issue 4's browser path: enable 2FA by
// reading the secret from the page (the code computed here, as an
// authenticator app would), sign out, sign in with a computed code, then
// switch the interface to Russian and back. Codes come from the app's
// injected clock, which the server and the database also use; it moves on
// 30 s between enrolment and sign-in, because a code is accepted once.
func TestBrowserTwoFactorAndLanguage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	code := func(secret string) string {
		t.Helper()
		c, err := auth.TOTPCode(secret, app.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	browserSignIn(t, b, base, huck, app.Password[huck])

	b.Navigate(base + "/profile/2fa")
	if got := b.Text("[data-testid=twofactor-help] h2"); got != "How do I set up two-factor authentication?" {
		t.Errorf("help heading %q", got)
	}
	b.Do("type the password", chromedp.SendKeys(chromedp.CSS("#setup-password"), app.Password[huck]))
	b.DoAndWaitLoad("start the set-up", chromedp.Click(chromedp.CSS("[data-testid=totp-start]")))
	// The QR code is an inline PNG the CSP allows: it has really loaded.
	waitFor(t, b, "the QR code to load", `(() => { const i = document.querySelector("[data-testid=totp-qr]"); return !!i && i.complete && i.naturalWidth > 0; })()`)
	secret := strings.ReplaceAll(b.Text("[data-testid=totp-secret]"), " ", "")
	if len(secret) != 32 {
		t.Fatalf("secret %q", secret)
	}
	b.Do("type the code", chromedp.SendKeys(chromedp.CSS("#totp-code"), code(secret)))
	if status := b.DoAndWaitLoad("confirm", chromedp.Click(chromedp.CSS("[data-testid=totp-confirm]"))); status != 200 {
		t.Fatalf("confirm: status %d", status)
	}
	if n := evalIn[int](b, `document.querySelectorAll("[data-testid=recovery-code]").length`); n != 10 {
		t.Fatalf("%d recovery codes shown: %s", n, b.Text("main"))
	}
	// The 120-bit codes (six groups of four) fit their column on one line.
	if bad := evalIn[int](b, `[...document.querySelectorAll("[data-testid=recovery-code]")].filter(li => li.scrollWidth > li.clientWidth || li.getClientRects().length !== 1 || li.getBoundingClientRect().height > 1.9 * parseFloat(getComputedStyle(li).fontSize)).length`); bad != 0 {
		t.Errorf("%d recovery codes overflow or wrap", bad)
	}
	if href := evalIn[string](b, `document.querySelector("[data-testid=recovery-download]").getAttribute("href")`); !strings.HasPrefix(href, "data:text/plain") {
		t.Errorf("download link %.40q", href)
	}
	b.DoAndWaitLoad("done", chromedp.Click(chromedp.CSS("[data-testid=recovery-done]")))
	if got := b.Text("[data-testid=twofactor-status]"); got != "On" {
		t.Fatalf("status %q", got)
	}

	// Sign out, and in again: the password leads to the code.
	b.DoAndWaitLoad("sign out", chromedp.Click(chromedp.CSS("[data-testid=signout]")))
	app.Clock.Advance(30 * time.Second)
	b.Navigate(base + "/signin")
	b.Do("fill the sign-in form",
		chromedp.SendKeys(chromedp.CSS("#email"), huck),
		chromedp.SendKeys(chromedp.CSS("#password"), app.Password[huck]))
	b.DoAndWaitLoad("sign in", chromedp.Click(chromedp.CSS("[data-testid=signin-submit]")))
	if b.Path() != "/signin/2fa" {
		t.Fatalf("after the password: %s", b.Path())
	}
	if focused := evalIn[string](b, `document.activeElement && document.activeElement.id`); focused != "signin-code" {
		t.Errorf("focus on %q, not the code field", focused)
	}
	b.Do("type the code", chromedp.SendKeys(chromedp.CSS("#signin-code"), code(secret)))
	if status := b.DoAndWaitLoad("verify", chromedp.Click(chromedp.CSS("[data-testid=signin-2fa-submit]"))); status != 200 || b.Path() != "/" {
		t.Fatalf("second step: status %d at %s", status, b.Path())
	}
	if got := b.Text("[data-testid=current-user]"); got != "Huck Finn" {
		t.Errorf("signed in as %q", got)
	}

	// Time and language: Russian at once, then back.
	b.Navigate(base + "/profile/preferences")
	b.Do("choose Russian", chromedp.SetValue(chromedp.CSS("#language"), "ru"))
	b.DoAndWaitLoad("save", chromedp.Click(chromedp.CSS("[data-testid=preferences-save]")))
	if lang := evalIn[string](b, `document.documentElement.lang`); lang != "ru" {
		t.Fatalf("page language %q after choosing Russian", lang)
	}
	if got := b.Text("[data-testid=profile-heading]"); got != "Мой профиль" {
		t.Errorf("heading %q", got)
	}
	b.Navigate(base + "/profile/2fa")
	if got := b.Text("[data-testid=twofactor-status]"); got != "Включена" {
		t.Errorf("2FA status in Russian %q", got)
	}
	b.Navigate(base + "/profile/preferences")
	b.Do("choose English", chromedp.SetValue(chromedp.CSS("#language"), "en"))
	b.DoAndWaitLoad("save", chromedp.Click(chromedp.CSS("[data-testid=preferences-save]")))
	if lang := evalIn[string](b, `document.documentElement.lang`); lang != "en" {
		t.Fatalf("page language %q after choosing English", lang)
	}
	if got := b.Text("[data-testid=profile-heading]"); got != "My profile" {
		t.Errorf("heading %q", got)
	}
	b.AssertClean()
}

// TestBrowserTwoFactorLostPhone is issue 13's lost phone: with 2FA on and
// only the recovery codes at hand, a person signs in with one, is told
// plainly when they type it again later and sent back to the app code by a
// link, and turns 2FA off on My profile with the password and another
// recovery code.
func TestBrowserTwoFactorLostPhone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, huck, app.Password[huck])
	b.Navigate(base + "/profile/2fa")
	b.Do("type the password", chromedp.SendKeys(chromedp.CSS("#setup-password"), app.Password[huck]))
	b.DoAndWaitLoad("start the set-up", chromedp.Click(chromedp.CSS("[data-testid=totp-start]")))
	secret := strings.ReplaceAll(b.Text("[data-testid=totp-secret]"), " ", "")
	code, err := auth.TOTPCode(secret, app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.Do("type the code", chromedp.SendKeys(chromedp.CSS("#totp-code"), code))
	b.DoAndWaitLoad("confirm", chromedp.Click(chromedp.CSS("[data-testid=totp-confirm]")))
	codes := evalIn[[]string](b, `Array.from(document.querySelectorAll("[data-testid=recovery-code]"), e => e.textContent.trim())`)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	b.DoAndWaitLoad("done", chromedp.Click(chromedp.CSS("[data-testid=recovery-done]")))

	passwordStep := func() {
		t.Helper()
		b.DoAndWaitLoad("sign out", chromedp.Click(chromedp.CSS("[data-testid=signout]")))
		b.Navigate(base + "/signin")
		b.Do("fill the sign-in form",
			chromedp.SendKeys(chromedp.CSS("#email"), huck),
			chromedp.SendKeys(chromedp.CSS("#password"), app.Password[huck]))
		b.DoAndWaitLoad("sign in", chromedp.Click(chromedp.CSS("[data-testid=signin-submit]")))
		b.DoAndWaitLoad("use a recovery code", chromedp.Click(chromedp.CSS("[data-testid=use-recovery]")))
	}
	useRecovery := func(rc string) {
		t.Helper()
		evalIn[bool](b, `(document.getElementById("recovery-code").value = "", true)`)
		b.Do("type the recovery code", chromedp.SendKeys(chromedp.CSS("#recovery-code"), rc))
		b.DoAndWaitLoad("verify", chromedp.Click(chromedp.CSS("[data-testid=signin-2fa-submit]")))
	}
	passwordStep()
	if useRecovery(codes[0]); b.Path() != "/" {
		t.Fatalf("sign-in with a recovery code: at %s", b.Path())
	}
	// Later, the same code again: told it was used, offered the app.
	passwordStep()
	useRecovery(codes[0])
	if got := b.Text("[data-testid=signin-error]"); !strings.Contains(got, "already used") || strings.Contains(got, "use a recovery code") {
		t.Errorf("used recovery code: %q", got)
	}
	if b.Value("#recovery-code") != codes[0] {
		t.Errorf("code typed not kept: %q", b.Value("#recovery-code"))
	}
	b.DoAndWaitLoad("back to the app code", chromedp.Click(chromedp.CSS("[data-testid=error-use-code]")))
	if got := b.focusedID("signin-code"); got != "signin-code" {
		t.Errorf("focus on %q after going back to the app code", got)
	}
	// No phone, though: another recovery code.
	b.DoAndWaitLoad("use a recovery code", chromedp.Click(chromedp.CSS("[data-testid=use-recovery]")))
	if useRecovery(codes[1]); b.Path() != "/" {
		t.Fatalf("second recovery code: at %s", b.Path())
	}

	// Turn 2FA off with the password and a third recovery code.
	b.Navigate(base + "/profile/2fa")
	if got := b.labelFor("disable-code"); got != "Code from your app, or a recovery code" {
		t.Errorf("disable code label %q", got)
	}
	evalIn[bool](b, `(window.confirm = () => true, true)`) // the person answers OK
	b.Do("fill the disable form",
		chromedp.SendKeys(chromedp.CSS("#disable-password"), app.Password[huck]),
		chromedp.SendKeys(chromedp.CSS("#disable-code"), codes[2]))
	b.DoAndWaitLoad("turn off", chromedp.Click(chromedp.CSS("[data-testid=totp-disable]")))
	if got := b.Text("[data-testid=twofactor-status]"); got != "Off" {
		t.Fatalf("status %q after turning off with a recovery code: %s", got, b.Text("main"))
	}
	if got := b.Text("[data-testid=flash]"); !strings.Contains(got, "off") {
		t.Errorf("flash %q", got)
	}
	b.AssertClean()
}
