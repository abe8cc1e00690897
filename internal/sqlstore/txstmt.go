package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
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
	ctx = tx.stmtCtx(ctx)
	st, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
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
	ctx = tx.stmtCtx(ctx)
	st, err := tx.stmt(ctx, query)
	if err != nil {
		return tx.Tx.QueryRowContext(ctx, tx.db.dialect.bind(query), tx.db.dialect.args(args)...) // the same error, on Scan
	}
	return st.QueryRowContext(ctx, tx.db.dialect.args(args)...)
}

// stmt returns query prepared for this transaction (SQLite). A text some
// earlier transaction committed with is prepared once on the writer
// connection and kept there (writeStmts), so a transaction that writes one
// user does not parse and plan its ten statements again each time: the
// transaction uses the connection's statement (tx.StmtContext finds it, as
// the writer pool has its one connection). A text seen for the first time
// is prepared for this transaction alone and shared after its commit.
func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := tx.execStmts[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if shared, ok := tx.db.writeStmts.Load(query); ok {
		st = tx.Tx.StmtContext(ctx, shared.(*sql.Stmt))
	} else {
		var err error
		if st, err = tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		tx.fresh = append(tx.fresh, query)
	}
	if tx.execStmts == nil {
		tx.execStmts = map[string]*sql.Stmt{}
	}
	tx.execStmts[query] = st
	return st, nil
}

// maxWriteStmts bounds writeStmts: the store's write statements are a few
// hundred fixed texts; past the bound a text is prepared per transaction.
const maxWriteStmts = 512

// writeStmtsMu serializes shareStmts' bookkeeping of the bound.
var writeStmtsMu sync.Mutex

// shareStmts prepares, on the writer pool, the texts a committed
// transaction prepared for itself, so that later transactions reuse them.
// It runs after the commit, when the writer connection is free again; a
// text that fails to prepare is simply not shared.
func (db *DB) shareStmts(ctx context.Context, texts []string) {
	if db.dialect != dialectSQLite || len(texts) == 0 {
		return
	}
	writeStmtsMu.Lock()
	defer writeStmtsMu.Unlock()
	for _, q := range texts {
		if db.writeStmtN >= maxWriteStmts {
			return
		}
		if _, ok := db.writeStmts.Load(q); ok {
			continue
		}
		st, err := db.write.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		db.writeStmts.Store(q, st)
		db.writeStmtN++
	}
}
