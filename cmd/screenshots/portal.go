package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/demo"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sitepages"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
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
	hints    []string          // from arrange, for sitepages.Walk
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

// site is the portal as internal/sitepages sees it.
func (p *portal) site() sitepages.Portal {
	return sitepages.Portal{URL: p.URL, Store: p.DB, Svc: p.Svc, Password: p.Password, Now: time.Now}
}

// arrange puts the demo data into the states some pages need
// (sitepages.Portal.Arrange).
// The hints (links no walk finds on its own) are kept for shoot.
func (p *portal) arrange(ctx context.Context) error {
	hints, err := p.site().Arrange(ctx)
	p.hints = hints
	return err
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

// signInHTTP signs in as the demo user with a plain HTTP client.
func (p *portal) signInHTTP(email, userAgent string) (*http.Client, error) {
	return p.site().SignInHTTP(email, userAgent)
}
