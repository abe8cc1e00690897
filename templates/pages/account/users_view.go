package account

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// UsersView is the Users tab: one page of users and the search.
type UsersView struct {
	Account *tenantdesk.Account
	Access
	Query string
	// Status is the status filter ("": every status); Statuses are its
	// choices, translated.
	Status   string
	Statuses []UserStatusOption
	// Parents are the partner staff with a live grant to the account
	// (isParent, SPEC §1), first page only: listed first, read-only.
	Parents  []ParentRow
	Users    []UserRow
	NextURL  string // "" on the last page
	FirstURL string // "" on the first page
	Flash    []string
}

// UserStatusOption is one choice of the Users tab's status filter.
type UserStatusOption struct {
	Value, Label string
}

// userStatusOptions are the status filter's choices: every status, then
// each one, the current one selected.
func userStatusOptions(ctx context.Context, v UsersView) []components.Option {
	opts := []components.Option{{Value: "", Label: view.T(ctx, "users.filter.all"), Selected: v.Status == ""}}
	for _, o := range v.Statuses {
		opts = append(opts, components.Option{Value: o.Value, Label: o.Label, Selected: v.Status == o.Value})
	}
	return opts
}

// UserRow is one user in the list.
type UserRow struct {
	User *tenantdesk.User
	// URL is the user's page and RolesURL the in-place role editor,
	// formatted once for the row.
	URL, RolesURL string
	// Roles are the badges of the user's roles, translated; rows with the
	// same roles share them.
	Roles RoleBadges
}

// ParentRow is a partner staff member with a live grant, in the list:
// read-only, marked with their partner and when their access ends.
type ParentRow struct {
	User *tenantdesk.ParentUser
	// Partner names the partner they work for.
	Partner string
}

// NewUserRow returns the row of u with the badges of u's roles.
func NewUserRow(u *tenantdesk.User, roles RoleBadges) UserRow {
	url := userURL(u)
	return UserRow{User: u, URL: url, RolesURL: url + "/roles", Roles: roles}
}

// RoleBadges are the badges of one set of roles: up to maxRoleBadges role
// names, then a "+N more" disclosure that shows the other names in place
// (a <details>: it opens with a tap, a click, Enter or Space, without
// JavaScript, and screen readers announce it as a button that expands).
type RoleBadges struct {
	Shown []string
	More  int      // roles not shown
	Rest  []string // their names, in order
}

// maxRoleBadges limits the role badges of a row.
const maxRoleBadges = 4

// NewRoleBadges returns the badges of the translated role names, in order.
func NewRoleBadges(names []string) RoleBadges {
	if len(names) <= maxRoleBadges {
		return RoleBadges{Shown: names}
	}
	return RoleBadges{Shown: names[:maxRoleBadges], More: len(names) - maxRoleBadges, Rest: names[maxRoleBadges:]}
}

// UserFormView is the invite form (User nil) and the edit form.
type UserFormView struct {
	Account *tenantdesk.Account
	Access
	User        *tenantdesk.User // nil when inviting
	DisplayName string
	Email       string
	// EmailLocked: the rules do not let this actor change the email (R11);
	// the field is read-only and EmailLockedHint says why and who can.
	EmailLocked     bool
	EmailLockedHint string
	Groups          []RoleGroup
	// Error is the translated rule or validation message; FieldErrors by
	// field name (the first of each field).
	Error       string
	FieldErrors map[string]string
	// Problems lists every problem of a failed save for the summary above
	// the form, each linking to its field; ErrorLead is the message shown
	// above that list when no entry of it says the same (a broken
	// account-wide rule has no field). RoleErrors are the role editor's
	// own messages.
	Problems   []FormProblem
	ErrorLead  string
	RoleErrors []string
	Flash      []string
	// CanDisable and CanDelete: the status actions the rules allow now
	// (R3, R5); an action they refuse is not offered, and ActionsNote
	// says why.
	CanDisable, CanDelete bool
	// CanSignOut: "Sign out everywhere" is offered (an active user the
	// actor may sign out: not the Owner, not themselves).
	CanSignOut  bool
	ActionsNote string
}

// FormProblem is one entry of a form's error summary.
type FormProblem = components.Problem

