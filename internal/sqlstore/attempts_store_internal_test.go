package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// reserve reserves an attempt of kind in its own transaction.
func reserve(t *testing.T, db *DB, kind string, keys ...tenantdesk.AttemptKey) (int64, time.Duration) {
	t.Helper()
	var id int64
	var wait time.Duration
	if err := db.Update(context.Background(), func(tx tenantdesk.StoreTx) (err error) {
		id, wait, err = tx.ReserveAttempt(context.Background(), kind, keys...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id, wait
}

// A key allows Limit attempts within its Window; the next is refused
// without a write until the oldest counted one leaves the window. A key
// with Limit 0 is recorded, not limited; deleting and clearing remove
// attempts.
func TestReserveAttempt(t *testing.T) {
	db, _ := openLinksDB(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := t0
	db.Now = func() time.Time { return now }
	key := func(v string, limit int) tenantdesk.AttemptKey {
		return tenantdesk.AttemptKey{Value: v, Limit: limit, Window: 15 * time.Minute}
	}
	var first int64
	for i := range 3 {
		now = t0.Add(time.Duration(i) * time.Minute)
		id, wait := reserve(t, db, tenantdesk.AttemptSignIn, key("a@acme.example", 3), key("", 0))
		if id == 0 || wait != 0 {
			t.Fatalf("attempt %d: id %d, wait %v", i+1, id, wait)
		}
		if i == 0 {
			first = id
		}
	}
	now = t0.Add(5 * time.Minute)
	if id, wait := reserve(t, db, tenantdesk.AttemptSignIn, key("a@acme.example", 3), key("", 0)); id != 0 || wait != 10*time.Minute {
		t.Fatalf("4th: id %d, wait %v", id, wait)
	}
	if n := count(t, db, "signin_failures"); n != 3 {
		t.Fatalf("%d attempts recorded", n)
	}
	// Another email from the same (empty, unlimited) IP is not refused.
	if _, wait := reserve(t, db, tenantdesk.AttemptSignIn, key("b@acme.example", 3), key("", 0)); wait != 0 {
		t.Fatalf("other key refused for %v", wait)
	}
	// Deleting the first frees one place.
	ctx := context.Background()
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error { return tx.DeleteAttempt(ctx, tenantdesk.AttemptSignIn, first) }); err != nil {
		t.Fatal(err)
	}
	if _, wait := reserve(t, db, tenantdesk.AttemptSignIn, key("a@acme.example", 3), key("", 0)); wait != 0 {
		t.Fatalf("after a delete: wait %v", wait)
	}
	// Clearing removes every attempt of the first key's value only.
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return tx.ClearAttempts(ctx, tenantdesk.AttemptSignIn, "a@acme.example")
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "signin_failures"); n != 1 {
		t.Errorf("%d attempts after clearing, want b's 1", n)
	}
	// A kind the store does not know is an error, not a silent pass.
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		_, _, err := tx.ReserveAttempt(ctx, "bogus", key("x", 1))
		return err
	}); err == nil {
		t.Error("unknown kind accepted")
	}
}

// PruneAttempts deletes only the attempts of its kind that left the window.
func TestPruneResetRequests(t *testing.T) {
	db, _ := openLinksDB(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := t0
	db.Now = func() time.Time { return now }
	for _, at := range []time.Duration{0, time.Minute, 10 * time.Minute} {
		now = t0.Add(at)
		reserve(t, db, tenantdesk.AttemptResetRequest, tenantdesk.AttemptKey{Value: "203.0.113.7", Limit: tenantdesk.ThrottleMaxResetPerIP, Window: tenantdesk.ThrottleWindow})
	}
	if _, err := db.execWrite(context.Background(), `INSERT INTO signin_failures (email_norm, ip, at) VALUES ('x@acme.example', '203.0.113.7', ?)`, ms(now)); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(tenantdesk.ThrottleWindow + time.Minute) // the first two are out of the window
	n, err := db.PruneAttempts(context.Background(), tenantdesk.AttemptResetRequest, now.Add(-tenantdesk.ThrottleWindow))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d: %v", n, err)
	}
	var at int64
	if err := db.read.QueryRow(`SELECT at FROM password_reset_requests`).Scan(&at); err != nil || at != ms(t0.Add(10*time.Minute)) {
		t.Errorf("kept %v: %v", fromMS(at), err)
	}
	if count(t, db, "signin_failures") != 1 {
		t.Error("pruning reset requests touched the sign-in failures")
	}
}
