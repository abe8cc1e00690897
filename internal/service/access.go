package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Access is the access-request flow and impersonation (SPEC §4,
// tenantdesk.AccessRequestService): a partner.admin asks, each customer
// answers, granted staff impersonate. The state machine is the domain's
// (tenantdesk.Transition); who may see and do what is decided here, for
// pages and API alike.
type Access struct {
	d *Deps
}

var _ tenantdesk.AccessRequestService = (*Access)(nil)

// Audit actions of access requests.
const (
	AuditAccessRequest     = "access.request"
	AuditAccessGrant       = "access.grant"
	AuditAccessDeny        = "access.deny"
	AuditAccessRevoke      = "access.revoke"
	AuditAccessWithdraw    = "access.withdraw"
	AuditAccessExpiry      = "access.expiry_change"
	AuditImpersonation     = "access.impersonation_start"
	AuditImpersonationEnd  = "access.impersonation_end"
	auditTargetAccessReqst = "access_request"
)

// DefaultGrantDays is the expiry the grant form offers.
const DefaultGrantDays = 30

// partnerAdmin returns the actor when they are a partner.admin working in
// their own partner account (not impersonating); EFORBIDDEN otherwise.
func partnerAdmin(ctx context.Context) (*tenantdesk.Actor, error) {
	a := tenantdesk.ActorFrom(ctx)
	switch {
	case a == nil:
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	case a.Impersonating():
		return nil, errImpersonating()
	case !tenantdesk.IsPartnerStaff(a) || !a.User.HasRole(tenantdesk.RolePartnerAdmin):
		return nil, errForbidden()
	}
	return a, nil
}

// partnerStaff returns the actor when they are partner staff (partner.admin
// or partner.user), not impersonating.
func partnerStaff(ctx context.Context) (*tenantdesk.Actor, error) {
	a := tenantdesk.ActorFrom(ctx)
	switch {
	case a == nil:
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	case a.Impersonating():
		return nil, errImpersonating()
	case !tenantdesk.IsPartnerStaff(a):
		return nil, errForbidden()
	}
	return a, nil
}

// refuseNonStaff answers someone who is not partner staff asking to enter
// accountID: 403 for their own account (a forbidden action there), 404 for
// any other, as for an account that does not exist (R9). Answering 403 for
// every existing account would tell a customer's user which tenant IDs
// exist.
func refuseNonStaff(a *tenantdesk.Actor, accountID int64) error {
	if a != nil && a.User != nil && a.User.AccountID == accountID {
		return errForbidden()
	}
	return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
}

func errForbidden() error {
	return &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message", Message: "You do not have permission to do this."}
}

func errImpersonating() error {
	return &tenantdesk.Error{Code: tenantdesk.EImpersonating, Key: "access.error.impersonating",
		Message: "You are impersonating a customer: end the impersonation first."}
}

// side is where the actor stands towards r: its partner's admin, its
// customer's responder, a named staff member (sees it, acts on nothing
// but impersonation), or 0: r is not theirs to see.
func side(a *tenantdesk.Actor, r *tenantdesk.AccessRequest) (s tenantdesk.AccessSide, named bool) {
	if a == nil || a.User == nil || a.Impersonating() {
		return 0, false
	}
	switch {
	case a.User.AccountID == r.PartnerID && a.User.HasRole(tenantdesk.RolePartnerAdmin):
		return tenantdesk.SidePartner, r.Names(a.User.ID)
	case a.User.AccountID == r.PartnerID && r.Names(a.User.ID):
		return 0, true
	case a.User.AccountID == r.AccountID && tenantdesk.CanRespond(a, &tenantdesk.Account{ID: r.AccountID, Kind: tenantdesk.AccountCustomer}):
		return tenantdesk.SideCustomer, false
	}
	return 0, false
}

// CreateAccessRequests saves one request per customer named. See tenantdesk.AccessRequestService.
func (s *Access) CreateAccessRequests(ctx context.Context, in tenantdesk.NewAccessRequest) ([]*tenantdesk.AccessRequest, error) {
	a, err := partnerAdmin(ctx)
	if err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	in.Message = normalizeMessage(in.Message)
	var fields []tenantdesk.FieldError
	nameBad := false
	if fe := tenantdesk.ValidateRequestName(in.Name); fe != nil {
		fields, nameBad = append(fields, *fe), true
	}
	if fe := tenantdesk.ValidateRequestMessage("message", in.Message); fe != nil {
		fields = append(fields, *fe)
	}
	if len(in.Modes) == 0 {
		in.Modes = tenantdesk.AccessModes
	}
	var users, accounts []int64 // in the order first named
	for _, as := range in.Associations {
		if len(as.UserIDs) == 0 || len(as.AccountIDs) == 0 {
			fields = append(fields, tenantdesk.FieldError{Field: "associations", Key: "access.error.association_incomplete",
				Message: "Each association needs at least one person and one customer."})
			break
		}
		for _, u := range as.UserIDs {
			if !slices.Contains(users, u) {
				users = append(users, u)
			}
		}
		for _, c := range as.AccountIDs {
			if !slices.Contains(accounts, c) {
				accounts = append(accounts, c)
			}
		}
	}
	if len(in.Associations) == 0 {
		fields = append(fields, tenantdesk.FieldError{Field: "associations", Key: "access.error.associations_required",
			Message: "Link at least one person to at least one customer."})
	}
	now := s.d.now()
	in.ExpiresAt = expirySecond(in.ExpiresAt)
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		fields = append(fields, errExpiryPast())
	}
	if len(fields) > 0 {
		code := tenantdesk.EINVALID
		if nameBad {
			code = tenantdesk.ERequestNameInvalid
		}
		return nil, &tenantdesk.Error{Code: code, Message: fields[0].Message, Key: fields[0].Key, Args: fields[0].Args, Fields: fields}
	}
	var out []*tenantdesk.AccessRequest
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		partner := a.Account
		staff := map[int64]*tenantdesk.User{}
		for _, id := range users {
			u, err := tx.FindAccountUser(ctx, partner.ID, id)
			if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
				return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
			} else if err != nil {
				return err
			}
			if u.Status == tenantdesk.UserDisabled || !(u.HasRole(tenantdesk.RolePartnerAdmin) || u.HasRole(tenantdesk.RolePartnerUser)) {
				return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "access.error.not_staff", Args: map[string]any{"Name": u.DisplayName},
					Message: u.DisplayName + " cannot work in Partnerdesk (disabled, or without partner.user or partner.admin).",
					Fields: []tenantdesk.FieldError{{Field: "associations", Key: "access.error.not_staff", Args: map[string]any{"Name": u.DisplayName},
						Message: u.DisplayName + " cannot work in Partnerdesk (disabled, or without partner.user or partner.admin)."}}}
			}
			staff[id] = u
		}
		customers := map[int64]*tenantdesk.Account{}
		for _, id := range accounts {
			c, err := tx.FindAccountByID(ctx, id)
			if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND || (err == nil && (c.Kind != tenantdesk.AccountCustomer || c.ParentID != partner.ID)) {
				return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
			} else if err != nil {
				return err
			}
			customers[id] = c
		}
		for _, cid := range accounts {
			r := &tenantdesk.AccessRequest{PartnerID: partner.ID, PartnerName: partner.Name,
				AccountID: cid, AccountTenantID: customers[cid].TenantID, AccountName: customers[cid].Name,
				Name: in.Name, Message: in.Message, Modes: in.Modes, State: tenantdesk.AccessPending, ExpiresAt: in.ExpiresAt,
				RequestedByID: a.User.ID, RequestedByName: a.User.DisplayName}
			for _, as := range in.Associations {
				if !slices.Contains(as.AccountIDs, cid) {
					continue
				}
				for _, uid := range as.UserIDs {
					if !r.Names(uid) {
						u := staff[uid]
						r.Users = append(r.Users, tenantdesk.AccessRequestUser{UserID: u.ID, DisplayName: u.DisplayName, Email: u.Email})
					}
				}
			}
			slices.SortFunc(r.Users, func(x, y tenantdesk.AccessRequestUser) int { return strings.Compare(x.DisplayName, y.DisplayName) })
			out = append(out, r)
		}
		if err := tx.InsertAccessRequests(ctx, out); err != nil {
			return err
		}
		for _, r := range out {
			if err := s.d.auditAccess(ctx, tx, r, AuditAccessRequest, nil, requestAudit(r)); err != nil {
				return err
			}
			if err := s.d.mailResponders(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// expirySecond is an expiry as stored: UTC, to the second.
func expirySecond(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

// normalizeMessage trims a message and turns the CRLF line ends of a
// browser's textarea into LF.
func normalizeMessage(m string) string {
	return strings.TrimSpace(strings.ReplaceAll(m, "\r\n", "\n"))
}

func errExpiryPast() tenantdesk.FieldError {
	return tenantdesk.FieldError{Field: "expiresAt", Key: "access.error.expiry_past", Message: "Choose an expiry in the future."}
}

// requestAudit is how a request appears in an audit entry.
func requestAudit(r *tenantdesk.AccessRequest) map[string]any {
	names := make([]string, 0, len(r.Users))
	for _, u := range r.Users {
		names = append(names, u.DisplayName)
	}
	m := map[string]any{"partner": r.PartnerName, "customer": r.AccountName, "users": names, "modes": r.Modes, "state": r.State}
	if r.Message != "" {
		m["message"] = r.Message
	}
	if r.ExpiresAt != nil {
		m["expiresAt"] = r.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return m
}

// auditAccess writes an event of request r in both accounts' logs (SPEC
// §4), with the actor's account named when it is not the log's own.
func (d *Deps) auditAccess(ctx context.Context, tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, action string, before, after map[string]any) error {
	a := tenantdesk.ActorFrom(ctx)
	e := tenantdesk.AuditEntry{Action: action, TargetType: auditTargetAccessReqst,
		TargetID: tenantdesk.FormatAccessRequestID(r.ID), TargetName: r.Name}
	if before != nil {
		e.Before = auditJSON(before)
	}
	if after != nil {
		e.After = auditJSON(after)
	}
	cust, part := e, e
	cust.AccountID, part.AccountID = r.AccountID, r.PartnerID
	part.OnAccountName = r.AccountName
	if a != nil && a.User != nil {
		switch a.User.AccountID {
		case r.PartnerID:
			cust.ActorAccountName = r.PartnerName
		case r.AccountID:
			part.ActorAccountName = r.AccountName
		}
	}
	if err := writeAudit(ctx, tx, &cust); err != nil {
		return err
	}
	return writeAudit(ctx, tx, &part)
}

// mailResponders tells the customer's responders about a new request.
func (d *Deps) mailResponders(ctx context.Context, tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest) error {
	us, err := tx.UsersWithAnyRole(ctx, r.AccountID, []string{tenantdesk.RoleUserAdmin, tenantdesk.RoleAccessRespond})
	if err != nil {
		return err
	}
	for _, u := range us {
		if !(u.IsOwner || u.HasRole(tenantdesk.RoleAccessRespond) || (u.HasRole(tenantdesk.RoleUserAdmin) && u.HasRole(tenantdesk.RoleCustomerUser))) {
			continue
		}
		if err := d.queueMail(ctx, tx, u, "", tenantdesk.MailAccessRequested, accessMailData(d, r, "/account/access-requests")); err != nil {
			return err
		}
	}
	return nil
}

// mailPartnerSide tells the partner user who asked and the staff named
// about an answer (or an approaching expiry).
func (d *Deps) mailPartnerSide(ctx context.Context, tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, kind string) error {
	ids := []int64{}
	if r.RequestedByID != 0 {
		ids = append(ids, r.RequestedByID)
	}
	for _, u := range r.Users {
		if !slices.Contains(ids, u.UserID) {
			ids = append(ids, u.UserID)
		}
	}
	data := accessMailData(d, r, "/profile/zone")
	data.Message = r.AnswerMessage
	for _, id := range ids {
		u, err := tx.FindAccountUser(ctx, r.PartnerID, id)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			continue // deleted since
		} else if err != nil {
			return err
		}
		if u.Status == tenantdesk.UserDisabled {
			continue
		}
		if err := d.queueMail(ctx, tx, u, "", kind, data); err != nil {
			return err
		}
	}
	return nil
}

func accessMailData(d *Deps, r *tenantdesk.AccessRequest, path string) tenantdesk.MailData {
	m := tenantdesk.MailData{Link: d.url(path), Partner: r.PartnerName, Account: r.AccountName, Request: r.Name,
		Modes: r.Modes, Message: r.Message}
	if r.ExpiresAt != nil {
		m.Until = *r.ExpiresAt
	}
	return m
}

// limit is a list filter's limit, 1–200 (0: 200).
func limit(f tenantdesk.AccessRequestFilter) int {
	if f.Limit <= 0 || f.Limit > 200 {
		return 200
	}
	return f.Limit
}

// list reads requests as q selects and keeps those in f.State at now.
func (s *Access) list(ctx context.Context, q tenantdesk.AccessRequestQuery, f tenantdesk.AccessRequestFilter) ([]*tenantdesk.AccessRequest, error) {
	if f.State != "" && !f.State.Valid() {
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "access.error.state", Message: "Unknown state.",
			Fields: []tenantdesk.FieldError{{Field: "state", Key: "access.error.state", Message: "Unknown state."}}}
	}
	q.State, q.Limit = f.State, limit(f)
	if f.State == tenantdesk.AccessExpired || f.State == tenantdesk.AccessGranted {
		// Granted rows are live or expired: read them all, keep the asked.
		q.State, q.Limit = tenantdesk.AccessGranted, 10000
	}
	rs, err := s.d.Store.AccessRequests(ctx, q)
	if err != nil || f.State == "" {
		return rs, err
	}
	now := s.d.now()
	out := rs[:0]
	for _, r := range rs {
		if r.StateAt(now) == f.State && len(out) < limit(f) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Outgoing lists the partner's requests. See tenantdesk.AccessRequestService.
func (s *Access) Outgoing(ctx context.Context, f tenantdesk.AccessRequestFilter) ([]*tenantdesk.AccessRequest, error) {
	a, err := partnerAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, tenantdesk.AccessRequestQuery{PartnerID: a.Account.ID}, f)
}

// Incoming lists a customer's requests. See tenantdesk.AccessRequestService.
func (s *Access) Incoming(ctx context.Context, accountID int64, f tenantdesk.AccessRequestFilter) ([]*tenantdesk.AccessRequest, error) {
	acc, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessMember)
	if err != nil {
		return nil, err
	}
	if a := tenantdesk.ActorFrom(ctx); !a.Operator && !tenantdesk.CanRespond(a, acc) {
		return nil, errForbidden()
	}
	return s.list(ctx, tenantdesk.AccessRequestQuery{AccountID: acc.ID}, f)
}

// MyZone lists the requests naming the actor. See tenantdesk.AccessRequestService.
func (s *Access) MyZone(ctx context.Context, f tenantdesk.AccessRequestFilter) ([]*tenantdesk.AccessRequest, error) {
	a, err := partnerStaff(ctx)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, tenantdesk.AccessRequestQuery{UserID: a.User.ID}, f)
}

// GetAccessRequest returns one request the actor may see. See tenantdesk.AccessRequestService.
func (s *Access) GetAccessRequest(ctx context.Context, id int64) (*tenantdesk.AccessRequest, error) {
	r, err := s.d.Store.FindAccessRequest(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	a := tenantdesk.ActorFrom(ctx)
	if a == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	if sd, named := side(a, r); sd == 0 && !named && !a.Operator {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	return r, nil
}

// change runs one action of the state machine on request id in one
// transaction: it reads the request, checks the actor's side (ENOTFOUND
// when the request is not theirs to see, EFORBIDDEN when they see it but
// the action is the other side's), applies apply and audits.
func (s *Access) change(ctx context.Context, id int64, act tenantdesk.AccessAction,
	apply func(tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, sd tenantdesk.AccessSide) (audit string, before, after map[string]any, err error),
) (*tenantdesk.AccessRequest, error) {
	var out *tenantdesk.AccessRequest
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		a := tenantdesk.ActorFrom(ctx)
		if a == nil {
			return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
		}
		if a.Impersonating() {
			return errImpersonating()
		}
		r, err := tx.FindAccessRequest(ctx, id)
		if err != nil {
			return notFound(err)
		}
		sd, named := side(a, r)
		if sd == 0 {
			if named {
				return errForbidden()
			}
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
		}
		next, err := tenantdesk.Transition(r.StateAt(tx.Now()), act, sd)
		if err != nil {
			return err
		}
		r.State = next
		action, before, after, err := apply(tx, r, sd)
		if err != nil {
			return err
		}
		if err := tx.UpdateAccessRequest(ctx, r); err != nil {
			return err
		}
		if err := s.d.auditAccess(ctx, tx, r, action, before, after); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

// answer validates an answer's message.
func answerMessage(m string) (string, error) {
	m = normalizeMessage(m)
	if fe := tenantdesk.ValidateRequestMessage("message", m); fe != nil {
		return "", &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fe.Message, Key: fe.Key, Args: fe.Args, Fields: []tenantdesk.FieldError{*fe}}
	}
	return m, nil
}

// Grant lets the request's staff in. See tenantdesk.AccessRequestService.
func (s *Access) Grant(ctx context.Context, id int64, ans tenantdesk.AccessAnswer) (*tenantdesk.AccessRequest, error) {
	msg, err := answerMessage(ans.Message)
	if err != nil {
		return nil, err
	}
	ans.ExpiresAt = expirySecond(ans.ExpiresAt)
	return s.change(ctx, id, tenantdesk.ActGrant, func(tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, _ tenantdesk.AccessSide) (string, map[string]any, map[string]any, error) {
		if ans.ExpiresAt != nil && !ans.ExpiresAt.After(tx.Now()) {
			fe := errExpiryPast()
			return "", nil, nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fe.Message, Key: fe.Key, Fields: []tenantdesk.FieldError{fe}}
		}
		s.answer(ctx, tx, r, msg)
		r.ExpiresAt = ans.ExpiresAt
		if err := tx.MarkFirstGrant(ctx, r.AccountID); err != nil {
			return "", nil, nil, err
		}
		if err := s.d.mailPartnerSide(ctx, tx, r, tenantdesk.MailAccessGranted); err != nil {
			return "", nil, nil, err
		}
		return AuditAccessGrant, map[string]any{"state": tenantdesk.AccessPending}, answerAudit(r), nil
	})
}

// answer records who answered r, when, and their message.
func (s *Access) answer(ctx context.Context, tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, msg string) {
	now := tx.Now()
	r.AnswerMessage, r.AnsweredAt = msg, &now
	if a := tenantdesk.ActorFrom(ctx); a != nil && a.User != nil {
		r.AnsweredByName = a.User.DisplayName
	}
}

func answerAudit(r *tenantdesk.AccessRequest) map[string]any {
	m := map[string]any{"state": r.State}
	if r.AnswerMessage != "" {
		m["message"] = r.AnswerMessage
	}
	if r.ExpiresAt != nil {
		m["expiresAt"] = r.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return m
}

// Deny refuses a pending request. See tenantdesk.AccessRequestService.
func (s *Access) Deny(ctx context.Context, id int64, message string) (*tenantdesk.AccessRequest, error) {
	msg, err := answerMessage(message)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, id, tenantdesk.ActDeny, func(tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, _ tenantdesk.AccessSide) (string, map[string]any, map[string]any, error) {
		s.answer(ctx, tx, r, msg)
		r.ExpiresAt = nil
		if err := s.d.mailPartnerSide(ctx, tx, r, tenantdesk.MailAccessDenied); err != nil {
			return "", nil, nil, err
		}
		return AuditAccessDeny, map[string]any{"state": tenantdesk.AccessPending}, answerAudit(r), nil
	})
}

// Revoke ends a live grant. See tenantdesk.AccessRequestService.
func (s *Access) Revoke(ctx context.Context, id int64, message string) (*tenantdesk.AccessRequest, error) {
	msg, err := answerMessage(message)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, id, tenantdesk.ActRevoke, func(tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, _ tenantdesk.AccessSide) (string, map[string]any, map[string]any, error) {
		s.answer(ctx, tx, r, msg)
		if err := s.d.mailPartnerSide(ctx, tx, r, tenantdesk.MailAccessRevoked); err != nil {
			return "", nil, nil, err
		}
		return AuditAccessRevoke, map[string]any{"state": tenantdesk.AccessGranted}, answerAudit(r), nil
	})
}

// Withdraw takes a request back. See tenantdesk.AccessRequestService.
func (s *Access) Withdraw(ctx context.Context, id int64) (*tenantdesk.AccessRequest, error) {
	var was tenantdesk.AccessState
	return s.change(ctx, id, tenantdesk.ActWithdraw, func(tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, _ tenantdesk.AccessSide) (string, map[string]any, map[string]any, error) {
		was = tenantdesk.AccessPending
		if r.AnsweredAt != nil {
			was = tenantdesk.AccessGranted
		}
		return AuditAccessWithdraw, map[string]any{"state": was}, map[string]any{"state": r.State}, nil
	})
}

// SetExpiry adds, changes or (the customer only) removes a grant's expiry.
// The partner may only bring an expiry the customer chose forward, never
// push it later: only the customer lets anyone in for longer. See
// tenantdesk.AccessRequestService.
func (s *Access) SetExpiry(ctx context.Context, id int64, expiresAt *time.Time) (*tenantdesk.AccessRequest, error) {
	expiresAt = expirySecond(expiresAt)
	return s.change(ctx, id, tenantdesk.ActSetExpiry, func(tx tenantdesk.StoreTx, r *tenantdesk.AccessRequest, sd tenantdesk.AccessSide) (string, map[string]any, map[string]any, error) {
		invalid := func(fe tenantdesk.FieldError) (string, map[string]any, map[string]any, error) {
			return "", nil, nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fe.Message, Key: fe.Key, Fields: []tenantdesk.FieldError{fe}}
		}
		switch {
		case expiresAt == nil && sd == tenantdesk.SidePartner:
			return invalid(tenantdesk.FieldError{Field: "expiresAt", Key: "access.error.expiry_required", Message: "Choose an expiry date."})
		case expiresAt != nil && !expiresAt.After(tx.Now()):
			return invalid(errExpiryPast())
		case sd == tenantdesk.SidePartner && r.State == tenantdesk.AccessGranted && r.ExpiresAt != nil && expiresAt.After(*r.ExpiresAt):
			return invalid(tenantdesk.FieldError{Field: "expiresAt", Key: "access.error.expiry_later",
				Message: "You can bring the expiry forward, not later: only the customer can extend access."})
		}
		before := map[string]any{"expiresAt": nil}
		if r.ExpiresAt != nil {
			before["expiresAt"] = r.ExpiresAt.UTC().Format(time.RFC3339)
		}
		r.ExpiresAt, r.RemindedAt = expiresAt, nil
		after := map[string]any{"expiresAt": nil}
		if expiresAt != nil {
			after["expiresAt"] = expiresAt.UTC().Format(time.RFC3339)
		}
		return AuditAccessExpiry, before, after, nil
	})
}

