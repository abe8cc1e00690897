package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Single-use links (tenantdesk.CredentialLinkService). A link carries a
// random token; user_tokens keeps only its SHA-256. A user has at most one
// live link per kind: issuing one deletes the earlier ones, so an older
// email stops working. A used link keeps its row (used_at set) until the
// next link of its kind replaces it.

var (
	_ tenantdesk.CredentialLinkService = (*DB)(nil)
	_ tenantdesk.MailboxService        = (*DB)(nil)
)

// maxTokenLen bounds what is hashed and looked up; real tokens are 43 characters.
const maxTokenLen = 128

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// newToken returns 256 random bits, URL-safe.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("sqlite: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// linkPath is where a link of kind leads in the portal.
func linkPath(kind string) string {
	if kind == tenantdesk.LinkReset {
		return "/password/reset"
	}
	if kind == tenantdesk.LinkEmailChange {
		return "/profile/email/confirm" // profile_email.go
	}
	return "/activate"
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

// findLinkUser returns the user of an unused link of kind. An expired link
// is ErrLinkExpired unless allowExpired; anything else wrong is ErrLinkInvalid.
func findLinkUser(ctx context.Context, q querier, kind, token string, now time.Time, allowExpired bool) (*tenantdesk.User, error) {
	if token == "" || len(token) > maxTokenLen || (kind != tenantdesk.LinkActivation && kind != tenantdesk.LinkReset) {
		return nil, tenantdesk.ErrLinkInvalid()
	}
	var userID, expires int64
	var used sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT user_id, expires_at, used_at FROM user_tokens WHERE token_hash = ? AND kind = ?`,
		tokenHash(token), kind).Scan(&userID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && used.Valid) {
		return nil, tenantdesk.ErrLinkInvalid()
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find link: %w", err)
	}
	u, err := findUser(ctx, q, `WHERE u.id = ?`, userID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, tenantdesk.ErrLinkInvalid()
	} else if err != nil {
		return nil, err
	}
	if !linkFits(kind, u) {
		return nil, tenantdesk.ErrLinkInvalid()
	}
	if !allowExpired && ms(now) >= expires {
		return nil, tenantdesk.ErrLinkExpired()
	}
	return u, nil
}

// issueLink replaces u's links of kind by a new one and returns its URL and lifetime.
func (tx *Tx) issueLink(ctx context.Context, userID int64, kind string) (string, time.Duration, error) {
	token, err := newToken()
	if err != nil {
		return "", 0, err
	}
	ttl := tx.db.Mail.ttl(kind)
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_tokens WHERE user_id = ? AND kind = ?`, userID, kind); err != nil {
		return "", 0, fmt.Errorf("sqlite: replace links: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_tokens (token_hash, user_id, kind, created_at, expires_at) VALUES (?,?,?,?,?)`,
		tokenHash(token), userID, kind, ms(tx.now), ms(tx.now.Add(ttl))); err != nil {
		return "", 0, fmt.Errorf("sqlite: issue link: %w", err)
	}
	return tx.db.Mail.url(linkPath(kind) + "?token=" + url.QueryEscape(token)), ttl, nil
}

// queueLink issues a new link of kind for u, emails it to u's address in
// u's language and writes the audit entry e (its action and actor are the
// caller's; account, target and expiry are filled in here).
func (tx *Tx) queueLink(ctx context.Context, u *tenantdesk.User, kind string, e *tenantdesk.AuditEntry) error {
	link, ttl, err := tx.issueLink(ctx, u.ID, kind)
	if err != nil {
		return err
	}
	mailKind := tenantdesk.MailActivation
	if kind == tenantdesk.LinkReset {
		mailKind = tenantdesk.MailReset
	}
	if err := tx.queueUserMail(ctx, u, mailKind, tenantdesk.MailData{Link: link, TTL: ttl}); err != nil {
		return err
	}
	e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
	if e.After == "" {
		e.After = auditJSON(map[string]any{"to": u.Email, "expiresAt": tx.now.Add(ttl).Format(time.RFC3339)})
	}
	return tx.audit(ctx, e)
}

// queueActivation emails a new single-use activation link to the invited
// user u (earlier activation links stop working), in tx, audited as
// user.activation_sent by the actor of ctx. The user is re-read in tx, so
// its current email and language are used. Returns EINVALID when the user
// is not invited (already active or disabled), ENOTFOUND when it is gone.
// Call db.notifyMail after committing to wake the delivery worker at once
// (it also polls every few seconds).
func (tx *Tx) queueActivation(ctx context.Context, u *tenantdesk.User) error {
	cur, err := findUser(ctx, tx, `WHERE u.id = ?`, u.ID)
	if err != nil {
		return err
	}
	if cur.Status != tenantdesk.UserInvited {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: "This user has already activated the account.",
			Key: "activation.error.not_invited"}
	}
	return tx.queueLink(ctx, cur, tenantdesk.LinkActivation, &tenantdesk.AuditEntry{Action: tenantdesk.AuditActivationSent})
}

