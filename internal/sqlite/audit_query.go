package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// QueryAudit returns a page of the account's audit log, newest first, with
// keyset pagination on the ID (id < f.Before). Needs AccessUserAdmin:
// EFORBIDDEN for other members, ENOTFOUND for an account the actor may not
// see. Every query carries the account ID, so the indexes (account_id, id),
// (account_id, action, id) and (account_id, actor_user_id, id) serve the
// page, the action filter and the actor filter.
func (db *DB) QueryAudit(ctx context.Context, accountID int64, f tenantdesk.AuditFilter) (*tenantdesk.AuditPage, error) {
	acc, err := db.readAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, tenantdesk.AccessUserAdmin); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = tenantdesk.AuditPageSize
	} else if limit > tenantdesk.MaxAuditPageSize {
		limit = tenantdesk.MaxAuditPageSize
	}
	q := `SELECT id, account_id, COALESCE(actor_user_id, 0), actor_name,
		COALESCE(impersonator_user_id, 0), impersonator_name, action, target_type, target_id,
		before_json, after_json, licensed, ip, created_at
		FROM audit_log WHERE account_id = ?`
	args := []any{acc.ID}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if prefix := normalizeName(f.Actor); prefix != "" {
		// The actor is named by today's display name: the users of the
		// account and of its partner (whose staff may act on it) whose
		// sort key starts with the prefix, found on users_account_name.
		q += ` AND actor_user_id IN (SELECT u.id FROM users u WHERE u.account_id IN (?, ?)
			AND u.name_norm >= ? AND u.name_norm < ?)`
		args = append(args, acc.ID, acc.ParentID, prefix, prefix+"\U0010FFFF")
	}
	if !f.Since.IsZero() {
		q += ` AND created_at >= ?`
		args = append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND created_at < ?`
		args = append(args, ms(f.Until))
	}
	if f.LicensedOnly {
		q += ` AND licensed = 1`
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)

	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: query audit: %w", err)
	}
	defer rows.Close()
	page := &tenantdesk.AuditPage{TargetNames: map[string]string{}}
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return nil, err
		}
		page.Entries = append(page.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: query audit: %w", err)
	}
	if len(page.Entries) > limit {
		page.Entries = page.Entries[:limit]
		page.Next = page.Entries[limit-1].ID
	}
	if err := db.auditTargetNames(ctx, acc, page); err != nil {
		return nil, err
	}
	return page, nil
}

// auditTargetNames names the page's targets that still exist in the account:
// its users (by ID, scoped to the account) and the account itself.
func (db *DB) auditTargetNames(ctx context.Context, acc *tenantdesk.Account, page *tenantdesk.AuditPage) error {
	var ids []any
	seen := map[int64]bool{}
	for _, e := range page.Entries {
		switch e.TargetType {
		case "account":
			if e.TargetID == acc.TenantID {
				page.TargetNames["account:"+acc.TenantID] = acc.Name
			}
		case "user":
			if id, ok := tenantdesk.ParseUserID(e.TargetID); ok && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, display_name FROM users WHERE account_id = ? AND id IN (?`+
		strings.Repeat(",?", len(ids)-1)+`)`, append([]any{acc.ID}, ids...)...)
	if err != nil {
		return fmt.Errorf("sqlite: audit targets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("sqlite: scan audit target: %w", err)
		}
		page.TargetNames["user:"+tenantdesk.FormatUserID(id)] = name
	}
	return rows.Err()
}
