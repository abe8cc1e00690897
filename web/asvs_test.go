package web_test

// Checks named in docs/security.md that no other test covered: ASVS 5.0
// 6.2.6 (password fields masked), 6.2.7 (paste and password managers
// allowed) and 6.2.8 (the password is checked exactly as typed).

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Every field of a password-bearing form is type=password, says to a
// password manager whether it wants the current or a new password, and
// nothing on the page stops pasting.
func TestPasswordFieldsMaskedAndPasteable(t *testing.T) {
	app := newTestApp(t)
	anon := app.client()
	c := app.client()
	c.mustSignIn(tom)
	pages := []struct {
		c     *client
		path  string
		count int // password fields the page has at least
	}{
		{anon, "/signin", 1},
		{c, "/profile", 1},          // the email change asks for the current password
		{c, "/profile/password", 3}, // current, new, confirm
		{c, "/profile/ftp", 1},
		{c, "/profile/2fa", 0}, // 2FA is off: the password forms are not shown yet
	}
	for _, p := range pages {
		res := p.c.get(p.path)
		if res.StatusCode != http.StatusOK || res.Doc == nil {
			t.Fatalf("%s: status %d", p.path, res.StatusCode)
		}
		n := 0
		res.Doc.Find("input").Each(func(_ int, in *goquery.Selection) {
			name := strings.ToLower(attr(in, "name") + " " + attr(in, "id"))
			if !strings.Contains(name, "password") {
				return
			}
			n++
			if typ := attr(in, "type"); typ != "password" {
				t.Errorf("%s: %q is type=%q, want password", p.path, attr(in, "name"), typ)
			}
			if ac := attr(in, "autocomplete"); ac != "current-password" && ac != "new-password" {
				t.Errorf("%s: %q autocomplete=%q, want current-password or new-password", p.path, attr(in, "name"), ac)
			}
		})
		if n < p.count {
			t.Errorf("%s: %d password fields, want at least %d", p.path, n, p.count)
		}
		for _, block := range []string{"onpaste", "oncopy", "ondrop"} {
			if res.Doc.Find("["+block+"]").Length() != 0 {
				t.Errorf("%s: an element has %s", p.path, block)
			}
		}
	}
}

// The password is verified as it was typed: neither trimmed nor folded to
// one case, so a password with a space or a capital changed is wrong.
func TestSignInComparesThePasswordExactly(t *testing.T) {
	app := newTestApp(t)
	pw := app.Password[tom]
	// Four tries: a fifth wrong password of the email would be throttled.
	for _, typed := range []string{pw + " ", " " + pw, strings.ToUpper(pw), strings.ToLower(pw)} {
		if typed == pw {
			continue // a generated password with no letter of the changed case
		}
		c := app.client()
		if res := c.signIn(tom, typed); res.StatusCode == http.StatusSeeOther {
			t.Errorf("signed in with %q for %q", typed, pw)
		}
	}
	if res := app.client().signIn(tom, pw); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right password: status %d", res.StatusCode)
	}
}

// The baseline headers are on every kind of response, not only pages: API
// answers (a 401 problem), the public OpenAPI document, static files,
// health checks and 404s (ASVS 5.0 3.4.3-3.4.6, 4.1.1). Only the OpenAPI
// document, which holds nobody's data, may be read cross-origin (3.4.2).
func TestSecurityHeadersOnEveryKindOfResponse(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	for _, p := range []struct {
		path, mime string
		cors       bool
	}{
		{"/signin", "text/html", false},
		{"/no-such-page", "text/html", false},
		{"/api/v1/me", "application/problem+json", false},
		{"/api/v1/no-such-endpoint", "application/problem+json", false},
		{"/api/v1/openapi.json", "application/json", true},
		{"/static/css/app.css", "text/css", false},
		{"/healthz", "", false},
	} {
		res := c.get(p.path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p.path, csp, want)
			}
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", p.path)
		}
		if got := h.Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("%s: Referrer-Policy %q", p.path, got)
		}
		ct := h.Get("Content-Type")
		if p.mime != "" && !strings.HasPrefix(ct, p.mime) {
			t.Errorf("%s: Content-Type %q, want %s", p.path, ct, p.mime)
		}
		if strings.HasPrefix(ct, "text/") && !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
			t.Errorf("%s: Content-Type %q names no charset", p.path, ct)
		}
		if got := h.Get("Access-Control-Allow-Origin"); (got != "") != p.cors {
			t.Errorf("%s: Access-Control-Allow-Origin %q", p.path, got)
		}
	}
}

