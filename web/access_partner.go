package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
	"github.com/tenantdesk/tenantdesk/templates/pages/partner"
	"github.com/tenantdesk/tenantdesk/templates/pages/profile"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// Partnerdesk › Access requests (SPEC §4): a partner.admin asks customers
// for access (one request per customer), lists what was sent, changes an
// expiry and withdraws. My zone: every request naming the signed-in
// partner user, with the way into the customers that granted one. The
// access service authorizes every call; the pages only make the forms.

// accessPartnerRoutes registers Partnerdesk › Access requests and My zone.
func (s *Server) accessPartnerRoutes() {
	e := s.echo
	e.GET("/partner/access-requests", s.handleAccessRequests, s.requireUser)
	e.GET("/partner/access-requests/new", s.handleNewAccessRequest, s.requireUser)
	e.POST("/partner/access-requests", s.handleCreateAccessRequest, s.requireUser)
	e.GET("/partner/access-requests/:id", s.handleAccessRequest, s.requireUser)
	e.POST("/partner/access-requests/:id/expiry", s.handleAccessRequestExpiry, s.requireUser)
	e.GET("/partner/access-requests/:id/withdraw", s.handleConfirmWithdrawAccessRequest, s.requireUser)
	e.POST("/partner/access-requests/:id/withdraw", s.handleWithdrawAccessRequest, s.requireUser)
	e.GET("/profile/zone", s.handleMyZone, s.requireUser)
}

// The New request form's association blocks: how many a fresh form shows
// and how many "Add another association" may make.
const (
	defaultAssocBlocks = 3
	maxAssocBlocks     = 50
)

// expiringSoon is how far ahead the list warns of grants that end.
const expiringSoon = tenantdesk.AccessReminderLead

// requirePartnerAdmin refuses everyone but a partner.admin working in
// their own partner account, as the access service does, before a page
// reads anything else (tenant IDs in a form, say).
func (s *Server) requirePartnerAdmin(c echo.Context) error {
	if currentImpersonation(c) != nil {
		return &tenantdesk.Error{Code: tenantdesk.EImpersonating, Key: "access.error.impersonating",
			Message: "You are impersonating a customer: end the impersonation first."}
	}
	acc, u := currentAccount(c), currentUser(c)
	if acc == nil || u == nil || !acc.IsPartner() || !u.HasRole(tenantdesk.RolePartnerAdmin) {
		return &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message", Message: "You do not have permission to do this."}
	}
	return nil
}

// expiryText is an expiry in the reader's zone: "End of 2026-12-01 (CET)"
// for the end of a day (as the date fields set it), else date and time;
// "" for none.
func expiryText(ctx context.Context, t *time.Time) string {
	if t == nil {
		return ""
	}
	if components.EndOfDay(ctx, *t) {
		return view.T(ctx, "partner.access.expires_end_of_day", map[string]any{
			"Date": components.ExpiryDay(ctx, *t), "Zone": t.In(view.From(ctx).Location).Format("MST")})
	}
	return view.FormatTime(ctx, *t)
}

// expiryDate is the date field's value for an expiry: the day it ends.
func expiryDate(ctx context.Context, t *time.Time) string {
	if t == nil {
		return ""
	}
	return components.ExpiryDay(ctx, *t)
}

// parseEndOfDay reads a date field: access ends at the end of that day in
// the reader's zone (the start of the next day, as parseExpiryDate reads
// a token's date). nil for an empty field; ok is false for a non-date.
func parseEndOfDay(s string, loc *time.Location) (*time.Time, bool) {
	d, ok := parseExpiryDate(s, loc)
	if !ok || d.IsZero() {
		return nil, ok
	}
	y, m, day := d.In(loc).Date()
	end := dayStart(y, m, day+1, loc)
	return &end, true
}

// errExpiryDate is a date field that holds no date.
func errExpiryDate() *tenantdesk.Error {
	fe := tenantdesk.FieldError{Field: "expiresAt", Key: "partner.access.error.date_invalid", Message: "Enter the expiry as a date."}
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: fe.Key, Message: fe.Message, Fields: []tenantdesk.FieldError{fe}}
}

