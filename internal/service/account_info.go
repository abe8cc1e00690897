package service

import (
	"context"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// AccountInfo is About account › General information and a partner's list
// of customers (tenantdesk.AccountInfoService).
type AccountInfo struct {
	d *Deps
}

var _ tenantdesk.AccountInfoService = (*AccountInfo)(nil)

// NewAccountInfo returns the account information service.
func NewAccountInfo(d *Deps) (*AccountInfo, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &AccountInfo{d: d}, nil
}

// GeneralInfo returns the account for About account › General information:
// every member of the account may read it. Returns ENOTFOUND for an account
// the actor may not see.
func (s *AccountInfo) GeneralInfo(ctx context.Context, accountID int64) (*tenantdesk.Account, error) {
	acc, err := readAccount(ctx, s.d.Store, accountID)
	if err != nil {
		return nil, err
	}
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, tenantdesk.AccessMember); err != nil {
		return nil, err
	}
	return acc, nil
}

// EditableAccount returns the account with tenantID when the actor may edit
// its general information. Returns EFORBIDDEN for partner staff without
// partner.admin and ENOTFOUND for everyone else (see
// tenantdesk.AuthorizeGeneralInfoEdit).
func (s *AccountInfo) EditableAccount(ctx context.Context, tenantID string) (*tenantdesk.Account, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	acc, err := s.d.Store.FindAccountByTenantID(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := tenantdesk.AuthorizeGeneralInfoEdit(actor, acc); err != nil {
		return nil, err
	}
	return acc, nil
}

// UpdateGeneralInfo changes an account's general information in one
// transaction and audits the changed fields (account.update, before and
// after). Returns ENOTFOUND or EFORBIDDEN as EditableAccount, EINVALID with
// Fields for invalid input; nothing is written when nothing changed.
func (s *AccountInfo) UpdateGeneralInfo(ctx context.Context, tenantID string, in tenantdesk.GeneralInfo) (*tenantdesk.Account, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	var out *tenantdesk.Account
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		// Read inside the write transaction so the audit's "before" is what
		// this update replaces, even with concurrent edits.
		acc, err := tx.FindAccountByTenantID(ctx, tenantID)
		if err != nil {
			return err
		}
		// Authorize before validating: a stranger learns nothing from field errors.
		if err := tenantdesk.AuthorizeGeneralInfoEdit(actor, acc); err != nil {
			return err
		}
		in = in.Normalize()
		if fields := in.Validate(); len(fields) > 0 {
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
		}
		before, after := tenantdesk.DiffGeneralInfo(tenantdesk.GeneralInfoOf(acc), in)
		if len(after) == 0 {
			out = acc
			return nil
		}
		if err := tx.SetGeneralInfo(ctx, acc.ID, in); err != nil {
			return err
		}
		if err := audit(ctx, tx, &tenantdesk.AuditEntry{
			AccountID: acc.ID, Action: tenantdesk.AuditAccountUpdate, TargetType: "account", TargetID: acc.TenantID,
			Before: auditJSON(before), After: auditJSON(after),
		}); err != nil {
			return err
		}
		out, err = tx.FindAccountByID(ctx, acc.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListCustomers returns a page of the customers of the actor's own partner
// account, in f.Sort's order (by name, case-insensitively, then ID, by
// default) with keyset pagination. Returns EFORBIDDEN for an actor who is
// not partner staff and EINVALID for a malformed cursor, a cursor of
// another order, an unknown status or order.
func (s *AccountInfo) ListCustomers(ctx context.Context, f tenantdesk.CustomerFilter) (*tenantdesk.CustomerPage, error) {
	return listCustomers(ctx, s.d.Store, f)
}

// listCustomers is ListCustomers over r.
func listCustomers(ctx context.Context, r tenantdesk.StoreReads, f tenantdesk.CustomerFilter) (*tenantdesk.CustomerPage, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	if !tenantdesk.IsPartnerStaff(actor) {
		return nil, &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message", Message: "You do not have permission to do this."}
	}
	if f.Limit <= 0 {
		f.Limit = tenantdesk.DefaultPageSize
	} else if f.Limit > tenantdesk.MaxPageSize {
		f.Limit = tenantdesk.MaxPageSize
	}
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > 4*tenantdesk.MaxAccountNameLen {
		f.Query = strings.ToValidUTF8(f.Query[:4*tenantdesk.MaxAccountNameLen], "")
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, invalidCustomerFilter("status", "Unknown status.")
	}
	if !f.Sort.Valid() {
		return nil, invalidCustomerFilter("sort", "Unknown order.")
	}
	// The partner's own account scopes the list: a partner sees its customers only.
	return r.CustomerPage(ctx, actor.Account.ID, f)
}