// What a person types is shown as text, never run as markup (ASVS 5.0
// 3.2.2): a display name that is an HTML snippet comes back escaped.
func TestTypedMarkupIsShownAsText(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	c.get("/profile")
	const name = `<img src=x onerror="document.title='owned'">Huck`
	res := c.post("/profile", url.Values{"displayName": {name}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: status %d", res.StatusCode)
	}
	res = c.get("/profile")
	if res.Doc.Find("img[onerror]").Length() != 0 {
		t.Fatal("the display name became an element")
	}
	if got := text(res, `[data-testid="current-user"]`); got != name {
		t.Errorf("top bar shows %q, want the name as typed", got)
	}
}

// A request cannot forge a line of the request log (ASVS 5.0 16.4.1): a
// path with CR LF and a fake entry stays inside its own, quoted, line.
func TestRequestLogResistsInjection(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	before := strings.Count(app.Logs.String(), "\n")
	c.get("/nothing%0D%0Atime=2026-01-01T00:00:00Z%20level=ERROR%20msg=forged")
	logs := app.Logs.String()
	if !strings.Contains(logs, `path="/nothing\r\ntime=2026`) {
		t.Errorf("the path is not logged quoted, with its CR LF escaped:\n%s", logs)
	}
	if got := strings.Count(logs, "\n") - before; got != 1 {
		t.Errorf("one request wrote %d log lines:\n%s", got, logs)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if strings.HasPrefix(line, "time=2026-01-01") || strings.Contains(line, "\r") {
			t.Errorf("forged or broken log line: %q", line)
		}
	}
}

// A refused CSRF token is logged as a security event of its own, with the
// request's ID and client, and without the token (ASVS 5.0 16.3.3).
func TestRefusedCSRFTokenIsLogged(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/signin")
	res := c.postRaw("/signin", url.Values{"email": {tom}, "password": {"x"}, "_csrf": {"forged-token-value"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d", res.StatusCode)
	}
	var line string
	for _, l := range strings.Split(app.Logs.String(), "\n") {
		if strings.Contains(l, "csrf token refused") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no csrf event logged:\n%s", app.Logs.String())
	}
	for _, want := range []string{"level=WARN", "path=/signin", "ip=127.0.0.1", "token_sent=true", "request_id=" + res.Header.Get("X-Request-Id")} {
		if !strings.Contains(line, want) {
			t.Errorf("csrf event %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "forged-token-value") {
		t.Errorf("the token is logged: %q", line)
	}
}

// Opening an emailed link (GET) changes nothing: a mail scanner or a
// prefetch that follows the link does not use it up, and only the form's
// POST does (ASVS 5.0 3.5.3).
func TestOpeningALinkDoesNotUseIt(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	inviteNewcomer(t, app)
	link := latestLink(t, c, newcomer, "/activate?token=")
	for i := 0; i < 3; i++ {
		if res := c.get(link); res.StatusCode != http.StatusOK {
			t.Fatalf("GET %d of the link: status %d", i+1, res.StatusCode)
		}
	}
	if res := setPassword(c, "/activate", tokenOf(t, link), goodPassword, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the link after three GETs: status %d", res.StatusCode)
	}
	if res := c.get(link); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET after the POST: status %d, want 404 (used)", res.StatusCode)
	}
}

// Setting up 2FA asks for the current password first (ASVS 5.0 7.5.1): a
// session left open must not enrol someone else's authenticator. Without
// it, or with a wrong one, the form comes back with the error beside the
// field and no secret is made.
func TestTwoFactorSetupNeedsThePassword(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	c.get("/profile/2fa")
	for name, form := range map[string]url.Values{
		"no password":    {},
		"wrong password": {"password": {"not the password at all"}},
	} {
		res := c.post("/profile/2fa/setup", form)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", name, res.StatusCode)
		}
		if got := strings.TrimSpace(res.Doc.Find("#setup-password-error").Text()); got != "The password is not right." {
			t.Errorf("%s: field error %q", name, got)
		}
		if res.Doc.Find(`[data-testid="totp-secret"]`).Length() != 0 {
			t.Errorf("%s: a secret is shown", name)
		}
	}
	if page := c.get("/profile/2fa"); page.Doc.Find(`[data-testid="totp-secret"]`).Length() != 0 {
		t.Fatal("a set-up is pending without the password")
	}
	if res := startTOTPSetup(t, app, c); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("with the password: status %d", res.StatusCode)
	}
	if page := c.get("/profile/2fa"); page.Doc.Find(`[data-testid="totp-secret"]`).Length() != 1 {
		t.Fatal("no set-up after the right password")
	}
}
