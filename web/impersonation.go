package web

import (
	"net/http"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
	"github.com/tenantdesk/tenantdesk/templates/pages/partner"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Impersonation (SPEC §4): a partner user works inside a customer's
// Multidesk through a granted access request (or, before the customer's
// first grant, a partner.admin through legacy access), in one mode. The
// impersonation lives in the partner user's own session: the account and
// mode are kept there, and resolveImpersonation re-checks the grant on
// every request, so a grant that expired or was revoked ends it on the very
// next request, and signing out ends it too.

// Session value keys of an impersonation.
const (
	sessionImpAccount = "imp_account" // int64: the customer account's key
	sessionImpMode    = "imp_mode"    // string: tenantdesk.AccessMode
)

// ctxImpersonation holds the request's *tenantdesk.Impersonation.
const ctxImpersonation = "impersonation"

// impersonationRoutes registers the start, confirmation and end.
func (s *Server) impersonationRoutes() {
	e := s.echo
	e.GET("/impersonate/:tenantId/:mode", s.handleImpersonateConfirm, s.requireUser)
	e.POST("/impersonate/:tenantId/:mode", s.handleImpersonate, s.requireUser)
	e.POST("/impersonation/end", s.handleEndImpersonation, s.requireUser)
}

// resolveImpersonation, for a signed-in session that impersonates, checks
// the grant again and makes the request the customer's: the current
// account is the customer, the actor acts with the mode's roles. When the
// grant has ended, it ends the impersonation (audited in both accounts),
// tells the person why and sends them back to My zone; the request itself
// is not carried out. ok is false when it answered the request.
func (s *Server) resolveImpersonation(c echo.Context, sess *sessions.Session, actor *tenantdesk.Actor) (ok bool, err error) {
	accID, _ := sess.Values[sessionImpAccount].(int64)
	if accID == 0 || s.svc.Access == nil {
		return true, nil
	}
	mode := tenantdesk.AccessMode(stringValue(sess.Values[sessionImpMode]))
	ctx := c.Request().Context()
	imp, err := s.svc.Access.ResolveImpersonation(ctx, accID, mode)
	if err == nil {
		actor.Impersonation = imp
		c.Set(ctxAccount, imp.Account)
		c.Set(ctxImpersonation, imp)
		return true, nil
	}
	switch tenantdesk.ErrorCode(err) {
	case tenantdesk.EGrantExpired, tenantdesk.EFORBIDDEN, tenantdesk.ENOTFOUND:
	default:
		return false, err
	}
	// The grant is gone: end the impersonation before anything else runs.
	delete(sess.Values, sessionImpAccount)
	delete(sess.Values, sessionImpMode)
	name := ""
	if acc, aerr := s.svc.Accounts.FindAccountByID(ctx, accID); aerr == nil {
		name = acc.Name
		if err := s.svc.Access.EndImpersonation(ctx, &tenantdesk.Impersonation{Mode: mode, Account: acc, PartnerName: actor.Account.Name}, "grant_ended"); err != nil {
			return false, err
		}
	}
	s.setView(c) // translate the flash in the person's language
	sess.AddFlash(view.T(c.Request().Context(), "impersonation.flash.ended_by_grant", map[string]any{"Account": name}))
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return false, err
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", "/profile/zone")
		return false, c.NoContent(http.StatusUnauthorized)
	}
	return false, c.Redirect(http.StatusSeeOther, "/profile/zone")
}

func stringValue(v any) string {
	s, _ := v.(string)
	return s
}

// currentImpersonation returns the request's impersonation, nil when none.
func currentImpersonation(c echo.Context) *tenantdesk.Impersonation {
	imp, _ := c.Get(ctxImpersonation).(*tenantdesk.Impersonation)
	return imp
}

