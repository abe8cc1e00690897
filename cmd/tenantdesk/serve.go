package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/demo"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/web"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := env(getenv)
	fs, dbPath := newFlagSet("serve", getenv, stderr)
	addr := fs.String("addr", e.str("ADDR", "127.0.0.1:8080"), "listen address (TENANTDESK_ADDR)")
	withDemo := fs.Bool("demo", e.boolean("DEMO", false), "fill an empty database with demo data (TENANTDESK_DEMO)")
	secure := fs.Bool("secure-cookies", e.boolean("SECURE_COOKIES", false), "mark cookies Secure even without TLS, e.g. behind a TLS proxy (TENANTDESK_SECURE_COOKIES)")
	proxies := fs.String("trusted-proxies", e.str("TRUSTED_PROXIES", ""), "comma-separated CIDRs whose X-Forwarded-For is trusted (TENANTDESK_TRUSTED_PROXIES)")
	secretKeys := fs.String("secret-key", e.str("SECRET_KEY", ""), "key encrypting secrets at rest (TOTP), 32 bytes in hex or base64; comma-separated to rotate, newest first; generated and stored in the database when empty (TENANTDESK_SECRET_KEY)")
	keys := fs.String("session-keys", e.str("SESSION_KEYS", ""), "comma-separated session signing keys, hex or base64, newest first; generated and stored when empty (TENANTDESK_SESSION_KEYS)")
	idle := fs.Duration("session-idle", e.duration("SESSION_IDLE", tenantdesk.SessionIdleTimeout), "sign out after this long without a request (TENANTDESK_SESSION_IDLE)")
	absolute := fs.Duration("session-max", e.duration("SESSION_MAX", tenantdesk.SessionAbsoluteLimit), "sign out this long after signing in (TENANTDESK_SESSION_MAX)")
	hashers := fs.Int("hash-concurrency", e.integer("HASH_CONCURRENCY", 0), "password hashes computed at once; 0 = number of CPUs (TENANTDESK_HASH_CONCURRENCY)")
	logFormat := fs.String("log-format", e.str("LOG_FORMAT", "text"), "text or json (TENANTDESK_LOG_FORMAT)")
	logLevel := fs.String("log-level", e.str("LOG_LEVEL", "info"), "debug, info, warn or error (TENANTDESK_LOG_LEVEL)")
	ftpSecret := fs.String("ftp-auth-secret", e.str("FTP_AUTH_SECRET", ""), "shared secret the FTP server sends to POST /api/v1/ftp/auth; empty: the endpoint is off (TENANTDESK_FTP_AUTH_SECRET)")
	apiRate := fs.Float64("api-rate", envFloat(e, "API_RATE", web.DefaultAPIRate), "REST API requests per second per token and per client IP, with bursts of twice that; 0 = no limit (TENANTDESK_API_RATE)")
	mailFlags := addMailFlags(fs, e) // --base-url, --smtp-*, --activation-ttl, --reset-ttl (mail.go)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(stderr, *logFormat, *logLevel)
	if getenv("GOGC") == "" {
		// Pages allocate a lot of short-lived garbage and the machine has
		// memory to spare: collect half as often as Go's default (GOGC=100).
		debug.SetGCPercent(200)
	}
	trusted, err := parseNets(*proxies)
	if err != nil {
		return err
	}
	smtp, err := mailFlags.sender(log)
	if err != nil {
		return err
	}

	started := time.Now()
	db, err := openDB(ctx, *dbPath, *hashers)
	if err != nil {
		return err
	}
	defer db.Close()
	bundle, err := i18n.New()
	if err != nil {
		return err
	}
	// The services over the store; the mail settings are filled in by
	// setupMail below, before anything is served.
	deps := &service.Deps{Store: db, Mail: mail.NewRenderer(bundle), Now: db.Now, Hasher: db.Hasher}
	svc, err := service.New(deps)
	if err != nil {
		return err
	}
	if *withDemo {
		if err := seedDemo(ctx, db, svc, stdout); err != nil {
			return err
		}
	}
	// Every committed audit entry is also one "audit" line of the log, so
	// that shipping stderr ships the audit trail too (ASVS 5.0 16.4.3).
	// From here on: the demo fixtures' entries (thirty-odd on a first
	// `make run`) stay in the database and do not bury the demo sign-ins
	// printed above.
	db.AuditLog = log
	if deps.SecretKeys, err = parseSecretKeys(*secretKeys); err != nil { // twofactor.go
		return err
	}
	skeys, err := sessionKeys(ctx, *keys, db)
	if err != nil {
		return err
	}
	if !*withDemo {
		warnKeysInDatabase(log, len(deps.SecretKeys) > 0, strings.TrimSpace(*keys) != "")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := web.NewServer(web.Config{
		BaseURL:       publicURL(*mailFlags.baseURL, ln.Addr().String()), // absolute links, e.g. API problem types
		SecureCookies: *secure, TrustedProxies: trusted, SessionKeys: skeys,
		IdleTimeout: *idle, AbsoluteTimeout: *absolute, FTPAuthSecret: *ftpSecret,
		DevMailbox: *withDemo, // /dev/mail only in demo mode (mail.go)
		APIRate:    *apiRate,
	}, web.Services{
		Auth: svc.Auth, Users: db, Accounts: db, Sessions: db, AccountUsers: svc.Users, AccountInfo: svc.AccountInfo, AuditLog: svc.AuditLog, Devices: svc.Devices, Links: svc.Links, Mailbox: db, Profile: svc.Profile, FTPAuth: svc.FTPAuth, Security: svc.Security, Settings: svc.Settings, TwoFactor: svc.TwoFactor, Access: svc.Access, Dashboard: svc.Dashboard, Imports: svc.Imports, Onboarding: svc.Customers, Ready: db.Ping,
		Tokens: svc.Tokens, Customers: svc.Customers, UserMail: svc.UserMail, Idempotency: svc.Idempotency, // REST API (web/api.go)
	}, bundle, log, time.Now)

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	// The janitor and the mail worker stop, and the message being sent is
	// recorded, before the deferred db.Close runs (defers run last first):
	// otherwise it is sent again after its lease.
	bgCtx, stopBackground := context.WithCancel(ctx)
	var background sync.WaitGroup
	defer func() { stopBackground(); background.Wait() }()
	background.Go(func() { janitor(bgCtx, db, svc.Access, *idle, log) })
	w := setupMail(db, deps, mailFlags, smtp, *withDemo, ln.Addr().String(), log, stdout)
	if w != nil {
		background.Go(func() { w.Run(bgCtx) })
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "Tenantdesk is running at http://%s (database %s, ready in %s). Press Ctrl+C to stop.\n",
		displayAddr(ln.Addr().String()), sqlstore.DisplayDSN(*dbPath), time.Since(started).Round(time.Millisecond))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// publicURL is the portal's public URL: --base-url, else the listen
// address over plain HTTP (as startMail has it for emailed links).
func publicURL(baseURL, listenAddr string) string {
	if base := strings.TrimRight(baseURL, "/"); base != "" {
		return base
	}
	return "http://" + displayAddr(listenAddr)
}

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// seedDemo loads the demo data into an empty database and prints every
// sign-in once; on a database that has data it does nothing.
func seedDemo(ctx context.Context, db *sqlstore.DB, svc *service.All, stdout io.Writer) error {
	empty, err := db.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(stdout, "Demo data: the database already has data, so none was added. Demo passwords were printed on the first start; set one anew with: tenantdesk user passwd --email E")
		return nil
	}
	signins, err := demo.Seed(ctx, db, svc.Operator, svc.Devices)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Demo data loaded. Sign in with any of these (shown only this once):")
	tw := tabwriter.NewWriter(stdout, 0, 2, 2, ' ', 0)
	fmt.Fprintln(tw, "  ACCOUNT\tNAME\tEMAIL\tPASSWORD\tROLES")
	for _, s := range signins {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Account, s.Name, s.Email, s.Password, s.Note)
	}
	tw.Flush()
	fmt.Fprintln(stdout, strings.Repeat("-", 20))
	return nil
}

