package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Changing one's email: the link (user_tokens, kind email_change) carries
// the new address in data.

// SetLinkData stores data on the user's unused links of kind. See tenantdesk.ProfileTx.
func (tx *Tx) SetLinkData(ctx context.Context, userID int64, kind, data string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE user_tokens SET data = ? WHERE user_id = ? AND kind = ? AND used_at IS NULL`,
		data, userID, kind); err != nil {
		return fmt.Errorf("sqlite: store link data: %w", err)
	}
	return nil
}

// FindLink returns the link of kind with the token hash, on the reader
// pool (Tx.FindLink, store.go, is the same inside a transaction). See
// tenantdesk.ProfileReads.
func (db *DB) FindLink(ctx context.Context, kind string, hash []byte) (*tenantdesk.Link, error) {
	l := &tenantdesk.Link{Kind: kind}
	var expires int64
	var used sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT user_id, data, expires_at, used_at FROM user_tokens WHERE token_hash = ? AND kind = ?`,
		hash, kind).Scan(&l.UserID, &l.Data, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Link not found.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: find link: %w", err)
	}
	l.ExpiresAt = fromMS(expires)
	if used.Valid {
		l.UsedAt = fromMS(used.Int64)
	}
	return l, nil
}
