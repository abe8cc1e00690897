package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const userColumns = `u.id, u.account_id, a.tenant_id, u.display_name, u.email, u.status, u.is_owner,
	u.phone, u.job_title, u.language, u.time_zone, u.created_at, u.updated_at`

const userFrom = ` FROM users u JOIN accounts a ON a.id = u.account_id `

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func scanUser(row interface{ Scan(...any) error }) (*tenantdesk.User, error) {
	u := &tenantdesk.User{}
	var created, updated int64
	err := row.Scan(&u.ID, &u.AccountID, &u.TenantID, &u.DisplayName, &u.Email, &u.Status, &u.IsOwner,
		&u.Phone, &u.JobTitle, &u.Language, &u.TimeZone, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: scan user: %w", err)
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return u, nil
}

// loadRoles fills u.Roles, sorted.
func loadRoles(ctx context.Context, q querier, u *tenantdesk.User) error {
	rows, err := q.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, u.ID)
	if err != nil {
		return fmt.Errorf("sqlite: load roles: %w", err)
	}
	defer rows.Close()
	u.Roles = u.Roles[:0]
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return fmt.Errorf("sqlite: scan role: %w", err)
		}
		u.Roles = append(u.Roles, r)
	}
	return rows.Err()
}

func findUser(ctx context.Context, q querier, where string, arg any) (*tenantdesk.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+userFrom+where, arg))
	if err != nil {
		return nil, err
	}
	if err := loadRoles(ctx, q, u); err != nil {
		return nil, err
	}
	return u, nil
}

// FindUserByID returns ENOTFOUND if the user does not exist.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*tenantdesk.User, error) {
	return findUser(ctx, db.read, `WHERE u.id = ?`, id)
}

// FindUserByEmail returns ENOTFOUND if no user has that email (compared case-insensitively).
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*tenantdesk.User, error) {
	return findUser(ctx, db.read, `WHERE u.email_norm = ?`, tenantdesk.NormalizeEmail(email))
}

// createUser validates u's fields and role set and inserts it with its roles
// inside tx, auditing the creation. Returns EINVALID, EEmailTaken or a rule code.
func (tx *Tx) createUser(ctx context.Context, u *tenantdesk.User) error {
	var fields []tenantdesk.FieldError
	if fe := tenantdesk.ValidateDisplayName(u.DisplayName); fe != nil {
		fields = append(fields, *fe)
	}
	if fe := tenantdesk.ValidateEmail(u.Email); fe != nil {
		fields = append(fields, *fe)
	}
	if len(fields) > 0 {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	var kind string
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM accounts WHERE id = ?`, u.AccountID).Scan(&kind); err != nil {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Account not found.")
	}
	u.Roles = tenantdesk.SortedRoles(u.Roles)
	if err := tenantdesk.CheckRoleSet(u.Roles, kind == tenantdesk.AccountPartner); err != nil {
		return err
	}
	var exists int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE email_norm = ?`, tenantdesk.NormalizeEmail(u.Email)).Scan(&exists)
	if err == nil {
		return &tenantdesk.Error{Code: tenantdesk.EEmailTaken, Message: "A user with this email already exists.",
			Fields: []tenantdesk.FieldError{{Field: "email", Message: "A user with this email already exists."}}}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: check email: %w", err)
	}
	if u.Status == "" {
		u.Status = tenantdesk.UserInvited
	}
	u.DisplayName, u.Email = strings.TrimSpace(u.DisplayName), strings.TrimSpace(u.Email)
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	res, err := tx.ExecContext(ctx, `INSERT INTO users (account_id, display_name, name_norm, email, email_norm, status, is_owner,
		phone, job_title, language, time_zone, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		u.AccountID, u.DisplayName, normalizeName(u.DisplayName), u.Email, tenantdesk.NormalizeEmail(u.Email), u.Status, u.IsOwner,
		u.Phone, u.JobTitle, u.Language, u.TimeZone, ms(u.CreatedAt), ms(u.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: create user: %w", err)
	}
	u.ID, _ = res.LastInsertId()
	for _, r := range u.Roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, account_id, role) VALUES (?, ?, ?)`, u.ID, u.AccountID, r); err != nil {
			return fmt.Errorf("sqlite: add role: %w", err)
		}
	}
	licensed := false
	for _, r := range u.Roles {
		licensed = licensed || tenantdesk.LookupRole(r).Licensed
	}
	return tx.audit(ctx, &tenantdesk.AuditEntry{
		AccountID: u.AccountID, Action: tenantdesk.AuditUserCreate, TargetType: "user", TargetID: fmt.Sprint(u.ID),
		After:    auditJSON(map[string]any{"displayName": u.DisplayName, "email": u.Email, "roles": u.Roles, "owner": u.IsOwner, "status": u.Status}),
		Licensed: licensed,
	})
}

// CreateUser creates a user in u.AccountID on the operator's behalf (CLI,
// demo data). Returns EINVALID, EEmailTaken or a rule code.
func (db *DB) CreateUser(ctx context.Context, u *tenantdesk.User) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.createUser(ctx, u); err != nil {
		return err
	}
	return tx.Commit()
}

// normalizeName is the sort and search key of a display name.
func normalizeName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
