package sqlite

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The Active sessions tab. A session is named in URLs by its handle, a
// random public name, never by its secret ID (which the table keeps only as
// a SHA-256 anyway).

// newSessionHandle returns 128 random bits, URL-safe.
func newSessionHandle() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails: crypto/rand panics rather than return a short read
	return base64.RawURLEncoding.EncodeToString(b)
}

// currentKey is the stored key of the actor's session, nil without one.
func currentKey(a *tenantdesk.Actor) []byte {
	if a == nil || a.SessionID == "" {
		return nil
	}
	return sessionKey(a.SessionID)
}

// ListSessions returns the actor's live sessions, the latest seen first.
// See tenantdesk.ProfileService.
func (db *DB) ListSessions(ctx context.Context) ([]*tenantdesk.SessionInfo, error) {
	a, err := profileActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id_hash, COALESCE(handle, ''), ip, user_agent, created_at, last_seen_at
		FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY last_seen_at DESC, created_at DESC LIMIT 500`,
		a.User.ID, ms(db.Now()))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list sessions: %w", err)
	}
	defer rows.Close()
	cur := currentKey(a)
	var out []*tenantdesk.SessionInfo
	for rows.Next() {
		s := &tenantdesk.SessionInfo{}
		var key []byte
		var created, seen int64
		if err := rows.Scan(&key, &s.Handle, &s.IP, &s.UserAgent, &created, &seen); err != nil {
			return nil, fmt.Errorf("sqlite: scan session: %w", err)
		}
		s.CreatedAt, s.LastSeenAt = fromMS(created), fromMS(seen)
		s.Current = cur != nil && bytes.Equal(key, cur)
		out = append(out, s)
	}
	return out, rows.Err()
}

// EndSession ends one of the actor's other sessions. See tenantdesk.ProfileService.
func (db *DB) EndSession(ctx context.Context, handle string) error {
	a, err := profileActor(ctx)
	if err != nil {
		return err
	}
	if handle == "" || len(handle) > 64 {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Session not found.")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var key []byte
	var ip, agent string
	err = tx.QueryRowContext(ctx, `SELECT id_hash, ip, user_agent FROM sessions WHERE handle = ? AND user_id = ?`, handle, a.User.ID).
		Scan(&key, &ip, &agent)
	if errors.Is(err, sql.ErrNoRows) {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Session not found.")
	} else if err != nil {
		return fmt.Errorf("sqlite: find session: %w", err)
	}
	if cur := currentKey(a); cur != nil && bytes.Equal(key, cur) {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "profile.sessions.error.current",
			Message: "This is the session you are using: sign out instead."}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, key); err != nil {
		return fmt.Errorf("sqlite: end session: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: a.User.AccountID, Action: tenantdesk.AuditSessionEnded,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(a.User.ID),
		After: auditJSON(map[string]string{"ip": ip, "userAgent": agent})}); err != nil {
		return err
	}
	return tx.Commit()
}

// EndOtherSessions ends every session of the actor but the current one.
// See tenantdesk.ProfileService.
func (db *DB) EndOtherSessions(ctx context.Context) (int, error) {
	a, err := profileActor(ctx)
	if err != nil {
		return 0, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n, err := tx.endOtherSessions(ctx, a.User.ID, a.SessionID)
	if err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: a.User.AccountID, Action: tenantdesk.AuditOtherSessionsEnded,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(a.User.ID),
		After: auditJSON(map[string]int{"sessionsEnded": n})}); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: commit: %w", err)
	}
	return n, nil
}

// endOtherSessions deletes the user's sessions except currentID's (all of
// them when currentID is "", as for a change made without a session).
func (tx *Tx) endOtherSessions(ctx context.Context, userID int64, currentID string) (int, error) {
	var res sql.Result
	var err error
	if currentID == "" {
		res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	} else {
		res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, userID, sessionKey(currentID))
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: end sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
