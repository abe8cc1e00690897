package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Two-factor authentication (tenantdesk.TwoFactorService). The TOTP secret
// is kept sealed with AES-256-GCM (auth.SecretBox) in user_totp; a code is
// accepted once only, by a compare-and-set of the last accepted time step;
// recovery codes are stored as SHA-256 and used up by a compare-and-set of
// used_at. Failed attempts are counted per user in second_factor_failures.

var _ tenantdesk.TwoFactorService = (*DB)(nil)

// secretBoxCache holds the SecretBox built from DB.SecretKeys (or the
// generated key) on first use.
type secretBoxCache struct {
	mu  sync.Mutex
	box *auth.SecretBox
}

// generatedKeyName is the secrets row of the generated at-rest key.
const generatedKeyName = "secret_key"

// secretBox returns the box sealing secrets at rest. With configured keys,
// a key generated earlier (before keys were configured) still opens what it
// sealed. Call it before beginTx: creating the generated key needs the
// writer connection.
func (db *DB) secretBox(ctx context.Context) (*auth.SecretBox, error) {
	c := &db.boxCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.box != nil {
		return c.box, nil
	}
	var keys [][]byte
	if len(db.SecretKeys) > 0 {
		keys = append(keys, db.SecretKeys...)
		var old []byte
		err := db.read.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, generatedKeyName).Scan(&old)
		if err == nil && len(old) == auth.SecretKeyLen {
			keys = append(keys, old)
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("sqlite: load secret key: %w", err)
		}
	} else {
		k, err := db.LoadOrCreateSecret(ctx, generatedKeyName, func() ([]byte, error) { return auth.RandomBytes(auth.SecretKeyLen), nil })
		if err != nil {
			return nil, err
		}
		keys = [][]byte{k}
	}
	box, err := auth.NewSecretBox(keys...)
	if err != nil {
		return nil, err
	}
	c.box = box
	return box, nil
}

// totpAD binds a sealed secret to its user.
func totpAD(userID int64) []byte { return fmt.Appendf(nil, "tenantdesk:totp:%d", userID) }

// Error messages of 2FA (Key is the message ID).
func errCode() error {
	msg := "That code is not right. Enter the 6-digit code your app shows now."
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "twofactor.error.code",
		Fields: []tenantdesk.FieldError{{Field: "code", Message: msg, Key: "twofactor.error.code"}}}
}

func errPassword() error {
	msg := "The password is not right."
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "twofactor.error.password",
		Fields: []tenantdesk.FieldError{{Field: "password", Message: msg, Key: "twofactor.error.password"}}}
}

func errSecondFactor() error {
	return &tenantdesk.Error{Code: tenantdesk.EUNAUTHORIZED, Key: "twofactor.error.invalid",
		Message: "That code is not valid. Check it and try again, or use a recovery code."}
}

func errNotEnabled() error {
	return &tenantdesk.Error{Code: tenantdesk.ECONFLICT, Key: "twofactor.error.not_enabled",
		Message: "Two-factor authentication is not turned on."}
}

func errThrottled(wait time.Duration) error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	e := &tenantdesk.Error{Code: tenantdesk.ETHROTTLED, Key: "twofactor.error.throttled", Args: map[string]any{"Count": minutes},
		Message: fmt.Sprintf("Too many wrong codes. Try again in %d minutes.", minutes)}
	e.RetryAfterSeconds = int((wait + time.Second - 1) / time.Second)
	return e
}

// twoFactorSelf returns the user the self-service methods act on: the
// signed-in actor's, or (withPending) the user of a pending sign-in that
// must enrol. pending reports the latter.
func (db *DB) twoFactorSelf(ctx context.Context, withPending bool) (u *tenantdesk.User, pending bool, err error) {
	if a := tenantdesk.ActorFrom(ctx); a != nil && a.User != nil {
		u, err := db.FindUserByID(ctx, a.User.ID)
		return u, false, err
	}
	if p := tenantdesk.PendingSignInFrom(ctx); withPending && p != nil && p.Enrol {
		u, err := db.FindUserByID(ctx, p.UserID)
		if err != nil {
			return nil, false, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
		}
		return u, true, nil
	}
	return nil, false, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
}

// selfAudit is an audit entry about u acted by u (the actor of ctx is
// empty during a pending sign-in, so it is named here).
func selfAudit(u *tenantdesk.User, action string) *tenantdesk.AuditEntry {
	return &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: action, ActorUserID: u.ID, ActorName: u.DisplayName,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID)}
}

// TwoFactorStatus returns the user's own 2FA state. See tenantdesk.TwoFactorService.
func (db *DB) TwoFactorStatus(ctx context.Context) (*tenantdesk.TwoFactorStatus, error) {
	u, _, err := db.twoFactorSelf(ctx, true)
	if err != nil {
		return nil, err
	}
	box, err := db.secretBox(ctx)
	if err != nil {
		return nil, err
	}
	st := &tenantdesk.TwoFactorStatus{}
	var sealed []byte
	var created int64
	var enabled sql.NullInt64
	err = db.read.QueryRowContext(ctx, `SELECT secret_enc, created_at, enabled_at FROM user_totp WHERE user_id = ?`, u.ID).
		Scan(&sealed, &created, &enabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("sqlite: 2fa status: %w", err)
	case enabled.Valid:
		st.Enabled, st.EnabledAt = true, fromMS(enabled.Int64)
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, u.ID).
			Scan(&st.RecoveryCodesLeft); err != nil {
			return nil, fmt.Errorf("sqlite: count recovery codes: %w", err)
		}
	default:
		if expires := fromMS(created).Add(tenantdesk.TOTPSetupTTL); db.Now().Before(expires) {
			if st.Setup, err = setupOf(box, u, sealed, expires); err != nil {
				return nil, err
			}
		}
	}
	sec, err := readAccountSecurity(ctx, db.read, u.AccountID)
	if err != nil {
		return nil, err
	}
	st.RequiredByAccount = sec.Require2FA
	return st, nil
}

