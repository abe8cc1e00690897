package tenantdesk

import (
	"context"
	"time"
)

// CredentialReads read users' credentials, inside a transaction or not.
type CredentialReads interface {
	// CredentialHash returns the hash of the user's credential of kind,
	// "" when the user has none.
	CredentialHash(ctx context.Context, userID int64, kind string) (string, error)
}

// CredentialTx writes users' credentials.
type CredentialTx interface {
	// SetCredentialHash stores the hash of the user's credential of kind,
	// replacing the one it had; its time becomes the transaction's time.
	SetCredentialHash(ctx context.Context, userID int64, kind, hash string) error
}

// StoreClock is the store's clock outside a transaction, for reads that
// depend on the time (a link's expiry).
type StoreClock interface {
	// CurrentTime is the time now, as a transaction begun now has it (StoreTx.Now).
	CurrentTime() time.Time
}

// LinkReads read the single-use links emailed to users outside a write
// transaction (LinkTx has the same inside one).
type LinkReads interface {
	// FindLink returns the link of kind with the token hash; ENOTFOUND if none.
	FindLink(ctx context.Context, kind string, tokenHash []byte) (*Link, error)
}

// Attempt kinds: what a throttle counts. Each kind keeps its attempts
// apart, under its own keys, in order:
const (
	// AttemptSignIn: failed password checks, keys (email, client IP).
	AttemptSignIn = "signin"
	// AttemptSecondFactor: failed checks of 2FA changes, key (user ID).
	AttemptSecondFactor = "second_factor"
	// AttemptResetRequest: "Forgot password" requests, key (client IP).
	AttemptResetRequest = "reset_request"
)

// AttemptKey is one key an attempt is counted under, with the limit the
// caller applies to it: at most Limit attempts within Window. Limit 0
// records the value without limiting it.
type AttemptKey struct {
	Value  any // a string, or the user ID of AttemptSecondFactor
	Limit  int
	Window time.Duration
}

// AttemptTx counts attempts for throttles. Writers take turns (Store.Update),
// so counting and recording in one transaction is one step: however many
// attempts arrive at once, no more than a key's limit are ever recorded.
type AttemptTx interface {
	// ReserveAttempt records an attempt of kind under keys (one per key of
	// the kind, in order) and returns its ID, unless a key already has
	// Limit attempts within its Window: then it writes nothing and returns
	// how long until the oldest of those leaves the window.
	ReserveAttempt(ctx context.Context, kind string, keys ...AttemptKey) (id int64, wait time.Duration, err error)
	// DeleteAttempt deletes the attempt of kind with id.
	DeleteAttempt(ctx context.Context, kind string, id int64) error
	// ClearAttempts deletes every attempt of kind whose first key is value.
	ClearAttempts(ctx context.Context, kind string, value any) error
}

// SignInTx is what the emailed-link flows need of links and sessions
// besides LinkTx and SessionTx.
type SignInTx interface {
	// UnusedLinkSince reports whether the user has an unused link of kind
	// issued after since.
	UnusedLinkSince(ctx context.Context, userID int64, kind string, since time.Time) (bool, error)
	// CountUserSessions returns how many sessions the user has.
	CountUserSessions(ctx context.Context, userID int64) (int64, error)
}
