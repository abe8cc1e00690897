package service

import (
	"context"
	"slices"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Devices manages the devices of a customer account and the softphones of
// its users (tenantdesk.DeviceService). The decisions are documented in
// internal/tenantdesk/devices.go.
type Devices struct {
	d *Deps
}

var _ tenantdesk.DeviceService = (*Devices)(nil)

// MaxSoftphonesPerUser bounds one assignment request.
const MaxSoftphonesPerUser = 100

// NewDevices returns the devices service.
func NewDevices(d *Deps) (*Devices, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Devices{d: d}, nil
}

// notFound makes a missing account "Not found." and returns other errors
// as they are: a failed read is not a missing account.
func notFound(err error) error {
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	return err
}

// deviceAccount loads the account and checks the actor's access to its
// devices: ENOTFOUND for an account the actor may not see, EFORBIDDEN below
// level.
func deviceAccount(ctx context.Context, load func() (*tenantdesk.Account, error), level int) (*tenantdesk.Account, error) {
	acc, err := load()
	if err != nil {
		return nil, notFound(err)
	}
	if err := tenantdesk.AuthorizeDevices(tenantdesk.ActorFrom(ctx), acc, level); err != nil {
		return nil, err
	}
	return acc, nil
}

// readDeviceAccount is deviceAccount for a read outside a transaction.
func (s *Devices) readDeviceAccount(ctx context.Context, accountID int64) error {
	_, err := deviceAccount(ctx, func() (*tenantdesk.Account, error) { return readAccount(ctx, s.d.Store, accountID) }, tenantdesk.DeviceAccessRead)
	return err
}

// adminDeviceAccount is deviceAccount for a change, inside tx.
func adminDeviceAccount(ctx context.Context, tx tenantdesk.StoreTx, accountID int64) error {
	_, err := deviceAccount(ctx, func() (*tenantdesk.Account, error) { return tx.FindAccountByID(ctx, accountID) }, tenantdesk.DeviceAccessAdmin)
	return err
}

// softphoneAccount reads accountID (through r: the store, or a
// transaction) and checks the actor may assign softphones in it
// (CanAssignSoftphones).
func softphoneAccount(ctx context.Context, r tenantdesk.AccountReads, accountID int64) (*tenantdesk.Account, error) {
	acc, err := r.FindAccountByID(ctx, accountID)
	if err != nil {
		return nil, notFound(err)
	}
	if err := tenantdesk.AuthorizeSoftphones(tenantdesk.ActorFrom(ctx), acc); err != nil {
		return nil, err
	}
	return acc, nil
}

// ListDevices returns a page of the account's devices by name. Needs
// DeviceAccessRead; EINVALID for a bad cursor or kind.
func (s *Devices) ListDevices(ctx context.Context, accountID int64, f tenantdesk.DeviceFilter) (*tenantdesk.DevicePage, error) {
	if err := s.readDeviceAccount(ctx, accountID); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = tenantdesk.DefaultPageSize
	} else if f.Limit > tenantdesk.MaxPageSize {
		f.Limit = tenantdesk.MaxPageSize
	}
	switch f.Kind {
	case "", tenantdesk.DeviceDeskphone, tenantdesk.DeviceSoftphone:
	default:
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "device.error.kind_unknown", Message: "Kind must be deskphone or softphone.",
			Fields: []tenantdesk.FieldError{{Field: "kind", Key: "device.error.kind_unknown", Message: "Kind must be deskphone or softphone."}}}
	}
	return s.d.Store.DevicePage(ctx, accountID, f)
}

// GetDevice returns one device of the account (DeviceAccessRead);
// ENOTFOUND if it is not in it.
func (s *Devices) GetDevice(ctx context.Context, accountID, deviceID int64) (*tenantdesk.Device, error) {
	if err := s.readDeviceAccount(ctx, accountID); err != nil {
		return nil, err
	}
	return s.d.Store.FindDevice(ctx, accountID, deviceID)
}

