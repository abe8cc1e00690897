package service

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The Active sessions tab. A session is named by its handle, a random
// public name, never by its secret ID.

// maxListedSessions bounds the Active sessions tab.
const maxListedSessions = 500

// ListSessions returns the actor's live sessions, the latest seen first,
// the current one marked. Returns EUNAUTHORIZED without a signed-in user.
func (s *Profile) ListSessions(ctx context.Context) ([]*tenantdesk.SessionInfo, error) {
	a, err := profileActor(ctx)
	if err != nil {
		return nil, err
	}
	return s.d.Store.ListUserSessions(ctx, a.User.ID, a.SessionID, s.d.now(), maxListedSessions)
}

// EndSession ends one of the actor's other sessions, audited as
// user.session_ended with its IP and user agent. Returns ENOTFOUND for an
// unknown handle or another user's session, EINVALID for the current
// session (that is what "Sign out" is for), EUNAUTHORIZED without a
// signed-in user.
func (s *Profile) EndSession(ctx context.Context, handle string) error {
	a, err := profileActor(ctx)
	if err != nil {
		return err
	}
	if handle == "" || len(handle) > 64 {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Session not found.")
	}
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		sess, err := tx.FindUserSession(ctx, a.User.ID, handle, a.SessionID)
		if err != nil {
			return err
		}
		if sess.Current {
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "profile.sessions.error.current",
				Message: "This is the session you are using: sign out instead."}
		}
		if err := tx.EndUserSession(ctx, a.User.ID, handle); err != nil {
			return err
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: a.User.AccountID, Action: tenantdesk.AuditSessionEnded,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(a.User.ID),
			After: auditJSON(map[string]string{"ip": sess.IP, "userAgent": sess.UserAgent})})
	})
}

// EndOtherSessions ends every session of the actor but the current one,
// audited as user.other_sessions_ended, and returns how many it ended.
// Returns EUNAUTHORIZED without a signed-in user.
func (s *Profile) EndOtherSessions(ctx context.Context) (int, error) {
	a, err := profileActor(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		var err error
		if n, err = tx.EndOtherSessions(ctx, a.User.ID, a.SessionID); err != nil {
			return err
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: a.User.AccountID, Action: tenantdesk.AuditOtherSessionsEnded,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(a.User.ID),
			After: auditJSON(map[string]int{"sessionsEnded": n})})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
