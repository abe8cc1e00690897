package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Stored responses of POSTs with an Idempotency-Key (tenantdesk.IdempotencyStore).

var _ tenantdesk.IdempotencyStore = (*DB)(nil)

// ReserveIdempotencyKey claims a key or returns its stored response; see
// tenantdesk.IdempotencyStore. Expired keys are forgotten on the way.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, tokenID int64, key string, requestHash []byte) (*tenantdesk.IdempotentResponse, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM api_idempotency WHERE expires_at <= ?`, ms(tx.now)); err != nil {
		return nil, fmt.Errorf("sqlite: expire idempotency keys: %w", err)
	}
	var hash, body []byte
	var status int
	var headers string
	err = tx.QueryRowContext(ctx, `SELECT request_hash, status, headers, body FROM api_idempotency WHERE token_id = ? AND key = ?`,
		tokenID, key).Scan(&hash, &status, &headers, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_idempotency (token_id, key, request_hash, created_at, expires_at) VALUES (?,?,?,?,?)`,
			tokenID, key, requestHash, ms(tx.now), ms(tx.now.Add(tenantdesk.IdempotencyTTL))); err != nil {
			return nil, fmt.Errorf("sqlite: reserve idempotency key: %w", err)
		}
		return nil, tx.Commit()
	case err != nil:
		return nil, fmt.Errorf("sqlite: idempotency key: %w", err)
	case !bytes.Equal(hash, requestHash):
		return nil, &tenantdesk.Error{Code: tenantdesk.EIdempotencyKeyReused,
			Message: "This Idempotency-Key was used with a different request in the last 24 hours: use a new key for a new request."}
	case status == 0:
		return nil, &tenantdesk.Error{Code: tenantdesk.EIdempotencyKeyInUse,
			Message: "The first request with this Idempotency-Key has not finished: retry in a moment, or use a new key."}
	}
	res := &tenantdesk.IdempotentResponse{Status: status, Body: body}
	if err := json.Unmarshal([]byte(headers), &res.Header); err != nil {
		return nil, fmt.Errorf("sqlite: idempotency headers: %w", err)
	}
	return res, nil
}

// CompleteIdempotencyKey stores the response of a reserved key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, tokenID int64, key string, res *tenantdesk.IdempotentResponse) error {
	h, err := json.Marshal(res.Header)
	if err != nil {
		return err
	}
	if res.Body == nil {
		res.Body = []byte{}
	}
	if _, err := db.execWrite(ctx, `UPDATE api_idempotency SET status = ?, headers = ?, body = ? WHERE token_id = ? AND key = ? AND status = 0`,
		res.Status, string(h), res.Body, tokenID, key); err != nil {
		return fmt.Errorf("sqlite: store idempotent response: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a reserved key without a response.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, tokenID int64, key string) error {
	if _, err := db.execWrite(ctx, `DELETE FROM api_idempotency WHERE token_id = ? AND key = ? AND status = 0`, tokenID, key); err != nil {
		return fmt.Errorf("sqlite: release idempotency key: %w", err)
	}
	return nil
}
