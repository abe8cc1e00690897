package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TwoFactor is TOTP two-factor authentication (tenantdesk.TwoFactorService):
// My profile's section, the enrolment an account can require, and the
// second step of a sign-in. The secret is sealed with AES-256-GCM
// (auth.SecretBox, Deps.SecretKeys or a key the store generates and keeps)
// before the store sees it; a code is accepted once only, by a
// compare-and-set of the last accepted time step; recovery codes are stored
// as SHA-256 and used up by a compare-and-set. Failed attempts are counted
// per user and lock the second factor past ThrottleMaxSecondFactor in
// ThrottleWindow. The operator's reset of a lost second factor is
// Operator.ResetTwoFactor.
type TwoFactor struct {
	d *Deps

	mu  sync.Mutex
	box *auth.SecretBox // built on first use (secretBox)

	dummyOnce sync.Once
	dummyHash string
}

var _ tenantdesk.TwoFactorService = (*TwoFactor)(nil)

// NewTwoFactor returns the two-factor service. Passwords typed to confirm
// a change are verified with d.Hasher.
func NewTwoFactor(d *Deps) (*TwoFactor, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &TwoFactor{d: d}, nil
}

// generatedKeyName is the store's secret holding the generated at-rest key.
const generatedKeyName = "secret_key"

// secretBox returns the box sealing secrets at rest. With configured keys,
// a key generated earlier (before keys were configured) still opens what it
// sealed. Call it outside Update: creating the generated key writes.
func (s *TwoFactor) secretBox(ctx context.Context) (*auth.SecretBox, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.box != nil {
		return s.box, nil
	}
	var keys [][]byte
	if len(s.d.SecretKeys) > 0 {
		keys = append(keys, s.d.SecretKeys...)
		old, err := s.d.Store.FindSecret(ctx, generatedKeyName)
		if err == nil && len(old) == auth.SecretKeyLen {
			keys = append(keys, old)
		} else if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			return nil, fmt.Errorf("service: load secret key: %w", err)
		}
	} else {
		k, err := s.d.Store.LoadOrCreateSecret(ctx, generatedKeyName, func() ([]byte, error) { return auth.RandomBytes(auth.SecretKeyLen), nil })
		if err != nil {
			return nil, err
		}
		keys = [][]byte{k}
	}
	box, err := auth.NewSecretBox(keys...)
	if err != nil {
		return nil, err
	}
	s.box = box
	return box, nil
}

// totpAD binds a sealed secret to its user.
func totpAD(userID int64) []byte { return fmt.Appendf(nil, "tenantdesk:totp:%d", userID) }

// openSecret opens a user's sealed secret.
func openSecret(box *auth.SecretBox, userID int64, sealed []byte) (string, error) {
	secret, err := box.Open(sealed, totpAD(userID))
	if err != nil {
		return "", fmt.Errorf("service: 2fa secret of user %d: %w", userID, err)
	}
	return string(secret), nil
}

// Error messages of 2FA (Key is the message ID).
func errCode() error {
	msg := "That code is not right. Enter the 6-digit code your app shows now."
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "twofactor.error.code",
		Fields: []tenantdesk.FieldError{{Field: "code", Message: msg, Key: "twofactor.error.code"}}}
}

func errPassword() error {
	msg := "The password is not right."
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "twofactor.error.password",
		Fields: []tenantdesk.FieldError{{Field: "password", Message: msg, Key: "twofactor.error.password"}}}
}

// errDisableCode refuses the code given to turn 2FA off, which may be a
// code from the app or a recovery code.
func errDisableCode() error {
	msg := "That code is not right. Enter the 6-digit code your app shows now, or one of your unused recovery codes."
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "twofactor.error.disable_code",
		Fields: []tenantdesk.FieldError{{Field: "code", Message: msg, Key: "twofactor.error.disable_code"}}}
}

// errRecoveryCode refuses a recovery code at sign-in: one message for a
// wrong code and one used already, which points back to the app.
func errRecoveryCode() error {
	return &tenantdesk.Error{Code: tenantdesk.EUNAUTHORIZED, Key: "twofactor.error.recovery_invalid",
		Message: "That recovery code was already used or is not right. Each code works once: try another of your saved codes, or use a code from your app instead."}
}

