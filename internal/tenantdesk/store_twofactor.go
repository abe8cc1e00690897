package tenantdesk

import (
	"context"
	"time"
)

// TOTPSecret is a user's TOTP secret as stored: sealed (the services seal
// and open it with the at-rest key), pending until it is enabled.
type TOTPSecret struct {
	UserID    int64
	Sealed    []byte
	CreatedAt time.Time
	EnabledAt time.Time // zero: a set-up waiting for its first code
}

// TwoFactorReads read users' second factors, inside a transaction or not.
type TwoFactorReads interface {
	// FindTOTPSecret returns the user's TOTP secret, pending or enabled;
	// ENOTFOUND when there is none.
	FindTOTPSecret(ctx context.Context, userID int64) (*TOTPSecret, error)
	// RecoveryCodesLeft returns how many unused recovery codes the user has.
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)
	// SecondFactorState returns whether the user has 2FA on and whether
	// their account requires it; ENOTFOUND when there is no such user.
	SecondFactorState(ctx context.Context, userID int64) (SecondFactorState, error)
	// PasswordHash returns the user's portal password hash ("" when they
	// have none).
	PasswordHash(ctx context.Context, userID int64) (string, error)
}

// TwoFactorTx writes users' second factors and counts their failures.
type TwoFactorTx interface {
	// PutPendingTOTP stores sealed as the user's pending secret, created
	// at the transaction's time with no step accepted yet, replacing a
	// pending one. It writes nothing and returns false when the user's
	// secret is enabled.
	PutPendingTOTP(ctx context.Context, accountID, userID int64, sealed []byte) (bool, error)
	// DeletePendingTOTP deletes the user's pending secret (nothing when
	// there is none or it is enabled).
	DeletePendingTOTP(ctx context.Context, userID int64) error
	// EnableTOTP enables the user's pending secret as of the transaction's
	// time, with step as the last accepted time step.
	EnableTOTP(ctx context.Context, userID, step int64) error
	// AcceptTOTPStep records step as the last accepted time step of the
	// user's enabled secret if it is later than the last one (compare and
	// set: of two transactions with one step only one succeeds); false when
	// it is not later, or the secret is not enabled.
	AcceptTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	// DeleteTOTP deletes the user's secret (pending or enabled) and
	// recovery codes.
	DeleteTOTP(ctx context.Context, userID int64) error
	// ReplaceRecoveryCodes deletes the user's recovery codes and stores
	// the given hashes as new, unused ones.
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte) error
	// UseRecoveryCode marks the user's unused recovery code with hash used
	// (compare and set), if the user's secret is enabled; false when there
	// is no such code.
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte) (bool, error)

	// SecondFactorFailureAt returns the time of the user's nth newest
	// second-factor failure (1: the newest) later than since; zero when
	// they have fewer. Read in the transaction that records the next
	// failure, it makes a limit (writers take turns).
	SecondFactorFailureAt(ctx context.Context, userID int64, n int, since time.Time) (time.Time, error)
	// InsertSecondFactorFailure records a failure of the user at the
	// transaction's time and returns its ID.
	InsertSecondFactorFailure(ctx context.Context, userID int64) (int64, error)
	// DeleteSecondFactorFailure deletes the failure with id.
	DeleteSecondFactorFailure(ctx context.Context, id int64) error
	// PruneSecondFactorFailures deletes the user's failures at or before t.
	PruneSecondFactorFailures(ctx context.Context, userID int64, t time.Time) error
	// ClearSecondFactorFailures deletes every failure of the user.
	ClearSecondFactorFailures(ctx context.Context, userID int64) error
}

// AccountSecurityReads read accounts' Security settings.
type AccountSecurityReads interface {
	// FindAccountSecurity returns the account's settings, the defaults
	// (nothing required, no maximum) when they were never set.
	FindAccountSecurity(ctx context.Context, accountID int64) (*AccountSecurity, error)
}

// AccountSecurityTx writes accounts' Security settings.
type AccountSecurityTx interface {
	// PutAccountSecurity stores s for s.AccountID.
	PutAccountSecurity(ctx context.Context, s *AccountSecurity) error
}

// Secrets are named secrets the store keeps for the process (the
// generated at-rest key), read and written outside transactions.
type Secrets interface {
	// FindSecret returns the secret called name; ENOTFOUND when none is stored.
	FindSecret(ctx context.Context, name string) ([]byte, error)
	// LoadOrCreateSecret returns the secret called name, storing gen's
	// value first when there is none (of concurrent first calls, one
	// value is kept and returned to all).
	LoadOrCreateSecret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)
}
