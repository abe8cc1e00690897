package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// The Users tab of About account: the signed-in user's own account. The
// service authorizes every call (R9); handlers parse, call, render.

func currentAccount(c echo.Context) *tenantdesk.Account {
	a, _ := c.Get(ctxAccount).(*tenantdesk.Account)
	return a
}

func currentUser(c echo.Context) *tenantdesk.User {
	u, _ := c.Get(ctxUser).(*tenantdesk.User)
	return u
}

// handleUsers lists the account's users: a full page, or only the results
// for an htmx search or page change. ?status= keeps one status (the home
// dashboard's figures link here); an unknown status lists everyone.
func (s *Server) handleUsers(c echo.Context) error {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	q := strings.TrimSpace(c.QueryParam("q"))
	after := c.QueryParam("after")
	status := c.QueryParam("status")
	if !slices.Contains(tenantdesk.UserStatuses, status) {
		status = ""
	}
	page, err := s.svc.AccountUsers.ListUsers(ctx, acc.ID, tenantdesk.UserFilter{Query: q, After: after, Brief: true, Status: status})
	if tenantdesk.ErrorCode(err) == tenantdesk.EINVALID && after != "" {
		// A stale or edited page link: start again from the first page.
		return c.Redirect(http.StatusSeeOther, usersURL(q, status, ""))
	} else if err != nil {
		return err
	}
	v := account.UsersView{Account: acc, Access: accountAccess(ctx, acc), Query: q, Status: status, Users: make([]account.UserRow, 0, len(page.Users))}
	for _, st := range tenantdesk.UserStatuses {
		v.Statuses = append(v.Statuses, account.UserStatusOption{Value: st, Label: view.T(ctx, "users.status."+st)})
	}
	for _, p := range page.Parents {
		v.Parents = append(v.Parents, account.ParentRow{User: p, Partner: acc.ParentName})
	}
	badges := roleBadgeMemo{ctx: ctx, byRoles: map[string]account.RoleBadges{}}
	for _, u := range page.Users {
		v.Users = append(v.Users, account.NewUserRow(u, badges.of(u.Roles)))
	}
	if page.NextCursor != "" {
		v.NextURL = usersURL(q, status, page.NextCursor)
	}
	if after != "" {
		v.FirstURL = usersURL(q, status, "")
	}
	if isHTMX(c) {
		// The search form pushes its URL: make it the list's own, without
		// the empty filters the form sends (status= for "all statuses").
		if canonical := usersURL(q, status, after); c.QueryParams().Has("status") && c.Request().URL.RequestURI() != canonical {
			c.Response().Header().Set("HX-Push-Url", canonical)
		}
		return render(c, http.StatusOK, account.UsersResults(v))
	}
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, account.Users(v))
}

func usersURL(q, status, after string) string {
	vals := url.Values{}
	if q != "" {
		vals.Set("q", q)
	}
	if status != "" {
		vals.Set("status", status)
	}
	if after != "" {
		vals.Set("after", after)
	}
	if len(vals) == 0 {
		return "/account/users"
	}
	return "/account/users?" + vals.Encode()
}

// roleNames translates role keys in catalogue order.
func roleNames(ctx context.Context, keys []string) []string {
	held := map[string]bool{}
	for _, k := range keys {
		held[k] = true
	}
	var out []string
	for _, r := range tenantdesk.Catalogue {
		if held[r.Key] {
			out = append(out, view.T(ctx, "role."+r.Key+".name"))
		}
	}
	return out
}

