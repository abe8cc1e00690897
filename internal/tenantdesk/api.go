package tenantdesk

import (
	"context"
	"time"
)

// The REST API v1 (SPEC §5): API tokens, partner-created customers, the UC
// welcome email and idempotent POSTs. The API shares every other service
// with the pages; these are the parts only it needs.

// Codes the API reports in problem+json besides the rule codes of SPEC §2.
const (
	// EReadOnlyToken: a read-only token was used for a change (403).
	EReadOnlyToken = "read_only_token"
	// EIdempotencyKeyReused: an Idempotency-Key came back with another request body (422).
	EIdempotencyKeyReused = "idempotency_key_reused"
	// EIdempotencyKeyInUse: the first request with this Idempotency-Key is still running,
	// or ended without a stored response; retry later or use a new key (409).
	EIdempotencyKeyInUse = "idempotency_key_in_use"
	// EUCRoleRequired: the UC welcome email goes only to holders of customer.user.uc (422).
	EUCRoleRequired = "uc_role_required"
	// EUserNotInvited: an activation email for a user who is already active or disabled (422).
	EUserNotInvited = "user_not_invited"
	// ENoWebsiteAccess: an activation email for a user without customer.user (422).
	ENoWebsiteAccess = "no_website_access"
	// EUserDisabled: an email to a disabled user (422).
	EUserDisabled = "user_disabled"
	// EAPIAccessRequired: the token's user may not use the API (403): they
	// may no longer sign in, so their tokens are refused until they may.
	EAPIAccessRequired = "api_access_required"
)

// Audit actions of the API area.
const (
	AuditTokenCreate     = "token.create"
	AuditTokenRegenerate = "token.regenerate"
	AuditTokenRevoke     = "token.revoke"
	AuditCustomerCreate  = "customer.create"
	AuditUCWelcomeSent   = "user.uc_welcome_sent"
)

// MailUCWelcome is the outbox kind of the UC welcome email.
const MailUCWelcome = "uc_welcome"

// Limits of API tokens.
const (
	MaxTokenNameLen = 100
	// TokenLastUsedInterval is how stale a token's last-used time may get:
	// it is written at most once per interval, not on every request.
	TokenLastUsedInterval = time.Minute
	// MaxTokensPerUser bounds how many live tokens one user may hold.
	MaxTokensPerUser = 50
)

// APIToken is a personal API token. The secret is shown once, when the
// token is created or regenerated; only its SHA-256 is stored.
type APIToken struct {
	ID        int64
	UserID    int64
	AccountID int64
	Name      string
	// Hint is the start of the secret ("tdk_Ab3x"), to tell tokens apart.
	Hint     string
	ReadOnly bool
	// ExpiresAt is zero for a token that does not expire.
	ExpiresAt  time.Time
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
	RevokedAt  time.Time // zero: live
	// RegeneratedAt is when the secret was last changed (zero: never).
	RegeneratedAt time.Time
}

// Expired reports whether t has expired at now.
func (t *APIToken) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// Revoked reports whether t was revoked.
func (t *APIToken) Revoked() bool { return !t.RevokedAt.IsZero() }

// Active reports whether t can still authenticate at now.
func (t *APIToken) Active(now time.Time) bool { return !t.Revoked() && !t.Expired(now) }

// NewAPIToken is what is needed to create a token.
type NewAPIToken struct {
	Name string
	// ExpiresAt is zero for "no expiry" (capped by the account's maximum lifetime).
	ExpiresAt time.Time
	ReadOnly  bool
}

// TokenAuth is what authenticating a token yields: the token and its user
// and account as they are now.
type TokenAuth struct {
	Token   *APIToken
	User    *User
	Account *Account
}

// APITokenService manages personal API tokens and authenticates requests.
// A user manages only their own tokens (the operator any user's); another
// user's token is ENOTFOUND. Changes are audited in the user's account.
type APITokenService interface {
	// ListTokens returns the user's tokens, newest first, revoked ones included.
	ListTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// CreateToken creates a token for the user and returns it with its
	// secret. The account's maximum token lifetime (AccountSecurity) caps
	// the expiry: no expiry given means the maximum, a later one is
	// EINVALID on field "expiresAt". EINVALID also for a bad name or an
	// expiry in the past.
	CreateToken(ctx context.Context, userID int64, in NewAPIToken) (*APIToken, string, error)
	// RegenerateToken gives a live token a new secret (same name and
	// settings); the old secret stops working at once. ENOTFOUND for a
	// revoked or expired token.
	RegenerateToken(ctx context.Context, userID, tokenID int64) (*APIToken, string, error)
	// RevokeToken revokes a token for good. Revoking a revoked token is a no-op.
	RevokeToken(ctx context.Context, userID, tokenID int64) error
	// AuthenticateToken checks a secret and returns the token with its user
	// and account loaded fresh. EUNAUTHORIZED for a malformed, unknown,
	// revoked or expired token and for a disabled or deleted user. It
	// records the last use at most once per TokenLastUsedInterval.
	AuthenticateToken(ctx context.Context, secret string) (*TokenAuth, error)
}

