// Package sqlite is Tenantdesk's store (tenantdesk.Store) on an embedded
// SQLite file (modernc.org/sqlite, pure Go): opening the database with the
// right pragmas, the writer/reader pools, migrations, the read cache, and
// the transaction-scoped reads and writes the services (internal/service)
// use. It decides nothing: no authorization, rule, mail text or audit
// wording lives here. Every query of an account's data is scoped by the
// account's ID; methods return *tenantdesk.Error for a missing row and
// wrapped errors for everything else.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/migrations"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is an open Tenantdesk database: one writer connection (SQLite allows one
// writer at a time, so a pool would only queue on the lock) and a small pool
// of readers that run concurrently thanks to WAL.
type DB struct {
	write pool
	read  pool
	// path is the SQLite file ("" on PostgreSQL).
	path string
	// dialect is the database's SQL dialect (dialect.go).
	dialect dialect
	// pgPool is pgx's pool under write and read on PostgreSQL (postgres.go).
	pgPool *pgxpool.Pool
	// readStmts caches prepared statements of hot read queries (stmt.go).
	readStmts sync.Map
	// writeStmts keeps the write transactions' statements prepared on the
	// SQLite writer connection across transactions (txstmt.go);
	// writeStmtN counts them.
	writeStmts sync.Map
	writeStmtN int
	// cache holds hot rows for a moment, invalidated by every write (readcache.go).
	cache readCache
	// groups commits SQLite's queued write transactions together
	// (groupcommit.go); nil on PostgreSQL.
	groups *groupCommit

	// keys makes the keys of new users, devices and tokens (ids.go);
	// processKeys unless a test replaces it.
	keys *keySource

	// Now is the clock; tests replace it.
	Now func() time.Time
	// Hasher hashes and verifies passwords.
	Hasher tenantdesk.PasswordHasher
	// Mail configures emailed links and the outbox (outbox.go, links.go).
	Mail MailConfig
	// AuditLog, when set, receives every audit entry as one structured
	// line once its transaction has committed (audit.go, logAudit): the
	// audit log forwarded with the rest of the log (ASVS 5.0 16.4.3).
	AuditLog *slog.Logger
}

// mmapPragma lets every connection read the first 256 MiB of the file
// through a memory map instead of a read system call per page that is not
// in its own 2 MB page cache. Searches, which touch different pages on
// every request, went from about 5,300 to 6,400 requests/s with wrk on a
// database of 100,000 users (a 73 MB file), their p99 from 24 to 19 ms;
// the pages stay in the OS page cache, shared by all connections.
const mmapPragma = "mmap_size(268435456)"

// ReaderConns is the size of the reader pool.
const ReaderConns = 4

// Open opens the database at dsn: a PostgreSQL URL (postgres:// or
// postgresql://) or else the path of a SQLite file, created if needed. It
// does not migrate; call Migrate.
func Open(dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return openPostgres(dsn)
	}
	return openSQLite(dsn)
}

// openSQLite opens (creating if needed) the SQLite file at path.
func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create directory: %w", err)
		}
	}
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", mmapPragma} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	write, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Create the file and switch it to WAL before readers open it.
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	rq := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "query_only(1)", mmapPragma} {
		rq.Add("_pragma", p)
	}
	read, err := sql.Open("sqlite", "file:"+path+"?"+rq.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	read.SetMaxOpenConns(ReaderConns)
	read.SetMaxIdleConns(ReaderConns)
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(0)
	return &DB{write: pool{DB: write}, read: pool{DB: read}, path: path, keys: processKeys, Now: time.Now, groups: newGroupCommit()}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.closeStmts()
	if db.pgPool != nil {
		err := db.write.Close() // read is the same *sql.DB
		db.pgPool.Close()
		return err
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Migrate applies every pending migration and returns how many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	if db.dialect == dialectPostgres {
		return migrate(ctx, goose.DialectPostgres, db.write.DB, migrations.Postgres)
	}
	return migrate(ctx, goose.DialectSQLite3, db.write.DB, migrations.SQLite)
}

func migrate(ctx context.Context, d goose.Dialect, conn *sql.DB, fsys fs.FS) (int, error) {
	p, err := goose.NewProvider(d, conn, fsys)
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("store: migrate: %w", err)
	}
	return len(res), nil
}

// Tx is a write transaction. Helpers take *Tx so that a service call, its
// audit record and anything else it writes commit or roll back together.
type Tx struct {
	*sql.Tx
	now time.Time
	db  *DB
	// mailQueued: the transaction wrote to the outbox, so Update wakes the
	// delivery worker after the commit.
	mailQueued bool
	// audited are the audit entries the transaction wrote, which Update
	// logs after the commit (only when db.AuditLog is set).
	audited []*tenantdesk.AuditEntry
	// execStmts are the statements ExecContext prepared in this
	// transaction, by their text (txstmt.go).
	execStmts map[string]*sql.Stmt
	// fresh are the texts of execStmts prepared for this transaction
	// alone; Commit shares them with later transactions (txstmt.go).
	fresh []string
	// grouped: one caller's part of a group commit (groupcommit.go). Its
	// statements ignore the caller's cancellation: on SQLite an
	// interrupted write rolls back the whole transaction, the other
	// callers' changes with it.
	grouped bool
}

// stmtCtx is the context a statement of tx runs with.
func (tx *Tx) stmtCtx(ctx context.Context) context.Context {
	if tx.grouped {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// beginTx starts a write transaction: one at a time, on either database.
// On SQLite BEGIN IMMEDIATE (via _txlock) takes the file's write lock, so
// writers queue on it instead of failing on upgrade; on PostgreSQL the
// transaction first takes writeLock (postgres.go), which every replica's
// write transactions share. The services check a rule and then change
// the rows it reads (the last user admin, the one Owner, the licence
// count) and rely on no other writer in between: that holds on both.
func (db *DB) beginTx(ctx context.Context) (*Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	if db.dialect == dialectPostgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLock); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("store: write lock: %w", err)
		}
	}
	return &Tx{Tx: tx, now: db.Now().UTC(), db: db}, nil
}

// beginRowLockTx starts a transaction that does not take the write lock of
// beginTx: on PostgreSQL, for a change that row locks or its own advisory
// locks make safe alone (the outbox claims, Store.Record); on SQLite it is
// beginTx.
func (db *DB) beginRowLockTx(ctx context.Context) (*Tx, error) {
	if db.dialect != dialectPostgres {
		return db.beginTx(ctx)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	return &Tx{Tx: tx, now: db.Now().UTC(), db: db}, nil
}

// ms converts a time to the stored Unix milliseconds.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts stored Unix milliseconds back to a UTC time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }
