package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Accounts' Security settings as stored (tenantdesk.AccountSecurityReads
// and AccountSecurityTx); who may change them and the audit entry are the
// service's (internal/service/security.go).

func (tx *Tx) accountSecurity(ctx context.Context, accountID int64) (*tenantdesk.AccountSecurity, error) {
	return readAccountSecurity(ctx, tx, accountID)
}

func readAccountSecurity(ctx context.Context, q querier, accountID int64) (*tenantdesk.AccountSecurity, error) {
	s := &tenantdesk.AccountSecurity{AccountID: accountID}
	err := q.QueryRowContext(ctx, `SELECT require_2fa, token_max_lifetime_days FROM account_security WHERE account_id = ?`, accountID).
		Scan(&s.Require2FA, &s.TokenMaxLifetimeDays)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: account security: %w", err)
	}
	return s, nil
}

// FindAccountSecurity reads the account's settings. See tenantdesk.AccountSecurityReads.
func (db *DB) FindAccountSecurity(ctx context.Context, accountID int64) (*tenantdesk.AccountSecurity, error) {
	return readAccountSecurity(ctx, db.read, accountID)
}

// FindAccountSecurity reads the account's settings inside tx.
func (tx *Tx) FindAccountSecurity(ctx context.Context, accountID int64) (*tenantdesk.AccountSecurity, error) {
	return tx.accountSecurity(ctx, accountID)
}

// PutAccountSecurity stores the account's settings. See tenantdesk.AccountSecurityTx.
func (tx *Tx) PutAccountSecurity(ctx context.Context, s *tenantdesk.AccountSecurity) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_security (account_id, require_2fa, token_max_lifetime_days, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO UPDATE SET require_2fa = excluded.require_2fa,
		token_max_lifetime_days = excluded.token_max_lifetime_days, updated_at = excluded.updated_at`,
		s.AccountID, s.Require2FA, s.TokenMaxLifetimeDays, ms(tx.now)); err != nil {
		return fmt.Errorf("store: set account security: %w", err)
	}
	return nil
}
