// Package web is Tenantdesk's HTTP adapter: echo handlers for the pages and
// the API, middleware (sessions, CSRF, security headers, logging) and the
// mapping of domain errors to responses. Handlers parse input, call one
// service method and render; rules and authorization live in the services.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/static"
)

// Config holds the web layer's settings.
type Config struct {
	// SecureCookies marks cookies Secure even when the request is not TLS
	// (behind a TLS-terminating proxy). Requests over TLS always get Secure cookies.
	SecureCookies bool
	// BaseURL is the portal's public URL (--base-url), e.g.
	// https://desk.example.com: absolute links such as the API problems'
	// type are built from it, never from the request's Host header.
	// Empty: http://localhost.
	BaseURL string
	// TrustedProxies are the networks whose X-Forwarded-For and
	// X-Forwarded-Proto headers are believed. Empty: the peer address is the client.
	TrustedProxies []*net.IPNet
	// SessionKeys sign session cookies, newest first; older keys only verify.
	SessionKeys     [][]byte
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// BodyLimit caps request bodies, e.g. "1M".
	BodyLimit string
	// DevMailbox serves the demo mailbox at /dev/mail (demo mode only: it
	// shows every email, single-use links included, to anyone).
	DevMailbox bool
	// FTPAuthSecret is the shared secret an FTP server sends as a bearer
	// token to POST /api/v1/ftp/auth; empty: the endpoint does not exist (404).
	FTPAuthSecret string
	// APIRate limits the REST API per token and per client IP, in requests
	// per second (0: no limit); APIBurst is the bucket size (0: twice the rate).
	APIRate  float64
	APIBurst int
}

// Services are the domain services the handlers call.
type Services struct {
	Auth     tenantdesk.AuthService
	Users    tenantdesk.UserService
	Accounts tenantdesk.AccountService
	Sessions tenantdesk.SessionRepository
	// AccountUsers manages the users of an account (the Users tab, the API).
	AccountUsers tenantdesk.AccountUserService
	// AccountInfo reads and edits accounts' general information and lists a
	// partner's customers (About account, Partnerdesk customers).
	AccountInfo tenantdesk.AccountInfoService
	// AuditLog queries an account's audit log (About account › Audit log).
	AuditLog tenantdesk.AuditQueryService
	// Devices manages an account's devices and users' softphones (About
	// account › Devices, the API).
	Devices tenantdesk.DeviceService
	// Links serves the emailed activation and password-reset links (links.go).
	Links tenantdesk.CredentialLinkService
	// Mailbox reads the outbox for the demo mailbox (devmail.go).
	Mailbox tenantdesk.MailboxService
	// Tokens manages personal API tokens and authenticates the API (api.go).
	Tokens tenantdesk.APITokenService
	// Customers is the partner's onboarding of customers (API).
	Customers tenantdesk.CustomerService
	// UserMail queues the UC welcome email (API).
	UserMail tenantdesk.UserMailService
	// Idempotency stores responses to POSTs with an Idempotency-Key (API).
	Idempotency tenantdesk.IdempotencyStore
	// Profile is My profile: personal data, rights, preferences, passwords,
	// sessions (profile*.go); FTPAuth checks FTP logins (api_ftp.go).
	Profile tenantdesk.ProfileService
	FTPAuth tenantdesk.FTPAuthService
	// Security reads and changes the account's Security tab (account_security.go).
	Security tenantdesk.AccountSecurityService
	// Settings reads and changes a customer's settings (About account ›
	// Settings and Partnerdesk; account_settings.go).
	Settings tenantdesk.AccountSettingsService
	// TwoFactor is TOTP two-factor authentication: My profile's section and
	// the sign-in's second step (twofactor.go). Nil: sign-in has one step.
	TwoFactor tenantdesk.TwoFactorService
	// Access is access requests and impersonation (Partnerdesk, About
	// account › Access requests, My zone, the API).
	Access tenantdesk.AccessRequestService
	// Imports imports users into a customer account (Users tab › Import
	// users, the API's user-imports; partner_onboarding.go, api_import.go).
	Imports tenantdesk.UserImportService
	// Onboarding is the partner's New customer wizard (partner_onboarding.go).
	Onboarding tenantdesk.OnboardingService
	// Dashboard computes the home dashboards and searches the account
	// switcher's customers (home.go, switcher.go).
	Dashboard tenantdesk.DashboardService
	// Ready reports whether the database answers (for /readyz).
	Ready func(ctx context.Context) error
}