// zoneName is the reader's time zone, for the date fields' hints.
func zoneName(ctx context.Context) string { return view.From(ctx).Location.String() }

// today is the reader's date, the earliest a date field accepts.
func (s *Server) today(ctx context.Context) string {
	return s.now().In(view.From(ctx).Location).Format(time.DateOnly)
}

func accessRow(ctx context.Context, r *tenantdesk.AccessRequest, now time.Time) partner.AccessRow {
	return partner.AccessRow{Req: r, ID: tenantdesk.FormatAccessRequestID(r.ID), State: r.StateAt(now), Expires: expiryText(ctx, r.ExpiresAt)}
}

// handleAccessRequests lists the partner's requests, filtered by state,
// with the grants that end within a week above them.
func (s *Server) handleAccessRequests(c echo.Context) error {
	ctx := c.Request().Context()
	state := tenantdesk.AccessState(c.QueryParam("state"))
	if state != "" && !state.Valid() {
		return c.Redirect(http.StatusSeeOther, "/partner/access-requests")
	}
	list, err := s.svc.Access.Outgoing(ctx, tenantdesk.AccessRequestFilter{State: state})
	if err != nil {
		return err
	}
	now := s.now()
	v := partner.AccessListView{Flash: s.takeFlashes(c), State: string(state)}
	for _, r := range list {
		v.Rows = append(v.Rows, accessRow(ctx, r, now))
	}
	granted := list
	if state != tenantdesk.AccessGranted {
		if granted, err = s.svc.Access.Outgoing(ctx, tenantdesk.AccessRequestFilter{State: tenantdesk.AccessGranted}); err != nil {
			return err
		}
	}
	for _, r := range granted {
		if r.LiveAt(now) && r.ExpiresAt != nil && r.ExpiresAt.Sub(now) <= expiringSoon {
			v.Expiring = append(v.Expiring, accessRow(ctx, r, now))
		}
	}
	slices.SortFunc(v.Expiring, func(a, b partner.AccessRow) int { return a.Req.ExpiresAt.Compare(*b.Req.ExpiresAt) })
	return render(c, http.StatusOK, partner.AccessList(v))
}

// accessFormInput is what the New request form holds: its defaults, or
// what was posted, kept as typed.
type accessFormInput struct {
	Name, Message, Expires, Query string
	Modes                         []string
	Blocks                        []partner.AssocBlock
}

// readAccessForm reads the posted form: assoc_count blocks of
// assoc[i].users (user IDs) and assoc[i].customers (tenant IDs).
func readAccessForm(c echo.Context) (accessFormInput, error) {
	params, err := c.FormParams()
	if err != nil {
		return accessFormInput{}, echo.ErrBadRequest
	}
	n, _ := strconv.Atoi(params.Get("assoc_count"))
	n = min(max(n, 1), maxAssocBlocks)
	in := accessFormInput{Name: params.Get("name"), Message: params.Get("message"), Expires: params.Get("expiresAt"),
		Query: params.Get("q"), Modes: nonEmpty(params["modes"])}
	for i := range n {
		p := "assoc[" + strconv.Itoa(i) + "]."
		in.Blocks = append(in.Blocks, partner.AssocBlock{Users: nonEmpty(params[p+"users"]), Customers: nonEmpty(params[p+"customers"])})
	}
	return in, nil
}

// nonEmpty drops empty values and duplicates, keeping the order.
func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// accessFormView builds the form for in: the staff to choose from, and the
// customers the search finds plus every customer already chosen (so a
// search never drops a choice).
func (s *Server) accessFormView(c echo.Context, in accessFormInput) (partner.AccessFormView, error) {
	ctx := c.Request().Context()
	v := partner.AccessFormView{Name: in.Name, Message: in.Message, Expires: in.Expires, Modes: in.Modes, Query: in.Query,
		Blocks: in.Blocks, MinDate: s.today(ctx), Zone: zoneName(ctx), FieldErrors: map[string]string{}}
	staff, err := s.svc.Access.StaffChoices(ctx)
	if err != nil {
		return v, err
	}
	for _, u := range staff {
		if u.Status != tenantdesk.UserDisabled {
			v.Staff = append(v.Staff, partner.StaffChoice{ID: tenantdesk.FormatUserID(u.ID), Name: u.DisplayName, Email: u.Email})
		}
	}
	all, err := s.svc.AccountInfo.ListCustomers(ctx, tenantdesk.CustomerFilter{Limit: tenantdesk.MaxPageSize})
	if err != nil {
		return v, err
	}
	v.HasCustomers = len(all.Customers) > 0
	found := all.Customers
	if q := strings.TrimSpace(in.Query); q != "" {
		page, err := s.svc.AccountInfo.ListCustomers(ctx, tenantdesk.CustomerFilter{Query: q, Limit: tenantdesk.MaxPageSize})
		if err != nil {
			return v, err
		}
		found = page.Customers
	} else if all.NextCursor != "" {
		v.Truncated = len(all.Customers)
	}
	chosen := map[string]bool{}
	for _, b := range in.Blocks {
		for _, t := range b.Customers {
			chosen[t] = true
		}
	}
	listed := map[string]bool{}
	for _, cu := range found {
		v.Customers = append(v.Customers, partner.CustomerChoice{TenantID: cu.TenantID, Name: cu.Name})
		listed[cu.TenantID] = true
	}
	for _, cu := range all.Customers {
		if chosen[cu.TenantID] && !listed[cu.TenantID] {
			v.Customers = append(v.Customers, partner.CustomerChoice{TenantID: cu.TenantID, Name: cu.Name})
			listed[cu.TenantID] = true
		}
	}
	slices.SortStableFunc(v.Customers, func(a, b partner.CustomerChoice) int { return strings.Compare(a.Name, b.Name) })
	v.Matches = len(found)
	for i := range v.Blocks {
		v.Blocks[i].Hidden = nil
		for _, t := range v.Blocks[i].Customers {
			if !listed[t] {
				v.Blocks[i].Hidden = append(v.Blocks[i].Hidden, t)
			}
		}
	}
	return v, nil
}

// handleNewAccessRequest shows a fresh form: both modes, three empty
// associations; ?q= searches the customers.
func (s *Server) handleNewAccessRequest(c echo.Context) error {
	if err := s.requirePartnerAdmin(c); err != nil {
		return err
	}
	in := accessFormInput{Query: c.QueryParam("q"), Blocks: make([]partner.AssocBlock, defaultAssocBlocks)}
	for _, m := range tenantdesk.AccessModes {
		in.Modes = append(in.Modes, string(m))
	}
	v, err := s.accessFormView(c, in)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, partner.AccessForm(v))
}

// accessFormFields are the form's fields by the domain's names: each is
// the id of its control (a fieldset for the groups), which the error
// summary links to.
var accessFormFields = map[string]bool{"name": true, "message": true, "modes": true, "expiresAt": true, "associations": true}

// handleCreateAccessRequest saves the form, or, for "Add another
// association" and "Search customers", shows it again with everything
// kept (no script needed).
func (s *Server) handleCreateAccessRequest(c echo.Context) error {
	ctx := c.Request().Context()
	if err := s.requirePartnerAdmin(c); err != nil {
		return err
	}
	in, err := readAccessForm(c)
	if err != nil {
		return err
	}
	if c.FormValue("add_association") != "" || c.FormValue("search") != "" {
		if c.FormValue("add_association") != "" && len(in.Blocks) < maxAssocBlocks {
			in.Blocks = append(in.Blocks, partner.AssocBlock{})
		}
		v, err := s.accessFormView(c, in)
		if err != nil {
			return err
		}
		if c.FormValue("add_association") != "" {
			v.Added = len(v.Blocks) // the new block takes the focus
		}
		return render(c, http.StatusOK, partner.AccessForm(v))
	}
	req, err := s.newAccessRequest(ctx, in)
	if err != nil {
		return err
	}
	var out []*tenantdesk.AccessRequest
	err = accessFormProblems(in, req)
	if err == nil {
		out, err = s.svc.Access.CreateAccessRequests(ctx, req)
	}
	if isUserError(err) {
		v, verr := s.accessFormView(c, in)
		if verr != nil {
			return verr
		}
		withAccessFormErrors(ctx, &v, err)
		return render(c, statusOf(tenantdesk.ErrorCode(err)), partner.AccessForm(v))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.N(ctx, "partner.access.flash.sent", len(out))); err != nil {
		return err
	}
	return redirectAfterPost(c, "/partner/access-requests")
}