// checkMacFree returns EMacAddressTaken when another device of the account has mac.
func checkMacFree(ctx context.Context, tx tenantdesk.StoreTx, accountID int64, mac string, exceptID int64) error {
	if mac == "" {
		return nil
	}
	id, err := tx.DeviceWithMAC(ctx, accountID, mac)
	if err != nil {
		return err
	}
	if id == 0 || id == exceptID {
		return nil
	}
	msg := "Another device of this account has this MAC address."
	return &tenantdesk.Error{Code: tenantdesk.EMacAddressTaken, Message: msg, Key: "device.error.mac_taken",
		Fields: []tenantdesk.FieldError{{Field: "macAddress", Message: msg, Key: "device.error.mac_taken"}}}
}

// deviceAudit is how a device's fields appear in the log.
func deviceAudit(in tenantdesk.DeviceInput) map[string]any {
	return map[string]any{"name": in.Name, "kind": in.Kind, "extension": in.Extension, "macAddress": in.MacAddress}
}

// CreateDevice creates a device in the account, audited as device.create.
// Needs DeviceAccessAdmin; EINVALID for bad fields, EMacAddressTaken for a
// MAC address another device of the account has.
func (s *Devices) CreateDevice(ctx context.Context, accountID int64, in tenantdesk.DeviceInput) (*tenantdesk.Device, error) {
	var out *tenantdesk.Device
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if err := adminDeviceAccount(ctx, tx, accountID); err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		if err := checkMacFree(ctx, tx, accountID, in.MacAddress, 0); err != nil {
			return err
		}
		d := &tenantdesk.Device{AccountID: accountID, Name: in.Name, Kind: in.Kind, Extension: in.Extension, MacAddress: in.MacAddress}
		if err := tx.InsertDevice(ctx, d); err != nil {
			return err
		}
		if err := audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditDeviceCreate, TargetType: "device",
			TargetID: tenantdesk.FormatDeviceID(d.ID), After: auditJSON(deviceAudit(in))}); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// UpdateDevice changes a device, audited as device.update with the changed
// fields (nothing is written when nothing changes). Needs
// DeviceAccessAdmin; EINVALID, EMacAddressTaken, or ESoftphoneAssigned when
// an assigned softphone would become a deskphone (its user would silently
// lose it).
func (s *Devices) UpdateDevice(ctx context.Context, accountID, deviceID int64, p tenantdesk.DevicePatch) (*tenantdesk.Device, error) {
	var out *tenantdesk.Device
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if err := adminDeviceAccount(ctx, tx, accountID); err != nil {
			return err
		}
		d, err := tx.FindDevice(ctx, accountID, deviceID)
		if err != nil {
			return err
		}
		prev := tenantdesk.DeviceInput{Name: d.Name, Kind: d.Kind, Extension: d.Extension, MacAddress: d.MacAddress}
		in := p.Apply(d)
		if err := in.Validate(); err != nil {
			return err
		}
		if in.Kind != tenantdesk.DeviceSoftphone && len(d.AssignedUsers) > 0 {
			args := map[string]any{"Name": d.AssignedUsers[0].DisplayName}
			msg := "This softphone is assigned to " + d.AssignedUsers[0].DisplayName + "; remove it from them before making it a deskphone."
			return &tenantdesk.Error{Code: tenantdesk.ESoftphoneAssigned, Message: msg, Key: "device.error.kind_in_use", Args: args,
				Fields: []tenantdesk.FieldError{{Field: "kind", Message: "Remove this softphone from its user first.", Key: "device.error.kind_in_use_field"}}}
		}
		if in.MacAddress != d.MacAddress {
			if err := checkMacFree(ctx, tx, accountID, in.MacAddress, d.ID); err != nil {
				return err
			}
		}
		before, after := map[string]any{}, map[string]any{}
		for k, v := range deviceAudit(in) {
			if old := deviceAudit(prev)[k]; old != v {
				before[k], after[k] = old, v
			}
		}
		out = d
		if len(after) == 0 {
			return nil
		}
		d.Name, d.Kind, d.Extension, d.MacAddress = in.Name, in.Kind, in.Extension, in.MacAddress
		if err := tx.UpdateDevice(ctx, d); err != nil {
			return err
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditDeviceUpdate, TargetType: "device",
			TargetID: tenantdesk.FormatDeviceID(d.ID), Before: auditJSON(before), After: auditJSON(after)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteDevice deletes a device, audited as device.delete; a softphone's
// assignment goes with it (the entry names the user who held it). Needs
// DeviceAccessAdmin; ENOTFOUND for a device not in the account.
func (s *Devices) DeleteDevice(ctx context.Context, accountID, deviceID int64) error {
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if err := adminDeviceAccount(ctx, tx, accountID); err != nil {
			return err
		}
		d, err := tx.FindDevice(ctx, accountID, deviceID)
		if err != nil {
			return err
		}
		if err := tx.DeleteDevice(ctx, accountID, d.ID); err != nil {
			return err
		}
		before := deviceAudit(tenantdesk.DeviceInput{Name: d.Name, Kind: d.Kind, Extension: d.Extension, MacAddress: d.MacAddress})
		if len(d.AssignedUsers) > 0 {
			before["assignedUserIds"] = d.AssignedUserIDs()
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditDeviceDelete, TargetType: "device",
			TargetID: tenantdesk.FormatDeviceID(d.ID), TargetName: d.Name, Before: auditJSON(before)})
	})
}

