package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// 100 wrong passwords for one email at once, each from its own IP: at
// most ThrottleMaxPerEmail of them are checked; the rest are refused as
// throttled, and each outcome is audited as before.
func TestParallelSignInsCheckAtMostTheEmailLimit(t *testing.T) {
	e, owner, h := openAttemptsEnv(t)
	errs := parallel(100, func(i int) error {
		_, _, err := e.auth.SignIn(context.Background(), tenantdesk.SignInInput{
			Email: owner.Email, Password: fmt.Sprintf("guess %d", i), IP: fmt.Sprintf("198.51.100.%d", i)})
		return err
	})
	got := codes(errs)
	t.Logf("100 parallel wrong sign-ins for one email: %d passwords checked, outcomes %v", h.verified.Load(), got)
	if n := h.verified.Load(); n > tenantdesk.ThrottleMaxPerEmail {
		t.Errorf("%d passwords checked, limit %d", n, tenantdesk.ThrottleMaxPerEmail)
	}
	if got[tenantdesk.EUNAUTHORIZED]+got[tenantdesk.ETHROTTLED] != 100 || got[tenantdesk.EUNAUTHORIZED] != int(h.verified.Load()) {
		t.Errorf("outcomes %v", got)
	}
	if n := envAuditReasons(t, e, tenantdesk.AuditSignInFailed, "wrong_password"); n != got[tenantdesk.EUNAUTHORIZED] {
		t.Errorf("%d wrong_password audits for %d refusals", n, got[tenantdesk.EUNAUTHORIZED])
	}
	if n := envAuditReasons(t, e, tenantdesk.AuditSignInFailed, "throttled"); n != got[tenantdesk.ETHROTTLED] {
		t.Errorf("%d throttled audits for %d throttled", n, got[tenantdesk.ETHROTTLED])
	}
	if n := count(t, e, "signin_failures"); n != got[tenantdesk.EUNAUTHORIZED] {
		t.Errorf("%d failures recorded for %d wrong passwords", n, got[tenantdesk.EUNAUTHORIZED])
	}
	// The right password is refused too until the window has passed.
	if _, _, err := e.auth.SignIn(context.Background(), tenantdesk.SignInInput{Email: owner.Email, Password: ownerPassword, IP: "192.0.2.9"}); tenantdesk.ErrorCode(err) != tenantdesk.ETHROTTLED {
		t.Errorf("right password after the burst: %v", err)
	}
}

// 100 sign-ins at once from one IP, each for another email (known and
// unknown alike): at most ThrottleMaxPerIP passwords are checked.
func TestParallelSignInsCheckAtMostTheIPLimit(t *testing.T) {
	e, owner, h := openAttemptsEnv(t)
	errs := parallel(100, func(i int) error {
		email := fmt.Sprintf("nobody%d@acme.example", i)
		if i%10 == 0 {
			email = owner.Email
		}
		_, _, err := e.auth.SignIn(context.Background(), tenantdesk.SignInInput{Email: email, Password: fmt.Sprintf("guess %d", i), IP: "203.0.113.7"})
		return err
	})
	got := codes(errs)
	t.Logf("100 parallel wrong sign-ins from one IP: %d passwords checked, outcomes %v", h.verified.Load(), got)
	if n := h.verified.Load(); n > tenantdesk.ThrottleMaxPerIP {
		t.Errorf("%d passwords checked, limit %d", n, tenantdesk.ThrottleMaxPerIP)
	}
	if got[tenantdesk.EUNAUTHORIZED] != int(h.verified.Load()) || got[tenantdesk.ETHROTTLED] != 100-got[tenantdesk.EUNAUTHORIZED] {
		t.Errorf("outcomes %v", got)
	}
}

// A right password after a few wrong ones signs in, clears the email's
// failures and leaves no reservation behind; the limit still applies to
// attempts made one after the other, and an attempt refused for another
// reason than the password (disabled user) does not count.
func TestSignInReservationIsReleasedOnSuccess(t *testing.T) {
	e, owner, h := openAttemptsEnv(t)
	bg := context.Background()
	in := func(pw string) tenantdesk.SignInInput {
		return tenantdesk.SignInInput{Email: owner.Email, Password: pw, IP: "203.0.113.7"}
	}
	for i := range 3 {
		if _, _, err := e.auth.SignIn(bg, in("wrong")); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("wrong %d: %v", i, err)
		}
	}
	if n := count(t, e, "signin_failures"); n != 3 {
		t.Fatalf("%d failures after 3 wrong passwords", n)
	}
	if _, _, err := e.auth.SignIn(bg, in(ownerPassword)); err != nil {
		t.Fatalf("right password after 3 wrong: %v", err)
	}
	if n := count(t, e, "signin_failures"); n != 0 {
		t.Errorf("%d failures left after a sign-in", n)
	}
	// Many right passwords, one after the other: none counts.
	for i := range tenantdesk.ThrottleMaxPerIP + 1 {
		if _, _, err := e.auth.SignIn(bg, in(ownerPassword)); err != nil {
			t.Fatalf("sign-in %d: %v", i, err)
		}
	}
	// Sequentially, the limit: ThrottleMaxPerEmail wrong, then refused
	// without a check, with the right password too.
	for i := range tenantdesk.ThrottleMaxPerEmail {
		if _, _, err := e.auth.SignIn(bg, in("wrong")); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("wrong %d: %v", i, err)
		}
	}
	before := h.verified.Load()
	_, _, err := e.auth.SignIn(bg, in(ownerPassword))
	if de := tenantdesk.AsError(err); de == nil || de.Code != tenantdesk.ETHROTTLED || de.RetryAfterSeconds != int(tenantdesk.ThrottleWindow/time.Second) {
		t.Fatalf("past the limit: %v", err)
	}
	if h.verified.Load() != before {
		t.Error("a throttled attempt was checked")
	}
	if n := count(t, e, "signin_failures"); n != tenantdesk.ThrottleMaxPerEmail {
		t.Errorf("%d failures, want %d (a refused attempt is not counted)", n, tenantdesk.ThrottleMaxPerEmail)
	}
	// A disabled user's right password is refused, but not counted.
	if _, err := e.conn.ExecContext(bg, `DELETE FROM signin_failures`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.ExecContext(bg, `UPDATE users SET status = 'disabled' WHERE id = ?`, owner.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.auth.SignIn(bg, in(ownerPassword)); tenantdesk.ErrorCode(err) != tenantdesk.EFORBIDDEN {
		t.Fatalf("disabled: %v", err)
	}
	if n := count(t, e, "signin_failures"); n != 0 {
		t.Errorf("a disabled user's right password counted: %d failures", n)
	}
}
