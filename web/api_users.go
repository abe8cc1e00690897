package web

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// API: /me and the users of a customer account (SPEC §5). Every handler
// calls the same AccountUserService as the Users tab: the rules, the
// authorization (other accounts: 404) and the audit are the service's.

// apiUser is the user object of the API.
type apiUser struct {
	ID            string   `json:"id"`
	DisplayName   string   `json:"displayName"`
	Email         string   `json:"email"`
	Roles         []string `json:"roles"`
	PrimaryTenant string   `json:"primaryTenant"`
	// IsParent marks a partner's staff member shown in a customer's list
	// through a live access grant (SPEC §1, §4): read-only, listed by
	// handleAPIListUsers only (apiParentUser).
	IsParent  bool   `json:"isParent"`
	IsOwner   bool   `json:"isOwner"`
	Status    string `json:"status"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

func toAPIUser(u *tenantdesk.User, tenantID string) apiUser {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	if tenantID == "" {
		tenantID = u.TenantID
	}
	return apiUser{ID: tenantdesk.FormatUserID(u.ID), DisplayName: u.DisplayName, Email: u.Email, Roles: roles, PrimaryTenant: tenantID,
		IsOwner: u.IsOwner, Status: u.Status, CreatedAt: apiTime(u.CreatedAt), UpdatedAt: apiTime(u.UpdatedAt)}
}

// apiAutoAssignment is one role given automatically by a change (R7).
type apiAutoAssignment struct {
	UserID      string `json:"userId"`
	DisplayName string `json:"displayName"`
	Role        string `json:"role"`
}

// apiUserChange is the answer to a create or update: the user and the
// roles the change gave other users (and the user) automatically.
type apiUserChange struct {
	apiUser
	AutoAssigned []apiAutoAssignment `json:"autoAssigned"`
}

func toAPIUserChange(ch *tenantdesk.UserChange, tenantID string) apiUserChange {
	out := apiUserChange{apiUser: toAPIUser(ch.User, tenantID), AutoAssigned: []apiAutoAssignment{}}
	for _, a := range ch.AutoAssigned {
		out.AutoAssigned = append(out.AutoAssigned, apiAutoAssignment{UserID: tenantdesk.FormatUserID(a.UserID), DisplayName: a.DisplayName, Role: a.Role})
	}
	return out
}

// apiAccountRef describes the token's account in /me.
type apiAccountRef struct {
	TenantID        string  `json:"tenantId"`
	Name            string  `json:"name"`
	Kind            string  `json:"kind"`
	Reference       string  `json:"reference"`
	PartnerTenantID *string `json:"partnerTenantId"`
}

type apiTokenRef struct {
	Name      string  `json:"name"`
	ReadOnly  bool    `json:"readOnly"`
	ExpiresAt *string `json:"expiresAt"`
}

type apiMe struct {
	User    apiUser       `json:"user"`
	Account apiAccountRef `json:"account"`
	Token   apiTokenRef   `json:"token"`
}

// handleAPIMe answers the token's user and account.
func (s *Server) handleAPIMe(c echo.Context) error {
	a := tenantdesk.ActorFrom(c.Request().Context())
	t := apiToken(c)
	acc := apiAccountRef{TenantID: a.Account.TenantID, Name: a.Account.Name, Kind: a.Account.Kind, Reference: a.Account.Reference}
	if a.Account.ParentTenantID != "" {
		p := a.Account.ParentTenantID
		acc.PartnerTenantID = &p
	}
	return apiJSON(c, http.StatusOK, apiMe{
		User:    toAPIUser(a.User, a.Account.TenantID),
		Account: acc,
		Token:   apiTokenRef{Name: t.Name, ReadOnly: t.ReadOnly, ExpiresAt: apiTimePtr(t.ExpiresAt)},
	})
}

func apiUserURL(tenantID string, userID int64) string {
	return apiPrefix + "/customers/" + tenantID + "/users/" + tenantdesk.FormatUserID(userID)
}

// handleAPIListUsers lists a customer's users: ?limit=&cursor=&q= (q
// matches the start of the name or email).
func (s *Server) handleAPIListUsers(c echo.Context) error {
	acc, err := s.apiCustomerParam(c)
	if err != nil {
		return err
	}
	p, err := apiPageParams(c)
	if err != nil {
		return err
	}
	q := c.QueryParam("q")
	if len(q) > 200 {
		return apiFieldError("q", "q must be at most 200 characters.")
	}
	page, err := s.svc.AccountUsers.ListUsers(c.Request().Context(), acc.ID, tenantdesk.UserFilter{Query: q, After: p.Cursor, Limit: p.Limit})
	if err != nil {
		return err
	}
	// The partner's staff with a live grant come first, on the first page
	// only (the service gives them there, matching q).
	items := make([]apiListedUser, 0, len(page.Parents)+len(page.Users))
	for _, p := range page.Parents {
		items = append(items, toAPIParentUser(p))
	}
	for _, u := range page.Users {
		items = append(items, apiListedUser{apiUser: toAPIUser(u, acc.TenantID)})
	}
	return apiJSON(c, http.StatusOK, apiList(items, page.NextCursor))
}

// apiListedUser is a user in a customer's list: an isParent user carries
// grantExpiresAt (JSON null when the grant has no expiry); the account's
// own users have no such field.
type apiListedUser struct {
	apiUser
	GrantExpiresAt json.RawMessage `json:"grantExpiresAt,omitempty"`
}

// toAPIParentUser is a partner staff member with a live grant as the
// customer's list shows them: their own account as primaryTenant, their
// roles as stored, never the listed account's Owner, and when the grant
// ends (the latest of their grants there).
func toAPIParentUser(p *tenantdesk.ParentUser) apiListedUser {
	u := toAPIUser(&p.User, "")
	u.IsParent, u.IsOwner = true, false
	exp := json.RawMessage("null")
	if p.GrantExpiresAt != nil {
		exp, _ = json.Marshal(apiTime(*p.GrantExpiresAt))
	}
	return apiListedUser{apiUser: u, GrantExpiresAt: exp}
}

// handleAPIGetUser answers one user.
func (s *Server) handleAPIGetUser(c echo.Context) error {
	acc, id, err := s.apiCustomerAndID(c, "userId", tenantdesk.ParseUserID)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.svc.AccountUsers.GetUser(ctx, acc.ID, id)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		// A partner staff member the list shows (isParent) reads as that
		// entry: an ID taken from the list is never "not found".
		if p, perr := s.svc.AccountUsers.GetParentUser(ctx, acc.ID, id); perr == nil {
			return apiJSON(c, http.StatusOK, toAPIParentUser(p))
		}
	}
	if err != nil {
		return err
	}
	return apiJSON(c, http.StatusOK, toAPIUser(u, acc.TenantID))
}

// parentUserReadOnly turns the "not found" of a change to a user into 403
// when the user is partner staff the account's list shows (isParent): the
// client knows that user, and the answer says why it cannot change them.
func (s *Server) parentUserReadOnly(c echo.Context, accountID, userID int64, err error) error {
	if tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		return err
	}
	if _, perr := s.svc.AccountUsers.GetParentUser(c.Request().Context(), accountID, userID); perr != nil {
		return err
	}
	return &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "api.error.parent_user_read_only",
		Message: "This user is a partner's staff member with access to this account (isParent): they are read-only here and are changed in the partner's account."}
}

// apiUserInput is the body of POST …/users: roles is optional (none: the
// user cannot sign in and gets no activation email).
type apiUserInput struct {
	DisplayName *string   `json:"displayName"`
	Email       *string   `json:"email"`
	Roles       *[]string `json:"roles"`
}

// apiUserPatchInput is the body of PATCH …/users/{userId}: roles replaces
// the whole set; addRoles and removeRoles change single roles of the set
// as stored, in the write transaction (not together with roles).
type apiUserPatchInput struct {
	DisplayName *string   `json:"displayName"`
	Email       *string   `json:"email"`
	Roles       *[]string `json:"roles"`
	AddRoles    *[]string `json:"addRoles"`
	RemoveRoles *[]string `json:"removeRoles"`
}

// handleAPICreateUser creates (invites) a user: 201 with Location; an
// existing email anywhere is 409 email_taken, with existingUserId when that
// user is in this account.
func (s *Server) handleAPICreateUser(c echo.Context) error {
	acc, err := s.apiCustomerParam(c)
	if err != nil {
		return err
	}
	var in apiUserInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if err := requireFields("displayName", in.DisplayName != nil, "email", in.Email != nil); err != nil {
		return err
	}
	var roles []string
	if in.Roles != nil {
		roles = *in.Roles
	}
	change, err := s.svc.AccountUsers.InviteUser(c.Request().Context(), acc.ID,
		tenantdesk.NewUser{DisplayName: *in.DisplayName, Email: *in.Email, Roles: roles})
	if err != nil {
		return err
	}
	return apiCreated(c, apiUserURL(acc.TenantID, change.User.ID), toAPIUserChange(change, acc.TenantID))
}

// handleAPIUpdateUser changes any of displayName, email and roles (roles
// replaces the whole set; addRoles/removeRoles change single roles).
func (s *Server) handleAPIUpdateUser(c echo.Context) error {
	acc, id, err := s.apiCustomerAndID(c, "userId", tenantdesk.ParseUserID)
	if err != nil {
		return err
	}
	var in apiUserPatchInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	change, err := s.svc.AccountUsers.UpdateUser(c.Request().Context(), acc.ID, id,
		tenantdesk.UserPatch{DisplayName: in.DisplayName, Email: in.Email, Roles: in.Roles, AddRoles: in.AddRoles, RemoveRoles: in.RemoveRoles})
	if err != nil {
		return s.parentUserReadOnly(c, acc.ID, id, err)
	}
	return apiJSON(c, http.StatusOK, toAPIUserChange(change, acc.TenantID))
}

// handleAPIDeleteUser deletes a user: 204.
func (s *Server) handleAPIDeleteUser(c echo.Context) error {
	acc, id, err := s.apiCustomerAndID(c, "userId", tenantdesk.ParseUserID)
	if err != nil {
		return err
	}
	if err := s.svc.AccountUsers.DeleteUser(c.Request().Context(), acc.ID, id); err != nil {
		return s.parentUserReadOnly(c, acc.ID, id, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// handleAPIActivationEmail queues a new activation link: 202.
func (s *Server) handleAPIActivationEmail(c echo.Context) error {
	acc, id, err := s.apiCustomerAndID(c, "userId", tenantdesk.ParseUserID)
	if err != nil {
		return err
	}
	if err := apiNoBody(c); err != nil {
		return err
	}
	if err := s.svc.AccountUsers.SendActivationEmail(c.Request().Context(), acc.ID, id); err != nil {
		return s.parentUserReadOnly(c, acc.ID, id, err)
	}
	return apiAccepted(c)
}

// handleAPIUCWelcomeEmail queues the UC welcome email: 202; 422
// uc_role_required when the user lacks customer.user.uc.
func (s *Server) handleAPIUCWelcomeEmail(c echo.Context) error {
	acc, id, err := s.apiCustomerAndID(c, "userId", tenantdesk.ParseUserID)
	if err != nil {
		return err
	}
	if err := apiNoBody(c); err != nil {
		return err
	}
	if err := s.svc.UserMail.SendUCWelcomeEmail(c.Request().Context(), acc.ID, id); err != nil {
		return s.parentUserReadOnly(c, acc.ID, id, err)
	}
	return apiAccepted(c)
}

// apiNoBody accepts an empty body or an empty JSON object for the POSTs
// that take no input; anything else names the unknown fields.
func apiNoBody(c echo.Context) error {
	b, err := readAPIBody(c)
	if err != nil {
		return err
	}
	if blankJSONBody(c, b) {
		return nil
	}
	var none struct{}
	return decodeJSON(c, &none)
}