// SoftphoneChoice returns the user and the account's softphones that are
// free or already theirs. Needs CanAssignSoftphones; ENOTFOUND for a user
// not in the account.
func (s *Devices) SoftphoneChoice(ctx context.Context, accountID, userID int64) (*tenantdesk.SoftphoneChoice, error) {
	if _, err := softphoneAccount(ctx, s.d.Store, accountID); err != nil {
		return nil, err
	}
	u, err := s.d.Store.FindAccountUser(ctx, accountID, userID)
	if err != nil {
		return nil, err
	}
	devices, taken, err := s.d.Store.OfferedSoftphones(ctx, accountID, userID)
	if err != nil {
		return nil, err
	}
	return &tenantdesk.SoftphoneChoice{User: u, Softphones: devices, TakenCount: taken}, nil
}

func errSoftphoneRole(u *tenantdesk.User) error {
	return &tenantdesk.Error{Code: tenantdesk.ESoftphoneRoleRequired, Key: "device.error.softphone_role_required",
		Args:    map[string]any{"Name": u.DisplayName, "Role": tenantdesk.RoleSoftphone},
		Message: u.DisplayName + " does not hold customer.user.uc.softphone (Softphones), so no softphone can be assigned to them."}
}

func errNotASoftphone(d *tenantdesk.Device) error {
	return &tenantdesk.Error{Code: tenantdesk.ENotASoftphone, Key: "device.error.not_a_softphone",
		Args: map[string]any{"Device": d.Name}, Message: "“" + d.Name + "” is a deskphone; only softphones can be assigned to a user."}
}

