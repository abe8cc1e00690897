package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"sync"
	"time"
)

// Keys of users, devices, api_tokens and access_requests (SPEC §1 "IDs"). SQLite's rowid is
// max(id)+1, so a deleted newest row's ID was handed out again and an old
// URL, API path or audit entry then named somebody else (issue 9). These
// tables' keys are instead assigned here, by every insert into them: the
// milliseconds since keyEpoch in the top 41 bits and keyRandBits random bits
// below, a positive 62-bit int64. Time only moves forward, so a key, once
// used, is never produced again; within this process keys are also strictly
// increasing (a clock step back or a busy millisecond continues from the
// last key), and a clash with another process writing the same file (the
// tenantdesk command beside the server) is caught by newKey's check.
//
// Rows created before this scheme keep their small rowids: every new key is
// far larger (≥ 2^21 even at the epoch itself), so old and new never clash.
// Outside the database the keys travel only in their public form
// (tenantdesk.FormatUserID and friends).
const keyRandBits = 21

// keyEpoch is 2025-01-01 UTC in Unix milliseconds; 41 bits of milliseconds
// last until 2094.
var keyEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// keySource makes keys. now is the wall clock, not DB.Now: tests fix DB.Now,
// and keys must keep moving forward regardless.
type keySource struct {
	now  func() time.Time
	rand func() uint64

	mu   sync.Mutex
	last int64
}

// processKeys is shared by every DB of the process (and NewKey), so keys stay
// increasing even across several open databases.
var processKeys = &keySource{now: time.Now, rand: cryptoRand}

func cryptoRand() uint64 {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return binary.LittleEndian.Uint64(b[:])
}

func (s *keySource) next() int64 {
	ms := max(s.now().UnixMilli()-keyEpoch, 1)
	k := ms<<keyRandBits | int64(s.rand()&(1<<keyRandBits-1))
	s.mu.Lock()
	defer s.mu.Unlock()
	if k <= s.last {
		k = s.last + 1
	}
	s.last = k
	return k
}

// NewKey returns a fresh key for a row of users, devices or api_tokens, for
// code that bulk-writes a database of its own with plain SQL (cmd/benchrun,
// benchmarks). The store itself uses Tx.newKey, which also checks the key
// is free.
func NewKey() int64 { return processKeys.next() }

// keyTables are the tables whose keys come from newKey; the name is checked
// against this list before it reaches SQL.
var keyTables = map[string]bool{"users": true, "devices": true, "api_tokens": true, "access_requests": true}

// newKey returns a key for a new row of table that no row holds, drawing
// again on a clash (two processes in the same millisecond with the same
// random bits). The check runs inside the write transaction, so nobody can
// take the key before the caller's INSERT.
func (tx *Tx) newKey(ctx context.Context, table string) (int64, error) {
	if !keyTables[table] {
		return 0, fmt.Errorf("store: no keys for table %q", table)
	}
	keys := tx.keySource()
	for range 10 {
		k := keys.next()
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE id = ?`, k).Scan(&taken); err != nil {
			return 0, fmt.Errorf("store: check key: %w", err)
		}
		if taken == 0 {
			return k, nil
		}
	}
	return 0, fmt.Errorf("store: no free key in %s", table)
}

// keySource is the DB's key source (processKeys unless a test replaced it).
func (tx *Tx) keySource() *keySource {
	if tx.db != nil && tx.db.keys != nil {
		return tx.db.keys
	}
	return processKeys
}
