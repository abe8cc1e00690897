package web

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
	authpages "github.com/tenantdesk/tenantdesk/templates/pages/auth"
	"github.com/tenantdesk/tenantdesk/templates/pages/profile"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Two-factor authentication: the sign-in's second step (and the set-up a
// user must do first when the account requires 2FA), and My profile's
// section. The TwoFactor service checks codes, throttles and audits.
//
// Between a correct password and the second factor the session holds only
// a pending state — the user ID, its expiry, whether to enrol and where to
// go next — under keys of its own, never sessionUserID: loadSession sees
// no user, so requireUser treats the session as signed out and no other
// page opens. The session ID is rotated when the pending state starts and
// again when the sign-in completes.

// Session value keys of a pending second factor.
const (
	sessionPendingUserID = "2fa_uid"
	sessionPendingUntil  = "2fa_until" // Unix ms
	sessionPendingEnrol  = "2fa_enrol"
	sessionPendingNext   = "2fa_next"
)

// pendingSignIn is the session's pending second factor.
type pendingSignIn struct {
	UserID int64
	Until  time.Time
	Enrol  bool
	Next   string
}

// beginSecondFactor is handleSignIn's hook after a correct password (the
// session ID already renewed): when the user owes a second factor it puts
// the pending state into the session instead of signing in, and sends the
// browser to the second step. handled is false when the user signs in at once.
func (s *Server) beginSecondFactor(c echo.Context, sess *sessions.Session, u *tenantdesk.User, next string) (handled bool, err error) {
	if s.svc.TwoFactor == nil {
		return false, nil
	}
	step, err := s.svc.TwoFactor.SecondFactorStep(c.Request().Context(), u.ID)
	if err != nil {
		return true, err
	}
	if step == tenantdesk.SecondFactorNone {
		return false, nil
	}
	p := &pendingSignIn{UserID: u.ID, Until: s.now().Add(tenantdesk.SecondFactorTTL), Next: safeNext(next)}
	target := "/signin/2fa"
	if step == tenantdesk.SecondFactorEnrol {
		p.Enrol, p.Until, target = true, s.now().Add(tenantdesk.EnrolmentTTL), "/signin/2fa/setup"
	}
	sess.Values = map[any]any{
		sessionPendingUserID: p.UserID, sessionPendingUntil: p.Until.UnixMilli(),
		sessionPendingEnrol: p.Enrol, sessionPendingNext: p.Next,
	}
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return true, err
	}
	if p.Enrol {
		// The QR code is ready when the set-up page opens (a POST creates it, not the GET).
		if _, err := s.svc.TwoFactor.StartTOTPSetup(s.pendingContext(c, p), ""); err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ECONFLICT {
			return true, err
		}
	}
	return true, redirectAfterPost(c, target)
}

// pendingSecondFactor returns the session's pending state, or nil; expired
// reports a state that timed out (it is removed).
func (s *Server) pendingSecondFactor(c echo.Context) (p *pendingSignIn, expired bool, err error) {
	sess, ok := c.Get(ctxSession).(*sessions.Session)
	if !ok {
		return nil, false, nil
	}
	uid, _ := sess.Values[sessionPendingUserID].(int64)
	if uid == 0 {
		return nil, false, nil
	}
	until, _ := sess.Values[sessionPendingUntil].(int64)
	p = &pendingSignIn{UserID: uid, Until: time.UnixMilli(until)}
	p.Enrol, _ = sess.Values[sessionPendingEnrol].(bool)
	p.Next, _ = sess.Values[sessionPendingNext].(string)
	if !s.now().Before(p.Until) {
		sess.Values = map[any]any{}
		return nil, true, sess.Save(c.Request(), c.Response())
	}
	return p, false, nil
}

// pendingContext is the request's context for the service during the second
// step: the pending sign-in and the client IP, and no signed-in actor.
func (s *Server) pendingContext(c echo.Context, p *pendingSignIn) context.Context {
	ctx := tenantdesk.WithPendingSignIn(c.Request().Context(), &tenantdesk.PendingSignIn{UserID: p.UserID, Enrol: p.Enrol})
	return tenantdesk.WithActor(ctx, &tenantdesk.Actor{IP: c.RealIP()})
}

// secondFactorGone answers a second-step request without a pending state:
// the sign-in form, with a notice when the state timed out.
func (s *Server) secondFactorGone(c echo.Context, expired bool) error {
	if !expired {
		return c.Redirect(http.StatusSeeOther, "/signin")
	}
	f := authpages.SignInForm{Info: view.T(c.Request().Context(), "twofactor.signin.expired")}
	return render(c, http.StatusOK, authpages.SignIn(f))
}