// SetUserSoftphones makes deviceIDs the user's whole set of softphones,
// audited as user.softphones when it changes, and returns them by name.
// Needs CanAssignSoftphones; EINVALID for more than MaxSoftphonesPerUser,
// ESoftphoneRoleRequired when the user lacks customer.user.uc.softphone (an
// empty set is always accepted), ENOTFOUND for a device not in the
// account, ENotASoftphone for a deskphone and ESoftphoneAssigned for
// another user's softphone.
func (s *Devices) SetUserSoftphones(ctx context.Context, accountID, userID int64, deviceIDs []int64) ([]*tenantdesk.Device, error) {
	var out []*tenantdesk.Device
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if _, err := softphoneAccount(ctx, tx, accountID); err != nil {
			return err
		}
		u, err := tx.FindAccountUser(ctx, accountID, userID)
		if err != nil {
			return err
		}
		ids := slices.Clone(deviceIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > MaxSoftphonesPerUser {
			msg := "A user can have at most 100 softphones."
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "device.error.too_many_softphones",
				Fields: []tenantdesk.FieldError{{Field: "softphones", Message: msg, Key: "device.error.too_many_softphones"}}}
		}
		if len(ids) > 0 && !u.HasRole(tenantdesk.RoleSoftphone) {
			return errSoftphoneRole(u)
		}
		current, err := tx.UserSoftphones(ctx, accountID, userID)
		if err != nil {
			return err
		}
		var wanted []*tenantdesk.Device
		for _, id := range ids {
			d, err := tx.FindDevice(ctx, accountID, id)
			if err != nil {
				return err // ENOTFOUND: unknown, or another account's
			}
			if d.Kind != tenantdesk.DeviceSoftphone {
				return errNotASoftphone(d)
			}
			if len(d.AssignedUsers) > 0 && d.AssignedUsers[0].ID != userID {
				holder := d.AssignedUsers[0].DisplayName
				return &tenantdesk.Error{Code: tenantdesk.ESoftphoneAssigned, Key: "device.error.softphone_assigned",
					Args:    map[string]any{"Device": d.Name, "Name": holder},
					Message: "“" + d.Name + "” is assigned to " + holder + "; a softphone belongs to one user. Remove it from them first."}
			}
			wanted = append(wanted, d)
		}
		has := map[int64]bool{}
		for _, d := range current {
			has[d.ID] = true
		}
		want := map[int64]bool{}
		changed := false
		for _, d := range wanted {
			want[d.ID] = true
			if !has[d.ID] {
				changed = true
				if err := tx.AssignSoftphone(ctx, accountID, d.ID, userID); err != nil {
					return err
				}
			}
		}
		for _, d := range current {
			if !want[d.ID] {
				changed = true
				if err := tx.UnassignSoftphone(ctx, accountID, d.ID, userID); err != nil {
					return err
				}
			}
		}
		if !changed {
			out = current
			return nil
		}
		if err := audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditUserSoftphone, TargetType: "user",
			TargetID: tenantdesk.FormatUserID(userID), Before: auditJSON(softphoneAudit(current)), After: auditJSON(softphoneAudit(wanted))}); err != nil {
			return err
		}
		out, err = tx.UserSoftphones(ctx, accountID, userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SoftphoneHolders lists the users of the account who hold
// customer.user.uc.softphone, by name. Needs CanAssignSoftphones.
func (s *Devices) SoftphoneHolders(ctx context.Context, accountID int64) ([]tenantdesk.DeviceUser, error) {
	if _, err := softphoneAccount(ctx, s.d.Store, accountID); err != nil {
		return nil, err
	}
	return s.d.Store.RoleHolders(ctx, accountID, tenantdesk.RoleSoftphone)
}

// AssignSoftphone assigns a softphone to userID (moving it from its
// holder) or releases it (userID 0), auditing each user's set of
// softphones before and after (user.softphones). Needs CanAssignSoftphones;
// errors as SetUserSoftphones.
func (s *Devices) AssignSoftphone(ctx context.Context, accountID, deviceID, userID int64) (*tenantdesk.Device, error) {
	var out *tenantdesk.Device
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if _, err := softphoneAccount(ctx, tx, accountID); err != nil {
			return err
		}
		d, err := tx.FindDevice(ctx, accountID, deviceID)
		if err != nil {
			return err
		}
		if d.Kind != tenantdesk.DeviceSoftphone {
			return errNotASoftphone(d)
		}
		var holder int64
		if len(d.AssignedUsers) > 0 {
			holder = d.AssignedUsers[0].ID
		}
		if holder == userID {
			out = d
			return nil
		}
		if userID != 0 {
			u, err := tx.FindAccountUser(ctx, accountID, userID)
			if err != nil {
				return err
			}
			if !u.HasRole(tenantdesk.RoleSoftphone) {
				return errSoftphoneRole(u)
			}
		}
		// change moves d out of (add false) or into (add true) uid's set, audited.
		change := func(uid int64, add bool) error {
			before, err := tx.UserSoftphones(ctx, accountID, uid)
			if err != nil {
				return err
			}
			if add {
				err = tx.AssignSoftphone(ctx, accountID, d.ID, uid)
			} else {
				err = tx.UnassignSoftphone(ctx, accountID, d.ID, uid)
			}
			if err != nil {
				return err
			}
			after, err := tx.UserSoftphones(ctx, accountID, uid)
			if err != nil {
				return err
			}
			return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditUserSoftphone, TargetType: "user",
				TargetID: tenantdesk.FormatUserID(uid), Before: auditJSON(softphoneAudit(before)), After: auditJSON(softphoneAudit(after))})
		}
		if holder != 0 {
			if err := change(holder, false); err != nil {
				return err
			}
		}
		if userID != 0 {
			if err := change(userID, true); err != nil {
				return err
			}
		}
		out, err = tx.FindDevice(ctx, accountID, deviceID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
