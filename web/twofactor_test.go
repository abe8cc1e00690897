package web_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// totpCode is the code of secret at the app's clock (offset by steps of 30 s).
func totpCode(t *testing.T, app *testApp, secret string, steps int) string {
	t.Helper()
	c, err := auth.TOTPCode(secret, app.Clock.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startTOTPSetup starts a set-up on My profile with the signed-in user's
// password (the password page names the user in its hidden username field).
func startTOTPSetup(t *testing.T, app *testApp, c *client) *response {
	t.Helper()
	page := c.get("/profile/password")
	email := attr(page.Doc.Find(`input[name="username"]`).First(), "value")
	if app.Password[email] == "" {
		t.Fatalf("no password known for %q", email)
	}
	return c.post("/profile/2fa/setup", url.Values{"password": {app.Password[email]}})
}

// enableTOTP turns 2FA on for the signed-in client through the pages and
// returns the secret read from the page and the recovery codes shown.
func enableTOTP(t *testing.T, app *testApp, c *client) (string, []string) {
	t.Helper()
	if res := startTOTPSetup(t, app, c); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start set-up: %d", res.StatusCode)
	}
	page := c.get("/profile/2fa")
	secret := strings.ReplaceAll(text(page, `[data-testid="totp-secret"]`), " ", "")
	if len(secret) != 32 {
		t.Fatalf("secret %q on the page: %s", secret, page.Body)
	}
	res := c.post("/profile/2fa/confirm", url.Values{"code": {totpCode(t, app, secret, 0)}})
	codes := res.Doc.Find(`[data-testid="recovery-code"]`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if res.StatusCode != http.StatusOK || len(codes) != 10 {
		t.Fatalf("confirm: %d, %d codes: %s", res.StatusCode, len(codes), res.Body)
	}
	return secret, codes
}

// boxTicked reports whether a checkbox is ticked.
func boxTicked(s *goquery.Selection) bool {
	_, ok := s.Attr("checked")
	return ok
}

// signInPassword does the password step and expects to be sent to target.
func signInPassword(t *testing.T, app *testApp, c *client, email, target string) {
	t.Helper()
	res := c.signIn(email, app.Password[email])
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != target {
		t.Fatalf("password step for %s: %d → %q", email, res.StatusCode, res.Header.Get("Location"))
	}
}

func TestTwoFactorEnableThenSignInWithCode(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	page := c.get("/profile/2fa")
	if page.StatusCode != http.StatusOK || text(page, `[data-testid="twofactor-status"]`) != "Off" {
		t.Fatalf("profile 2FA page: %d %q", page.StatusCode, text(page, `[data-testid="twofactor-status"]`))
	}
	if !strings.Contains(text(page, `[data-testid="twofactor-help"] h2`), "How do I set up two-factor authentication?") {
		t.Error("help section missing")
	}
	if page.Doc.Find(`[data-testid="profile-tab-2fa"][aria-current="page"]`).Length() != 1 {
		t.Error("2FA tab not current")
	}
	// Set-up: QR code inline, secret beside it, nothing secret in a form field.
	startTOTPSetup(t, app, c)
	page = c.get("/profile/2fa")
	src := attr(page.Doc.Find(`img[data-testid="totp-qr"]`), "src")
	if !strings.HasPrefix(src, "data:image/png;base64,") || attr(page.Doc.Find(`img[data-testid="totp-qr"]`), "alt") == "" {
		t.Fatalf("QR image src %.40q", src)
	}
	if png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/png;base64,")); err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Error("QR code is not a PNG")
	}
	secret := strings.ReplaceAll(text(page, `[data-testid="totp-secret"]`), " ", "")
	page.Doc.Find("input").Each(func(_ int, s *goquery.Selection) {
		if v := attr(s, "value"); v != "" && strings.Contains(secret, strings.ToUpper(v)) && len(v) > 8 {
			t.Errorf("the secret is in a form field %s", attr(s, "name"))
		}
	})
	in := page.Doc.Find(`#totp-code`)
	if attr(in, "autocomplete") != "one-time-code" || attr(in, "inputmode") != "numeric" {
		t.Error("code field lacks one-time-code / numeric")
	}
	if text(page, `[data-testid="totp-account"]`) != "Tenantdesk · "+huck {
		t.Errorf("account %q", text(page, `[data-testid="totp-account"]`))
	}
	// A wrong code keeps the set-up and explains.
	res := c.post("/profile/2fa/confirm", url.Values{"code": {"000000"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(text(res, `[data-testid="totp-code-error"]`), "not right") {
		t.Fatalf("wrong code: %d %q", res.StatusCode, text(res, `[data-testid="totp-code-error"]`))
	}
	if got := strings.ReplaceAll(text(res, `[data-testid="totp-secret"]`), " ", ""); got != secret {
		t.Error("a wrong code changed the secret")
	}
	confirmCode := totpCode(t, app, secret, 0)
	res = c.post("/profile/2fa/confirm", url.Values{"code": {confirmCode}})
	codes := res.Doc.Find(`[data-testid="recovery-code"]`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	// Download as text: a data: link with the codes in it.
	dl := res.Doc.Find(`[data-testid="recovery-download"]`)
	href := attr(dl, "href")
	txt, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(href, "data:text/plain;charset=utf-8;base64,"))
	if err != nil || attr(dl, "download") == "" || !strings.Contains(string(txt), codes[0]) || !strings.Contains(string(txt), codes[9]) {
		t.Fatalf("download link %q: %v", href, err)
	}
	// Shown once: the page afterwards has the count only.
	page = c.get("/profile/2fa")
	if text(page, `[data-testid="twofactor-status"]`) != "On" || text(page, `[data-testid="recovery-left"]`) != "You have 10 unused recovery codes left." {
		t.Errorf("after enabling: %q / %q", text(page, `[data-testid="twofactor-status"]`), text(page, `[data-testid="recovery-left"]`))
	}
	if strings.Contains(page.Body, codes[0]) {
		t.Error("a recovery code is shown again")
	}

	// Sign out, sign in: the password is not enough.
	c.post("/signout", nil)
	before := c.cookie("td_session")
	signInPassword(t, app, c, huck, "/signin/2fa")
	pending := c.cookie("td_session")
	if pending == nil || (before != nil && before.Value == pending.Value) {
		t.Fatal("the pending state did not get a new session ID")
	}
	form := c.get("/signin/2fa")
	if form.StatusCode != http.StatusOK || attr(form.Doc.Find(`#signin-code`), "autocomplete") != "one-time-code" {
		t.Fatalf("second step page: %d", form.StatusCode)
	}
	if form.Doc.Find(`[data-testid="use-recovery"]`).Length() != 1 {
		t.Error("no recovery-code option")
	}
	// The code that confirmed the set-up is used up (same 30 s step).
	res = c.post("/signin/2fa", url.Values{"code": {confirmCode}})
	if res.StatusCode != http.StatusOK || text(res, `[data-testid="signin-error"]`) != "That code is not valid. Check it and try again, or use a recovery code." {
		t.Fatalf("replayed code: %d %q", res.StatusCode, text(res, `[data-testid="signin-error"]`))
	}
	app.Clock.Advance(30 * time.Second)
	// A code from two steps ago is refused, one from the step before is accepted.
	if res := c.post("/signin/2fa", url.Values{"code": {totpCode(t, app, secret, -2)}}); text(res, `[data-testid="signin-error"]`) == "" {
		t.Fatal("code from two steps ago accepted")
	}
	app.Clock.Advance(30 * time.Second)
	res = c.post("/signin/2fa", url.Values{"code": {totpCode(t, app, secret, -1)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("code of the previous step: %d %q %s", res.StatusCode, res.Header.Get("Location"), text(res, `[data-testid="signin-error"]`))
	}
	if after := c.cookie("td_session"); after == nil || after.Value == pending.Value {
		t.Error("the session ID was not rotated on completing the sign-in")
	}
	if home := c.get("/"); home.StatusCode != http.StatusOK || text(home, `[data-testid="current-user"]`) != "Huck Finn" {
		t.Fatalf("home after the second step: %d", home.StatusCode)
	}
	u, _ := app.DB.FindUserByEmail(context.Background(), huck)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditSignIn, `"method":"totp"`) || !hasAudit(t, app, u.AccountID, tenantdesk.AuditSignInPassword, "") ||
		!hasAudit(t, app, u.AccountID, tenantdesk.AuditSecondFactorFailed, "replayed_code") || !hasAudit(t, app, u.AccountID, tenantdesk.AuditTwoFactorEnabled, "") {
		t.Error("the steps are not all audited")
	}
	// The user was emailed that 2FA was turned on.
	mails, _ := app.DB.ListMail(context.Background(), 20)
	found := false
	for _, m := range mails {
		found = found || (m.Kind == tenantdesk.MailTwoFactorEnabled && m.To == huck && strings.Contains(m.Subject, "Two-factor authentication is on"))
	}
	if !found {
		t.Error("no email about enabling 2FA")
	}
}

func TestTwoFactorRecoveryCodeSingleUse(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	_, codes := enableTOTP(t, app, c)
	c.post("/signout", nil)

	signInPassword(t, app, c, huck, "/signin/2fa")
	form := c.get("/signin/2fa?method=recovery")
	if attr(form.Doc.Find(`[data-testid="recovery-code-input"]`), "name") != "recovery_code" {
		t.Fatal("no recovery code field")
	}
	res := c.post("/signin/2fa", url.Values{"method": {"recovery"}, "recovery_code": {strings.ToUpper(codes[4])}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("recovery code: %d %s", res.StatusCode, text(res, `[data-testid="signin-error"]`))
	}
	if text(c.get("/profile/2fa"), `[data-testid="recovery-left"]`) != "You have 9 unused recovery codes left." {
		t.Error("count left not shown as 9")
	}
	c.post("/signout", nil)
	signInPassword(t, app, c, huck, "/signin/2fa")
	res = c.post("/signin/2fa", url.Values{"method": {"recovery"}, "recovery_code": {codes[4]}})
	if res.StatusCode != http.StatusOK || text(res, `[data-testid="signin-error"]`) == "" {
		t.Fatalf("used recovery code accepted again: %d", res.StatusCode)
	}
	// The form stays on recovery codes after an error.
	if res.Doc.Find(`[data-testid="recovery-code-input"]`).Length() != 1 {
		t.Error("recovery form not kept")
	}
	if res := c.post("/signin/2fa", url.Values{"method": {"recovery"}, "recovery_code": {codes[5]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another code: %d", res.StatusCode)
	}
	// Regenerating needs the password, and replaces every code.
	res = c.post("/profile/2fa/recovery-codes", url.Values{"password": {"wrong password!"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Doc.Find("#regenerate-password-error").Text(), "password is not right") {
		t.Fatalf("regenerate with a wrong password: %d", res.StatusCode)
	}
	res = c.post("/profile/2fa/recovery-codes", url.Values{"password": {app.Password[huck]}})
	fresh := res.Doc.Find(`[data-testid="recovery-code"]`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if len(fresh) != 10 || fresh[0] == codes[0] {
		t.Fatalf("regenerated: %d codes", len(fresh))
	}
	if text(c.get("/profile/2fa"), `[data-testid="recovery-left"]`) != "You have 10 unused recovery codes left." {
		t.Error("count after regenerating")
	}
	u, _ := app.DB.FindUserByEmail(context.Background(), huck)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditSignIn, `"method":"recovery_code"`) || !hasAudit(t, app, u.AccountID, tenantdesk.AuditRecoveryRegenerated, "") {
		t.Error("recovery sign-in or regeneration not audited")
	}
}

func TestTwoFactorPendingStateGrantsNothing(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	enableTOTP(t, app, c)
	c.post("/signout", nil)
	signInPassword(t, app, c, becky, "/signin/2fa")
	for _, p := range []string{"/", "/account", "/account/users", "/account/audit", "/account/security", "/profile/2fa"} {
		res := c.get(p)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Errorf("GET %s while the second factor is pending: %d → %q", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/profile/2fa/disable", "/profile/2fa/recovery-codes", "/profile/2fa/setup", "/account/users"} {
		res := c.post(p, url.Values{"password": {app.Password[becky]}, "code": {"123456"}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Errorf("POST %s while pending: %d → %q", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// HTMX requests are refused too.
	req, _ := http.NewRequest(http.MethodGet, app.Server.URL+"/account/users", nil)
	req.Header.Set("HX-Request", "true")
	if res := c.do(req); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("HTMX while pending: %d", res.StatusCode)
	}
	// The enrolment pages are not for a user who must only verify.
	if res := c.get("/signin/2fa/setup"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin/2fa" {
		t.Errorf("set-up page while verifying: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// After five minutes the pending state is gone: sign in again.
	app.Clock.Advance(tenantdesk.SecondFactorTTL + time.Second)
	res := c.get("/signin/2fa")
	if res.StatusCode != http.StatusOK || res.Doc.Find("#password").Length() != 1 || !strings.Contains(res.Body, "took too long") {
		t.Fatalf("expired second step: %d", res.StatusCode)
	}
	if res := c.get("/signin/2fa"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Errorf("after expiry the second step is gone: %d", res.StatusCode)
	}
	// Without a password step there is no second step at all.
	fresh := app.client()
	if res := fresh.get("/signin/2fa"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Errorf("second step without a password: %d", res.StatusCode)
	}
	if res := fresh.post("/signin/2fa", url.Values{"code": {"123456"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("POST second step without a password: %d", res.StatusCode)
	}
}

func TestTwoFactorFailuresThrottled(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	secret, _ := enableTOTP(t, app, c)
	c.post("/signout", nil)
	signInPassword(t, app, c, huck, "/signin/2fa")
	for i := 0; i < tenantdesk.ThrottleMaxSecondFactor; i++ {
		if res := c.post("/signin/2fa", url.Values{"code": {"000000"}}); res.StatusCode != http.StatusOK {
			t.Fatalf("wrong code %d: %d", i, res.StatusCode)
		}
	}
	app.Clock.Advance(30 * time.Second)
	res := c.post("/signin/2fa", url.Values{"code": {totpCode(t, app, secret, 0)}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" ||
		!strings.Contains(text(res, `[data-testid="signin-error"]`), "Too many wrong codes") {
		t.Fatalf("right code while locked: %d %q", res.StatusCode, text(res, `[data-testid="signin-error"]`))
	}
	// Password sign-in is throttled separately: it still works (and asks again).
	other := app.client()
	signInPassword(t, app, other, huck, "/signin/2fa")
	u, _ := app.DB.FindUserByEmail(context.Background(), huck)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditSecondFactorFailed, `"reason":"throttled"`) {
		t.Error("throttled attempt not audited")
	}
	// After the window, the right code signs in.
	app.Clock.Advance(tenantdesk.ThrottleWindow)
	signInPassword(t, app, other, huck, "/signin/2fa")
	if res := other.post("/signin/2fa", url.Values{"code": {totpCode(t, app, secret, 0)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the window: %d %s", res.StatusCode, text(res, `[data-testid="signin-error"]`))
	}
}

func TestTwoFactorDisableNeedsPasswordAndCode(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	secret, _ := enableTOTP(t, app, c)
	page := c.get("/profile/2fa")
	if attr(page.Doc.Find(`form[action="/profile/2fa/disable"]`), "data-confirm") == "" {
		t.Error("disabling is not confirmed")
	}
	app.Clock.Advance(30 * time.Second)
	code := totpCode(t, app, secret, 0)
	res := c.post("/profile/2fa/disable", url.Values{"password": {"wrong password!"}, "code": {code}})
	if res.StatusCode != http.StatusOK || res.Doc.Find("#disable-password-error").Length() != 1 {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	res = c.post("/profile/2fa/disable", url.Values{"password": {app.Password[becky]}, "code": {"000000"}})
	if res.StatusCode != http.StatusOK || res.Doc.Find("#disable-code-error").Length() != 1 {
		t.Fatalf("wrong code: %d", res.StatusCode)
	}
	if res := c.post("/profile/2fa/disable", url.Values{"password": {app.Password[becky]}}); res.Doc.Find("#disable-code-error").Length() != 1 {
		t.Fatal("no code: accepted")
	}
	res = c.post("/profile/2fa/disable", url.Values{"password": {app.Password[becky]}, "code": {code}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d %s", res.StatusCode, res.Body)
	}
	page = c.get("/profile/2fa")
	if text(page, `[data-testid="twofactor-status"]`) != "Off" || !strings.Contains(text(page, `[data-testid="flash"]`), "off") {
		t.Errorf("after disabling: %q %q", text(page, `[data-testid="twofactor-status"]`), text(page, `[data-testid="flash"]`))
	}
	c.post("/signout", nil)
	c.mustSignIn(becky) // one step again
	u, _ := app.DB.FindUserByEmail(context.Background(), becky)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditTwoFactorDisabled, "") || !hasAudit(t, app, u.AccountID, tenantdesk.AuditSecondFactorFailed, `"reason":"wrong_password"`) {
		t.Error("disable and its failures not audited")
	}
	mails, _ := app.DB.ListMail(context.Background(), 20)
	if len(mails) == 0 || mails[0].Kind != tenantdesk.MailTwoFactorDisabled || mails[0].To != becky {
		t.Error("no email about disabling 2FA")
	}
}

func TestSecurityTabRequireTwoFactorLeadsToEnrolment(t *testing.T) {
	app := newTestApp(t)
	owner := app.client()
	owner.mustSignIn(tom)
	page := owner.get("/account/security")
	if page.StatusCode != http.StatusOK || page.Doc.Find(`[data-testid="tab-security"][aria-current="page"]`).Length() != 1 {
		t.Fatalf("security tab: %d", page.StatusCode)
	}
	if page.Doc.Find(`#require2fa`).Length() != 1 || attr(page.Doc.Find(`#tokenMaxLifetimeDays`), "value") != "0" {
		t.Fatal("the Owner sees no form")
	}
	// A bad lifetime keeps what was typed and explains.
	res := owner.post("/account/security", url.Values{"require2fa": {"on"}, "tokenMaxLifetimeDays": {"5000"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(text(res, `[data-testid="security-lifetime-error"]`), "between 0") ||
		attr(res.Doc.Find(`#tokenMaxLifetimeDays`), "value") != "5000" || !boxTicked(res.Doc.Find(`#require2fa`)) {
		t.Fatalf("bad lifetime: %d %q", res.StatusCode, text(res, `[data-testid="security-lifetime-error"]`))
	}
	if res := owner.post("/account/security", url.Values{"tokenMaxLifetimeDays": {"many"}}); !strings.Contains(text(res, `[data-testid="security-lifetime-error"]`), "between 0") {
		t.Error("a non-number lifetime is not explained")
	}
	res = owner.post("/account/security", url.Values{"require2fa": {"on"}, "tokenMaxLifetimeDays": {"90"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	page = owner.get("/account/security")
	if text(page, `[data-testid="flash"]`) != "Security settings saved." || !boxTicked(page.Doc.Find(`#require2fa`)) ||
		attr(page.Doc.Find(`#tokenMaxLifetimeDays`), "value") != "90" {
		t.Errorf("after saving: %q", text(page, `[data-testid="flash"]`))
	}
	// The Owner has no 2FA yet: the tab says so.
	if page.Doc.Find(`[data-testid="security-own-2fa"]`).Length() != 1 {
		t.Error("no hint that the Owner lacks 2FA")
	}
	acc, _ := app.DB.FindUserByEmail(context.Background(), tom)
	if !hasAudit(t, app, acc.AccountID, "account.security_update", `"require2fa":true`) {
		t.Error("security change not audited")
	}

	// A user admin without 2FA is led to set it up at sign-in; then she
	// sees the tab read-only and cannot change it.
	adminC := app.client()
	signInPassword(t, app, adminC, becky, "/signin/2fa/setup")
	// The pending enrolment grants nothing else.
	if res := adminC.get("/account/users"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("users page while enrolment is pending: %d", res.StatusCode)
	}
	if res := adminC.get("/signin/2fa"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin/2fa/setup" {
		t.Errorf("code page while enrolment is pending: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	setup := adminC.get("/signin/2fa/setup")
	if setup.StatusCode != http.StatusOK || !strings.HasPrefix(attr(setup.Doc.Find(`img[data-testid="totp-qr"]`), "src"), "data:image/png;base64,") {
		t.Fatalf("enrolment page: %d", setup.StatusCode)
	}
	secret := strings.ReplaceAll(text(setup, `[data-testid="totp-secret"]`), " ", "")
	if res := adminC.post("/signin/2fa/setup", url.Values{"code": {"000000"}}); res.StatusCode != http.StatusOK || text(res, `[data-testid="totp-code-error"]`) == "" {
		t.Fatalf("wrong enrolment code: %d", res.StatusCode)
	}
	done := adminC.post("/signin/2fa/setup", url.Values{"code": {totpCode(t, app, secret, 0)}})
	if done.StatusCode != http.StatusOK || done.Doc.Find(`[data-testid="recovery-code"]`).Length() != 10 {
		t.Fatalf("enrolment: %d %s", done.StatusCode, done.Body)
	}
	if attr(done.Doc.Find(`[data-testid="recovery-done"]`), "href") != "/" {
		t.Error("no way on after the codes")
	}
	// Enrolment completed the sign-in.
	if home := adminC.get("/"); home.StatusCode != http.StatusOK {
		t.Fatalf("home after enrolment: %d", home.StatusCode)
	}
	page = adminC.get("/account/security")
	if page.Doc.Find(`[data-testid="security-readonly"]`).Length() != 1 || page.Doc.Find(`#require2fa`).Length() != 0 ||
		text(page, `[data-testid="security-require2fa-value"]`) != "Yes" || text(page, `[data-testid="security-lifetime-value"]`) != "90 days" {
		t.Errorf("user admin's view: %q %q", text(page, `[data-testid="security-require2fa-value"]`), text(page, `[data-testid="security-lifetime-value"]`))
	}
	if res := adminC.post("/account/security", url.Values{"tokenMaxLifetimeDays": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("user admin changed security: %d", res.StatusCode)
	}
	u, _ := app.DB.FindUserByEmail(context.Background(), becky)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditSignIn, `"method":"totp_enrolment"`) {
		t.Error("enrolment sign-in not audited")
	}
	// Next time she is asked for a code, not to enrol.
	adminC.post("/signout", nil)
	signInPassword(t, app, adminC, becky, "/signin/2fa")

	// A member without the admin role sees no Security tab, but the page read-only.
	member := app.client()
	signInPassword(t, app, member, huck, "/signin/2fa/setup")
	member.post("/signout", nil)
	app.exec(`UPDATE account_security SET require_2fa = 0`)
	member.mustSignIn(huck)
	if member.get("/account").Doc.Find(`[data-testid="tab-security"]`).Length() != 0 {
		t.Error("a member sees the Security tab")
	}
	if res := member.get("/account/security"); res.StatusCode != http.StatusOK || res.Doc.Find(`#require2fa`).Length() != 0 {
		t.Errorf("member's security page: %d", res.StatusCode)
	}
}

// Lost phone: signed in with a recovery code, the user turns 2FA off on
// My profile with the password and another unused recovery code.
func TestTwoFactorDisableWithRecoveryCode(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	_, codes := enableTOTP(t, app, c)
	c.post("/signout", nil)
	signInPassword(t, app, c, becky, "/signin/2fa")
	if res := c.post("/signin/2fa", url.Values{"method": {"recovery"}, "recovery_code": {codes[0]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with a recovery code: %d", res.StatusCode)
	}
	page := c.get("/profile/2fa")
	if got := text(page, `label[for="disable-code"]`); got != "Code from your app, or a recovery code" {
		t.Errorf("disable code label %q", got)
	}
	if in := page.Doc.Find(`#disable-code`); attr(in, "name") != "code" || attr(in, "inputmode") == "numeric" {
		t.Error("the disable code field does not take a recovery code")
	}
	if !strings.Contains(text(page, `#disable-code-hint`), "recovery code") ||
		!strings.Contains(text(page, `[data-testid="twofactor-help"]`), "turn two-factor authentication off here with your password and another unused recovery code") {
		t.Errorf("the page does not say a recovery code turns 2FA off: %q", text(page, `#disable-code-hint`))
	}
	// A wrong password: the recovery code typed is kept, and not used up.
	res := c.post("/profile/2fa/disable", url.Values{"password": {"wrong password!"}, "code": {codes[1]}})
	if res.StatusCode != http.StatusOK || res.Doc.Find("#disable-password-error").Length() != 1 || attr(res.Doc.Find("#disable-code"), "value") != codes[1] {
		t.Fatalf("wrong password: %d, code kept %q", res.StatusCode, attr(res.Doc.Find("#disable-code"), "value"))
	}
	// The code used to sign in is used up.
	res = c.post("/profile/2fa/disable", url.Values{"password": {app.Password[becky]}, "code": {codes[0]}})
	if res.StatusCode != http.StatusOK || !strings.Contains(text(res, "#disable-code-error"), "unused recovery codes") {
		t.Fatalf("used recovery code: %d %q", res.StatusCode, text(res, "#disable-code-error"))
	}
	if attr(res.Doc.Find("#disable-code"), "value") != "" {
		t.Error("the refused code is shown again")
	}
	res = c.post("/profile/2fa/disable", url.Values{"password": {app.Password[becky]}, "code": {codes[1]}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable with a recovery code: %d %s", res.StatusCode, text(res, "#disable-code-error"))
	}
	if page := c.get("/profile/2fa"); text(page, `[data-testid="twofactor-status"]`) != "Off" {
		t.Error("2FA still on")
	}
	u, _ := app.DB.FindUserByEmail(context.Background(), becky)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditTwoFactorDisabled, `"method":"recovery_code"`) {
		t.Error("the audit entry does not say a recovery code was used")
	}
	mails, _ := app.DB.ListMail(context.Background(), 20)
	if len(mails) == 0 || mails[0].Kind != tenantdesk.MailTwoFactorDisabled || mails[0].To != becky {
		t.Error("no email about disabling 2FA")
	}
	c.post("/signout", nil)
	c.mustSignIn(becky) // the password alone again
}

// A used recovery code at the sign-in's second step: the recovery form
// says so and offers the app code, not "use a recovery code".
func TestTwoFactorUsedRecoveryCodeAtSignIn(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	_, codes := enableTOTP(t, app, c)
	c.post("/signout", nil)
	signInPassword(t, app, c, huck, "/signin/2fa")
	if res := c.post("/signin/2fa", url.Values{"method": {"recovery"}, "recovery_code": {codes[2]}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use: %d", res.StatusCode)
	}
	c.post("/signout", nil)
	signInPassword(t, app, c, huck, "/signin/2fa")
	for _, rc := range []string{codes[2], "zzzz-zzzz-zzzz-zzzz"} {
		res := c.post("/signin/2fa", url.Values{"method": {"recovery"}, "recovery_code": {rc}})
		msg := text(res, `[data-testid="signin-error"]`)
		if res.StatusCode != http.StatusOK || !strings.Contains(msg, "recovery code was already used or is not right") || strings.Contains(msg, "use a recovery code") {
			t.Errorf("refused recovery code %q: %d %q", rc, res.StatusCode, msg)
		}
		if attr(res.Doc.Find(`[data-testid="signin-error"] a[data-testid="error-use-code"]`), "href") != "/signin/2fa" {
			t.Error("the error does not offer the app code")
		}
		if attr(res.Doc.Find(`[data-testid="recovery-code-input"]`), "value") != rc {
			t.Error("the code typed is not kept")
		}
	}
	// On the app-code form the message still offers a recovery code.
	res := c.post("/signin/2fa", url.Values{"code": {"000000"}})
	if msg := text(res, `[data-testid="signin-error"]`); !strings.Contains(msg, "use a recovery code") || res.Doc.Find(`[data-testid="error-use-code"]`).Length() != 0 {
		t.Errorf("app code form: %q", msg)
	}
}
