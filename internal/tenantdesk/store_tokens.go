package tenantdesk

import (
	"context"
	"time"
)

// TokenReads read personal API tokens outside a transaction.
type TokenReads interface {
	// FindTokenAuth returns the token whose secret has the SHA-256 hash,
	// with its user (and roles) and the user's account as they are now;
	// ENOTFOUND when no token has it. The store may answer from its read
	// cache; what it returns is the caller's to change.
	FindTokenAuth(ctx context.Context, secretHash []byte) (*TokenAuth, error)
	// ListUserTokens returns the user's tokens, newest first, revoked ones included.
	ListUserTokens(ctx context.Context, userID int64) ([]*APIToken, error)
}

// TokenTx reads and writes personal API tokens in a transaction.
type TokenTx interface {
	// FindUserToken returns the user's token tokenID; ENOTFOUND if the
	// user has no such token.
	FindUserToken(ctx context.Context, userID, tokenID int64) (*APIToken, error)
	// CountLiveTokens counts the user's tokens that are neither revoked
	// nor expired at the transaction's time.
	CountLiveTokens(ctx context.Context, userID int64) (int, error)
	// InsertToken stores a new token with the SHA-256 of its secret under a
	// new ID that was never used before (t.ID is set; t.CreatedAt becomes
	// the transaction's time).
	InsertToken(ctx context.Context, t *APIToken, secretHash []byte) error
	// SetTokenSecret stores a token's new secret hash with t's Hint,
	// RegeneratedAt and ExpiresAt.
	SetTokenSecret(ctx context.Context, t *APIToken, secretHash []byte) error
	// SetTokenRevoked marks the token revoked at the transaction's time.
	SetTokenRevoked(ctx context.Context, tokenID int64) error
	// TouchToken records the token's use at the transaction's time unless
	// its last use is later than staleBefore (then nothing is written and
	// it returns false), so that concurrent requests write it once.
	TouchToken(ctx context.Context, tokenID int64, staleBefore time.Time) (bool, error)
	// TokenMaxLifetimeDays returns the account's maximum token lifetime in
	// days (AccountSecurity.TokenMaxLifetimeDays; 0: none).
	TokenMaxLifetimeDays(ctx context.Context, accountID int64) (int, error)
}