// QueueActivation emails a new activation link to an invited user on the
// operator's behalf (CLI, demo, tests). Returns EINVALID when the user is
// not invited, ENOTFOUND when there is no such user.
func (db *DB) QueueActivation(ctx context.Context, userID int64) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.queueActivation(ctx, &tenantdesk.User{ID: userID}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	db.notifyMail()
	return nil
}

// CheckLink returns the user of a valid link. See tenantdesk.CredentialLinkService.
func (db *DB) CheckLink(ctx context.Context, kind, token string) (*tenantdesk.User, error) {
	return findLinkUser(ctx, db.read, kind, token, db.Now(), false)
}

// byUser is the audit actor of a link's holder: the user the link was sent to.
func byUser(u *tenantdesk.User, action string) *tenantdesk.AuditEntry {
	return &tenantdesk.AuditEntry{Action: action, ActorUserID: u.ID, ActorName: u.DisplayName}
}

// setPasswordHash stores an already computed password hash for userID.
func (tx *Tx) setPasswordHash(ctx context.Context, userID int64, hash string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO credentials (user_id, kind, hash, updated_at) VALUES (?, 'password', ?, ?)
		ON CONFLICT (user_id, kind) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
		userID, hash, ms(tx.now)); err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	}
	return nil
}

// useLink checks the link (kind, token) again inside tx, validates and
// hashes the new password, stores it and marks the link used. The slow hash
// runs before the write transaction starts, so callers pass it in.
func (tx *Tx) useLink(ctx context.Context, kind, token, hash string) (*tenantdesk.User, error) {
	u, err := findLinkUser(ctx, tx, kind, token, tx.now, false)
	if err != nil {
		return nil, err
	}
	if err := tx.setPasswordHash(ctx, u.ID, hash); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE user_tokens SET used_at = ? WHERE token_hash = ?`, ms(tx.now), tokenHash(token)); err != nil {
		return nil, fmt.Errorf("sqlite: use link: %w", err)
	}
	return u, nil
}

// hashNewPassword checks the link first (so a dead link is reported before a
// bad password), then the password rule, then hashes it.
func (db *DB) hashNewPassword(ctx context.Context, kind, token, password string) (string, error) {
	u, err := db.CheckLink(ctx, kind, token)
	if err != nil {
		return "", err
	}
	if err := db.checkPasswordFor(ctx, u.ID, password); err != nil {
		return "", err
	}
	return db.Hasher.Hash(password)
}

// UseActivationLink sets the first password of an invited user and
// activates it. See tenantdesk.CredentialLinkService.
func (db *DB) UseActivationLink(ctx context.Context, token, password string) (*tenantdesk.User, error) {
	hash, err := db.hashNewPassword(ctx, tenantdesk.LinkActivation, token, password)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := tx.useLink(ctx, tenantdesk.LinkActivation, token, hash)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET status = 'active', updated_at = ? WHERE id = ? AND status = 'invited'`, ms(tx.now), u.ID); err != nil {
		return nil, fmt.Errorf("sqlite: activate user: %w", err)
	}
	e := byUser(u, tenantdesk.AuditActivated)
	e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
	e.Before, e.After = auditJSON(map[string]string{"status": u.Status}), auditJSON(map[string]string{"status": tenantdesk.UserActive})
	if err := tx.audit(ctx, e); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	u.Status, u.UpdatedAt = tenantdesk.UserActive, tx.now
	return u, nil
}