func errSecondFactor() error {
	return &tenantdesk.Error{Code: tenantdesk.EUNAUTHORIZED, Key: "twofactor.error.invalid",
		Message: "That code is not valid. Check it and try again, or use a recovery code."}
}

func errNotEnabled() error {
	return &tenantdesk.Error{Code: tenantdesk.ECONFLICT, Key: "twofactor.error.not_enabled",
		Message: "Two-factor authentication is not turned on."}
}

func errAlreadyEnabled() error {
	return &tenantdesk.Error{Code: tenantdesk.ECONFLICT, Key: "twofactor.error.already_enabled",
		Message: "Two-factor authentication is already on."}
}

func errThrottled(wait time.Duration) error {
	return throttled("Too many wrong codes. Try again in %d minutes.", "twofactor.error.throttled", "Count", wait)
}

// self returns the user the self-service methods act on: the signed-in
// actor's, or (withPending) the user of a pending sign-in that must enrol.
// pending reports the latter. EUNAUTHORIZED without either.
func (s *TwoFactor) self(ctx context.Context, withPending bool) (u *tenantdesk.User, pending bool, err error) {
	if a := tenantdesk.ActorFrom(ctx); a != nil && a.User != nil {
		u, err := s.d.Store.FindUserByID(ctx, a.User.ID)
		return u, false, err
	}
	if p := tenantdesk.PendingSignInFrom(ctx); withPending && p != nil && p.Enrol {
		u, err := s.d.Store.FindUserByID(ctx, p.UserID)
		if err != nil {
			return nil, false, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
		}
		return u, true, nil
	}
	return nil, false, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
}

// selfAudit is an audit entry about u acted by u (the actor of ctx is
// empty during a pending sign-in, so it is named here).
func selfAudit(u *tenantdesk.User, action string) *tenantdesk.AuditEntry {
	return &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: action, ActorUserID: u.ID, ActorName: u.DisplayName,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID)}
}

// queueTwoFactorMail tells u of a change to their second factor, in tx:
// when it happened, and where to go if it was not them.
func (d *Deps) queueTwoFactorMail(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User, kind string) error {
	data := tenantdesk.MailData{At: tx.Now(), Link: d.url("/password/forgot")}
	if kind == tenantdesk.MailTwoFactorResetByOper {
		data.Link = d.url("/profile/2fa")
	}
	return d.queueMail(ctx, tx, u, "", kind, data)
}

// endOtherSessions ends, in tx, every session of u but the actor's own
// after a change to u's second factor (turned on, off, new recovery
// codes): a session opened before the change was opened under the old
// factors (ASVS 5.0 7.4.3, as a password change does). During a pending
// sign-in's enrolment there is no actor session yet and nothing is ended.
// Returns how many sessions it ended.
func endOtherSessions(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User) (int, error) {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil || a.User == nil || a.User.ID != u.ID {
		return 0, nil
	}
	return tx.EndOtherSessions(ctx, u.ID, a.SessionID)
}

