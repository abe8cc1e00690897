package service

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Throttles: how many guesses of a secret, or requests, a key may make
// within a window (the policy, here) over the store's attempt counts
// (tenantdesk.AttemptTx, which counts and records in one step).

// signInKeys are the keys a failed password check counts under: the
// email (ThrottleMaxPerEmail) and the client IP (ThrottleMaxPerIP; a
// caller without one, such as the command line, is recorded, not limited).
func signInKeys(email, ip string) []tenantdesk.AttemptKey {
	keys := []tenantdesk.AttemptKey{
		{Value: email, Limit: tenantdesk.ThrottleMaxPerEmail, Window: tenantdesk.ThrottleWindow},
		{Value: ip, Limit: tenantdesk.ThrottleMaxPerIP, Window: tenantdesk.ThrottleWindow},
	}
	if ip == "" {
		keys[1].Limit = 0
	}
	return keys
}

// reserveAttempt reserves one attempt of kind under keys, in its own
// transaction, before a slow password check: a limit checked before the
// hash and counted after it is no limit when guesses arrive in parallel.
// When a key is at its limit it writes nothing and returns how long to
// wait. Otherwise the attempt counts as a failure at once, and release
// settles it: release(true) keeps it as the failure, release(false)
// deletes it (right password, or refused for another reason). A
// reservation never released (a crash, a failed delete) stays a failure.
// Call release with no transaction of the caller open.
func (d *Deps) reserveAttempt(ctx context.Context, kind string, keys ...tenantdesk.AttemptKey) (release func(failed bool), wait time.Duration, err error) {
	var id int64
	// Record, not Update: the reservation checks no rule but its keys'
	// count, which ReserveAttempt locks itself.
	err = d.Store.Record(ctx, func(tx tenantdesk.StoreTx) error {
		id, wait, err = tx.ReserveAttempt(ctx, kind, keys...)
		return err
	})
	if err != nil || wait > 0 {
		return nil, wait, err
	}
	return func(failed bool) {
		if failed {
			return
		}
		// Also when the request was cancelled meanwhile: the outcome is
		// known. Should the delete fail, the attempt merely counts as failed.
		bg := context.WithoutCancel(ctx)
		d.Store.Record(bg, func(tx tenantdesk.StoreTx) error { return tx.DeleteAttempt(bg, kind, id) })
	}, 0, nil
}

// throttleError is the ETHROTTLED answer for a wait: why, then "Try again in
// N minutes." (rounded up), and RetryAfterSeconds for the Retry-After header.
func throttleError(why string, wait time.Duration) *tenantdesk.Error {
	minutes := waitMinutes(wait)
	e := tenantdesk.Errorf(tenantdesk.ETHROTTLED, "%s Try again in %d minutes.", why, minutes)
	if minutes == 1 {
		e.Message = why + " Try again in 1 minute."
	}
	e.RetryAfterSeconds = retryAfter(wait)
	return e
}

// throttled is the ETHROTTLED answer of a form whose text is translated by
// key, with the wait in whole minutes (rounded up) as the argument arg.
func throttled(message, key, arg string, wait time.Duration) *tenantdesk.Error {
	minutes := waitMinutes(wait)
	return &tenantdesk.Error{Code: tenantdesk.ETHROTTLED, Key: key, Args: map[string]any{arg: minutes},
		Message: fmt.Sprintf(message, minutes), RetryAfterSeconds: retryAfter(wait)}
}

// waitMinutes is wait in whole minutes, rounded up (the page's words).
func waitMinutes(wait time.Duration) int {
	return int((wait + time.Minute - 1) / time.Minute)
}

// retryAfter is wait in whole seconds, rounded up (the Retry-After header).
func retryAfter(wait time.Duration) int {
	return int((wait + time.Second - 1) / time.Second)
}
