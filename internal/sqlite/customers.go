package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The partner's onboarding of customer accounts (tenantdesk.CustomerService,
// the API's /customers). DB.CreateCustomer (accounts.go) stays the
// operator's and demo data's path; this one authorizes the partner, runs the
// same field rules as the general-information form (GeneralInfo.Validate)
// and the same user path for the Owner (insertUser), and audits in both
// the partner's and the customer's log.

func readConnection(ctx context.Context, q querier, accountID int64) (string, error) {
	var c string
	err := q.QueryRowContext(ctx, `SELECT connection FROM account_connections WHERE account_id = ?`, accountID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "{}", nil
	} else if err != nil {
		return "", fmt.Errorf("sqlite: read connection: %w", err)
	}
	return c, nil
}

func (tx *Tx) SetConnection(ctx context.Context, accountID int64, connection string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_connections (account_id, connection, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET connection = excluded.connection, updated_at = excluded.updated_at`,
		accountID, connection, ms(tx.now)); err != nil {
		return fmt.Errorf("sqlite: set connection: %w", err)
	}
	return nil
}

// authorizeCustomerRead lets the customer's user admins, its partner's
// staff and the operator read a customer account; members without
// user.admin get EFORBIDDEN, everyone else ENOTFOUND.
func authorizeCustomerRead(a *tenantdesk.Actor, acc *tenantdesk.Account) error {
	if a == nil {
		return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	if acc.Kind != tenantdesk.AccountCustomer {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
	}
	if tenantdesk.IsPartnerStaffOf(a, acc) {
		return nil
	}
	if err := tenantdesk.Authorize(a, acc, tenantdesk.AccessUserAdmin); err != nil {
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
		}
		return err
	}
	return nil
}

// GetCustomer returns a customer account; see tenantdesk.CustomerService.
func (db *DB) GetCustomer(ctx context.Context, tenantID string) (*tenantdesk.Customer, error) {
	acc, err := db.FindAccountByTenantID(ctx, tenantID)
	if err != nil {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
	}
	if err := authorizeCustomerRead(tenantdesk.ActorFrom(ctx), acc); err != nil {
		return nil, err
	}
	conn, err := readConnection(ctx, db.read, acc.ID)
	if err != nil {
		return nil, err
	}
	return &tenantdesk.Customer{Account: acc, Connection: conn}, nil
}

// UpdateCustomer changes a customer's name, description, reference or
// connection details; see tenantdesk.CustomerService. Audited as
// account.update with the changed fields.
func (db *DB) UpdateCustomer(ctx context.Context, tenantID string, p tenantdesk.CustomerPatch) (*tenantdesk.Customer, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	acc, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+accountFrom+`WHERE a.tenant_id = ?`, tenantID))
	if err != nil || acc.Kind != tenantdesk.AccountCustomer {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
	}
	// Authorize before validating: a stranger learns nothing from field errors.
	if err := tenantdesk.AuthorizeGeneralInfoEdit(actor, acc); err != nil {
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND && tenantdesk.AccessTo(actor, acc) >= tenantdesk.AccessMember {
			// The customer's own users see the account but only its partner changes it.
			return nil, &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message",
				Message: "Only the account's partner can change a customer's details."}
		}
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
		}
		return nil, err
	}
	old := tenantdesk.GeneralInfoOf(acc)
	next := old
	if p.Name != nil {
		next.Name = *p.Name
	}
	if p.Reference != nil {
		next.Reference = *p.Reference
	}
	if p.Description != nil {
		next.Description = *p.Description
	}
	next = next.Normalize()
	fields := next.Validate()
	oldConn, err := readConnection(ctx, tx, acc.ID)
	if err != nil {
		return nil, err
	}
	conn := oldConn
	if p.Connection != nil {
		c, fe := tenantdesk.NormalizeConnection(*p.Connection)
		if fe != nil {
			fields = append(fields, *fe)
		}
		conn = c
	}
	if len(fields) > 0 {
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	before, after := tenantdesk.DiffGeneralInfo(old, next)
	b, a := map[string]any{}, map[string]any{}
	for k, v := range before {
		b[k] = v
	}
	for k, v := range after {
		a[k] = v
	}
	if conn != oldConn {
		b["connection"], a["connection"] = json.RawMessage(oldConn), json.RawMessage(conn)
		if err := tx.SetConnection(ctx, acc.ID, conn); err != nil {
			return nil, err
		}
	}
	if len(a) == 0 {
		return &tenantdesk.Customer{Account: acc, Connection: conn}, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET name = ?, reference = ?, description = ?, updated_at = ? WHERE id = ?`,
		next.Name, next.Reference, next.Description, ms(tx.now), acc.ID); err != nil {
		return nil, fmt.Errorf("sqlite: update customer: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: acc.ID, Action: tenantdesk.AuditAccountUpdate, TargetType: "account",
		TargetID: acc.TenantID, Before: auditJSON(b), After: auditJSON(a)}); err != nil {
		return nil, err
	}
	stored, err := tx.loadAccount(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return &tenantdesk.Customer{Account: stored, Connection: conn}, nil
}

// ListPartnerCustomers returns a page of the actor's partner's customers,
// in the order and with the cursor of ListCustomers (which authorizes).
func (db *DB) ListPartnerCustomers(ctx context.Context, f tenantdesk.CustomerFilter) ([]*tenantdesk.Customer, string, error) {
	page, err := db.ListCustomers(ctx, f)
	if err != nil {
		return nil, "", err
	}
	if len(page.Customers) == 0 {
		return nil, page.NextCursor, nil
	}
	var in strings.Builder
	args := make([]any, 0, len(page.Customers))
	for i, c := range page.Customers {
		if i > 0 {
			in.WriteByte(',')
		}
		in.WriteByte('?')
		args = append(args, c.ID)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+accountColumns+`, COALESCE(c.connection, '{}')`+accountFrom+
		`LEFT JOIN account_connections c ON c.account_id = a.id WHERE a.id IN (`+in.String()+`)`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list customers: %w", err)
	}
	defer rows.Close()
	byID := map[int64]*tenantdesk.Customer{}
	for rows.Next() {
		var conn string
		acc, err := scanAccount(scanWithExtra{rows, &conn})
		if err != nil {
			return nil, "", err
		}
		byID[acc.ID] = &tenantdesk.Customer{Account: acc, Connection: conn}
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out := make([]*tenantdesk.Customer, 0, len(page.Customers))
	for _, c := range page.Customers {
		if cu := byID[c.ID]; cu != nil {
			out = append(out, cu)
		}
	}
	return out, page.NextCursor, nil
}

// scanWithExtra scans a row whose columns are those of a scanner's target
// followed by extra ones.
type scanWithExtra struct {
	row   rowScanner
	extra any
}

func (s scanWithExtra) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }
