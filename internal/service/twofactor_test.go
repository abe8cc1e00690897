package service_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// clock is a settable clock for the store and the services.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

const memberPassword = "member password 123"

// twoFactorFixture is newFixture with a clock and the password of member1 set.
func twoFactorFixture(t *testing.T) (*fixture, *clock) {
	t.Helper()
	f := newFixture(t)
	clk := &clock{t: time.Date(2026, 11, 21, 9, 0, 5, 0, time.UTC)}
	f.db.Now = clk.Now
	op := tenantdesk.OperatorContext(context.Background())
	must(t, f.svc.Operator.SetPassword(op, f.Member1.ID, memberPassword))
	r, err := f.db.FindUserByID(op, f.Member1.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.Member1 = r
	return f, clk
}

// enable turns 2FA on for u at the clock's time and returns the secret and the recovery codes.
func enable(t *testing.T, f *fixture, clk *clock, u *tenantdesk.User) (string, []string) {
	t.Helper()
	ctx := f.as(u)
	setup, err := f.svc.TwoFactor.StartTOTPSetup(ctx, memberPassword)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.TwoFactor.ConfirmTOTPSetup(ctx, codeAt(t, setup.Secret, clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.RecoveryCodes) != 10 {
		t.Fatalf("%d recovery codes", len(res.RecoveryCodes))
	}
	return setup.Secret, res.RecoveryCodes
}

func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := auth.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func verify(f *fixture, u *tenantdesk.User, code string) error {
	_, err := f.svc.TwoFactor.VerifySecondFactor(context.Background(), tenantdesk.SecondFactorInput{UserID: u.ID, Code: code, IP: "192.0.2.9"})
	return err
}

func auditCount(t *testing.T, db *sqlstore.DB, accountID int64, action, afterContains string) int {
	t.Helper()
	entries, err := db.ListAudit(context.Background(), accountID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == action && strings.Contains(e.After, afterContains) {
			n++
		}
	}
	return n
}

func TestTOTPSetupEncryptsTheSecretAtRest(t *testing.T) {
	f, _ := twoFactorFixture(t)
	ctx := f.as(f.Member1)
	st, err := f.svc.TwoFactor.TwoFactorStatus(ctx)
	if err != nil || st.Enabled || st.Setup != nil {
		t.Fatalf("fresh status: %v %+v", err, st)
	}
	setup, err := f.svc.TwoFactor.StartTOTPSetup(ctx, memberPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(setup.URL, "issuer=Tenantdesk") || setup.AccountName != f.Member1.Email {
		t.Errorf("setup %+v", setup)
	}
	// The pending secret is server-side: the status shows the same one.
	st, _ = f.svc.TwoFactor.TwoFactorStatus(ctx)
	if st.Setup == nil || st.Setup.Secret != setup.Secret || st.Enabled {
		t.Fatalf("pending status %+v", st)
	}
	// Stored sealed, not in clear (neither base32 nor raw).
	var sealed []byte
	conn := rawConn(t, f.path)
	if err := conn.QueryRow(`SELECT secret_enc FROM user_totp WHERE user_id = ?`, f.Member1.ID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(setup.Secret)) || len(sealed) < 40 {
		t.Fatalf("secret stored in clear: %q", sealed)
	}
	// No key configured: one was generated and kept in the secrets table.
	var key []byte
	if err := conn.QueryRow(`SELECT value FROM secrets WHERE name = 'secret_key'`).Scan(&key); err != nil || len(key) != 32 {
		t.Fatalf("generated key: %v %d", err, len(key))
	}
}

// twoFactorOver returns a two-factor service over db sealing with keys.
func twoFactorOver(t *testing.T, db *sqlstore.DB, keys ...[]byte) *service.TwoFactor {
	t.Helper()
	d := servicetest.Deps(t, db)
	d.SecretKeys = keys
	tf, err := service.NewTwoFactor(d)
	if err != nil {
		t.Fatal(err)
	}
	return tf
}

func TestConfiguredSecretKey(t *testing.T) {
	db, path := openTestDB(t)
	key := auth.RandomBytes(32)
	tf := twoFactorOver(t, db, key)
	ctx := tenantdesk.OperatorContext(context.Background())
	acc := &tenantdesk.Account{Name: "K"}
	u := &tenantdesk.User{DisplayName: "Kim", Email: "kim@k.example"}
	ops := servicetest.NewOps(t, db)
	must(t, ops.CreateCustomer(ctx, acc, u))
	must(t, ops.SetPassword(ctx, u.ID, memberPassword))
	as := tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: u})
	setup, err := tf.StartTOTPSetup(as, memberPassword)
	if err != nil {
		t.Fatal(err)
	}
	conn := rawConn(t, path)
	var n int
	conn.QueryRow(`SELECT count(*) FROM secrets WHERE name = 'secret_key'`).Scan(&n)
	if n != 0 {
		t.Error("a key was generated although one is configured")
	}
	// Another process with another key (or none) cannot read the secret.
	other, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := twoFactorOver(t, other, auth.RandomBytes(32)).TwoFactorStatus(as); err == nil {
		t.Error("the secret opened with another key")
	}
	// With the key rotated (new key first, old one still listed) it opens.
	rotated, _ := sqlstore.Open(path)
	defer rotated.Close()
	if st, err := twoFactorOver(t, rotated, auth.RandomBytes(32), key).TwoFactorStatus(as); err != nil || st.Setup == nil || st.Setup.Secret != setup.Secret {
		t.Errorf("rotated key: %v %+v", err, st)
	}
}

func TestTOTPCodeAcceptedOnceWithinOneStepOfSkew(t *testing.T) {
	f, clk := twoFactorFixture(t)
	tf := f.svc.TwoFactor
	u := f.Member1
	// A wrong first code does not turn it on.
	ctx := f.as(u)
	setup, err := tf.StartTOTPSetup(ctx, memberPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tf.ConfirmTOTPSetup(ctx, "000000"); code(err) != tenantdesk.EINVALID {
		t.Fatalf("wrong first code: %v", err)
	}
	confirmCode := codeAt(t, setup.Secret, clk.Now())
	if _, err := tf.ConfirmTOTPSetup(ctx, confirmCode); err != nil {
		t.Fatal(err)
	}
	if _, err := tf.StartTOTPSetup(ctx, memberPassword); code(err) != tenantdesk.ECONFLICT {
		t.Errorf("second set-up while on: %v", err)
	}
	secret := setup.Secret
	if step, _ := tf.SecondFactorStep(context.Background(), u.ID); step != tenantdesk.SecondFactorVerify {
		t.Fatalf("step %q", step)
	}
	// The code that confirmed the set-up is used up.
	if err := verify(f, u, confirmCode); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Fatalf("confirming code replayed at sign-in: %v", err)
	}
	clk.Advance(30 * time.Second)
	now := clk.Now()
	// A code from two steps ago is refused.
	if err := verify(f, u, codeAt(t, secret, now.Add(-60*time.Second))); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Errorf("code from two steps ago: %v", err)
	}
	// The current code works once; the same code again is a replay.
	cur := codeAt(t, secret, now)
	if err := verify(f, u, cur); err != nil {
		t.Fatalf("current code: %v", err)
	}
	if err := verify(f, u, cur); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Fatalf("replayed code: %v", err)
	}
	// One step ahead (a fast phone clock) is accepted…
	if err := verify(f, u, codeAt(t, secret, now.Add(30*time.Second))); err != nil {
		t.Fatalf("code one step ahead: %v", err)
	}
	// …and from then on only later steps: the previous step's code is refused.
	clk.Advance(30 * time.Second)
	if err := verify(f, u, codeAt(t, secret, clk.Now().Add(-30*time.Second))); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Errorf("earlier step after a later one: %v", err)
	}
	// One step behind is accepted when it is still later than the last one.
	clk.Advance(60 * time.Second)
	if err := verify(f, u, codeAt(t, secret, clk.Now().Add(-30*time.Second))); err != nil {
		t.Errorf("code one step behind: %v", err)
	}
	if n := auditCount(t, f.db, u.AccountID, tenantdesk.AuditSignIn, `"method":"totp"`); n != 3 {
		t.Errorf("%d auth.signin (totp) entries, want 3", n)
	}
	if n := auditCount(t, f.db, u.AccountID, tenantdesk.AuditSecondFactorFailed, `"reason":"replayed_code"`); n < 2 {
		t.Errorf("%d replays audited", n)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditTwoFactorEnabled, "") != 1 {
		t.Error("enabling not audited")
	}
}

