package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/web"
)

func TestSignInSuccessShowsWhoAndWhere(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	res := c.get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("home: status %d", res.StatusCode)
	}
	if got := text(res, `[data-testid="home-user-name"]`); got != "Tom Sawyer" {
		t.Errorf("user name = %q", got)
	}
	if got := text(res, `[data-testid="home-account-name"]`); got != "Tom Sawyer Fence Painting Co." {
		t.Errorf("account = %q", got)
	}
	if got := text(res, `[data-testid="current-user"]`); got != "Tom Sawyer" {
		t.Errorf("top bar user = %q", got)
	}
	if got := text(res, "title"); !strings.Contains(got, "Tenantdesk") {
		t.Errorf("title = %q", got)
	}
	// The partner owner lands in the partner account.
	p := app.client()
	p.mustSignIn(elizabeth)
	if got := text(p.get("/"), `[data-testid="home-account-name"]`); got != "Classics, Inc." {
		t.Errorf("partner account = %q", got)
	}
	// Success is audited in the user's account.
	u, _ := app.DB.FindUserByEmail(context.Background(), tom)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditSignIn, "") {
		t.Error("successful sign-in not audited")
	}
}

func hasAudit(t *testing.T, app *testApp, accountID int64, action, afterContains string) bool {
	t.Helper()
	entries, err := app.DB.ListAudit(context.Background(), accountID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == action && strings.Contains(e.After, afterContains) {
			return true
		}
	}
	return false
}

func TestSignInEmailIsCaseInsensitive(t *testing.T) {
	app := newTestApp(t)
	res := app.client().signIn("  Tom.Sawyer@FENCE.example ", app.Password[tom])
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
}

func TestSignInFailuresShowOneGenericMessage(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	wrong := c.signIn(tom, "not-the-password")
	unknown := c.signIn("nobody@fence.example", "not-the-password")
	for name, res := range map[string]*response{"wrong password": wrong, "unknown email": unknown} {
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d, want the form again with 200", name, res.StatusCode)
		}
		if got := text(res, `[data-testid="signin-error"]`); got != "Incorrect email or password." {
			t.Errorf("%s: message %q", name, got)
		}
		if c.cookie("td_session") != nil {
			t.Errorf("%s: a session cookie was set", name)
		}
	}
	// The typed email is kept, the password is not echoed.
	if v, _ := wrong.Doc.Find("#email").Attr("value"); v != tom {
		t.Errorf("email not kept: %q", v)
	}
	if v, _ := wrong.Doc.Find("#password").Attr("value"); v != "" {
		t.Errorf("password echoed back")
	}
	// Identical bodies but for the email field and the token: nothing hints
	// that one email exists and the other does not.
	strip := func(r *response) string {
		r.Doc.Find("#email").RemoveAttr("value")
		r.Doc.Find(`input[name="_csrf"]`).RemoveAttr("value")
		r.Doc.Find("body").RemoveAttr("hx-headers")
		h, _ := r.Doc.Html()
		return h
	}
	if strip(wrong) != strip(unknown) {
		t.Error("wrong-password and unknown-email pages differ")
	}
	u, _ := app.DB.FindUserByEmail(context.Background(), tom)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditSignInFailed, "wrong_password") {
		t.Error("failed sign-in not audited in the account")
	}
}

