// Package tenantdesk is the domain of Tenantdesk: accounts, users, the role
// catalogue and its rules, audit records, the one error type and the service
// interfaces the adapters (internal/sqlstore, web) implement and use.
// It imports nothing of the project and only the standard library.
package tenantdesk

import (
	"errors"
	"fmt"
)

// Error codes. Generic codes map to HTTP statuses in web/errors.go; rule
// codes (SPEC §2) are reported to API clients verbatim in problem+json.
const (
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	ETHROTTLED    = "throttled"

	// Rule codes of SPEC §2.
	ERolePrerequisiteMissing  = "role_prerequisite_missing"
	ESupervisorRolesExclusive = "supervisor_roles_exclusive"
	ELastUserAdmin            = "last_user_admin"
	EAdminRequiredFirst       = "admin_required_first"
	EOwnerImmutable           = "owner_immutable"
	EUnknownRole              = "unknown_role"
	EEmailTaken               = "email_taken"
	// EEmailChangeSelfService: an admin tried to change the email of a user
	// who has activated their account; only they can (R11, 422).
	EEmailChangeSelfService = "email_change_self_service"
	// EAccountDisabled: the account is disabled (SPEC §1 "Customer
	// status"), so its users' API tokens are refused (403); nothing is
	// deleted, and they work again when the account is enabled.
	EAccountDisabled = "account_disabled"
)

// FieldError names one invalid input field and why it is invalid.
type FieldError struct {
	Field   string
	Message string
	// Key, when set, is the message ID that translates Message (with
	// Args as its template data).
	Key  string
	Args map[string]any
}

// Error is the one error type of the domain. Message is safe to show to the
// person or client that caused it; it never carries internal details.
type Error struct {
	Code    string
	Message string
	// Fields lists per-field validation problems (EINVALID).
	Fields []FieldError
	// RetryAfterSeconds is set with ETHROTTLED.
	RetryAfterSeconds int
	// Key, when set, is the message ID that translates Message (with Args
	// as its template data); Message stays the English text for logs and
	// clients without a language.
	Key  string
	Args map[string]any
	// ExistingUserID is set with EEmailTaken when the user who has the
	// email is in the account being written, which the caller manages
	// (SPEC §5: the client can then PATCH that user); 0 for a user of any
	// other account, which is never revealed.
	ExistingUserID int64
	// Denied marks the refusal of an actor who reached beyond their rights
	// (Authorize): the caller still gets a plain 404 or 403, and the
	// server logs it as a security event (ASVS 16.3.2).
	Denied bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("tenantdesk error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human-readable message of an *Error, and a
// generic message for any other error so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// AsError returns err as *Error, or nil when it is not one.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