// Two sign-ins racing with the same code: the compare-and-set lets one win.
func TestTOTPCodeConcurrentUseWinsOnce(t *testing.T) {
	f, clk := twoFactorFixture(t)
	secret, _ := enable(t, f, clk, f.Member1)
	clk.Advance(30 * time.Second)
	c := codeAt(t, secret, clk.Now())
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if verify(f, f.Member1, c) == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d of 8 concurrent uses of one code succeeded", ok)
	}
}

func TestRecoveryCodesAreSingleUseAndRegenerated(t *testing.T) {
	f, clk := twoFactorFixture(t)
	tf := f.svc.TwoFactor
	u := f.Member1
	_, codes := enable(t, f, clk, u)
	use := func(rc string) error {
		_, err := tf.VerifySecondFactor(context.Background(), tenantdesk.SecondFactorInput{UserID: u.ID, RecoveryCode: rc})
		return err
	}
	// Stored hashed: no code appears in the table.
	var hashes [][]byte
	rows, err := rawConn(t, f.path).Query(`SELECT code_hash FROM recovery_codes WHERE user_id = ?`, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var h []byte
		rows.Scan(&h)
		hashes = append(hashes, h)
	}
	rows.Close()
	want := map[string]bool{}
	for _, c := range codes {
		want[string(auth.HashRecoveryCode(c))] = true
	}
	if len(hashes) != 10 {
		t.Fatalf("%d stored codes", len(hashes))
	}
	for _, h := range hashes {
		if !want[string(h)] {
			t.Errorf("stored %x is not the SHA-256 of a code", h)
		}
	}
	// Typed in capitals with spaces, it still works — once.
	if err := use(strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	if err := use(codes[0]); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Fatalf("recovery code used twice: %v", err)
	}
	st, _ := tf.TwoFactorStatus(f.as(u))
	if st.RecoveryCodesLeft != 9 {
		t.Errorf("%d left", st.RecoveryCodesLeft)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditSignIn, `"recoveryCodesLeft":9`) != 1 {
		t.Error("recovery sign-in not audited with the count left")
	}
	// Regenerating needs the password; the old codes then stop working.
	if _, err := tf.RegenerateRecoveryCodes(f.as(u), "wrong password!"); code(err) != tenantdesk.EINVALID {
		t.Fatalf("regenerate with a wrong password: %v", err)
	}
	fresh, err := tf.RegenerateRecoveryCodes(f.as(u), memberPassword)
	if err != nil || len(fresh) != 10 {
		t.Fatalf("regenerate: %v %d", err, len(fresh))
	}
	if err := use(codes[1]); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Errorf("old code after regenerating: %v", err)
	}
	if err := use(fresh[3]); err != nil {
		t.Errorf("new code: %v", err)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditRecoveryRegenerated, "") != 1 {
		t.Error("regenerating not audited")
	}
	// Emails: enabled, two recovery sign-ins, regenerated.
	mails, _ := f.db.ListMail(context.Background(), 100)
	kinds := map[string]int{}
	for _, m := range mails {
		if m.To == u.Email {
			kinds[m.Kind]++
		}
	}
	if kinds[tenantdesk.MailTwoFactorEnabled] != 1 || kinds[tenantdesk.MailRecoveryCodeUsed] != 2 || kinds[tenantdesk.MailRecoveryRegenerated] != 1 {
		t.Errorf("mail kinds %v", kinds)
	}
}

