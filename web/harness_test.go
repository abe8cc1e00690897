package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/demo"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"
	"github.com/tenantdesk/tenantdesk/web"
)

// testClock is an injectable clock that only moves when told to.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testApp is the real server (echo, middleware, templates) over a real
// SQLite file holding the demo data, served by httptest on loopback.
type testApp struct {
	t        testing.TB
	DB       *sqlstore.DB
	Deps     *service.Deps
	Svc      *service.All // the services; Svc.Operator for arranging what only the operator does
	Path     string
	Clock    *testClock
	Server   *httptest.Server
	Handler  *web.Server
	Password map[string]string // demo email -> password
	Logs     *syncBuffer
	cfg      web.Config
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// cheapArgon keeps tests fast; the production parameters are benchmarked in internal/auth.
var cheapArgon = auth.Argon2Params{Memory: 256, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

type appOption func(*web.Config)

func newTestApp(t testing.TB, opts ...appOption) *testApp {
	t.Helper()
	db, path := storetest.Open(t) // a database of its own, on the store this run is for
	clock := &testClock{now: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)}
	db.Now = clock.Now
	db.Hasher = auth.NewArgon2id(cheapArgon, 4)
	bundle, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	deps := &service.Deps{Store: db, Mail: mail.NewRenderer(bundle), Hasher: storeHasher{db}, Now: clock.Now}
	svc, err := service.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	signins, err := demo.Seed(context.Background(), db, svc.Operator, svc.Devices)
	if err != nil {
		t.Fatal(err)
	}
	app := &testApp{t: t, DB: db, Deps: deps, Svc: svc, Path: path, Clock: clock, Password: map[string]string{}, Logs: &syncBuffer{}}
	for _, s := range signins {
		app.Password[s.Email] = s.Password
	}
	app.cfg = web.Config{SessionKeys: [][]byte{auth.RandomBytes(32)}}
	for _, o := range opts {
		o(&app.cfg)
	}
	app.start()
	return app
}

// start (re)starts the HTTP server over the same database, as a restart would.
func (a *testApp) start() {
	bundle, err := i18n.New()
	if err != nil {
		a.t.Fatal(err)
	}
	if a.Server != nil {
		a.Server.Close()
	}
	log := slog.New(slog.NewTextHandler(a.Logs, nil))
	a.Handler = web.NewServer(a.cfg, web.Services{Auth: a.Svc.Auth, Users: a.DB, Accounts: a.DB, Sessions: a.DB, AccountUsers: a.Svc.Users, AccountInfo: a.Svc.AccountInfo, AuditLog: a.Svc.AuditLog, Devices: a.Svc.Devices, Links: a.Svc.Links, Mailbox: a.DB, Profile: a.Svc.Profile, FTPAuth: a.Svc.FTPAuth, Tokens: a.Svc.Tokens, Customers: a.Svc.Customers, UserMail: a.Svc.UserMail, Idempotency: a.Svc.Idempotency, Security: a.Svc.Security, Settings: a.Svc.Settings, TwoFactor: a.Svc.TwoFactor, Access: a.Svc.Access, Dashboard: a.Svc.Dashboard, Imports: a.Svc.Imports, Onboarding: a.Svc.Customers, Ready: a.DB.Ping},
		bundle, log, a.Clock.Now)
	a.Server = httptest.NewServer(a.Handler)
	a.Deps.BaseURL = a.Server.URL
	a.t.Cleanup(a.Server.Close)
}

// exec runs SQL directly on the database file, for arranging states that
// no page offers yet.
func (a *testApp) exec(query string, args ...any) {
	a.t.Helper()
	conn, err := sqlstore.OpenRaw(a.Path)
	if err != nil {
		a.t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(query, args...); err != nil {
		a.t.Fatal(err)
	}
	a.DB.ForgetCachedReads() // another connection wrote: the server must see it at once
}

// count runs a counting query directly on the database file.
func (a *testApp) count(query string, args ...any) int {
	a.t.Helper()
	conn, err := sqlstore.OpenRaw(a.Path)
	if err != nil {
		a.t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(query, args...).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// client is a browser-like HTTP client with its own cookie jar that does
// not follow redirects, so tests see them.
type client struct {
	app  *testApp
	http *http.Client
	csrf string
	// Header is sent with every request.
	Header http.Header
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{app: a, Header: http.Header{}, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

func (c *client) do(req *http.Request) *response {
	c.app.t.Helper()
	for k, v := range c.Header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.app.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := &response{Response: res, Body: string(b)}
	// The CSRF token is bound to the session: when the session cookie
	// changes (sign-in, 2FA, sign-out) the token seen so far may be stale,
	// and post fetches a page for a fresh one.
	for _, ck := range res.Cookies() {
		if ck.Name == "td_session" {
			c.csrf = ""
		}
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		r.Doc, _ = goquery.NewDocumentFromReader(bytes.NewReader(b))
		if tok, ok := r.Doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
			c.csrf = tok
		}
	}
	return r
}

func (c *client) get(path string) *response {
	c.app.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.app.Server.URL+path, nil)
	return c.do(req)
}

// post sends a form with the CSRF token the client last saw (fetching the
// sign-in page, or the home page when signed in, first when it has none).
func (c *client) post(path string, form url.Values) *response {
	c.app.t.Helper()
	if c.csrf == "" {
		c.get("/signin")
	}
	if c.csrf == "" {
		c.get("/")
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if f.Get("_csrf") == "" {
		f.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, f)
}

// postRaw sends a form exactly as given.
func (c *client) postRaw(path string, form url.Values) *response {
	c.app.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.app.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) signIn(email, password string) *response {
	c.app.t.Helper()
	return c.post("/signin", url.Values{"email": {email}, "password": {password}})
}

// mustSignIn signs in as a demo user and fails the test unless it worked.
func (c *client) mustSignIn(email string) {
	c.app.t.Helper()
	res := c.signIn(email, c.app.Password[email])
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		c.app.t.Fatalf("sign-in as %s: status %d, location %q, body %s", email, res.StatusCode, res.Header.Get("Location"), res.Body)
	}
}

// cookie returns the client's cookie called name for the server's URL.
func (c *client) cookie(name string) *http.Cookie {
	u, _ := url.Parse(c.app.Server.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

func (c *client) setCookie(ck *http.Cookie) {
	u, _ := url.Parse(c.app.Server.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{ck})
}

func text(r *response, selector string) string {
	if r.Doc == nil {
		return ""
	}
	return strings.TrimSpace(r.Doc.Find(selector).First().Text())
}

const (
	elizabeth = "elizabeth.bennet@classics.example"
	tom       = "tom.sawyer@fence.example"
	becky     = "becky.thatcher@fence.example"
	huck      = "huck.finn@fence.example"
	charlotte = "charlotte.lucas@classics.example"

	tomSawyerCo = "Tom Sawyer Fence Painting Co."
	hundredAcre = "Hundred Acre Wood Art Gallery"
)

// ops are the operator's operations, for arranging what no page offers;
// they always act as the platform operator (servicetest.Ops).
func (a *testApp) ops() servicetest.Ops { return servicetest.Ops{O: a.Svc.Operator} }

// storeHasher is the store's hasher as it is at each call, so that a test
// that swaps app.DB.Hasher (to count the checks) swaps the services' too.
type storeHasher struct{ db *sqlstore.DB }

func (h storeHasher) Hash(pw string) (string, error)      { return h.db.Hasher.Hash(pw) }
func (h storeHasher) Verify(enc, pw string) (bool, error) { return h.db.Hasher.Verify(enc, pw) }
