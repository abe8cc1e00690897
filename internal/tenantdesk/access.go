package tenantdesk

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Access requests and impersonation (SPEC §4, seed 002). A partner.admin
// asks for access to customers: one request per customer, each naming the
// partner staff who would get in and the modes they may use. The customer
// grants (optionally until a date) or denies; granted staff then work
// inside the customer's Multidesk ("impersonation") with the roles of one
// mode. From a customer's first grant on, its partner's standing legacy
// access (partner.admin as user admin, for onboarding) ends for good.

// AccessMode is what an impersonating partner user may do in a customer.
type AccessMode string

// The two modes of seed 002.
const (
	// ModeSupport: the users area, with user.admin and customer.user.
	ModeSupport AccessMode = "support"
	// ModeConfigure: account settings, devices and billables, with
	// customer.settings, customer.device.admin and customer.billables.admin.
	ModeConfigure AccessMode = "configure"
)

// AccessModes are the modes in the order pages list them.
var AccessModes = []AccessMode{ModeSupport, ModeConfigure}

// Valid reports whether m is a known mode.
func (m AccessMode) Valid() bool { return m == ModeSupport || m == ModeConfigure }

// Roles are the roles an impersonating user acts with in mode m: never
// more, and never the Owner's.
func (m AccessMode) Roles() []string {
	switch m {
	case ModeSupport:
		return []string{RoleUserAdmin, RoleCustomerUser}
	case ModeConfigure:
		return []string{RoleSettings, RoleDeviceAdmin, RoleBillablesAdmin}
	}
	return nil
}

// ParseAccessModes reads a set of mode names; ok is false for an unknown
// one. The result is in AccessModes order without duplicates.
func ParseAccessModes(names []string) (modes []AccessMode, ok bool) {
	for _, n := range names {
		m := AccessMode(strings.TrimSpace(n))
		if !m.Valid() {
			return nil, false
		}
		if !slices.Contains(modes, m) {
			modes = append(modes, m)
		}
	}
	slices.SortFunc(modes, func(a, b AccessMode) int { return slices.Index(AccessModes, a) - slices.Index(AccessModes, b) })
	return modes, true
}

// AccessState is where a per-customer access request stands.
type AccessState string

// The states of an access request. Expired is never stored: a granted
// request whose expiry has passed is expired (AccessRequest.StateAt).
const (
	AccessPending   AccessState = "pending"
	AccessGranted   AccessState = "granted"
	AccessDenied    AccessState = "denied"
	AccessExpired   AccessState = "expired"
	AccessRevoked   AccessState = "revoked"
	AccessWithdrawn AccessState = "withdrawn"
)

// AccessStates are the states in the order filters list them.
var AccessStates = []AccessState{AccessPending, AccessGranted, AccessDenied, AccessExpired, AccessRevoked, AccessWithdrawn}

// Valid reports whether s is a known state.
func (s AccessState) Valid() bool { return slices.Contains(AccessStates, s) }

// AccessAction is a change to an access request.
type AccessAction string

// The actions of the state machine.
const (
	ActGrant     AccessAction = "grant"
	ActDeny      AccessAction = "deny"
	ActRevoke    AccessAction = "revoke"
	ActWithdraw  AccessAction = "withdraw"
	ActSetExpiry AccessAction = "set_expiry"
)

// AccessSide is who takes an action: the partner that asked or the
// customer that answers.
type AccessSide int

// The two sides of a request.
const (
	SidePartner AccessSide = iota + 1
	SideCustomer
)