// roleGroups builds the role editor for an account kind, with checked roles.
func roleGroups(ctx context.Context, acc *tenantdesk.Account, checked []string, owner *tenantdesk.User) []account.RoleGroup {
	held := map[string]bool{}
	for _, k := range checked {
		held[k] = true
	}
	var groups []account.RoleGroup
	index := map[string]int{}
	for _, r := range tenantdesk.Catalogue {
		if r.Partner != acc.IsPartner() || (!acc.IsPartner() && acc.Settings.Excludes(r.Key) && !held[r.Key]) {
			continue // the other essential-user variant's role is offered only to let it go
		}
		i, ok := index[r.Group]
		if !ok {
			i = len(groups)
			index[r.Group] = i
			groups = append(groups, account.RoleGroup{Key: r.Group, Title: view.T(ctx, "role.group."+r.Group), Exclusive: r.Group == tenantdesk.GroupSupervisor})
		}
		var pre []string
		for _, p := range acc.Settings.Prerequisites(r.Key) {
			pre = append(pre, view.T(ctx, "role."+p+".name"))
		}
		groups[i].Roles = append(groups[i].Roles, account.RoleOption{
			Key: r.Key, Name: view.T(ctx, "role."+r.Key+".name"), Description: view.T(ctx, "role."+r.Key+".description"),
			Requires: joinNames(pre), Licensed: r.Licensed, Checked: held[r.Key],
			Locked: owner != nil && owner.IsOwner && owner.HasRole(r.Key) && (r.Group == tenantdesk.GroupPermission || r.Group == tenantdesk.GroupPartner),
		})
	}
	return groups
}

// formRoles reads the checked roles of the role editor; the empty value
// is "None" of the supervisor radio group.
func formRoles(c echo.Context) []string {
	params, _ := c.FormParams()
	var roles []string
	for _, r := range params["roles"] {
		if r != "" {
			roles = append(roles, r)
		}
	}
	return tenantdesk.SortedRoles(roles)
}

func (s *Server) handleNewUser(c echo.Context) error {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, tenantdesk.AccessUserAdmin); err != nil {
		return err
	}
	defaults := []string{tenantdesk.RoleCustomerUser}
	if acc.IsPartner() {
		defaults = []string{tenantdesk.RolePartnerUser}
	}
	return render(c, http.StatusOK, account.UserForm(account.UserFormView{Account: acc, Access: accountAccess(ctx, acc), Groups: roleGroups(ctx, acc, defaults, nil)}))
}

func (s *Server) handleCreateUser(c echo.Context) error {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	in := tenantdesk.NewUser{DisplayName: c.FormValue("displayName"), Email: c.FormValue("email"), Roles: formRoles(c)}
	change, err := s.svc.AccountUsers.InviteUser(ctx, acc.ID, in)
	if isUserError(err) {
		v := account.UserFormView{Account: acc, Access: accountAccess(ctx, acc), DisplayName: in.DisplayName, Email: in.Email,
			Groups: roleGroups(ctx, acc, in.Roles, nil)}
		withUserFormErrors(ctx, &v, err)
		return render(c, http.StatusOK, account.UserForm(v))
	} else if err != nil {
		return err
	}
	key := "users.flash.invited"
	if !change.User.CanSignIn() {
		key = "users.flash.invited_no_email"
	}
	if err := s.flash(c, view.T(ctx, key, map[string]any{"Name": change.User.DisplayName})); err != nil {
		return err
	}
	if err := s.flashAutoAssigned(c, change); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/users")
}

// userFormFields are the fields of the user form, by the domain's field
// names: each is the id of its control (the role editor's fieldset for
// "roles"), which the error summary links to.
var userFormFields = map[string]bool{"displayName": true, "email": true, "roles": true}

// withUserFormErrors puts every problem of err on the user form: the
// summary above it (one entry per problem, linked to its field), each
// field's own message, and the rule's message when it is about no field.
func withUserFormErrors(ctx context.Context, v *account.UserFormView, err error) {
	v.Error, v.FieldErrors = errorText(ctx, err), fieldErrors(ctx, err)
	v.ErrorLead = v.Error
	for _, p := range fieldProblems(ctx, err) {
		fp := account.FormProblem{Message: p.Message}
		if userFormFields[p.Field] {
			fp.Href = "#" + p.Field
		}
		v.Problems = append(v.Problems, fp)
		if p.Field == "roles" {
			v.RoleErrors = append(v.RoleErrors, p.Message)
		}
		if p.Message == v.ErrorLead {
			v.ErrorLead = ""
		}
	}
}

func (s *Server) flashAutoAssigned(c echo.Context, change *tenantdesk.UserChange) error {
	if len(change.AutoAssigned) == 0 {
		return nil
	}
	var names []string
	for _, a := range change.AutoAssigned {
		names = append(names, a.DisplayName)
	}
	return s.flash(c, view.T(c.Request().Context(), "users.flash.auto_assigned", map[string]any{"Names": joinNames(names)}))
}

