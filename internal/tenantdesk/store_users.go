package tenantdesk

import (
	"context"
	"time"
)

// AccountReads read accounts.
type AccountReads interface {
	// FindAccountByID returns ENOTFOUND if there is no such account.
	FindAccountByID(ctx context.Context, id int64) (*Account, error)
	// FindAccountByTenantID returns ENOTFOUND if there is no such account.
	FindAccountByTenantID(ctx context.Context, tenantID string) (*Account, error)
}

// AccountTx writes accounts.
type AccountTx interface {
	// InsertAccount stores a new account under a new tenant ID (a.ID and
	// a.TenantID are set; CreatedAt and UpdatedAt become the transaction's time).
	InsertAccount(ctx context.Context, a *Account) error
	// SetConnection stores a customer's phone-platform connection (JSON).
	SetConnection(ctx context.Context, accountID int64, connection string) error
}

// UserReads read users with their roles, inside a transaction or not.
type UserReads interface {
	// FindUserByID returns ENOTFOUND if the user does not exist.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUserByEmail returns ENOTFOUND if no user has that email (compared case-insensitively).
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	// FindAccountUser returns the user userID of account accountID with
	// every field; ENOTFOUND when there is no such user in that account.
	FindAccountUser(ctx context.Context, accountID, userID int64) (*User, error)
}

// UserLists read lists of users (outside transactions).
type UserLists interface {
	// UserPage returns a page of the account's users in the order of
	// their display names (keyset pagination on the name key and ID);
	// EINVALID for a cursor that is not one.
	UserPage(ctx context.Context, acc *Account, f UserFilter) (*UserPage, error)
	// LicenceCounts returns, for every licensed role, how many enabled
	// users of the account hold it.
	LicenceCounts(ctx context.Context, accountID int64) ([]LicenceCount, error)
	// AccountState reads what the account-wide rules need (CheckUserChange)
	// outside a transaction, for telling which changes would pass before
	// one is tried (the change itself checks again in its transaction).
	AccountState(ctx context.Context, acc *Account) (AccountState, error)
}

// UserTx writes users and their roles.
type UserTx interface {
	// AccountState reads what the account-wide rules need (CheckUserChange).
	AccountState(ctx context.Context, acc *Account) (AccountState, error)
	// EmailUserID returns the ID of the user (of any account) who has email,
	// compared case-insensitively, or 0 when nobody has it.
	EmailUserID(ctx context.Context, email string) (int64, error)
	// InsertUser stores a new user with its roles, giving it a new ID that
	// was never used before; u.CreatedAt and UpdatedAt become the
	// transaction's time.
	InsertUser(ctx context.Context, u *User) error
	// UpdateUser stores u's display name, email, status and profile
	// fields (not its roles, not the Owner flag); u.UpdatedAt becomes the
	// transaction's time.
	UpdateUser(ctx context.Context, u *User) error
	// ChangeRoles adds and removes roles of a user of accountID.
	ChangeRoles(ctx context.Context, accountID, userID int64, add, remove []string) error
	// DeleteUser deletes a user of accountID with everything that is only
	// theirs (roles, credentials, sessions, links, tokens).
	DeleteUser(ctx context.Context, accountID, userID int64) error
	// HasPassword reports whether the user has set a portal password.
	HasPassword(ctx context.Context, userID int64) (bool, error)
	// UsersMissingRole lists the users of accountID who hold role has but
	// not role lacks, by name (for automatic roles, R7).
	UsersMissingRole(ctx context.Context, accountID int64, has, lacks string) ([]AutoAssignment, error)
	// SetOwner makes userID the Owner of accountID; the former Owner, if
	// any, stays a user. Returns the former Owner's ID (0: none).
	SetOwner(ctx context.Context, accountID, userID int64) (formerID int64, err error)
}

// AuditTx writes the audit log (R10).
type AuditTx interface {
	// InsertAudit writes e as it is (CreatedAt becomes the transaction's
	// time). A target the caller did not name is named as it is now.
	InsertAudit(ctx context.Context, e *AuditEntry) error
}

// MailTx writes the outbox.
type MailTx interface {
	// EnqueueMail writes m to the outbox, due at once.
	EnqueueMail(ctx context.Context, m *MailMessage) error
}

// Link is a single-use link emailed to a user, as stored: by the SHA-256
// of its token, never the token.
type Link struct {
	UserID    int64
	Kind      string // LinkActivation, LinkReset, LinkEmailChange
	Data      string // the new address of an email change
	ExpiresAt time.Time
	UsedAt    time.Time // zero: unused
}

// LinkTx reads and writes the single-use links emailed to users.
type LinkTx interface {
	// FindLink returns the link of kind with the token hash; ENOTFOUND if none.
	FindLink(ctx context.Context, kind string, tokenHash []byte) (*Link, error)
	// UseLink marks the link with the token hash used.
	UseLink(ctx context.Context, tokenHash []byte) error
	// ReplaceLink deletes the user's links of kind and stores a new one by
	// the SHA-256 of its token, valid until expires.
	ReplaceLink(ctx context.Context, userID int64, kind string, tokenHash []byte, expires time.Time) error
	// EndPendingLinks deletes every unused link of the user, of every kind.
	EndPendingLinks(ctx context.Context, userID int64) error
}

// SessionTx ends sessions.
type SessionTx interface {
	// EndUserSessions deletes every session of the user.
	EndUserSessions(ctx context.Context, userID int64) error
	// EndAllSessions deletes every session of every user, and the sessions
	// of no one (a sign-in half done, a visitor's), and returns how many
	// each user had, by user, in user ID order, and how many belonged to
	// no one.
	EndAllSessions(ctx context.Context) (ended []EndedSessions, anonymous int, err error)
}

// EndedSessions is how many sessions of one user were ended.
type EndedSessions struct {
	UserID, AccountID int64
	Sessions          int
}
