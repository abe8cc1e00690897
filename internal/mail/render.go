// Package mail delivers Tenantdesk's email: the renderer that writes the
// messages' text from the i18n message files, the worker that sends the
// outbox (internal/sqlstore) through SMTP with retries and backoff, and the
// demo mailbox that keeps messages in the portal (/dev/mail) instead.
package mail

import (
	"fmt"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Renderer renders emails in the recipient's language from the "mail.*"
// messages of internal/i18n (locales/<lang>/mail.json). It implements
// tenantdesk.MailRenderer.
type Renderer struct {
	bundle *i18n.Bundle
}

// NewRenderer returns a renderer over the bundle's messages.
func NewRenderer(b *i18n.Bundle) *Renderer { return &Renderer{bundle: b} }

var _ tenantdesk.MailRenderer = (*Renderer)(nil)

// mailMessages maps a mail kind to the message IDs of its subject and body.
var mailMessages = map[string][2]string{
	tenantdesk.MailActivation:      {"mail.activation.subject", "mail.activation.body"},
	tenantdesk.MailReset:           {"mail.reset.subject", "mail.reset.body"},
	tenantdesk.MailPasswordChanged: {"mail.password_changed.subject", "mail.password_changed.body"},
	// REST API (internal/i18n/locales/*/api.json).
	tenantdesk.MailUCWelcome: {"mail.uc_welcome.subject", "mail.uc_welcome.body"},
	// My profile (internal/i18n/locales/*/profile_mail.json).
	tenantdesk.MailEmailChange:         {"mail.email_change.subject", "mail.email_change.body"},
	tenantdesk.MailEmailChanged:        {"mail.email_changed.subject", "mail.email_changed.body"},
	tenantdesk.MailPasswordChangedSelf: {"mail.password_changed_self.subject", "mail.password_changed_self.body"},
	tenantdesk.MailFTPPasswordChanged:  {"mail.ftp_password_changed.subject", "mail.ftp_password_changed.body"},
	// Two-factor authentication (internal/i18n/locales/*/twofactor.json).
	tenantdesk.MailTwoFactorEnabled:     {"mail.2fa_enabled.subject", "mail.2fa_enabled.body"},
	tenantdesk.MailTwoFactorDisabled:    {"mail.2fa_disabled.subject", "mail.2fa_disabled.body"},
	tenantdesk.MailRecoveryRegenerated:  {"mail.2fa_recovery_regenerated.subject", "mail.2fa_recovery_regenerated.body"},
	tenantdesk.MailRecoveryCodeUsed:     {"mail.2fa_recovery_used.subject", "mail.2fa_recovery_used.body"},
	tenantdesk.MailTwoFactorResetByOper: {"mail.2fa_reset.subject", "mail.2fa_reset.body"},
	// Access requests (internal/i18n/locales/*/access.json).
	tenantdesk.MailAccessRequested: {"mail.access_requested.subject", "mail.access_requested.body"},
	tenantdesk.MailAccessGranted:   {"mail.access_granted.subject", "mail.access_granted.body"},
	tenantdesk.MailAccessDenied:    {"mail.access_denied.subject", "mail.access_denied.body"},
	tenantdesk.MailAccessRevoked:   {"mail.access_revoked.subject", "mail.access_revoked.body"},
	tenantdesk.MailAccessExpiring:  {"mail.access_expiring.subject", "mail.access_expiring.body"},
}

// Kinds lists the mail kinds the renderer knows.
func Kinds() []string {
	return []string{tenantdesk.MailActivation, tenantdesk.MailReset, tenantdesk.MailPasswordChanged, tenantdesk.MailUCWelcome,
		tenantdesk.MailEmailChange, tenantdesk.MailEmailChanged, tenantdesk.MailPasswordChangedSelf, tenantdesk.MailFTPPasswordChanged,
		tenantdesk.MailTwoFactorEnabled, tenantdesk.MailTwoFactorDisabled, tenantdesk.MailRecoveryRegenerated,
		tenantdesk.MailRecoveryCodeUsed, tenantdesk.MailTwoFactorResetByOper,
		tenantdesk.MailAccessRequested, tenantdesk.MailAccessGranted, tenantdesk.MailAccessDenied,
		tenantdesk.MailAccessRevoked, tenantdesk.MailAccessExpiring}
}

// RenderMail returns the subject and plain-text body of a kind of mail in
// lang ("" or an unshipped language: English).
func (r *Renderer) RenderMail(kind, lang string, d tenantdesk.MailData) (string, string, error) {
	ids, ok := mailMessages[kind]
	if !ok {
		return "", "", fmt.Errorf("mail: no template for %q", kind)
	}
	l := r.bundle.Localizer(lang)
	data := map[string]any{
		"Name":    d.Name,
		"Link":    d.Link,
		"Expires": Duration(l, d.TTL),
		"At":      d.At.UTC().Format("2006-01-02 15:04") + " UTC",
		"Email":   d.Email,
		"Partner": d.Partner,
		"Account": d.Account,
		"Request": d.Request,
		"Message": d.Message,
		"Modes":   modeNames(l, d.Modes),
		"Until":   untilText(l, d.Until),
		// Downloads: one line per download ("Windows: https://…"), "" for none.
		"Downloads": downloadLines(d.Downloads),
	}
	subject, body := l.T(ids[0], data), l.T(ids[1], data)
	if subject == ids[0] || body == ids[1] {
		return "", "", fmt.Errorf("mail: messages for %q missing in %s", kind, l.Lang())
	}
	return subject, body, nil
}

// Duration says a link lifetime in words: whole hours as hours, anything
// else as minutes ("72 hours", "1 час", "30 minutes").
func Duration(l *i18n.Localizer, d time.Duration) string {
	if d >= time.Hour && d%time.Hour == 0 {
		return l.N("mail.duration.hours", int(d/time.Hour))
	}
	return l.N("mail.duration.minutes", int((d+time.Minute-1)/time.Minute))
}

// modeNames lists access modes in words ("support, configure" in lang).
func modeNames(l *i18n.Localizer, modes []tenantdesk.AccessMode) string {
	names := make([]string, 0, len(modes))
	for _, m := range modes {
		names = append(names, l.T("access.mode."+string(m)))
	}
	return strings.Join(names, ", ")
}

// downloadLines lists downloads one a line, each "Label: URL" or the URL.
func downloadLines(links []tenantdesk.DownloadLink) string {
	lines := make([]string, 0, len(links))
	for _, l := range links {
		if l.Label != "" {
			lines = append(lines, l.Label+": "+l.URL)
		} else {
			lines = append(lines, l.URL)
		}
	}
	return strings.Join(lines, "\n")
}

// untilText says when a grant ends: a UTC date and time, or "until revoked".
func untilText(l *i18n.Localizer, t time.Time) string {
	if t.IsZero() {
		return l.T("mail.access.no_expiry")
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}
