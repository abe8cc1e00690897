package sqlstore

import (
	"context"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Customer settings as stored (tenantdesk.SettingsReads and SettingsTx):
// the columns of migration 0013 on accounts. Who may change them, the
// conversion of the essential-user role and the audit entry are the
// service's (internal/service/settings.go).

// SetAccountSettings stores a customer's settings. See tenantdesk.SettingsTx.
// The commit invalidates the cached account, as every write does.
func (tx *Tx) SetAccountSettings(ctx context.Context, accountID int64, s tenantdesk.AccountSettings) error {
	res, err := tx.ExecContext(ctx, `UPDATE accounts SET default_language = ?, default_time_zone = ?, auto_assign_acd = ?,
		essential_variant = ?, updated_at = ? WHERE id = ?`,
		s.DefaultLanguage, s.DefaultTimeZone, s.AutoAssignACD, s.EssentialVariant, ms(tx.now), accountID)
	if err != nil {
		return fmt.Errorf("store: set account settings: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Account not found.")
	}
	return nil
}

// RoleHolderIDs lists the users of accountID who hold role, by name. See
// tenantdesk.SettingsTx.
func (tx *Tx) RoleHolderIDs(ctx context.Context, accountID int64, role string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id FROM user_roles r JOIN users u ON u.id = r.user_id
		WHERE r.account_id = ? AND r.role = ? AND u.account_id = r.account_id ORDER BY u.name_norm, u.id`, accountID, role)
	if err != nil {
		return nil, fmt.Errorf("store: role holders: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: role holders: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: role holders: %w", err)
	}
	return ids, nil
}

const (
	countRoleHoldersQuery = `SELECT count(*) FROM user_roles WHERE account_id = ? AND role = ?`
	accountHasOwnerQuery  = `SELECT CASE WHEN EXISTS (SELECT 1 FROM users WHERE account_id = ? AND is_owner = 1) THEN 1 ELSE 0 END`
)

// CountRoleHolders counts the users of accountID holding role. See
// tenantdesk.SettingsReads.
func (db *DB) CountRoleHolders(ctx context.Context, accountID int64, role string) (int, error) {
	return scanSettingsCount(db.queryRow(ctx, countRoleHoldersQuery, accountID, role), "role holders")
}

// CountRoleHolders counts the users of accountID holding role, inside tx.
func (tx *Tx) CountRoleHolders(ctx context.Context, accountID int64, role string) (int, error) {
	return scanSettingsCount(tx.QueryRowContext(ctx, countRoleHoldersQuery, accountID, role), "role holders")
}

// AccountHasOwner reports whether accountID has an Owner. See
// tenantdesk.SettingsReads.
func (db *DB) AccountHasOwner(ctx context.Context, accountID int64) (bool, error) {
	n, err := scanSettingsCount(db.queryRow(ctx, accountHasOwnerQuery, accountID), "account owner")
	return n > 0, err
}

// AccountHasOwner reports whether accountID has an Owner, inside tx.
func (tx *Tx) AccountHasOwner(ctx context.Context, accountID int64) (bool, error) {
	n, err := scanSettingsCount(tx.QueryRowContext(ctx, accountHasOwnerQuery, accountID), "account owner")
	return n > 0, err
}

func scanSettingsCount(row rowScanner, what string) (int, error) {
	var n int
	if err := row.Scan(&n); err != nil {
		return 0, fmt.Errorf("store: %s: %w", what, err)
	}
	return n, nil
}
