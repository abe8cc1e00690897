package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const accountColumns = `a.id, a.tenant_id, a.kind, COALESCE(a.parent_id, 0), COALESCE(p.tenant_id, ''), COALESCE(p.name, ''),
	a.name, a.reference, a.description, a.service_packages, a.support_package,
	a.personal_manager_name, a.personal_manager_email, a.personal_manager_phone,
	a.technical_manager_name, a.technical_manager_email, a.technical_manager_phone,
	a.created_at, a.updated_at`

const accountFrom = ` FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id `

func scanAccount(row interface{ Scan(...any) error }) (*tenantdesk.Account, error) {
	a := &tenantdesk.Account{}
	var created, updated int64
	err := row.Scan(&a.ID, &a.TenantID, &a.Kind, &a.ParentID, &a.ParentTenantID, &a.ParentName,
		&a.Name, &a.Reference, &a.Description, &a.ServicePackages, &a.SupportPackage,
		&a.PersonalManagerName, &a.PersonalManagerEmail, &a.PersonalManagerPhone,
		&a.TechnicalManagerName, &a.TechnicalManagerEmail, &a.TechnicalManagerPhone,
		&created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Account not found.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: scan account: %w", err)
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return a, nil
}

// FindAccountByID returns ENOTFOUND if there is no such account.
func (db *DB) FindAccountByID(ctx context.Context, id int64) (*tenantdesk.Account, error) {
	a, err := cachedRead(db, "account:"+strconv.FormatInt(id, 10), func() (*tenantdesk.Account, error) {
		return scanAccount(db.queryRow(ctx, `SELECT `+accountColumns+accountFrom+`WHERE a.id = ?`, id))
	})
	if a == nil {
		return nil, err
	}
	c := *a
	return &c, err
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

// ValidateAccountName checks an account name: 1–200 characters.
func validateAccountName(name string) *tenantdesk.FieldError {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	if n == 0 {
		return &tenantdesk.FieldError{Field: "name", Message: "Account name is required."}
	} else if n > 200 || !utf8.ValidString(name) {
		return &tenantdesk.FieldError{Field: "name", Message: "Account name must be at most 200 characters."}
	}
	return nil
}

// createAccount inserts an account row inside tx.
func (tx *Tx) createAccount(ctx context.Context, a *tenantdesk.Account) error {
	a.TenantID = newTenantID()
	a.CreatedAt, a.UpdatedAt = tx.now, tx.now
	res, err := tx.ExecContext(ctx, `INSERT INTO accounts (tenant_id, kind, parent_id, name, reference, description,
		service_packages, support_package, personal_manager_name, personal_manager_email, personal_manager_phone,
		technical_manager_name, technical_manager_email, technical_manager_phone, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.TenantID, a.Kind, nullInt(a.ParentID), strings.TrimSpace(a.Name), a.Reference, a.Description,
		a.ServicePackages, a.SupportPackage, a.PersonalManagerName, a.PersonalManagerEmail, a.PersonalManagerPhone,
		a.TechnicalManagerName, a.TechnicalManagerEmail, a.TechnicalManagerPhone, ms(a.CreatedAt), ms(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: create account: %w", err)
	}
	a.ID, _ = res.LastInsertId()
	return tx.audit(ctx, &tenantdesk.AuditEntry{
		AccountID: a.ID, Action: tenantdesk.AuditAccountCreate, TargetType: "account", TargetID: a.TenantID,
		After: auditJSON(map[string]any{"name": a.Name, "kind": a.Kind, "reference": a.Reference}),
	})
}

// CreatePartner creates a partner account with its Owner. Returns EINVALID
// for bad fields and EEmailTaken if the owner's email exists in any account.
func (db *DB) CreatePartner(ctx context.Context, in tenantdesk.CreatePartnerInput) (*tenantdesk.Account, *tenantdesk.User, error) {
	var fields []tenantdesk.FieldError
	if fe := validateAccountName(in.Name); fe != nil {
		fields = append(fields, *fe)
	}
	if fe := tenantdesk.ValidateDisplayName(in.OwnerName); fe != nil {
		fe.Field = "ownerName"
		fields = append(fields, *fe)
	}
	if fe := tenantdesk.ValidateEmail(in.OwnerEmail); fe != nil {
		fe.Field = "ownerEmail"
		fields = append(fields, *fe)
	}
	if len(fields) > 0 {
		return nil, nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	a := &tenantdesk.Account{Kind: tenantdesk.AccountPartner, Name: in.Name}
	if err := tx.createAccount(ctx, a); err != nil {
		return nil, nil, err
	}
	u := &tenantdesk.User{AccountID: a.ID, TenantID: a.TenantID, DisplayName: in.OwnerName, Email: in.OwnerEmail,
		Roles: tenantdesk.PartnerOwnerRoles, Status: tenantdesk.UserInvited, IsOwner: true}
	if _, err := tx.insertUser(ctx, a, u); err != nil {
		return nil, nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return a, u, nil
}

// CreateCustomer creates a customer account, optionally under a partner and
// with an Owner who holds every permission role (R5). It is the operator's
// and demo data's path; the partner's onboarding builds on it.
func (db *DB) CreateCustomer(ctx context.Context, a *tenantdesk.Account, owner *tenantdesk.User) error {
	if fe := validateAccountName(a.Name); fe != nil {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fe.Message, Fields: []tenantdesk.FieldError{*fe}}
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a.Kind = tenantdesk.AccountCustomer
	if a.ParentID != 0 {
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT kind FROM accounts WHERE id = ?`, a.ParentID).Scan(&kind); err != nil || kind != tenantdesk.AccountPartner {
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Partner account not found.")
		}
	}
	if err := tx.createAccount(ctx, a); err != nil {
		return err
	}
	if owner != nil {
		owner.AccountID, owner.TenantID, owner.IsOwner = a.ID, a.TenantID, true
		owner.Roles = tenantdesk.CustomerOwnerRoles()
		if owner.Status == "" {
			owner.Status = tenantdesk.UserInvited
		}
		if _, err := tx.insertUser(ctx, a, owner); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// readAccount returns the account for a read-only service call: the
// actor's own account as loaded for this request when it is the one asked
// for (it was read moments ago, in the same request), else a fresh read.
// Writes always re-read inside their transaction (tx.loadAccount).
func (db *DB) readAccount(ctx context.Context, accountID int64) (*tenantdesk.Account, error) {
	if a := tenantdesk.ActorFrom(ctx); a != nil && a.Account != nil && a.Account.ID == accountID {
		return a.Account, nil
	}
	return db.FindAccountByID(ctx, accountID)
}
