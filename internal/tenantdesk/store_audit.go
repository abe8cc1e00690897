package tenantdesk

import "context"

// AuditReads read an account's audit log (outside transactions).
type AuditReads interface {
	// AuditPage returns up to f.Limit entries of the account's log that
	// match f, newest first (keyset pagination on the ID, below f.Before).
	AuditPage(ctx context.Context, accountID int64, f AuditFilter) (*AuditPage, error)
}
