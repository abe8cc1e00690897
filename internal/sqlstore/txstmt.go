package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// ExecContext runs a statement in the transaction, prepared once per
// transaction and text: SQLite would otherwise parse and plan it on every
// call, which was two fifths of the time of a transaction that writes many
// rows (a user import: thousands of users, their roles and audit rows).
// Only statements that run to completion are kept (no open rows can be
// disturbed by running the same text again); database/sql closes them when
// the transaction ends.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if d := tx.db.dialect; d == dialectPostgres {
		// pgx prepares and keeps statements per connection by itself.
		return tx.Tx.ExecContext(ctx, d.bind(query), d.args(args)...)
	}
	st, ok := tx.execStmts[query]
	if !ok {
		var err error
		if st, err = tx.PrepareContext(ctx, query); err != nil {
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
		if tx.execStmts == nil {
			tx.execStmts = map[string]*sql.Stmt{}
		}
		tx.execStmts[query] = st
	}
	return st.ExecContext(ctx, tx.db.dialect.args(args)...)
}

// QueryRowContext runs a query for one row in the transaction, prepared
// once per transaction and text as ExecContext's statements. Every caller
// scans the row at once, which closes it before the text can run again.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if d := tx.db.dialect; d == dialectPostgres {
		return tx.Tx.QueryRowContext(ctx, d.bind(query), d.args(args)...)
	}
	st, ok := tx.execStmts[query]
	if !ok {
		var err error
		if st, err = tx.PrepareContext(ctx, query); err != nil {
			return tx.Tx.QueryRowContext(ctx, tx.db.dialect.bind(query), tx.db.dialect.args(args)...) // the same error, on Scan
		}
		if tx.execStmts == nil {
			tx.execStmts = map[string]*sql.Stmt{}
		}
		tx.execStmts[query] = st
	}
	return st.QueryRowContext(ctx, tx.db.dialect.args(args)...)
}
