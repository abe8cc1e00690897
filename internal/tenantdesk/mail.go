package tenantdesk

import (
	"context"
	"time"
)

// Link kinds: what a single-use link emailed to a user lets its holder do.
// The token travels only in the email; the database keeps its SHA-256.
const (
	LinkActivation  = "activation"   // set the first password of an invited user
	LinkReset       = "reset"        // set a new password after "Forgot password"
	LinkEmailChange = "email_change" // confirm a new email address (My profile)
)

// Default link lifetimes; both are configurable (serve --activation-ttl, --reset-ttl).
const (
	DefaultActivationTTL = 72 * time.Hour
	DefaultResetTTL      = time.Hour
	// ResetRequestInterval is the least time between two reset emails to one
	// user, so "Forgot password" cannot be used to flood an inbox.
	ResetRequestInterval = time.Minute
)

// Mail kinds of the outbox.
const (
	MailActivation      = "activation"
	MailReset           = "reset"
	MailPasswordChanged = "password_changed"
)

// Audit actions of emailed links.
const (
	AuditActivationSent        = "user.activation_sent"
	AuditActivated             = "user.activated"
	AuditPasswordResetRequest  = "user.password_reset_requested"
	AuditPasswordResetComplete = "user.password_reset"
)

// Message IDs (Error.Key) of link errors.
const (
	// LinkExpiredKey marks the EINVALID error of a link that is past its
	// expiry but otherwise good: the page offers to send a new one.
	LinkExpiredKey = "link.expired"
	// LinkInvalidKey marks the ENOTFOUND error of a link that is unknown,
	// used, replaced by a newer one, or no longer fits its user.
	LinkInvalidKey = "link.invalid"
)

// ErrLinkExpired returns the error of an expired link.
func ErrLinkExpired() *Error {
	return &Error{Code: EINVALID, Message: "This link has expired.", Key: LinkExpiredKey}
}

// ErrLinkInvalid returns the error of an unknown or used link.
func ErrLinkInvalid() *Error {
	return &Error{Code: ENOTFOUND, Message: "This link is not valid. It may have been used already or replaced by a newer one.", Key: LinkInvalidKey}
}

// IsLinkExpired reports whether err is the expired-link error.
func IsLinkExpired(err error) bool {
	e := AsError(err)
	return e != nil && e.Code == EINVALID && e.Key == LinkExpiredKey
}

// MailMessage is one email in the outbox, rendered in full when it was
// queued (in the same transaction as the change it reports).
type MailMessage struct {
	ID        int64
	AccountID int64 // 0 when the account is gone or none applies
	To        string
	Subject   string
	BodyText  string
	Kind      string // MailActivation, MailReset, MailPasswordChanged …
	CreatedAt time.Time
	// Attempts counts delivery attempts; NextAttemptAt is when the worker
	// tries next. SentAt is set on delivery, FailedAt when the worker gave up.
	Attempts      int
	NextAttemptAt time.Time
	SentAt        time.Time
	FailedAt      time.Time
	LastError     string
}

// MailData is what a mail template may use.
type MailData struct {
	Name string // the recipient's display name
	Link string // the absolute URL to follow
	// TTL is how long Link stays valid (0 when it does not expire).
	TTL time.Duration
	// At is when the reported change happened (password changed).
	At time.Time
	// Email is the new address of an email change.
	Email string
	// Access requests: the partner, the customer account, the request's
	// name and modes, the message of the request or answer, and the expiry
	// of a grant (zero: none).
	Partner string
	Account string
	Request string
	Modes   []AccessMode
	Message string
	Until   time.Time
	// Downloads are the UC client's downloads (the UC welcome email).
	Downloads []DownloadLink
}

// Mail kinds of access requests (SPEC §4).
const (
	// MailAccessRequested goes to a customer's responders.
	MailAccessRequested = "access_requested"
	// MailAccessGranted, MailAccessDenied and MailAccessRevoked go to the
	// partner user who asked and the staff named.
	MailAccessGranted = "access_granted"
	MailAccessDenied  = "access_denied"
	MailAccessRevoked = "access_revoked"
	// MailAccessExpiring goes to the same people seven days before a grant ends.
	MailAccessExpiring = "access_expiring"
)

// AccessReminderLead is how long before a grant expires its reminder goes out.
const AccessReminderLead = 7 * 24 * time.Hour

// MailRenderer renders the subject and plain-text body of a kind of mail in
// a language ("" or an unknown language: English). internal/mail
// implements it with the i18n message files.
type MailRenderer interface {
	RenderMail(kind, lang string, d MailData) (subject, body string, err error)
}

// CredentialLinkService serves the single-use links emailed for activation
// and password reset. Tokens are checked by their SHA-256; a link is used
// at most once, and issuing a new link of a kind makes the user's earlier
// links of that kind stop working.
//
// Errors: ENOTFOUND (Key LinkInvalidKey) for an unknown, used or replaced
// link, or one whose user no longer fits it (an activation link of a user
// who is no longer invited, a reset link of a user who is not active);
// EINVALID with Key LinkExpiredKey for a link past its expiry (see
// IsLinkExpired); EINVALID with a "password" field for a password that
// breaks the password policy (CheckNewPassword).
type CredentialLinkService interface {
	// CheckLink returns the user a link of kind belongs to, without using it.
	CheckLink(ctx context.Context, kind, token string) (*User, error)
	// UseActivationLink sets the first password of an invited user, makes
	// the user active and uses up the link, in one audited transaction.
	UseActivationLink(ctx context.Context, token, password string) (*User, error)
	// RequestPasswordReset emails a reset link to the active user with that
	// email (an invited user gets a new activation link instead). It returns
	// nil whether or not such a user exists, so it never reveals an email.
	// Every request counts against the client IP of ctx's actor: past
	// ThrottleMaxResetPerIP in ThrottleWindow it returns ETHROTTLED (with
	// RetryAfterSeconds), whatever the email; other errors are internal.
	RequestPasswordReset(ctx context.Context, email string) error
	// ResetPassword sets a new password through a reset link, uses up the
	// link, ends all the user's sessions and emails a "password changed"
	// notice, in one audited transaction.
	ResetPassword(ctx context.Context, token, password string) (*User, error)
	// ResendLink emails a new link of kind to the user a (typically expired)
	// link belongs to, at the user's current email; the old link stops
	// working. Returns ENOTFOUND for an unknown or used link.
	ResendLink(ctx context.Context, kind, token string) error
}

// MailboxService reads the outbox for the demo mailbox page (/dev/mail).
type MailboxService interface {
	// ListMail returns the newest messages first, at most limit.
	ListMail(ctx context.Context, limit int) ([]*MailMessage, error)
}
