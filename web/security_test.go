package web_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/web"
)

func TestCSRFRejectsStateChangesWithoutToken(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/signin") // has the CSRF cookie, but sends no token
	cases := map[string]url.Values{
		"no token":    {"email": {tom}, "password": {app.Password[tom]}},
		"wrong token": {"email": {tom}, "password": {app.Password[tom]}, "_csrf": {"not-the-token"}},
	}
	for name, form := range cases {
		res := c.postRaw("/signin", form)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, res.StatusCode)
		}
		if got := text(res, `[data-testid="error-title"]`); got != "Form expired" {
			t.Errorf("%s: page title %q", name, got)
		}
		if c.cookie("td_session") != nil {
			t.Errorf("%s: signed in without a CSRF token", name)
		}
	}
	// Sign-out is protected too: a cross-site form cannot sign a user out.
	c.mustSignIn(tom)
	if res := c.postRaw("/signout", nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out without token: %d", res.StatusCode)
	}
	if res := c.get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("session ended by a forged sign-out: %d", res.StatusCode)
	}
	// HTMX sends the token in the X-CSRF-Token header from <body hx-headers>.
	home := c.get("/")
	hx, _ := home.Doc.Find("body").Attr("hx-headers")
	if !strings.Contains(hx, `"X-CSRF-Token"`) || !strings.Contains(hx, c.csrf) {
		t.Fatalf("body hx-headers = %q", hx)
	}
	req, _ := http.NewRequest(http.MethodPost, app.Server.URL+"/signout", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.csrf)
	res := c.do(req)
	if res.StatusCode != http.StatusNoContent || res.Header.Get("HX-Redirect") != "/signin?signedout=1" {
		t.Fatalf("HTMX sign-out: %d %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	for _, path := range []string{"/signin", "/", "/no-such-page", "/healthz"} {
		res := c.get(path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows unsafe scripts: %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: nosniff missing", path)
		}
		if h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: Referrer-Policy missing", path)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS on plain HTTP", path)
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("%s: no request ID", path)
		}
	}
	// Pages hold no inline scripts or styles (the CSP would block them).
	res := c.get("/signin")
	res.Doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src, _ := s.Attr("src"); src == "" {
			t.Error("inline <script> on the sign-in page")
		}
	})
	if res.Doc.Find("style, [style]").Length() > 0 {
		t.Error("inline style on the sign-in page")
	}
}

func TestTrustedProxyHeaders(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	app := newTestApp(t, func(c *web.Config) { c.TrustedProxies = []*net.IPNet{loopback} })
	c := app.client()
	c.Header.Set("X-Forwarded-For", "203.0.113.7")
	c.Header.Set("X-Forwarded-Proto", "https")
	res := c.signIn(tom, app.Password[tom])
	if !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS behind a trusted TLS proxy")
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=63072000") || !strings.Contains(hsts, "includeSubDomains") {
		t.Errorf("HSTS %q: want at least a year and includeSubDomains (ASVS 5.0 3.4.1)", hsts)
	}
	sessionCookies := 0
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "td_session=") {
			t.Errorf("session cookie over TLS without the __Host- prefix: %q", v)
		}
		if strings.HasPrefix(v, "__Host-td_session=") {
			sessionCookies++
			if !strings.Contains(v, "; Secure") {
				t.Errorf("session cookie not Secure over TLS: %q", v)
			}
		}
	}
	if sessionCookies == 0 {
		t.Error("no session cookie over TLS")
	}
	if ip := lastAuditIP(t, app, tom); ip != "203.0.113.7" {
		t.Errorf("audited IP %q, want the forwarded client", ip)
	}

	// Without trusted proxies, forwarded headers from anyone are ignored.
	plain := newTestApp(t)
	p := plain.client()
	p.Header.Set("X-Forwarded-For", "203.0.113.7")
	p.Header.Set("X-Forwarded-Proto", "https")
	res = p.signIn(tom, plain.Password[tom])
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS set on a spoofed X-Forwarded-Proto")
	}
	if ip := lastAuditIP(t, plain, tom); ip != "127.0.0.1" {
		t.Errorf("audited IP %q: a spoofed X-Forwarded-For was believed", ip)
	}
}

func lastAuditIP(t *testing.T, app *testApp, email string) string {
	t.Helper()
	u, _ := app.DB.FindUserByEmail(context.Background(), email)
	entries, _ := app.DB.ListAudit(context.Background(), u.AccountID, 10)
	for _, e := range entries {
		if e.Action == tenantdesk.AuditSignIn {
			return e.IP
		}
	}
	t.Fatal("no sign-in audited")
	return ""
}