// Server is the HTTP server's handler and its dependencies.
type Server struct {
	cfg      Config
	svc      Services
	i18n     *i18n.Bundle
	log      *slog.Logger
	now      func() time.Time
	sessions *SessionStore
	echo     *echo.Echo
	// assetVersion busts browser caches of the embedded static files.
	assetVersion string
	// csrfKeys sign the CSRF tokens, newest first (csrf.go).
	csrfKeys [][]byte
	// api holds the REST API's rate limiters and OpenAPI document (api_openapi.go).
	api apiState
}

// NewServer wires the routes and middleware. now is the clock (tests inject one).
func NewServer(cfg Config, svc Services, bundle *i18n.Bundle, log *slog.Logger, now func() time.Time) *Server {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = tenantdesk.SessionIdleTimeout
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = tenantdesk.SessionAbsoluteLimit
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost"
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "1M"
	}
	if now == nil {
		now = time.Now
	}
	s := &Server{cfg: cfg, svc: svc, i18n: bundle, log: log, now: now, assetVersion: assetVersion()}
	s.csrfKeys = csrfKeys(cfg.SessionKeys)
	s.sessions = NewSessionStore(svc.Sessions, cfg.SessionKeys, cfg.SecureCookies, now, cfg.IdleTimeout, cfg.AbsoluteTimeout)
	s.echo = echo.New()
	s.echo.HideBanner, s.echo.HidePort = true, true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.IPExtractor = ipExtractor(cfg.TrustedProxies)
	s.sessions.ClientInfo = s.sessionClientInfo // IP and browser of new sessions (profile_sessions.go)
	s.api = newAPIState(cfg, now)
	s.routes()
	return s
}

// ServeHTTP makes Server an http.Handler. It answers HEAD wherever GET is
// routed, as HTTP requires (echo routes HEAD only to routes registered for
// it): the request is routed and handled as a GET, so status and headers
// are the GET's, and net/http, which still holds the original HEAD request,
// drops the body (sending, for a small body, its Content-Length).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		r = r.WithContext(context.WithValue(r.Context(), headRequest{}, true)) // a copy: net/http keeps its HEAD
		r.Method = http.MethodGet
	}
	s.echo.ServeHTTP(w, r)
}

// Route is one registered route: its method and echo path pattern
// (":id" for a parameter, "*" for the rest of the path).
type Route struct{ Method, Path string }

// Routes lists the registered routes in registration order, so that tools
// such as cmd/screenshots find every page without a list of their own.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.echo.Routes() {
		out = append(out, Route{Method: r.Method, Path: r.Path})
	}
	return out
}

// headRequest marks, in the context, a HEAD request that ServeHTTP handles as a GET.
type headRequest struct{}

// isHead reports whether the client sent r as HEAD.
func isHead(r *http.Request) bool {
	head, _ := r.Context().Value(headRequest{}).(bool)
	return head
}

// assetVersion is a short hash of the embedded CSS and scripts.
func assetVersion() string {
	h := sha256.New()
	for _, name := range []string{"css/app.css", "js/htmx.min.js", "js/app.js", "js/switcher.js"} {
		b, _ := static.FS.ReadFile(name)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// ipExtractor trusts X-Forwarded-For only from the configured proxies;
// without any, the peer address is the client (echo would otherwise believe
// any X-Forwarded-For).
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// fromTrustedProxy reports whether the request's peer is a trusted proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	for _, n := range s.cfg.TrustedProxies {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

// secureCookies reports whether cookies set in answer to r are marked
// Secure: with --secure-cookies, or when the client reached us over TLS.
// Every cookie (session, CSRF) follows this one rule.
func (s *Server) secureCookies(r *http.Request) bool {
	return s.cfg.SecureCookies || s.isTLS(r)
}

// cookieName is the name of the cookie base in answer to r: with the
// __Host- prefix when cookies are Secure (secureCookies), bare otherwise.
// A cookie of the other name is never read.
func (s *Server) cookieName(r *http.Request, base string) string {
	if s.secureCookies(r) {
		return hostPrefix + base
	}
	return base
}

// isTLS reports whether the client reached us over TLS, directly or through
// a trusted proxy that says so.
func (s *Server) isTLS(r *http.Request) bool {
	return r.TLS != nil || (s.fromTrustedProxy(r) && r.Header.Get("X-Forwarded-Proto") == "https")
}
