package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Second factors as stored (tenantdesk.TwoFactorReads and TwoFactorTx):
// the sealed TOTP secret and the last accepted time step in user_totp,
// recovery codes by their SHA-256 in recovery_codes, failed attempts in
// second_factor_failures. Sealing, code checks, limits and audit are the
// service's (internal/service/twofactor.go).

// ---- reads, in a transaction or not ----

func findTOTPSecret(ctx context.Context, q querier, userID int64) (*tenantdesk.TOTPSecret, error) {
	s := &tenantdesk.TOTPSecret{UserID: userID}
	var created int64
	var enabled sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT secret_enc, created_at, enabled_at FROM user_totp WHERE user_id = ?`, userID).
		Scan(&s.Sealed, &created, &enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "No two-factor secret.")
	} else if err != nil {
		return nil, fmt.Errorf("store: load 2fa secret: %w", err)
	}
	s.CreatedAt = fromMS(created)
	if enabled.Valid {
		s.EnabledAt = fromMS(enabled.Int64)
	}
	return s, nil
}

func recoveryCodesLeft(ctx context.Context, q querier, userID int64) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count recovery codes: %w", err)
	}
	return n, nil
}

func secondFactorState(ctx context.Context, q querier, userID int64) (tenantdesk.SecondFactorState, error) {
	var st tenantdesk.SecondFactorState
	err := q.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM user_totp WHERE user_id = u.id AND enabled_at IS NOT NULL),
		COALESCE((SELECT require_2fa FROM account_security WHERE account_id = u.account_id), 0)
		FROM users u WHERE u.id = ?`, userID).Scan(&st.Enabled, &st.Required)
	if errors.Is(err, sql.ErrNoRows) {
		return st, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
	} else if err != nil {
		return st, fmt.Errorf("store: second factor state: %w", err)
	}
	return st, nil
}

// FindTOTPSecret reads the user's TOTP secret. See tenantdesk.TwoFactorReads.
func (db *DB) FindTOTPSecret(ctx context.Context, userID int64) (*tenantdesk.TOTPSecret, error) {
	return findTOTPSecret(ctx, db.read, userID)
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (db *DB) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	return recoveryCodesLeft(ctx, db.read, userID)
}

// SecondFactorState reads whether the user has 2FA on and whether it is required.
func (db *DB) SecondFactorState(ctx context.Context, userID int64) (tenantdesk.SecondFactorState, error) {
	return secondFactorState(ctx, db.read, userID)
}

// PasswordHash reads the user's portal password hash ("" when none).
func (db *DB) PasswordHash(ctx context.Context, userID int64) (string, error) {
	return passwordHash(ctx, db.read, userID)
}

// FindTOTPSecret reads the user's TOTP secret inside tx.
func (tx *Tx) FindTOTPSecret(ctx context.Context, userID int64) (*tenantdesk.TOTPSecret, error) {
	return findTOTPSecret(ctx, tx, userID)
}

// RecoveryCodesLeft counts the user's unused recovery codes inside tx.
func (tx *Tx) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	return recoveryCodesLeft(ctx, tx, userID)
}

// SecondFactorState reads the user's second-factor state inside tx.
func (tx *Tx) SecondFactorState(ctx context.Context, userID int64) (tenantdesk.SecondFactorState, error) {
	return secondFactorState(ctx, tx, userID)
}

// PasswordHash reads the user's portal password hash inside tx.
func (tx *Tx) PasswordHash(ctx context.Context, userID int64) (string, error) {
	return passwordHash(ctx, tx, userID)
}

// passwordHash is the user's portal password hash, "" when none is set.
func passwordHash(ctx context.Context, q querier, userID int64) (string, error) {
	c, err := findCredential(ctx, q, userID, "password") // profile.go
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return c.Hash, nil
}

// ---- writes (tenantdesk.TwoFactorTx) ----

// PutPendingTOTP stores a pending secret unless 2FA is on.
func (tx *Tx) PutPendingTOTP(ctx context.Context, accountID, userID int64, sealed []byte) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO user_totp (user_id, account_id, secret_enc, created_at) VALUES (?,?,?,?)
		ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc, created_at = excluded.created_at,
		account_id = excluded.account_id, last_step = 0 WHERE user_totp.enabled_at IS NULL`,
		userID, accountID, sealed, ms(tx.now))
	if err != nil {
		return false, fmt.Errorf("store: start 2fa set-up: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: start 2fa set-up: %w", err)
	}
	return n > 0, nil
}

// DeletePendingTOTP deletes the user's pending secret.
func (tx *Tx) DeletePendingTOTP(ctx context.Context, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = ? AND enabled_at IS NULL`, userID); err != nil {
		return fmt.Errorf("store: cancel 2fa set-up: %w", err)
	}
	return nil
}