// totpEnabled reports whether the user has 2FA on, in tx.
func totpEnabled(ctx context.Context, tx tenantdesk.StoreTx, userID int64) (bool, error) {
	sec, err := tx.FindTOTPSecret(ctx, userID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return !sec.EnabledAt.IsZero(), nil
}

// TwoFactorStatus returns the user's own 2FA state. See tenantdesk.TwoFactorService.
func (s *TwoFactor) TwoFactorStatus(ctx context.Context) (*tenantdesk.TwoFactorStatus, error) {
	u, _, err := s.self(ctx, true)
	if err != nil {
		return nil, err
	}
	box, err := s.secretBox(ctx)
	if err != nil {
		return nil, err
	}
	st := &tenantdesk.TwoFactorStatus{}
	sec, err := s.d.Store.FindTOTPSecret(ctx, u.ID)
	switch {
	case tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND:
	case err != nil:
		return nil, err
	case !sec.EnabledAt.IsZero():
		st.Enabled, st.EnabledAt = true, sec.EnabledAt
		if st.RecoveryCodesLeft, err = s.d.Store.RecoveryCodesLeft(ctx, u.ID); err != nil {
			return nil, err
		}
	default:
		if expires := sec.CreatedAt.Add(tenantdesk.TOTPSetupTTL); s.d.now().Before(expires) {
			if st.Setup, err = setupOf(box, u, sec.Sealed, expires); err != nil {
				return nil, err
			}
		}
	}
	as, err := s.d.Store.FindAccountSecurity(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	st.RequiredByAccount = as.Require2FA
	return st, nil
}

// setupOf opens a pending secret and rebuilds its QR code URL.
func setupOf(box *auth.SecretBox, u *tenantdesk.User, sealed []byte, expires time.Time) (*tenantdesk.TOTPSetup, error) {
	secret, err := openSecret(box, u.ID, sealed)
	if err != nil {
		return nil, err
	}
	k, err := auth.TOTPKeyFor(secret, u.Email)
	if err != nil {
		return nil, err
	}
	return &tenantdesk.TOTPSetup{Secret: k.Secret, URL: k.URL, AccountName: u.Email, ExpiresAt: expires}, nil
}

// StartTOTPSetup generates a pending secret. A signed-in user confirms it
// with the current password first (checkPasswordForChange: a session left
// open must not enrol someone else's phone, ASVS 5.0 7.5.1); the enrolment
// of a pending sign-in has just checked the password and passes none. See
// tenantdesk.TwoFactorService: EINVALID (field "password") for a wrong
// password, ETHROTTLED past the limit, ECONFLICT when 2FA is already on.
func (s *TwoFactor) StartTOTPSetup(ctx context.Context, password string) (*tenantdesk.TOTPSetup, error) {
	u, pending, err := s.self(ctx, true)
	if err != nil {
		return nil, err
	}
	if !pending {
		release, err := s.checkPasswordForChange(ctx, u, "setup", password)
		if err != nil {
			return nil, err
		}
		release(false) // the password was right, and nothing else is guessed
	}
	box, err := s.secretBox(ctx)
	if err != nil {
		return nil, err
	}
	key, err := auth.NewTOTPKey(u.Email)
	if err != nil {
		return nil, err
	}
	sealed, err := box.Seal([]byte(key.Secret), totpAD(u.ID))
	if err != nil {
		return nil, err
	}
	var expires time.Time
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		stored, err := tx.PutPendingTOTP(ctx, u.AccountID, u.ID, sealed)
		if err != nil {
			return err
		}
		if !stored {
			return errAlreadyEnabled()
		}
		expires = tx.Now().Add(tenantdesk.TOTPSetupTTL)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &tenantdesk.TOTPSetup{Secret: key.Secret, URL: key.URL, AccountName: u.Email, ExpiresAt: expires}, nil
}

// CancelTOTPSetup drops a pending set-up. See tenantdesk.TwoFactorService.
func (s *TwoFactor) CancelTOTPSetup(ctx context.Context) error {
	u, _, err := s.self(ctx, true)
	if err != nil {
		return err
	}
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return tx.DeletePendingTOTP(ctx, u.ID)
	})
}