func TestNotFoundPage(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	res := c.get("/no-such-page")
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := text(res, `[data-testid="error-title"]`); got != "Page not found" {
		t.Errorf("title %q", got)
	}
	if strings.Contains(res.Body, "echo") || strings.Contains(res.Body, "goroutine") {
		t.Error("404 page leaks internals")
	}
	c.Header.Set("Accept-Language", "ru")
	if got := text(c.get("/no-such-page"), `[data-testid="error-title"]`); got != "Страница не найдена" {
		t.Errorf("russian 404 title %q", got)
	}
	// Wrong method on a known path: a page, not a stack trace.
	res = app.client().postRaw("/healthz", nil)
	if res.StatusCode != http.StatusMethodNotAllowed && res.StatusCode != http.StatusForbidden {
		t.Errorf("POST /healthz: %d", res.StatusCode)
	}
}

func TestRequestBodyLimit(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	res := c.post("/signin", url.Values{"email": {tom}, "password": {strings.Repeat("x", 2<<20)}})
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB body: status %d", res.StatusCode)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	if res := c.get("/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("healthz %d", res.StatusCode)
	}
	if res := c.get("/readyz"); res.StatusCode != http.StatusOK {
		t.Errorf("readyz %d", res.StatusCode)
	}
	if c.cookie("td_csrf") != nil || c.cookie("td_session") != nil {
		t.Error("health endpoints set cookies")
	}
	app.DB.Close()
	if res := c.get("/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database closed: %d", res.StatusCode)
	}
}

func TestRequestLogsHoldNoSecrets(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.signIn(tom, "wrong-password-logged?")
	c.mustSignIn(tom)
	c.get("/?token=secret-in-query")
	logs := app.Logs.String()
	for _, secret := range []string{app.Password[tom], "wrong-password-logged?", "secret-in-query", c.cookie("td_session").Value} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
	if !strings.Contains(logs, "request_id=") || !strings.Contains(logs, "path=/signin") {
		t.Errorf("request log lines missing: %s", logs)
	}
}

func TestStaticAssetsAreServedAndCached(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	page := c.get("/signin")
	href, _ := page.Doc.Find(`link[rel="stylesheet"]`).Attr("href")
	res := c.get(href)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("%s: %d %s", href, res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("versioned asset not cached: %q", res.Header.Get("Cache-Control"))
	}
	if res := c.get("/static/../go.mod"); res.StatusCode != http.StatusNotFound {
		t.Errorf("path traversal: %d", res.StatusCode)
	}
}

func TestSessionKeyRotation(t *testing.T) {
	oldKey, newKey := auth.RandomBytes(32), auth.RandomBytes(32)
	app := newTestApp(t, func(c *web.Config) { c.SessionKeys = [][]byte{oldKey} })
	c := app.client()
	c.mustSignIn(tom)
	// Rotated: the new key signs, the old one still verifies existing cookies.
	app.cfg.SessionKeys = [][]byte{newKey, oldKey}
	app.start()
	if res := c.get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("cookie signed with the previous key refused: %d", res.StatusCode)
	}
	fresh := app.client()
	fresh.mustSignIn(becky)
	// Old key retired: cookies it signed stop working, new ones keep working.
	app.cfg.SessionKeys = [][]byte{newKey}
	app.start()
	if res := c.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("cookie signed with a retired key accepted: %d", res.StatusCode)
	}
	if res := fresh.get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("cookie signed with the current key refused: %d", res.StatusCode)
	}
}

func TestInternalErrorPageLeaksNothing(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	app.DB.Close() // every query now fails
	res := c.get("/")
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := text(res, `[data-testid="error-title"]`); got != "Something went wrong" {
		t.Errorf("title %q", got)
	}
	reqID := res.Header.Get("X-Request-Id")
	if reqID == "" || !strings.Contains(res.Body, reqID) {
		t.Error("the page does not show the request ID")
	}
	for _, leak := range []string{"sqlite", "sql:", "database is closed", "goroutine", ".go:"} {
		if strings.Contains(res.Body, leak) {
			t.Errorf("the page leaks %q", leak)
		}
	}
	if !strings.Contains(app.Logs.String(), "request_id="+reqID) {
		t.Error("the failure is not logged with its request ID")
	}
}