// completeSignIn turns the pending state into a signed-in session under a
// new session ID.
func (s *Server) completeSignIn(c echo.Context, userID int64) error {
	sess := c.Get(ctxSession).(*sessions.Session)
	if err := s.renewSession(c, sess); err != nil { // a new ID, so a new CSRF token (csrf.go)
		return err
	}
	sess.Values = map[any]any{sessionUserID: userID, sessionSignedInAt: s.now().UnixMilli()}
	return sess.Save(c.Request(), c.Response())
}

// handleSecondFactorPage asks for a code (or, with ?method=recovery, a recovery code).
func (s *Server) handleSecondFactorPage(c echo.Context) error {
	p, expired, err := s.pendingSecondFactor(c)
	if err != nil {
		return err
	} else if p == nil {
		return s.secondFactorGone(c, expired)
	} else if p.Enrol {
		return c.Redirect(http.StatusSeeOther, "/signin/2fa/setup")
	}
	return render(c, http.StatusOK, authpages.SecondFactor(authpages.SecondFactorForm{Recovery: c.QueryParam("method") == "recovery"}))
}

// handleSecondFactor checks the code or recovery code and completes the
// sign-in. Every failure of a method shows one generic message.
func (s *Server) handleSecondFactor(c echo.Context) error {
	p, expired, err := s.pendingSecondFactor(c)
	if err != nil {
		return err
	} else if p == nil {
		return s.secondFactorGone(c, expired)
	} else if p.Enrol {
		return redirectAfterPost(c, "/signin/2fa/setup")
	}
	ctx := c.Request().Context()
	f := authpages.SecondFactorForm{Recovery: c.FormValue("method") == "recovery"}
	in := tenantdesk.SecondFactorInput{UserID: p.UserID, IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
	if f.Recovery {
		in.RecoveryCode = strings.TrimSpace(c.FormValue("recovery_code"))
		f.RecoveryCode = in.RecoveryCode
	} else {
		in.Code = strings.TrimSpace(c.FormValue("code"))
	}
	if in.Code == "" && in.RecoveryCode == "" {
		f.Error = view.T(ctx, "twofactor.error.empty")
		return render(c, http.StatusOK, authpages.SecondFactor(f))
	}
	u, err := s.svc.TwoFactor.VerifySecondFactor(s.pendingContext(c, p), in)
	if err != nil {
		de := tenantdesk.AsError(err)
		if de == nil {
			return err
		}
		status := http.StatusOK
		switch de.Code {
		case tenantdesk.ETHROTTLED:
			status = http.StatusTooManyRequests
			f.Error = throttledText(c, "twofactor.error.throttled", de)
		case tenantdesk.EFORBIDDEN:
			// Disabled meanwhile: the sign-in is over.
			sess := c.Get(ctxSession).(*sessions.Session)
			sess.Values = map[any]any{}
			if err := sess.Save(c.Request(), c.Response()); err != nil {
				return err
			}
			return render(c, http.StatusForbidden, authpages.SignIn(authpages.SignInForm{Error: errorText(ctx, err)}))
		case tenantdesk.EUNAUTHORIZED:
			// One message per method: on the recovery-code form it says the
			// code was used already or is wrong, and the page offers the app.
			f.Error = errorText(ctx, err)
		default:
			return err
		}
		return render(c, status, authpages.SecondFactor(f))
	}
	if err := s.completeSignIn(c, u.ID); err != nil {
		return err
	}
	return redirectAfterPost(c, p.Next)
}

// setupView prepares a pending set-up for the page: the QR code as an
// inline PNG and the secret in groups.
func setupView(st *tenantdesk.TOTPSetup, action string, narrow bool) (*components.TOTPSetupView, error) {
	png, err := auth.TOTPQRCode(st.URL, 200)
	if err != nil {
		return nil, err
	}
	return &components.TOTPSetupView{
		Setup: st, QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png),
		GroupedSecret: auth.GroupSecret(st.Secret), AccountName: st.AccountName, Action: action, Narrow: narrow,
	}, nil
}

