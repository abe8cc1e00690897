package service_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The throttle of My profile's current password and of FTP logins
// (moved from internal/sqlstore's attempts tests with the flows).

// countingHasher counts the password checks actually made, and makes each
// one take a little time, as argon2id does, so that parallel attempts
// overlap.
type countingHasher struct {
	tenantdesk.PasswordHasher
	verified atomic.Int64
}

func (h *countingHasher) Verify(enc, pw string) (bool, error) {
	h.verified.Add(1)
	time.Sleep(5 * time.Millisecond)
	return h.PasswordHasher.Verify(enc, pw)
}

const ownerPassword = "correct horse battery staple 9"

// newAttemptsFixture is the fixture with owner1's password set, a fixed
// clock and a counting hasher in the services (installed after the
// set-up). It returns owner1 as stored and a context acting as them.
func newAttemptsFixture(t *testing.T) (*fixture, *tenantdesk.User, context.Context, *countingHasher) {
	t.Helper()
	f := newFixture(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.setNow(now)
	must(t, f.svc.Operator.SetPassword(tenantdesk.OperatorContext(context.Background()), f.Owner1.ID, ownerPassword))
	u, err := f.db.FindUserByID(context.Background(), f.Owner1.ID)
	must(t, err)
	h := &countingHasher{PasswordHasher: servicetest.CheapHasher()}
	f.deps.Hasher = h
	return f, u, f.as(u), h
}

// setNow sets the clock of the store and of the services.
func (f *fixture) setNow(now time.Time) {
	f.db.Now = func() time.Time { return now }
	f.deps.Now = f.db.Now
}

// parallel runs fn(i) for i in [0, n) at once and returns the errors.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return errs
}

// codes counts the errors by code ("" for nil).
func codes(errs []error) map[string]int {
	m := map[string]int{}
	for _, err := range errs {
		m[tenantdesk.ErrorCode(err)]++
	}
	return m
}

// countRows counts the rows of a table matching where.
func (f *fixture) countRows(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := rawConn(t, f.path).QueryRow(`SELECT count(*) FROM `+table+` WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every form of My profile that checks the current password checks at
// most the limit of 100 wrong ones sent at once.
func TestParallelCurrentPasswordFormsCheckAtMostTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		call  func(f *fixture, ctx context.Context, i int) error
	}{
		{"change password", tenantdesk.ThrottleMaxPerEmail, func(f *fixture, ctx context.Context, i int) error {
			_, err := f.svc.Profile.ChangePassword(ctx, fmt.Sprintf("guess %d", i), "a brand new passphrase 42")
			return err
		}},
		{"change email", tenantdesk.ThrottleMaxPerEmail, func(f *fixture, ctx context.Context, i int) error {
			_, err := f.svc.Profile.RequestEmailChange(ctx, "new@acme.example", fmt.Sprintf("guess %d", i))
			return err
		}},
		{"set ftp password", tenantdesk.ThrottleMaxPerEmail, func(f *fixture, ctx context.Context, i int) error {
			return f.svc.Profile.SetFTPPassword(ctx, fmt.Sprintf("guess %d", i), "a separate ftp passphrase 7")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _, ctx, h := newAttemptsFixture(t)
			errs := parallel(100, func(i int) error { return tc.call(f, ctx, i) })
			got := codes(errs)
			t.Logf("%d passwords checked, outcomes %v", h.verified.Load(), got)
			if n := h.verified.Load(); n > int64(tc.limit) {
				t.Errorf("%d passwords checked, limit %d", n, tc.limit)
			}
			if got[tenantdesk.ETHROTTLED] < 100-tc.limit {
				t.Errorf("outcomes %v", got)
			}
			// The right password still works once the window has passed,
			// and a right one is not counted.
			f.setNow(time.Date(2026, 3, 2, 9, 16, 0, 0, time.UTC))
			if err := f.svc.Profile.SetFTPPassword(ctx, ownerPassword, "a separate ftp passphrase 7"); err != nil {
				t.Errorf("right password after the window: %v", err)
			}
		})
	}
}

// 100 wrong FTP logins for one user at once: at most ThrottleMaxPerEmail
// are checked; from one IP with many users, at most ThrottleMaxPerIP.
func TestParallelFTPAuthChecksAtMostTheLimit(t *testing.T) {
	for _, perIP := range []bool{false, true} {
		t.Run(fmt.Sprintf("perIP=%v", perIP), func(t *testing.T) {
			f, owner, ctx, h := newAttemptsFixture(t)
			if err := f.svc.Profile.SetFTPPassword(ctx, ownerPassword, "ftp secret passphrase 5"); err != nil {
				t.Fatal(err)
			}
			h.verified.Store(0)
			limit := tenantdesk.ThrottleMaxPerEmail
			if perIP {
				limit = tenantdesk.ThrottleMaxPerIP
			}
			errs := parallel(100, func(i int) error {
				in := tenantdesk.FTPAuthInput{Username: owner.Email, Password: fmt.Sprintf("guess %d", i), ClientIP: fmt.Sprintf("198.51.100.%d", i)}
				if perIP {
					in.Username, in.ClientIP = fmt.Sprintf("user%d@acme.example", i), "203.0.113.7"
				}
				_, err := f.svc.FTPAuth.FTPAuth(context.Background(), in)
				return err
			})
			got := codes(errs)
			t.Logf("%d passwords checked, outcomes %v", h.verified.Load(), got)
			if n := h.verified.Load(); n > int64(limit) {
				t.Errorf("%d passwords checked, limit %d", n, limit)
			}
			if got[tenantdesk.EUNAUTHORIZED] != int(h.verified.Load()) || got[tenantdesk.ETHROTTLED] != 100-got[tenantdesk.EUNAUTHORIZED] {
				t.Errorf("outcomes %v", got)
			}
			// FTP failures never lock the portal sign-in.
			if _, _, err := f.svc.Auth.SignIn(context.Background(), tenantdesk.SignInInput{Email: owner.Email, Password: ownerPassword, IP: "203.0.113.7"}); err != nil {
				t.Errorf("portal sign-in after FTP guesses: %v", err)
			}
		})
	}
}

// A right FTP password after wrong ones logs in and leaves no failure.
func TestFTPAuthReservationIsReleasedOnSuccess(t *testing.T) {
	f, owner, ctx, _ := newAttemptsFixture(t)
	if err := f.svc.Profile.SetFTPPassword(ctx, ownerPassword, "ftp secret passphrase 5"); err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	for range 2 {
		if _, err := f.svc.FTPAuth.FTPAuth(bg, tenantdesk.FTPAuthInput{Username: owner.Email, Password: "wrong", ClientIP: "203.0.113.7"}); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("wrong: %v", err)
		}
	}
	if _, err := f.svc.FTPAuth.FTPAuth(bg, tenantdesk.FTPAuthInput{Username: owner.Email, Password: "ftp secret passphrase 5", ClientIP: "203.0.113.7"}); err != nil {
		t.Fatalf("right: %v", err)
	}
	if n := f.countRows(t, "signin_failures", `email_norm LIKE 'ftp:%'`); n != 0 {
		t.Errorf("%d FTP failures left after a good login", n)
	}
}