// Error codes of access requests.
const (
	// ERequestNameInvalid: the name is empty, too long, or has a character
	// other than letters, digits, "_" and "-" (400).
	ERequestNameInvalid = "request_name_invalid"
	// ERequestNotPending: grant or deny on a request already answered (409).
	ERequestNotPending = "request_not_pending"
	// EGrantExpired: a change to a grant whose expiry has passed; a new
	// request is needed (409).
	EGrantExpired = "grant_expired"
	// ERequestClosed: a change to a request that was denied, revoked or
	// withdrawn (409).
	ERequestClosed = "request_closed"
	// ERequestNotGranted: revoking a request that was never granted (409).
	ERequestNotGranted = "request_not_granted"
	// EAccessRequestRequired: partner staff without a live grant at a
	// customer that has granted access to named staff only (403).
	EAccessRequestRequired = "access_request_required"
	// EImpersonating: something an impersonating user may not do there
	// (make API tokens, start another impersonation, work in Partnerdesk) (403).
	EImpersonating = "impersonating"
)

// Transition is the state machine of an access request: the state after
// side takes act on a request that is in state from now (expiry already
// applied, see StateAt). Grant and deny answer a pending request (the
// customer); revoke ends a live grant (the customer); withdraw takes back a
// pending request or a live grant (the partner); an expiry may be set on a
// pending request by the partner and on a live grant by either side.
// Errors: EFORBIDDEN when the side may not take act at all,
// ERequestNotPending, ERequestNotGranted, EGrantExpired, ERequestClosed.
func Transition(from AccessState, act AccessAction, side AccessSide) (AccessState, error) {
	mine := map[AccessAction]AccessSide{ActGrant: SideCustomer, ActDeny: SideCustomer, ActRevoke: SideCustomer, ActWithdraw: SidePartner}
	if s, ok := mine[act]; ok && s != side {
		return from, forbidden()
	}
	if act != ActGrant && act != ActDeny && act != ActRevoke && act != ActWithdraw && act != ActSetExpiry {
		return from, forbidden()
	}
	switch from {
	case AccessPending:
		switch act {
		case ActGrant:
			return AccessGranted, nil
		case ActDeny:
			return AccessDenied, nil
		case ActWithdraw:
			return AccessWithdrawn, nil
		case ActRevoke:
			return from, accessError(ERequestNotGranted, "access.error.not_granted", "This request was never granted: deny it instead.")
		case ActSetExpiry:
			if side == SideCustomer {
				return from, accessError(ERequestNotGranted, "access.error.expiry_not_granted", "Set the expiry when you grant the request.")
			}
			return AccessPending, nil
		}
	case AccessGranted:
		switch act {
		case ActRevoke:
			return AccessRevoked, nil
		case ActWithdraw:
			return AccessWithdrawn, nil
		case ActSetExpiry:
			return AccessGranted, nil
		}
		return from, accessError(ERequestNotPending, "access.error.not_pending", "This request has already been answered.")
	case AccessExpired:
		if act == ActGrant || act == ActDeny {
			return from, accessError(ERequestNotPending, "access.error.not_pending", "This request has already been answered.")
		}
		return from, accessError(EGrantExpired, "access.error.grant_expired", "This grant has expired; a new request is needed.")
	case AccessDenied, AccessRevoked, AccessWithdrawn:
		if act == ActGrant || act == ActDeny {
			return from, accessError(ERequestNotPending, "access.error.not_pending", "This request has already been answered.")
		}
		return from, accessError(ERequestClosed, "access.error.closed", "This request is closed; a new request is needed.")
	}
	return from, forbidden()
}

func forbidden() *Error {
	return &Error{Code: EFORBIDDEN, Key: "error.403.message", Message: "You do not have permission to do this."}
}

func accessError(code, key, msg string) *Error { return &Error{Code: code, Key: key, Message: msg} }

// AccessRequestUser is a partner user named in a request.
type AccessRequestUser struct {
	UserID      int64
	DisplayName string
	Email       string
}