// userParam loads the user named in the URL from the current account.
func (s *Server) userParam(c echo.Context) (*tenantdesk.User, error) {
	id, ok := tenantdesk.ParseUserID(c.Param("id"))
	if !ok {
		return nil, echo.ErrNotFound
	}
	return s.svc.AccountUsers.GetUser(c.Request().Context(), currentAccount(c).ID, id)
}

// userActionsParam loads the user named in the URL from the current
// account with what the rules say about disabling and deleting them now.
func (s *Server) userActionsParam(c echo.Context) (*tenantdesk.UserActions, error) {
	id, ok := tenantdesk.ParseUserID(c.Param("id"))
	if !ok {
		return nil, echo.ErrNotFound
	}
	return s.svc.AccountUsers.GetUserActions(c.Request().Context(), currentAccount(c).ID, id)
}

// refusalNote is why the rules refuse an action on u now: one sentence
// for the Owner (R5) and for the last user admin (R3), whichever action
// it is, else the rule's own message.
func refusalNote(ctx context.Context, u *tenantdesk.User, err error) string {
	data := map[string]any{"Name": u.DisplayName}
	switch tenantdesk.ErrorCode(err) {
	case tenantdesk.EOwnerImmutable:
		return view.T(ctx, "users.actions.owner_note", data)
	case tenantdesk.ELastUserAdmin:
		return view.T(ctx, "users.actions.last_admin_note", data)
	}
	return errorText(ctx, err)
}

// withActions offers on the user's page the status actions the rules
// allow now and says why the others are not offered.
func withActions(ctx context.Context, v account.UserFormView, a *tenantdesk.UserActions) account.UserFormView {
	v.CanDisable, v.CanDelete = a.Disable == nil, a.Delete == nil
	v.CanSignOut = a.SignOut == nil && a.User.Status == tenantdesk.UserActive
	var notes []string
	for _, err := range []error{a.Disable, a.Delete} {
		if err == nil {
			continue
		}
		if n := refusalNote(ctx, a.User, err); !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	if a.SignOut != nil && a.User.Status == tenantdesk.UserActive {
		notes = append(notes, errorText(ctx, a.SignOut))
	}
	v.ActionsNote = strings.Join(notes, " ")
	return v
}

func (s *Server) editForm(c echo.Context, u *tenantdesk.User, errMsg string) account.UserFormView {
	ctx := c.Request().Context()
	acc := currentAccount(c)
	v := account.UserFormView{Account: acc, Access: accountAccess(ctx, acc), User: u, DisplayName: u.DisplayName, Email: u.Email,
		Groups: roleGroups(ctx, acc, u.Roles, u), Error: errMsg, ErrorLead: errMsg}
	if !tenantdesk.AdminMayChangeEmail(u) {
		v.EmailLocked = true
		switch {
		case currentUser(c) != nil && currentUser(c).ID == u.ID:
			v.EmailLockedHint = view.T(ctx, "users.field.email_locked_self")
		case u.IsOwner:
			v.EmailLockedHint = view.T(ctx, "users.field.email_locked_owner")
		default:
			v.EmailLockedHint = view.T(ctx, "users.field.email_locked_active", map[string]any{"Name": u.DisplayName})
		}
	}
	return v
}

func (s *Server) handleEditUser(c echo.Context) error {
	a, err := s.userActionsParam(c)
	if err != nil {
		return err
	}
	v := withActions(c.Request().Context(), s.editForm(c, a.User, ""), a)
	v.Flash = s.takeFlashes(c)
	return render(c, http.StatusOK, account.UserForm(v))
}

func (s *Server) handleUpdateUser(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.userActionsParam(c)
	if err != nil {
		return err
	}
	u := a.User
	name, email, roles := c.FormValue("displayName"), c.FormValue("email"), formRoles(c)
	change, err := s.svc.AccountUsers.UpdateUser(ctx, u.AccountID, u.ID, tenantdesk.UserPatch{DisplayName: &name, Email: &email, Roles: &roles})
	if isUserError(err) {
		v := withActions(ctx, s.editForm(c, u, ""), a)
		v.DisplayName, v.Email = name, email
		withUserFormErrors(ctx, &v, err)
		v.Groups = roleGroups(ctx, currentAccount(c), roles, u)
		return render(c, http.StatusOK, account.UserForm(v))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, "users.flash.updated", map[string]any{"Name": change.User.DisplayName})); err != nil {
		return err
	}
	if err := s.flashAutoAssigned(c, change); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/users/"+tenantdesk.FormatUserID(u.ID))
}

