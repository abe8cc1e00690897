package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Throttled attempts (tenantdesk.AttemptTx): failed sign-ins and current
// password checks, failed 2FA checks, "Forgot password" requests. The
// limits, windows and keys are the callers' (internal/service); here is
// only where each kind is kept. A limit read before a slow password hash
// and counted after it is no limit when guesses arrive in parallel, so the
// caller reserves an attempt first: in one write transaction the key's
// attempts are counted and, below the limit, the attempt is inserted.

// attemptTable is where the attempts of a kind are kept, and the columns
// of its keys, in order.
type attemptTable struct {
	table string
	cols  []string
}

var attemptTables = map[string]attemptTable{
	tenantdesk.AttemptSignIn:       {table: "signin_failures", cols: []string{"email_norm", "ip"}},
	tenantdesk.AttemptSecondFactor: {table: "second_factor_failures", cols: []string{"user_id"}},
	tenantdesk.AttemptResetRequest: {table: "password_reset_requests", cols: []string{"ip"}},
}

func lookupAttempts(kind string) (attemptTable, error) {
	t, ok := attemptTables[kind]
	if !ok {
		return t, fmt.Errorf("store: no attempts of kind %q", kind)
	}
	return t, nil
}

// ReserveAttempt records an attempt unless a key is at its limit. See
// tenantdesk.AttemptTx.
func (tx *Tx) ReserveAttempt(ctx context.Context, kind string, keys ...tenantdesk.AttemptKey) (int64, time.Duration, error) {
	t, err := lookupAttempts(kind)
	if err != nil {
		return 0, 0, err
	}
	if len(keys) != len(t.cols) {
		return 0, 0, fmt.Errorf("store: %d values for %d keys of %s attempts", len(keys), len(t.cols), kind)
	}
	if tx.db.dialect == dialectPostgres {
		// Count and insert under the keys' own locks: a reservation may
		// run in Store.Record, outside the writers' turn (postgres.go).
		// In ascending order, so two reservations never wait on each other.
		locks := make([]int64, 0, len(keys))
		for i, k := range keys {
			locks = append(locks, attemptKeyLock(t.table, t.cols[i], k.Value))
		}
		slices.Sort(locks)
		for _, l := range locks {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, l); err != nil {
				return 0, 0, fmt.Errorf("store: attempt lock: %w", err)
			}
		}
	}
	var wait time.Duration
	vals := make([]any, 0, len(keys)+1)
	for i, k := range keys {
		vals = append(vals, k.Value)
		if k.Limit <= 0 {
			continue
		}
		w, err := attemptWait(ctx, tx, `SELECT at FROM `+t.table+` WHERE `+t.cols[i]+` = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
			k.Value, k.Limit, k.Window, tx.now)
		if err != nil {
			return 0, 0, err
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return 0, wait, nil
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO `+t.table+` (`+strings.Join(t.cols, ", ")+`, at) VALUES (`+strings.Repeat("?, ", len(t.cols))+`?) RETURNING id`,
		append(vals, ms(tx.now))...).Scan(&id)
	if err != nil {
		return 0, 0, fmt.Errorf("store: reserve attempt: %w", err)
	}
	return id, 0, nil
}

// DeleteAttempt deletes one attempt. See tenantdesk.AttemptTx.
func (tx *Tx) DeleteAttempt(ctx context.Context, kind string, id int64) error {
	t, err := lookupAttempts(kind)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete attempt: %w", err)
	}
	return nil
}

// ClearAttempts deletes the attempts of a key. See tenantdesk.AttemptTx.
func (tx *Tx) ClearAttempts(ctx context.Context, kind string, value any) error {
	t, err := lookupAttempts(kind)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE `+t.cols[0]+` = ?`, value); err != nil {
		return fmt.Errorf("store: clear attempts: %w", err)
	}
	return nil
}

// PruneAttempts deletes the attempts of kind made at or before before
// (the janitor passes the start of the throttle window).
func (db *DB) PruneAttempts(ctx context.Context, kind string, before time.Time) (int64, error) {
	t, err := lookupAttempts(kind)
	if err != nil {
		return 0, err
	}
	res, err := db.execWrite(ctx, `DELETE FROM `+t.table+` WHERE at <= ?`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("store: prune %s: %w", t.table, err)
	}
	return res.RowsAffected()
}

// attemptWait returns how long key stays refused at now, 0 when it is
// allowed: a key is refused while it has limit events in the sliding
// window, until the oldest of its last limit events leaves it. query takes
// (key, window start, limit-1) and selects the key's event times after the
// start, newest first, LIMIT 1 OFFSET.
func attemptWait(ctx context.Context, q querier, query string, key any, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	var at int64
	err := q.QueryRowContext(ctx, query, key, ms(now.Add(-window)), limit-1).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("store: throttle: %w", err)
	}
	if w := fromMS(at).Add(window).Sub(now); w > 0 {
		return w, nil
	}
	return 0, nil
}
