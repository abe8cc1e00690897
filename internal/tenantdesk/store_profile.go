package tenantdesk

import (
	"context"
	"time"
)

// Credential kinds: what a user's stored password hash is for.
const (
	CredentialPassword = "password" // the portal password
	CredentialFTP      = "ftp"      // the FTP password (My profile)
)

// Credential is a stored password hash of a user.
type Credential struct {
	Hash      string
	UpdatedAt time.Time
}

// ProfileReads read what My profile shows and checks, inside a
// transaction or not.
type ProfileReads interface {
	// FindCredential returns the user's credential of kind; ENOTFOUND when
	// the user has none.
	FindCredential(ctx context.Context, userID int64, kind string) (*Credential, error)
	// ListManagers returns the users of accountID who are not disabled and
	// are its Owner or hold every role of roles: the Owner first, then by
	// name; at most limit.
	ListManagers(ctx context.Context, accountID int64, roles []string, limit int) ([]Manager, error)
	// ListUserSessions returns the user's sessions that expire after now,
	// the latest seen first, at most limit; the session whose (secret) ID
	// is currentID, if any, is marked Current.
	ListUserSessions(ctx context.Context, userID int64, currentID string, now time.Time, limit int) ([]*SessionInfo, error)
	// FindLink returns the link of kind with the token hash; ENOTFOUND if
	// none (as LinkTx's, outside a transaction too).
	FindLink(ctx context.Context, kind string, tokenHash []byte) (*Link, error)
}

// ProfileTx writes what My profile changes besides the user row.
type ProfileTx interface {
	// SetCredential stores (or replaces) the user's credential of kind;
	// its UpdatedAt becomes the transaction's time.
	SetCredential(ctx context.Context, userID int64, kind, hash string) error
	// SetLinkData stores data (the new address of an email change) on the
	// user's unused links of kind.
	SetLinkData(ctx context.Context, userID int64, kind, data string) error
	// FindUserSession returns the user's session with the public handle,
	// marked Current when its ID is currentID; ENOTFOUND when the user has
	// no such session.
	FindUserSession(ctx context.Context, userID int64, handle, currentID string) (*SessionInfo, error)
	// EndUserSession deletes the user's session with the public handle.
	EndUserSession(ctx context.Context, userID int64, handle string) error
	// EndOtherSessions deletes the user's sessions but the one whose ID is
	// currentID (all of them when currentID is "") and returns how many.
	EndOtherSessions(ctx context.Context, userID int64, currentID string) (int, error)
}
