package tenantdesk

import (
	"context"
	"time"
)

// Two-factor authentication (TOTP) policy.
const (
	// TOTPSetupTTL is how long a generated, not yet confirmed secret waits
	// for its first code.
	TOTPSetupTTL = 30 * time.Minute
	// SecondFactorTTL is how long the state between a correct password and
	// the second factor lasts at sign-in; EnrolmentTTL the same when the
	// account requires 2FA and the person is setting it up (installing an
	// app takes longer than typing a code).
	SecondFactorTTL = 5 * time.Minute
	EnrolmentTTL    = 15 * time.Minute
	// ThrottleMaxSecondFactor failed second-factor attempts per user within
	// ThrottleWindow lock the second factor (not the password) until the
	// oldest of them leaves the window.
	ThrottleMaxSecondFactor = 5
)

// Second-factor steps after a correct password (SecondFactorStep).
const (
	SecondFactorNone   = ""       // signed in at once
	SecondFactorVerify = "verify" // 2FA is on: ask for a code or a recovery code
	SecondFactorEnrol  = "enrol"  // the account requires 2FA and the user has none: set it up first
)

// SecondFactorState is what a sign-in needs to know of a user's second factor.
type SecondFactorState struct {
	Enabled  bool // the user has 2FA on
	Required bool // the user's account requires 2FA (its Security tab)
}

// Step is what the user owes after a correct password: a code when 2FA is
// on, else an enrolment when the account requires it, else nothing.
func (s SecondFactorState) Step() string {
	switch {
	case s.Enabled:
		return SecondFactorVerify
	case s.Required:
		return SecondFactorEnrol
	}
	return SecondFactorNone
}

// Sign-in methods recorded with auth.signin.
const (
	SignInMethodPassword     = "password"
	SignInMethodTOTP         = "totp"
	SignInMethodRecoveryCode = "recovery_code"
	SignInMethodEnrolment    = "totp_enrolment"
)

// Audit actions of two-factor authentication.
const (
	// AuditSignInPassword: the password was right, the second factor is
	// still owed (auth.signin follows once it is given).
	AuditSignInPassword      = "auth.signin_password"
	AuditSecondFactorFailed  = "auth.2fa_failed"
	AuditTwoFactorEnabled    = "user.2fa_enabled"
	AuditTwoFactorDisabled   = "user.2fa_disabled"
	AuditRecoveryRegenerated = "user.2fa_recovery_regenerated"
	AuditTwoFactorReset      = "user.2fa_reset"
)

// Mail kinds of two-factor authentication: each tells the user of a change
// to their second factor.
const (
	MailTwoFactorEnabled     = "2fa_enabled"
	MailTwoFactorDisabled    = "2fa_disabled"
	MailRecoveryRegenerated  = "2fa_recovery_regenerated"
	MailRecoveryCodeUsed     = "2fa_recovery_used"
	MailTwoFactorResetByOper = "2fa_reset"
)

// TwoFactorStatus is a user's own view of their second factor.
type TwoFactorStatus struct {
	Enabled           bool
	EnabledAt         time.Time
	RecoveryCodesLeft int
	// Setup is the pending set-up (nil when there is none or it expired).
	Setup *TOTPSetup
	// RequiredByAccount is the account's Security setting.
	RequiredByAccount bool
}

// TOTPSetup is a generated secret waiting for its first code.
type TOTPSetup struct {
	Secret      string // base32, to type into an app
	URL         string // otpauth:// URL, for the QR code
	AccountName string // the name the app shows: the user's email
	ExpiresAt   time.Time
}

// TOTPEnabled is the result of confirming a set-up: the recovery codes in
// clear, which exist nowhere else (only their hashes are stored) and are
// shown once.
type TOTPEnabled struct {
	User          *User
	RecoveryCodes []string
}

// SecondFactorInput is the second step of a sign-in: a code from the app or
// a recovery code (exactly one of them).
type SecondFactorInput struct {
	UserID       int64
	Code         string
	RecoveryCode string
	IP           string
	UserAgent    string
}

