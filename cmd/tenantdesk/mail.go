package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// mailSettings are serve's flags for emailed links and mail delivery.
//
// Delivery: with --smtp-host, the worker sends the outbox through SMTP.
// With --demo, the demo mailbox at /dev/mail shows every email (and without
// SMTP nothing leaves the machine). With neither, emails stay queued in the
// outbox until SMTP is configured: /dev/mail is never served outside demo
// mode, because it shows single-use links to anyone who opens it.
type mailSettings struct {
	baseURL                                     *string
	smtpHost, smtpUser, smtpPass, smtpFrom, tls *string
	smtpHELO                                    *string
	smtpPort                                    *int
	activationTTL, resetTTL                     *time.Duration
	mailLease                                   *time.Duration
	// ucDownloadURLs are the UC client's downloads for the UC welcome
	// email; ucDownloads the parsed list (sender checks it).
	ucDownloadURLs *string
	ucDownloads    []tenantdesk.DownloadLink
}

func addMailFlags(fs *flag.FlagSet, e env) *mailSettings {
	return &mailSettings{
		baseURL:       fs.String("base-url", e.str("BASE_URL", ""), "public URL of the portal, for links in emails; default http://<listen address> (TENANTDESK_BASE_URL)"),
		smtpHost:      fs.String("smtp-host", e.str("SMTP_HOST", ""), "SMTP relay host; empty: no email leaves the portal (TENANTDESK_SMTP_HOST)"),
		smtpPort:      fs.Int("smtp-port", e.integer("SMTP_PORT", 0), "SMTP port; 0: 587 for starttls, 465 for tls, 25 for none (TENANTDESK_SMTP_PORT)"),
		smtpUser:      fs.String("smtp-username", e.str("SMTP_USERNAME", ""), "SMTP user; empty: no authentication (TENANTDESK_SMTP_USERNAME)"),
		smtpPass:      fs.String("smtp-password", e.str("SMTP_PASSWORD", ""), "SMTP password; prefer the environment variable TENANTDESK_SMTP_PASSWORD to keep it out of the process list"),
		smtpFrom:      fs.String("smtp-from", e.str("SMTP_FROM", ""), `sender of emails, e.g. "Tenantdesk <desk@example.com>" (TENANTDESK_SMTP_FROM)`),
		tls:           fs.String("smtp-tls", e.str("SMTP_TLS", mail.TLSStartTLS), "starttls (required STARTTLS), tls (implicit TLS) or none (TENANTDESK_SMTP_TLS)"),
		smtpHELO:      fs.String("smtp-helo", e.str("SMTP_HELO", ""), "fully qualified name the portal gives in EHLO and uses in Message-IDs; default the host of --base-url (TENANTDESK_SMTP_HELO)"),
		activationTTL: fs.Duration("activation-ttl", e.duration("ACTIVATION_TTL", tenantdesk.DefaultActivationTTL), "how long activation links work (TENANTDESK_ACTIVATION_TTL)"),
		resetTTL:      fs.Duration("reset-ttl", e.duration("RESET_TTL", tenantdesk.DefaultResetTTL), "how long password-reset links work (TENANTDESK_RESET_TTL)"),
		mailLease: fs.Duration("mail-lease", e.duration("MAIL_LEASE", mail.DefaultLease),
			"how long a claimed batch of emails is hidden from other senders; a replica that dies mid-send leaves its batch to be sent again after it. Keep the default (it outlasts a batch of slow sends); tests shorten it (TENANTDESK_MAIL_LEASE)"),
		ucDownloadURLs: fs.String("uc-download-urls", e.str("UC_DOWNLOAD_URLS", ""),
			"comma-separated downloads of the UC client listed in the UC welcome email, each URL or Label=URL (e.g. Windows=https://…); empty: none, or placeholders with --demo (TENANTDESK_UC_DOWNLOAD_URLS)"),
	}
}

// sender checks the settings and returns the SMTP sender, or nil when SMTP
// is not configured.
func (m *mailSettings) sender(log *slog.Logger) (mail.Sender, error) {
	if *m.activationTTL < time.Minute || *m.resetTTL < time.Minute {
		return nil, fmt.Errorf("--activation-ttl and --reset-ttl must be at least 1m")
	}
	if *m.mailLease < time.Second {
		return nil, fmt.Errorf("--mail-lease must be at least 1s")
	}
	var err error
	if m.ucDownloads, err = tenantdesk.ParseDownloadLinks(*m.ucDownloadURLs); err != nil {
		return nil, fmt.Errorf("--uc-download-urls: %w", err)
	}
	helo := *m.smtpHELO
	if *m.baseURL != "" {
		u, err := url.Parse(*m.baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("--base-url %q: want an absolute http(s) URL such as https://desk.example.com", *m.baseURL)
		}
		if helo == "" {
			helo = u.Hostname()
		}
	}
	if *m.smtpHost == "" {
		return nil, nil
	}
	if helo == "" {
		// Neither flag: the machine's name, as before; relays that want a
		// fully qualified name refuse a short one such as "vm".
		helo, _ = os.Hostname()
		if !strings.Contains(helo, ".") {
			log.Warn("SMTP: the portal introduces itself by the short host name of this machine, which relays may refuse; set --base-url or --smtp-helo", "helo", helo)
		}
	}
	s, err := mail.NewSMTPSender(mail.SMTPConfig{
		Host: *m.smtpHost, Port: *m.smtpPort, Username: *m.smtpUser, Password: *m.smtpPass,
		From: *m.smtpFrom, TLS: *m.tls, HELO: helo,
	})
	if errors.Is(err, mail.ErrHELO) {
		return nil, fmt.Errorf("%w (--smtp-helo)", err)
	}
	return s, err
}

// setupMail configures the links of emails and returns the delivery worker
// for the caller to run, or nil when there is neither SMTP nor the demo
// mailbox.
func setupMail(db *sqlstore.DB, deps *service.Deps, m *mailSettings, smtp mail.Sender,
	demo bool, listenAddr string, log *slog.Logger, stdout io.Writer) *mail.Worker {
	base := strings.TrimRight(*m.baseURL, "/")
	if base == "" {
		base = "http://" + displayAddr(listenAddr)
	}
	w := &mail.Worker{Store: db, Sender: smtp, Now: db.Now, Log: log, KeepBodies: demo, Lease: *m.mailLease}
	deps.BaseURL, deps.ActivationTTL, deps.ResetTTL = base, *m.activationTTL, *m.resetTTL
	deps.UCDownloads = m.ucDownloads
	if len(deps.UCDownloads) == 0 && demo {
		deps.UCDownloads, _ = tenantdesk.ParseDownloadLinks(tenantdesk.DemoUCDownloadURLs) // a constant that parses
	}
	db.Mail = sqlstore.MailConfig{Notify: w.Notify}
	switch {
	case smtp == nil && demo:
		w.Sender = mail.DevMailbox{}
	case smtp == nil:
		db.Mail.Notify = nil
		log.Warn("SMTP is not configured (--smtp-host): activation and password-reset emails are queued but not sent; run with --demo to read them at /dev/mail")
		return nil
	}
	if demo {
		fmt.Fprintf(stdout, "Emails the portal sends (activation and password-reset links) are shown at %s/dev/mail\n", base)
	}
	return w
}
