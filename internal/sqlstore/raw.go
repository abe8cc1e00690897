package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// RawDB is a connection to the database below the store, in the store's
// SQL (`?` placeholders on either database): for tests that arrange or
// inspect rows no service reaches, and for checks from outside a running
// server. It bypasses the read cache: a writer through it calls
// ForgetCachedReads on the DB that should see the change at once.
type RawDB struct{ p pool }

// OpenRaw opens a RawDB on dsn (as Open takes it).
func OpenRaw(dsn string) (*RawDB, error) {
	if IsPostgresURL(dsn) {
		conn, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: raw postgres: %w", err)
		}
		return &RawDB{pool{DB: conn, dialect: dialectPostgres}}, nil
	}
	conn, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, fmt.Errorf("store: raw sqlite: %w", err)
	}
	return &RawDB{pool{DB: conn}}, nil
}

// Postgres reports whether the connection is to PostgreSQL.
func (r *RawDB) Postgres() bool { return r.p.dialect == dialectPostgres }

// Exec runs a statement.
func (r *RawDB) Exec(query string, args ...any) (sql.Result, error) {
	return r.p.ExecContext(context.Background(), query, args...)
}

// ExecContext runs a statement.
func (r *RawDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.p.ExecContext(ctx, query, args...)
}

// Query runs a query.
func (r *RawDB) Query(query string, args ...any) (*sql.Rows, error) {
	return r.p.QueryContext(context.Background(), query, args...)
}

// QueryContext runs a query.
func (r *RawDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return r.p.QueryContext(ctx, query, args...)
}

// QueryRow runs a query for one row.
func (r *RawDB) QueryRow(query string, args ...any) *sql.Row {
	return r.p.QueryRowContext(context.Background(), query, args...)
}

// QueryRowContext runs a query for one row.
func (r *RawDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return r.p.QueryRowContext(ctx, query, args...)
}

// Close closes the connection.
func (r *RawDB) Close() error { return r.p.Close() }