// grantFor finds the live grant naming the actor at accountID that allows
// mode (the one lasting longest), or reports that legacy access lets them
// in; an error says why neither does.
func (s *Access) grantFor(ctx context.Context, r tenantdesk.AccessReads, a *tenantdesk.Actor, acc *tenantdesk.Account, mode tenantdesk.AccessMode) (*tenantdesk.Impersonation, error) {
	if acc.Kind != tenantdesk.AccountCustomer || acc.ParentID != a.User.AccountID {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	imp := &tenantdesk.Impersonation{Mode: mode, Account: acc, PartnerName: a.Account.Name}
	grants, err := r.LiveGrants(ctx, a.User.ID, acc.ID, s.d.now())
	if err != nil {
		return nil, err
	}
	var best *tenantdesk.Grant
	for i, g := range grants {
		if !slices.Contains(g.Modes, mode) {
			continue
		}
		if best == nil || (best.ExpiresAt != nil && (g.ExpiresAt == nil || g.ExpiresAt.After(*best.ExpiresAt))) {
			best = &grants[i]
		}
	}
	switch {
	case best != nil:
		imp.RequestID, imp.ExpiresAt = best.RequestID, best.ExpiresAt
		return imp, nil
	case acc.LegacyPartnerAccess() && a.User.HasRole(tenantdesk.RolePartnerAdmin):
		return imp, nil // legacy impersonation: RequestID 0
	case len(grants) > 0:
		return nil, &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "access.error.mode_not_granted",
			Args: map[string]any{"Account": acc.Name}, Message: acc.Name + " has not granted you this mode."}
	}
	return nil, &tenantdesk.Error{Code: tenantdesk.EGrantExpired, Key: "access.error.no_grant", Args: map[string]any{"Account": acc.Name},
		Message: "You have no live grant to " + acc.Name + ": it expired, was revoked, or was never granted. A new request is needed."}
}

