package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// My profile's reads and writes (tenantdesk.ProfileReads, ProfileTx,
// SignInAttemptTx); the flows are internal/service's Profile and FTPAuth.
// Credentials and managers here; attempts in profile_password.go, links
// in profile_email.go, sessions in profile_sessions.go.

// FindCredential returns the user's credential of kind. See tenantdesk.ProfileReads.
func (db *DB) FindCredential(ctx context.Context, userID int64, kind string) (*tenantdesk.Credential, error) {
	return findCredential(ctx, db.read, userID, kind)
}

// FindCredential returns the user's credential of kind inside tx.
func (tx *Tx) FindCredential(ctx context.Context, userID int64, kind string) (*tenantdesk.Credential, error) {
	return findCredential(ctx, tx, userID, kind)
}

func findCredential(ctx context.Context, q querier, userID int64, kind string) (*tenantdesk.Credential, error) {
	var c tenantdesk.Credential
	var at int64
	err := q.QueryRowContext(ctx, `SELECT hash, updated_at FROM credentials WHERE user_id = ? AND kind = ?`, userID, kind).Scan(&c.Hash, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Credential not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: load credential: %w", err)
	}
	c.UpdatedAt = fromMS(at)
	return &c, nil
}

// SetCredential stores or replaces the user's credential of kind. See tenantdesk.ProfileTx.
func (tx *Tx) SetCredential(ctx context.Context, userID int64, kind, hash string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO credentials (user_id, kind, hash, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, kind) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
		userID, kind, hash, ms(tx.now)); err != nil {
		return fmt.Errorf("store: set credential: %w", err)
	}
	return nil
}

// ListManagers returns the account's Owner and holders of every role of
// roles who are not disabled. See tenantdesk.ProfileReads.
func (db *DB) ListManagers(ctx context.Context, accountID int64, roles []string, limit int) ([]tenantdesk.Manager, error) {
	return listManagers(ctx, db.read, accountID, roles, limit)
}

// ListManagers is DB.ListManagers inside tx.
func (tx *Tx) ListManagers(ctx context.Context, accountID int64, roles []string, limit int) ([]tenantdesk.Manager, error) {
	return listManagers(ctx, tx, accountID, roles, limit)
}

func listManagers(ctx context.Context, q querier, accountID int64, roles []string, limit int) ([]tenantdesk.Manager, error) {
	holds := "1"
	args := []any{accountID}
	if len(roles) > 0 {
		conds := make([]string, len(roles))
		for i, r := range roles {
			conds[i] = `EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)`
			args = append(args, r)
		}
		holds = strings.Join(conds, " AND ")
	}
	args = append(args, limit)
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.display_name, u.is_owner FROM users u
		WHERE u.account_id = ? AND u.status <> 'disabled' AND (u.is_owner = 1 OR (`+holds+`))
		ORDER BY u.is_owner DESC, u.name_norm, u.id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: account managers: %w", err)
	}
	defer rows.Close()
	var out []tenantdesk.Manager
	for rows.Next() {
		var m tenantdesk.Manager
		if err := rows.Scan(&m.UserID, &m.DisplayName, &m.IsOwner); err != nil {
			return nil, fmt.Errorf("store: scan manager: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
