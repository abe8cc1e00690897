package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Stored responses of POSTs with an Idempotency-Key, as stored
// (tenantdesk.IdempotencyTx). What a repeated key means is
// internal/service's Idempotency.

// DeleteExpiredIdempotencyKeys forgets expired keys. See tenantdesk.IdempotencyTx.
func (tx *Tx) DeleteExpiredIdempotencyKeys(ctx context.Context) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM api_idempotency WHERE expires_at <= ?`, ms(tx.now)); err != nil {
		return fmt.Errorf("store: expire idempotency keys: %w", err)
	}
	return nil
}

// FindIdempotencyKey reads a token's key. See tenantdesk.IdempotencyTx.
func (tx *Tx) FindIdempotencyKey(ctx context.Context, tokenID int64, key string) (*tenantdesk.IdempotencyRecord, error) {
	var hash, body []byte
	var status int
	var headers string
	err := tx.QueryRowContext(ctx, `SELECT request_hash, status, headers, body FROM api_idempotency WHERE token_id = ? AND key = ?`,
		tokenID, key).Scan(&hash, &status, &headers, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Idempotency key not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: idempotency key: %w", err)
	}
	r := &tenantdesk.IdempotencyRecord{RequestHash: hash}
	if status == 0 {
		return r, nil
	}
	r.Response = &tenantdesk.IdempotentResponse{Status: status, Body: body}
	if err := json.Unmarshal([]byte(headers), &r.Response.Header); err != nil {
		return nil, fmt.Errorf("store: idempotency headers: %w", err)
	}
	return r, nil
}

// InsertIdempotencyKey reserves a token's key. See tenantdesk.IdempotencyTx.
func (tx *Tx) InsertIdempotencyKey(ctx context.Context, tokenID int64, key string, requestHash []byte, expires time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO api_idempotency (token_id, key, request_hash, created_at, expires_at) VALUES (?,?,?,?,?)`,
		tokenID, key, requestHash, ms(tx.now), ms(expires)); err != nil {
		return fmt.Errorf("store: reserve idempotency key: %w", err)
	}
	return nil
}

// SetIdempotentResponse stores the response of a reserved key.
func (tx *Tx) SetIdempotentResponse(ctx context.Context, tokenID int64, key string, res *tenantdesk.IdempotentResponse) error {
	h, err := json.Marshal(res.Header)
	if err != nil {
		return err
	}
	body := res.Body
	if body == nil {
		body = []byte{}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE api_idempotency SET status = ?, headers = ?, body = ? WHERE token_id = ? AND key = ? AND status = 0`,
		res.Status, string(h), body, tokenID, key); err != nil {
		return fmt.Errorf("store: store idempotent response: %w", err)
	}
	return nil
}

// DeleteReservedIdempotencyKey forgets a reserved key without a response.
func (tx *Tx) DeleteReservedIdempotencyKey(ctx context.Context, tokenID int64, key string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM api_idempotency WHERE token_id = ? AND key = ? AND status = 0`, tokenID, key); err != nil {
		return fmt.Errorf("store: release idempotency key: %w", err)
	}
	return nil
}
