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

// FindSession returns one of the actor's live sessions by its handle, for
// the confirmation of ending it. Returns ENOTFOUND for an unknown handle,
// another user's or an ended session, EUNAUTHORIZED without a signed-in user.
func (s *Profile) FindSession(ctx context.Context, handle string) (*tenantdesk.SessionInfo, error) {
	a, err := profileActor(ctx)
	if err != nil {
		return nil, err
	}
	if handle == "" || len(handle) > 64 {
		return nil, errSessionNotFound()
	}
	list, err := s.d.Store.ListUserSessions(ctx, a.User.ID, a.SessionID, s.d.now(), maxListedSessions)
	if err != nil {
		return nil, err
	}
	for _, si := range list {
		if si.Handle == handle {
			return si, nil
		}
	}
	return nil, errSessionNotFound()
}

func errSessionNotFound() error { return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Session not found.") }

func errCurrentSession() error {
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "profile.sessions.error.current",
		Message: "This is the session you are using: sign out instead."}
}

// EndSession ends one of the actor's other sessions, confirmed with the
// current password (ASVS 5.0 7.5.2: a session left open must not sign its
// owner out of the others, the one they may be using to take it back),
// audited as user.session_ended with its IP and user agent. The handle is
// checked first, so a stale or foreign one costs no password attempt.
// Returns ENOTFOUND for an unknown handle or another user's session,
// EINVALID for the current session (that is what "Sign out" is for) and
// for a wrong password (field "currentPassword": verifyCurrentPassword,
// counted with the sign-in failures and audited), ETHROTTLED past the
// sign-in limit, EUNAUTHORIZED without a signed-in user.
func (s *Profile) EndSession(ctx context.Context, handle, currentPassword string) error {
	a, u, err := me(ctx, s.d.Store)
	if err != nil {
		return err
	}
	sess, err := s.FindSession(ctx, handle)
	if err != nil {
		return err
	}
	if sess.Current {
		return errCurrentSession()
	}
	if err := s.verifyCurrentPassword(ctx, u, currentPassword); err != nil {
		return err
	}
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		sess, err := tx.FindUserSession(ctx, a.User.ID, handle, a.SessionID)
		if err != nil {
			return err
		}
		if sess.Current {
			return errCurrentSession()
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
// confirmed with the current password (as EndSession), audited as
// user.other_sessions_ended, and returns how many it ended. Returns
// EINVALID (field "currentPassword") for a wrong password, ETHROTTLED past
// the sign-in limit, EUNAUTHORIZED without a signed-in user.
func (s *Profile) EndOtherSessions(ctx context.Context, currentPassword string) (int, error) {
	a, u, err := me(ctx, s.d.Store)
	if err != nil {
		return 0, err
	}
	if err := s.verifyCurrentPassword(ctx, u, currentPassword); err != nil {
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