// ResetPassword sets a new password through a reset link and signs the
// user out everywhere. See tenantdesk.CredentialLinkService.
func (db *DB) ResetPassword(ctx context.Context, token, password string) (*tenantdesk.User, error) {
	hash, err := db.hashNewPassword(ctx, tenantdesk.LinkReset, token, password)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := tx.useLink(ctx, tenantdesk.LinkReset, token, hash)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: end sessions: %w", err)
	}
	ended, _ := res.RowsAffected()
	// The person proved they hold the mailbox: lift the email's sign-in lock.
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE email_norm = ?`, tenantdesk.NormalizeEmail(u.Email)); err != nil {
		return nil, fmt.Errorf("sqlite: clear failures: %w", err)
	}
	if err := tx.queueUserMail(ctx, u, tenantdesk.MailPasswordChanged, tenantdesk.MailData{
		Link: tx.db.Mail.url("/password/forgot"), At: tx.now,
	}); err != nil {
		return nil, err
	}
	e := byUser(u, tenantdesk.AuditPasswordResetComplete)
	e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
	e.After = auditJSON(map[string]any{"sessionsEnded": ended})
	if err := tx.audit(ctx, e); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	db.notifyMail()
	return u, nil
}

// RequestPasswordReset emails a reset link to the active user with email,
// or a new activation link to an invited one; for an unknown or disabled
// email it does nothing but audit the request. It returns nil in every one
// of those cases. See tenantdesk.CredentialLinkService.
//
// Every request counts against the client IP of ctx's actor; past
// tenantdesk.ThrottleMaxResetPerIP in the window it returns ETHROTTLED
// with RetryAfterSeconds and writes nothing, whatever the email.
func (db *DB) RequestPasswordReset(ctx context.Context, email string) error {
	norm := tenantdesk.NormalizeEmail(email)
	if len(norm) > tenantdesk.MaxEmailLen {
		norm = norm[:tenantdesk.MaxEmailLen]
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.countResetRequest(ctx); err != nil {
		return err
	}
	e := &tenantdesk.AuditEntry{Action: tenantdesk.AuditPasswordResetRequest, ActorName: norm}
	result := "unknown_email"
	u, err := findUser(ctx, tx, `WHERE u.email_norm = ?`, norm)
	if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		return err
	}
	queued := false
	if u != nil {
		e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
		kind, action := tenantdesk.LinkReset, tenantdesk.AuditPasswordResetRequest
		if u.Status == tenantdesk.UserInvited {
			// No password to reset yet: the activation link is what they need.
			kind, action = tenantdesk.LinkActivation, tenantdesk.AuditActivationSent
		}
		var recent int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM user_tokens WHERE user_id = ? AND kind = ? AND used_at IS NULL AND created_at > ?`,
			u.ID, kind, ms(tx.now.Add(-tenantdesk.ResetRequestInterval))).Scan(&recent); err != nil {
			return fmt.Errorf("sqlite: recent links: %w", err)
		}
		switch {
		case u.Status == tenantdesk.UserDisabled:
			result = "disabled"
		case recent > 0:
			result = "too_soon"
		default:
			result = kind + "_sent"
			if err := tx.queueLink(ctx, u, kind, &tenantdesk.AuditEntry{Action: action, ActorName: norm}); err != nil {
				return err
			}
			queued = true
		}
	}
	if result != "reset_sent" {
		e.After = auditJSON(map[string]string{"result": result})
		if err := tx.audit(ctx, e); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if queued {
		db.notifyMail()
	}
	return nil
}

// countResetRequest records a "Forgot password" request from the client IP
// of ctx's actor, or returns ETHROTTLED (writing nothing) when that IP has
// made tenantdesk.ThrottleMaxResetPerIP requests in the window already.
// It counts inside tx, so concurrent requests cannot slip past the limit.
// Requests without an IP (no actor: CLI, tests) are not counted.
func (tx *Tx) countResetRequest(ctx context.Context) error {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil || a.IP == "" {
		return nil
	}
	wait, err := throttleWait(ctx, tx, `SELECT at FROM password_reset_requests WHERE ip = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
		a.IP, tenantdesk.ThrottleMaxResetPerIP, tx.now)
	if err != nil {
		return err
	} else if wait > 0 {
		return throttleError("Too many requests from your network.", wait)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_reset_requests (ip, at) VALUES (?,?)`, a.IP, ms(tx.now)); err != nil {
		return fmt.Errorf("sqlite: record reset request: %w", err)
	}
	return nil
}

// PruneResetRequests deletes "Forgot password" requests older than the
// throttle window (the janitor calls it with PruneSignInFailures).
func (db *DB) PruneResetRequests(ctx context.Context) (int64, error) {
	res, err := db.execWrite(ctx, `DELETE FROM password_reset_requests WHERE at <= ?`, ms(db.Now().Add(-tenantdesk.ThrottleWindow)))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune reset requests: %w", err)
	}
	return res.RowsAffected()
}

// ResendLink emails a new link of kind to the holder of an (expired) link.
// See tenantdesk.CredentialLinkService.
func (db *DB) ResendLink(ctx context.Context, kind, token string) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := findLinkUser(ctx, tx, kind, token, tx.now, true)
	if err != nil {
		return err
	}
	action := tenantdesk.AuditActivationSent
	if kind == tenantdesk.LinkReset {
		action = tenantdesk.AuditPasswordResetRequest
	}
	if err := tx.queueLink(ctx, u, kind, byUser(u, action)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	db.notifyMail()
	return nil
}
