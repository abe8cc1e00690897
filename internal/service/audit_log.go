package service

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// AuditLog reads an account's audit log with filters
// (tenantdesk.AuditQueryService): About account › Audit log.
type AuditLog struct {
	d *Deps
}

var _ tenantdesk.AuditQueryService = (*AuditLog)(nil)

// NewAuditLog returns the audit log service.
func NewAuditLog(d *Deps) (*AuditLog, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &AuditLog{d: d}, nil
}

// QueryAudit returns a page of the account's audit log, newest first
// (f.Limit: 0 means tenantdesk.AuditPageSize, at most MaxAuditPageSize).
// Needs AccessUserAdmin: EFORBIDDEN for other members, ENOTFOUND for an
// account the actor may not see.
func (s *AuditLog) QueryAudit(ctx context.Context, accountID int64, f tenantdesk.AuditFilter) (*tenantdesk.AuditPage, error) {
	acc, err := readAccount(ctx, s.d.Store, accountID)
	if err != nil {
		return nil, err
	}
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, tenantdesk.AccessUserAdmin); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = tenantdesk.AuditPageSize
	} else if f.Limit > tenantdesk.MaxAuditPageSize {
		f.Limit = tenantdesk.MaxAuditPageSize
	}
	return s.d.Store.AuditPage(ctx, acc.ID, f)
}
