package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func sessionKey(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}

// FindSession returns ENOTFOUND when there is no session with id. Expiry is
// the caller's decision (it owns the timeouts and the clock).
func (db *DB) FindSession(ctx context.Context, id string) (*tenantdesk.Session, error) {
	s, err := cachedRead(db, "session:"+id, func() (*tenantdesk.Session, error) {
		s := &tenantdesk.Session{ID: id}
		var uid sql.NullInt64
		var created, seen, expires int64
		err := db.queryRow(ctx, `SELECT user_id, data, ip, user_agent, created_at, last_seen_at, expires_at
			FROM sessions WHERE id_hash = ?`, sessionKey(id)).Scan(&uid, &s.Data, &s.IP, &s.UserAgent, &created, &seen, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Session not found.")
		} else if err != nil {
			return nil, fmt.Errorf("store: find session: %w", err)
		}
		s.UserID = uid.Int64
		s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
		return s, nil
	})
	if s == nil {
		return nil, err
	}
	c := *s
	c.Data = append([]byte(nil), s.Data...)
	return &c, err
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s *tenantdesk.Session) error {
	if s.Handle == "" {
		s.Handle = newSessionHandle() // profile_sessions.go
	}
	_, err := db.execWrite(ctx, `INSERT INTO sessions (id_hash, handle, user_id, data, ip, user_agent, created_at, last_seen_at, expires_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, sessionKey(s.ID), s.Handle, nullInt(s.UserID), s.Data, s.IP, s.UserAgent,
		ms(s.CreatedAt), ms(s.LastSeenAt), ms(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// UpdateSession stores s.Data, s.UserID and s.LastSeenAt. Returns ENOTFOUND
// when the session was deleted meanwhile (signed out elsewhere).
func (db *DB) UpdateSession(ctx context.Context, s *tenantdesk.Session) error {
	res, err := db.execWrite(ctx, `UPDATE sessions SET data = ?, user_id = ?, last_seen_at = ? WHERE id_hash = ?`,
		s.Data, nullInt(s.UserID), ms(s.LastSeenAt), sessionKey(s.ID))
	if err != nil {
		return fmt.Errorf("store: update session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Session not found.")
	}
	return nil
}

// TouchSession records activity without rewriting the data.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	if _, err := db.execWrite(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, ms(at), sessionKey(id)); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession removes a session; deleting a missing one is not an error.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := db.execWrite(ctx, `DELETE FROM sessions WHERE id_hash = ?`, sessionKey(id)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions idle longer than idle or past their absolute expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int64, error) {
	res, err := db.execWrite(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`, ms(now), ms(now.Add(-idle)))
	if err != nil {
		return 0, fmt.Errorf("store: expire sessions: %w", err)
	}
	return res.RowsAffected()
}

// LoadOrCreateSecret returns the stored secret called name, creating it with gen when missing.
func (db *DB) LoadOrCreateSecret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := db.write.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v)
	if err == nil {
		return v, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: load secret: %w", err)
	}
	if v, err = gen(); err != nil {
		return nil, err
	}
	if _, err := db.execWrite(ctx, `INSERT INTO secrets (name, value, created_at) VALUES (?,?,?) ON CONFLICT (name) DO NOTHING`, name, v, ms(db.Now())); err != nil {
		return nil, fmt.Errorf("store: store secret: %w", err)
	}
	// Read back: a concurrent first start may have stored its own.
	if err := db.write.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("store: load secret: %w", err)
	}
	return v, nil
}

// IsEmpty reports whether the database holds no accounts (demo data goes only into an empty database).
func (db *DB) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM accounts LIMIT 1) x`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: count accounts: %w", err)
	}
	return n == 0, nil
}