// ConfirmTOTPSetup turns 2FA on with a first code and ends the user's
// other sessions (endOtherSessions). See
// tenantdesk.TwoFactorService: EINVALID (field "code") for a wrong code,
// ENOTFOUND when no set-up is pending (or it expired), ECONFLICT when 2FA
// is on already.
func (s *TwoFactor) ConfirmTOTPSetup(ctx context.Context, code string) (*tenantdesk.TOTPEnabled, error) {
	u, pending, err := s.self(ctx, true)
	if err != nil {
		return nil, err
	}
	box, err := s.secretBox(ctx)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		sec, err := tx.FindTOTPSecret(ctx, u.ID)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND ||
			(err == nil && sec.EnabledAt.IsZero() && !tx.Now().Before(sec.CreatedAt.Add(tenantdesk.TOTPSetupTTL))) {
			return &tenantdesk.Error{Code: tenantdesk.ENOTFOUND, Key: "twofactor.error.no_setup",
				Message: "The set-up has expired. Start again to get a new QR code."}
		} else if err != nil {
			return err
		} else if !sec.EnabledAt.IsZero() {
			return errAlreadyEnabled()
		}
		if pending && (u.Status == tenantdesk.UserDisabled || !u.CanSignIn()) {
			return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
		}
		secret, err := openSecret(box, u.ID, sec.Sealed)
		if err != nil {
			return err
		}
		step, ok := auth.MatchTOTP(secret, code, tx.Now())
		if !ok {
			return errCode()
		}
		// The confirming code is used up like any other: its step is the last accepted one.
		if err := tx.EnableTOTP(ctx, u.ID, step); err != nil {
			return err
		}
		if codes, err = replaceRecoveryCodes(ctx, tx, u.ID); err != nil {
			return err
		}
		ended, err := endOtherSessions(ctx, tx, u)
		if err != nil {
			return err
		}
		e := selfAudit(u, tenantdesk.AuditTwoFactorEnabled)
		e.After = auditJSON(map[string]any{"method": "totp", "recoveryCodes": len(codes), "otherSessionsEnded": ended})
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		if err := s.d.queueTwoFactorMail(ctx, tx, u, tenantdesk.MailTwoFactorEnabled); err != nil {
			return err
		}
		if pending {
			// Enrolment was the second step of a sign-in: it is complete.
			if err := tx.ClearSecondFactorFailures(ctx, u.ID); err != nil {
				return err
			}
			e := selfAudit(u, tenantdesk.AuditSignIn)
			e.After = auditJSON(map[string]string{"method": tenantdesk.SignInMethodEnrolment})
			return audit(ctx, tx, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &tenantdesk.TOTPEnabled{User: u, RecoveryCodes: codes}, nil
}

// replaceRecoveryCodes replaces the user's recovery codes by ten new ones,
// stored as their hashes, and returns them in clear.
func replaceRecoveryCodes(ctx context.Context, tx tenantdesk.StoreTx, userID int64) ([]string, error) {
	codes := auth.NewRecoveryCodes(auth.RecoveryCodeCount)
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		hashes[i] = auth.HashRecoveryCode(c)
	}
	if err := tx.ReplaceRecoveryCodes(ctx, userID, hashes); err != nil {
		return nil, err
	}
	return codes, nil
}

// dummy returns a hash to verify against when the user has no password,
// so that it costs as much time as a wrong one.
func (s *TwoFactor) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash, _ = s.d.Hasher.Hash("tenantdesk-dummy-password") })
	return s.dummyHash
}

// checkPassword verifies u's portal password (slow: argon2id; call it
// outside a transaction).
func (s *TwoFactor) checkPassword(ctx context.Context, userID int64, password string) (bool, error) {
	if s.d.Hasher == nil {
		return false, errors.New("service: no password hasher")
	}
	if len(password) > 4*tenantdesk.MaxPasswordLen || !utf8.ValidString(password) {
		return false, nil
	}
	hash, err := s.d.Store.PasswordHash(ctx, userID)
	if err != nil {
		return false, err
	}
	if hash == "" {
		s.d.Hasher.Verify(s.dummy(), password)
		return false, nil
	}
	ok, _ := s.d.Hasher.Verify(hash, password)
	return ok, nil
}

// secondFactorWait returns how long userID's second factor stays locked at
// the transaction's time, 0 when it is not: the user is locked while they
// have ThrottleMaxSecondFactor failures in the ThrottleWindow, until the
// oldest of them leaves it.
func secondFactorWait(ctx context.Context, tx tenantdesk.StoreTx, userID int64) (time.Duration, error) {
	now := tx.Now()
	at, err := tx.SecondFactorFailureAt(ctx, userID, tenantdesk.ThrottleMaxSecondFactor, now.Add(-tenantdesk.ThrottleWindow))
	if err != nil || at.IsZero() {
		return 0, err
	}
	if w := at.Add(tenantdesk.ThrottleWindow).Sub(now); w > 0 {
		return w, nil
	}
	return 0, nil
}

// reserveAttempt reserves one attempt of the user's second factor before a
// slow password hash: a limit read before the hash and counted after it is
// no limit when guesses arrive in parallel. In one write transaction (the
// store's writers take turns) the user's failures are counted and, below
// the limit, the attempt is recorded as a failure at once. When the user is
// locked it writes nothing and returns how long to wait. release settles
// the reservation: release(true) keeps it as the failure, release(false)
// deletes it. Until released it counts against the limit; one never
// released (a crash) stays a failure. Call release outside Update.
func (s *TwoFactor) reserveAttempt(ctx context.Context, userID int64) (release func(failed bool), wait time.Duration, err error) {
	var id int64
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		w, err := secondFactorWait(ctx, tx, userID)
		if err != nil || w > 0 {
			wait = w
			return err
		}
		id, err = tx.InsertSecondFactorFailure(ctx, userID)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if wait > 0 {
		return nil, wait, nil
	}
	release = func(failed bool) {
		if failed {
			return
		}
		// Also when the request was cancelled meanwhile: the outcome is
		// known. Should the delete fail, the attempt merely counts as failed.
		ctx := context.WithoutCancel(ctx)
		s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error { return tx.DeleteSecondFactorFailure(ctx, id) })
	}
	return release, 0, nil
}