// recoveryDownload returns the data: URL of the recovery codes as a text file.
func recoveryDownload(ctx context.Context, email string, codes []string, at time.Time) string {
	var b strings.Builder
	b.WriteString(view.T(ctx, "twofactor.codes.file_title", map[string]any{"Email": email}) + "\n")
	b.WriteString(view.FormatTime(ctx, at) + "\n")
	b.WriteString(view.T(ctx, "twofactor.codes.file_hint") + "\n\n")
	for _, c := range codes {
		b.WriteString(c + "\n")
	}
	return "data:text/plain;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(b.String()))
}

// handleEnrolPage shows the set-up a user must complete when the account
// requires 2FA.
func (s *Server) handleEnrolPage(c echo.Context) error {
	p, expired, err := s.pendingSecondFactor(c)
	if err != nil {
		return err
	} else if p == nil {
		return s.secondFactorGone(c, expired)
	} else if !p.Enrol {
		return c.Redirect(http.StatusSeeOther, "/signin/2fa")
	}
	v, err := s.enrolView(c, p)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, authpages.Enrol(v))
}

func (s *Server) enrolView(c echo.Context, p *pendingSignIn) (authpages.EnrolView, error) {
	st, err := s.svc.TwoFactor.TwoFactorStatus(s.pendingContext(c, p))
	if err != nil {
		return authpages.EnrolView{}, err
	}
	var v authpages.EnrolView
	if st.Setup != nil {
		if v.Setup, err = setupView(st.Setup, "/signin/2fa/setup", true); err != nil {
			return v, err
		}
	}
	return v, nil
}

// handleEnrolNew starts a new set-up (the first one expired or was dropped).
func (s *Server) handleEnrolNew(c echo.Context) error {
	p, expired, err := s.pendingSecondFactor(c)
	if err != nil {
		return err
	} else if p == nil {
		return s.secondFactorGone(c, expired)
	} else if !p.Enrol {
		return redirectAfterPost(c, "/signin/2fa")
	}
	if _, err := s.svc.TwoFactor.StartTOTPSetup(s.pendingContext(c, p), ""); err != nil {
		return err
	}
	return redirectAfterPost(c, "/signin/2fa/setup")
}

// handleEnrol confirms the set-up with a first code, completes the sign-in
// and shows the recovery codes once.
func (s *Server) handleEnrol(c echo.Context) error {
	p, expired, err := s.pendingSecondFactor(c)
	if err != nil {
		return err
	} else if p == nil {
		return s.secondFactorGone(c, expired)
	} else if !p.Enrol {
		return redirectAfterPost(c, "/signin/2fa")
	}
	ctx := c.Request().Context()
	res, err := s.svc.TwoFactor.ConfirmTOTPSetup(s.pendingContext(c, p), c.FormValue("code"))
	if err != nil {
		switch tenantdesk.ErrorCode(err) {
		case tenantdesk.EINVALID, tenantdesk.ENOTFOUND, tenantdesk.ECONFLICT:
		default:
			return err
		}
		v, verr := s.enrolView(c, p)
		if verr != nil {
			return verr
		}
		setupError(ctx, err, v.Setup, &v.Error)
		return render(c, http.StatusOK, authpages.Enrol(v))
	}
	if err := s.completeSignIn(c, res.User.ID); err != nil {
		return err
	}
	return render(c, http.StatusOK, authpages.EnrolDone(authpages.EnrolDoneView{
		Codes: res.RecoveryCodes, Download: recoveryDownload(ctx, res.User.Email, res.RecoveryCodes, s.now()), Next: p.Next,
	}))
}

// My profile › Two-factor authentication.

// twoFactorView reads the user's 2FA state for the page.
func (s *Server) twoFactorView(c echo.Context) (profile.TwoFactorView, error) {
	st, err := s.svc.TwoFactor.TwoFactorStatus(c.Request().Context())
	if err != nil {
		return profile.TwoFactorView{}, err
	}
	v := profile.TwoFactorView{Status: st, Flash: s.takeFlashes(c)}
	if st.Setup != nil {
		if v.Setup, err = setupView(st.Setup, "/profile/2fa/confirm", false); err != nil {
			return v, err
		}
	}
	return v, nil
}

func (s *Server) handleTwoFactorPage(c echo.Context) error {
	v, err := s.twoFactorView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, profile.TwoFactor(v))
}

