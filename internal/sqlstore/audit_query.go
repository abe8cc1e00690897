package sqlstore

import (
	"context"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// AuditPage returns a page of the account's audit log, newest first, with
// keyset pagination on the ID (id < f.Before). Every query carries the
// account ID, so the indexes (account_id, id), (account_id, action, id)
// serve the page and the action filter. See tenantdesk.AuditReads.
func (db *DB) AuditPage(ctx context.Context, accountID int64, f tenantdesk.AuditFilter) (*tenantdesk.AuditPage, error) {
	limit := max(f.Limit, 1)
	q := `SELECT ` + auditColumns + ` FROM audit_log WHERE account_id = ?`
	args := []any{accountID}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if who := normalizeName(f.Actor); who != "" {
		// The names as they were when the entries were written (who_norm
		// holds the actor's, the impersonator's and the actor's account's
		// when it is not this one): any part of a name
		// matches, and deleted users are found too. The account's entries
		// are walked newest first on audit_account until a page is full.
		q += ` AND instr(who_norm, ?) > 0`
		args = append(args, who)
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
		return nil, fmt.Errorf("store: query audit: %w", err)
	}
	defer rows.Close()
	page := &tenantdesk.AuditPage{}
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return nil, err
		}
		page.Entries = append(page.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: query audit: %w", err)
	}
	if len(page.Entries) > limit {
		page.Entries = page.Entries[:limit]
		page.Next = page.Entries[limit-1].ID
	}
	return page, nil
}