// StartImpersonation begins work inside a customer. See tenantdesk.AccessRequestService.
func (s *Access) StartImpersonation(ctx context.Context, accountID int64, mode tenantdesk.AccessMode) (*tenantdesk.Impersonation, error) {
	a, err := partnerStaff(ctx)
	if tenantdesk.ErrorCode(err) == tenantdesk.EFORBIDDEN {
		return nil, refuseNonStaff(tenantdesk.ActorFrom(ctx), accountID)
	} else if err != nil {
		return nil, err
	}
	if !mode.Valid() {
		return nil, tenantdesk.Errorf(tenantdesk.EINVALID, "Unknown mode.")
	}
	var imp *tenantdesk.Impersonation
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := tx.FindAccountByID(ctx, accountID)
		if err != nil {
			return notFound(err)
		}
		if imp, err = s.grantFor(ctx, tx, a, acc, mode); err != nil {
			return err
		}
		return s.d.auditImpersonation(ctx, tx, a, imp, AuditImpersonation, nil)
	})
	return imp, err
}

// auditImpersonation writes the start or end of an impersonation in both logs.
func (d *Deps) auditImpersonation(ctx context.Context, tx tenantdesk.StoreTx, a *tenantdesk.Actor, imp *tenantdesk.Impersonation, action string, after map[string]any) error {
	if after == nil {
		after = map[string]any{}
	}
	after["mode"] = imp.Mode
	if imp.RequestID != 0 {
		after["request"] = tenantdesk.FormatAccessRequestID(imp.RequestID)
	} else {
		after["legacy"] = true
	}
	if imp.ExpiresAt != nil {
		after["expiresAt"] = imp.ExpiresAt.UTC().Format(time.RFC3339)
	}
	e := tenantdesk.AuditEntry{Action: action, TargetType: "account", TargetID: imp.Account.TenantID, TargetName: imp.Account.Name,
		ActorUserID: a.User.ID, ActorName: a.User.DisplayName, ImpersonationMode: string(imp.Mode), After: auditJSON(after)}
	cust, part := e, e
	cust.AccountID, cust.ActorAccountName = imp.Account.ID, imp.PartnerName
	part.AccountID, part.OnAccountName = a.User.AccountID, imp.Account.Name
	if err := writeAudit(ctx, tx, &cust); err != nil {
		return err
	}
	return writeAudit(ctx, tx, &part)
}