func TestSecondFactorFailuresAreThrottledPerUser(t *testing.T) {
	f, clk := twoFactorFixture(t)
	u := f.Member1
	secret, _ := enable(t, f, clk, u)
	for i := 0; i < tenantdesk.ThrottleMaxSecondFactor; i++ {
		if err := verify(f, u, "000000"); code(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	clk.Advance(30 * time.Second)
	err := verify(f, u, codeAt(t, secret, clk.Now()))
	if code(err) != tenantdesk.ETHROTTLED {
		t.Fatalf("right code while locked: %v", err)
	}
	if e := tenantdesk.AsError(err); e.RetryAfterSeconds <= 0 || e.RetryAfterSeconds > 15*60 {
		t.Errorf("retry after %d s", e.RetryAfterSeconds)
	}
	// The lock is the second factor's: the password still signs in (and asks again).
	if _, _, err := f.svc.Auth.SignIn(context.Background(), tenantdesk.SignInInput{Email: u.Email, Password: memberPassword}); err != nil {
		t.Errorf("password sign-in while the second factor is locked: %v", err)
	}
	// Changes that need the password are locked too (a stolen session cannot guess it).
	if _, err := f.svc.TwoFactor.RegenerateRecoveryCodes(f.as(u), memberPassword); code(err) != tenantdesk.ETHROTTLED {
		t.Errorf("regenerate while locked: %v", err)
	}
	// Another user is not affected.
	must(t, f.svc.Operator.SetPassword(tenantdesk.OperatorContext(context.Background()), f.Admin1.ID, memberPassword))
	other, _ := enable(t, f, clk, f.Admin1)
	clk.Advance(30 * time.Second)
	if err := verify(f, f.Admin1, codeAt(t, other, clk.Now())); err != nil {
		t.Errorf("other user: %v", err)
	}
	// After the window the right code works again.
	clk.Advance(tenantdesk.ThrottleWindow)
	if err := verify(f, u, codeAt(t, secret, clk.Now())); err != nil {
		t.Errorf("after the window: %v", err)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditSecondFactorFailed, `"reason":"throttled"`) < 1 {
		t.Error("throttled attempt not audited")
	}
}

func TestDisableNeedsPasswordAndCurrentCode(t *testing.T) {
	f, clk := twoFactorFixture(t)
	tf := f.svc.TwoFactor
	u := f.Member1
	secret, _ := enable(t, f, clk, u)
	ctx := f.as(u)
	clk.Advance(30 * time.Second)
	good := codeAt(t, secret, clk.Now())
	err := tf.DisableTOTP(ctx, "wrong password!", good)
	if code(err) != tenantdesk.EINVALID || tenantdesk.AsError(err).Fields[0].Field != "password" {
		t.Fatalf("wrong password: %v", err)
	}
	err = tf.DisableTOTP(ctx, memberPassword, "123456")
	if code(err) != tenantdesk.EINVALID || tenantdesk.AsError(err).Fields[0].Field != "code" {
		t.Fatalf("wrong code: %v", err)
	}
	// Not for a pending sign-in, nor for nobody.
	pending := tenantdesk.WithPendingSignIn(context.Background(), &tenantdesk.PendingSignIn{UserID: u.ID, Enrol: true})
	if err := tf.DisableTOTP(pending, memberPassword, good); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Fatalf("pending sign-in disabled 2FA: %v", err)
	}
	if err := tf.DisableTOTP(ctx, memberPassword, good); err != nil {
		t.Fatal(err)
	}
	st, _ := tf.TwoFactorStatus(ctx)
	if st.Enabled || st.RecoveryCodesLeft != 0 {
		t.Errorf("after disabling: %+v", st)
	}
	if err := tf.DisableTOTP(ctx, memberPassword, good); code(err) != tenantdesk.ECONFLICT {
		t.Errorf("disable twice: %v", err)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditTwoFactorDisabled, "") != 1 ||
		auditCount(t, f.db, u.AccountID, tenantdesk.AuditSecondFactorFailed, `"purpose":"disable"`) != 2 {
		t.Error("disable and its failures not audited")
	}
}

// A user who lost the phone signs in with a recovery code and turns 2FA
// off with the password and another one: the code is used up, the audit
// entry says a recovery code was used, and the user is emailed.
func TestDisableWithRecoveryCodeWhenThePhoneIsLost(t *testing.T) {
	f, clk := twoFactorFixture(t)
	tf := f.svc.TwoFactor
	u := f.Member1
	_, rcs := enable(t, f, clk, u)
	if _, err := tf.VerifySecondFactor(context.Background(), tenantdesk.SecondFactorInput{UserID: u.ID, RecoveryCode: rcs[0]}); err != nil {
		t.Fatalf("sign-in with a recovery code: %v", err)
	}
	ctx := f.as(u)
	// A used recovery code is refused, like a wrong one, as the code field's error.
	for _, rc := range []string{rcs[0], "zzzz-zzzz-zzzz-zzzz"} {
		err := tf.DisableTOTP(ctx, memberPassword, rc)
		if code(err) != tenantdesk.EINVALID || tenantdesk.AsError(err).Fields[0].Field != "code" || tenantdesk.AsError(err).Key != "twofactor.error.disable_code" {
			t.Fatalf("recovery code %q: %v", rc, err)
		}
	}
	// A wrong password leaves the recovery code unused.
	if err := tf.DisableTOTP(ctx, "wrong password!", rcs[1]); code(err) != tenantdesk.EINVALID || tenantdesk.AsError(err).Fields[0].Field != "password" {
		t.Fatalf("wrong password: %v", err)
	}
	if st, _ := tf.TwoFactorStatus(ctx); !st.Enabled || st.RecoveryCodesLeft != 9 {
		t.Fatalf("after refusals: %+v", st)
	}
	if err := tf.DisableTOTP(ctx, memberPassword, " "+strings.ToUpper(rcs[1])+" "); err != nil {
		t.Fatalf("disable with an unused recovery code: %v", err)
	}
	if st, _ := tf.TwoFactorStatus(ctx); st.Enabled || st.RecoveryCodesLeft != 0 {
		t.Errorf("after disabling: %+v", st)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditTwoFactorDisabled, `"method":"recovery_code"`) != 1 {
		t.Error("the audit entry does not say a recovery code was used")
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditSecondFactorFailed, `"reason":"wrong_recovery_code"`) != 2 {
		t.Error("refused recovery codes not audited")
	}
	mails, _ := f.db.ListMail(context.Background(), 1)
	if len(mails) != 1 || mails[0].Kind != tenantdesk.MailTwoFactorDisabled || mails[0].To != u.Email {
		t.Errorf("no 2FA-off email: %+v", mails)
	}
	// Turned on again, the old codes are gone.
	enable(t, f, clk, u)
	if err := tf.DisableTOTP(ctx, memberPassword, rcs[2]); code(err) != tenantdesk.EINVALID {
		t.Errorf("a code of the old set turned the new 2FA off: %v", err)
	}
}

// Two requests turning 2FA off with one recovery code: the code is used
// once; the other request finds 2FA off.
func TestDisableWithOneRecoveryCodeConcurrently(t *testing.T) {
	f, clk := twoFactorFixture(t)
	_, rcs := enable(t, f, clk, f.Member1)
	ctx := f.as(f.Member1)
	// Fewer at once than the throttle's limit, so none is refused as
	// throttled (reservations count until settled): the code alone decides.
	n := tenantdesk.ThrottleMaxSecondFactor - 1
	got := codes(parallel(n, func(int) error { return f.svc.TwoFactor.DisableTOTP(ctx, memberPassword, rcs[3]) }))
	if got[""] != 1 || got[tenantdesk.ECONFLICT] != n-1 {
		t.Errorf("outcomes %v", got)
	}
	if n := auditCount(t, f.db, f.Member1.AccountID, tenantdesk.AuditTwoFactorDisabled, ""); n != 1 {
		t.Errorf("%d disable entries", n)
	}
}

func TestRequiredTwoFactorAndPasswordStepAudit(t *testing.T) {
	f, clk := twoFactorFixture(t)
	tf := f.svc.TwoFactor
	u := f.Member1
	op := tenantdesk.OperatorContext(context.Background())
	if step, _ := tf.SecondFactorStep(op, u.ID); step != tenantdesk.SecondFactorNone {
		t.Fatalf("step %q", step)
	}
	if _, err := f.svc.Security.SetAccountSecurity(f.as(f.Owner1), tenantdesk.AccountSecurity{AccountID: f.C1.ID, Require2FA: true}); err != nil {
		t.Fatal(err)
	}
	if step, _ := tf.SecondFactorStep(op, u.ID); step != tenantdesk.SecondFactorEnrol {
		t.Fatalf("step %q with 2FA required", step)
	}
	// The password step is audited as such, not as a sign-in.
	if _, _, err := f.svc.Auth.SignIn(context.Background(), tenantdesk.SignInInput{Email: u.Email, Password: memberPassword}); err != nil {
		t.Fatal(err)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditSignIn, "") != 0 || auditCount(t, f.db, u.AccountID, tenantdesk.AuditSignInPassword, "") != 1 {
		t.Error("password step audited as a sign-in")
	}
	// Enrolment during the pending sign-in completes it.
	pending := tenantdesk.WithPendingSignIn(context.Background(), &tenantdesk.PendingSignIn{UserID: u.ID, Enrol: true})
	setup, err := tf.StartTOTPSetup(pending, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := tf.ConfirmTOTPSetup(pending, codeAt(t, setup.Secret, clk.Now()))
	if err != nil || res.User.ID != u.ID {
		t.Fatal(err)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditSignIn, `"method":"totp_enrolment"`) != 1 {
		t.Error("enrolment sign-in not audited")
	}
	// A pending sign-in that must only verify cannot set anything up.
	verifyOnly := tenantdesk.WithPendingSignIn(context.Background(), &tenantdesk.PendingSignIn{UserID: u.ID})
	if _, err := tf.StartTOTPSetup(verifyOnly, ""); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Errorf("set-up by a verify-only pending sign-in: %v", err)
	}
}

func TestOperatorResetsTwoFactor(t *testing.T) {
	f, clk := twoFactorFixture(t)
	u := f.Member1
	enable(t, f, clk, u)
	for i := 0; i < tenantdesk.ThrottleMaxSecondFactor; i++ {
		verify(f, u, "000000")
	}
	ops := f.svc.Operator
	if _, err := ops.ResetTwoFactor(f.as(f.Owner1), u.Email); code(err) != tenantdesk.EFORBIDDEN {
		t.Fatalf("reset by an Owner: %v", err)
	}
	op := tenantdesk.OperatorContext(context.Background())
	if _, err := ops.ResetTwoFactor(op, "nobody@c1.example"); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("unknown email: %v", err)
	}
	got, err := ops.ResetTwoFactor(op, strings.ToUpper(u.Email))
	if err != nil || got.ID != u.ID {
		t.Fatalf("reset: %v", err)
	}
	if step, _ := f.svc.TwoFactor.SecondFactorStep(op, u.ID); step != tenantdesk.SecondFactorNone {
		t.Errorf("step after reset %q", step)
	}
	var n int
	rawConn(t, f.path).QueryRow(`SELECT (SELECT count(*) FROM recovery_codes WHERE user_id = ?) + (SELECT count(*) FROM second_factor_failures WHERE user_id = ?)`, u.ID, u.ID).Scan(&n)
	if n != 0 {
		t.Errorf("%d recovery codes or failures left", n)
	}
	if _, err := ops.ResetTwoFactor(op, u.Email); code(err) != tenantdesk.ECONFLICT {
		t.Errorf("reset twice: %v", err)
	}
	entries, _ := f.db.ListAudit(context.Background(), u.AccountID, 100)
	found := false
	for _, e := range entries {
		if e.Action == tenantdesk.AuditTwoFactorReset && e.ActorUserID == 0 && e.ActorName == "Platform operator" {
			found = true
		}
	}
	if !found {
		t.Error("reset not audited as the operator")
	}
	mails, _ := f.db.ListMail(context.Background(), 10)
	if len(mails) == 0 || mails[0].Kind != tenantdesk.MailTwoFactorResetByOper || mails[0].To != u.Email {
		t.Errorf("no reset email: %+v", mails[0])
	}
}

