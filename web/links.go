package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	authpages "github.com/tenantdesk/tenantdesk/templates/pages/auth"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Emailed single-use links (activation, password reset) and "Forgot
// password". The token comes in the query string of the GET (the request
// logger drops query strings) and in a hidden field of the POST; it is never
// logged. A dead link gets a page that says why: expired (410, with a button
// that sends a new link) or not valid any more (404, with the way to sign in
// or to ask for a reset).

// linkContext returns the request context with an anonymous actor carrying
// the client IP, so that the audit records of link actions say where they
// came from (signed-in requests already have their actor).
func linkContext(c echo.Context) context.Context {
	ctx := c.Request().Context()
	if tenantdesk.ActorFrom(ctx) == nil {
		ctx = tenantdesk.WithActor(ctx, &tenantdesk.Actor{IP: c.RealIP()})
	}
	return ctx
}

func (s *Server) handleActivatePage(c echo.Context) error {
	return s.showPasswordForm(c, tenantdesk.LinkActivation)
}

func (s *Server) handleResetPage(c echo.Context) error {
	return s.showPasswordForm(c, tenantdesk.LinkReset)
}

func (s *Server) handleActivate(c echo.Context) error {
	return s.submitPasswordForm(c, tenantdesk.LinkActivation)
}

func (s *Server) handleReset(c echo.Context) error {
	return s.submitPasswordForm(c, tenantdesk.LinkReset)
}

func (s *Server) handleActivateResend(c echo.Context) error {
	return s.resendLink(c, tenantdesk.LinkActivation)
}

func (s *Server) handleResetResend(c echo.Context) error {
	return s.resendLink(c, tenantdesk.LinkReset)
}

// renderPasswordForm renders the activation or reset form.
func renderPasswordForm(c echo.Context, status int, f authpages.PasswordForm) error {
	if f.Kind == tenantdesk.LinkReset {
		return render(c, status, authpages.Reset(f))
	}
	return render(c, status, authpages.Activate(f))
}

// showPasswordForm checks the link of the query string and shows the form.
func (s *Server) showPasswordForm(c echo.Context, kind string) error {
	token := c.QueryParam("token")
	u, err := s.svc.Links.CheckLink(c.Request().Context(), kind, token)
	if err != nil {
		return s.renderLinkError(c, kind, token, err)
	}
	return renderPasswordForm(c, http.StatusOK, authpages.PasswordForm{Kind: kind, Token: token, Name: u.DisplayName, Email: u.Email})
}

// submitPasswordForm sets the password through the link; errors come back
// inline, without the passwords; success goes to sign in with a notice.
func (s *Server) submitPasswordForm(c echo.Context, kind string) error {
	ctx := linkContext(c)
	token := c.FormValue("token")
	password, confirm := c.FormValue("password"), c.FormValue("password_confirm")
	u, err := s.svc.Links.CheckLink(ctx, kind, token)
	if err != nil {
		return s.renderLinkError(c, kind, token, err)
	}
	f := authpages.PasswordForm{Kind: kind, Token: token, Name: u.DisplayName, Email: u.Email}
	if password != confirm {
		f.ConfirmError = view.T(ctx, "password.error.mismatch")
		if password == "" {
			f.PasswordError = passwordRuleError(ctx)
		}
		return renderPasswordForm(c, http.StatusUnprocessableEntity, f)
	}
	done := "/signin?activated=1"
	if kind == tenantdesk.LinkReset {
		_, err = s.svc.Links.ResetPassword(ctx, token, password)
		done = "/signin?reset=1"
	} else {
		_, err = s.svc.Links.UseActivationLink(ctx, token, password)
	}
	if de := tenantdesk.AsError(err); de != nil && de.Code == tenantdesk.EINVALID && !tenantdesk.IsLinkExpired(err) {
		f.PasswordError = passwordErrorText(ctx, err) // the policy's broken rule (profile_password.go)
		return renderPasswordForm(c, http.StatusUnprocessableEntity, f)
	} else if err != nil {
		return s.renderLinkError(c, kind, token, err)
	}
	return redirectAfterPost(c, done)
}

func passwordRuleError(ctx context.Context) string {
	return view.T(ctx, "password.error.length", map[string]any{"Min": tenantdesk.MinPasswordLen, "Max": tenantdesk.MaxPasswordLen})
}

// renderLinkError shows the page of an expired or invalid link; any other
// error goes to the error handler.
func (s *Server) renderLinkError(c echo.Context, kind, token string, err error) error {
	st := authpages.LinkState{Kind: kind, Token: token, DevMailbox: s.cfg.DevMailbox}
	switch {
	case tenantdesk.IsLinkExpired(err):
		return render(c, http.StatusGone, authpages.LinkExpired(st))
	case tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND:
		st.Token = ""
		return render(c, http.StatusNotFound, authpages.LinkInvalid(st))
	}
	return err
}

// resendLink sends a new link in place of an expired one.
func (s *Server) resendLink(c echo.Context, kind string) error {
	token := c.FormValue("token")
	if err := s.svc.Links.ResendLink(linkContext(c), kind, token); err != nil {
		return s.renderLinkError(c, kind, token, err)
	}
	return render(c, http.StatusOK, authpages.LinkSent(authpages.LinkState{Kind: kind, DevMailbox: s.cfg.DevMailbox}))
}

// handleForgotPage shows the "Forgot password" form.
func (s *Server) handleForgotPage(c echo.Context) error {
	return render(c, http.StatusOK, authpages.Forgot(authpages.ForgotForm{}))
}

// handleForgot queues a reset link when the email belongs to an active
// user and answers with the same page whether or not it does; past the
// per-IP limit (tenantdesk.ThrottleMaxResetPerIP) it answers 429 with
// Retry-After, for every email alike.
func (s *Server) handleForgot(c echo.Context) error {
	ctx := linkContext(c)
	f := authpages.ForgotForm{Email: strings.TrimSpace(c.FormValue("email")), DevMailbox: s.cfg.DevMailbox}
	if fe := tenantdesk.ValidateEmail(f.Email); fe != nil {
		f.Error = view.T(ctx, "forgot.error.email")
		return render(c, http.StatusUnprocessableEntity, authpages.Forgot(f))
	}
	if err := s.svc.Links.RequestPasswordReset(ctx, f.Email); err != nil {
		// Too many requests from this client, whatever the email: the form
		// again, with the email kept, as sign-in does (auth.go).
		de := tenantdesk.AsError(err)
		if de == nil || de.Code != tenantdesk.ETHROTTLED {
			return err
		}
		f.Error = throttledText(c, "forgot.error.throttled", de)
		return render(c, http.StatusTooManyRequests, authpages.Forgot(f))
	}
	f.Sent = true
	return render(c, http.StatusOK, authpages.Forgot(f))
}

// linkDoneNotice is the sign-in page's notice after a link was used.
func linkDoneNotice(c echo.Context) string {
	switch {
	case c.QueryParam("activated") == "1":
		return view.T(c.Request().Context(), "signin.activated")
	case c.QueryParam("reset") == "1":
		return view.T(c.Request().Context(), "signin.password_reset")
	}
	return ""
}
