package tenantdesk

import (
	"context"
	"time"
)

// AccessRequestQuery selects access requests: of a partner, of a customer,
// or naming a partner user (exactly one of the three is set), newest first.
type AccessRequestQuery struct {
	PartnerID int64
	AccountID int64
	UserID    int64
	// State keeps only requests in this stored state ("": all). Expired
	// is not stored: callers ask for granted and apply StateAt.
	State AccessState
	Limit int
}

// AccessReads read access requests and grants, inside a transaction or not.
type AccessReads interface {
	// FindAccessRequest returns a request with its users (by name);
	// ENOTFOUND when there is none.
	FindAccessRequest(ctx context.Context, id int64) (*AccessRequest, error)
	// AccessRequests lists requests as q selects, each with its users.
	AccessRequests(ctx context.Context, q AccessRequestQuery) ([]*AccessRequest, error)
	// LiveGrants returns the requests naming userID that are granted and
	// not expired at now (at accountID only, when it is not 0).
	LiveGrants(ctx context.Context, userID, accountID int64, now time.Time) ([]Grant, error)
	// ParentUsers returns the partner users named in a live grant at
	// accountID at now, by name, each once with the latest expiry of their
	// grants (nil when one of them has none).
	ParentUsers(ctx context.Context, accountID int64, now time.Time) ([]*ParentUser, error)
	// UsersWithAnyRole returns the enabled users of accountID who are its
	// Owner or hold any of roles (each of them once), by name.
	UsersWithAnyRole(ctx context.Context, accountID int64, roles []string) ([]*User, error)
}

// AccessTx writes access requests.
type AccessTx interface {
	// InsertAccessRequests stores a partner's request as saved: one batch
	// (the name, message, partner and requester of rs[0]) and every
	// per-customer request of rs with its users, each under a new ID that
	// was never used before (ID and BatchID are set; CreatedAt and
	// UpdatedAt become the transaction's time).
	InsertAccessRequests(ctx context.Context, rs []*AccessRequest) error
	// UpdateAccessRequest stores r's state, expiry, answer and reminder
	// fields (r.UpdatedAt becomes the transaction's time).
	UpdateAccessRequest(ctx context.Context, r *AccessRequest) error
	// MarkFirstGrant records, once, that accountID granted a request: its
	// partner's legacy access ends (Account.FirstGrantAt).
	MarkFirstGrant(ctx context.Context, accountID int64) error
	// DueExpiryReminders returns the granted requests whose expiry lies
	// after now and before until and whose reminder was not sent.
	DueExpiryReminders(ctx context.Context, now, until time.Time) ([]*AccessRequest, error)
}
