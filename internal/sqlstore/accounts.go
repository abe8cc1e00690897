package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const accountColumns = `a.id, a.tenant_id, a.kind, COALESCE(a.parent_id, 0), COALESCE(p.tenant_id, ''), COALESCE(p.name, ''),
	a.name, a.reference, a.description, a.service_packages, a.support_package,
	a.personal_manager_name, a.personal_manager_email, a.personal_manager_phone,
	a.technical_manager_name, a.technical_manager_email, a.technical_manager_phone,
	a.created_at, a.updated_at, a.first_grant_at,
	a.default_language, a.default_time_zone, a.auto_assign_acd, a.essential_variant, a.disabled_at`

const accountFrom = ` FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id `

// accountScan is the scan targets of accountColumns for one account, for
// queries that read an account beside other columns (token authentication).
type accountScan struct {
	a                    tenantdesk.Account
	created, updated     int64
	firstGrant, disabled sql.NullInt64
}

func (s *accountScan) dest() []any {
	a := &s.a
	return []any{&a.ID, &a.TenantID, &a.Kind, &a.ParentID, &a.ParentTenantID, &a.ParentName,
		&a.Name, &a.Reference, &a.Description, &a.ServicePackages, &a.SupportPackage,
		&a.PersonalManagerName, &a.PersonalManagerEmail, &a.PersonalManagerPhone,
		&a.TechnicalManagerName, &a.TechnicalManagerEmail, &a.TechnicalManagerPhone,
		&s.created, &s.updated, &s.firstGrant,
		&a.Settings.DefaultLanguage, &a.Settings.DefaultTimeZone, &a.Settings.AutoAssignACD, &a.Settings.EssentialVariant, &s.disabled}
}

// account returns the scanned account.
func (s *accountScan) account() *tenantdesk.Account {
	a := s.a
	a.CreatedAt, a.UpdatedAt, a.FirstGrantAt, a.DisabledAt = fromMS(s.created), fromMS(s.updated), fromNullMS(s.firstGrant), fromNullMS(s.disabled)
	return &a
}

func scanAccount(row interface{ Scan(...any) error }) (*tenantdesk.Account, error) {
	var s accountScan
	err := row.Scan(s.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Account not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: scan account: %w", err)
	}
	return s.account(), nil
}

// FindAccountByID returns ENOTFOUND if there is no such account.
func (db *DB) FindAccountByID(ctx context.Context, id int64) (*tenantdesk.Account, error) {
	a, err := cachedRead(db, "account:"+strconv.FormatInt(id, 10), func() (*tenantdesk.Account, error) {
		return scanAccount(db.queryRow(ctx, `SELECT `+accountColumns+accountFrom+`WHERE a.id = ?`, id))
	})
	if a == nil {
		return nil, err
	}
	c := *a // the cached value stays as read: copy what a caller could change through pointers
	if a.FirstGrantAt != nil {
		t := *a.FirstGrantAt
		c.FirstGrantAt = &t
	}
	if a.DisabledAt != nil {
		t := *a.DisabledAt
		c.DisabledAt = &t
	}
	return &c, err
}

// fromNullMS converts a nullable stored time: nil when NULL.
func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// nullMS is the stored form of a nullable time: NULL for nil.
func nullMS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ms(*t), Valid: true}
}

// FindAccountByTenantID returns ENOTFOUND if there is no such account.
func (db *DB) FindAccountByTenantID(ctx context.Context, tenantID string) (*tenantdesk.Account, error) {
	return scanAccount(db.queryRow(ctx, `SELECT `+accountColumns+accountFrom+`WHERE a.tenant_id = ?`, tenantID))
}

// newTenantID returns an opaque tenant ID: "tn" and 16 characters of base32
// randomness (80 bits), so IDs cannot be guessed or enumerated.
func newTenantID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[b[i]&31]
	}
	return "tn" + string(b)
}

// InsertAccount stores a new account under a new tenant ID. See
// tenantdesk.AccountTx.
func (tx *Tx) InsertAccount(ctx context.Context, a *tenantdesk.Account) error {
	a.TenantID = newTenantID()
	a.CreatedAt, a.UpdatedAt = tx.now, tx.now
	err := tx.QueryRowContext(ctx, `INSERT INTO accounts (tenant_id, kind, parent_id, name, reference, description,
		service_packages, support_package, personal_manager_name, personal_manager_email, personal_manager_phone,
		technical_manager_name, technical_manager_email, technical_manager_phone, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		a.TenantID, a.Kind, nullInt(a.ParentID), strings.TrimSpace(a.Name), a.Reference, a.Description,
		a.ServicePackages, a.SupportPackage, a.PersonalManagerName, a.PersonalManagerEmail, a.PersonalManagerPhone,
		a.TechnicalManagerName, a.TechnicalManagerEmail, a.TechnicalManagerPhone, ms(a.CreatedAt), ms(a.UpdatedAt)).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("store: create account: %w", err)
	}
	return nil
}

// FindAccountByTenantID reads an account by tenant ID inside tx.
func (tx *Tx) FindAccountByTenantID(ctx context.Context, tenantID string) (*tenantdesk.Account, error) {
	return scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+accountFrom+`WHERE a.tenant_id = ?`, tenantID))
}