// setupOf opens a pending secret and rebuilds its QR code URL.
func setupOf(box *auth.SecretBox, u *tenantdesk.User, sealed []byte, expires time.Time) (*tenantdesk.TOTPSetup, error) {
	secret, err := box.Open(sealed, totpAD(u.ID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: 2fa secret of user %d: %w", u.ID, err)
	}
	k, err := auth.TOTPKeyFor(string(secret), u.Email)
	if err != nil {
		return nil, err
	}
	return &tenantdesk.TOTPSetup{Secret: k.Secret, URL: k.URL, AccountName: u.Email, ExpiresAt: expires}, nil
}

// StartTOTPSetup generates a pending secret. See tenantdesk.TwoFactorService.
func (db *DB) StartTOTPSetup(ctx context.Context) (*tenantdesk.TOTPSetup, error) {
	u, _, err := db.twoFactorSelf(ctx, true)
	if err != nil {
		return nil, err
	}
	box, err := db.secretBox(ctx)
	if err != nil {
		return nil, err
	}
	key, err := auth.NewTOTPKey(u.Email)
	if err != nil {
		return nil, err
	}
	sealed, err := box.Seal([]byte(key.Secret), totpAD(u.ID))
	if err != nil {
		return nil, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO user_totp (user_id, account_id, secret_enc, created_at) VALUES (?,?,?,?)
		ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc, created_at = excluded.created_at,
		account_id = excluded.account_id, last_step = 0 WHERE user_totp.enabled_at IS NULL`,
		u.ID, u.AccountID, sealed, ms(tx.now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: start 2fa set-up: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, &tenantdesk.Error{Code: tenantdesk.ECONFLICT, Key: "twofactor.error.already_enabled",
			Message: "Two-factor authentication is already on."}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return &tenantdesk.TOTPSetup{Secret: key.Secret, URL: key.URL, AccountName: u.Email, ExpiresAt: tx.now.Add(tenantdesk.TOTPSetupTTL)}, nil
}

// CancelTOTPSetup drops a pending set-up. See tenantdesk.TwoFactorService.
func (db *DB) CancelTOTPSetup(ctx context.Context) error {
	u, _, err := db.twoFactorSelf(ctx, true)
	if err != nil {
		return err
	}
	if _, err := db.execWrite(ctx, `DELETE FROM user_totp WHERE user_id = ? AND enabled_at IS NULL`, u.ID); err != nil {
		return fmt.Errorf("sqlite: cancel 2fa set-up: %w", err)
	}
	return nil
}

// ConfirmTOTPSetup turns 2FA on with a first code. See tenantdesk.TwoFactorService.
func (db *DB) ConfirmTOTPSetup(ctx context.Context, code string) (*tenantdesk.TOTPEnabled, error) {
	u, pending, err := db.twoFactorSelf(ctx, true)
	if err != nil {
		return nil, err
	}
	box, err := db.secretBox(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var sealed []byte
	var created int64
	var enabled sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT secret_enc, created_at, enabled_at FROM user_totp WHERE user_id = ?`, u.ID).Scan(&sealed, &created, &enabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !enabled.Valid && !tx.now.Before(fromMS(created).Add(tenantdesk.TOTPSetupTTL))) {
		return nil, &tenantdesk.Error{Code: tenantdesk.ENOTFOUND, Key: "twofactor.error.no_setup",
			Message: "The set-up has expired. Start again to get a new QR code."}
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: load 2fa set-up: %w", err)
	} else if enabled.Valid {
		return nil, &tenantdesk.Error{Code: tenantdesk.ECONFLICT, Key: "twofactor.error.already_enabled",
			Message: "Two-factor authentication is already on."}
	}
	if pending && (u.Status == tenantdesk.UserDisabled || !u.CanSignIn()) {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	secret, err := box.Open(sealed, totpAD(u.ID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: 2fa secret of user %d: %w", u.ID, err)
	}
	step, ok := auth.MatchTOTP(string(secret), code, tx.now)
	if !ok {
		return nil, errCode()
	}
	// The confirming code is used up like any other: last_step is its step.
	if _, err := tx.ExecContext(ctx, `UPDATE user_totp SET enabled_at = ?, last_step = ? WHERE user_id = ? AND enabled_at IS NULL`,
		ms(tx.now), step, u.ID); err != nil {
		return nil, fmt.Errorf("sqlite: enable 2fa: %w", err)
	}
	codes, err := tx.replaceRecoveryCodes(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	e := selfAudit(u, tenantdesk.AuditTwoFactorEnabled)
	e.After = auditJSON(map[string]any{"method": "totp", "recoveryCodes": len(codes)})
	if err := tx.audit(ctx, e); err != nil {
		return nil, err
	}
	if err := tx.queueTwoFactorMail(ctx, u, tenantdesk.MailTwoFactorEnabled); err != nil {
		return nil, err
	}
	if pending {
		// Enrolment was the second step of a sign-in: it is complete.
		if _, err := tx.ExecContext(ctx, `DELETE FROM second_factor_failures WHERE user_id = ?`, u.ID); err != nil {
			return nil, fmt.Errorf("sqlite: clear 2fa failures: %w", err)
		}
		e := selfAudit(u, tenantdesk.AuditSignIn)
		e.After = auditJSON(map[string]string{"method": tenantdesk.SignInMethodEnrolment})
		if err := tx.audit(ctx, e); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return &tenantdesk.TOTPEnabled{User: u, RecoveryCodes: codes}, nil
}

// replaceRecoveryCodes deletes the user's recovery codes and stores the
// hashes of ten new ones, which it returns in clear.
func (tx *Tx) replaceRecoveryCodes(ctx context.Context, userID int64) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return nil, fmt.Errorf("sqlite: delete recovery codes: %w", err)
	}
	codes := auth.NewRecoveryCodes(auth.RecoveryCodeCount)
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?,?,?)`,
			userID, auth.HashRecoveryCode(c), ms(tx.now)); err != nil {
			return nil, fmt.Errorf("sqlite: store recovery code: %w", err)
		}
	}
	return codes, nil
}

// checkPassword verifies u's portal password (slow: argon2id; call it
// outside a transaction).
func (db *DB) checkPassword(ctx context.Context, userID int64, password string) (bool, error) {
	if len(password) > 4*tenantdesk.MaxPasswordLen || !utf8.ValidString(password) {
		return false, nil
	}
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT hash FROM credentials WHERE user_id = ? AND kind = 'password'`, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		db.Hasher.Verify(db.dummy(), password)
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("sqlite: load credential: %w", err)
	}
	ok, _ := db.Hasher.Verify(hash, password)
	return ok, nil
}

// secondFactorWait returns how long userID's second factor stays locked, 0
// when it is not: the user is locked while they have
// ThrottleMaxSecondFactor failures in the window.
func secondFactorWait(ctx context.Context, q querier, userID int64, now time.Time) (time.Duration, error) {
	return throttleWait(ctx, q, `SELECT at FROM second_factor_failures WHERE user_id = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
		userID, tenantdesk.ThrottleMaxSecondFactor, now)
}

// secondFactorFailed audits a failed attempt in tx and, with count, counts
// it for throttling (not an attempt refused as throttled, nor one counted
// already when it was reserved, reserveAttempt). Old failures of the user
// are pruned on the way.
func (tx *Tx) secondFactorFailed(ctx context.Context, u *tenantdesk.User, purpose, reason, ip string, count bool) error {
	if reason != "throttled" {
		if _, err := tx.ExecContext(ctx, `DELETE FROM second_factor_failures WHERE user_id = ? AND at <= ?`,
			u.ID, ms(tx.now.Add(-tenantdesk.ThrottleWindow))); err != nil {
			return fmt.Errorf("sqlite: prune 2fa failures: %w", err)
		}
	}
	if count {
		if _, err := tx.ExecContext(ctx, `INSERT INTO second_factor_failures (user_id, at) VALUES (?,?)`, u.ID, ms(tx.now)); err != nil {
			return fmt.Errorf("sqlite: record 2fa failure: %w", err)
		}
	}
	e := selfAudit(u, tenantdesk.AuditSecondFactorFailed)
	e.IP = ip
	e.After = auditJSON(map[string]string{"purpose": purpose, "reason": reason})
	return tx.audit(ctx, e)
}

// recordSecondFactorFailure audits a refused or reserved (so already
// counted) attempt, secondFactorFailed in its own transaction.
func (db *DB) recordSecondFactorFailure(ctx context.Context, u *tenantdesk.User, purpose, reason string) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.secondFactorFailed(ctx, u, purpose, reason, "", false); err != nil {
		return err
	}
	return tx.Commit()
}

// checkPasswordForChange is the common first part of regenerating codes
// and disabling: the throttle, then the password (a wrong one counts). The
// attempt is reserved before the password is hashed (reserveAttempt); after
// a right password the caller settles it with release: release(true) keeps
// it as a failure (a wrong code when disabling), release(false) drops it.
func (db *DB) checkPasswordForChange(ctx context.Context, u *tenantdesk.User, purpose, password string) (release func(failed bool), err error) {
	release, wait, err := db.reserveAttempt(ctx, secondFactorAttempts, u.ID)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		if err := db.recordSecondFactorFailure(ctx, u, purpose, "throttled"); err != nil {
			return nil, err
		}
		return nil, errThrottled(wait)
	}
	ok, err := db.checkPassword(ctx, u.ID, password)
	if err != nil {
		release(false)
		return nil, err
	}
	if !ok {
		release(true) // the reservation is the counted failure
		if err := db.recordSecondFactorFailure(ctx, u, purpose, "wrong_password"); err != nil {
			return nil, err
		}
		return nil, errPassword()
	}
	return release, nil
}

// RegenerateRecoveryCodes replaces the recovery codes. See tenantdesk.TwoFactorService.
func (db *DB) RegenerateRecoveryCodes(ctx context.Context, password string) ([]string, error) {
	u, _, err := db.twoFactorSelf(ctx, false)
	if err != nil {
		return nil, err
	}
	release, err := db.checkPasswordForChange(ctx, u, "regenerate", password)
	if err != nil {
		return nil, err
	}
	release(false) // the password was right, and nothing else is guessed
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, u.ID).Scan(&left); err != nil {
		return nil, fmt.Errorf("sqlite: count recovery codes: %w", err)
	}
	if on, err := tx.totpEnabled(ctx, u.ID); err != nil {
		return nil, err
	} else if !on {
		return nil, errNotEnabled()
	}
	codes, err := tx.replaceRecoveryCodes(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	e := selfAudit(u, tenantdesk.AuditRecoveryRegenerated)
	e.Before, e.After = auditJSON(map[string]int{"recoveryCodesLeft": left}), auditJSON(map[string]int{"recoveryCodesLeft": len(codes)})
	if err := tx.audit(ctx, e); err != nil {
		return nil, err
	}
	if err := tx.queueTwoFactorMail(ctx, u, tenantdesk.MailRecoveryRegenerated); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return codes, nil
}

func (tx *Tx) totpEnabled(ctx context.Context, userID int64) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM user_totp WHERE user_id = ? AND enabled_at IS NOT NULL`, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("sqlite: 2fa enabled: %w", err)
	}
	return n > 0, nil
}

// useTOTPCode checks code against the user's enabled secret and, when it
// belongs to a step later than the last accepted one, records that step
// (compare-and-set, so of two concurrent uses of one code only one wins).
// reason says why a code was refused: "wrong_code", "replayed_code" or
// "not_enabled".
func (tx *Tx) useTOTPCode(ctx context.Context, box *auth.SecretBox, userID int64, code string) (reason string, err error) {
	var sealed []byte
	err = tx.QueryRowContext(ctx, `SELECT secret_enc FROM user_totp WHERE user_id = ? AND enabled_at IS NOT NULL`, userID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "not_enabled", nil
	} else if err != nil {
		return "", fmt.Errorf("sqlite: load 2fa secret: %w", err)
	}
	secret, err := box.Open(sealed, totpAD(userID))
	if err != nil {
		return "", fmt.Errorf("sqlite: 2fa secret of user %d: %w", userID, err)
	}
	step, ok := auth.MatchTOTP(string(secret), code, tx.now)
	if !ok {
		return "wrong_code", nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ? AND enabled_at IS NOT NULL`,
		step, userID, step)
	if err != nil {
		return "", fmt.Errorf("sqlite: use 2fa code: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "replayed_code", nil
	}
	return "", nil
}

// DisableTOTP turns 2FA off. See tenantdesk.TwoFactorService.
func (db *DB) DisableTOTP(ctx context.Context, password, code string) error {
	u, _, err := db.twoFactorSelf(ctx, false)
	if err != nil {
		return err
	}
	release, err := db.checkPasswordForChange(ctx, u, "disable", password)
	if err != nil {
		return err
	}
	// The reservation is held until the code is checked too: a wrong code
	// keeps it as the counted failure, so parallel requests with the right
	// password cannot guess codes past the limit either.
	failed := false
	defer func() { release(failed) }()
	box, err := db.secretBox(ctx)
	if err != nil {
		return err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	reason, err := tx.useTOTPCode(ctx, box, u.ID, code)
	if err != nil {
		return err
	}
	switch reason {
	case "":
	case "not_enabled":
		return errNotEnabled()
	default:
		failed = true
		if err := tx.secondFactorFailed(ctx, u, "disable", reason, "", false); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlite: commit: %w", err)
		}
		return errCode()
	}
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, u.ID).Scan(&left); err != nil {
		return fmt.Errorf("sqlite: count recovery codes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = ?`, u.ID); err != nil {
		return fmt.Errorf("sqlite: disable 2fa: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, u.ID); err != nil {
		return fmt.Errorf("sqlite: delete recovery codes: %w", err)
	}
	e := selfAudit(u, tenantdesk.AuditTwoFactorDisabled)
	e.Before = auditJSON(map[string]any{"enabled": true, "recoveryCodesLeft": left})
	e.After = auditJSON(map[string]any{"enabled": false})
	if err := tx.audit(ctx, e); err != nil {
		return err
	}
	if err := tx.queueTwoFactorMail(ctx, u, tenantdesk.MailTwoFactorDisabled); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return nil
}

// SecondFactorStep says what a user owes after a correct password. See
// tenantdesk.TwoFactorService.
func (db *DB) SecondFactorStep(ctx context.Context, userID int64) (string, error) {
	var enabled, required int
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM user_totp WHERE user_id = u.id AND enabled_at IS NOT NULL),
		COALESCE((SELECT require_2fa FROM account_security WHERE account_id = u.account_id), 0)
		FROM users u WHERE u.id = ?`, userID).Scan(&enabled, &required)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
	} else if err != nil {
		return "", fmt.Errorf("sqlite: second factor step: %w", err)
	}
	switch {
	case enabled > 0:
		return tenantdesk.SecondFactorVerify, nil
	case required != 0:
		return tenantdesk.SecondFactorEnrol, nil
	}
	return tenantdesk.SecondFactorNone, nil
}

// VerifySecondFactor completes a sign-in with a code or a recovery code.
// See tenantdesk.TwoFactorService.
func (db *DB) VerifySecondFactor(ctx context.Context, in tenantdesk.SecondFactorInput) (*tenantdesk.User, error) {
	box, err := db.secretBox(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := findUser(ctx, tx, `WHERE u.id = ?`, in.UserID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, errSecondFactor()
	} else if err != nil {
		return nil, err
	}
	method := tenantdesk.SignInMethodTOTP
	if in.RecoveryCode != "" {
		method = tenantdesk.SignInMethodRecoveryCode
	}
	purpose := "signin_" + method
	// The throttle is checked inside the write transaction, so concurrent
	// attempts cannot all slip under the limit.
	wait, err := secondFactorWait(ctx, tx, u.ID, tx.now)
	if err != nil {
		return nil, err
	}
	fail := func(reason string, ret error) (*tenantdesk.User, error) {
		if err := tx.secondFactorFailed(ctx, u, purpose, reason, in.IP, reason != "throttled"); err != nil {
			return nil, err
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("sqlite: commit: %w", err)
		}
		return nil, ret
	}
	if wait > 0 {
		return fail("throttled", errThrottled(wait))
	}
	if u.Status == tenantdesk.UserDisabled || !u.CanSignIn() {
		e := tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "This user is disabled. Ask an administrator of your account to enable it.")
		e.Key = "signin.error.disabled"
		return fail("disabled", e)
	}
	left := -1
	if method == tenantdesk.SignInMethodRecoveryCode {
		h := auth.HashRecoveryCode(in.RecoveryCode)
		if h == nil {
			return fail("wrong_recovery_code", errSecondFactor())
		}
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL
			AND EXISTS (SELECT 1 FROM user_totp WHERE user_id = ? AND enabled_at IS NOT NULL)`, ms(tx.now), u.ID, h, u.ID)
		if err != nil {
			return nil, fmt.Errorf("sqlite: use recovery code: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fail("wrong_recovery_code", errSecondFactor())
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, u.ID).Scan(&left); err != nil {
			return nil, fmt.Errorf("sqlite: count recovery codes: %w", err)
		}
	} else {
		reason, err := tx.useTOTPCode(ctx, box, u.ID, in.Code)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			return fail(reason, errSecondFactor())
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM second_factor_failures WHERE user_id = ?`, u.ID); err != nil {
		return nil, fmt.Errorf("sqlite: clear 2fa failures: %w", err)
	}
	e := selfAudit(u, tenantdesk.AuditSignIn)
	e.IP = in.IP
	after := map[string]any{"method": method}
	if left >= 0 {
		after["recoveryCodesLeft"] = left
	}
	e.After = auditJSON(after)
	if err := tx.audit(ctx, e); err != nil {
		return nil, err
	}
	if left >= 0 {
		if err := tx.queueTwoFactorMail(ctx, u, tenantdesk.MailRecoveryCodeUsed); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	if left >= 0 {
		db.notifyMail()
	}
	return u, nil
}

// ResetTwoFactor removes a user's second factor on the operator's behalf.
// See tenantdesk.TwoFactorService.
func (db *DB) ResetTwoFactor(ctx context.Context, email string) (*tenantdesk.User, error) {
	if a := tenantdesk.ActorFrom(ctx); a == nil || !a.Operator {
		return nil, tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "Only the platform operator can reset a second factor.")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := findUser(ctx, tx, `WHERE u.email_norm = ?`, tenantdesk.NormalizeEmail(email))
	if err != nil {
		return nil, err
	}
	if on, err := tx.totpEnabled(ctx, u.ID); err != nil {
		return nil, err
	} else if !on {
		return nil, tenantdesk.Errorf(tenantdesk.ECONFLICT, "%s has no two-factor authentication to reset.", u.Email)
	}
	var left int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, u.ID).Scan(&left); err != nil {
		return nil, fmt.Errorf("sqlite: count recovery codes: %w", err)
	}
	for _, q := range []string{
		`DELETE FROM user_totp WHERE user_id = ?`,
		`DELETE FROM recovery_codes WHERE user_id = ?`,
		`DELETE FROM second_factor_failures WHERE user_id = ?`, // a locked second factor is unlocked too
	} {
		if _, err := tx.ExecContext(ctx, q, u.ID); err != nil {
			return nil, fmt.Errorf("sqlite: reset 2fa: %w", err)
		}
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditTwoFactorReset,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
		Before: auditJSON(map[string]any{"enabled": true, "recoveryCodesLeft": left}),
		After:  auditJSON(map[string]any{"enabled": false}),
	}); err != nil {
		return nil, err
	}
	if err := tx.queueTwoFactorMail(ctx, u, tenantdesk.MailTwoFactorResetByOper); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return u, nil
}

// queueTwoFactorMail tells u of a change to their second factor, in tx:
// when it happened, and where to go if it was not them.
func (tx *Tx) queueTwoFactorMail(ctx context.Context, u *tenantdesk.User, kind string) error {
	d := tenantdesk.MailData{At: tx.now, Link: tx.db.Mail.url("/password/forgot")}
	if kind == tenantdesk.MailTwoFactorResetByOper {
		d.Link = tx.db.Mail.url("/profile/2fa")
	}
	if tx.db.Mail.Renderer != nil {
		return tx.queueUserMail(ctx, u, kind, d)
	}
	// No renderer (tools and tests that do not wire one): plain English.
	what := map[string]string{
		tenantdesk.MailTwoFactorEnabled:     "Two-factor authentication was turned on",
		tenantdesk.MailTwoFactorDisabled:    "Two-factor authentication was turned off",
		tenantdesk.MailRecoveryRegenerated:  "New recovery codes were generated",
		tenantdesk.MailRecoveryCodeUsed:     "A recovery code was used to sign in",
		tenantdesk.MailTwoFactorResetByOper: "Two-factor authentication was reset by support",
	}[kind]
	if what == "" {
		return fmt.Errorf("sqlite: no mail template %q", kind)
	}
	body := fmt.Sprintf("Hello %s,\n\n%s for your Tenantdesk account at %s UTC.\nIf this was not you, secure your account at once: %s\n",
		u.DisplayName, what, tx.now.UTC().Format("2006-01-02 15:04"), d.Link)
	return tx.enqueueMail(ctx, &tenantdesk.MailMessage{AccountID: u.AccountID, To: u.Email,
		Subject: what, BodyText: body, Kind: kind})
}
