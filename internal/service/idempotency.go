package service

import (
	"bytes"
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Idempotency keeps the responses of API POSTs with an Idempotency-Key
// (tenantdesk.IdempotencyStore) for tenantdesk.IdempotencyTTL and decides
// what a repeated key means.
type Idempotency struct {
	d *Deps
}

var _ tenantdesk.IdempotencyStore = (*Idempotency)(nil)

// NewIdempotency returns the idempotency service.
func NewIdempotency(d *Deps) (*Idempotency, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Idempotency{d: d}, nil
}

// ReserveIdempotencyKey claims key for tokenID and the request with the
// fingerprint requestHash. It returns the stored response when the key was
// used with the same fingerprint, nil when the key is now reserved,
// EIdempotencyKeyReused for another fingerprint and EIdempotencyKeyInUse
// while the first request has no stored response. Expired keys are
// forgotten on the way.
func (s *Idempotency) ReserveIdempotencyKey(ctx context.Context, tokenID int64, key string, requestHash []byte) (*tenantdesk.IdempotentResponse, error) {
	var out *tenantdesk.IdempotentResponse
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if err := tx.DeleteExpiredIdempotencyKeys(ctx); err != nil {
			return err
		}
		r, err := tx.FindIdempotencyKey(ctx, tokenID, key)
		switch {
		case tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND:
			return tx.InsertIdempotencyKey(ctx, tokenID, key, requestHash, tx.Now().Add(tenantdesk.IdempotencyTTL))
		case err != nil:
			return err
		case !bytes.Equal(r.RequestHash, requestHash):
			return &tenantdesk.Error{Code: tenantdesk.EIdempotencyKeyReused,
				Message: "This Idempotency-Key was used with a different request in the last 24 hours: use a new key for a new request."}
		case r.Response == nil:
			return &tenantdesk.Error{Code: tenantdesk.EIdempotencyKeyInUse,
				Message: "The first request with this Idempotency-Key has not finished: retry in a moment, or use a new key."}
		}
		out = r.Response
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CompleteIdempotencyKey stores the response of a reserved key.
func (s *Idempotency) CompleteIdempotencyKey(ctx context.Context, tokenID int64, key string, res *tenantdesk.IdempotentResponse) error {
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return tx.SetIdempotentResponse(ctx, tokenID, key, res)
	})
}

// ReleaseIdempotencyKey forgets a reserved key whose request failed without
// an effect, so that a retry may run.
func (s *Idempotency) ReleaseIdempotencyKey(ctx context.Context, tokenID int64, key string) error {
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return tx.DeleteReservedIdempotencyKey(ctx, tokenID, key)
	})
}