// PendingSignIn is a person who gave the right password and owes the
// second factor. The web layer puts it into the context of the sign-in
// second step only; it is not a signed-in actor and grants nothing else.
type PendingSignIn struct {
	UserID int64
	// Enrol: the account requires 2FA and the user is setting it up; only
	// then may the set-up methods act for this user.
	Enrol bool
}

type pendingKey struct{}

// WithPendingSignIn returns ctx carrying p.
func WithPendingSignIn(ctx context.Context, p *PendingSignIn) context.Context {
	return context.WithValue(ctx, pendingKey{}, p)
}

// PendingSignInFrom returns the pending sign-in of ctx, or nil.
func PendingSignInFrom(ctx context.Context) *PendingSignIn {
	p, _ := ctx.Value(pendingKey{}).(*PendingSignIn)
	return p
}

// TwoFactorService manages a user's TOTP second factor and checks it at
// sign-in. The methods without a user ID act on the signed-in actor's own
// user (or, for StartTOTPSetup, ConfirmTOTPSetup, CancelTOTPSetup and
// TwoFactorStatus, on the user of a PendingSignIn with Enrol); without
// either they return EUNAUTHORIZED. Turning 2FA on or off and new
// recovery codes end the user's other sessions (not the actor's own).
//
// Wrong passwords and codes given to StartTOTPSetup, DisableTOTP and
// RegenerateRecoveryCodes count as second-factor failures, like wrong codes at sign-in: past
// ThrottleMaxSecondFactor in ThrottleWindow every such call returns
// ETHROTTLED (RetryAfterSeconds set). Every change and failure is audited;
// enabling, disabling, regenerating and using a recovery code email the
// user. (The operator's reset of a lost second factor is no part of it: the
// web layer never gets it.)
type TwoFactorService interface {
	// TwoFactorStatus returns the user's own second-factor state.
	TwoFactorStatus(ctx context.Context) (*TwoFactorStatus, error)
	// StartTOTPSetup generates a new secret, kept server-side (encrypted)
	// until confirmed, replacing an earlier pending one. A signed-in user
	// gives the current password (EINVALID, field "password", when wrong);
	// a PendingSignIn's enrolment passes "" (its password was just
	// checked). ECONFLICT when 2FA is already on.
	StartTOTPSetup(ctx context.Context, password string) (*TOTPSetup, error)
	// CancelTOTPSetup drops a pending set-up (nothing when there is none).
	CancelTOTPSetup(ctx context.Context) error
	// ConfirmTOTPSetup turns 2FA on when code is a current code of the
	// pending secret, and returns ten new recovery codes. EINVALID (field
	// "code") for a wrong code; ENOTFOUND when no set-up is pending (or it
	// expired). For a PendingSignIn it also completes the sign-in (audited
	// auth.signin, method totp_enrolment).
	ConfirmTOTPSetup(ctx context.Context, code string) (*TOTPEnabled, error)
	// RegenerateRecoveryCodes replaces the recovery codes after checking
	// the password. EINVALID (field "password") for a wrong password;
	// ECONFLICT when 2FA is off.
	RegenerateRecoveryCodes(ctx context.Context, password string) ([]string, error)
	// DisableTOTP turns 2FA off and deletes the recovery codes; it needs
	// the password and, in code, a current code from the app or an unused
	// recovery code (used up; the audit entry's method says which, and a
	// user who lost the phone gets out this way). EINVALID (field
	// "password" or "code"); ECONFLICT when 2FA is off.
	DisableTOTP(ctx context.Context, password, code string) error

	// SecondFactorStep says what a user must do after a correct password:
	// SecondFactorNone, SecondFactorVerify or SecondFactorEnrol.
	SecondFactorStep(ctx context.Context, userID int64) (string, error)
	// VerifySecondFactor completes a sign-in with a code (accepted once:
	// only a time step later than the last accepted one) or an unused
	// recovery code (used up). EUNAUTHORIZED for anything wrong, with one
	// generic message per method (a recovery code wrong or used already is
	// told so); ETHROTTLED past the limit; EFORBIDDEN when the user
	// was disabled meanwhile. Success is audited as auth.signin with the
	// method.
	VerifySecondFactor(ctx context.Context, in SecondFactorInput) (*User, error)
}
