package sqlite

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// countingHasher counts the password checks actually made, and makes each
// one take a little time, as argon2id does, so that parallel attempts
// overlap.
type countingHasher struct {
	plainHasher
	verified atomic.Int64
}

func (h *countingHasher) Verify(enc, pw string) (bool, error) {
	h.verified.Add(1)
	time.Sleep(5 * time.Millisecond)
	return h.plainHasher.Verify(enc, pw)
}

const ownerPassword = "correct horse battery staple 9"

// openAttemptsDB is openLinksDB with the Owner's password set, a fixed
// clock and a counting hasher (installed after the set-up).
func openAttemptsDB(t *testing.T) (*DB, *tenantdesk.User, *countingHasher) {
	t.Helper()
	db, owner := openLinksDB(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	setPassword(t, db, owner.ID, ownerPassword)
	u, err := db.FindUserByID(context.Background(), owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := &countingHasher{}
	db.Hasher = h
	return db, u, h
}

// parallel runs f(i) for i in [0, n) at once and returns the errors.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			errs[i] = f(i)
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

func auditReasons(t *testing.T, db *DB, action, reason string) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM audit_log WHERE action = ? AND after_json LIKE ?`,
		action, `%"reason":"`+reason+`"%`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every form that checks the current password checks at most the limit of
// 100 wrong ones sent at once.
func TestParallelCurrentPasswordFormsCheckAtMostTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		call  func(db *DB, ctx context.Context, i int) error
	}{
		{"change password", tenantdesk.ThrottleMaxPerEmail, func(db *DB, ctx context.Context, i int) error {
			_, err := db.ChangePassword(ctx, fmt.Sprintf("guess %d", i), "a brand new passphrase 42")
			return err
		}},
		{"change email", tenantdesk.ThrottleMaxPerEmail, func(db *DB, ctx context.Context, i int) error {
			_, err := db.RequestEmailChange(ctx, "new@acme.example", fmt.Sprintf("guess %d", i))
			return err
		}},
		{"set ftp password", tenantdesk.ThrottleMaxPerEmail, func(db *DB, ctx context.Context, i int) error {
			return db.SetFTPPassword(ctx, fmt.Sprintf("guess %d", i), "a separate ftp passphrase 7")
		}},
		{"regenerate recovery codes", tenantdesk.ThrottleMaxSecondFactor, func(db *DB, ctx context.Context, i int) error {
			_, err := db.RegenerateRecoveryCodes(ctx, fmt.Sprintf("guess %d", i))
			return err
		}},
		{"disable 2fa", tenantdesk.ThrottleMaxSecondFactor, func(db *DB, ctx context.Context, i int) error {
			return db.DisableTOTP(ctx, fmt.Sprintf("guess %d", i), "000000")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, owner, h := openAttemptsDB(t)
			acc, err := db.FindAccountByID(context.Background(), owner.AccountID)
			if err != nil {
				t.Fatal(err)
			}
			ctx := tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: owner, Account: acc, IP: "192.0.2.1"})
			errs := parallel(100, func(i int) error { return tc.call(db, ctx, i) })
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
			db.Now = func() time.Time { return time.Date(2026, 3, 2, 9, 16, 0, 0, time.UTC) }
			if tc.name == "disable 2fa" || tc.name == "regenerate recovery codes" {
				if _, err := db.RegenerateRecoveryCodes(ctx, ownerPassword); tenantdesk.ErrorCode(err) != tenantdesk.ECONFLICT {
					t.Errorf("right password after the window: %v", err) // 2FA is off: ECONFLICT after the check
				}
				if n := count(t, db, "second_factor_failures"); n > tc.limit {
					t.Errorf("%d second-factor failures", n)
				}
			} else if err := db.SetFTPPassword(ctx, ownerPassword, "a separate ftp passphrase 7"); err != nil {
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
			db, owner, h := openAttemptsDB(t)
			acc, _ := db.FindAccountByID(context.Background(), owner.AccountID)
			ctx := tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: owner, Account: acc, IP: "192.0.2.1"})
			if err := db.SetFTPPassword(ctx, ownerPassword, "ftp secret passphrase 5"); err != nil {
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
				_, err := db.FTPAuth(context.Background(), in)
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
			if _, _, err := servicetest.NewAuth(t, db, db.Hasher, db).SignIn(context.Background(), tenantdesk.SignInInput{Email: owner.Email, Password: ownerPassword, IP: "203.0.113.7"}); err != nil {
				t.Errorf("portal sign-in after FTP guesses: %v", err)
			}
		})
	}
}

// A right FTP password after wrong ones logs in and leaves no failure.
func TestFTPAuthReservationIsReleasedOnSuccess(t *testing.T) {
	db, owner, _ := openAttemptsDB(t)
	acc, _ := db.FindAccountByID(context.Background(), owner.AccountID)
	ctx := tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: owner, Account: acc, IP: "192.0.2.1"})
	if err := db.SetFTPPassword(ctx, ownerPassword, "ftp secret passphrase 5"); err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	for range 2 {
		if _, err := db.FTPAuth(bg, tenantdesk.FTPAuthInput{Username: owner.Email, Password: "wrong", ClientIP: "203.0.113.7"}); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("wrong: %v", err)
		}
	}
	if _, err := db.FTPAuth(bg, tenantdesk.FTPAuthInput{Username: owner.Email, Password: "ftp secret passphrase 5", ClientIP: "203.0.113.7"}); err != nil {
		t.Fatalf("right: %v", err)
	}
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM signin_failures WHERE email_norm LIKE 'ftp:%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d FTP failures left after a good login", n)
	}
}

// Disabling 2FA with the right password and 100 wrong codes at once: at
// most ThrottleMaxSecondFactor codes are tried (the reservation is held
// until the code is checked), and the right password alone never counts.
func TestParallelDisableTOTPTriesAtMostTheLimitOfCodes(t *testing.T) {
	db, owner, _ := openAttemptsDB(t)
	acc, _ := db.FindAccountByID(context.Background(), owner.AccountID)
	ctx := tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: owner, Account: acc, IP: "192.0.2.1"})
	setup, err := db.StartTOTPSetup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, err := auth.TOTPCode(setup.Secret, db.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ConfirmTOTPSetup(ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RegenerateRecoveryCodes(ctx, ownerPassword); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "second_factor_failures"); n != 0 {
		t.Fatalf("a right password counted: %d failures", n)
	}
	errs := parallel(100, func(i int) error { return db.DisableTOTP(ctx, ownerPassword, fmt.Sprintf("%06d", 100000+i)) })
	got := codes(errs)
	wrong := auditReasons(t, db, tenantdesk.AuditSecondFactorFailed, "wrong_code") + auditReasons(t, db, tenantdesk.AuditSecondFactorFailed, "replayed_code")
	t.Logf("%d codes tried, outcomes %v", wrong, got)
	if wrong > tenantdesk.ThrottleMaxSecondFactor {
		t.Errorf("%d codes tried, limit %d", wrong, tenantdesk.ThrottleMaxSecondFactor)
	}
	if n := count(t, db, "second_factor_failures"); n != wrong {
		t.Errorf("%d failures for %d wrong codes", n, wrong)
	}
}