// secondFactorFailed audits a failed attempt in tx and, with count, counts
// it for throttling (not an attempt refused as throttled, nor one counted
// already when it was reserved, reserveAttempt). Old failures of the user
// are pruned on the way.
func secondFactorFailed(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User, purpose string, reason failReason, ip string, count bool) error {
	if reason != reasonThrottled {
		if err := tx.PruneSecondFactorFailures(ctx, u.ID, tx.Now().Add(-tenantdesk.ThrottleWindow)); err != nil {
			return err
		}
	}
	if count {
		if _, err := tx.InsertSecondFactorFailure(ctx, u.ID); err != nil {
			return err
		}
	}
	e := selfAudit(u, tenantdesk.AuditSecondFactorFailed)
	e.IP = ip
	e.After = auditJSON(map[string]string{"purpose": purpose, "reason": string(reason)})
	return audit(ctx, tx, e)
}

// recordSecondFactorFailure audits a refused or reserved (so already
// counted) attempt, secondFactorFailed in its own transaction.
func (s *TwoFactor) recordSecondFactorFailure(ctx context.Context, u *tenantdesk.User, purpose string, reason failReason) error {
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return secondFactorFailed(ctx, tx, u, purpose, reason, "", false)
	})
}

// checkPasswordForChange is the common first part of starting a set-up,
// regenerating codes and disabling: the throttle, then the password (a wrong one counts). The
// attempt is reserved before the password is hashed (reserveAttempt); after
// a right password the caller settles it with release: release(true) keeps
// it as a failure (a wrong code when disabling), release(false) drops it.
func (s *TwoFactor) checkPasswordForChange(ctx context.Context, u *tenantdesk.User, purpose, password string) (release func(failed bool), err error) {
	release, wait, err := s.reserveAttempt(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		if err := s.recordSecondFactorFailure(ctx, u, purpose, reasonThrottled); err != nil {
			return nil, err
		}
		return nil, errThrottled(wait)
	}
	ok, err := s.checkPassword(ctx, u.ID, password)
	if err != nil {
		release(false)
		return nil, err
	}
	if !ok {
		release(true) // the reservation is the counted failure
		if err := s.recordSecondFactorFailure(ctx, u, purpose, reasonWrongPassword); err != nil {
			return nil, err
		}
		return nil, errPassword()
	}
	return release, nil
}