func TestSignInThrottlesPerEmailAndIsPersisted(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	for i := 0; i < tenantdesk.ThrottleMaxPerEmail; i++ {
		if res := c.signIn(tom, "wrong-password-"+fmt.Sprint(i)); res.StatusCode != http.StatusOK {
			t.Fatalf("attempt %d: status %d", i, res.StatusCode)
		}
		app.Clock.Advance(time.Second)
	}
	// Now even the right password is refused, with a clear wait.
	res := c.signIn(tom, app.Password[tom])
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("throttled: status %d", res.StatusCode)
	}
	if got := text(res, `[data-testid="signin-error"]`); !strings.Contains(got, "Try again in 15 minutes") {
		t.Errorf("throttle message %q", got)
	}
	if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	// Other emails from another client are not affected by tom's lock...
	if res := app.client().signIn(becky, app.Password[becky]); res.StatusCode != http.StatusSeeOther {
		t.Errorf("other user: status %d", res.StatusCode)
	}
	// ...and the lock survives a restart: it is in the database.
	app.start()
	if res := app.client().signIn(tom, app.Password[tom]); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after restart: status %d", res.StatusCode)
	}
	// In Russian the wait is said with the right plural.
	ru := app.client()
	ru.Header.Set("Accept-Language", "ru-RU,ru;q=0.9")
	if got := text(ru.signIn(tom, app.Password[tom]), `[data-testid="signin-error"]`); !strings.Contains(got, "Повторите через 15 минут.") {
		t.Errorf("russian throttle message %q", got)
	}
	// When the window has passed, the right password works again.
	app.Clock.Advance(tenantdesk.ThrottleWindow)
	if res := c.signIn(tom, app.Password[tom]); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the window: status %d: %s", res.StatusCode, text(res, `[data-testid="signin-error"]`))
	}
	u, _ := app.DB.FindUserByEmail(context.Background(), tom)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditSignIn, "") {
		t.Error("no success audited")
	}
}

func TestSignInThrottlesPerClientIP(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	// Many different emails from one IP (a credential-stuffing pattern).
	for i := 0; i < tenantdesk.ThrottleMaxPerIP; i++ {
		if res := c.signIn(fmt.Sprintf("guess%d@fence.example", i), "whatever-password"); res.StatusCode != http.StatusOK {
			t.Fatalf("attempt %d: status %d", i, res.StatusCode)
		}
	}
	res := c.signIn(becky, app.Password[becky])
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("IP not throttled: status %d", res.StatusCode)
	}
}

func TestDisabledUserCannotSignIn(t *testing.T) {
	app := newTestApp(t)
	u, _ := app.DB.FindUserByEmail(context.Background(), huck)
	// Huck is signed in when he is disabled: his next request signs him out.
	c := app.client()
	c.mustSignIn(huck)
	app.exec(`UPDATE users SET status = 'disabled' WHERE id = ?`, u.ID)
	if res := c.get("/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Fatalf("disabled user's session still works: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res := app.client().signIn(huck, app.Password[huck])
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := text(res, `[data-testid="signin-error"]`); !strings.Contains(got, "disabled") {
		t.Errorf("message %q", got)
	}
	// A wrong password for a disabled user still gets the generic answer.
	if got := text(app.client().signIn(huck, "wrong-password!"), `[data-testid="signin-error"]`); got != "Incorrect email or password." {
		t.Errorf("wrong password for disabled user: %q", got)
	}
}

func TestUserWithoutWebsiteAccessCannotSignIn(t *testing.T) {
	app := newTestApp(t)
	u, _ := app.DB.FindUserByEmail(context.Background(), "muff.potter@fence.example")
	if err := app.ops().SetPassword(context.Background(), u.ID, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	res := app.client().signIn(u.Email, "a long enough password")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(text(res, `[data-testid="signin-error"]`), "no access to the portal") {
		t.Fatalf("status %d, message %q", res.StatusCode, text(res, `[data-testid="signin-error"]`))
	}
}

func TestSessionRotatesOnSignIn(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	first := c.cookie("td_session")
	if first == nil {
		t.Fatal("no session cookie")
	}
	c.mustSignIn(becky) // signing in again, even as someone else, gets a new session ID
	second := c.cookie("td_session")
	if second.Value == first.Value {
		t.Fatal("session ID not rotated on sign-in")
	}
	if got := text(c.get("/"), `[data-testid="home-user-name"]`); got != "Becky Thatcher" {
		t.Errorf("now signed in as %q", got)
	}
	// The session from before the second sign-in is dead on the server.
	old := app.client()
	old.setCookie(&http.Cookie{Name: "td_session", Value: first.Value, Path: "/"})
	if res := old.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session still valid: %d", res.StatusCode)
	}
}

func TestSessionCookieFlags(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	res := c.signIn(tom, app.Password[tom])
	var raw string
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "td_session=") {
			raw = v
		}
	}
	if !strings.Contains(raw, "HttpOnly") || !strings.Contains(raw, "SameSite=Lax") || !strings.Contains(raw, "Path=/") {
		t.Fatalf("session cookie flags: %q", raw)
	}
	if strings.Contains(raw, "Secure") {
		t.Errorf("Secure on plain HTTP without configuration: %q", raw)
	}
	// Configured (behind a TLS proxy): Secure, and named with the __Host-
	// prefix (ASVS 5.0 3.3.1, 3.3.3), which browsers accept only with
	// Secure, Path=/ and no Domain.
	sec := newTestApp(t, func(c *web.Config) { c.SecureCookies = true })
	res = sec.client().signIn(tom, sec.Password[tom])
	raw = ""
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "td_session=") {
			t.Errorf("Secure session cookie without the __Host- prefix: %q", v)
		}
		if strings.HasPrefix(v, "__Host-td_session=") {
			raw = v
		}
	}
	if !strings.Contains(raw, "; Secure") || !strings.Contains(raw, "Path=/") || strings.Contains(raw, "Domain=") ||
		!strings.Contains(raw, "HttpOnly") {
		t.Errorf("configured session cookie: %q", raw)
	}
	// A forged cookie value is ignored.
	f := app.client()
	f.setCookie(&http.Cookie{Name: "td_session", Value: "forged", Path: "/"})
	if res := f.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("forged cookie accepted: %d", res.StatusCode)
	}
}

