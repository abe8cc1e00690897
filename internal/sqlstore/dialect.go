package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// The store's SQL is written once, in the subset SQLite and PostgreSQL
// share: `?` placeholders (or `?N` for a numbered one), integer columns for
// times (Unix milliseconds) and flags (0/1), RETURNING instead of
// last-insert IDs. What PostgreSQL lacks of SQLite's vocabulary the
// PostgreSQL migrations define under the same names (instr, the fold
// function, the nocase collation), so one text runs on both; the few
// queries that must differ ask db.pg. This file turns a query and its
// arguments into what the connection's driver expects.

// dialect says which database a connection speaks.
type dialect uint8

const (
	dialectSQLite dialect = iota
	dialectPostgres
)

// pool is a *sql.DB that takes the store's SQL: on PostgreSQL it numbers
// the placeholders ($1…) and passes flags as integers.
type pool struct {
	*sql.DB
	dialect dialect
}

func (p pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, p.dialect.bind(query), p.dialect.args(args)...)
}

func (p pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.DB.QueryRowContext(ctx, p.dialect.bind(query), p.dialect.args(args)...)
}

func (p pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.DB.ExecContext(ctx, p.dialect.bind(query), p.dialect.args(args)...)
}

func (p pool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.DB.PrepareContext(ctx, p.dialect.bind(query))
}

// bind rewrites the placeholders of query for the dialect: unchanged for
// SQLite; for PostgreSQL `?N` becomes `$N` and each bare `?` the next
// number. Quoted text ('…', "…") is left alone.
func (d dialect) bind(query string) string {
	if d != dialectPostgres || strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
				i = j - 1
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// args passes Go flags as the 0/1 the integer columns hold: PostgreSQL
// does not turn a boolean into an integer for us, SQLite does. A NUL in a
// string becomes U+FFFD: PostgreSQL text cannot hold NUL and refuses the
// whole statement, while no stored value has one (the validators refuse
// control characters), so a lookup by such a string finds nothing, as on
// SQLite, instead of failing.
func (d dialect) args(args []any) []any {
	if d != dialectPostgres {
		return args
	}
	var out []any // a copy, made only when an argument needs converting
	set := func(i int, v any) {
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = v
	}
	for i, a := range args {
		switch v := a.(type) {
		case bool:
			if v {
				set(i, int64(1))
			} else {
				set(i, int64(0))
			}
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				set(i, strings.ReplaceAll(v, "\x00", "\uFFFD"))
			}
		}
	}
	if out == nil {
		return args
	}
	return out
}

// QueryContext runs a query in the transaction in its dialect.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	d := tx.db.dialect
	return tx.Tx.QueryContext(tx.stmtCtx(ctx), d.bind(query), d.args(args)...)
}

// PrepareContext prepares a statement in the transaction in its dialect.
func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return tx.Tx.PrepareContext(tx.stmtCtx(ctx), tx.db.dialect.bind(query))
}
