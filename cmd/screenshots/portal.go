package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/demo"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/web"
)

// portal is the real server (echo, middleware, templates, services) over a
// SQLite file in a temporary folder holding the demo data, on loopback,
// wired as tenantdesk serve --demo wires it.
type portal struct {
	URL      string
	DB       *sqlstore.DB
	Svc      *service.All
	Server   *web.Server
	Password map[string]string // demo email -> password
	http     *http.Server
}

// startPortal opens a fresh database in dir, loads the demo data and
// serves the portal on a free loopback port.
func startPortal(ctx context.Context, dir string) (*portal, error) {
	db, err := sqlstore.Open(filepath.Join(dir, "tenantdesk.db"))
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// The screenshots need no costly hashes; the production parameters are
	// benchmarked in internal/auth.
	db.Hasher = auth.NewArgon2id(auth.Argon2Params{Memory: 256, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 4)
	p := &portal{DB: db, Password: map[string]string{}}
	fail := func(err error) (*portal, error) { p.Close(); return nil, err }

	bundle, err := i18n.New()
	if err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	p.URL = "http://" + ln.Addr().String()
	deps := &service.Deps{Store: db, Mail: mail.NewRenderer(bundle), Now: db.Now, Hasher: db.Hasher, BaseURL: p.URL}
	if p.Svc, err = service.New(deps); err != nil {
		ln.Close()
		return fail(err)
	}
	signins, err := demo.Seed(ctx, db, p.Svc.Operator, p.Svc.Devices)
	if err != nil {
		ln.Close()
		return fail(err)
	}
	for _, s := range signins {
		p.Password[s.Email] = s.Password
	}
	svc := p.Svc
	p.Server = web.NewServer(web.Config{
		BaseURL: p.URL, SessionKeys: [][]byte{auth.RandomBytes(32)},
		DevMailbox: true, // /dev/mail, as in demo mode
	}, web.Services{
		Auth: svc.Auth, Users: db, Accounts: db, Sessions: db, AccountUsers: svc.Users, AccountInfo: svc.AccountInfo, AuditLog: svc.AuditLog, Devices: svc.Devices, Links: svc.Links, Mailbox: db, Profile: svc.Profile, FTPAuth: svc.FTPAuth, Security: svc.Security, Settings: svc.Settings, TwoFactor: svc.TwoFactor, Access: svc.Access, Dashboard: svc.Dashboard, Imports: svc.Imports, Onboarding: svc.Customers, Ready: db.Ping,
		Tokens: svc.Tokens, Customers: svc.Customers, UserMail: svc.UserMail, Idempotency: svc.Idempotency,
	}, bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	p.http = &http.Server{Handler: p.Server, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.http.Serve(ln) }()
	return p, nil
}

// Close stops the server and closes the database.
func (p *portal) Close() {
	if p.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = p.http.Shutdown(ctx)
		cancel()
	}
	p.DB.Close()
}

// as returns ctx acting as the demo user with the email.
func (p *portal) as(ctx context.Context, email string) (context.Context, *tenantdesk.User, error) {
	u, err := p.DB.FindUserByEmail(ctx, email)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", email, err)
	}
	return tenantdesk.WithActor(ctx, &tenantdesk.Actor{User: u, IP: "127.0.0.1"}), u, nil
}

// arrange puts the demo data into the states some pages need, through the
// services as a person or the operator would:
//   - an API token for each signed-in viewer who may have one (Profile ›
//     API tokens and its confirmations; the others' tab says why not);
//   - a second session for each of them;
//   - an invited user with a queued activation email, a password reset
//     email and an email change waiting for confirmation (the demo mailbox,
//     and the pages those emailed links open);
//   - the gallery requires two-factor authentication, which its Owner has
//     not set up yet and Winnie Pooh has (the two-factor sign-in pages).
func (p *portal) arrange(ctx context.Context) error {
	for _, v := range signedIn {
		actx, u, err := p.as(ctx, v.Email)
		if err != nil {
			return err
		}
		_, _, err = p.Svc.Tokens.CreateToken(actx, u.ID, tenantdesk.NewAPIToken{Name: "Reporting script"})
		if tenantdesk.ErrorCode(err) == tenantdesk.EAPIAccessRequired {
			continue // no onboarding.admin (SPEC §2): the tab explains instead
		} else if err != nil {
			return fmt.Errorf("token for %s: %w", v.Email, err)
		}
	}

	// A second session each, as from another browser (Profile › Sessions
	// and its "sign out everywhere else" confirmation).
	for _, v := range signedIn {
		if _, err := p.signInHTTP(v.Email, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"); err != nil {
			return err
		}
	}

	op := tenantdesk.OperatorContext(ctx)
	tom, err := p.DB.FindUserByEmail(ctx, owner.Email)
	if err != nil {
		return err
	}
	amy := &tenantdesk.User{AccountID: tom.AccountID, DisplayName: "Amy Lawrence", Email: "amy.lawrence@fence.example", Roles: []string{"customer.user"}}
	if err := p.Svc.Operator.CreateUser(op, amy); err != nil {
		return fmt.Errorf("invite: %w", err)
	}
	if err := p.Svc.Operator.QueueActivation(op, amy.ID); err != nil {
		return fmt.Errorf("activation email: %w", err)
	}
	if err := p.Svc.Links.RequestPasswordReset(ctx, userAdmin.Email); err != nil {
		return fmt.Errorf("password reset email: %w", err)
	}
	hctx, _, err := p.as(ctx, plainUser.Email)
	if err != nil {
		return err
	}
	if _, err := p.Svc.Profile.RequestEmailChange(hctx, "huckleberry.finn@fence.example", p.Password[plainUser.Email]); err != nil {
		return fmt.Errorf("email change: %w", err)
	}

	robin, err := p.DB.FindUserByEmail(ctx, enrolling.Email)
	if err != nil {
		return err
	}
	wctx, _, err := p.as(ctx, secondFactor.Email)
	if err != nil {
		return err
	}
	setup, err := p.Svc.TwoFactor.StartTOTPSetup(wctx, p.Password[secondFactor.Email])
	if err != nil {
		return fmt.Errorf("two-factor set-up: %w", err)
	}
	code, err := auth.TOTPCode(setup.Secret, time.Now())
	if err != nil {
		return err
	}
	if _, err := p.Svc.TwoFactor.ConfirmTOTPSetup(wctx, code); err != nil {
		return fmt.Errorf("two-factor confirmation: %w", err)
	}
	if _, err := p.Svc.Security.SetAccountSecurity(op, tenantdesk.AccountSecurity{AccountID: robin.AccountID, Require2FA: true}); err != nil {
		return fmt.Errorf("require two-factor: %w", err)
	}
	return nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func absPath(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

var csrfInput = regexp.MustCompile(`name="_csrf"[^>]*value="([^"]+)"`)

// signInHTTP signs in as the demo user with a plain HTTP client that sends
// userAgent, and returns the client, which holds the session and does not
// follow redirects.
func (p *portal) signInHTTP(email, userAgent string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (*http.Response, string, error) {
		req, err := http.NewRequest(method, p.URL+path, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("User-Agent", userAgent)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		res, err := c.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return res, string(b), err
	}
	_, body, err := do(http.MethodGet, "/signin", nil)
	if err != nil {
		return nil, err
	}
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("sign-in as %s: no CSRF token on the sign-in page", email)
	}
	res, _, err := do(http.MethodPost, "/signin", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {p.Password[email]}})
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		return nil, fmt.Errorf("sign-in as %s: %d to %q", email, res.StatusCode, res.Header.Get("Location"))
	}
	return c, nil
}
