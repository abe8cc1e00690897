package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The Active sessions tab's reads and writes. A session is named in URLs
// by its handle, a random public name, never by its secret ID (which the
// table keeps only as a SHA-256 anyway).

// newSessionHandle returns 128 random bits, URL-safe.
func newSessionHandle() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails: crypto/rand panics rather than return a short read
	return base64.RawURLEncoding.EncodeToString(b)
}

// currentKey is the stored key of the session id, nil for "".
func currentKey(id string) []byte {
	if id == "" {
		return nil
	}
	return sessionKey(id)
}

// ListUserSessions returns the user's live sessions. See tenantdesk.ProfileReads.
func (db *DB) ListUserSessions(ctx context.Context, userID int64, currentID string, now time.Time, limit int) ([]*tenantdesk.SessionInfo, error) {
	return listUserSessions(ctx, db.read, userID, currentID, now, limit)
}

// ListUserSessions is DB.ListUserSessions inside tx.
func (tx *Tx) ListUserSessions(ctx context.Context, userID int64, currentID string, now time.Time, limit int) ([]*tenantdesk.SessionInfo, error) {
	return listUserSessions(ctx, tx, userID, currentID, now, limit)
}

func listUserSessions(ctx context.Context, q querier, userID int64, currentID string, now time.Time, limit int) ([]*tenantdesk.SessionInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT id_hash, COALESCE(handle, ''), ip, user_agent, created_at, last_seen_at
		FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC, created_at DESC LIMIT ?`,
		userID, ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list sessions: %w", err)
	}
	defer rows.Close()
	cur := currentKey(currentID)
	var out []*tenantdesk.SessionInfo
	for rows.Next() {
		s := &tenantdesk.SessionInfo{}
		var key []byte
		var created, seen int64
		if err := rows.Scan(&key, &s.Handle, &s.IP, &s.UserAgent, &created, &seen); err != nil {
			return nil, fmt.Errorf("store: scan session: %w", err)
		}
		s.CreatedAt, s.LastSeenAt = fromMS(created), fromMS(seen)
		s.Current = cur != nil && bytes.Equal(key, cur)
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindUserSession returns the user's session with the handle. See tenantdesk.ProfileTx.
func (tx *Tx) FindUserSession(ctx context.Context, userID int64, handle, currentID string) (*tenantdesk.SessionInfo, error) {
	s := &tenantdesk.SessionInfo{Handle: handle}
	var key []byte
	var created, seen int64
	err := tx.QueryRowContext(ctx, `SELECT id_hash, ip, user_agent, created_at, last_seen_at FROM sessions WHERE handle = ? AND user_id = ?`,
		handle, userID).Scan(&key, &s.IP, &s.UserAgent, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Session not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: find session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt = fromMS(created), fromMS(seen)
	cur := currentKey(currentID)
	s.Current = cur != nil && bytes.Equal(key, cur)
	return s, nil
}

// EndUserSession deletes the user's session with the handle. See tenantdesk.ProfileTx.
func (tx *Tx) EndUserSession(ctx context.Context, userID int64, handle string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE handle = ? AND user_id = ?`, handle, userID); err != nil {
		return fmt.Errorf("store: end session: %w", err)
	}
	return nil
}

// EndOtherSessions deletes the user's sessions except currentID's (all of
// them when currentID is "", as for a change made without a session). See
// tenantdesk.ProfileTx.
func (tx *Tx) EndOtherSessions(ctx context.Context, userID int64, currentID string) (int, error) {
	var res sql.Result
	var err error
	if currentID == "" {
		res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	} else {
		res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, userID, sessionKey(currentID))
	}
	if err != nil {
		return 0, fmt.Errorf("store: end sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
