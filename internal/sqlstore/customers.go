package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Customers' phone-platform connection details and a partner's customers
// with them, as stored (tenantdesk.CustomerReads, CustomerLists). The
// flows are internal/service's Customers and AccountInfo.

func readConnection(ctx context.Context, q querier, accountID int64) (string, error) {
	var c string
	err := q.QueryRowContext(ctx, `SELECT connection FROM account_connections WHERE account_id = ?`, accountID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "{}", nil
	} else if err != nil {
		return "", fmt.Errorf("store: read connection: %w", err)
	}
	return c, nil
}

// Connection reads the account's connection details. See tenantdesk.CustomerReads.
func (db *DB) Connection(ctx context.Context, accountID int64) (string, error) {
	return readConnection(ctx, db.read, accountID)
}

// Connection reads the account's connection details inside tx.
func (tx *Tx) Connection(ctx context.Context, accountID int64) (string, error) {
	return readConnection(ctx, tx, accountID)
}

// SetConnection stores the account's connection details. See tenantdesk.AccountTx.
func (tx *Tx) SetConnection(ctx context.Context, accountID int64, connection string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_connections (account_id, connection, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET connection = excluded.connection, updated_at = excluded.updated_at`,
		accountID, connection, ms(tx.now)); err != nil {
		return fmt.Errorf("store: set connection: %w", err)
	}
	return nil
}

// PartnerCustomers reads the partner's customers among ids with their
// connection details, in the order of ids. See tenantdesk.CustomerLists.
func (db *DB) PartnerCustomers(ctx context.Context, partnerID int64, ids []int64) ([]*tenantdesk.Customer, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var in strings.Builder
	args := make([]any, 0, len(ids)+1)
	args = append(args, partnerID)
	for i, id := range ids {
		if i > 0 {
			in.WriteByte(',')
		}
		in.WriteByte('?')
		args = append(args, id)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+accountColumns+`, COALESCE(c.connection, '{}'), `+customerStatusRank+accountFrom+
		`LEFT JOIN account_connections c ON c.account_id = a.id WHERE a.parent_id = ? AND a.id IN (`+in.String()+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	defer rows.Close()
	byID := map[int64]*tenantdesk.Customer{}
	for rows.Next() {
		var conn string
		var rank int
		acc, err := scanAccount(scanWithExtras{rows, []any{&conn, &rank}})
		if err != nil {
			return nil, err
		}
		byID[acc.ID] = &tenantdesk.Customer{Account: acc, Connection: conn, Status: customerRankStatus[rank]}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*tenantdesk.Customer, 0, len(ids))
	for _, id := range ids {
		if cu := byID[id]; cu != nil {
			out = append(out, cu)
		}
	}
	return out, nil
}