// newAccessRequest turns the form into the service's input: user IDs and
// tenant IDs to keys (an unknown one is "not found"), empty associations
// left out. An association with only one side is kept, so the service
// says what it lacks.
func (s *Server) newAccessRequest(ctx context.Context, in accessFormInput) (tenantdesk.NewAccessRequest, error) {
	req := tenantdesk.NewAccessRequest{Name: in.Name, Message: in.Message}
	modes, ok := tenantdesk.ParseAccessModes(in.Modes)
	if !ok {
		return req, echo.ErrBadRequest
	}
	req.Modes = modes
	if at, ok := parseEndOfDay(in.Expires, view.From(ctx).Location); ok {
		req.ExpiresAt = at
	}
	accounts := map[string]int64{}
	for _, b := range in.Blocks {
		if len(b.Users) == 0 && len(b.Customers) == 0 {
			continue
		}
		var as tenantdesk.AccessAssociation
		for _, raw := range b.Users {
			id, ok := tenantdesk.ParseUserID(raw)
			if !ok {
				return req, echo.ErrNotFound
			}
			as.UserIDs = append(as.UserIDs, id)
		}
		for _, t := range b.Customers {
			id, ok := accounts[t]
			if !ok {
				acc, err := s.svc.Accounts.FindAccountByTenantID(ctx, t)
				if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
					return req, echo.ErrNotFound
				} else if err != nil {
					return req, err
				}
				id, accounts[t] = acc.ID, acc.ID
			}
			as.AccountIDs = append(as.AccountIDs, id)
		}
		req.Associations = append(req.Associations, as)
	}
	return req, nil
}

// accessFormProblems reports what only the form knows is wrong (no mode
// ticked: the service would take both; a date that is none), together
// with the form's other problems, so the summary lists them all at once.
// nil when the service may decide.
func accessFormProblems(in accessFormInput, req tenantdesk.NewAccessRequest) error {
	_, dateOK := parseExpiryDate(in.Expires, time.UTC)
	if len(in.Modes) > 0 && dateOK {
		return nil
	}
	var fields []tenantdesk.FieldError
	if fe := tenantdesk.ValidateRequestName(strings.TrimSpace(req.Name)); fe != nil {
		fields = append(fields, *fe)
	}
	if fe := tenantdesk.ValidateRequestMessage("message", strings.TrimSpace(req.Message)); fe != nil {
		fields = append(fields, *fe)
	}
	if len(in.Modes) == 0 {
		fields = append(fields, tenantdesk.FieldError{Field: "modes", Key: "partner.access.error.modes_required", Message: "Choose at least one mode."})
	}
	if !dateOK {
		fields = append(fields, errExpiryDate().Fields[0])
	}
	switch {
	case len(req.Associations) == 0:
		fields = append(fields, tenantdesk.FieldError{Field: "associations", Key: "access.error.associations_required",
			Message: "Link at least one person to at least one customer."})
	case slices.ContainsFunc(req.Associations, func(a tenantdesk.AccessAssociation) bool { return len(a.UserIDs) == 0 || len(a.AccountIDs) == 0 }):
		fields = append(fields, tenantdesk.FieldError{Field: "associations", Key: "access.error.association_incomplete",
			Message: "Each association needs at least one person and one customer."})
	}
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Key: fields[0].Key, Args: fields[0].Args, Fields: fields}
}

