package sqlite

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The general information of accounts and a partner's list of customers,
// as stored (tenantdesk.GeneralInfoTx, CustomerLists). The flows are
// internal/service's AccountInfo.

// SetGeneralInfo stores an account's general information. See tenantdesk.GeneralInfoTx.
func (tx *Tx) SetGeneralInfo(ctx context.Context, accountID int64, in tenantdesk.GeneralInfo) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET name = ?, reference = ?, description = ?,
		service_packages = ?, support_package = ?,
		personal_manager_name = ?, personal_manager_email = ?, personal_manager_phone = ?,
		technical_manager_name = ?, technical_manager_email = ?, technical_manager_phone = ?,
		updated_at = ? WHERE id = ?`,
		in.Name, in.Reference, in.Description, in.ServicePackages, in.SupportPackage,
		in.PersonalManagerName, in.PersonalManagerEmail, in.PersonalManagerPhone,
		in.TechnicalManagerName, in.TechnicalManagerEmail, in.TechnicalManagerPhone,
		ms(tx.now), accountID); err != nil {
		return fmt.Errorf("sqlite: update account: %w", err)
	}
	return nil
}

// CustomerPage returns a page of the partner's customers, ordered by name
// (case-insensitively, then ID) with keyset pagination. See
// tenantdesk.CustomerLists.
func (db *DB) CustomerPage(ctx context.Context, partnerID int64, f tenantdesk.CustomerFilter) (*tenantdesk.CustomerPage, error) {
	limit := max(f.Limit, 1)
	// The partner's own account ID scopes the query: a partner sees its
	// customers only. NOCASE orders like lower(name) (both fold ASCII only)
	// and lets SQLite walk the accounts_parent index.
	q := `SELECT a.id, a.tenant_id, a.name, a.reference,
		(SELECT count(*) FROM users u WHERE u.account_id = a.id)
		FROM accounts a WHERE a.parent_id = ? AND a.kind = 'customer'`
	args := []any{partnerID}
	if query := f.Query; query != "" {
		// A prefix as a range: [query, query + U+10FFFF) under NOCASE.
		q += ` AND a.name COLLATE NOCASE >= ? AND a.name COLLATE NOCASE < ?`
		args = append(args, query, query+"\U0010FFFF")
	}
	if f.After != "" {
		id, name, ok := decodeCustomerCursor(f.After)
		if !ok {
			return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: "The page cursor is not valid.",
				Fields: []tenantdesk.FieldError{{Field: "cursor", Message: "The page cursor is not valid."}}}
		}
		q += ` AND (a.name COLLATE NOCASE > ? OR (a.name COLLATE NOCASE = ? AND a.id > ?))`
		args = append(args, name, name, id)
	}
	q += ` ORDER BY a.name COLLATE NOCASE, a.id LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list customers: %w", err)
	}
	defer rows.Close()
	page := &tenantdesk.CustomerPage{}
	for rows.Next() {
		var c tenantdesk.CustomerSummary
		if err := rows.Scan(&c.ID, &c.TenantID, &c.Name, &c.Reference, &c.Users); err != nil {
			return nil, fmt.Errorf("sqlite: scan customer: %w", err)
		}
		page.Customers = append(page.Customers, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list customers: %w", err)
	}
	if len(page.Customers) > limit {
		page.Customers = page.Customers[:limit]
		last := page.Customers[limit-1]
		page.NextCursor = encodeCustomerCursor(last.ID, last.Name)
	}
	return page, nil
}

// encodeCustomerCursor makes the opaque cursor "<id>:<name>" URL-safe.
func encodeCustomerCursor(id int64, name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10) + ":" + name))
}

func decodeCustomerCursor(s string) (int64, string, bool) {
	if len(s) > 1024 {
		return 0, "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, "", false
	}
	idPart, name, ok := strings.Cut(string(b), ":")
	if !ok {
		return 0, "", false
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil || id <= 0 {
		return 0, "", false
	}
	return id, name, true
}
