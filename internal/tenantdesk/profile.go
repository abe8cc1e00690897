package tenantdesk

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

//go:generate go run timezones_gen.go

// My profile: what a signed-in user changes about themselves. Every method
// of ProfileService acts on the user of the actor in ctx and nobody else
// (EUNAUTHORIZED without a signed-in user); other users' objects, such as
// another user's session, are ENOTFOUND.

// Field limits of My profile.
const (
	MaxPhoneLen    = 40
	MaxJobTitleLen = 100
)

// Audit actions of My profile.
const (
	AuditProfileUpdate        = "user.profile_update"
	AuditEmailChangeRequested = "user.email_change_requested"
	AuditEmailChanged         = "user.email_changed"
	AuditPreferencesUpdate    = "user.preferences_update"
	AuditPasswordChanged      = "user.password_changed"
	AuditFTPPasswordSet       = "user.ftp_password_set"
	AuditSessionEnded         = "user.session_ended"
	AuditOtherSessionsEnded   = "user.other_sessions_ended"
	AuditReauthFailed         = "user.reauth_failed"
	AuditFTPAuth              = "ftp.auth"
	AuditFTPAuthFailed        = "ftp.auth_failed"
)

// Mail kinds of My profile (the outbox; internal/mail renders them).
const (
	// MailEmailChange carries the confirmation link to the NEW address.
	MailEmailChange = "email_change"
	// MailEmailChanged tells the OLD address that the email was changed.
	MailEmailChanged = "email_changed"
	// MailPasswordChangedSelf tells a user that they changed their portal
	// password on My profile (their other sessions were signed out).
	MailPasswordChangedSelf = "password_changed_self"
	// MailFTPPasswordChanged tells a user that their FTP password was set.
	MailFTPPasswordChanged = "ftp_password_changed"
)

// PersonalData is the Personal data tab.
type PersonalData struct {
	DisplayName string
	Phone       string
	JobTitle    string
}

// Preferences are the Time and language tab. Language "" follows the
// browser; TimeZone "" is UTC.
type Preferences struct {
	Language string
	TimeZone string
}

// Rights is the My rights tab: the roles the user holds and who in the
// account can change them.
type Rights struct {
	User *User
	// Managers are the others who can change the user's roles: the
	// account's Owner and its user admins (enabled users holding
	// user.admin and customer.user), Owner first, then by name, without
	// the user. None for the Owner, whose permissions nobody can reduce
	// (R5): ownership moves only through the platform operator.
	Managers []Manager
	// ManagesUsers: the user is a user admin, who may change their own
	// roles too, within the rules.
	ManagesUsers bool
}

// Manager is someone who can change a user's roles.
type Manager struct {
	UserID      int64
	DisplayName string
	IsOwner     bool
}

// FTPCredential says whether a user has an FTP password and since when;
// the password itself is never shown again.
type FTPCredential struct {
	Set       bool
	UpdatedAt time.Time
}

// SessionInfo is one of the user's sessions on the Active sessions tab.
// Handle is a random public name of the session for URLs; the session's
// secret ID never leaves the server.
type SessionInfo struct {
	Handle     string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// Current marks the session of the request.
	Current bool
}

// ProfileService is My profile. Methods that need the current password
// return EINVALID with a field error on "currentPassword" when it is wrong
// (failures count towards the sign-in throttle of the user's email, as they
// are guesses of the same secret, and ETHROTTLED when it is locked). Every
// change is audited in its transaction.
type ProfileService interface {
	// UpdatePersonalData changes the display name (R8), phone and job title.
	// Returns EINVALID with field errors.
	UpdatePersonalData(ctx context.Context, in PersonalData) (*User, error)
	// RequestEmailChange emails a confirmation link to newEmail and returns
	// how long it works; nothing changes until the link is used. Returns
	// EINVALID (field "email" or "currentPassword") or EEmailTaken when
	// another user has the address.
	RequestEmailChange(ctx context.Context, newEmail, currentPassword string) (time.Duration, error)
	// CheckEmailChange returns the user and the new address of a
	// confirmation link without using it (errors as CredentialLinkService).
	CheckEmailChange(ctx context.Context, token string) (*User, string, error)
	// ConfirmEmailChange changes the email through the link (which needs no
	// session: it proves the new mailbox), uses it up and tells the old
	// address. Returns the link errors of CredentialLinkService, and
	// EEmailTaken when the address was taken meanwhile.
	ConfirmEmailChange(ctx context.Context, token string) (*User, error)
	// MyRights returns the user's roles and the account's managers.
	MyRights(ctx context.Context) (*Rights, error)
	// SetPreferences changes the interface language and the time zone.
	// Returns EINVALID for an unknown time zone or a malformed language
	// tag (which languages are shipped is the web layer's to check).
	SetPreferences(ctx context.Context, p Preferences) (*User, error)
	// ChangePassword sets a new portal password (CheckNewPassword), ends
	// every other session of the user (not the current one), queues a
	// notice email, and returns how many sessions it ended.
	ChangePassword(ctx context.Context, currentPassword, newPassword string) (int, error)
	// FTPCredential tells whether the user has an FTP password.
	FTPCredential(ctx context.Context) (*FTPCredential, error)
	// SetFTPPassword sets or replaces the FTP password (same rules as the
	// portal password), confirmed with the portal password.
	SetFTPPassword(ctx context.Context, currentPassword, ftpPassword string) error
	// ListSessions returns the user's live sessions, the latest seen first.
	ListSessions(ctx context.Context) ([]*SessionInfo, error)
	// FindSession returns one of the user's live sessions by its handle;
	// ENOTFOUND for an unknown handle or another user's session.
	FindSession(ctx context.Context, handle string) (*SessionInfo, error)
	// EndSession ends one of the user's other sessions, confirmed with the
	// current password; ENOTFOUND for an unknown handle or another user's
	// session, EINVALID for the current session (that is what "Sign out"
	// is for) and for a wrong password (field "currentPassword"),
	// ETHROTTLED past the sign-in limit.
	EndSession(ctx context.Context, handle, currentPassword string) error
	// EndOtherSessions ends every session of the user but the current one,
	// confirmed with the current password, and returns how many it ended;
	// EINVALID (field "currentPassword") or ETHROTTLED as EndSession.
	EndOtherSessions(ctx context.Context, currentPassword string) (int, error)
}

