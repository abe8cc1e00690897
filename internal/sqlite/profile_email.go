package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Changing one's email: the request (with the current password) sends a
// single-use link (user_tokens, kind email_change, the new address in
// data) to the NEW address; only opening it changes the email, after the
// address is checked to be free once more, and the OLD address is told.

// RequestEmailChange emails a confirmation link to newEmail. See
// tenantdesk.ProfileService.
func (db *DB) RequestEmailChange(ctx context.Context, newEmail, currentPassword string) (time.Duration, error) {
	_, u, err := me(ctx, db.read)
	if err != nil {
		return 0, err
	}
	newEmail = strings.TrimSpace(newEmail)
	if err := db.withCurrentPassword(ctx, u, currentPassword, func() error {
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
	tx, err := db.beginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if id, err := tx.EmailUserID(ctx, newEmail); err != nil {
		return 0, err
	} else if id != 0 && id != u.ID {
		msg := "A user with this email already exists."
		return 0, &tenantdesk.Error{Code: tenantdesk.EEmailTaken, Message: msg, Key: "user.error.email_taken",
			Fields: []tenantdesk.FieldError{{Field: "email", Message: msg, Key: "user.error.email_taken"}}}
	}
	link, ttl, err := tx.issueLink(ctx, u.ID, tenantdesk.LinkEmailChange)
	if err != nil {
		return 0, err
	}
	// issueLink leaves exactly one email_change link of the user: the new one.
	if _, err := tx.ExecContext(ctx, `UPDATE user_tokens SET data = ? WHERE user_id = ? AND kind = ? AND used_at IS NULL`,
		newEmail, u.ID, tenantdesk.LinkEmailChange); err != nil {
		return 0, fmt.Errorf("sqlite: store new email: %w", err)
	}
	if err := tx.queueProfileMail(ctx, u, newEmail, tenantdesk.MailEmailChange,
		tenantdesk.MailData{Link: link, TTL: ttl, Email: newEmail}); err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditEmailChangeRequested,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
		After: auditJSON(map[string]string{"email": newEmail, "expiresAt": tx.now.Add(ttl).Format(time.RFC3339)})}); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return ttl, nil
}

// findEmailChange returns the user and new address of an unused email
// change link: ErrLinkInvalid when unknown, used, replaced, or its user is
// disabled or already has the address; ErrLinkExpired past its expiry.
func findEmailChange(ctx context.Context, q querier, token string, now time.Time) (*tenantdesk.User, string, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, "", tenantdesk.ErrLinkInvalid()
	}
	var userID, expires int64
	var used sql.NullInt64
	var newEmail string
	err := q.QueryRowContext(ctx, `SELECT user_id, data, expires_at, used_at FROM user_tokens WHERE token_hash = ? AND kind = ?`,
		tokenHash(token), tenantdesk.LinkEmailChange).Scan(&userID, &newEmail, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (used.Valid || newEmail == "")) {
		return nil, "", tenantdesk.ErrLinkInvalid()
	} else if err != nil {
		return nil, "", fmt.Errorf("sqlite: find link: %w", err)
	}
	u, err := findUser(ctx, q, `WHERE u.id = ?`, userID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, "", tenantdesk.ErrLinkInvalid()
	} else if err != nil {
		return nil, "", err
	}
	if u.Status == tenantdesk.UserDisabled || tenantdesk.NormalizeEmail(u.Email) == tenantdesk.NormalizeEmail(newEmail) {
		return nil, "", tenantdesk.ErrLinkInvalid()
	}
	if ms(now) >= expires {
		return nil, "", tenantdesk.ErrLinkExpired()
	}
	return u, newEmail, nil
}

// CheckEmailChange returns the user and new address of a link without using
// it. See tenantdesk.ProfileService.
func (db *DB) CheckEmailChange(ctx context.Context, token string) (*tenantdesk.User, string, error) {
	return findEmailChange(ctx, db.read, token, db.Now())
}
