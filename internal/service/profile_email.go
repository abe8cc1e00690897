package service

import (
	"context"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Changing one's email: the request (with the current password) sends a
// single-use link (kind email_change, the new address in its data) to the
// NEW address; only opening it changes the email, after the address is
// checked to be free once more, and the OLD address is told (R11).

// maxLinkTokenLen bounds what is hashed and looked up; real tokens are 43 characters.
const maxLinkTokenLen = 128

// RequestEmailChange emails a confirmation link to newEmail, confirmed
// with the current password, audits user.email_change_requested and
// returns how long the link works; nothing else changes until it is used.
// Returns EINVALID (field "email" or "currentPassword"), EEmailTaken when
// another user has the address, ETHROTTLED past the sign-in limit,
// EUNAUTHORIZED without a signed-in user.
func (s *Profile) RequestEmailChange(ctx context.Context, newEmail, currentPassword string) (time.Duration, error) {
	_, u, err := me(ctx, s.d.Store)
	if err != nil {
		return 0, err
	}
	newEmail = strings.TrimSpace(newEmail)
	if err := s.withCurrentPassword(ctx, u, currentPassword, func() error {
		if fe := tenantdesk.ValidateEmail(newEmail); fe != nil {
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fe.Message, Key: fe.Key, Fields: []tenantdesk.FieldError{*fe}}
		}
		if tenantdesk.NormalizeEmail(newEmail) == tenantdesk.NormalizeEmail(u.Email) {
			msg := "This is already your email address."
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "profile.email.error.same",
				Fields: []tenantdesk.FieldError{{Field: "email", Message: msg, Key: "profile.email.error.same"}}}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	var ttl time.Duration
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if id, err := tx.EmailUserID(ctx, newEmail); err != nil {
			return err
		} else if id != 0 && id != u.ID {
			return errEmailTaken()
		}
		var link string
		var err error
		if link, ttl, err = s.d.issueLink(ctx, tx, u.ID, tenantdesk.LinkEmailChange); err != nil {
			return err
		}
		// issueLink leaves exactly one email_change link of the user: the new one.
		if err := tx.SetLinkData(ctx, u.ID, tenantdesk.LinkEmailChange, newEmail); err != nil {
			return err
		}
		if err := s.d.queueMail(ctx, tx, u, newEmail, tenantdesk.MailEmailChange,
			tenantdesk.MailData{Link: link, TTL: ttl, Email: newEmail}); err != nil {
			return err
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditEmailChangeRequested,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
			After: auditJSON(map[string]string{"email": newEmail, "expiresAt": tx.Now().Add(ttl).Format(time.RFC3339)})})
	})
	if err != nil {
		return 0, err
	}
	return ttl, nil
}

// emailChangeReads are what findEmailChange reads: a transaction or the store's reads.
type emailChangeReads interface {
	tenantdesk.UserReads
	FindLink(ctx context.Context, kind string, tokenHash []byte) (*tenantdesk.Link, error)
}

// findEmailChange returns the user and new address of an unused email
// change link at now: ErrLinkInvalid when unknown, used, replaced, or its
// user is disabled or already has the address; ErrLinkExpired past its
// expiry.
func findEmailChange(ctx context.Context, r emailChangeReads, token string, now time.Time) (*tenantdesk.User, string, error) {
	if token == "" || len(token) > maxLinkTokenLen {
		return nil, "", tenantdesk.ErrLinkInvalid()
	}
	l, err := r.FindLink(ctx, tenantdesk.LinkEmailChange, LinkTokenHash(token))
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND || (err == nil && (!l.UsedAt.IsZero() || l.Data == "")) {
		return nil, "", tenantdesk.ErrLinkInvalid()
	} else if err != nil {
		return nil, "", err
	}
	u, err := r.FindUserByID(ctx, l.UserID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, "", tenantdesk.ErrLinkInvalid()
	} else if err != nil {
		return nil, "", err
	}
	if u.Status == tenantdesk.UserDisabled || tenantdesk.NormalizeEmail(u.Email) == tenantdesk.NormalizeEmail(l.Data) {
		return nil, "", tenantdesk.ErrLinkInvalid()
	}
	if !now.Before(l.ExpiresAt) {
		return nil, "", tenantdesk.ErrLinkExpired()
	}
	return u, l.Data, nil
}

// CheckEmailChange returns the user and the new address of a confirmation
// link without using it: ErrLinkInvalid for an unknown, used or replaced
// link (or a disabled user, or one who has the address already),
// ErrLinkExpired past its expiry. It needs no session.
func (s *Profile) CheckEmailChange(ctx context.Context, token string) (*tenantdesk.User, string, error) {
	return findEmailChange(ctx, s.d.Store, token, s.d.now())
}

// ConfirmEmailChange changes the email through the link mailed to the new
// address, under the one rule function as the user themselves (R11). See
// tenantdesk.ProfileService: ErrLinkInvalid for an unknown, used or
// replaced link (or a disabled user, or one who has the address already),
// ErrLinkExpired past its expiry, EEmailTaken when the address was taken
// since the request.
func (s *Profile) ConfirmEmailChange(ctx context.Context, token string) (*tenantdesk.User, error) {
	var out *tenantdesk.User
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, newEmail, err := findEmailChange(ctx, tx, token, tx.Now())
		if err != nil {
			return err
		}
		acc, err := tx.FindAccountByID(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if err := tx.UseLink(ctx, LinkTokenHash(token)); err != nil {
			return err
		}
		after := copyUser(u)
		after.Email = newEmail
		e := &tenantdesk.AuditEntry{Action: tenantdesk.AuditEmailChanged,
			Before: auditJSON(map[string]string{"email": u.Email}), After: auditJSON(map[string]string{"email": newEmail})}
		if a := tenantdesk.ActorFrom(ctx); a == nil || a.User == nil || a.User.ID != u.ID {
			// Opened without the user's session: the link's holder is the user.
			e.ActorUserID, e.ActorName = u.ID, u.DisplayName
		}
		ch, err := s.d.writeUser(ctx, tx, userWrite{acc: acc, before: u, after: after, by: tenantdesk.BySelf, audit: e})
		if err == nil {
			out = ch.User
		}
		return err
	})
	return out, err
}