// ---- parallel guesses (from internal/sqlstore/attempts_internal_test.go) ----

// countingHasher: profile_password_test.go.

// attemptsFixture is twoFactorFixture with member1 signed in (the
// context), a fixed clock, and a counting hasher for the services.
func attemptsFixture(t *testing.T) (*fixture, *clock, context.Context, *countingHasher) {
	t.Helper()
	f, clk := twoFactorFixture(t)
	h := &countingHasher{PasswordHasher: f.db.Hasher}
	f.deps.Hasher = h
	return f, clk, f.as(f.Member1), h
}

func countRows(t *testing.T, f *fixture, table string) int {
	t.Helper()
	var n int
	if err := rawConn(t, f.path).QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func auditReasons(t *testing.T, f *fixture, action, reason string) int {
	t.Helper()
	var n int
	if err := rawConn(t, f.path).QueryRow(`SELECT count(*) FROM audit_log WHERE action = ? AND after_json LIKE ?`,
		action, `%"reason":"`+reason+`"%`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every 2FA change that checks the password checks at most the limit of
// 100 wrong ones sent at once.
func TestParallelTwoFactorPasswordFormsCheckAtMostTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		call  func(tf *service.TwoFactor, ctx context.Context, i int) error
	}{
		{"regenerate recovery codes", tenantdesk.ThrottleMaxSecondFactor, func(tf *service.TwoFactor, ctx context.Context, i int) error {
			_, err := tf.RegenerateRecoveryCodes(ctx, fmt.Sprintf("guess %d", i))
			return err
		}},
		{"disable 2fa", tenantdesk.ThrottleMaxSecondFactor, func(tf *service.TwoFactor, ctx context.Context, i int) error {
			return tf.DisableTOTP(ctx, fmt.Sprintf("guess %d", i), "000000")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, clk, ctx, h := attemptsFixture(t)
			errs := parallel(100, func(i int) error { return tc.call(f.svc.TwoFactor, ctx, i) })
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
			clk.Advance(16 * time.Minute)
			if _, err := f.svc.TwoFactor.RegenerateRecoveryCodes(ctx, memberPassword); tenantdesk.ErrorCode(err) != tenantdesk.ECONFLICT {
				t.Errorf("right password after the window: %v", err) // 2FA is off: ECONFLICT after the check
			}
			if n := countRows(t, f, "second_factor_failures"); n > tc.limit {
				t.Errorf("%d second-factor failures", n)
			}
		})
	}
}

// Disabling 2FA with the right password and 100 wrong codes (app codes and
// recovery codes) at once: at most ThrottleMaxSecondFactor codes are tried (the reservation is held
// until the code is checked), and the right password alone never counts.
func TestParallelDisableTOTPTriesAtMostTheLimitOfCodes(t *testing.T) {
	f, clk, ctx, _ := attemptsFixture(t)
	tf := f.svc.TwoFactor
	setup, err := tf.StartTOTPSetup(ctx, memberPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tf.ConfirmTOTPSetup(ctx, codeAt(t, setup.Secret, clk.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := tf.RegenerateRecoveryCodes(ctx, memberPassword); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, f, "second_factor_failures"); n != 0 {
		t.Fatalf("a right password counted: %d failures", n)
	}
	// Half the guesses are app codes, half recovery codes.
	errs := parallel(100, func(i int) error {
		guess := fmt.Sprintf("%06d", 100000+i)
		if i%2 == 1 {
			guess = fmt.Sprintf("zzzz-zzzz-zzzz-%04d", i)
		}
		return tf.DisableTOTP(ctx, memberPassword, guess)
	})
	got := codes(errs)
	wrong := auditReasons(t, f, tenantdesk.AuditSecondFactorFailed, "wrong_code") + auditReasons(t, f, tenantdesk.AuditSecondFactorFailed, "replayed_code") +
		auditReasons(t, f, tenantdesk.AuditSecondFactorFailed, "wrong_recovery_code")
	t.Logf("%d codes tried, outcomes %v", wrong, got)
	if wrong > tenantdesk.ThrottleMaxSecondFactor {
		t.Errorf("%d codes tried, limit %d", wrong, tenantdesk.ThrottleMaxSecondFactor)
	}
	if n := countRows(t, f, "second_factor_failures"); n != wrong {
		t.Errorf("%d failures for %d wrong codes", n, wrong)
	}
}

// ---- the Security tab ----

func TestAccountSecurityOwnerOnlyAndAudited(t *testing.T) {
	f := newFixture(t)
	sec := f.svc.Security
	// Defaults; any member reads them, outsiders do not see the account.
	got, err := sec.AccountSecurity(f.as(f.Member1), f.C1.ID)
	if err != nil || got.Require2FA || got.TokenMaxLifetimeDays != 0 {
		t.Fatalf("defaults: %+v %v", got, err)
	}
	if _, err := sec.AccountSecurity(f.as(f.Owner2), f.C1.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("another customer's Owner read them: %v", err)
	}
	in := tenantdesk.AccountSecurity{AccountID: f.C1.ID, Require2FA: true, TokenMaxLifetimeDays: 30}
	if _, err := sec.SetAccountSecurity(f.as(f.Admin1), in); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("a user admin changed them: %v", err)
	}
	if _, err := sec.SetAccountSecurity(f.as(f.Owner2), in); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("an outsider changed them: %v", err)
	}
	bad := in
	bad.TokenMaxLifetimeDays = tenantdesk.MaxTokenLifetimeDays + 1
	if _, err := sec.SetAccountSecurity(f.as(f.Owner1), bad); code(err) != tenantdesk.EINVALID || tenantdesk.AsError(err).Fields[0].Field != "tokenMaxLifetimeDays" {
		t.Errorf("lifetime beyond the maximum: %v", err)
	}
	if got, err := sec.SetAccountSecurity(f.as(f.Owner1), in); err != nil || *got != in {
		t.Fatalf("Owner: %+v %v", got, err)
	}
	if got, _ := sec.AccountSecurity(f.as(f.Member1), f.C1.ID); *got != in {
		t.Errorf("read back %+v", got)
	}
	// Saving the same settings again writes no audit entry.
	if _, err := sec.SetAccountSecurity(f.as(f.Owner1), in); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, f.db, f.C1.ID, "account.security_update", `"require2fa":true`); n != 1 {
		t.Errorf("%d account.security_update entries, want 1", n)
	}
}

