package service

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Settings is a customer's settings (tenantdesk.AccountSettingsService):
// About account › Settings and the same form in Partnerdesk. Who may read
// and change them is the domain's (tenantdesk.CanReadSettings,
// CanEditSettings); a change of the essential-user variant converts the
// holders of the former essential-user role through the one write path of
// users, so the rules and the audit apply to each.
type Settings struct {
	d *Deps
}

var _ tenantdesk.AccountSettingsService = (*Settings)(nil)

// NewSettings returns the settings service.
func NewSettings(d *Deps) (*Settings, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Settings{d: d}, nil
}

// settingsAccount reads accountID (in r) and checks that the actor may
// read its settings: ENOTFOUND for a partner account, an account the actor
// may not see, or none; a failed read stays what it is.
func settingsAccount(ctx context.Context, r tenantdesk.AccountReads, accountID int64) (*tenantdesk.Account, error) {
	acc, err := r.FindAccountByID(ctx, accountID)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	} else if err != nil {
		return nil, err
	}
	a := tenantdesk.ActorFrom(ctx)
	if a == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	if !tenantdesk.CanReadSettings(a, acc) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	return acc, nil
}

// AccountSettings returns the settings page of a customer. See
// tenantdesk.AccountSettingsService.
func (s *Settings) AccountSettings(ctx context.Context, accountID int64) (*tenantdesk.SettingsPage, error) {
	acc, err := settingsAccount(ctx, s.d.Store, accountID)
	if err != nil {
		return nil, err
	}
	n, err := s.d.Store.CountRoleHolders(ctx, acc.ID, acc.Settings.EssentialRole())
	if err != nil {
		return nil, err
	}
	return &tenantdesk.SettingsPage{Account: acc, CanEdit: tenantdesk.CanEditSettings(tenantdesk.ActorFrom(ctx), acc), EssentialHolders: n}, nil
}

// UpdateAccountSettings changes a customer's settings. See
// tenantdesk.AccountSettingsService: authorization first (so that who may
// not change them learns nothing of their input), then validation.
func (s *Settings) UpdateAccountSettings(ctx context.Context, accountID int64, in tenantdesk.AccountSettings) (*tenantdesk.SettingsChange, error) {
	var out *tenantdesk.SettingsChange
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := settingsAccount(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if err := tenantdesk.AuthorizeSettingsEdit(tenantdesk.ActorFrom(ctx), acc); err != nil {
			return err
		}
		after, verr := tenantdesk.ValidateAccountSettings(in)
		if verr != nil {
			return verr
		}
		before := acc.Settings
		before.EssentialVariant = before.Variant()
		out = &tenantdesk.SettingsChange{Account: acc}
		if after == before {
			return nil
		}
		if err := tx.SetAccountSettings(ctx, acc.ID, after); err != nil {
			return err
		}
		if out.Account, err = tx.FindAccountByID(ctx, acc.ID); err != nil {
			return err
		}
		if after.Variant() != before.Variant() {
			if out.Converted, err = s.d.convertEssentialRole(ctx, tx, out.Account); err != nil {
				return err
			}
		}
		b, a := settingsAudit(before, after)
		if out.Converted > 0 {
			a["convertedUsers"] = out.Converted
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: acc.ID, Action: tenantdesk.AuditSettingsUpdate,
			TargetType: "account", TargetID: acc.TenantID, TargetName: acc.Name,
			Before: auditJSON(b), After: auditJSON(a), Licensed: out.Converted > 0})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// convertEssentialRole gives every holder of the other variant's
// essential-user role acc's (acc as stored with its new variant) in place
// of it, each through writeUser (the rules of the new variant, a licensed
// user.update entry), and returns how many users it converted. The
// Real-time and Agent add-ons stay: they build on whichever role is the
// account's.
func (d *Deps) convertEssentialRole(ctx context.Context, tx tenantdesk.StoreTx, acc *tenantdesk.Account) (int, error) {
	ids, err := tx.RoleHolderIDs(ctx, acc.ID, acc.Settings.OtherEssentialRole())
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		before, err := tx.FindAccountUser(ctx, acc.ID, id)
		if err != nil {
			return 0, err
		}
		after := copyUser(before)
		after.Roles, _ = acc.Settings.ConvertEssentialRole(before.Roles)
		if _, err := d.writeUser(ctx, tx, userWrite{acc: acc, before: before, after: after, followsAccountChange: true}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// settingsAudit is how the changed settings appear in the log, by their
// form names: only what changed.
func settingsAudit(before, after tenantdesk.AccountSettings) (b, a map[string]any) {
	b, a = map[string]any{}, map[string]any{}
	if before.DefaultLanguage != after.DefaultLanguage {
		b["defaultLanguage"], a["defaultLanguage"] = before.DefaultLanguage, after.DefaultLanguage
	}
	if before.DefaultTimeZone != after.DefaultTimeZone {
		b["defaultTimeZone"], a["defaultTimeZone"] = before.DefaultTimeZone, after.DefaultTimeZone
	}
	if before.AutoAssignACD != after.AutoAssignACD {
		b["autoAssignAcd"], a["autoAssignAcd"] = before.AutoAssignACD, after.AutoAssignACD
	}
	if before.Variant() != after.Variant() {
		b["essentialVariant"], a["essentialVariant"] = before.Variant(), after.Variant()
	}
	return b, a
}
