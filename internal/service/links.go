package service

import (
	"context"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Links serves the single-use links emailed for activation and password
// reset (tenantdesk.CredentialLinkService): checking and using them, and
// "Forgot password" with its per-IP throttle. A link carries a random
// token; the store keeps only its SHA-256 (LinkTokenHash). A user has at
// most one live link per kind: issuing one ends the earlier ones.
type Links struct {
	d *Deps
}

var _ tenantdesk.CredentialLinkService = (*Links)(nil)

// NewLinks returns the emailed-links service.
func NewLinks(d *Deps) (*Links, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Hasher == nil {
		return nil, errNoHasher
	}
	return &Links{d: d}, nil
}

// maxTokenLen bounds what is hashed and looked up; real tokens are 43 characters.
const maxTokenLen = 128

// linkReads are the reads findLinkUser needs, in a transaction or not.
type linkReads interface {
	FindLink(ctx context.Context, kind string, tokenHash []byte) (*tenantdesk.Link, error)
	FindUserByID(ctx context.Context, id int64) (*tenantdesk.User, error)
}

// linkFits reports whether a link of kind still fits its user: activation
// is for invited users, reset for active ones.
func linkFits(kind string, u *tenantdesk.User) bool {
	switch kind {
	case tenantdesk.LinkActivation:
		return u.Status == tenantdesk.UserInvited
	case tenantdesk.LinkReset:
		return u.Status == tenantdesk.UserActive
	}
	return false
}

// findLinkUser returns the user of an unused link of kind at now. An
// expired link is ErrLinkExpired unless allowExpired; anything else wrong
// (unknown, used or replaced, another kind, a user it no longer fits) is
// ErrLinkInvalid.
func findLinkUser(ctx context.Context, r linkReads, kind, token string, now time.Time, allowExpired bool) (*tenantdesk.User, error) {
	if token == "" || len(token) > maxTokenLen || (kind != tenantdesk.LinkActivation && kind != tenantdesk.LinkReset) {
		return nil, tenantdesk.ErrLinkInvalid()
	}
	l, err := r.FindLink(ctx, kind, LinkTokenHash(token))
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND || (err == nil && !l.UsedAt.IsZero()) {
		return nil, tenantdesk.ErrLinkInvalid()
	} else if err != nil {
		return nil, err
	}
	u, err := r.FindUserByID(ctx, l.UserID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, tenantdesk.ErrLinkInvalid()
	} else if err != nil {
		return nil, err
	}
	if !linkFits(kind, u) {
		return nil, tenantdesk.ErrLinkInvalid()
	}
	if !allowExpired && !now.Before(l.ExpiresAt) {
		return nil, tenantdesk.ErrLinkExpired()
	}
	return u, nil
}

// byUser is the audit entry of action by a link's holder: the user the
// link was sent to.
func byUser(u *tenantdesk.User, action string) *tenantdesk.AuditEntry {
	return &tenantdesk.AuditEntry{Action: action, ActorUserID: u.ID, ActorName: u.DisplayName}
}

// queueLink issues a new link of kind for u, emails it to u's address in
// u's language and writes the audit entry e (its action and actor are the
// caller's; account, target and, unless set, the address and expiry are
// filled in here).
func (d *Deps) queueLink(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User, kind string, e *tenantdesk.AuditEntry) error {
	link, ttl, err := d.issueLink(ctx, tx, u.ID, kind)
	if err != nil {
		return err
	}
	mailKind := tenantdesk.MailActivation
	if kind == tenantdesk.LinkReset {
		mailKind = tenantdesk.MailReset
	}
	if err := d.queueMail(ctx, tx, u, "", mailKind, tenantdesk.MailData{Link: link, TTL: ttl}); err != nil {
		return err
	}
	e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
	if e.After == "" {
		e.After = auditJSON(map[string]any{"to": u.Email, "expiresAt": tx.Now().Add(ttl).Format(time.RFC3339)})
	}
	return audit(ctx, tx, e)
}

// CheckLink returns the user a link of kind belongs to, without using it.
// ENOTFOUND (LinkInvalidKey) for an unknown, used or replaced link or one
// its user no longer fits; EINVALID (LinkExpiredKey) for an expired one.
func (s *Links) CheckLink(ctx context.Context, kind, token string) (*tenantdesk.User, error) {
	return findLinkUser(ctx, s.d.Store, kind, token, s.d.Store.CurrentTime(), false)
}

// hashNewPassword checks the link first (so a dead link is reported before
// a bad password), then the password policy, then hashes the password:
// the slow hash runs before the write transaction begins.
func (s *Links) hashNewPassword(ctx context.Context, kind, token, password string) (string, error) {
	u, err := s.CheckLink(ctx, kind, token)
	if err != nil {
		return "", err
	}
	if err := s.d.checkNewPassword(ctx, u.ID, password); err != nil {
		return "", err
	}
	return s.d.hashPassword(password)
}

// useLink checks the link (kind, token) again inside tx, stores the new
// password hash and marks the link used. It returns the link's user as
// it was.
func useLink(ctx context.Context, tx tenantdesk.StoreTx, kind, token, hash string) (*tenantdesk.User, error) {
	u, err := findLinkUser(ctx, tx, kind, token, tx.Now(), false)
	if err != nil {
		return nil, err
	}
	if err := tx.SetCredentialHash(ctx, u.ID, tenantdesk.CredentialPassword, hash); err != nil {
		return nil, err
	}
	if err := tx.UseLink(ctx, LinkTokenHash(token)); err != nil {
		return nil, err
	}
	return u, nil
}

// UseActivationLink sets the first password of an invited user, makes the
// user active (audited as user.activated by the user) and uses up the
// link, in one transaction, and returns the user. Errors: those of
// CheckLink, and EINVALID (field "password") for a password the policy
// refuses.
func (s *Links) UseActivationLink(ctx context.Context, token, password string) (*tenantdesk.User, error) {
	hash, err := s.hashNewPassword(ctx, tenantdesk.LinkActivation, token, password)
	if err != nil {
		return nil, err
	}
	var out *tenantdesk.User
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := useLink(ctx, tx, tenantdesk.LinkActivation, token, hash)
		if err != nil {
			return err
		}
		e := byUser(u, tenantdesk.AuditActivated)
		e.Before, e.After = auditJSON(map[string]string{"status": u.Status}), auditJSON(map[string]string{"status": tenantdesk.UserActive})
		out, err = s.d.activate(ctx, tx, u, tenantdesk.BySelf, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ResetPassword sets a new password through a reset link, uses up the
// link, signs the user out everywhere, lifts the email's sign-in lock and
// emails a "password changed" notice, in one transaction audited as
// user.password_reset by the user; it returns the user. Errors: those of
// CheckLink, and EINVALID (field "password") for a password the policy
// refuses.
func (s *Links) ResetPassword(ctx context.Context, token, password string) (*tenantdesk.User, error) {
	hash, err := s.hashNewPassword(ctx, tenantdesk.LinkReset, token, password)
	if err != nil {
		return nil, err
	}
	var out *tenantdesk.User
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := useLink(ctx, tx, tenantdesk.LinkReset, token, hash)
		if err != nil {
			return err
		}
		ended, err := tx.CountUserSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := tx.EndUserSessions(ctx, u.ID); err != nil {
			return err
		}
		// The person proved they hold the mailbox: lift the email's sign-in lock.
		if err := tx.ClearAttempts(ctx, tenantdesk.AttemptSignIn, tenantdesk.NormalizeEmail(u.Email)); err != nil {
			return err
		}
		if err := s.d.queueMail(ctx, tx, u, "", tenantdesk.MailPasswordChanged, tenantdesk.MailData{
			Link: s.d.url("/password/forgot"), At: tx.Now(),
		}); err != nil {
			return err
		}
		e := byUser(u, tenantdesk.AuditPasswordResetComplete)
		e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
		e.After = auditJSON(map[string]any{"sessionsEnded": ended})
		out = u
		return audit(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RequestPasswordReset emails a reset link to the active user with email,
// or a new activation link to an invited one, unless one was sent less
// than tenantdesk.ResetRequestInterval ago; for an unknown or disabled
// email it does nothing but audit the request. It returns nil in every one
// of those cases, so it never tells whether an email exists.
//
// Every request counts against the client IP of ctx's actor (callers
// without one, such as the command line, are not counted); past
// tenantdesk.ThrottleMaxResetPerIP in the window it returns ETHROTTLED
// with RetryAfterSeconds and writes nothing, whatever the email.
func (s *Links) RequestPasswordReset(ctx context.Context, email string) error {
	norm := signInEmail(email)
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if a := tenantdesk.ActorFrom(ctx); a != nil && a.IP != "" {
			// Counted inside the transaction, so concurrent requests cannot
			// slip past the limit; a refused one rolls back and writes nothing.
			_, wait, err := tx.ReserveAttempt(ctx, tenantdesk.AttemptResetRequest,
				tenantdesk.AttemptKey{Value: a.IP, Limit: tenantdesk.ThrottleMaxResetPerIP, Window: tenantdesk.ThrottleWindow})
			if err != nil {
				return err
			} else if wait > 0 {
				return throttleError("Too many requests from your network.", wait)
			}
		}
		e := &tenantdesk.AuditEntry{Action: tenantdesk.AuditPasswordResetRequest, ActorName: norm}
		result := "unknown_email"
		u, err := tx.FindUserByEmail(ctx, norm)
		if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			return err
		} else if err != nil {
			u = nil
		}
		if u != nil {
			e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
			kind, action := tenantdesk.LinkReset, tenantdesk.AuditPasswordResetRequest
			if u.Status == tenantdesk.UserInvited {
				// No password to reset yet: the activation link is what they need.
				kind, action = tenantdesk.LinkActivation, tenantdesk.AuditActivationSent
			}
			recent, err := tx.UnusedLinkSince(ctx, u.ID, kind, tx.Now().Add(-tenantdesk.ResetRequestInterval))
			if err != nil {
				return err
			}
			switch {
			case u.Status == tenantdesk.UserDisabled:
				result = "disabled"
			case recent:
				result = "too_soon"
			default:
				result = kind + "_sent"
				if err := s.d.queueLink(ctx, tx, u, kind, &tenantdesk.AuditEntry{Action: action, ActorName: norm}); err != nil {
					return err
				}
			}
		}
		if result == "reset_sent" {
			return nil // audited by queueLink
		}
		e.After = auditJSON(map[string]string{"result": result})
		return audit(ctx, tx, e)
	})
}

// ResendLink emails a new link of kind to the user a (typically expired)
// link belongs to, at the user's current email, audited as sent by that
// user; the old link stops working. Returns ENOTFOUND (LinkInvalidKey) for
// an unknown, used or replaced link or one its user no longer fits.
func (s *Links) ResendLink(ctx context.Context, kind, token string) error {
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := findLinkUser(ctx, tx, kind, token, tx.Now(), true)
		if err != nil {
			return err
		}
		action := tenantdesk.AuditActivationSent
		if kind == tenantdesk.LinkReset {
			action = tenantdesk.AuditPasswordResetRequest
		}
		return s.d.queueLink(ctx, tx, u, kind, byUser(u, action))
	})
}
