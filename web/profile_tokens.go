package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/profile"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// My profile › API tokens: the signed-in user's own tokens
// (tenantdesk.APITokenService). Creating or regenerating a token answers
// with a redirect to the tab (post/redirect/get), so a refresh or Back never
// makes another token. The secret travels to that page as a one-time flash
// in the server-side session, never in the URL: the first GET takes it out
// of the session and shows it, and no later page has it.

// Session keys of the flash that carries a new secret from the POST that
// made it to the page that shows it.
const (
	sessionNewTokenID     = "new_token_id"
	sessionNewTokenSecret = "new_token_secret"
)

// tokensView builds the tab's view for the current user.
func (s *Server) tokensView(c echo.Context) (profile.TokensView, error) {
	ctx := c.Request().Context()
	u := currentUser(c)
	list, err := s.svc.Tokens.ListTokens(ctx, u.ID)
	if err != nil {
		return profile.TokensView{}, err
	}
	now := s.now()
	loc := view.From(ctx).Location
	today := now.In(loc)
	v := profile.TokensView{Now: now, MinDate: today.AddDate(0, 0, 1).Format(time.DateOnly)}
	if s.svc.Security != nil {
		if sec, err := s.svc.Security.AccountSecurity(ctx, u.AccountID); err == nil && sec.TokenMaxLifetimeDays > 0 {
			v.MaxDays = sec.TokenMaxLifetimeDays
			v.MaxDate = now.Add(time.Duration(sec.TokenMaxLifetimeDays) * 24 * time.Hour).In(loc).Format(time.DateOnly)
		}
	}
	if v.NoAccess, err = s.tokenAccess(c); err != nil {
		return profile.TokensView{}, err
	}
	for _, t := range list {
		status := "active"
		switch {
		case t.Revoked():
			status = "revoked"
		case t.Expired(now):
			status = "expired"
		}
		v.Tokens = append(v.Tokens, profile.TokenRow{Token: t, Status: status})
	}
	return v, nil
}

// tokenAccess explains, in the reader's language, why the current user may
// not create or use API tokens (tenantdesk.CheckAPIAccess: in a customer
// account, onboarding.admin is needed); "" when they may.
func (s *Server) tokenAccess(c echo.Context) (string, error) {
	u, acc := currentUser(c), currentAccount(c)
	if acc == nil || acc.ID != u.AccountID {
		// Impersonating: the tokens are the user's own, of their own account.
		var err error
		if acc, err = s.svc.Accounts.FindAccountByID(c.Request().Context(), u.AccountID); err != nil {
			return "", err
		}
	}
	if err := tenantdesk.CheckAPIAccess(u, acc); err != nil {
		return errorText(c.Request().Context(), err), nil
	}
	return "", nil
}

func (s *Server) handleTokens(c echo.Context) error {
	v, err := s.tokensView(c)
	if err != nil {
		return err
	}
	v.Flash = s.takeFlashes(c)
	if id, secret, ok := s.takeNewToken(c); ok {
		// Shown only while the token is still in the list (it may have been
		// revoked in another tab in between; then the secret is useless).
		for _, r := range v.Tokens {
			if r.Token.ID == id && r.Status == "active" {
				v.New, v.NewSecret = r.Token, secret
			}
		}
	}
	return render(c, http.StatusOK, profile.Tokens(v))
}

// minFormYear is the earliest year a date field takes. No expiry or audit
// date lies before it, and it keeps 0001-01-01 out: in a zone at UTC that
// day's start is Go's zero time, which callers read as "no date" (found by
// FuzzFormDates: an audit filter "to 0001-01-01" was a nil dereference, a
// token "expiring" then never expired).
const minFormYear = 1900

// parseExpiryDate reads the form's expiry date: the token stops working at
// the start of that day in the user's time zone ("expires on"). "" is none.
func parseExpiryDate(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || d.Year() < minFormYear {
		return time.Time{}, false
	}
	return dayStart(d.Year(), d.Month(), d.Day(), loc), true
}

// dayStart is the first instant of the calendar day y-m-d (normalized, so
// d may be one past the month's last) in loc. That is midnight, except
// where clocks jump forward at midnight (Atlantic/Azores, America/Santiago
// on their spring days): midnight does not exist there, time.Date answers
// 23:00 of the day before, and the day starts at the jump. (Found by
// FuzzFormDates: an access request's end fell an hour early.)
func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	y, m, d = time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if ty, tm, td := t.Date(); ty != y || tm != m || td != d {
		if _, end := t.ZoneBounds(); !end.IsZero() {
			return end
		}
	}
	return t
}

func (s *Server) handleCreateToken(c echo.Context) error {
	ctx := c.Request().Context()
	name, expires, readOnly := c.FormValue("name"), c.FormValue("expires"), c.FormValue("readOnly") != ""
	at, ok := parseExpiryDate(expires, view.From(ctx).Location)
	var tok *tenantdesk.APIToken
	var secret string
	var err error
	if !ok {
		err = &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "token.error.expiry_invalid", Message: "Enter the expiry as a date.",
			Fields: []tenantdesk.FieldError{{Field: "expiresAt", Key: "token.error.expiry_invalid", Message: "Enter the expiry as a date."}}}
	} else {
		tok, secret, err = s.svc.Tokens.CreateToken(ctx, currentUser(c).ID, tenantdesk.NewAPIToken{Name: name, ExpiresAt: at, ReadOnly: readOnly})
	}
	if code := tenantdesk.ErrorCode(err); code == tenantdesk.EINVALID || code == tenantdesk.EAPIAccessRequired || code == tenantdesk.EAccountDisabled {
		// Bad input, or no right to tokens (the form was open before the
		// role went): the tab again, with the reason.
		v, verr := s.tokensView(c)
		if verr != nil {
			return verr
		}
		v.Name, v.Expires, v.ReadOnly = name, expires, readOnly
		v.Form = profile.Form{Error: errorText(ctx, err), FieldErrors: fieldErrors(ctx, err)}
		if _, ok := v.Form.FieldErrors["expiresAt"]; ok {
			// The expiry errors carry template data (days, date) that only errorText fills in.
			v.Form.FieldErrors["expiresAt"] = v.Form.Error
		}
		return render(c, http.StatusOK, profile.Tokens(v))
	} else if err != nil {
		return err
	}
	return s.showNewToken(c, tok, secret)
}

// showNewToken holds the new secret in the session for the next page and
// redirects there. Every page is sent with Cache-Control: no-store (see
// securityHeaders), so Back fetches the tab again, without the secret.
func (s *Server) showNewToken(c echo.Context, tok *tenantdesk.APIToken, secret string) error {
	sess, ok := c.Get(ctxSession).(*sessions.Session)
	if !ok || sess.ID == "" {
		// requireUser guarantees a session; without one the secret would be lost.
		return errors.New("tokens: no session to hold the new secret")
	}
	sess.Values[sessionNewTokenID] = tok.ID
	sess.Values[sessionNewTokenSecret] = secret
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/tokens")
}

// takeNewToken returns and clears the secret held by showNewToken.
func (s *Server) takeNewToken(c echo.Context) (id int64, secret string, ok bool) {
	sess, has := c.Get(ctxSession).(*sessions.Session)
	if !has || sess.ID == "" {
		return 0, "", false
	}
	if secret, ok = sess.Values[sessionNewTokenSecret].(string); !ok {
		return 0, "", false
	}
	id, _ = sess.Values[sessionNewTokenID].(int64)
	delete(sess.Values, sessionNewTokenID)
	delete(sess.Values, sessionNewTokenSecret)
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		// Shown only once it is cleared, so that it is never shown twice.
		return 0, "", false
	}
	return id, secret, true
}

// tokenParam finds the URL's token among the user's own tokens.
func (s *Server) tokenParam(c echo.Context) (*tenantdesk.APIToken, error) {
	id, ok := tenantdesk.ParseAPITokenID(c.Param("id"))
	if !ok {
		return nil, echo.ErrNotFound
	}
	list, err := s.svc.Tokens.ListTokens(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, echo.ErrNotFound
}

func (s *Server) handleConfirmToken(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		t, err := s.tokenParam(c)
		if err != nil {
			return err
		}
		if !t.Active(s.now()) {
			return c.Redirect(http.StatusSeeOther, "/profile/tokens")
		}
		return render(c, http.StatusOK, profile.TokenConfirm(profile.TokenConfirmView{Token: t, Action: action}))
	}
}

func (s *Server) handleRegenerateToken(c echo.Context) error {
	ctx := c.Request().Context()
	t, err := s.tokenParam(c)
	if err != nil {
		return err
	}
	tok, secret, err := s.svc.Tokens.RegenerateToken(ctx, currentUser(c).ID, t.ID)
	if code := tenantdesk.ErrorCode(err); code == tenantdesk.EINVALID || code == tenantdesk.EAPIAccessRequired || code == tenantdesk.EAccountDisabled {
		if err := s.flash(c, errorText(ctx, err)); err != nil {
			return err
		}
		return redirectAfterPost(c, "/profile/tokens")
	} else if err != nil {
		return err
	}
	return s.showNewToken(c, tok, secret)
}

func (s *Server) handleRevokeToken(c echo.Context) error {
	ctx := c.Request().Context()
	t, err := s.tokenParam(c)
	if err != nil {
		return err
	}
	if err := s.svc.Tokens.RevokeToken(ctx, currentUser(c).ID, t.ID); err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "token.flash.revoked", map[string]any{"Name": t.Name})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/tokens")
}
