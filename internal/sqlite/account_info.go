package sqlite

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// GeneralInfo returns the account for About account › General information:
// every member of the account may read it. Returns ENOTFOUND for an account
// the actor may not see.
func (db *DB) GeneralInfo(ctx context.Context, accountID int64) (*tenantdesk.Account, error) {
	acc, err := db.readAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, tenantdesk.AccessMember); err != nil {
		return nil, err
	}
	return acc, nil
}

// EditableAccount returns the account with tenantID when the actor may edit
// its general information. Returns EFORBIDDEN for partner staff without
// partner.admin and ENOTFOUND for everyone else (see
// tenantdesk.AuthorizeGeneralInfoEdit).
func (db *DB) EditableAccount(ctx context.Context, tenantID string) (*tenantdesk.Account, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	acc, err := db.FindAccountByTenantID(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := tenantdesk.AuthorizeGeneralInfoEdit(actor, acc); err != nil {
		return nil, err
	}
	return acc, nil
}

// UpdateGeneralInfo changes an account's general information in one
// transaction and audits the changed fields (account.update, before and
// after). Returns ENOTFOUND or EFORBIDDEN as EditableAccount, EINVALID with
// Fields for invalid input; nothing is written when nothing changed.
func (db *DB) UpdateGeneralInfo(ctx context.Context, tenantID string, in tenantdesk.GeneralInfo) (*tenantdesk.Account, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Read inside the write transaction so the audit's "before" is what
	// this update replaces, even with concurrent edits.
	acc, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+accountFrom+`WHERE a.tenant_id = ?`, tenantID))
	if err != nil {
		return nil, err
	}
	// Authorize before validating: a stranger learns nothing from field errors.
	if err := tenantdesk.AuthorizeGeneralInfoEdit(actor, acc); err != nil {
		return nil, err
	}
	in = in.Normalize()
	if fields := in.Validate(); len(fields) > 0 {
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	before, after := tenantdesk.DiffGeneralInfo(tenantdesk.GeneralInfoOf(acc), in)
	if len(after) == 0 {
		return acc, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET name = ?, reference = ?, description = ?,
		service_packages = ?, support_package = ?,
		personal_manager_name = ?, personal_manager_email = ?, personal_manager_phone = ?,
		technical_manager_name = ?, technical_manager_email = ?, technical_manager_phone = ?,
		updated_at = ? WHERE id = ?`,
		in.Name, in.Reference, in.Description, in.ServicePackages, in.SupportPackage,
		in.PersonalManagerName, in.PersonalManagerEmail, in.PersonalManagerPhone,
		in.TechnicalManagerName, in.TechnicalManagerEmail, in.TechnicalManagerPhone,
		ms(tx.now), acc.ID); err != nil {
		return nil, fmt.Errorf("sqlite: update account: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{
		AccountID: acc.ID, Action: tenantdesk.AuditAccountUpdate, TargetType: "account", TargetID: acc.TenantID,
		Before: auditJSON(before), After: auditJSON(after),
	}); err != nil {
		return nil, err
	}
	updated, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+accountFrom+`WHERE a.id = ?`, acc.ID))
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return updated, nil
}

// ListCustomers returns a page of the customers of the actor's own partner
// account, ordered by name (case-insensitively, then ID) with keyset
// pagination. Returns EFORBIDDEN for an actor who is not partner staff and
// EINVALID for a malformed cursor.
func (db *DB) ListCustomers(ctx context.Context, f tenantdesk.CustomerFilter) (*tenantdesk.CustomerPage, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	if !tenantdesk.IsPartnerStaff(actor) {
		return nil, &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message", Message: "You do not have permission to do this."}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = tenantdesk.DefaultPageSize
	} else if limit > tenantdesk.MaxPageSize {
		limit = tenantdesk.MaxPageSize
	}
	// The partner's own account ID scopes the query: a partner sees its
	// customers only. NOCASE orders like lower(name) (both fold ASCII only)
	// and lets SQLite walk the accounts_parent index.
	q := `SELECT a.id, a.tenant_id, a.name, a.reference,
		(SELECT count(*) FROM users u WHERE u.account_id = a.id)
		FROM accounts a WHERE a.parent_id = ? AND a.kind = 'customer'`
	args := []any{actor.Account.ID}
	if query := strings.TrimSpace(f.Query); query != "" {
		if len(query) > 4*tenantdesk.MaxAccountNameLen {
			query = query[:4*tenantdesk.MaxAccountNameLen]
		}
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