// handleTwoFactorSetup creates a pending secret, after the current
// password, and shows its QR code.
func (s *Server) handleTwoFactorSetup(c echo.Context) error {
	if _, err := s.svc.TwoFactor.StartTOTPSetup(c.Request().Context(), c.FormValue("password")); err != nil {
		switch tenantdesk.ErrorCode(err) {
		case tenantdesk.ECONFLICT: // on already: the page says so
		case tenantdesk.EINVALID, tenantdesk.ETHROTTLED:
			return s.twoFactorFormError(c, "setup", err, "")
		default:
			return err
		}
	}
	return redirectAfterPost(c, "/profile/2fa#setup")
}

func (s *Server) handleTwoFactorCancel(c echo.Context) error {
	if err := s.svc.TwoFactor.CancelTOTPSetup(c.Request().Context()); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/2fa")
}

// handleTwoFactorConfirm turns 2FA on and shows the recovery codes once.
func (s *Server) handleTwoFactorConfirm(c echo.Context) error {
	ctx := c.Request().Context()
	res, err := s.svc.TwoFactor.ConfirmTOTPSetup(ctx, c.FormValue("code"))
	if err != nil {
		switch tenantdesk.ErrorCode(err) {
		case tenantdesk.EINVALID, tenantdesk.ENOTFOUND, tenantdesk.ECONFLICT:
		default:
			return err
		}
		v, verr := s.twoFactorView(c)
		if verr != nil {
			return verr
		}
		setupError(ctx, err, v.Setup, &v.Error)
		return render(c, http.StatusOK, profile.TwoFactor(v))
	}
	return render(c, http.StatusOK, profile.RecoveryCodes(profile.RecoveryCodesView{
		Codes: res.RecoveryCodes, Download: recoveryDownload(ctx, res.User.Email, res.RecoveryCodes, s.now()), Enabled: true,
	}))
}

// twoFactorFormError re-renders the page after a refused change: field
// errors under the form's fields, a throttle as a 429 notice.
// code is the code typed into the form, shown again unless it was refused.
func (s *Server) twoFactorFormError(c echo.Context, form string, err error, code string) error {
	ctx := c.Request().Context()
	de := tenantdesk.AsError(err)
	if de == nil {
		return err
	}
	status := http.StatusOK
	var msg string
	fields := map[string]string(nil)
	switch de.Code {
	case tenantdesk.EINVALID:
		fields = fieldErrors(ctx, err)
	case tenantdesk.ECONFLICT:
		msg = errorText(ctx, err)
	case tenantdesk.ETHROTTLED:
		status = http.StatusTooManyRequests
		msg = throttledText(c, "twofactor.error.throttled", de)
	default:
		return err
	}
	v, verr := s.twoFactorView(c)
	if verr != nil {
		return verr
	}
	v.Error, v.Form, v.Fields = msg, form, fields
	if _, refused := fields["code"]; !refused && form == "disable" {
		v.DisableCode = code
	}
	return render(c, status, profile.TwoFactor(v))
}

// handleRegenerateRecoveryCodes replaces the recovery codes after the
// password and shows the new ones once.
func (s *Server) handleRegenerateRecoveryCodes(c echo.Context) error {
	ctx := c.Request().Context()
	codes, err := s.svc.TwoFactor.RegenerateRecoveryCodes(ctx, c.FormValue("password"))
	if err != nil {
		return s.twoFactorFormError(c, "regenerate", err, "")
	}
	u := c.Get(ctxUser).(*tenantdesk.User)
	return render(c, http.StatusOK, profile.RecoveryCodes(profile.RecoveryCodesView{
		Codes: codes, Download: recoveryDownload(ctx, u.Email, codes, s.now()),
	}))
}

// handleDisableTwoFactor turns 2FA off with the password and a current
// code from the app or an unused recovery code (a lost phone).
func (s *Server) handleDisableTwoFactor(c echo.Context) error {
	ctx := c.Request().Context()
	code := strings.TrimSpace(c.FormValue("code"))
	if err := s.svc.TwoFactor.DisableTOTP(ctx, c.FormValue("password"), code); err != nil {
		return s.twoFactorFormError(c, "disable", err, code)
	}
	if err := s.flash(c, view.T(ctx, "twofactor.disabled_flash")); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/2fa")
}

// setupError puts a failed confirmation of a TOTP set-up on the page: a
// wrong code beside the code field of setup, anything else (the set-up
// gone, 2FA already on) in pageError above it.
func setupError(ctx context.Context, err error, setup *components.TOTPSetupView, pageError *string) {
	if setup != nil && tenantdesk.ErrorCode(err) == tenantdesk.EINVALID {
		setup.CodeError = errorText(ctx, err)
		return
	}
	*pageError = errorText(ctx, err)
}
