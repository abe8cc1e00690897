package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// errSignIn is the one answer to every failed sign-in, so the page never
// tells whether an email exists.
func errSignIn() error {
	return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Incorrect email or password.")
}

var (
	dummyOnce sync.Once
	dummyHash string
)

// dummy returns a hash to verify against when the email is unknown, so that
// an unknown email costs as much time as a wrong password.
func (db *DB) dummy() string {
	dummyOnce.Do(func() { dummyHash, _ = db.Hasher.Hash("tenantdesk-dummy-password") })
	return dummyHash
}

// SignIn verifies email and password. See tenantdesk.AuthService.
func (db *DB) SignIn(ctx context.Context, in tenantdesk.SignInInput) (*tenantdesk.User, *tenantdesk.Account, error) {
	email := tenantdesk.NormalizeEmail(in.Email)
	if len(email) > 4*tenantdesk.MaxEmailLen || len(in.Password) > 4*tenantdesk.MaxPasswordLen {
		return nil, nil, errSignIn()
	}
	emailKey := email
	if len(emailKey) > tenantdesk.MaxEmailLen {
		emailKey = emailKey[:tenantdesk.MaxEmailLen] // as auditSignIn stores it, so a success clears it
	}
	release, wait, err := db.reserveAttempt(ctx, signInAttempts, emailKey, in.IP)
	if err != nil {
		return nil, nil, err
	} else if wait > 0 {
		db.auditSignIn(ctx, nil, in, tenantdesk.AuditSignInFailed, "throttled")
		return nil, nil, throttleError("Too many failed sign-in attempts.", wait)
	}
	// The reservation stays a failure only for a wrong password (or an
	// unknown email); any other outcome, errors before the check included,
	// releases it.
	failed := false
	defer func() { release(failed) }()

	u, err := db.FindUserByEmail(ctx, email)
	if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		return nil, nil, err
	}
	var hash string
	if u != nil {
		err := db.read.QueryRowContext(ctx, `SELECT hash FROM credentials WHERE user_id = ? AND kind = 'password'`, u.ID).Scan(&hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, nil, fmt.Errorf("sqlite: load credential: %w", err)
		}
	}
	ok := false
	if hash != "" {
		ok, _ = db.Hasher.Verify(hash, in.Password)
	} else {
		db.Hasher.Verify(db.dummy(), in.Password) // same cost whether or not the email exists
	}
	if !ok || !utf8.ValidString(in.Password) {
		failed = true
		reason := "wrong_password"
		if u == nil {
			reason = "unknown_email"
		} else if hash == "" {
			reason = "no_password"
		}
		if err := db.auditSignIn(ctx, u, in, tenantdesk.AuditSignInFailed, reason); err != nil {
			return nil, nil, err
		}
		return nil, nil, errSignIn()
	}
	if u.Status == tenantdesk.UserDisabled {
		db.auditSignIn(ctx, u, in, tenantdesk.AuditSignInFailed, "disabled")
		e := tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "This user is disabled. Ask an administrator of your account to enable it.")
		e.Key = "signin.error.disabled"
		return nil, nil, e
	}
	if !u.CanSignIn() {
		db.auditSignIn(ctx, u, in, tenantdesk.AuditSignInFailed, "no_website_access")
		e := tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "This user has no access to the portal (website access role). Ask an administrator of your account.")
		e.Key = "signin.error.no_access"
		return nil, nil, e
	}
	a, err := db.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return nil, nil, err
	}
	// With a second factor owed, the password step is audited as such;
	// auth.signin follows the second factor (twofactor.go).
	action := tenantdesk.AuditSignIn
	if st, err := db.SecondFactorState(ctx, u.ID); err != nil {
		return nil, nil, err
	} else if st.Step() != tenantdesk.SecondFactorNone {
		action = tenantdesk.AuditSignInPassword
	}
	if err := db.auditSignIn(ctx, u, in, action, ""); err != nil {
		return nil, nil, err
	}
	return u, a, nil
}