// janitor runs sweep every minute until ctx ends; old mail and links are
// purged on the first round and then every hour (see sweep). Every round
// also sends the reminders of access grants that expire within seven days.
func janitor(ctx context.Context, db *sqlstore.DB, access *service.Access, idle time.Duration, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for round := 0; ; round++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// One replica at a time (an advisory lock on PostgreSQL):
			// the others skip the round.
			if _, err := db.TryJanitorLock(ctx, func(ctx context.Context) error {
				sweep(ctx, db, idle, round%60 == 0, log)
				if n, err := access.RemindExpiring(ctx); err != nil {
					log.Warn("janitor: access expiry reminders", "error", err.Error())
				} else if n > 0 {
					log.Info("janitor: access expiry reminders", "grants", n)
				}
				return nil
			}); err != nil {
				log.Warn("janitor: lock", "error", err.Error())
			}
		}
	}
}

// searchMergeSteps bounds the merge work of one janitor round: each step
// is a short write transaction (sqlstore.MergeSearchIndex); what is left
// waits for the next round.
const searchMergeSteps = 50

// mergeSearchIndex merges the user search index's segments (SQLite), a
// step at a time, until it is one segment or searchMergeSteps ran.
func mergeSearchIndex(ctx context.Context, db *sqlstore.DB, log *slog.Logger) {
	for range searchMergeSteps {
		done, err := db.MergeSearchIndex(ctx)
		if err != nil {
			log.Warn("janitor: search index", "error", err.Error())
			return
		}
		if done || ctx.Err() != nil {
			return
		}
	}
}

