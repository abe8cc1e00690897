package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/profile"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// My profile › API tokens: the signed-in user's own tokens
// (tenantdesk.APITokenService). A new or changed token's secret is rendered
// straight into the answer to the POST, never stored in the session, and
// shown this once only.

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

func (s *Server) handleTokens(c echo.Context) error {
	v, err := s.tokensView(c)
	if err != nil {
		return err
	}
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, profile.Tokens(v))
}

// parseExpiryDate reads the form's expiry date: the token stops working at
// the start of that day in the user's time zone ("expires on"). "" is none.
func parseExpiryDate(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, false
	}
	return d, true
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
	if tenantdesk.ErrorCode(err) == tenantdesk.EINVALID {
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
	return s.renderNewToken(c, tok, secret)
}

// renderNewToken answers with the list and the new secret, which is shown
// this once. The page must not be cached or kept in history.
func (s *Server) renderNewToken(c echo.Context, tok *tenantdesk.APIToken, secret string) error {
	v, err := s.tokensView(c)
	if err != nil {
		return err
	}
	v.New, v.NewSecret = tok, secret
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, profile.Tokens(v))
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
	if tenantdesk.ErrorCode(err) == tenantdesk.EINVALID {
		if err := s.flash(c, errorText(ctx, err)); err != nil {
			return err
		}
		return redirectAfterPost(c, "/profile/tokens")
	} else if err != nil {
		return err
	}
	return s.renderNewToken(c, tok, secret)
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
