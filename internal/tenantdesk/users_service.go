package tenantdesk

import "context"

// UserFilter selects a page of an account's users, ordered by display name.
type UserFilter struct {
	// Query matches any part of the display name or of the email,
	// case-insensitively in every script (one or two characters: the start
	// of either); "" lists everyone.
	Query string
	// After is the cursor of the previous page (UserPage.NextCursor); "" for the first page.
	After string
	// Limit is the page size, 1–200; 0 means 50.
	Limit int
	// Brief reads only what a list of users shows: ID, display name, email,
	// status, owner flag and roles; the other fields stay zero. The Users
	// tab lists this way: half the columns is a third less time per page.
	Brief bool
	// Status keeps only users with this status (UserInvited, UserActive or
	// UserDisabled); "" keeps every status. Partner staff with a live
	// grant (Parents) are listed only without it.
	Status string
}

// UserStatuses are the statuses a user list can be filtered by, in the
// order they are offered.
var UserStatuses = []string{UserInvited, UserActive, UserDisabled}

// Page sizes of user lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// UserPage is one page of users. NextCursor is "" on the last page.
type UserPage struct {
	Users      []*User
	NextCursor string
	// Parents are the partner staff with a live grant to the account
	// (isParent, SPEC §1), read-only, on the first page only, matching
	// the filter's query.
	Parents []*ParentUser
}

// NewUser is what is needed to create (invite) a user.
type NewUser struct {
	DisplayName string
	Email       string
	Roles       []string
}

// UserPatch changes some of a user's fields; nil fields stay as they are.
// Roles replaces the whole set; AddRoles and RemoveRoles instead add and
// take away single roles of the set as stored when the change is written
// (PatchRoles), and cannot be combined with Roles.
type UserPatch struct {
	DisplayName *string
	Email       *string
	Roles       *[]string
	AddRoles    *[]string
	RemoveRoles *[]string
}

// UserChange is the result of a create or update: the user as stored and
// the other users the change touched through automatic roles (R7).
type UserChange struct {
	User *User
	// AutoAssigned lists users who received a role automatically in the
	// same transaction, e.g. the real-time add-on when the account's first
	// supervisorl3+ appears. The changed user may be among them.
	AutoAssigned []AutoAssignment
}

// AutoAssignment is one role given automatically to one user.
type AutoAssignment struct {
	UserID      int64
	DisplayName string
	Role        string
}

// UserActions is a user of an account with what the rules (CheckUserChange)
// say about the status actions on them now, so that a page offers only
// what would succeed and says why the rest is not offered.
type UserActions struct {
	User *User
	// Disable and Delete are nil when the rules allow the action now, else
	// the *Error of the rule it would break (EOwnerImmutable for the Owner,
	// ELastUserAdmin for the account's last user admin). Disable is nil
	// for a user who is disabled already.
	Disable, Delete error
	// SignOut is nil when the actor may sign the user out everywhere
	// (EndUserSessions), else why not: EOwnerImmutable for the Owner,
	// EINVALID for the actor themselves.
	SignOut error
}

// LicenceCount is how many users of an account hold one licensed role.
type LicenceCount struct {
	Role  string
	Users int
}

// AccountUserService manages the users of an account. Every method checks
// that the actor in ctx may do it (R9): the Owner and user admins of the
// account, and the partner.admin of the account's partner. Objects of an
// account the actor may not see are ENOTFOUND; forbidden actions on the
// actor's own account are EFORBIDDEN. Every change runs the rule checks
// (CheckUserChange) and is audited in the same transaction (R10).
type AccountUserService interface {
	// ListUsers returns a page of the account's users.
	ListUsers(ctx context.Context, accountID int64, f UserFilter) (*UserPage, error)
	// GetUser returns one user of the account; ENOTFOUND if not in it.
	GetUser(ctx context.Context, accountID, userID int64) (*User, error)
	// GetParentUser returns a partner staff member the account's user list
	// shows (isParent: a live grant to this customer, a partner role), to
	// whoever may read that list; ENOTFOUND for anyone else.
	GetParentUser(ctx context.Context, accountID, userID int64) (*ParentUser, error)
	// GetUserActions returns one user of the account with the rule, if
	// any, that keeps disabling or deleting them from succeeding now;
	// ENOTFOUND if not in it.
	GetUserActions(ctx context.Context, accountID, userID int64) (*UserActions, error)
	// InviteUser creates a user: status invited, and an activation email
	// queued when they may sign in. Returns EINVALID, EEmailTaken or a rule code.
	InviteUser(ctx context.Context, accountID int64, in NewUser) (*UserChange, error)
	// UpdateUser changes name, email or roles. Returns EINVALID, EEmailTaken or a rule code.
	UpdateUser(ctx context.Context, accountID, userID int64, p UserPatch) (*UserChange, error)
	// SetUserDisabled disables or enables a user; disabling ends their
	// sessions. Returns EOwnerImmutable or ELastUserAdmin when it would break a rule.
	SetUserDisabled(ctx context.Context, accountID, userID int64, disabled bool) (*User, error)
	// DeleteUser deletes a user. Returns EOwnerImmutable or ELastUserAdmin.
	DeleteUser(ctx context.Context, accountID, userID int64) error
	// SendActivationEmail queues a new single-use activation link for an
	// invited user (earlier links stop working). Returns EINVALID when the
	// user is already active.
	SendActivationEmail(ctx context.Context, accountID, userID int64) error
	// EndUserSessions signs a user out everywhere: every session of theirs
	// ends, the user stays as they are (enabled). Audited; returns how many
	// sessions ended. Who may: as for changing the user (their account's
	// user admins); EOwnerImmutable for the Owner, EINVALID for oneself.
	EndUserSessions(ctx context.Context, accountID, userID int64) (int, error)
	// CountLicences returns, for every licensed role, how many enabled users hold it.
	CountLicences(ctx context.Context, accountID int64) ([]LicenceCount, error)
}
