package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const auditSecurityUpdate = "account.security_update"

func (tx *Tx) accountSecurity(ctx context.Context, accountID int64) (*tenantdesk.AccountSecurity, error) {
	return readAccountSecurity(ctx, tx, accountID)
}

func readAccountSecurity(ctx context.Context, q querier, accountID int64) (*tenantdesk.AccountSecurity, error) {
	s := &tenantdesk.AccountSecurity{AccountID: accountID}
	err := q.QueryRowContext(ctx, `SELECT require_2fa, token_max_lifetime_days FROM account_security WHERE account_id = ?`, accountID).
		Scan(&s.Require2FA, &s.TokenMaxLifetimeDays)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: account security: %w", err)
	}
	return s, nil
}

// AccountSecurity returns the account's security settings; see tenantdesk.AccountSecurityService.
func (db *DB) AccountSecurity(ctx context.Context, accountID int64) (*tenantdesk.AccountSecurity, error) {
	acc, err := db.readAccount(ctx, accountID)
	if err != nil {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, tenantdesk.AccessMember); err != nil {
		return nil, err
	}
	return readAccountSecurity(ctx, db.read, accountID)
}

// SetAccountSecurity changes the settings; Owner only. See tenantdesk.AccountSecurityService.
func (db *DB) SetAccountSecurity(ctx context.Context, in tenantdesk.AccountSecurity) (*tenantdesk.AccountSecurity, error) {
	if in.TokenMaxLifetimeDays < 0 || in.TokenMaxLifetimeDays > tenantdesk.MaxTokenLifetimeDays {
		msg := fmt.Sprintf("The maximum token lifetime must be between 0 (no maximum) and %d days.", tenantdesk.MaxTokenLifetimeDays)
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "security.error.lifetime",
			Fields: []tenantdesk.FieldError{{Field: "tokenMaxLifetimeDays", Message: msg, Key: "security.error.lifetime"}}}
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	acc, err := tx.authorizedAccount(ctx, in.AccountID, tenantdesk.AccessMember)
	if err != nil {
		return nil, err
	}
	if a := tenantdesk.ActorFrom(ctx); !a.Operator && !(a.User != nil && a.User.IsOwner && a.User.AccountID == acc.ID) {
		return nil, &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "security.error.owner_only",
			Message: "Only the account Owner can change the security settings."}
	}
	before, err := tx.accountSecurity(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_security (account_id, require_2fa, token_max_lifetime_days, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET require_2fa = excluded.require_2fa,
		token_max_lifetime_days = excluded.token_max_lifetime_days, updated_at = excluded.updated_at`,
		acc.ID, in.Require2FA, in.TokenMaxLifetimeDays, ms(tx.now)); err != nil {
		return nil, fmt.Errorf("sqlite: set account security: %w", err)
	}
	after := &tenantdesk.AccountSecurity{AccountID: acc.ID, Require2FA: in.Require2FA, TokenMaxLifetimeDays: in.TokenMaxLifetimeDays}
	if *before != *after {
		if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: acc.ID, Action: auditSecurityUpdate, TargetType: "account",
			TargetID: acc.TenantID,
			Before:   auditJSON(map[string]any{"require2fa": before.Require2FA, "tokenMaxLifetimeDays": before.TokenMaxLifetimeDays}),
			After:    auditJSON(map[string]any{"require2fa": after.Require2FA, "tokenMaxLifetimeDays": after.TokenMaxLifetimeDays}),
		}); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return after, nil
}
