package tenantdesk

import (
	"context"
	"time"
)

// PasswordHasher hashes and verifies passwords (argon2id in internal/auth).
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Verify reports whether password matches encoded. It returns an error
	// only for a malformed hash.
	Verify(encoded, password string) (bool, error)
}

// Sign-in throttling policy: failures are counted per email and per client IP
// in a sliding window; past the limit, sign-in is refused until the window
// that holds the oldest counted failure has passed.
const (
	ThrottleWindow       = 15 * time.Minute
	ThrottleMaxPerEmail  = 5
	ThrottleMaxPerIP     = 20
	MinPasswordLen       = 12
	MaxPasswordLen       = 128
	SessionIdleTimeout   = 30 * time.Minute
	SessionAbsoluteLimit = 12 * time.Hour
)

// ThrottleMaxResetPerIP is how many "Forgot password" requests one client
// IP may make within ThrottleWindow, whatever the emails: each request
// writes, and without a limit one client could probe addresses or fill the
// audit log at will. Past it, requests are refused (ETHROTTLED) the same way
// as sign-in, so the answer never depends on whether an email exists.
const ThrottleMaxResetPerIP = 10

// SignInInput is what a person types on the sign-in page, plus the request's origin.
type SignInInput struct {
	Email     string
	Password  string
	IP        string
	UserAgent string
}

// AuthService checks credentials. (The operator sets passwords:
// service.Operator.SetPassword.)
type AuthService interface {
	// SignIn verifies email and password. It returns EUNAUTHORIZED with one
	// generic message whatever was wrong (unknown email, wrong password,
	// no password set yet), ETHROTTLED with RetryAfterSeconds when too many
	// attempts failed, and EFORBIDDEN when the password is right but the user
	// is disabled. Every outcome is audited.
	SignIn(ctx context.Context, in SignInInput) (*User, *Account, error)
	// SignedOut records that u ended their session.
	SignedOut(ctx context.Context, u *User) error
}

// Session is a server-side session row.
type Session struct {
	ID         string // the secret session ID; stored only as its SHA-256
	Handle     string // a random public name for URLs (My profile › Active sessions)
	UserID     int64  // 0 before sign-in
	Data       []byte // encoded session values
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// SessionRepository stores sessions. IDs are hashed before they reach the table.
type SessionRepository interface {
	// FindSession returns ENOTFOUND when there is no live session with id.
	FindSession(ctx context.Context, id string) (*Session, error)
	CreateSession(ctx context.Context, s *Session) error
	// UpdateSession stores s.Data, s.UserID and s.LastSeenAt.
	UpdateSession(ctx context.Context, s *Session) error
	// TouchSession records activity without rewriting the data.
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteExpiredSessions removes sessions idle or past their absolute limit.
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error)
}

// SecretRepository keeps generated secrets, such as session keys, that must
// survive restarts when they are not configured.
type SecretRepository interface {
	// LoadOrCreateSecret returns the stored secret called name, creating it
	// with gen when it does not exist.
	LoadOrCreateSecret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)
}