// impersonationTarget reads the customer and mode of the URL; ENOTFOUND
// for an unknown tenant or mode.
func (s *Server) impersonationTarget(c echo.Context) (*tenantdesk.Account, tenantdesk.AccessMode, error) {
	mode := tenantdesk.AccessMode(c.Param("mode"))
	if !mode.Valid() {
		return nil, "", tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	acc, err := s.svc.Accounts.FindAccountByTenantID(c.Request().Context(), c.Param("tenantId"))
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, "", tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	return acc, mode, err
}

// handleImpersonateConfirm asks before an impersonation starts: whom, in
// which mode, with which rights, until when, and that everything is in
// both audit logs.
func (s *Server) handleImpersonateConfirm(c echo.Context) error {
	ctx := c.Request().Context()
	if currentImpersonation(c) != nil {
		return &tenantdesk.Error{Code: tenantdesk.EImpersonating, Key: "access.error.impersonating",
			Message: "You are impersonating a customer: end the impersonation first."}
	}
	acc, mode, err := s.impersonationTarget(c)
	if err != nil {
		return err
	}
	imp, err := s.svc.Access.ResolveImpersonation(ctx, acc.ID, mode)
	if err != nil {
		return err
	}
	rights := make([]string, 0, 3)
	for _, r := range mode.Roles() {
		rights = append(rights, view.T(ctx, "role."+r+".name"))
	}
	data := map[string]any{"Account": acc.Name, "Mode": view.T(ctx, "access.mode_in_sentence."+string(mode)),
		"Rights": strings.Join(rights, ", "), "Until": impersonationUntil(c, imp)}
	p := components.ConfirmProps{
		Title:       view.T(ctx, "impersonation.confirm.title", data),
		Body:        view.T(ctx, "impersonation.confirm.body", data),
		Action:      "/impersonate/" + acc.TenantID + "/" + string(mode),
		Submit:      view.T(ctx, "impersonation.confirm.submit"),
		Primary:     true,
		CancelURL:   "/profile/zone",
		CancelLabel: view.T(ctx, "impersonation.cancel"),
	}
	return render(c, http.StatusOK, partner.ImpersonateConfirm(p))
}

// impersonationUntil says when a grant ends, in the reader's zone.
func impersonationUntil(c echo.Context, imp *tenantdesk.Impersonation) string {
	ctx := c.Request().Context()
	if imp == nil || imp.ExpiresAt == nil {
		return view.T(ctx, "impersonation.until_revoked")
	}
	return view.T(ctx, "impersonation.until", map[string]any{"Date": view.FormatTime(ctx, *imp.ExpiresAt)})
}

// landing is where an impersonation starts: the users area in support
// mode, the devices in configure mode (seed 002).
func landing(mode tenantdesk.AccessMode) string {
	if mode == tenantdesk.ModeConfigure {
		return "/account/devices"
	}
	return "/account/users"
}

// handleImpersonate starts an impersonation.
func (s *Server) handleImpersonate(c echo.Context) error {
	if currentImpersonation(c) != nil {
		return &tenantdesk.Error{Code: tenantdesk.EImpersonating, Key: "access.error.impersonating",
			Message: "You are impersonating a customer: end the impersonation first."}
	}
	acc, mode, err := s.impersonationTarget(c)
	if err != nil {
		return err
	}
	imp, err := s.svc.Access.StartImpersonation(c.Request().Context(), acc.ID, mode)
	if err != nil {
		return err
	}
	sess := c.Get(ctxSession).(*sessions.Session)
	sess.Values[sessionImpAccount] = imp.Account.ID
	sess.Values[sessionImpMode] = string(imp.Mode)
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return redirectAfterPost(c, landing(mode))
}

// handleEndImpersonation ends the impersonation and returns to My zone.
func (s *Server) handleEndImpersonation(c echo.Context) error {
	sess := c.Get(ctxSession).(*sessions.Session)
	imp := currentImpersonation(c)
	if imp == nil {
		return redirectAfterPost(c, "/profile/zone")
	}
	if err := s.svc.Access.EndImpersonation(c.Request().Context(), imp, "ended"); err != nil {
		return err
	}
	delete(sess.Values, sessionImpAccount)
	delete(sess.Values, sessionImpMode)
	sess.AddFlash(view.T(c.Request().Context(), "impersonation.flash.ended", map[string]any{"Account": imp.Account.Name}))
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return redirectAfterPost(c, "/profile/zone")
}

// endImpersonationOnSignOut audits the end of an impersonation when its
// session ends.
func (s *Server) endImpersonationOnSignOut(c echo.Context) error {
	if imp := currentImpersonation(c); imp != nil {
		return s.svc.Access.EndImpersonation(c.Request().Context(), imp, "signed_out")
	}
	return nil
}
