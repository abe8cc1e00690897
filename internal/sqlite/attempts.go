package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Throttled guesses of a secret (sign-in, the current password of profile
// and 2FA changes, FTP logins). A limit read before a slow password hash
// and counted after it is no limit when guesses arrive in parallel: all of
// them read the same count. So an attempt is reserved first: in one write
// transaction the key's failures are counted and, below the limit, the
// attempt is inserted as a failure; only then is the password hashed. The
// outcome settles the row: a wrong guess keeps it (it is the failure), any
// other outcome deletes it. At most the limit of guesses are ever checked,
// however many arrive at once.

// attemptKind is a table of failed attempts and its limited key columns;
// each key allows limit failures within tenantdesk.ThrottleWindow.
type attemptKind struct {
	table string
	keys  []attemptKey
}

type attemptKey struct {
	col   string
	limit int
	// optional: an empty value (no client IP) is stored but not limited.
	optional bool
}

var (
	// signInAttempts counts wrong portal passwords per email and per
	// client IP (FTP logins use the same table with "ftp:" keys, ftpKey).
	signInAttempts = attemptKind{table: "signin_failures", keys: []attemptKey{
		{col: "email_norm", limit: tenantdesk.ThrottleMaxPerEmail},
		{col: "ip", limit: tenantdesk.ThrottleMaxPerIP, optional: true},
	}}
)

// reserveAttempt reserves one attempt of kind for the key values (one per
// key column, in order). When a key is at its limit it writes nothing and
// returns how long to wait. Otherwise the attempt is recorded as a failure
// at once, and release settles it: release(true) keeps it as the failure,
// release(false) deletes it (right password, or refused for another
// reason). Until released, a reservation counts against the limit. A
// reservation never released (a crash, a failed delete) stays a failure. Call
// release with no transaction of the caller open: it writes (one writer).
func (db *DB) reserveAttempt(ctx context.Context, kind attemptKind, vals ...any) (release func(failed bool), wait time.Duration, err error) {
	if len(vals) != len(kind.keys) {
		return nil, 0, fmt.Errorf("sqlite: %d values for %d throttle keys of %s", len(vals), len(kind.keys), kind.table)
	}
	tx, err := db.beginTx(ctx) // BEGIN IMMEDIATE: the count and the insert are one step for every writer
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	cols := make([]string, len(kind.keys))
	for i, k := range kind.keys {
		cols[i] = k.col
		if k.optional && vals[i] == "" {
			continue
		}
		w, err := throttleWait(ctx, tx, `SELECT at FROM `+kind.table+` WHERE `+k.col+` = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
			vals[i], k.limit, tx.now)
		if err != nil {
			return nil, 0, err
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return nil, wait, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO `+kind.table+` (`+strings.Join(cols, ", ")+`, at) VALUES (`+strings.Repeat("?, ", len(cols))+`?)`,
		append(vals, ms(tx.now))...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: reserve attempt: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: reserve attempt: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, fmt.Errorf("sqlite: commit: %w", err)
	}
	release = func(failed bool) {
		if failed {
			return
		}
		// Also when the request was cancelled meanwhile: the outcome is
		// known. Should the delete fail, the attempt merely counts as failed.
		db.execWrite(context.WithoutCancel(ctx), `DELETE FROM `+kind.table+` WHERE id = ?`, id)
	}
	return release, 0, nil
}
