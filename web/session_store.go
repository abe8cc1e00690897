package web

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// SessionStore is a gorilla/sessions Store that keeps sessions server-side in
// the database. The cookie holds only a random session ID, signed with the
// configured keys (the first signs, all verify, so keys can be rotated). A
// session can therefore be ended on the server: sign-out, "sign out other
// sessions" and timeouts take effect on the very next request.
type SessionStore struct {
	Repo    tenantdesk.SessionRepository
	Codecs  []securecookie.Codec
	Options sessions.Options
	Now     func() time.Time
	// IdleTimeout ends a session that saw no request for this long;
	// AbsoluteTimeout ends it this long after it was created, active or not.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration
	// ClientInfo returns the client IP and user agent recorded with a new session.
	ClientInfo func(r *http.Request) (ip, userAgent string)

	decoded decodedSessions
}

// decodedSessions remembers the values last decoded from each session's
// stored bytes: a gob decoder compiles the value types every time it is
// made, which was a tenth of a signed-in page's CPU time. An entry is used
// only while the session's stored bytes are the very ones it was decoded
// from, so it is never staler than the row the store just read.
type decodedSessions struct {
	mu sync.Mutex
	m  map[string]decodedSession // by session ID
}

type decodedSession struct {
	data   string
	values map[any]any
}

// maxDecodedSessions bounds the cache; it is simply emptied when full.
const maxDecodedSessions = 10000

// decode returns the values stored as data for session id, as a map the
// caller owns.
func (d *decodedSessions) decode(id string, data []byte) (map[any]any, error) {
	d.mu.Lock()
	e, ok := d.m[id]
	d.mu.Unlock()
	if !ok || e.data != string(data) {
		e = decodedSession{data: string(data)}
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&e.values); err != nil {
			return nil, err
		}
		d.mu.Lock()
		if d.m == nil || len(d.m) >= maxDecodedSessions {
			d.m = make(map[string]decodedSession)
		}
		d.m[id] = e
		d.mu.Unlock()
	}
	return cloneValues(e.values), nil
}

// forget drops a session's entry (the session ended).
func (d *decodedSessions) forget(id string) {
	d.mu.Lock()
	delete(d.m, id)
	d.mu.Unlock()
}

// cloneValues copies a session's values so that a request changing its
// session (a flash added, a value set) never changes another's. Values are
// scalars and strings but for flashes, a slice, which is copied too.
func cloneValues(src map[any]any) map[any]any {
	dst := make(map[any]any, len(src))
	for k, v := range src {
		if list, ok := v.([]any); ok {
			v = append([]any(nil), list...)
		}
		dst[k] = v
	}
	return dst
}

// touchEvery limits last-seen writes to one a minute per session, so a busy
// page does not turn every read into a write.
const touchEvery = time.Minute

// NewSessionStore returns a store signing cookies with keys (newest first).
func NewSessionStore(repo tenantdesk.SessionRepository, keys [][]byte, secure bool, now func() time.Time, idle, absolute time.Duration) *SessionStore {
	pairs := make([][]byte, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, nil) // sign only: the ID is random and useless without the server row
	}
	codecs := securecookie.CodecsFromPairs(pairs...)
	for _, c := range codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(int(absolute / time.Second))
		}
	}
	return &SessionStore{
		Repo: repo, Codecs: codecs, Now: now, IdleTimeout: idle, AbsoluteTimeout: absolute,
		Options: sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode},
	}
}

// Get returns the request's session, cached in the request's registry.
func (s *SessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or returns a new
// empty one when there is no cookie, the signature is wrong, or the session
// is gone or expired (an expired row is deleted on the way).
func (s *SessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.Options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var id string
	if err := securecookie.DecodeMulti(name, c.Value, &id, s.Codecs...); err != nil {
		return sess, nil // tampered, or signed with a retired key: start over
	}
	ctx := r.Context()
	row, err := s.Repo.FindSession(ctx, id)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return sess, nil
	} else if err != nil {
		return sess, err
	}
	now := s.Now()
	if !now.Before(row.ExpiresAt) || now.Sub(row.LastSeenAt) >= s.IdleTimeout {
		s.decoded.forget(id)
		_ = s.Repo.DeleteSession(ctx, id)
		return sess, nil
	}
	values, err := s.decoded.decode(id, row.Data)
	if err != nil {
		_ = s.Repo.DeleteSession(ctx, id)
		return sess, nil
	}
	sess.Values = values
	sess.ID, sess.IsNew = id, false
	if now.Sub(row.LastSeenAt) >= touchEvery {
		if err := s.Repo.TouchSession(ctx, id, now); err != nil {
			return sess, err
		}
	}
	return sess, nil
}

// Save writes the session row and the cookie; a negative MaxAge deletes both.
func (s *SessionStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options != nil && sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			s.decoded.forget(sess.ID)
			if err := s.Repo.DeleteSession(ctx, sess.ID); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(sess.Values); err != nil {
		return fmt.Errorf("session: encode: %w", err)
	}
	uid, _ := sess.Values[sessionUserID].(int64)
	now := s.Now()
	if sess.ID == "" {
		row := &tenantdesk.Session{ID: auth.RandomToken(32), Handle: auth.RandomToken(16), UserID: uid, Data: buf.Bytes(),
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.AbsoluteTimeout)}
		if s.ClientInfo != nil {
			row.IP, row.UserAgent = s.ClientInfo(r)
		}
		if err := s.Repo.CreateSession(ctx, row); err != nil {
			return err
		}
		sess.ID = row.ID
	} else {
		row := &tenantdesk.Session{ID: sess.ID, UserID: uid, Data: buf.Bytes(), LastSeenAt: now}
		if err := s.Repo.UpdateSession(ctx, row); err != nil {
			return err
		}
	}
	encoded, err := securecookie.EncodeMulti(sess.Name(), sess.ID, s.Codecs...)
	if err != nil {
		return fmt.Errorf("session: sign cookie: %w", err)
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// Renew gives sess a fresh ID on its next Save and ends the old one on the
// server, so a session ID known before sign-in is worthless after it
// (session fixation).
func (s *SessionStore) Renew(ctx context.Context, sess *sessions.Session) error {
	if sess.ID != "" {
		s.decoded.forget(sess.ID)
		if err := s.Repo.DeleteSession(ctx, sess.ID); err != nil {
			return err
		}
	}
	sess.ID, sess.IsNew = "", true
	return nil
}

// Session value keys.
const (
	sessionUserID     = "uid"
	sessionSignedInAt = "signed_in_at"
)
