package web_test

// Issue 9: the CSRF token is read from the form body or the header only,
// bound to the session, and its cookie is Secure like the session cookie.

import (
	"bytes"
	"context"
	"github.com/tenantdesk/tenantdesk/web"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// displayNameOf reads the user's display name from the database.
func displayNameOf(t *testing.T, app *testApp, email string) string {
	t.Helper()
	u, err := app.DB.FindUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.DisplayName
}

// postQueryToken posts form to path with the token in the URL query only.
func postQueryToken(c *client, path, token string, form url.Values) *response {
	c.app.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.Server.URL+path+"?_csrf="+url.QueryEscape(token), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func TestCSRFTokenNotReadFromQuery(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	c.get("/profile")
	token := c.csrf // the signed-in session's
	before := displayNameOf(t, app, tom)

	res := postQueryToken(c, "/profile", token, url.Values{"displayName": {"Query Token"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("token in the query string: status %d, want 403", res.StatusCode)
	}
	if got := displayNameOf(t, app, tom); got != before {
		t.Fatalf("a token in the query string saved the change: %q", got)
	}
	// The form body and the header still work.
	if res := c.post("/profile", url.Values{"displayName": {"Form Token"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("token in the form body: %d", res.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, app.Server.URL+"/profile", strings.NewReader(url.Values{"displayName": {"Header Token"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", token)
	if res := c.do(req); res.StatusCode != http.StatusNoContent {
		t.Fatalf("token in the header: %d", res.StatusCode)
	}
	if got := displayNameOf(t, app, tom); got != "Header Token" {
		t.Fatalf("display name %q", got)
	}
	// A multipart form body is a form body too.
	res = c.postMultipart("/profile", url.Values{"displayName": {"Multipart"}, "_csrf": {token}})
	if res.StatusCode != http.StatusSeeOther || displayNameOf(t, app, tom) != "Multipart" {
		t.Fatalf("multipart form: %d", res.StatusCode)
	}
}

// postMultipart sends form as multipart/form-data.
func (c *client) postMultipart(path string, form url.Values) *response {
	c.app.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.Server.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func TestCSRFTokenBoundToSession(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/signin")
	anonymous := c.csrf
	if anonymous == "" {
		t.Fatal("no token on the sign-in page")
	}
	c.mustSignIn(tom)
	// The token issued before sign-in is worthless after it.
	res := c.postRaw("/profile", url.Values{"displayName": {"Fixated"}, "_csrf": {anonymous}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("pre-sign-in token after sign-in: status %d, want 403", res.StatusCode)
	}
	page := c.get("/profile")
	signedIn := c.csrf
	if signedIn == anonymous {
		t.Fatal("the token did not change at sign-in")
	}
	if hx, _ := page.Doc.Find("body").Attr("hx-headers"); !strings.Contains(hx, signedIn) {
		t.Errorf("hx-headers %q lacks the session's token", hx)
	}
	if res := c.post("/profile", url.Values{"displayName": {"Bound"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the session's token: %d", res.StatusCode)
	}
	// Another session of the same user has a token of its own.
	other := app.client()
	other.mustSignIn(tom)
	if res := other.postRaw("/profile", url.Values{"displayName": {"Other"}, "_csrf": {signedIn}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("another session's token: %d", res.StatusCode)
	}
	// Sign-out: neither the signed-in nor the first anonymous token works.
	if res := c.post("/signout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", res.StatusCode)
	}
	for name, tok := range map[string]string{"signed-in": signedIn, "pre-sign-in": anonymous} {
		res := c.postRaw("/signin", url.Values{"email": {tom}, "password": {app.Password[tom]}, "_csrf": {tok}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s token after sign-out: status %d, want 403", name, res.StatusCode)
		}
	}
	// The sign-in page gives a fresh token that works.
	c.get("/signin")
	if c.csrf == anonymous || c.csrf == signedIn {
		t.Error("the sign-in page after sign-out reuses an old token")
	}
	c.mustSignIn(tom)
}

func TestCSRFTokenRenewedAtSecondFactor(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	secret, _ := enableTOTP(t, app, c)
	c.post("/signout", nil)

	signInPassword(t, app, c, huck, "/signin/2fa")
	c.get("/signin/2fa")
	pending := c.csrf
	app.Clock.Advance(31e9) // the next TOTP step
	res := c.post("/signin/2fa", url.Values{"code": {totpCode(t, app, secret, 0)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("second factor: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = c.postRaw("/profile", url.Values{"displayName": {"Pending token"}, "_csrf": {pending}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("token of the pending sign-in after 2FA: status %d, want 403", res.StatusCode)
	}
	c.get("/profile")
	if c.csrf == pending {
		t.Error("the token did not change when the sign-in completed")
	}
}

// cookiesOf returns the Set-Cookie lines of a response by cookie name.
func cookiesOf(res *response) map[string]string {
	out := map[string]string{}
	for _, v := range res.Header.Values("Set-Cookie") {
		name, _, _ := strings.Cut(v, "=")
		out[name] = v
	}
	return out
}

func TestEveryCookieSecureLikeTheSessionCookie(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	for _, tc := range []struct {
		name   string
		opt    appOption
		proto  string
		secure bool
	}{
		{"plain HTTP", func(*web.Config) {}, "", false},
		{"spoofed X-Forwarded-Proto", func(*web.Config) {}, "https", false},
		{"trusted TLS proxy", func(c *web.Config) { c.TrustedProxies = []*net.IPNet{loopback} }, "https", true},
		{"--secure-cookies", func(c *web.Config) { c.SecureCookies = true }, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestApp(t, tc.opt)
			c := app.client()
			if tc.proto != "" {
				c.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			seen := map[string]bool{}
			check := func(res *response) {
				for name, line := range cookiesOf(res) {
					seen[name] = true
					if got := strings.Contains(line, "; Secure"); got != tc.secure {
						t.Errorf("%s: Secure=%v, want %v: %q", name, got, tc.secure, line)
					}
					// A Secure cookie carries the __Host- prefix, a cookie
					// over plain HTTP cannot (ASVS 5.0 3.3.1, 3.3.3).
					if got := strings.HasPrefix(name, "__Host-"); got != tc.secure {
						t.Errorf("%s: __Host- prefix=%v, want %v", name, got, tc.secure)
					}
					if strings.Contains(line, "Domain=") || !strings.Contains(line, "Path=/") {
						t.Errorf("%s: want Path=/ and no Domain: %q", name, line)
					}
				}
			}
			check(c.get("/signin"))
			check(c.signIn(tom, app.Password[tom]))
			check(c.post("/signout", nil))
			prefix := ""
			if tc.secure {
				prefix = "__Host-"
			}
			if !seen[prefix+"td_session"] || !seen[prefix+"td_csrf"] {
				t.Errorf("cookies seen: %v", seen)
			}
		})
	}
}

// A form whose session timed out meanwhile leads to the sign-in page, as
// before the token was bound to the session, not to "Form expired".
func TestCSRFAfterSessionTimeoutSignsInAgain(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	c.get("/profile")
	token := c.csrf
	app.Clock.Advance(tenantdesk.SessionIdleTimeout + time.Minute)
	res := c.postRaw("/profile", url.Values{"displayName": {"Late"}, "_csrf": {token}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Fatalf("post after the session timed out: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	req, _ := http.NewRequest(http.MethodPost, app.Server.URL+"/profile", strings.NewReader("displayName=Late"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", token)
	if res := c.do(req); res.StatusCode != http.StatusUnauthorized || res.Header.Get("HX-Redirect") != "/signin" {
		t.Fatalf("HTMX post after the session timed out: %d %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	if got := displayNameOf(t, app, tom); got == "Late" {
		t.Fatal("changed without a session")
	}
	// Without any session cookie a missing token is still 403.
	if res := app.client().postRaw("/profile", url.Values{"displayName": {"Late"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("no session, no token: %d", res.StatusCode)
	}
}
