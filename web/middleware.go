package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Cookie names. A cookie marked Secure carries the __Host- prefix (ASVS
// 5.0 3.3.1, 3.3.3): browsers then accept it only with Secure, Path=/ and
// no Domain, so neither a sibling subdomain nor a plain-HTTP page can set
// or overwrite it. Over plain HTTP (development, tests) the prefix is
// impossible and the bare name is used (cookieName).
const (
	sessionCookie = "td_session"
	hostPrefix    = "__Host-"
)

// Context keys of echo.Context values set by middleware.
const (
	ctxUser    = "user"
	ctxAccount = "account"
	ctxSession = "session"
)

// isMachinePath reports whether path is served without session or CSRF.
func isMachinePath(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/favicon.ico" ||
		strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/api/")
}

// recoverPanics turns a panic into a logged 500 page.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				buf := make([]byte, 4<<10)
				buf = buf[:runtime.Stack(buf, false)]
				s.log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
					"panic", fmt.Sprint(r), "stack", string(buf))
				err = echo.NewHTTPError(http.StatusInternalServerError)
			}
		}()
		return next(c)
	}
}

// requestLogger logs one structured line per request. It logs the path
// without the query string: links carry single-use tokens there.
func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogMethod: true, LogURIPath: true, LogLatency: true, LogRemoteIP: true,
		LogRequestID: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			attrs := []slog.Attr{
				slog.String("request_id", v.RequestID), slog.String("method", logMethod(c, v.Method)),
				slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP),
			}
			if u, ok := c.Get(ctxUser).(*tenantdesk.User); ok {
				attrs = append(attrs, slog.Int64("user_id", u.ID))
			}
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
				if v.Error != nil {
					attrs = append(attrs, slog.String("error", v.Error.Error()))
				}
			}
			s.log.LogAttrs(c.Request().Context(), level, "request", attrs...)
			return nil
		},
	})
}

// logMethod is the method the client sent (ServeHTTP handles HEAD as GET).
func logMethod(c echo.Context, m string) string {
	if isHead(c.Request()) {
		return http.MethodHead
	}
	return m
}

// contentSecurityPolicy allows scripts and styles from our origin only: no
// inline scripts, no eval, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// securityHeaders sets the baseline headers on every response.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.isTLS(c.Request()) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// loadSession reads the session cookie and, for a signed-in session, loads
// the user and their account into the request. A user who was disabled or
// deleted since signing in, or whose account was disabled, is signed out here.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isMachinePath(r.URL.Path) {
			return next(c)
		}
		sess, err := s.sessions.Get(r, s.cookieName(r, sessionCookie))
		if err != nil {
			return err
		}
		sess.Options.Secure = s.secureCookies(r)
		c.Set(ctxSession, sess)
		uid, _ := sess.Values[sessionUserID].(int64)
		if uid == 0 {
			return next(c)
		}
		ctx := r.Context()
		u, err := s.svc.Users.FindUserByID(ctx, uid)
		if err == nil && u.Status == tenantdesk.UserDisabled {
			err = tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User disabled.")
		}
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			sess.Options.MaxAge = -1
			if err := sess.Save(r, c.Response()); err != nil {
				return err
			}
			return next(c)
		} else if err != nil {
			return err
		}
		a, err := s.svc.Accounts.FindAccountByID(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if a.Disabled() { // its partner or the operator disabled the account
			sess.Options.MaxAge = -1
			if err := sess.Save(r, c.Response()); err != nil {
				return err
			}
			return next(c)
		}
		c.Set(ctxUser, u)
		c.Set(ctxAccount, a)
		actor := &tenantdesk.Actor{User: u, Account: a, IP: c.RealIP(), SessionID: sess.ID}
		c.SetRequest(r.WithContext(tenantdesk.WithActor(ctx, actor)))
		if ok, err := s.resolveImpersonation(c, sess, actor); !ok || err != nil {
			return err
		}
		return next(c)
	}
}

// viewState prepares what templates read: language, CSRF token, user, zone.
func (s *Server) viewState(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s.setView(c)
		c.Response().Header().Add("Vary", "HX-Request")
		return next(c)
	}
}

// setView puts the view state into the request context (also used by the
// error handler for requests that failed before viewState ran).
func (s *Server) setView(c echo.Context) *view.Request {
	r := c.Request()
	u, _ := c.Get(ctxUser).(*tenantdesk.User)
	a, _ := c.Get(ctxAccount).(*tenantdesk.Account)
	pref := ""
	loc := time.UTC
	if u != nil {
		pref = u.Language
		loc = loadLocation(u.TimeZone)
	}
	token, _ := c.Get(ctxCSRF).(string)
	v := &view.Request{
		Tr:            s.i18n.Localizer(s.i18n.Match(pref, r.Header.Get("Accept-Language"))),
		CSRF:          token,
		User:          u,
		Account:       a,
		Location:      loc,
		Path:          r.URL.Path,
		Impersonation: currentImpersonation(c),
		Now:           s.now(),
		RequestID:     c.Response().Header().Get(echo.HeaderXRequestID),
		AssetVersion:  s.assetVersion,
	}
	c.SetRequest(r.WithContext(view.With(r.Context(), v)))
	return v
}

// requireUser sends signed-out visitors to the sign-in page, remembering
// where they were going.
func (s *Server) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := c.Get(ctxUser).(*tenantdesk.User); ok {
			return next(c)
		}
		target := "/signin"
		if p := c.Request().URL.RequestURI(); c.Request().Method == http.MethodGet && p != "/" {
			target += "?next=" + url.QueryEscape(p)
		}
		if c.Request().Header.Get("HX-Request") == "true" {
			c.Response().Header().Set("HX-Redirect", target)
			return c.NoContent(http.StatusUnauthorized)
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
}

// safeNext returns next when it is a local path, else "/": the sign-in
// page must never redirect to another site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}
