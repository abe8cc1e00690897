package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// About account › Access requests (SPEC §4, customer side): the requests
// the account received from its partner, and the answers — grant (with an
// optional message and end date), deny, change the end date, revoke. The
// access service authorizes every call; handlers parse, call, render.

// incomingGrantDays is the end date the grant form offers when the partner
// proposed none (service.DefaultGrantDays).
const incomingGrantDays = 30

// accessCustomerRoutes registers About account › Access requests.
func (s *Server) accessCustomerRoutes() {
	e := s.echo
	e.GET("/account/access-requests", s.handleIncomingRequests, s.requireUser)
	e.GET("/account/access-requests/:id", s.handleIncomingRequest, s.requireUser)
	e.POST("/account/access-requests/:id/grant", s.handleGrantIncoming, s.requireUser)
	e.POST("/account/access-requests/:id/deny", s.handleDenyIncoming, s.requireUser)
	e.POST("/account/access-requests/:id/expiry", s.handleIncomingExpiry, s.requireUser)
	e.GET("/account/access-requests/:id/revoke", s.handleConfirmRevokeIncoming, s.requireUser)
	e.POST("/account/access-requests/:id/revoke", s.handleRevokeIncoming, s.requireUser)
}

// handleIncomingRequests lists the account's incoming requests, optionally
// of one state (?state=).
func (s *Server) handleIncomingRequests(c echo.Context) error {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	state := tenantdesk.AccessState(c.QueryParam("state"))
	if state != "" && !state.Valid() {
		// A stale or edited link: show every request.
		return c.Redirect(http.StatusSeeOther, "/account/access-requests")
	}
	list, err := s.svc.Access.Incoming(ctx, acc.ID, tenantdesk.AccessRequestFilter{State: state})
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, account.AccessRequests(account.AccessRequestsView{
		Account: acc, Access: accountAccess(ctx, acc), Now: s.now(), State: state, Requests: list, Flash: s.takeFlashes(c)}))
}

// incomingRequest loads the request named in the URL when it is one the
// current account received and the viewer may answer: 403 for other
// members (as the tab), 404 for an unknown ID or another account's request.
func (s *Server) incomingRequest(c echo.Context) (*tenantdesk.AccessRequest, error) {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	if !tenantdesk.CanRespond(tenantdesk.ActorFrom(ctx), acc) {
		return nil, &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message", Message: "You do not have permission to do this."}
	}
	id, ok := tenantdesk.ParseAccessRequestID(c.Param("id"))
	if !ok {
		return nil, echo.ErrNotFound
	}
	r, err := s.svc.Access.GetAccessRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.AccountID != acc.ID {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	return r, nil
}

// incomingView is a request's page with its forms as they start: the grant
// form offers the partner's proposed end date, else today + 30 days; the
// expiry form the grant's current end date.
func (s *Server) incomingView(c echo.Context, r *tenantdesk.AccessRequest) account.AccessRequestView {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	now := s.now()
	loc := view.From(ctx).Location
	v := account.AccessRequestView{Account: acc, Access: accountAccess(ctx, acc), Request: r, Now: now,
		State: r.StateAt(now), MinDate: now.In(loc).Format(time.DateOnly)}
	grantDate := now.In(loc).AddDate(0, 0, incomingGrantDays).Format(time.DateOnly)
	if r.ExpiresAt != nil && r.ExpiresAt.After(now) {
		grantDate = components.ExpiryDay(ctx, *r.ExpiresAt)
	}
	v.Grant.Date = grantDate
	if r.ExpiresAt != nil {
		v.Expiry.Date = components.ExpiryDay(ctx, *r.ExpiresAt)
	} else {
		v.Expiry.Date, v.Expiry.NoExpiry = grantDate, true
	}
	return v
}

func (s *Server) handleIncomingRequest(c echo.Context) error {
	r, err := s.incomingRequest(c)
	if err != nil {
		return err
	}
	v := s.incomingView(c, r)
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, account.AccessRequestPage(v))
}