// ResolveImpersonation re-checks an impersonation. See tenantdesk.AccessRequestService.
func (s *Access) ResolveImpersonation(ctx context.Context, accountID int64, mode tenantdesk.AccessMode) (*tenantdesk.Impersonation, error) {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil || a.User == nil || a.Account == nil {
		return nil, errForbidden()
	}
	if !tenantdesk.IsPartnerStaff(&tenantdesk.Actor{User: a.User, Account: a.Account}) {
		return nil, refuseNonStaff(a, accountID)
	}
	acc, err := s.d.Store.FindAccountByID(ctx, accountID)
	if err != nil {
		return nil, notFound(err)
	}
	return s.grantFor(ctx, s.d.Store, a, acc, mode)
}

// EndImpersonation audits the end of an impersonation. See tenantdesk.AccessRequestService.
func (s *Access) EndImpersonation(ctx context.Context, imp *tenantdesk.Impersonation, reason string) error {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil || a.User == nil || imp == nil || imp.Account == nil {
		return nil
	}
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return s.d.auditImpersonation(ctx, tx, a, imp, AuditImpersonationEnd, map[string]any{"reason": reason})
	})
}

// LiveGrants returns the actor's live grants. See tenantdesk.AccessRequestService.
func (s *Access) LiveGrants(ctx context.Context) ([]tenantdesk.Grant, error) {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil || a.User == nil || a.Account == nil || !a.Account.IsPartner() {
		return nil, nil
	}
	return s.d.Store.LiveGrants(ctx, a.User.ID, 0, s.d.now())
}

// StaffChoices lists the partner users a request may name. See tenantdesk.AccessRequestService.
func (s *Access) StaffChoices(ctx context.Context) ([]*tenantdesk.User, error) {
	a, err := partnerAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return s.d.Store.UsersWithAnyRole(ctx, a.Account.ID, []string{tenantdesk.RolePartnerAdmin, tenantdesk.RolePartnerUser})
}

// RemindExpiring emails, once per grant, the staff and the requester of
// every grant expiring within tenantdesk.AccessReminderLead. The janitor
// calls it; it returns how many grants it reminded about.
func (s *Access) RemindExpiring(ctx context.Context) (int, error) {
	n := 0
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		now := tx.Now()
		due, err := tx.DueExpiryReminders(ctx, now, now.Add(tenantdesk.AccessReminderLead))
		if err != nil {
			return err
		}
		for _, r := range due {
			if err := s.d.mailPartnerSide(ctx, tx, r, tenantdesk.MailAccessExpiring); err != nil {
				return err
			}
			r.RemindedAt = &now
			if err := tx.UpdateAccessRequest(ctx, r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
