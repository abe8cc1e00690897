package service

import (
	"context"
	"sync"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Auth signs people in and out (tenantdesk.AuthService): the password
// check with its throttle, and the audit of every outcome.
type Auth struct {
	d *Deps
	// steps says whether a user owes a second factor after the password
	// (the two-factor service; the store until that flow moves here).
	steps secondFactorSteps

	dummyOnce sync.Once
	dummyHash string
}

// secondFactorSteps is tenantdesk.TwoFactorService.SecondFactorStep.
type secondFactorSteps interface {
	SecondFactorStep(ctx context.Context, userID int64) (string, error)
}

var _ tenantdesk.AuthService = (*Auth)(nil)

// NewAuth returns the sign-in service; steps tells what a user owes after
// a right password (tenantdesk.TwoFactorService).
func NewAuth(d *Deps, steps secondFactorSteps) (*Auth, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Hasher == nil {
		return nil, errNoHasher
	}
	return &Auth{d: d, steps: steps}, nil
}

// errSignIn is the one answer to every failed sign-in, so the page never
// tells whether an email exists.
func errSignIn() error {
	return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Incorrect email or password.")
}

// dummy returns a hash to verify against when the email is unknown, so that
// an unknown email costs as much time as a wrong password.
func (s *Auth) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash, _ = s.d.Hasher.Hash("tenantdesk-dummy-password") })
	return s.dummyHash
}

// signInEmail is the email as sign-in throttles and audits it: normalized,
// cut to tenantdesk.MaxEmailLen.
func signInEmail(email string) string {
	email = tenantdesk.NormalizeEmail(email)
	if len(email) > tenantdesk.MaxEmailLen {
		email = email[:tenantdesk.MaxEmailLen]
	}
	return email
}

// SignIn verifies email and password. It returns EUNAUTHORIZED with one
// message whatever was wrong (unknown email, wrong password, no password
// yet), ETHROTTLED with RetryAfterSeconds past ThrottleMaxPerEmail wrong
// passwords of the email or ThrottleMaxPerIP of the client IP in the
// window (the attempt is reserved before the slow hash), and EFORBIDDEN
// for a right password of a disabled user, of one without website
// access, or of a user of a disabled account. Every outcome is audited; a
// success clears the email's failures.
func (s *Auth) SignIn(ctx context.Context, in tenantdesk.SignInInput) (*tenantdesk.User, *tenantdesk.Account, error) {
	email := tenantdesk.NormalizeEmail(in.Email)
	if len(email) > 4*tenantdesk.MaxEmailLen || len(in.Password) > 4*tenantdesk.MaxPasswordLen {
		return nil, nil, errSignIn()
	}
	// As auditSignIn stores it, so that a success clears it.
	release, wait, err := s.d.reserveAttempt(ctx, tenantdesk.AttemptSignIn, signInKeys(signInEmail(email), in.IP)...)
	if err != nil {
		return nil, nil, err
	} else if wait > 0 {
		s.auditSignIn(ctx, nil, in, tenantdesk.AuditSignInFailed, reasonThrottled)
		return nil, nil, throttleError("Too many failed sign-in attempts.", wait)
	}
	// The reservation stays a failure only for a wrong password (or an
	// unknown email); any other outcome, errors before the check included,
	// releases it.
	failed := false
	defer func() { release(failed) }()

	u, err := s.d.Store.FindUserByEmail(ctx, email)
	if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		return nil, nil, err
	} else if err != nil {
		u = nil
	}
	var hash string
	if u != nil {
		if hash, err = s.d.Store.CredentialHash(ctx, u.ID, tenantdesk.CredentialPassword); err != nil {
			return nil, nil, err
		}
	}
	ok := false
	if hash != "" {
		ok, _ = s.d.Hasher.Verify(hash, in.Password)
	} else {
		s.d.Hasher.Verify(s.dummy(), in.Password) // same cost whether or not the email exists
	}
	if !ok || !utf8.ValidString(in.Password) {
		failed = true
		reason := reasonWrongPassword
		if u == nil {
			reason = reasonUnknownEmail
		} else if hash == "" {
			reason = reasonNoPassword
		}
		if err := s.auditSignIn(ctx, u, in, tenantdesk.AuditSignInFailed, reason); err != nil {
			return nil, nil, err
		}
		return nil, nil, errSignIn()
	}
	if u.Status == tenantdesk.UserDisabled {
		s.auditSignIn(ctx, u, in, tenantdesk.AuditSignInFailed, reasonDisabled)
		e := tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "This user is disabled. Ask an administrator of your account to enable it.")
		e.Key = "signin.error.disabled"
		return nil, nil, e
	}
	if !u.CanSignIn() {
		s.auditSignIn(ctx, u, in, tenantdesk.AuditSignInFailed, reasonNoWebsiteAccess)
		e := tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "This user has no access to the portal (website access role). Ask an administrator of your account.")
		e.Key = "signin.error.no_access"
		return nil, nil, e
	}
	a, err := s.d.Store.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return nil, nil, err
	}
	if a.Disabled() { // by its partner or the operator (customer_status.go)
		s.auditSignIn(ctx, u, in, tenantdesk.AuditSignInFailed, reasonAccountDisabled)
		return nil, nil, errAccountDisabled()
	}
	// With a second factor owed, the password step is audited as such;
	// auth.signin follows the second factor (the two-factor service).
	action := tenantdesk.AuditSignIn
	if step, err := s.steps.SecondFactorStep(ctx, u.ID); err != nil {
		return nil, nil, err
	} else if step != tenantdesk.SecondFactorNone {
		action = tenantdesk.AuditSignInPassword
	}
	if err := s.auditSignIn(ctx, u, in, action, ""); err != nil {
		return nil, nil, err
	}
	return u, a, nil
}