// sweep deletes expired sessions and throttle counts that left their
// window (failed sign-ins, "Forgot password" requests), merges the user
// search index (mergeSearchIndex) and, with purgeMail,
// emails and links past sqlstore.MailRetention. Errors are logged and the
// next round tries again.
func sweep(ctx context.Context, db *sqlstore.DB, idle time.Duration, purgeMail bool, log *slog.Logger) {
	if _, err := db.DeleteExpiredSessions(ctx, db.Now(), idle); err != nil {
		log.Warn("janitor: sessions", "error", err.Error())
	}
	windowStart := db.Now().Add(-tenantdesk.ThrottleWindow)
	if _, err := db.PruneAttempts(ctx, tenantdesk.AttemptSignIn, windowStart); err != nil {
		log.Warn("janitor: sign-in failures", "error", err.Error())
	}
	if _, err := db.PruneAttempts(ctx, tenantdesk.AttemptResetRequest, windowStart); err != nil {
		log.Warn("janitor: reset requests", "error", err.Error())
	}
	mergeSearchIndex(ctx, db, log)
	if !purgeMail {
		return
	}
	if mails, links, err := db.PurgeMail(ctx); err != nil {
		log.Warn("janitor: mail retention", "error", err.Error())
	} else if mails > 0 || links > 0 {
		log.Debug("janitor: mail retention", "mails", mails, "links", links)
	}
}

// warnKeysInDatabase says, one warning line each, which keys are not
// configured and so were generated and stored in the database they protect
// (OWASP ASVS 5.0 13.3.1): a copy of the database then carries its own keys.
// The server still starts (existing deployments and `make run` keep
// working); --demo says nothing, as its data is not worth protecting.
func warnKeysInDatabase(log *slog.Logger, secretKey, sessionKeys bool) {
	if !secretKey {
		log.Warn("secret key not configured: set --secret-key or TENANTDESK_SECRET_KEY from your secret store; until then the key that encrypts TOTP secrets is generated and kept in the database it protects, so a copy of the database holds its own key")
	}
	if !sessionKeys {
		log.Warn("session keys not configured: set --session-keys or TENANTDESK_SESSION_KEYS from your secret store; until then the key that signs session cookies is generated and kept in the database, so it is only as secret as every copy and backup of the database")
	}
}
