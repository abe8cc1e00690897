package tenantdesk

import (
	"context"
	"time"
)

// IdempotencyRecord is a kept Idempotency-Key of a token.
type IdempotencyRecord struct {
	// RequestHash is the fingerprint of the request that reserved the key.
	RequestHash []byte
	// Response is the stored response; nil while the first request runs.
	Response *IdempotentResponse
}

// IdempotencyTx keeps the keys and responses of POSTs with an
// Idempotency-Key, by token.
type IdempotencyTx interface {
	// DeleteExpiredIdempotencyKeys forgets the keys whose time is up at
	// the transaction's time.
	DeleteExpiredIdempotencyKeys(ctx context.Context) error
	// FindIdempotencyKey returns tokenID's key; ENOTFOUND if it is not kept.
	FindIdempotencyKey(ctx context.Context, tokenID int64, key string) (*IdempotencyRecord, error)
	// InsertIdempotencyKey reserves tokenID's key for the request with the
	// fingerprint requestHash, kept until expires.
	InsertIdempotencyKey(ctx context.Context, tokenID int64, key string, requestHash []byte, expires time.Time) error
	// SetIdempotentResponse stores the response of a reserved key that has
	// none yet (a key with a response keeps it).
	SetIdempotentResponse(ctx context.Context, tokenID int64, key string, res *IdempotentResponse) error
	// DeleteReservedIdempotencyKey forgets a reserved key that has no
	// response (a key with a response stays).
	DeleteReservedIdempotencyKey(ctx context.Context, tokenID int64, key string) error
}