func TestSignOutEndsSessionOnServer(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	stolen := c.cookie("td_session")
	res := c.post("/signout", nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?signedout=1" {
		t.Fatalf("sign-out: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := text(c.get("/signin?signedout=1"), `[role="status"]`); got != "You have signed out." {
		t.Errorf("info %q", got)
	}
	// Replaying the old cookie does not work: the session is gone server-side.
	replay := app.client()
	replay.setCookie(&http.Cookie{Name: "td_session", Value: stolen.Value, Path: "/"})
	if res := replay.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old cookie still valid after sign-out: %d", res.StatusCode)
	}
	u, _ := app.DB.FindUserByEmail(context.Background(), tom)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditSignOut, "") {
		t.Error("sign-out not audited")
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	app.Clock.Advance(tenantdesk.SessionIdleTimeout - time.Minute)
	if res := c.get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("active session expired early: %d", res.StatusCode)
	}
	// Activity moved the idle deadline.
	app.Clock.Advance(tenantdesk.SessionIdleTimeout - time.Minute)
	if res := c.get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("activity did not extend the session: %d", res.StatusCode)
	}
	app.Clock.Advance(tenantdesk.SessionIdleTimeout)
	res := c.get("/")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("idle session still valid: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	step := tenantdesk.SessionIdleTimeout / 2
	elapsed := time.Duration(0)
	for elapsed+step < tenantdesk.SessionAbsoluteLimit {
		app.Clock.Advance(step)
		elapsed += step
		if res := c.get("/"); res.StatusCode != http.StatusOK {
			t.Fatalf("expired after %s of activity", elapsed)
		}
	}
	app.Clock.Advance(step)
	if res := c.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("session outlived the absolute limit: %d", res.StatusCode)
	}
}

func TestSignInRedirectsToNextOnlyLocally(t *testing.T) {
	app := newTestApp(t)
	// A signed-out visit remembers where it was going.
	res := app.client().get("/?tab=x")
	if loc := res.Header.Get("Location"); loc != "/signin?next=%2F%3Ftab%3Dx" {
		t.Errorf("redirect to sign-in: %q", loc)
	}
	for next, want := range map[string]string{
		"/?tab=x":              "/?tab=x",
		"//evil.example/":      "/",
		"https://evil.example": "/",
		"/\\evil.example":      "/",
		"":                     "/",
	} {
		c := app.client()
		res := c.post("/signin", url.Values{"email": {tom}, "password": {app.Password[tom]}, "next": {next}})
		if loc := res.Header.Get("Location"); loc != want {
			t.Errorf("next=%q: redirected to %q, want %q", next, loc, want)
		}
	}
}
