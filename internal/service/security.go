package service

import (
	"context"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Security is an account's Security tab (tenantdesk.AccountSecurityService):
// whether every user must use two-factor authentication, and the maximum
// lifetime of new API tokens.
type Security struct {
	d *Deps
}

var _ tenantdesk.AccountSecurityService = (*Security)(nil)

// NewSecurity returns the Security tab's service.
func NewSecurity(d *Deps) (*Security, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Security{d: d}, nil
}

// auditSecurityUpdate records a change of the settings.
const auditSecurityUpdate = "account.security_update"

// AccountSecurity returns the account's settings, the defaults when never
// set. Any member of the account may read them; ENOTFOUND for others.
func (s *Security) AccountSecurity(ctx context.Context, accountID int64) (*tenantdesk.AccountSecurity, error) {
	acc, err := readAccount(ctx, s.d.Store, accountID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	} else if err != nil {
		return nil, err
	}
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, tenantdesk.AccessMember); err != nil {
		return nil, err
	}
	return s.d.Store.FindAccountSecurity(ctx, accountID)
}

// CanChangeSecurity reports whether the actor may change the account's
// settings (tenantdesk.CanEditSecurity) and whether the account has no
// Owner (whose user admins then may). ENOTFOUND for outsiders.
func (s *Security) CanChangeSecurity(ctx context.Context, accountID int64) (can, ownerless bool, err error) {
	acc, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessMember)
	if err != nil {
		return false, false, err
	}
	has, err := s.d.Store.AccountHasOwner(ctx, acc.ID)
	if err != nil {
		return false, false, err
	}
	return tenantdesk.CanEditSecurity(tenantdesk.ActorFrom(ctx), acc, has), !has, nil
}

// SetAccountSecurity changes the settings and returns them; audited as
// account.security_update with before and after when they change. Only the
// account's Owner, in an account without an Owner its user admins
// (tenantdesk.CanEditSecurity), and the operator may: EFORBIDDEN for other
// members, ENOTFOUND for outsiders, EINVALID (field tokenMaxLifetimeDays)
// for a lifetime outside 0–MaxTokenLifetimeDays.
func (s *Security) SetAccountSecurity(ctx context.Context, in tenantdesk.AccountSecurity) (*tenantdesk.AccountSecurity, error) {
	if in.TokenMaxLifetimeDays < 0 || in.TokenMaxLifetimeDays > tenantdesk.MaxTokenLifetimeDays {
		msg := fmt.Sprintf("The maximum token lifetime must be between 0 (no maximum) and %d days.", tenantdesk.MaxTokenLifetimeDays)
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "security.error.lifetime",
			Fields: []tenantdesk.FieldError{{Field: "tokenMaxLifetimeDays", Message: msg, Key: "security.error.lifetime"}}}
	}
	var after *tenantdesk.AccountSecurity
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := authorized(ctx, tx, in.AccountID, tenantdesk.AccessMember)
		if err != nil {
			return err
		}
		hasOwner, err := tx.AccountHasOwner(ctx, acc.ID)
		if err != nil {
			return err
		}
		if !tenantdesk.CanEditSecurity(tenantdesk.ActorFrom(ctx), acc, hasOwner) {
			if !hasOwner {
				return &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "settings.security.error.admins_only",
					Message: "This account has no Owner: only its user admins can change the security settings."}
			}
			return &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "security.error.owner_only",
				Message: "Only the account Owner can change the security settings."}
		}
		before, err := tx.FindAccountSecurity(ctx, acc.ID)
		if err != nil {
			return err
		}
		after = &tenantdesk.AccountSecurity{AccountID: acc.ID, Require2FA: in.Require2FA, TokenMaxLifetimeDays: in.TokenMaxLifetimeDays}
		if err := tx.PutAccountSecurity(ctx, after); err != nil {
			return err
		}
		if *before == *after {
			return nil
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: acc.ID, Action: auditSecurityUpdate, TargetType: "account",
			TargetID: acc.TenantID,
			Before:   auditJSON(map[string]any{"require2fa": before.Require2FA, "tokenMaxLifetimeDays": before.TokenMaxLifetimeDays}),
			After:    auditJSON(map[string]any{"require2fa": after.Require2FA, "tokenMaxLifetimeDays": after.TokenMaxLifetimeDays}),
		})
	})
	if err != nil {
		return nil, err
	}
	return after, nil
}
