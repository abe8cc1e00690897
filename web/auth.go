package web

import (
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	authpages "github.com/tenantdesk/tenantdesk/templates/pages/auth"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// handleSignInPage shows the sign-in form; signed-in users go home.
func (s *Server) handleSignInPage(c echo.Context) error {
	if _, ok := c.Get(ctxUser).(*tenantdesk.User); ok {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	f := authpages.SignInForm{Next: c.QueryParam("next")}
	if c.QueryParam("signedout") == "1" {
		f.Info = view.T(c.Request().Context(), "signin.signed_out")
	}
	if info := linkDoneNotice(c); info != "" { // after activation or a password reset (links.go)
		f.Info = info
	}
	return render(c, http.StatusOK, authpages.SignIn(f))
}

// handleSignIn checks the credentials and starts a new session. Failures
// re-render the form with the email kept and one generic message.
func (s *Server) handleSignIn(c echo.Context) error {
	ctx := c.Request().Context()
	f := authpages.SignInForm{Email: c.FormValue("email"), Next: c.FormValue("next")}
	u, _, err := s.svc.Auth.SignIn(ctx, tenantdesk.SignInInput{
		Email: f.Email, Password: c.FormValue("password"), IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
	})
	if err != nil {
		de := tenantdesk.AsError(err)
		if de == nil {
			return err
		}
		status := statusOf(de.Code)
		switch de.Code {
		case tenantdesk.ETHROTTLED:
			f.Error = throttledText(c, "signin.error.throttled", de)
		case tenantdesk.EFORBIDDEN:
			f.Error = view.T(ctx, de.Key, de.Args)
		case tenantdesk.EUNAUTHORIZED:
			// The form is shown again with 200: a 401 would need a
			// WWW-Authenticate challenge, which a form page has none of.
			status = http.StatusOK
			f.Error = view.T(ctx, "signin.error.invalid")
		default:
			return err
		}
		return render(c, status, authpages.SignIn(f))
	}
	sess := c.Get(ctxSession).(*sessions.Session)
	if err := s.renewSession(c, sess); err != nil { // a new ID, so a new CSRF token (csrf.go)
		return err
	}
	if pending, err := s.beginSecondFactor(c, sess, u, f.Next); pending || err != nil {
		return err // the second factor is owed first (twofactor.go)
	}
	sess.Values = map[any]any{sessionUserID: u.ID, sessionSignedInAt: s.now().UnixMilli()}
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return redirectAfterPost(c, safeNext(f.Next))
}

// handleSignOut ends the session on the server and clears the cookie.
func (s *Server) handleSignOut(c echo.Context) error {
	sess := c.Get(ctxSession).(*sessions.Session)
	if err := s.endImpersonationOnSignOut(c); err != nil {
		return err
	}
	if u, ok := c.Get(ctxUser).(*tenantdesk.User); ok {
		if err := s.svc.Auth.SignedOut(c.Request().Context(), u); err != nil {
			return err
		}
	}
	sess.Options.MaxAge = -1
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	s.dropCSRFCookie(c) // the sign-in page makes a new one (csrf.go)
	return redirectAfterPost(c, "/signin?signedout=1")
}