// withAccessFormErrors puts every problem of err on the form: the summary
// (one entry per problem, linked to its field), each field's own message,
// and a note on each association that has only one side.
func withAccessFormErrors(ctx context.Context, v *partner.AccessFormView, err error) {
	v.Error = errorText(ctx, err)
	for _, p := range fieldProblems(ctx, err) {
		fp := partner.FormProblem{Message: p.Message}
		if accessFormFields[p.Field] {
			fp.Href = "#" + p.Field
		}
		v.Problems = append(v.Problems, fp)
		if _, dup := v.FieldErrors[p.Field]; !dup {
			v.FieldErrors[p.Field] = p.Message
		}
	}
	if len(v.Problems) == 0 {
		v.Problems = []partner.FormProblem{{Message: v.Error}}
	}
	if _, ok := v.FieldErrors["associations"]; ok {
		for i, b := range v.Blocks {
			v.Blocks[i].Incomplete = (len(b.Users) == 0) != (len(b.Customers) == 0)
		}
	}
}

// accessRequestParam loads the URL's request, the partner's own: any
// other is "not found", as is an ID that is none.
func (s *Server) accessRequestParam(c echo.Context) (*tenantdesk.AccessRequest, error) {
	if err := s.requirePartnerAdmin(c); err != nil {
		return nil, err
	}
	id, ok := tenantdesk.ParseAccessRequestID(c.Param("id"))
	if !ok {
		return nil, echo.ErrNotFound
	}
	r, err := s.svc.Access.GetAccessRequest(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	if r.PartnerID != currentUser(c).AccountID {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	return r, nil
}

// accessDetailView is a request's page: what it says, and the actions its
// state allows (a pending request and a live grant may be withdrawn and
// have their expiry changed; the others are closed).
func (s *Server) accessDetailView(c echo.Context, r *tenantdesk.AccessRequest) partner.AccessDetailView {
	ctx := c.Request().Context()
	row := accessRow(ctx, r, s.now())
	open := row.State == tenantdesk.AccessPending || row.State == tenantdesk.AccessGranted
	return partner.AccessDetailView{Row: row, CanWithdraw: open, CanChangeExpiry: open,
		Expires: expiryDate(ctx, r.ExpiresAt), MinDate: s.today(ctx), Zone: zoneName(ctx),
		AnsweredAt: expiryTime(ctx, r.AnsweredAt), CreatedAt: view.FormatTime(ctx, r.CreatedAt)}
}

func expiryTime(ctx context.Context, t *time.Time) string {
	if t == nil {
		return ""
	}
	return view.FormatTime(ctx, *t)
}

func (s *Server) handleAccessRequest(c echo.Context) error {
	r, err := s.accessRequestParam(c)
	if err != nil {
		return err
	}
	v := s.accessDetailView(c, r)
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, partner.AccessDetail(v))
}

// accessConflict reports whether err says the request has moved on (it
// was answered, closed or expired in the meantime): the page then shows
// the request as it is now, with the reason.
func accessConflict(err error) bool {
	return tenantdesk.AsError(err) != nil && statusOf(tenantdesk.ErrorCode(err)) == http.StatusConflict
}

// renderAccessConflict shows the request again, as it is now, with err.
func (s *Server) renderAccessConflict(c echo.Context, id int64, err error) error {
	r, gerr := s.svc.Access.GetAccessRequest(c.Request().Context(), id)
	if gerr != nil {
		return gerr
	}
	v := s.accessDetailView(c, r)
	v.Error = errorText(c.Request().Context(), err)
	return render(c, statusOf(tenantdesk.ErrorCode(err)), partner.AccessDetail(v))
}

// handleAccessRequestExpiry sets the expiry to the end of the chosen day.
func (s *Server) handleAccessRequestExpiry(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.accessRequestParam(c)
	if err != nil {
		return err
	}
	raw := c.FormValue("expiresAt")
	var updated *tenantdesk.AccessRequest
	if at, ok := parseEndOfDay(raw, view.From(ctx).Location); !ok {
		err = errExpiryDate()
	} else {
		updated, err = s.svc.Access.SetExpiry(ctx, r.ID, at)
	}
	switch {
	case accessConflict(err):
		return s.renderAccessConflict(c, r.ID, err)
	case isUserError(err):
		v := s.accessDetailView(c, r)
		v.Expires, v.ExpiryError = raw, errorText(ctx, err)
		return render(c, statusOf(tenantdesk.ErrorCode(err)), partner.AccessDetail(v))
	case err != nil:
		return err
	}
	if err := s.flash(c, view.T(ctx, "partner.access.flash.expiry", map[string]any{"Name": updated.Name,
		"Customer": updated.AccountName, "Date": expiryText(ctx, updated.ExpiresAt)})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/partner/access-requests/"+tenantdesk.FormatAccessRequestID(r.ID))
}

// handleConfirmWithdrawAccessRequest asks before withdrawing; a request
// that can no longer be withdrawn goes back to its page.
func (s *Server) handleConfirmWithdrawAccessRequest(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.accessRequestParam(c)
	if err != nil {
		return err
	}
	v := s.accessDetailView(c, r)
	path := "/partner/access-requests/" + v.Row.ID
	if !v.CanWithdraw {
		return c.Redirect(http.StatusSeeOther, path)
	}
	people := make([]string, 0, len(r.Users))
	for _, u := range r.Users {
		people = append(people, u.DisplayName)
	}
	data := map[string]any{"Name": r.Name, "Customer": r.AccountName, "People": joinNames(people)}
	body := "partner.access.withdraw.confirm_body_pending"
	if v.Row.State == tenantdesk.AccessGranted {
		body = "partner.access.withdraw.confirm_body_granted"
	}
	return render(c, http.StatusOK, partner.AccessWithdrawConfirm(components.ConfirmProps{
		Title:       view.T(ctx, "partner.access.withdraw.confirm_title", data),
		Body:        view.T(ctx, body, data),
		Action:      path + "/withdraw",
		Submit:      view.T(ctx, "partner.access.withdraw.submit"),
		CancelURL:   path,
		CancelLabel: view.T(ctx, "partner.access.cancel"),
	}))
}

func (s *Server) handleWithdrawAccessRequest(c echo.Context) error {
	ctx := c.Request().Context()
	r, err := s.accessRequestParam(c)
	if err != nil {
		return err
	}
	_, err = s.svc.Access.Withdraw(ctx, r.ID)
	if accessConflict(err) {
		return s.renderAccessConflict(c, r.ID, err)
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "partner.access.flash.withdrawn", map[string]any{"Name": r.Name, "Customer": r.AccountName})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/partner/access-requests")
}

// zoneStates are the filters My zone offers (any state may be asked for).
var zoneStates = []tenantdesk.AccessState{tenantdesk.AccessPending, tenantdesk.AccessGranted, tenantdesk.AccessDenied, tenantdesk.AccessExpired}

// handleMyZone lists the requests naming the signed-in partner user, with
// the way into each customer whose grant is live, in the modes it allows.
func (s *Server) handleMyZone(c echo.Context) error {
	ctx := c.Request().Context()
	state := tenantdesk.AccessState(c.QueryParam("state"))
	if state != "" && !state.Valid() {
		return c.Redirect(http.StatusSeeOther, "/profile/zone")
	}
	list, err := s.svc.Access.MyZone(ctx, tenantdesk.AccessRequestFilter{State: state})
	if err != nil {
		return err
	}
	now := s.now()
	v := profile.ZoneView{Flash: s.takeFlashes(c), State: string(state)}
	for _, st := range zoneStates {
		v.Filters = append(v.Filters, string(st))
	}
	for _, r := range list {
		st := r.StateAt(now)
		live := st == tenantdesk.AccessGranted
		v.Rows = append(v.Rows, profile.ZoneRow{Req: r, State: st, Expires: expiryText(ctx, r.ExpiresAt),
			CanSupport: live && r.Allows(tenantdesk.ModeSupport), CanConfigure: live && r.Allows(tenantdesk.ModeConfigure)})
	}
	return render(c, http.StatusOK, profile.Zone(v))
}
