package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// About account › Security: require 2FA for everyone, and the maximum
// lifetime of API tokens. Every member may read the settings (the tab is
// linked for those who manage users); the service lets only the Owner
// change them, or in an account without an Owner its user admins.

// securityView fills the tab's view model from the settings.
func (s *Server) securityView(c echo.Context, acc *tenantdesk.Account, sec *tenantdesk.AccountSecurity) (account.SecurityView, error) {
	ctx := c.Request().Context()
	can, ownerless, err := s.svc.Security.CanChangeSecurity(ctx, acc.ID)
	if err != nil {
		return account.SecurityView{}, err
	}
	v := account.SecurityView{
		Account: acc, Access: accountAccess(ctx, acc), CanEdit: can, Ownerless: ownerless,
		Require2FA: sec.Require2FA, Lifetime: strconv.Itoa(sec.TokenMaxLifetimeDays),
	}
	if s.svc.TwoFactor != nil {
		st, err := s.svc.TwoFactor.TwoFactorStatus(ctx)
		if err != nil {
			return v, err
		}
		v.ViewerHas2FA = st.Enabled
	}
	return v, nil
}

func (s *Server) handleAccountSecurity(c echo.Context) error {
	ctx := c.Request().Context()
	acc := c.Get(ctxAccount).(*tenantdesk.Account)
	sec, err := s.svc.Security.AccountSecurity(ctx, acc.ID)
	if err != nil {
		return err
	}
	v, err := s.securityView(c, acc, sec)
	if err != nil {
		return err
	}
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, account.Security(v))
}

// handleUpdateAccountSecurity saves the settings (the Owner, or the user
// admins of an account without one: the service answers others with 403). A bad lifetime re-renders the form with what
// was typed.
func (s *Server) handleUpdateAccountSecurity(c echo.Context) error {
	ctx := c.Request().Context()
	acc := c.Get(ctxAccount).(*tenantdesk.Account)
	in := tenantdesk.AccountSecurity{AccountID: acc.ID, Require2FA: c.FormValue("require2fa") == "on"}
	typed := strings.TrimSpace(c.FormValue("tokenMaxLifetimeDays"))
	var err error
	if typed == "" {
		in.TokenMaxLifetimeDays = 0 // empty means no maximum
	} else if in.TokenMaxLifetimeDays, err = strconv.Atoi(typed); err != nil {
		in.TokenMaxLifetimeDays = -1 // not a number: the service explains the range
	}
	if _, err := s.svc.Security.SetAccountSecurity(ctx, in); err != nil {
		if !isUserError(err) {
			return err
		}
		v, verr := s.securityView(c, acc, &in)
		if verr != nil {
			return verr
		}
		v.Lifetime = typed
		v.Fields = fieldErrors(ctx, err)
		if len(v.Fields) == 0 {
			v.Error = errorText(ctx, err)
		}
		return render(c, http.StatusOK, account.Security(v))
	}
	if err := s.flash(c, view.T(ctx, "security.saved")); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/security")
}
