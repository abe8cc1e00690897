package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Single-use links emailed to users (tenantdesk.LinkReads, LinkTx,
// SignInTx). user_tokens keeps only the SHA-256 of a link's token. A user
// has at most one link per kind: ReplaceLink deletes the earlier ones. A
// used link keeps its row (used_at set) until the next link of its kind
// replaces it. Which link fits whom, expiry and mail are internal/service's.

var _ tenantdesk.MailboxService = (*DB)(nil)

// FindLink returns the link of kind with the token hash, on a reader. See
// tenantdesk.LinkReads.
func (db *DB) FindLink(ctx context.Context, kind string, hash []byte) (*tenantdesk.Link, error) {
	return findLink(ctx, db.read, kind, hash)
}

// FindLink returns the link of kind with the token hash. See tenantdesk.LinkTx.
func (tx *Tx) FindLink(ctx context.Context, kind string, hash []byte) (*tenantdesk.Link, error) {
	return findLink(ctx, tx, kind, hash)
}

func findLink(ctx context.Context, q querier, kind string, hash []byte) (*tenantdesk.Link, error) {
	l := &tenantdesk.Link{Kind: kind}
	var expires int64
	var used sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT user_id, data, expires_at, used_at FROM user_tokens WHERE token_hash = ? AND kind = ?`,
		hash, kind).Scan(&l.UserID, &l.Data, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Link not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: find link: %w", err)
	}
	l.ExpiresAt = fromMS(expires)
	if used.Valid {
		l.UsedAt = fromMS(used.Int64)
	}
	return l, nil
}

// UnusedLinkSince reports whether the user has an unused link of kind
// issued after since. See tenantdesk.SignInTx.
func (tx *Tx) UnusedLinkSince(ctx context.Context, userID int64, kind string, since time.Time) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM user_tokens WHERE user_id = ? AND kind = ? AND used_at IS NULL AND created_at > ?`,
		userID, kind, ms(since)).Scan(&n); err != nil {
		return false, fmt.Errorf("store: recent links: %w", err)
	}
	return n > 0, nil
}
