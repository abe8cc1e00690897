package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// writes counts the rows that a "Forgot password" request may write.
func writes(t *testing.T, db *DB) [3]int {
	t.Helper()
	return [3]int{count(t, db, "audit_log"), count(t, db, "mail_outbox"), count(t, db, "password_reset_requests")}
}

// One client IP may ask for ThrottleMaxResetPerIP resets in the window,
// whatever the emails; the next request is refused without writing, other
// IPs are unaffected, and the IP is let in again as its requests age out.
func TestResetRequestsThrottledPerIP(t *testing.T) {
	db, owner := openLinksDB(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := t0
	db.Now = func() time.Time { return now }
	bg := context.Background()
	ctx := tenantdesk.WithActor(bg, &tenantdesk.Actor{IP: "203.0.113.7"})

	// One request a minute, known and unknown emails alike.
	emails := []string{owner.Email, "nobody@acme.example"}
	for i := range tenantdesk.ThrottleMaxResetPerIP {
		now = t0.Add(time.Duration(i) * time.Minute)
		if err := db.RequestPasswordReset(ctx, emails[i%2]); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if n := count(t, db, "password_reset_requests"); n != tenantdesk.ThrottleMaxResetPerIP {
		t.Fatalf("%d requests recorded", n)
	}
	// The 11th, five minutes before the first leaves the window.
	now = t0.Add(10 * time.Minute)
	for _, email := range emails {
		before := writes(t, db)
		err := db.RequestPasswordReset(ctx, email)
		de := tenantdesk.AsError(err)
		if de == nil || de.Code != tenantdesk.ETHROTTLED || de.RetryAfterSeconds != 300 {
			t.Fatalf("11th request for %s: %v (%+v)", email, err, de)
		}
		if de.Message != "Too many requests from your network. Try again in 5 minutes." {
			t.Errorf("message %q", de.Message)
		}
		if after := writes(t, db); after != before {
			t.Errorf("a refused request for %s wrote: audit/outbox/requests %v -> %v", email, before, after)
		}
	}
	// Another IP, and a caller without one (CLI), are not limited by it.
	other := tenantdesk.WithActor(bg, &tenantdesk.Actor{IP: "198.51.100.9"})
	if err := db.RequestPasswordReset(other, "nobody@acme.example"); err != nil {
		t.Errorf("another IP: %v", err)
	}
	if err := db.RequestPasswordReset(bg, "nobody@acme.example"); err != nil {
		t.Errorf("no IP: %v", err)
	}
	// When the first request leaves the window, one more is allowed; then
	// the IP waits for the second (a minute later) to leave.
	now = t0.Add(tenantdesk.ThrottleWindow)
	if err := db.RequestPasswordReset(ctx, "nobody@acme.example"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	err := db.RequestPasswordReset(ctx, "nobody@acme.example")
	if de := tenantdesk.AsError(err); de == nil || de.Code != tenantdesk.ETHROTTLED || de.RetryAfterSeconds != 60 ||
		de.Message != "Too many requests from your network. Try again in 1 minute." {
		t.Fatalf("next request: %v", err)
	}
}

// PruneResetRequests deletes only the requests that left the window.
func TestPruneResetRequests(t *testing.T) {
	db, _ := openLinksDB(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := t0
	db.Now = func() time.Time { return now }
	ctx := tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{IP: "203.0.113.7"})
	for _, at := range []time.Duration{0, time.Minute, 10 * time.Minute} {
		now = t0.Add(at)
		if err := db.RequestPasswordReset(ctx, "nobody@acme.example"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.execWrite(context.Background(), `INSERT INTO signin_failures (email_norm, ip, at) VALUES ('x@acme.example', '203.0.113.7', ?)`, ms(now)); err != nil {
		t.Fatal(err)
	}
	now = t0.Add(tenantdesk.ThrottleWindow + time.Minute) // the first two are out of the window
	n, err := db.PruneResetRequests(context.Background())
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