// auditSignIn records a sign-in outcome; a success clears the email's
// failures. (A failed attempt was counted when it was reserved, SignIn.)
func (db *DB) auditSignIn(ctx context.Context, u *tenantdesk.User, in tenantdesk.SignInInput, action, reason string) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	email := tenantdesk.NormalizeEmail(in.Email)
	if len(email) > tenantdesk.MaxEmailLen {
		email = email[:tenantdesk.MaxEmailLen]
	}
	e := &tenantdesk.AuditEntry{Action: action, IP: in.IP, ActorName: email}
	if u != nil {
		e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
		if action == tenantdesk.AuditSignIn || action == tenantdesk.AuditSignInPassword {
			e.ActorUserID, e.ActorName = u.ID, u.DisplayName
		}
	}
	if reason != "" {
		e.After = auditJSON(map[string]string{"reason": reason})
	}
	if err := tx.audit(ctx, e); err != nil {
		return err
	}
	if action == tenantdesk.AuditSignIn || action == tenantdesk.AuditSignInPassword {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE email_norm = ?`, email); err != nil {
			return fmt.Errorf("sqlite: clear failures: %w", err)
		}
	}
	return tx.Commit()
}

// throttleWait returns how long key stays refused at now, 0 when it is
// allowed. A key is blocked while it has limit events in the sliding
// tenantdesk.ThrottleWindow; it frees up when the oldest of its last limit
// events leaves the window. query takes (key, window start, limit-1) and
// selects the key's event times after the start, newest first, LIMIT 1 OFFSET.
func throttleWait(ctx context.Context, q querier, query string, key any, limit int, now time.Time) (time.Duration, error) {
	var at int64
	err := q.QueryRowContext(ctx, query, key, ms(now.Add(-tenantdesk.ThrottleWindow)), limit-1).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("sqlite: throttle: %w", err)
	}
	if w := fromMS(at).Add(tenantdesk.ThrottleWindow).Sub(now); w > 0 {
		return w, nil
	}
	return 0, nil
}

// throttleError is the ETHROTTLED answer for a wait: why, then "Try again in
// N minutes." (rounded up), and RetryAfterSeconds for the Retry-After header.
func throttleError(why string, wait time.Duration) *tenantdesk.Error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	e := tenantdesk.Errorf(tenantdesk.ETHROTTLED, "%s Try again in %d minutes.", why, minutes)
	if minutes == 1 {
		e.Message = why + " Try again in 1 minute."
	}
	e.RetryAfterSeconds = int((wait + time.Second - 1) / time.Second)
	return e
}

// SetPassword sets a user's portal password and activates an invited user.
// Returns EINVALID for a password the policy refuses (checkPasswordFor:
// length, common passwords, the user's email or account name), ENOTFOUND
// for an unknown user.
func (db *DB) SetPassword(ctx context.Context, userID int64, password string) error {
	if err := db.checkPasswordFor(ctx, userID, password); err != nil {
		return err
	}
	hash, err := db.Hasher.Hash(password) // outside the transaction: it is slow
	if err != nil {
		return err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var accountID int64
	if err := tx.QueryRowContext(ctx, `SELECT account_id FROM users WHERE id = ?`, userID).Scan(&accountID); err != nil {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO credentials (user_id, kind, hash, updated_at) VALUES (?, 'password', ?, ?)
		ON CONFLICT (user_id, kind) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
		userID, hash, ms(tx.now)); err != nil {
		return fmt.Errorf("sqlite: set password: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET status = 'active', updated_at = ? WHERE id = ? AND status = 'invited'`, ms(tx.now), userID); err != nil {
		return fmt.Errorf("sqlite: activate user: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditPasswordSet,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(userID)}); err != nil {
		return err
	}
	return tx.Commit()
}

// PruneSignInFailures deletes failures older than the throttle window.
func (db *DB) PruneSignInFailures(ctx context.Context) (int64, error) {
	res, err := db.execWrite(ctx, `DELETE FROM signin_failures WHERE at <= ?`, ms(db.Now().Add(-tenantdesk.ThrottleWindow)))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune failures: %w", err)
	}
	return res.RowsAffected()
}

// SignedOut records that u ended their session.
func (db *DB) SignedOut(ctx context.Context, u *tenantdesk.User) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditSignOut,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID)}); err != nil {
		return err
	}
	return tx.Commit()
}
