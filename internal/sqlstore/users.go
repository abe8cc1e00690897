package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const userColumns = `u.id, u.account_id, a.tenant_id, u.display_name, u.email, u.status, u.is_owner,
	u.phone, u.job_title, u.language, u.time_zone, u.created_at, u.updated_at`

// userWithRoles reads a user and their roles in one statement.
const userWithRoles = `SELECT ` + userColumns + `,
	u.roles` + userFrom

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
		return nil, fmt.Errorf("store: scan user: %w", err)
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return u, nil
}

// loadRoles fills u.Roles, sorted.
func loadRoles(ctx context.Context, q querier, u *tenantdesk.User) error {
	rows, err := q.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, u.ID)
	if err != nil {
		return fmt.Errorf("store: load roles: %w", err)
	}
	defer rows.Close()
	u.Roles = u.Roles[:0]
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return fmt.Errorf("store: scan role: %w", err)
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

// FindUserByID returns ENOTFOUND if the user does not exist. It runs on
// every signed-in request, so it is one cached statement.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*tenantdesk.User, error) {
	u, err := cachedRead(db, "user:"+strconv.FormatInt(id, 10), func() (*tenantdesk.User, error) {
		return scanUserWithRoles(db.queryRow(ctx, userWithRoles+`WHERE u.id = ?`, id))
	})
	return copyUser(u), err
}

// copyUser returns a copy callers may change without touching the cache.
func copyUser(u *tenantdesk.User) *tenantdesk.User {
	if u == nil {
		return nil
	}
	c := *u
	c.Roles = append([]string(nil), u.Roles...)
	return &c
}

// FindUserByEmail returns ENOTFOUND if no user has that email (compared case-insensitively).
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*tenantdesk.User, error) {
	return scanUserWithRoles(db.queryRow(ctx, userWithRoles+`WHERE u.email_norm = ?`, tenantdesk.NormalizeEmail(email)))
}

func scanUserWithRoles(row rowScanner) (*tenantdesk.User, error) {
	u := &tenantdesk.User{}
	var created, updated int64
	var roles string
	err := row.Scan(&u.ID, &u.AccountID, &u.TenantID, &u.DisplayName, &u.Email, &u.Status, &u.IsOwner,
		&u.Phone, &u.JobTitle, &u.Language, &u.TimeZone, &created, &updated, &roles)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: scan user: %w", err)
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	if roles != "" {
		u.Roles = strings.Split(roles, ",")
	}
	return u, nil
}

// normalizeName is the sort and search key of a display name.
func normalizeName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }
