package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/auth"
)

// CSRF protection of the pages (not echo's middleware, whose form lookup
// also reads the URL query, and whose token lives in a cookie of its own,
// unrelated to the session).
//
// The token is derived, never stored: HMAC-SHA256, under a key derived from
// the session keys, of the session ID. It therefore changes whenever the
// session ID does — at sign-in, when the second factor completes, at
// sign-out — and a token seen before any of these is worthless after it.
// A visitor with no session yet (the sign-in and password-reset forms)
// gets a random value in the td_csrf cookie and a token derived from that;
// the cookie is dropped when a session starts or ends.
//
// A state-changing request must send the token in the X-CSRF-Token header
// (HTMX: hx-headers on <body>) or in the _csrf field of a form BODY
// (urlencoded or multipart); a token in the URL query is never read.

const (
	csrfCookie = "td_csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
	ctxCSRF    = "csrf" // echo.Context key of the token for templates (setView)
)

// csrfKeys derives the CSRF keys from the session keys (newest first, so
// tokens survive a key rotation like the session cookies do). Without
// session keys it makes a random one: tokens then last until a restart.
func csrfKeys(sessionKeys [][]byte) [][]byte {
	if len(sessionKeys) == 0 {
		sessionKeys = [][]byte{auth.RandomBytes(32)}
	}
	keys := make([][]byte, len(sessionKeys))
	for i, k := range sessionKeys {
		m := hmac.New(sha256.New, k)
		m.Write([]byte("tenantdesk csrf v1"))
		keys[i] = m.Sum(nil)
	}
	return keys
}

// csrfToken is the token of binding under key.
func csrfToken(key []byte, binding string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfBinding is what the request's token is bound to: its session, or the
// anonymous value of the td_csrf cookie (made and set here when missing).
func (s *Server) csrfBinding(c echo.Context) string {
	if sess, ok := c.Get(ctxSession).(*sessions.Session); ok && sess.ID != "" {
		return "session\x00" + sess.ID
	}
	if ck, err := c.Request().Cookie(s.cookieName(c.Request(), csrfCookie)); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 64 {
		return "anonymous\x00" + ck.Value
	}
	v := auth.RandomToken(32)
	s.setCSRFCookie(c, v, 0)
	return "anonymous\x00" + v
}

// setCSRFCookie sets the anonymous CSRF cookie (a browser-session cookie);
// maxAge < 0 deletes it. Secure follows the session cookie's rule.
func (s *Server) setCSRFCookie(c echo.Context, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: s.cookieName(c.Request(), csrfCookie), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookies(c.Request()), SameSite: http.SameSiteLaxMode})
}

// dropCSRFCookie deletes the anonymous CSRF cookie, if the request had one:
// called when a session starts or ends, so that a token issued before is
// not valid after it.
func (s *Server) dropCSRFCookie(c echo.Context) {
	if _, err := c.Request().Cookie(s.cookieName(c.Request(), csrfCookie)); err == nil {
		s.setCSRFCookie(c, "", -1)
	}
}

// renewSession gives the session a new ID on its next Save (session
// fixation) and so, as the token derives from it, a new CSRF token.
func (s *Server) renewSession(c echo.Context, sess *sessions.Session) error {
	s.dropCSRFCookie(c)
	return s.sessions.Renew(c.Request().Context(), sess)
}

// csrf checks the token of every state-changing page request and puts the
// request's token where setView finds it. The machine paths (API, health,
// static files) have no session and are skipped.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isMachinePath(r.URL.Path) {
			return next(c)
		}
		binding := s.csrfBinding(c)
		c.Response().Header().Add("Vary", "Cookie")
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		default:
			sent := r.Header.Get(csrfHeader)
			if sent == "" {
				var err error
				if sent, err = formToken(r); err != nil {
					return err
				}
			}
			ok := false
			for _, k := range s.csrfKeys {
				ok = ok || subtle.ConstantTimeCompare([]byte(sent), []byte(csrfToken(k, binding))) == 1
			}
			if !ok && s.sessionEnded(c) {
				// The form's session timed out or was ended meanwhile: its
				// token went with it. Send the user to sign in again, as
				// requireUser would have (nothing is changed either way).
				return s.requireUser(nil)(c)
			}
			if !ok {
				// A security event of its own (ASVS 5.0 16.3.3): a forged
				// cross-site request looks like any 403 in the request log.
				s.log.Warn("csrf token refused", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
					"method", r.Method, "path", r.URL.Path, "ip", c.RealIP(), "token_sent", sent != "")
				return errCSRF
			}
		}
		c.Set(ctxCSRF, csrfToken(s.csrfKeys[0], binding))
		return next(c)
	}
}

// sessionEnded reports a request that sends a session cookie whose session
// no longer exists.
func (s *Server) sessionEnded(c echo.Context) bool {
	sess, _ := c.Get(ctxSession).(*sessions.Session)
	_, err := c.Request().Cookie(s.cookieName(c.Request(), sessionCookie))
	return err == nil && (sess == nil || sess.ID == "")
}

// formToken reads the _csrf field from the request's form body only (never
// the URL query, unlike c.FormValue). A body over the limit is an error
// (413); a body that is not a form simply has no token.
func formToken(r *http.Request) (string, error) {
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt == echo.MIMEMultipartForm {
		err = r.ParseMultipartForm(32 << 20) // echo's c.FormValue uses the same memory limit
	} else {
		err = r.ParseForm()
	}
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	if errors.As(err, &he) || errors.As(err, &mbe) {
		return "", err
	}
	return r.PostForm.Get(csrfField), nil
}

// errCSRF refuses a state-changing request without a valid token (403);
// the error page says the form expired. Recognised by identity, not text.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "The form has expired or did not come from this portal.")