// AccessRequest is the request one customer receives (the partner's
// request as saved, split per customer: SPEC §4).
type AccessRequest struct {
	ID int64
	// BatchID groups the per-customer requests saved together.
	BatchID int64
	// PartnerID and PartnerName: the partner that asks.
	PartnerID   int64
	PartnerName string
	// AccountID, AccountTenantID, AccountName: the customer asked.
	AccountID       int64
	AccountTenantID string
	AccountName     string

	Name    string
	Message string
	Modes   []AccessMode
	Users   []AccessRequestUser
	// State as stored: pending, granted, denied, revoked or withdrawn.
	State AccessState
	// ExpiresAt is when a grant ends (nil: until revoked).
	ExpiresAt *time.Time

	RequestedByID   int64
	RequestedByName string
	// The customer's answer.
	AnswerMessage  string
	AnsweredByName string
	AnsweredAt     *time.Time
	// RemindedAt is when the seven-day expiry reminder went out.
	RemindedAt *time.Time

	CreatedAt time.Time
	UpdatedAt time.Time
}

// StateAt is the request's state at now: a grant whose expiry has passed is
// expired.
func (r *AccessRequest) StateAt(now time.Time) AccessState {
	if r.State == AccessGranted && r.ExpiresAt != nil && !now.Before(*r.ExpiresAt) {
		return AccessExpired
	}
	return r.State
}

// LiveAt reports whether the request is a grant that lets its users in at now.
func (r *AccessRequest) LiveAt(now time.Time) bool { return r.StateAt(now) == AccessGranted }

// Names reports whether userID is one of the request's users.
func (r *AccessRequest) Names(userID int64) bool {
	return slices.ContainsFunc(r.Users, func(u AccessRequestUser) bool { return u.UserID == userID })
}

// Allows reports whether the request lets its users in with mode m.
func (r *AccessRequest) Allows(m AccessMode) bool { return slices.Contains(r.Modes, m) }

// Request names: letters, digits, "_" and "-" (seed 002: no spaces or
// special characters), at most MaxRequestNameLen characters.
const MaxRequestNameLen = 64

// MaxRequestMessageLen caps request and answer messages.
const MaxRequestMessageLen = 1000

var requestNameRE = regexp.MustCompile(`^[\p{L}\p{N}_-]+$`)

// ValidateRequestName checks a request name.
func ValidateRequestName(name string) *FieldError {
	switch {
	case name == "":
		return &FieldError{Field: "name", Key: "access.error.name_required", Message: "Give the request a name."}
	case utf8.RuneCountInString(name) > MaxRequestNameLen:
		return &FieldError{Field: "name", Key: "access.error.name_long", Message: "The name is too long (at most 64 characters).",
			Args: map[string]any{"Max": MaxRequestNameLen}}
	case !requestNameRE.MatchString(name):
		return &FieldError{Field: "name", Key: "access.error.name_chars",
			Message: "Use letters, digits, “_” and “-” only: no spaces or other characters."}
	}
	return nil
}

// ValidateRequestMessage checks a request's or an answer's message.
func ValidateRequestMessage(field, msg string) *FieldError {
	if utf8.RuneCountInString(msg) > MaxRequestMessageLen {
		return &FieldError{Field: field, Key: "access.error.message_long", Message: "The message is too long (at most 1000 characters).",
			Args: map[string]any{"Max": MaxRequestMessageLen}}
	}
	if hasControl(msg, true) || strings.ContainsFunc(msg, bidiControl) {
		return &FieldError{Field: field, Key: "access.error.message_chars", Message: "The message contains characters that cannot be shown."}
	}
	return nil
}

// AccessAssociation links partner users to customers in a new request.
type AccessAssociation struct {
	UserIDs    []int64
	AccountIDs []int64
}

// NewAccessRequest is what a partner.admin saves.
type NewAccessRequest struct {
	Name    string
	Message string
	// Modes the staff may use; empty means both.
	Modes        []AccessMode
	Associations []AccessAssociation
	// ExpiresAt, optional: the expiry the partner proposes.
	ExpiresAt *time.Time
}