// Every change to the second factor — turning it on, new recovery codes,
// turning it off — ends the user's other sessions, which were opened under
// the factors of before, and keeps the one that made the change and other
// users' sessions (ASVS 5.0 7.4.3). Each entry counts what it ended.
func TestTwoFactorChangesEndOtherSessions(t *testing.T) {
	f, clk := twoFactorFixture(t)
	u := f.Member1
	bg := context.Background()
	open := func(ids ...string) {
		t.Helper()
		now := clk.Now()
		for _, id := range ids {
			must(t, f.db.CreateSession(bg, &tenantdesk.Session{ID: id, UserID: u.ID, Data: []byte{},
				CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}))
		}
	}
	alive := func(id string) bool {
		t.Helper()
		_, err := f.db.FindSession(bg, id)
		if err != nil && code(err) != tenantdesk.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	now := clk.Now()
	must(t, f.db.CreateSession(bg, &tenantdesk.Session{ID: "admin-1", UserID: f.Admin1.ID, Data: []byte{},
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}))
	open("current", "laptop", "phone")
	ctx := tenantdesk.WithActor(bg, &tenantdesk.Actor{User: u, SessionID: "current"})

	setup, err := f.svc.TwoFactor.StartTOTPSetup(ctx, memberPassword)
	must(t, err)
	_, err = f.svc.TwoFactor.ConfirmTOTPSetup(ctx, codeAt(t, setup.Secret, clk.Now()))
	must(t, err)
	if !alive("current") || alive("laptop") || alive("phone") || !alive("admin-1") {
		t.Fatalf("after turning 2FA on: current %v, laptop %v, phone %v, another user's %v",
			alive("current"), alive("laptop"), alive("phone"), alive("admin-1"))
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditTwoFactorEnabled, `"otherSessionsEnded":2`) != 1 {
		t.Error("turning 2FA on: no entry counting 2 sessions ended")
	}

	open("tablet")
	_, err = f.svc.TwoFactor.RegenerateRecoveryCodes(ctx, memberPassword)
	must(t, err)
	if !alive("current") || alive("tablet") {
		t.Fatalf("after new recovery codes: current %v, tablet %v", alive("current"), alive("tablet"))
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditRecoveryRegenerated, `"otherSessionsEnded":1`) != 1 {
		t.Error("new recovery codes: no entry counting 1 session ended")
	}

	open("kiosk")
	clk.Advance(31 * time.Second) // the next step: the code of the set-up is used up
	must(t, f.svc.TwoFactor.DisableTOTP(ctx, memberPassword, codeAt(t, setup.Secret, clk.Now())))
	if !alive("current") || alive("kiosk") || !alive("admin-1") {
		t.Fatalf("after turning 2FA off: current %v, kiosk %v, another user's %v", alive("current"), alive("kiosk"), alive("admin-1"))
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditTwoFactorDisabled, `"otherSessionsEnded":1`) != 1 {
		t.Error("turning 2FA off: no entry counting 1 session ended")
	}
}

// A signed-in user starts a set-up only with the current password (ASVS
// 5.0 7.5.1): a wrong one is EINVALID on field "password", counts as a
// second-factor failure, is audited with its purpose, and leaves no
// pending secret; the right one starts it.
func TestTOTPSetupNeedsThePassword(t *testing.T) {
	f, _ := twoFactorFixture(t)
	u := f.Member1
	ctx := f.as(u)
	_, err := f.svc.TwoFactor.StartTOTPSetup(ctx, "not the password")
	if e := tenantdesk.AsError(err); e == nil || e.Code != tenantdesk.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "password" {
		t.Fatalf("wrong password: %v", err)
	}
	if st, err := f.svc.TwoFactor.TwoFactorStatus(ctx); err != nil || st.Setup != nil {
		t.Fatalf("a set-up is pending after a wrong password: %v %+v", err, st)
	}
	if auditCount(t, f.db, u.AccountID, tenantdesk.AuditSecondFactorFailed, `"purpose":"setup"`) != 1 {
		t.Error("the wrong password is not audited")
	}
	if _, err := f.svc.TwoFactor.StartTOTPSetup(ctx, memberPassword); err != nil {
		t.Fatal(err)
	}
	if st, err := f.svc.TwoFactor.TwoFactorStatus(ctx); err != nil || st.Setup == nil {
		t.Fatalf("no set-up after the right password: %v %+v", err, st)
	}
}
