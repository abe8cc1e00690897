package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// LicenceCounts returns, for every licensed role of the catalogue in
// catalogue order, how many enabled (not disabled) users of the account hold
// it; roles nobody holds count 0. See tenantdesk.UserLists.
func (db *DB) LicenceCounts(ctx context.Context, accountID int64) ([]tenantdesk.LicenceCount, error) {
	var keys []string
	for _, r := range tenantdesk.Catalogue {
		if r.Licensed {
			keys = append(keys, r.Key)
		}
	}
	// user_roles_account_role (account_id, role, user_id) answers the
	// account and role part; the join drops disabled users.
	args := []any{accountID}
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT r.role, count(*) FROM user_roles r
		JOIN users u ON u.id = r.user_id AND u.account_id = r.account_id
		WHERE r.account_id = ? AND r.role IN (?`+strings.Repeat(",?", len(keys)-1)+`) AND u.status != 'disabled'
		GROUP BY r.role`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count licences: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var role string
		var n int
		if err := rows.Scan(&role, &n); err != nil {
			return nil, fmt.Errorf("store: scan licence count: %w", err)
		}
		counts[role] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: count licences: %w", err)
	}
	out := make([]tenantdesk.LicenceCount, 0, len(keys))
	for _, k := range keys {
		out = append(out, tenantdesk.LicenceCount{Role: k, Users: counts[k]})
	}
	return out, nil
}