// handleConfirm shows the confirmation page of a destructive action, or,
// when the rules refuse it now, why it cannot be done.
func (s *Server) handleConfirm(action string) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		a, err := s.userActionsParam(c)
		if err != nil {
			return err
		}
		u := a.User
		data := map[string]any{"Name": u.DisplayName, "Email": u.Email}
		acc := currentAccount(c)
		v := account.ConfirmView{Account: acc, Access: accountAccess(ctx, acc), User: u,
			Title:  view.T(ctx, "users.confirm."+action+".title", data),
			Body:   view.T(ctx, "users.confirm."+action+".body", data),
			Submit: view.T(ctx, "users.confirm."+action+".submit"),
			Action: "/account/users/" + tenantdesk.FormatUserID(u.ID) + "/" + action}
		refused := a.Delete
		switch action {
		case "disable":
			refused = a.Disable
		case "signout":
			refused = a.SignOut
		}
		if refused != nil {
			v.Title = view.T(ctx, "users.confirm."+action+".refused_title", data)
			v.Refused = refusalNote(ctx, u, refused)
			if action == "signout" {
				v.Refused = errorText(ctx, refused)
			}
		}
		return render(c, http.StatusOK, account.Confirm(v))
	}
}

// userAction runs a status action and returns to the user's page (or the
// list after a delete); a broken rule is explained on the user's page.
func (s *Server) userAction(c echo.Context, do func(ctx context.Context, u *tenantdesk.User) (flashKey string, err error)) error {
	ctx := c.Request().Context()
	a, err := s.userActionsParam(c)
	if err != nil {
		return err
	}
	u := a.User
	key, err := do(ctx, u)
	if isUserError(err) {
		return render(c, http.StatusOK, account.UserForm(withActions(ctx, s.editForm(c, u, errorText(ctx, err)), a)))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.T(ctx, key, map[string]any{"Name": u.DisplayName, "Email": u.Email})); err != nil {
		return err
	}
	if key == "users.flash.deleted" {
		return redirectAfterPost(c, "/account/users")
	}
	return redirectAfterPost(c, "/account/users/"+tenantdesk.FormatUserID(u.ID))
}

func (s *Server) handleDisableUser(c echo.Context) error {
	return s.userAction(c, func(ctx context.Context, u *tenantdesk.User) (string, error) {
		_, err := s.svc.AccountUsers.SetUserDisabled(ctx, u.AccountID, u.ID, true)
		return "users.flash.disabled", err
	})
}

func (s *Server) handleEnableUser(c echo.Context) error {
	return s.userAction(c, func(ctx context.Context, u *tenantdesk.User) (string, error) {
		_, err := s.svc.AccountUsers.SetUserDisabled(ctx, u.AccountID, u.ID, false)
		return "users.flash.enabled", err
	})
}

// handleEndUserSessions signs the user out everywhere (the confirmation
// page, handleConfirm("signout"), comes first) and says how many sessions
// ended; the user stays enabled. The service authorizes and refuses the
// Owner and oneself; the refusal is explained on the user's page.
func (s *Server) handleEndUserSessions(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.userActionsParam(c)
	if err != nil {
		return err
	}
	u := a.User
	n, err := s.svc.AccountUsers.EndUserSessions(ctx, u.AccountID, u.ID)
	if isUserError(err) {
		return render(c, http.StatusOK, account.UserForm(withActions(ctx, s.editForm(c, u, errorText(ctx, err)), a)))
	} else if err != nil {
		return err
	}
	if err := s.flash(c, view.N(ctx, "users.flash.sessions_ended", n, map[string]any{"Name": u.DisplayName})); err != nil {
		return err
	}
	return redirectAfterPost(c, "/account/users/"+tenantdesk.FormatUserID(u.ID))
}