// RoleGroup is one group of the catalogue in the role editor.
type RoleGroup struct {
	Key   string
	Title string
	Roles []RoleOption
	// Exclusive: at most one role of the group (the supervisor levels,
	// R2), chosen with radio buttons that start with "None".
	Exclusive bool
}

// RoleOption is one role checkbox.
type RoleOption struct {
	Key         string
	Name        string
	Description string
	Requires    string // translated names of the prerequisites, "" when none
	Licensed    bool
	Checked     bool
	// Locked: the Owner's permission roles cannot be removed (R5).
	Locked bool
}

// ConfirmView asks before a destructive action on a user.
type ConfirmView struct {
	Account *tenantdesk.Account
	Access
	User   *tenantdesk.User
	Title  string
	Body   string
	Action string // form action URL
	Submit string
	// Refused, when set, is why the rules refuse the action now: the page
	// says so instead of asking (Title then says what cannot be done).
	Refused string
}

func (f UserFormView) fieldError(name string) string { return f.FieldErrors[name] }

func statusBadge(status string) string {
	switch status {
	case tenantdesk.UserActive:
		return "badge badge-green"
	case tenantdesk.UserDisabled:
		return "badge badge-red"
	}
	return "badge badge-yellow"
}

func userURL(u *tenantdesk.User) string { return "/account/users/" + userID(u.ID) }

// userID and deviceID are the public IDs (SPEC §1) that pages, URLs and
// form values carry; the integer keys stay inside the database.
func userID(id int64) string { return tenantdesk.FormatUserID(id) }

func deviceID(id int64) string { return tenantdesk.FormatDeviceID(id) }

func formTitle(ctx context.Context, v UserFormView) string {
	if v.User == nil {
		return view.T(ctx, "users.new.title")
	}
	return v.User.DisplayName
}

func formAction(v UserFormView) string {
	if v.User == nil {
		return "/account/users"
	}
	return userURL(v.User)
}

// emailField is the user form's email field: read-only with the reason
// as its hint when the rules keep this actor from changing it (R11).
func (f UserFormView) emailField(label, hint string) components.FieldProps {
	p := components.FieldProps{ID: "email", Type: "email", Label: label, Value: f.Email, Required: true,
		MaxLength: 200, Autocomplete: "off", Hint: hint, Error: f.fieldError("email")}
	if f.EmailLocked {
		p.Readonly, p.Hint, p.HintTestID = true, f.EmailLockedHint, "email-locked"
	}
	return p
}

// roleOptions are the checkboxes of a group of roles, with ids idPrefix +
// key; inline labels them for the role editor row, else for the user form.
// The Owner's locked roles are shown disabled and posted anyway. An
// exclusive group's options are radio buttons led by "None", which posts
// an empty role (formRoles drops it).
func roleOptions(g RoleGroup, idPrefix string, inline bool) []components.CheckboxOption {
	roles := g.Roles
	out := make([]components.CheckboxOption, 0, len(roles)+1)
	if g.Exclusive {
		none := components.CheckboxOption{ID: idPrefix + g.Key + "-none", Value: "", Checked: true, Label: noneRoleLabel(inline)}
		for _, r := range roles {
			if r.Checked {
				none.Checked = false
			}
		}
		out = append(out, none)
	}
	for _, r := range roles {
		o := components.CheckboxOption{ID: idPrefix + r.Key, Value: r.Key, Checked: r.Checked, Disabled: r.Locked, Keep: true}
		if inline {
			o.Title, o.Label = r.Description, inlineRoleLabel(r)
		} else {
			o.Label = roleLabel(r)
		}
		out = append(out, o)
	}
	return out
}

// rolesDescribedBy names the role editor's hint and, after a failed save,
// its messages.
func rolesDescribedBy(v UserFormView) string {
	if len(v.RoleErrors) > 0 {
		return "roles-hint roles-error"
	}
	return "roles-hint"
}

// partnerStaffLabel is the badge of a partner staff row: "Partner staff ·
// <partner>".
func partnerStaffLabel(ctx context.Context, p ParentRow) string {
	if p.Partner == "" {
		return view.T(ctx, "access_customer.users.partner_staff_plain")
	}
	return view.T(ctx, "access_customer.users.partner_staff", map[string]any{"Partner": p.Partner})
}