// auditSignIn records a sign-in outcome in its own transaction (Record: an
// audit row and the email's attempts, no rule); a success clears the
// email's failures. (A failed attempt was counted when it was
// reserved, SignIn.)
func (s *Auth) auditSignIn(ctx context.Context, u *tenantdesk.User, in tenantdesk.SignInInput, action string, reason failReason) error {
	email := signInEmail(in.Email)
	success := action == tenantdesk.AuditSignIn || action == tenantdesk.AuditSignInPassword
	e := &tenantdesk.AuditEntry{Action: action, IP: in.IP, ActorName: email}
	if u != nil {
		e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
		if success {
			e.ActorUserID, e.ActorName = u.ID, u.DisplayName
		}
	}
	if reason != "" {
		e.After = auditJSON(map[string]string{"reason": string(reason)})
	}
	return s.d.Store.Record(ctx, func(tx tenantdesk.StoreTx) error {
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		if success {
			return tx.ClearAttempts(ctx, tenantdesk.AttemptSignIn, email)
		}
		return nil
	})
}

// SignedOut records that u ended their session (auth.signout).
func (s *Auth) SignedOut(ctx context.Context, u *tenantdesk.User) error {
	return s.d.Store.Record(ctx, func(tx tenantdesk.StoreTx) error {
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditSignOut,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID)})
	})
}

// checkNewPassword applies the password policy (tenantdesk.CheckNewPassword)
// to a new password of userID, with the user's email and account name.
// Every path that sets a password goes through it. Returns EINVALID (field
// "password") for a password the policy refuses, ENOTFOUND for an unknown
// user.
func (d *Deps) checkNewPassword(ctx context.Context, userID int64, password string) error {
	u, err := d.Store.FindUserByID(ctx, userID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
	} else if err != nil {
		return err
	}
	acc, err := d.Store.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return err
	}
	if e := tenantdesk.CheckNewPassword(password, u.Email, acc.Name, auth.CommonPasswords(), acc.ParentName); e != nil {
		return e
	}
	return nil
}

// hashPassword hashes a new password (slow: call it outside a transaction).
func (d *Deps) hashPassword(password string) (string, error) {
	if d.Hasher == nil {
		return "", errNoHasher
	}
	return d.Hasher.Hash(password)
}

// activate makes the invited user u (as stored in tx) active, through the
// one write path of users, with e as its audit entry.
func (d *Deps) activate(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User, by tenantdesk.ChangeBy, e *tenantdesk.AuditEntry) (*tenantdesk.User, error) {
	acc, err := tx.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	after := copyUser(u)
	after.Status = tenantdesk.UserActive
	if _, err := d.writeUser(ctx, tx, userWrite{acc: acc, before: u, after: after, by: by, audit: e}); err != nil {
		return nil, err
	}
	return after, nil
}

// SetPassword sets a user's portal password (tenantdesk user passwd, the
// demo data) and makes an invited user active, audited as
// user.password_set. Returns EINVALID for a password the policy refuses
// (length, common passwords, the user's email or account name), ENOTFOUND
// for an unknown user, EFORBIDDEN for an actor that is not the operator.
func (o *Operator) SetPassword(ctx context.Context, userID int64, password string) error {
	if err := requireOperator(ctx); err != nil {
		return err
	}
	if err := o.d.checkNewPassword(ctx, userID, password); err != nil {
		return err
	}
	hash, err := o.d.hashPassword(password) // outside the transaction: it is slow
	if err != nil {
		return err
	}
	return o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := tx.FindUserByID(ctx, userID)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
		} else if err != nil {
			return err
		}
		if err := tx.SetCredentialHash(ctx, u.ID, tenantdesk.CredentialPassword, hash); err != nil {
			return err
		}
		e := &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditPasswordSet,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID)}
		if u.Status == tenantdesk.UserInvited {
			_, err := o.d.activate(ctx, tx, u, tenantdesk.ByOperator, e)
			return err
		}
		return audit(ctx, tx, e)
	})
}
