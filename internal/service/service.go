// Package service holds Tenantdesk's flows: who may do what (R9), the one
// rule function (R1–R8, R11), automatic roles (R7), which email goes to
// whom, and the audit record of every change (R10), each in one
// transaction of a tenantdesk.Store. One struct per service, wired in
// cmd/tenantdesk; the web layer sees them through the service interfaces
// of internal/tenantdesk. The store underneath only reads and writes.
package service

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Deps are what the services share.
type Deps struct {
	Store tenantdesk.Store
	// Mail renders every email's text (internal/mail.Renderer). Required.
	Mail tenantdesk.MailRenderer
	// BaseURL is the portal's public URL; links in emails start with it.
	// Empty: links are relative, which only the demo mailbox follows.
	BaseURL string
	// ActivationTTL and ResetTTL are how long emailed links stay valid;
	// zero means tenantdesk.DefaultActivationTTL and DefaultResetTTL.
	ActivationTTL time.Duration
	ResetTTL      time.Duration
	// Hasher hashes and verifies passwords (argon2id, internal/auth); the
	// services that check or set passwords (New builds them) require it.
	Hasher tenantdesk.PasswordHasher
	// Now is the clock of what services decide outside a write
	// transaction (inside one, StoreTx.Now); nil means time.Now. Give it
	// the store's clock.
	Now func() time.Time
	// SecretKeys seal secrets at rest (TOTP secrets, TwoFactor): 32 bytes
	// each, newest first. Empty: a key generated once and kept by the store.
	SecretKeys [][]byte
	// UCDownloads are the UC client's downloads that the UC welcome email
	// lists (serve --uc-download-urls); none: the email lists none.
	UCDownloads []tenantdesk.DownloadLink
}

// now is the time outside a transaction.
func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

// errNoRenderer is returned by constructors given no mail renderer.
var errNoRenderer = errors.New("service: a mail renderer is required")

func (d *Deps) check() error {
	if d.Store == nil {
		return errors.New("service: a store is required")
	}
	if d.Mail == nil {
		return errNoRenderer
	}
	return nil
}

// errNoHasher is returned by constructors of services that check
// passwords given no hasher.
var errNoHasher = errors.New("service: a password hasher is required")

// linkTTL is how long a link of kind stays valid.
func (d *Deps) linkTTL(kind string) time.Duration {
	switch kind {
	case tenantdesk.LinkActivation:
		if d.ActivationTTL > 0 {
			return d.ActivationTTL
		}
		return tenantdesk.DefaultActivationTTL
	default: // reset and email-change links
		if d.ResetTTL > 0 {
			return d.ResetTTL
		}
		return tenantdesk.DefaultResetTTL
	}
}

// url returns the absolute URL of path (which starts with "/").
func (d *Deps) url(path string) string {
	return strings.TrimRight(d.BaseURL, "/") + path
}

// linkPath is where a link of kind leads in the portal.
func linkPath(kind string) string {
	switch kind {
	case tenantdesk.LinkReset:
		return "/password/reset"
	case tenantdesk.LinkEmailChange:
		return "/profile/email/confirm"
	}
	return "/activate"
}

// LinkTokenHash is how links are stored and found: the SHA-256 of the token.
func LinkTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// issueLink replaces the user's links of kind by a new single-use one (256
// random bits; only its hash is stored) and returns its URL and lifetime.
func (d *Deps) issueLink(ctx context.Context, tx tenantdesk.StoreTx, userID int64, kind string) (string, time.Duration, error) {
	token := auth.RandomToken(32)
	ttl := d.linkTTL(kind)
	if err := tx.ReplaceLink(ctx, userID, kind, LinkTokenHash(token), tx.Now().Add(ttl)); err != nil {
		return "", 0, err
	}
	return d.url(linkPath(kind) + "?token=" + url.QueryEscape(token)), ttl, nil
}

// queueMail renders a mail of kind for u (in u's language, naming u) and
// queues it to the address to ("": u's own).
func (d *Deps) queueMail(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User, to, kind string, data tenantdesk.MailData) error {
	data.Name = u.DisplayName
	subject, body, err := d.Mail.RenderMail(kind, u.Language, data)
	if err != nil {
		return err
	}
	if to == "" {
		to = u.Email
	}
	return tx.EnqueueMail(ctx, &tenantdesk.MailMessage{AccountID: u.AccountID, To: to, Subject: subject, BodyText: body, Kind: kind})
}

// queueActivation emails a new activation link to the invited user u
// (earlier activation links stop working) and audits it as
// user.activation_sent. u must be as stored in tx; EUserNotInvited when it
// is not invited.
func (d *Deps) queueActivation(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User) error {
	if u.Status != tenantdesk.UserInvited {
		return &tenantdesk.Error{Code: tenantdesk.EUserNotInvited, Key: "user.error.not_invited",
			Message: "This user has already activated their account (or is disabled); no activation email is needed."}
	}
	link, ttl, err := d.issueLink(ctx, tx, u.ID, tenantdesk.LinkActivation)
	if err != nil {
		return err
	}
	if err := d.queueMail(ctx, tx, u, "", tenantdesk.MailActivation, tenantdesk.MailData{Link: link, TTL: ttl}); err != nil {
		return err
	}
	return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditActivationSent,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID), TargetName: u.DisplayName,
		After: auditJSON(map[string]any{"to": u.Email, "expiresAt": tx.Now().Add(ttl).Format(time.RFC3339)})})
}
