package sqlstore

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL, the second store: for providers who run several replicas of
// the portal behind a load balancer on a database they already operate.
// The same SQL as on SQLite (dialect.go), through database/sql over pgx's
// own pool; what must hold across replicas:
//
//   - write transactions are serial, as on SQLite: each takes writeLock
//     first (beginTx), so a rule checked in a transaction still holds at
//     its commit whichever replica runs it;
//   - except the writes of Store.Record (a sign-in's audit row, throttle
//     attempts), which check no rule; a reservation of an attempt locks its
//     own keys (attemptKeyLock) so its count still holds at its commit;
//   - the outbox is claimed with FOR UPDATE SKIP LOCKED (ClaimMail), so two
//     replicas never send the same message;
//   - the janitor runs on one replica at a time (TryJanitorLock);
//   - the read cache of each replica serves a row at most readCacheTTL (one
//     second) after another replica changed it (readcache.go): a revoked
//     token or ended session is refused everywhere within that bound.

// Advisory lock keys (pg_advisory_*): any 64-bit numbers other programs
// sharing the database are unlikely to use.
const (
	writeLock   int64 = 0x7464_0001 // "td" 1: the write transactions
	janitorLock int64 = 0x7464_0002 // "td" 2: the janitor
)

// attemptKeyLock is the advisory lock key of one throttle key (an email or
// an IP of a kind of attempt): a 64-bit FNV-1a hash of table, column and
// value, kept clear of the fixed keys above. Two keys sharing a hash only
// wait for each other.
func attemptKeyLock(table, col string, value any) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%v", table, col, value)
	k := int64(h.Sum64())
	if k == writeLock || k == janitorLock {
		k++
	}
	return k
}

// PostgresConns is the size of the connection pool of a replica.
const PostgresConns = 16

// IsPostgresURL reports whether dsn names a PostgreSQL database rather
// than a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPostgres connects to the database at url (pgx pool, database/sql on
// top). Reads and writes share the pool: PostgreSQL has no single writer
// connection to protect.
func openPostgres(url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: postgres URL: %w", redactURLError(err))
	}
	if cfg.MaxConns < PostgresConns && !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = PostgresConns
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	conn := stdlib.OpenDBFromPool(p)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		p.Close()
		return nil, fmt.Errorf("store: postgres %s: %w", cfg.ConnConfig.Host, err)
	}
	db := &DB{
		write:   pool{DB: conn, dialect: dialectPostgres},
		read:    pool{DB: conn, dialect: dialectPostgres},
		dialect: dialectPostgres,
		keys:    processKeys,
		Now:     time.Now,
	}
	db.pgPool = p
	return db, nil
}

// redactURLError keeps a password in a malformed URL out of logs: pgx's
// parse errors quote the URL.
func redactURLError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		if j := strings.Index(msg[i:], "@"); j >= 0 {
			msg = msg[:i+3] + "…" + msg[i+j:]
		}
	}
	return fmt.Errorf("%s", msg)
}

// DisplayDSN is dsn as logs and messages may show it: a PostgreSQL URL
// without its password.
func DisplayDSN(dsn string) string {
	if !IsPostgresURL(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// IsPostgres reports whether the store is on PostgreSQL.
func (db *DB) IsPostgres() bool { return db.dialect == dialectPostgres }

// TryJanitorLock takes the janitor's lock for the duration of fn, when no
// other replica holds it; it reports whether fn ran. On SQLite there is one
// process per file and fn always runs.
func (db *DB) TryJanitorLock(ctx context.Context, fn func(context.Context) error) (bool, error) {
	if db.dialect != dialectPostgres {
		return true, fn(ctx)
	}
	// A session-level lock lives on one connection: hold that connection
	// until fn is done, then unlock on it.
	conn, err := db.read.Conn(ctx) // the same pool as write on PostgreSQL; the lock writes nothing
	if err != nil {
		return false, fmt.Errorf("store: janitor lock: %w", err)
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, janitorLock).Scan(&got); err != nil {
		return false, fmt.Errorf("store: janitor lock: %w", err)
	}
	if !got {
		return false, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, janitorLock)
	return true, fn(ctx)
}