// EnableTOTP enables the pending secret with step as the last accepted one.
func (tx *Tx) EnableTOTP(ctx context.Context, userID, step int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE user_totp SET enabled_at = ?, last_step = ? WHERE user_id = ? AND enabled_at IS NULL`,
		ms(tx.now), step, userID); err != nil {
		return fmt.Errorf("store: enable 2fa: %w", err)
	}
	return nil
}

// AcceptTOTPStep records a later step (compare-and-set on last_step).
func (tx *Tx) AcceptTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE user_totp SET last_step = ? WHERE user_id = ? AND last_step < ? AND enabled_at IS NOT NULL`,
		step, userID, step)
	if err != nil {
		return false, fmt.Errorf("store: use 2fa code: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: use 2fa code: %w", err)
	}
	return n == 1, nil
}

// DeleteTOTP deletes the user's secret and recovery codes.
func (tx *Tx) DeleteTOTP(ctx context.Context, userID int64) error {
	for _, q := range []string{`DELETE FROM user_totp WHERE user_id = ?`, `DELETE FROM recovery_codes WHERE user_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return fmt.Errorf("store: delete 2fa: %w", err)
		}
	}
	return nil
}

// ReplaceRecoveryCodes deletes the user's recovery codes and stores new hashes.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: delete recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?,?,?)`,
			userID, h, ms(tx.now)); err != nil {
			return fmt.Errorf("store: store recovery code: %w", err)
		}
	}
	return nil
}

// UseRecoveryCode marks an unused code of a user with 2FA on used.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash []byte) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL
		AND EXISTS (SELECT 1 FROM user_totp WHERE user_id = ? AND enabled_at IS NOT NULL)`, ms(tx.now), userID, hash, userID)
	if err != nil {
		return false, fmt.Errorf("store: use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: use recovery code: %w", err)
	}
	return n == 1, nil
}

// SecondFactorFailureAt returns the time of the user's nth newest failure after since.
func (tx *Tx) SecondFactorFailureAt(ctx context.Context, userID int64, n int, since time.Time) (time.Time, error) {
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT at FROM second_factor_failures WHERE user_id = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
		userID, ms(since), n-1).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("store: 2fa failures: %w", err)
	}
	return fromMS(at), nil
}

// InsertSecondFactorFailure records a failure of the user now.
func (tx *Tx) InsertSecondFactorFailure(ctx context.Context, userID int64) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO second_factor_failures (user_id, at) VALUES (?,?) RETURNING id`, userID, ms(tx.now)).
		Scan(&id); err != nil {
		return 0, fmt.Errorf("store: record 2fa failure: %w", err)
	}
	return id, nil
}

// DeleteSecondFactorFailure deletes one failure.
func (tx *Tx) DeleteSecondFactorFailure(ctx context.Context, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM second_factor_failures WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete 2fa failure: %w", err)
	}
	return nil
}

// PruneSecondFactorFailures deletes the user's failures at or before t.
func (tx *Tx) PruneSecondFactorFailures(ctx context.Context, userID int64, t time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM second_factor_failures WHERE user_id = ? AND at <= ?`, userID, ms(t)); err != nil {
		return fmt.Errorf("store: prune 2fa failures: %w", err)
	}
	return nil
}

// ClearSecondFactorFailures deletes every failure of the user.
func (tx *Tx) ClearSecondFactorFailures(ctx context.Context, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM second_factor_failures WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: clear 2fa failures: %w", err)
	}
	return nil
}

// ---- secrets (tenantdesk.Secrets; LoadOrCreateSecret is in sessions.go) ----

// FindSecret returns the stored secret called name; ENOTFOUND when none.
func (db *DB) FindSecret(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := db.read.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "No secret %s.", name)
	} else if err != nil {
		return nil, fmt.Errorf("store: load secret: %w", err)
	}
	return v, nil
}