// Customer is a customer account as the API shows it: the account and the
// phone-platform connection details.
type Customer struct {
	Account *Account
	// Connection is the connection details as a JSON object text ("{}" when none).
	Connection string
	// Status is the customer's status (SPEC §1; CustomerStatusOf).
	Status CustomerStatus
}

// CustomerOwner is the optional Owner of a new customer account.
type CustomerOwner struct {
	DisplayName string
	Email       string
}

// NewCustomer is what a partner gives for a new customer account.
type NewCustomer struct {
	Name        string
	Description string
	Reference   string
	// Connection is a JSON object text; "" means none.
	Connection string
	Owner      *CustomerOwner
}

// CustomerPatch changes some of a customer's fields; nil fields stay.
type CustomerPatch struct {
	Name        *string
	Description *string
	Reference   *string
	Connection  *string // a JSON object text
}

// CreatedCustomer is the result of creating a customer.
type CreatedCustomer struct {
	Customer *Customer
	Owner    *User // nil without an owner
}

// MaxConnectionLen bounds the stored connection details (bytes of JSON).
const MaxConnectionLen = 16 << 10

// CustomerService is the partner's onboarding of customer accounts (API).
// Every method authorizes the actor in ctx: creating needs partner.admin in
// a partner account; reading needs AccessUserAdmin on the customer (its user
// admins and its partner's partner.admin); changing is the partner's
// (AuthorizeGeneralInfoEdit). Other accounts are ENOTFOUND.
type CustomerService interface {
	// CreatePartnerCustomer creates a customer under the actor's partner
	// account, with an Owner when given (invited; activation email queued),
	// audited in both the partner's and the customer's log. EINVALID for bad
	// fields (owner fields as "owner.displayName", "owner.email"),
	// EEmailTaken when the owner's email exists, EFORBIDDEN for actors
	// without partner.admin.
	CreatePartnerCustomer(ctx context.Context, in NewCustomer) (*CreatedCustomer, error)
	// GetCustomer returns the customer account with tenantID.
	GetCustomer(ctx context.Context, tenantID string) (*Customer, error)
	// UpdateCustomer changes name, description, reference or connection.
	// EFORBIDDEN for the customer's own users, who may only read it.
	UpdateCustomer(ctx context.Context, tenantID string, p CustomerPatch) (*Customer, error)
	// ListPartnerCustomers returns a page of the actor's partner's customers by name.
	ListPartnerCustomers(ctx context.Context, f CustomerFilter) ([]*Customer, string, error)
}

// UserMailService sends the emails an administrator triggers besides activation.
type UserMailService interface {
	// SendUCWelcomeEmail queues the UC client welcome email to a user of
	// the account (AccessUserAdmin). EUCRoleRequired when the user lacks
	// customer.user.uc, EUserDisabled for a disabled user.
	SendUCWelcomeEmail(ctx context.Context, accountID, userID int64) error
}

// IdempotentResponse is a stored response to a POST with an Idempotency-Key.
type IdempotentResponse struct {
	Status int
	// Header holds the response headers worth replaying (Content-Type, Location).
	Header map[string]string
	Body   []byte
}

// IdempotencyTTL is how long a key and its response are kept.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyStore keeps POST responses by (token, key) for IdempotencyTTL.
type IdempotencyStore interface {
	// ReserveIdempotencyKey claims key for tokenID and a request whose
	// fingerprint is requestHash. It returns the stored response when the
	// key was used before with the same fingerprint (replay it), nil when
	// the key is now reserved for this request, EIdempotencyKeyReused when
	// it was used with another fingerprint and EIdempotencyKeyInUse while
	// the first request has no stored response.
	ReserveIdempotencyKey(ctx context.Context, tokenID int64, key string, requestHash []byte) (*IdempotentResponse, error)
	// CompleteIdempotencyKey stores the response of a reserved key.
	CompleteIdempotencyKey(ctx context.Context, tokenID int64, key string, res *IdempotentResponse) error
	// ReleaseIdempotencyKey forgets a reserved key whose request failed
	// without an effect (a server error), so that a retry may run.
	ReleaseIdempotencyKey(ctx context.Context, tokenID int64, key string) error
}