// AccessAnswer is a customer's grant or denial.
type AccessAnswer struct {
	Message string
	// ExpiresAt (grant only): when access ends; nil: until revoked.
	ExpiresAt *time.Time
}

// AccessRequestFilter selects requests for a list.
type AccessRequestFilter struct {
	// State keeps only requests in this state at now ("": all).
	State AccessState
	// Limit caps the list (0: 200).
	Limit int
}

// Impersonation is a partner user working inside a customer account
// through a granted request, in one mode (bound to the web session).
type Impersonation struct {
	RequestID   int64
	Mode        AccessMode
	Account     *Account // the customer
	PartnerName string
	ExpiresAt   *time.Time
}

// Grant is a live grant of a partner user (for API token callers, which
// act with the union of the grant's modes).
type Grant struct {
	RequestID   int64
	AccountID   int64
	AccountName string
	Modes       []AccessMode
	ExpiresAt   *time.Time
}

// ParentUser is a partner staff member with a live grant to a customer,
// as its user list shows them (isParent).
type ParentUser struct {
	User
	GrantExpiresAt *time.Time
}

// AccessRequestService is the access-request flow and impersonation.
// Every method authorizes the actor of ctx; objects of another partner or
// customer are ENOTFOUND.
type AccessRequestService interface {
	// CreateAccessRequests saves a partner.admin's request as one request
	// per customer named in any association, all or none, and emails each
	// customer's responders.
	CreateAccessRequests(ctx context.Context, in NewAccessRequest) ([]*AccessRequest, error)
	// Outgoing lists the requests of the actor's partner account (partner.admin).
	Outgoing(ctx context.Context, f AccessRequestFilter) ([]*AccessRequest, error)
	// Incoming lists the requests a customer account received (its
	// Owner, user admins and holders of access.respond).
	Incoming(ctx context.Context, accountID int64, f AccessRequestFilter) ([]*AccessRequest, error)
	// MyZone lists the requests naming the actor (a partner user).
	MyZone(ctx context.Context, f AccessRequestFilter) ([]*AccessRequest, error)
	// GetAccessRequest returns one request the actor may see (either side).
	GetAccessRequest(ctx context.Context, id int64) (*AccessRequest, error)
	// Grant, Deny and Revoke are the customer's answers; Withdraw the
	// partner's; SetExpiry either side's (nil clears it: customer only).
	Grant(ctx context.Context, id int64, a AccessAnswer) (*AccessRequest, error)
	Deny(ctx context.Context, id int64, message string) (*AccessRequest, error)
	Revoke(ctx context.Context, id int64, message string) (*AccessRequest, error)
	Withdraw(ctx context.Context, id int64) (*AccessRequest, error)
	SetExpiry(ctx context.Context, id int64, expiresAt *time.Time) (*AccessRequest, error)
	// StartImpersonation checks that the actor is named in a live grant
	// allowing mode at accountID (or, before the customer's first grant, is
	// its partner's partner.admin: legacy) and audits the start in both
	// accounts.
	StartImpersonation(ctx context.Context, accountID int64, mode AccessMode) (*Impersonation, error)
	// ResolveImpersonation re-checks, for one request of an impersonated
	// session, that a grant (or legacy access) still lets the actor in with
	// mode; EGrantExpired, EFORBIDDEN or ENOTFOUND when it does not any more.
	ResolveImpersonation(ctx context.Context, accountID int64, mode AccessMode) (*Impersonation, error)
	// EndImpersonation audits the end in both accounts (reason: "ended",
	// "signed_out", "expired", "revoked").
	EndImpersonation(ctx context.Context, imp *Impersonation, reason string) error
	// LiveGrants returns the live grants naming the actor's user (API callers).
	LiveGrants(ctx context.Context) ([]Grant, error)
	// StaffChoices are the partner users the New request form offers
	// (partner.admin; the customers come from AccountInfoService.ListCustomers).
	StaffChoices(ctx context.Context) ([]*User, error)
}
