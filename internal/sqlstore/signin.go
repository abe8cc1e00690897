package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Credentials (tenantdesk.CredentialReads, CredentialTx): the hashes of
// users' portal and FTP passwords. Checking a password, the policy of new
// ones and the audit of sign-ins are internal/service's.

// CredentialHash returns the hash of a user's credential, "" when none.
// See tenantdesk.CredentialReads.
func (db *DB) CredentialHash(ctx context.Context, userID int64, kind string) (string, error) {
	return credentialHash(ctx, db.read, userID, kind)
}

// CredentialHash returns the hash of a user's credential inside tx.
func (tx *Tx) CredentialHash(ctx context.Context, userID int64, kind string) (string, error) {
	return credentialHash(ctx, tx, userID, kind)
}

func credentialHash(ctx context.Context, q querier, userID int64, kind string) (string, error) {
	var hash string
	err := q.QueryRowContext(ctx, `SELECT hash FROM credentials WHERE user_id = ? AND kind = ?`, userID, kind).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("store: load credential: %w", err)
	}
	return hash, nil
}

// SetCredentialHash stores a user's credential hash. See tenantdesk.CredentialTx.
func (tx *Tx) SetCredentialHash(ctx context.Context, userID int64, kind, hash string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO credentials (user_id, kind, hash, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, kind) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
		userID, kind, hash, ms(tx.now)); err != nil {
		return fmt.Errorf("store: set credential: %w", err)
	}
	return nil
}

// CountUserSessions returns how many sessions the user has. See tenantdesk.SignInTx.
func (tx *Tx) CountUserSessions(ctx context.Context, userID int64) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count sessions: %w", err)
	}
	return n, nil
}
