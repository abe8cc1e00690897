package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// The read cache keeps the rows every signed-in request reads — the
// session, its user with roles, the account, an API token — for a moment,
// so a busy page does not read them again and again.
//
// It cannot serve anything stale that this process changed: every write
// (each committed transaction and each direct write, see execWrite) bumps a
// generation counter, and an entry is only used while the generation is the
// one it was read under. Writes by another process (the operator's command
// line on the same file) are seen within readCacheTTL.
var readCacheTTL = time.Second // a variable so tests can shorten it

const readCacheMaxSize = 20000

type readCache struct {
	gen     atomic.Uint64
	entries sync.Map // key -> *cacheEntry
	size    atomic.Int64
}

type cacheEntry struct {
	gen uint64
	at  time.Time
	val any
}

// written records that the database changed.
func (c *readCache) written() { c.gen.Add(1) }

// get returns the cached value for key when it is still valid.
func (c *readCache) get(key string) (any, bool) {
	v, ok := c.entries.Load(key)
	if !ok {
		return nil, false
	}
	e := v.(*cacheEntry)
	if e.gen != c.gen.Load() || time.Since(e.at) >= readCacheTTL {
		return nil, false
	}
	return e.val, true
}

// put stores val read under generation gen (taken before the read, so a
// write racing with the read makes the entry useless at once).
func (c *readCache) put(key string, gen uint64, val any) {
	if c.size.Add(1) > readCacheMaxSize {
		c.entries.Range(func(k, _ any) bool { c.entries.Delete(k); return true })
		c.size.Store(0)
	}
	c.entries.Store(key, &cacheEntry{gen: gen, at: time.Now(), val: val})
}

// cachedRead returns load's value for key, from the cache when valid. Only
// successful reads are cached. Callers get the cached value itself: they
// must copy what they hand out (see the callers).
func cachedRead[T any](db *DB, key string, load func() (T, error)) (T, error) {
	if v, ok := db.cache.get(key); ok {
		return v.(T), nil
	}
	gen := db.cache.gen.Load()
	v, err := load()
	if err == nil {
		db.cache.put(key, gen, v)
	}
	return v, err
}

// execWrite runs a statement on the writer outside a transaction and
// records the write for the read cache.
func (db *DB) execWrite(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.write.ExecContext(ctx, query, args...)
	db.cache.written() // also on error: a failed statement may still have changed something
	return res, err
}

// Commit commits the transaction and records the write for the read cache.
func (tx *Tx) Commit() error {
	err := tx.Tx.Commit()
	tx.db.cache.written()
	if err == nil && len(tx.fresh) > 0 {
		tx.db.shareStmts(context.Background(), tx.fresh) // txstmt.go
	}
	return err
}

// ForgetCachedReads drops every cached read at once; for callers that
// changed the file behind this DB's back (tests writing SQL directly).
func (db *DB) ForgetCachedReads() { db.cache.written() }
