package tenantdesk

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// User statuses.
const (
	UserInvited  = "invited"
	UserActive   = "active"
	UserDisabled = "disabled"
)

// Field limits of SPEC §2 R8.
const (
	MaxDisplayNameLen = 100
	MaxEmailLen       = 200
)

// User belongs to exactly one account.
type User struct {
	ID          int64
	AccountID   int64
	TenantID    string // primaryTenant: the TenantID of AccountID
	DisplayName string
	Email       string
	Roles       []string // role keys, sorted
	Status      string   // UserInvited, UserActive or UserDisabled
	IsOwner     bool
	Phone       string
	JobTitle    string
	Language    string // interface language, "" for the browser's preference
	TimeZone    string // IANA name, "" for UTC
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// HasRole reports whether u holds role key.
func (u *User) HasRole(key string) bool {
	for _, r := range u.Roles {
		if r == key {
			return true
		}
	}
	return false
}

// CanSignIn reports whether u may sign in to the portal: the Owner, holders
// of customer.user (website access) and partner staff.
func (u *User) CanSignIn() bool {
	return u.IsOwner || u.HasRole(RoleCustomerUser) || u.HasRole(RolePartnerUser) || u.HasRole(RolePartnerAdmin)
}

// NormalizeEmail trims and lower-cases an email for comparison and storage
// of the unique key; emails are unique across all accounts case-insensitively.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// ValidateDisplayName checks R8's displayName rule.
func ValidateDisplayName(name string) *FieldError {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	switch {
	case !utf8.ValidString(name):
		return &FieldError{Field: "displayName", Message: "Display name is not valid text.", Key: "field.display_name.invalid"}
	case !plainText(name):
		return &FieldError{Field: "displayName", Key: "field.display_name.control",
			Message: "Display name must not contain control characters, line breaks or text-direction overrides."}
	case n == 0:
		return &FieldError{Field: "displayName", Message: "Display name is required.", Key: "field.display_name.required"}
	case n > MaxDisplayNameLen:
		return &FieldError{Field: "displayName", Message: "Display name must be at most 100 characters.", Key: "field.display_name.too_long"}
	}
	return nil
}

// ValidateEmail checks R8's email rule: required, a plain address, at most
// 200 characters.
func ValidateEmail(email string) *FieldError {
	email = strings.TrimSpace(email)
	switch {
	case email == "":
		return &FieldError{Field: "email", Message: "Email is required.", Key: "field.email.required"}
	case utf8.RuneCountInString(email) > MaxEmailLen:
		return &FieldError{Field: "email", Message: "Email must be at most 200 characters.", Key: "field.email.too_long"}
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		return &FieldError{Field: "email", Message: "Email must be a valid address such as name@example.com.", Key: "field.email.invalid"}
	}
	return nil
}

// UserService reads users.
type UserService interface {
	// FindUserByID returns ENOTFOUND if the user does not exist.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByEmail returns ENOTFOUND if no user has that email (compared case-insensitively).
	FindUserByEmail(ctx context.Context, email string) (*User, error)
}