// FTPAuthInput is what an FTP server sends to check a login.
type FTPAuthInput struct {
	Username string // the user's email
	Password string
	ClientIP string // the FTP client's address, for throttling and the audit log
}

// FTPAuthResult is a successful FTP login: the account and its folder.
type FTPAuthResult struct {
	UserID     int64
	TenantID   string
	HomeFolder string // "/<tenantId>/"
}

// FTPAuthService checks FTP logins for the account's FTP/SFTP server.
type FTPAuthService interface {
	// FTPAuth checks an FTP login. It returns EUNAUTHORIZED with one
	// generic message for an unknown user, a wrong password, a user without
	// an FTP password and a disabled (or not yet active) user; ETHROTTLED
	// after too many failures for the username or client IP (the sign-in
	// policy in a key space of its own). Every outcome is audited.
	FTPAuth(ctx context.Context, in FTPAuthInput) (*FTPAuthResult, error)
}

// FTPHomeFolder is the FTP home folder of an account.
func FTPHomeFolder(tenantID string) string { return "/" + tenantID + "/" }

// ValidatePersonalData checks the Personal data tab's fields and returns
// them trimmed.
func ValidatePersonalData(in PersonalData) (PersonalData, *Error) {
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Phone = strings.TrimSpace(in.Phone)
	in.JobTitle = strings.TrimSpace(in.JobTitle)
	var fields []FieldError
	if fe := ValidateDisplayName(in.DisplayName); fe != nil {
		fields = append(fields, *fe)
	}
	if !plainText(in.Phone) {
		fields = append(fields, FieldError{Field: "phone", Message: "The phone number is not valid text.", Key: "profile.error.phone_invalid"})
	} else if utf8.RuneCountInString(in.Phone) > MaxPhoneLen {
		fields = append(fields, FieldError{Field: "phone", Message: "The phone number must be at most 40 characters.", Key: "profile.error.phone_too_long"})
	}
	if !plainText(in.JobTitle) {
		fields = append(fields, FieldError{Field: "jobTitle", Message: "The job title is not valid text.", Key: "profile.error.job_title_invalid"})
	} else if utf8.RuneCountInString(in.JobTitle) > MaxJobTitleLen {
		fields = append(fields, FieldError{Field: "jobTitle", Message: "The job title must be at most 100 characters.", Key: "profile.error.job_title_too_long"})
	}
	if len(fields) > 0 {
		return in, &Error{Code: EINVALID, Message: fields[0].Message, Fields: fields}
	}
	return in, nil
}

// plainText reports whether s is valid UTF-8 without control characters
// (NUL, line breaks, BEL…), line or paragraph separators, or the invisible
// marks that reorder text (bidi embeddings, overrides and isolates): names
// and titles end up in emails, lists and CSV exports, where such
// characters break lines or make "gpj.exe" read as "exe.jpg".
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || bidiControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' {
			return false
		}
	}
	return true
}

// bidiControl reports whether r is a bidirectional formatting character
// (LRM, RLM, ALM, the embeddings and overrides U+202A–U+202E, the isolates
// U+2066–U+2069).
func bidiControl(r rune) bool {
	return r == '\u200e' || r == '\u200f' || r == '\u061c' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// ValidTimeZone reports whether name is "" (UTC) or a zone of TimeZones
// that loads.
func ValidTimeZone(name string) bool {
	if name == "" {
		return true
	}
	if _, ok := timeZoneIndex()[name]; !ok {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

var timeZoneIndex = sync.OnceValue(func() map[string]int {
	m := make(map[string]int, len(TimeZones))
	for i, z := range TimeZones {
		m[z] = i
	}
	return m
})

// ValidatePreferences checks the shape of a language tag ("", or letters
// and digits in hyphen-separated parts of at most 8, such as "pt-BR") and
// the time zone.
func ValidatePreferences(p Preferences) *Error {
	var fields []FieldError
	if !languageTagShape(p.Language) {
		fields = append(fields, FieldError{Field: "language", Message: "Choose one of the listed languages.", Key: "profile.error.language"})
	}
	if !ValidTimeZone(p.TimeZone) {
		fields = append(fields, FieldError{Field: "timeZone", Message: "Choose a time zone from the list, such as Europe/Berlin.", Key: "profile.error.time_zone"})
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, Message: fields[0].Message, Fields: fields}
	}
	return nil
}

func languageTagShape(tag string) bool {
	if tag == "" {
		return true
	}
	if len(tag) > 35 {
		return false
	}
	for _, part := range strings.Split(tag, "-") {
		if part == "" || len(part) > 8 {
			return false
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// ErrWrongCurrentPassword is the error of a wrong current password on My profile.
func ErrWrongCurrentPassword() *Error {
	msg := "The current password is not correct."
	return &Error{Code: EINVALID, Message: msg, Key: "profile.error.current_password",
		Fields: []FieldError{{Field: "currentPassword", Message: msg, Key: "profile.error.current_password"}}}
}