// isIncomingConflict reports whether err says the request is no longer in a
// state the answer fits (answered meanwhile, expired, closed): the page is
// shown again, as it is now, with that message.
func isIncomingConflict(err error) bool {
	switch tenantdesk.ErrorCode(err) {
	case tenantdesk.ERequestNotPending, tenantdesk.EGrantExpired, tenantdesk.ERequestClosed, tenantdesk.ERequestNotGranted:
		return true
	}
	return false
}

// incomingFailed answers a grant, deny or expiry change that did not go
// through: a conflict shows the request as it is now with the message
// (409); a user error shows the page with the form as posted and its
// errors, set by keep; anything else is an error page.
func (s *Server) incomingFailed(c echo.Context, r *tenantdesk.AccessRequest, err error, keep func(v *account.AccessRequestView, msg string, fields map[string]string)) error {
	ctx := c.Request().Context()
	switch {
	case isIncomingConflict(err):
		fresh, ferr := s.incomingRequest(c)
		if ferr != nil {
			return ferr
		}
		v := s.incomingView(c, fresh)
		v.Conflict = errorText(ctx, err)
		return render(c, http.StatusConflict, account.AccessRequestPage(v))
	case isUserError(err):
		v := s.incomingView(c, r)
		keep(&v, errorText(ctx, err), fieldErrors(ctx, err))
		return render(c, http.StatusOK, account.AccessRequestPage(v))
	}
	return err
}

// incomingExpiry reads an end date form: the end of the chosen day in the
// viewer's zone (the start of the next day: parseExpiryDate reads a date
// as its start, as API tokens do), or nil for "No expiry". A missing or
// malformed date is a field error of expiresAt.
func incomingExpiry(date string, noExpiry bool, loc *time.Location) (*time.Time, error) {
	if noExpiry {
		return nil, nil
	}
	invalid := func(key, msg string) error {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: key, Message: msg,
			Fields: []tenantdesk.FieldError{{Field: "expiresAt", Key: key, Message: msg}}}
	}
	if strings.TrimSpace(date) == "" {
		return nil, invalid("access_customer.error.expiry_choose", "Choose a date, or tick “No expiry”.")
	}
	end, ok := parseEndOfDay(date, loc)
	if !ok {
		return nil, invalid("access_customer.error.expiry_invalid", "Enter the date as a date (year-month-day).")
	}
	return end, nil
}

// incomingForm is a posted answer form as entered.
func incomingForm(c echo.Context) account.AccessAnswerForm {
	return account.AccessAnswerForm{Message: c.FormValue("message"), Date: strings.TrimSpace(c.FormValue("expiresAt")),
		NoExpiry: c.FormValue("noExpiry") != ""}
}

// keepIncomingForm puts the posted form f, with the errors, in place of the form
// the setter picks.
func keepIncomingForm(f account.AccessAnswerForm, pick func(v *account.AccessRequestView) *account.AccessAnswerForm) func(v *account.AccessRequestView, msg string, fields map[string]string) {
	return func(v *account.AccessRequestView, msg string, fields map[string]string) {
		f.Error, f.FieldErrors = msg, fields
		if _, ok := fields["expiresAt"]; ok {
			// Expiry errors may carry template data only errorText fills in.
			f.FieldErrors["expiresAt"] = msg
		}
		*pick(v) = f
	}
}

func (s *Server) handleGrantIncoming(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.incomingRequest(c)
	if err != nil {
		return err
	}
	f := incomingForm(c)
	keep := keepIncomingForm(f, func(v *account.AccessRequestView) *account.AccessAnswerForm { return &v.Grant })
	expires, err := incomingExpiry(f.Date, f.NoExpiry, view.From(ctx).Location)
	var granted *tenantdesk.AccessRequest
	if err == nil {
		granted, err = s.svc.Access.Grant(ctx, r.ID, tenantdesk.AccessAnswer{Message: f.Message, ExpiresAt: expires})
	}
	if err != nil {
		return s.incomingFailed(c, r, err, keep)
	}
	if err := s.flash(c, view.T(ctx, "access_customer.flash.granted", map[string]any{"Partner": granted.PartnerName, "Name": granted.Name})); err != nil {
		return err
	}
	return redirectAfterPost(c, account.AccessRequestURL(r.ID))
}

