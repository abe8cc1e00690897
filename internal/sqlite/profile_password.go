package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The sign-in throttle's table as a store primitive (tenantdesk.SignInAttemptTx):
// the limits, the window and the keys are the caller's policy.

// ReserveSignInAttempt counts the keys' failures and, below every limit,
// records the attempt as a failure. Inside one write transaction (BEGIN
// IMMEDIATE, one writer) the count and the insert are one step for every
// writer. See tenantdesk.SignInAttemptTx.
func (tx *Tx) ReserveSignInAttempt(ctx context.Context, k tenantdesk.AttemptKeys) (int64, time.Duration, error) {
	since := tx.now.Add(-k.Window)
	wait, err := tx.attemptWait(ctx, `SELECT at FROM signin_failures WHERE email_norm = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
		k.Email, since, k.MaxPerEmail, k.Window)
	if err != nil {
		return 0, 0, err
	}
	if k.IP != "" {
		w, err := tx.attemptWait(ctx, `SELECT at FROM signin_failures WHERE ip = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
			k.IP, since, k.MaxPerIP, k.Window)
		if err != nil {
			return 0, 0, err
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return 0, wait, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO signin_failures (email_norm, ip, at) VALUES (?, ?, ?)`, k.Email, k.IP, ms(tx.now))
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: reserve attempt: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: reserve attempt: %w", err)
	}
	return id, 0, nil
}

// attemptWait returns how long until the limit-th latest failure since
// the window's start (query) leaves the window; 0 below the limit.
func (tx *Tx) attemptWait(ctx context.Context, query, key string, since time.Time, limit int, window time.Duration) (time.Duration, error) {
	var at int64
	err := tx.QueryRowContext(ctx, query, key, ms(since), limit-1).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("sqlite: throttle: %w", err)
	}
	return max(fromMS(at).Add(window).Sub(tx.now), 0), nil
}

// DeleteSignInAttempt deletes a reserved attempt. See tenantdesk.SignInAttemptTx.
func (tx *Tx) DeleteSignInAttempt(ctx context.Context, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: release attempt: %w", err)
	}
	return nil
}

// ClearSignInFailures deletes the failures of an email key. See tenantdesk.SignInAttemptTx.
func (tx *Tx) ClearSignInFailures(ctx context.Context, email string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE email_norm = ?`, email); err != nil {
		return fmt.Errorf("sqlite: clear failures: %w", err)
	}
	return nil
}