func (s *Server) handleDeleteUser(c echo.Context) error {
	return s.userAction(c, func(ctx context.Context, u *tenantdesk.User) (string, error) {
		return "users.flash.deleted", s.svc.AccountUsers.DeleteUser(ctx, u.AccountID, u.ID)
	})
}

func (s *Server) handleResendActivation(c echo.Context) error {
	return s.userAction(c, func(ctx context.Context, u *tenantdesk.User) (string, error) {
		return "users.flash.activation_sent", s.svc.AccountUsers.SendActivationEmail(ctx, u.AccountID, u.ID)
	})
}

// handleRoleEditorRow shows the role editor in place of a user's row (an
// htmx request); a plain request goes to the user's page, which has the
// same editor.
func (s *Server) handleRoleEditorRow(c echo.Context) error {
	u, err := s.userParam(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/account/users/"+tenantdesk.FormatUserID(u.ID))
	}
	return render(c, http.StatusOK, account.RoleEditorRow(s.editForm(c, u, "")))
}

// handleUserRow renders one user's row (Cancel in the role editor).
func (s *Server) handleUserRow(c echo.Context) error {
	u, err := s.userParam(c)
	if err != nil {
		return err
	}
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/account/users")
	}
	return render(c, http.StatusOK, account.UserRowView(userRow(c.Request().Context(), u)))
}

func userRow(ctx context.Context, u *tenantdesk.User) account.UserRow {
	return account.NewUserRow(u, account.NewRoleBadges(roleNames(ctx, u.Roles)))
}

// roleBadgeMemo translates each distinct set of roles of a page once: most
// users of an account share a few sets.
type roleBadgeMemo struct {
	ctx     context.Context
	byRoles map[string]account.RoleBadges
}

func (m roleBadgeMemo) of(roles []string) account.RoleBadges {
	var buf [512]byte
	key := buf[:0]
	for _, r := range roles {
		key = append(append(key, r...), ',')
	}
	if b, ok := m.byRoles[string(key)]; ok { // no allocation for the lookup
		return b
	}
	b := account.NewRoleBadges(roleNames(m.ctx, roles))
	m.byRoles[string(key)] = b
	return b
}

// handleSaveRoles saves the roles from the in-place editor: the updated row
// on success with the confirmation for the page's live region (other rows
// changed by automatic roles are refreshed by a reload; the flashes confirm
// the save and say who got what), the editor with the broken rule otherwise.
func (s *Server) handleSaveRoles(c echo.Context) error {
	ctx := c.Request().Context()
	u, err := s.userParam(c)
	if err != nil {
		return err
	}
	roles := formRoles(c)
	change, err := s.svc.AccountUsers.UpdateUser(ctx, u.AccountID, u.ID, tenantdesk.UserPatch{Roles: &roles})
	if isUserError(err) {
		v := s.editForm(c, u, "")
		withUserFormErrors(ctx, &v, err)
		v.Groups = roleGroups(ctx, currentAccount(c), roles, u)
		return render(c, http.StatusOK, account.RoleEditorRow(v))
	} else if err != nil {
		return err
	}
	if len(change.AutoAssigned) > 0 {
		// Other rows changed too: reload the list so every row is true.
		if err := s.flash(c, view.T(ctx, "users.flash.updated", map[string]any{"Name": change.User.DisplayName})); err != nil {
			return err
		}
		if err := s.flashAutoAssigned(c, change); err != nil {
			return err
		}
		return redirectAfterPost(c, "/account/users")
	}
	if !isHTMX(c) {
		if err := s.flash(c, view.T(ctx, "users.flash.updated", map[string]any{"Name": change.User.DisplayName})); err != nil {
			return err
		}
		return redirectAfterPost(c, "/account/users")
	}
	msg := view.T(ctx, "users.flash.updated", map[string]any{"Name": change.User.DisplayName})
	return render(c, http.StatusOK, account.SavedUserRow(userRow(ctx, change.User), msg))
}