func (s *Server) handleDenyIncoming(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.incomingRequest(c)
	if err != nil {
		return err
	}
	f := incomingForm(c)
	denied, err := s.svc.Access.Deny(ctx, r.ID, f.Message)
	if err != nil {
		return s.incomingFailed(c, r, err, keepIncomingForm(f, func(v *account.AccessRequestView) *account.AccessAnswerForm { return &v.Deny }))
	}
	if err := s.flash(c, view.T(ctx, "access_customer.flash.denied", map[string]any{"Partner": denied.PartnerName, "Name": denied.Name})); err != nil {
		return err
	}
	return redirectAfterPost(c, account.AccessRequestURL(r.ID))
}

func (s *Server) handleIncomingExpiry(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.incomingRequest(c)
	if err != nil {
		return err
	}
	f := incomingForm(c)
	keep := keepIncomingForm(f, func(v *account.AccessRequestView) *account.AccessAnswerForm { return &v.Expiry })
	expires, err := incomingExpiry(f.Date, f.NoExpiry, view.From(ctx).Location)
	var changed *tenantdesk.AccessRequest
	if err == nil {
		changed, err = s.svc.Access.SetExpiry(ctx, r.ID, expires)
	}
	if err != nil {
		return s.incomingFailed(c, r, err, keep)
	}
	msg := view.T(ctx, "access_customer.flash.expiry_cleared", map[string]any{"Name": changed.Name})
	if changed.ExpiresAt != nil {
		msg = view.T(ctx, "access_customer.flash.expiry", map[string]any{"Name": changed.Name, "Date": account.ExpiryText(ctx, *changed.ExpiresAt)})
	}
	if err := s.flash(c, msg); err != nil {
		return err
	}
	return redirectAfterPost(c, account.AccessRequestURL(r.ID))
}

// incomingRevokeView is the revoke confirmation of r.
func (s *Server) incomingRevokeView(c echo.Context, r *tenantdesk.AccessRequest) account.AccessRevokeView {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	return account.AccessRevokeView{Account: acc, Access: accountAccess(ctx, acc), Request: r}
}

func (s *Server) handleConfirmRevokeIncoming(c echo.Context) error {
	r, err := s.incomingRequest(c)
	if err != nil {
		return err
	}
	if !r.LiveAt(s.now()) {
		// Nothing to revoke: the request's page says why.
		return redirectAfterPost(c, account.AccessRequestURL(r.ID))
	}
	return render(c, http.StatusOK, account.AccessRevokeConfirm(s.incomingRevokeView(c, r)))
}

func (s *Server) handleRevokeIncoming(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.incomingRequest(c)
	if err != nil {
		return err
	}
	msg := c.FormValue("message")
	revoked, err := s.svc.Access.Revoke(ctx, r.ID, msg)
	switch {
	case isIncomingConflict(err):
		return s.incomingFailed(c, r, err, nil)
	case isUserError(err):
		v := s.incomingRevokeView(c, r)
		v.Message, v.Error, v.FieldErrors = msg, errorText(ctx, err), fieldErrors(ctx, err)
		return render(c, http.StatusOK, account.AccessRevokeConfirm(v))
	case err != nil:
		return err
	}
	if err := s.flash(c, view.T(ctx, "access_customer.flash.revoked", map[string]any{"Partner": revoked.PartnerName, "Name": revoked.Name})); err != nil {
		return err
	}
	return redirectAfterPost(c, account.AccessRequestURL(r.ID))
}
