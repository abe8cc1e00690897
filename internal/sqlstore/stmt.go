package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// readStmt returns the prepared statement for query on the reader pool,
// preparing it on first use. SQLite would otherwise parse and plan the same
// SQL on every request: on a signed-in page that was a quarter of the CPU.
// Only fixed query texts may come here (the cache is never evicted).
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.readStmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	if prev, loaded := db.readStmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// queryRow runs a cached read statement returning one row.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, db.dialect.args(args)...)
}

type rowScanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// closeStmts closes the cached statements (on Close).
func (db *DB) closeStmts() {
	db.readStmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		db.readStmts.Delete(k)
		return true
	})
	db.writeStmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		db.writeStmts.Delete(k)
		return true
	})
}

// cachedReads is a querier on the reader pool whose statements are
// prepared once (readStmt): for helpers shared with Tx that read with fixed
// query texts on hot pages.
type cachedReads struct{ db *DB }

func (c cachedReads) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, c.db.dialect.args(args)...)
}

func (c cachedReads) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.db.readStmt(ctx, query)
	if err != nil {
		return c.db.read.QueryRowContext(ctx, query, args...) // fails the same way, in a *sql.Row
	}
	return st.QueryRowContext(ctx, c.db.dialect.args(args)...)
}