// RegenerateRecoveryCodes replaces the recovery codes and ends the user's
// other sessions (endOtherSessions). See
// tenantdesk.TwoFactorService: EINVALID (field "password") for a wrong
// password, ECONFLICT when 2FA is off, ETHROTTLED past the limit.
func (s *TwoFactor) RegenerateRecoveryCodes(ctx context.Context, password string) ([]string, error) {
	u, _, err := s.self(ctx, false)
	if err != nil {
		return nil, err
	}
	release, err := s.checkPasswordForChange(ctx, u, "regenerate", password)
	if err != nil {
		return nil, err
	}
	release(false) // the password was right, and nothing else is guessed
	var codes []string
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		left, err := tx.RecoveryCodesLeft(ctx, u.ID)
		if err != nil {
			return err
		}
		if on, err := totpEnabled(ctx, tx, u.ID); err != nil {
			return err
		} else if !on {
			return errNotEnabled()
		}
		if codes, err = replaceRecoveryCodes(ctx, tx, u.ID); err != nil {
			return err
		}
		ended, err := endOtherSessions(ctx, tx, u)
		if err != nil {
			return err
		}
		e := selfAudit(u, tenantdesk.AuditRecoveryRegenerated)
		e.Before = auditJSON(map[string]int{"recoveryCodesLeft": left})
		e.After = auditJSON(map[string]int{"recoveryCodesLeft": len(codes), "otherSessionsEnded": ended})
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		return s.d.queueTwoFactorMail(ctx, tx, u, tenantdesk.MailRecoveryRegenerated)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// useTOTPCode checks code against the user's enabled secret and, when it
// belongs to a step later than the last accepted one, records that step
// (compare-and-set, so of two concurrent uses of one code only one wins).
// reason says why a code was refused: "wrong_code", "replayed_code" or
// "not_enabled".
func useTOTPCode(ctx context.Context, tx tenantdesk.StoreTx, box *auth.SecretBox, userID int64, code string) (reason failReason, err error) {
	sec, err := tx.FindTOTPSecret(ctx, userID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND || (err == nil && sec.EnabledAt.IsZero()) {
		return "not_enabled", nil
	} else if err != nil {
		return "", err
	}
	secret, err := openSecret(box, userID, sec.Sealed)
	if err != nil {
		return "", err
	}
	step, ok := auth.MatchTOTP(secret, code, tx.Now())
	if !ok {
		return reasonWrongCode, nil
	}
	if ok, err := tx.AcceptTOTPStep(ctx, userID, step); err != nil {
		return "", err
	} else if !ok {
		return reasonReplayedCode, nil
	}
	return "", nil
}

// DisableTOTP turns 2FA off and ends the user's other sessions
// (endOtherSessions). code is a current code from the app or an
// unused recovery code (told apart by their format, auth.HashRecoveryCode);
// a recovery code is used up, and the audit entry names the method, so a
// user who lost the phone gets out with the password and a recovery code.
// See tenantdesk.TwoFactorService: EINVALID (field "password" or "code"),
// ECONFLICT when 2FA is off, ETHROTTLED past the limit.
func (s *TwoFactor) DisableTOTP(ctx context.Context, password, code string) error {
	u, _, err := s.self(ctx, false)
	if err != nil {
		return err
	}
	release, err := s.checkPasswordForChange(ctx, u, "disable", password)
	if err != nil {
		return err
	}
	// The reservation is held until the code is checked too: a wrong code
	// keeps it as the counted failure, so parallel requests with the right
	// password cannot guess codes past the limit either.
	failed := false
	defer func() { release(failed) }()
	box, err := s.secretBox(ctx)
	if err != nil {
		return err
	}
	method := tenantdesk.SignInMethodTOTP
	recovery := auth.HashRecoveryCode(code)
	if recovery != nil {
		method = tenantdesk.SignInMethodRecoveryCode
	}
	var refused error // a refusal whose failure is recorded (committed)
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if on, err := totpEnabled(ctx, tx, u.ID); err != nil {
			return err
		} else if !on {
			return errNotEnabled()
		}
		left, err := tx.RecoveryCodesLeft(ctx, u.ID)
		if err != nil {
			return err
		}
		var reason failReason
		if recovery != nil {
			// Used up by a compare-and-set: of two requests with one code only one wins.
			if ok, err := tx.UseRecoveryCode(ctx, u.ID, recovery); err != nil {
				return err
			} else if !ok {
				reason = reasonWrongRecovery
			}
		} else if reason, err = useTOTPCode(ctx, tx, box, u.ID, code); err != nil {
			return err
		}
		switch reason {
		case "":
		case "not_enabled":
			return errNotEnabled()
		default:
			failed, refused = true, errDisableCode()
			return secondFactorFailed(ctx, tx, u, "disable", reason, "", false)
		}
		if err := tx.DeleteTOTP(ctx, u.ID); err != nil {
			return err
		}
		ended, err := endOtherSessions(ctx, tx, u)
		if err != nil {
			return err
		}
		e := selfAudit(u, tenantdesk.AuditTwoFactorDisabled)
		e.Before = auditJSON(map[string]any{"enabled": true, "recoveryCodesLeft": left})
		e.After = auditJSON(map[string]any{"enabled": false, "method": method, "otherSessionsEnded": ended})
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		return s.d.queueTwoFactorMail(ctx, tx, u, tenantdesk.MailTwoFactorDisabled)
	})
	if err != nil {
		return err
	}
	return refused
}

// SecondFactorStep says what a user owes after a correct password. See
// tenantdesk.TwoFactorService: ENOTFOUND for an unknown user.
func (s *TwoFactor) SecondFactorStep(ctx context.Context, userID int64) (string, error) {
	st, err := s.d.Store.SecondFactorState(ctx, userID)
	if err != nil {
		return "", err
	}
	return st.Step(), nil
}

// VerifySecondFactor completes a sign-in with a code or a recovery code.
// See tenantdesk.TwoFactorService: EUNAUTHORIZED for anything wrong (a
// recovery code wrong or used already has a message of its own, which
// points back to the app), ETHROTTLED past the limit, EFORBIDDEN for a
// user disabled meanwhile.
func (s *TwoFactor) VerifySecondFactor(ctx context.Context, in tenantdesk.SecondFactorInput) (*tenantdesk.User, error) {
	box, err := s.secretBox(ctx)
	if err != nil {
		return nil, err
	}
	var out *tenantdesk.User
	var refused error // a refusal whose failure is recorded (committed)
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := tx.FindUserByID(ctx, in.UserID)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			return errSecondFactor()
		} else if err != nil {
			return err
		}
		method := tenantdesk.SignInMethodTOTP
		if in.RecoveryCode != "" {
			method = tenantdesk.SignInMethodRecoveryCode
		}
		purpose := "signin_" + method
		// The throttle is checked inside the write transaction, so
		// concurrent attempts cannot all slip under the limit.
		wait, err := secondFactorWait(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		fail := func(reason failReason, ret error) error {
			refused = ret
			return secondFactorFailed(ctx, tx, u, purpose, reason, in.IP, reason != reasonThrottled)
		}
		if wait > 0 {
			return fail(reasonThrottled, errThrottled(wait))
		}
		if u.Status == tenantdesk.UserDisabled || !u.CanSignIn() {
			e := tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "This user is disabled. Ask an administrator of your account to enable it.")
			e.Key = "signin.error.disabled"
			return fail(reasonDisabled, e)
		}
		left := -1
		if method == tenantdesk.SignInMethodRecoveryCode {
			h := auth.HashRecoveryCode(in.RecoveryCode)
			if h == nil {
				return fail(reasonWrongRecovery, errRecoveryCode())
			}
			if ok, err := tx.UseRecoveryCode(ctx, u.ID, h); err != nil {
				return err
			} else if !ok {
				return fail(reasonWrongRecovery, errRecoveryCode())
			}
			if left, err = tx.RecoveryCodesLeft(ctx, u.ID); err != nil {
				return err
			}
		} else {
			reason, err := useTOTPCode(ctx, tx, box, u.ID, in.Code)
			if err != nil {
				return err
			}
			if reason != "" {
				return fail(reason, errSecondFactor())
			}
		}
		if err := tx.ClearSecondFactorFailures(ctx, u.ID); err != nil {
			return err
		}
		e := selfAudit(u, tenantdesk.AuditSignIn)
		e.IP = in.IP
		after := map[string]any{"method": method}
		if left >= 0 {
			after["recoveryCodesLeft"] = left
		}
		e.After = auditJSON(after)
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		if left >= 0 {
			if err := s.d.queueTwoFactorMail(ctx, tx, u, tenantdesk.MailRecoveryCodeUsed); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return out, nil
}

// ResetTwoFactor removes the second factor and the recovery codes of the
// user with email, and unlocks a locked second factor, on the platform
// operator's behalf (tenantdesk 2fa reset): audited as user.2fa_reset and
// emailed to the user. EFORBIDDEN for anyone but the operator, ENOTFOUND
// for an unknown email, ECONFLICT when the user has no 2FA.
func (o *Operator) ResetTwoFactor(ctx context.Context, email string) (*tenantdesk.User, error) {
	if a := tenantdesk.ActorFrom(ctx); a == nil || !a.Operator {
		return nil, tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "Only the platform operator can reset a second factor.")
	}
	var out *tenantdesk.User
	err := o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := tx.FindUserByEmail(ctx, email)
		if err != nil {
			return err
		}
		if on, err := totpEnabled(ctx, tx, u.ID); err != nil {
			return err
		} else if !on {
			return tenantdesk.Errorf(tenantdesk.ECONFLICT, "%s has no two-factor authentication to reset.", u.Email)
		}
		left, err := tx.RecoveryCodesLeft(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := tx.DeleteTOTP(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.ClearSecondFactorFailures(ctx, u.ID); err != nil { // a locked second factor is unlocked too
			return err
		}
		if err := audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditTwoFactorReset,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
			Before: auditJSON(map[string]any{"enabled": true, "recoveryCodesLeft": left}),
			After:  auditJSON(map[string]any{"enabled": false}),
		}); err != nil {
			return err
		}
		out = u
		return o.d.queueTwoFactorMail(ctx, tx, u, tenantdesk.MailTwoFactorResetByOper)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
