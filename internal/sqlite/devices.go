package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// DeviceService on SQLite: the devices of a customer account and the
// softphones of its users (migrations/0007_devices.sql). The rules and
// decisions are documented in internal/tenantdesk/devices.go.

// MaxSoftphonesPerUser bounds one assignment request.
const MaxSoftphonesPerUser = 100

// deviceSelect reads devices with the user a softphone is assigned to (at
// most one: softphone_assignments is keyed by device). Callers add the WHERE
// clause, which always names d.account_id.
const deviceSelect = `SELECT d.id, d.account_id, d.name, d.kind, d.extension, COALESCE(d.mac_address, ''),
	d.created_at, d.updated_at, COALESCE(u.id, 0), COALESCE(u.display_name, ''), d.name_norm
	FROM devices d
	LEFT JOIN softphone_assignments s ON s.device_id = d.id AND s.account_id = d.account_id
	LEFT JOIN users u ON u.id = s.user_id AND u.account_id = d.account_id `

func scanDevice(row rowScanner) (*tenantdesk.Device, string, error) {
	d := &tenantdesk.Device{}
	var created, updated, userID int64
	var userName, nameNorm string
	err := row.Scan(&d.ID, &d.AccountID, &d.Name, &d.Kind, &d.Extension, &d.MacAddress,
		&created, &updated, &userID, &userName, &nameNorm)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", deviceNotFound()
	} else if err != nil {
		return nil, "", fmt.Errorf("sqlite: scan device: %w", err)
	}
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	if userID != 0 {
		d.AssignedUsers = []tenantdesk.DeviceUser{{ID: userID, DisplayName: userName}}
	}
	return d, nameNorm, nil
}

func deviceNotFound() error {
	return &tenantdesk.Error{Code: tenantdesk.ENOTFOUND, Key: "device.error.not_found", Message: "Device not found."}
}

func scanDevices(rows *sql.Rows) ([]*tenantdesk.Device, []string, error) {
	defer rows.Close()
	var out []*tenantdesk.Device
	var norms []string
	for rows.Next() {
		d, norm, err := scanDevice(rows)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, d)
		norms = append(norms, norm)
	}
	return out, norms, rows.Err()
}

func findDevice(ctx context.Context, q querier, accountID, deviceID int64) (*tenantdesk.Device, error) {
	d, _, err := scanDevice(q.QueryRowContext(ctx, deviceSelect+`WHERE d.account_id = ? AND d.id = ?`, accountID, deviceID))
	return d, err
}

// deviceAccount loads accountID for a read and checks the actor's device access.
func (db *DB) deviceAccount(ctx context.Context, accountID int64, level int) (*tenantdesk.Account, error) {
	acc, err := db.readAccount(ctx, accountID)
	if err != nil {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	if err := tenantdesk.AuthorizeDevices(tenantdesk.ActorFrom(ctx), acc, level); err != nil {
		return nil, err
	}
	return acc, nil
}

// txDeviceAccount is deviceAccount inside a write transaction.
func (tx *Tx) deviceAccount(ctx context.Context, accountID int64) (*tenantdesk.Account, error) {
	acc, err := tx.loadAccount(ctx, accountID)
	if err != nil {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	if err := tenantdesk.AuthorizeDevices(tenantdesk.ActorFrom(ctx), acc, tenantdesk.DeviceAccessAdmin); err != nil {
		return nil, err
	}
	return acc, nil
}

// ListDevices returns a page of the account's devices by name (keyset
// pagination on (name_norm, id)). Needs DeviceAccessRead.
func (db *DB) ListDevices(ctx context.Context, accountID int64, f tenantdesk.DeviceFilter) (*tenantdesk.DevicePage, error) {
	if _, err := db.deviceAccount(ctx, accountID, tenantdesk.DeviceAccessRead); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = tenantdesk.DefaultPageSize
	} else if limit > tenantdesk.MaxPageSize {
		limit = tenantdesk.MaxPageSize
	}
	var q strings.Builder
	q.WriteString(deviceSelect + `WHERE d.account_id = ?`)
	args := []any{accountID}
	switch f.Kind {
	case "":
	case tenantdesk.DeviceDeskphone, tenantdesk.DeviceSoftphone:
		q.WriteString(` AND d.kind = ?`)
		args = append(args, f.Kind)
	default:
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "device.error.kind_unknown", Message: "Kind must be deskphone or softphone.",
			Fields: []tenantdesk.FieldError{{Field: "kind", Key: "device.error.kind_unknown", Message: "Kind must be deskphone or softphone."}}}
	}
	if f.After != "" {
		name, id, err := decodeCursor(f.After)
		if err != nil {
			return nil, err
		}
		q.WriteString(` AND (d.name_norm, d.id) > (?, ?)`)
		args = append(args, name, id)
	}
	q.WriteString(` ORDER BY d.name_norm, d.id LIMIT ?`)
	args = append(args, limit+1)
	rows, err := db.read.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list devices: %w", err)
	}
	devices, norms, err := scanDevices(rows)
	if err != nil {
		return nil, err
	}
	page := &tenantdesk.DevicePage{Devices: devices}
	if len(devices) > limit {
		page.Devices = devices[:limit]
		page.NextCursor = encodeCursor(norms[limit-1], devices[limit-1].ID)
	}
	return page, nil
}

// GetDevice returns one device of the account; ENOTFOUND if it is not in it.
func (db *DB) GetDevice(ctx context.Context, accountID, deviceID int64) (*tenantdesk.Device, error) {
	if _, err := db.deviceAccount(ctx, accountID, tenantdesk.DeviceAccessRead); err != nil {
		return nil, err
	}
	return findDevice(ctx, db.read, accountID, deviceID)
}

// checkMacFree returns EMacAddressTaken when another device of the account has mac.
func (tx *Tx) checkMacFree(ctx context.Context, accountID int64, mac string, exceptID int64) error {
	if mac == "" {
		return nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM devices WHERE account_id = ? AND mac_address = ?`, accountID, mac).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && id == exceptID) {
		return nil
	} else if err != nil {
		return fmt.Errorf("sqlite: check mac: %w", err)
	}
	msg := "Another device of this account has this MAC address."
	return &tenantdesk.Error{Code: tenantdesk.EMacAddressTaken, Message: msg, Key: "device.error.mac_taken",
		Fields: []tenantdesk.FieldError{{Field: "macAddress", Message: msg, Key: "device.error.mac_taken"}}}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func deviceAudit(in tenantdesk.DeviceInput) map[string]any {
	return map[string]any{"name": in.Name, "kind": in.Kind, "extension": in.Extension, "macAddress": in.MacAddress}
}

// CreateDevice creates a device in the account. Needs DeviceAccessAdmin.
func (db *DB) CreateDevice(ctx context.Context, accountID int64, in tenantdesk.DeviceInput) (*tenantdesk.Device, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.deviceAccount(ctx, accountID); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := tx.checkMacFree(ctx, accountID, in.MacAddress, 0); err != nil {
		return nil, err
	}
	id, err := tx.newKey(ctx, "devices")
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, account_id, name, name_norm, kind, extension, mac_address, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, id, accountID, in.Name, normalizeName(in.Name), in.Kind, in.Extension, nullString(in.MacAddress),
		ms(tx.now), ms(tx.now)); err != nil {
		return nil, fmt.Errorf("sqlite: create device: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditDeviceCreate, TargetType: "device",
		TargetID: tenantdesk.FormatDeviceID(id), After: auditJSON(deviceAudit(in))}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return &tenantdesk.Device{ID: id, AccountID: accountID, Name: in.Name, Kind: in.Kind, Extension: in.Extension,
		MacAddress: in.MacAddress, CreatedAt: tx.now, UpdatedAt: tx.now}, nil
}

// UpdateDevice changes a device. Needs DeviceAccessAdmin. An assigned
// softphone cannot become a deskphone (ESoftphoneAssigned): the user would
// silently lose it.
func (db *DB) UpdateDevice(ctx context.Context, accountID, deviceID int64, p tenantdesk.DevicePatch) (*tenantdesk.Device, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.deviceAccount(ctx, accountID); err != nil {
		return nil, err
	}
	d, err := findDevice(ctx, tx, accountID, deviceID)
	if err != nil {
		return nil, err
	}
	prev := tenantdesk.DeviceInput{Name: d.Name, Kind: d.Kind, Extension: d.Extension, MacAddress: d.MacAddress}
	in := p.Apply(d)
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Kind != tenantdesk.DeviceSoftphone && len(d.AssignedUsers) > 0 {
		args := map[string]any{"Name": d.AssignedUsers[0].DisplayName}
		msg := "This softphone is assigned to " + d.AssignedUsers[0].DisplayName + "; remove it from them before making it a deskphone."
		return nil, &tenantdesk.Error{Code: tenantdesk.ESoftphoneAssigned, Message: msg, Key: "device.error.kind_in_use", Args: args,
			Fields: []tenantdesk.FieldError{{Field: "kind", Message: "Remove this softphone from its user first.", Key: "device.error.kind_in_use_field"}}}
	}
	if in.MacAddress != d.MacAddress {
		if err := tx.checkMacFree(ctx, accountID, in.MacAddress, d.ID); err != nil {
			return nil, err
		}
	}
	before, after := map[string]any{}, map[string]any{}
	for k, v := range deviceAudit(in) {
		if old := deviceAudit(prev)[k]; old != v {
			before[k], after[k] = old, v
		}
	}
	if len(after) == 0 {
		return d, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE devices SET name = ?, name_norm = ?, kind = ?, extension = ?, mac_address = ?, updated_at = ?
		WHERE id = ? AND account_id = ?`, in.Name, normalizeName(in.Name), in.Kind, in.Extension, nullString(in.MacAddress), ms(tx.now),
		d.ID, accountID); err != nil {
		return nil, fmt.Errorf("sqlite: update device: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditDeviceUpdate, TargetType: "device",
		TargetID: tenantdesk.FormatDeviceID(d.ID), Before: auditJSON(before), After: auditJSON(after)}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	d.Name, d.Kind, d.Extension, d.MacAddress, d.UpdatedAt = in.Name, in.Kind, in.Extension, in.MacAddress, tx.now
	return d, nil
}

// DeleteDevice deletes a device; a softphone's assignment goes with it (the
// audit record names the user who held it). Needs DeviceAccessAdmin.
func (db *DB) DeleteDevice(ctx context.Context, accountID, deviceID int64) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.deviceAccount(ctx, accountID); err != nil {
		return err
	}
	d, err := findDevice(ctx, tx, accountID, deviceID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE id = ? AND account_id = ?`, d.ID, accountID); err != nil {
		return fmt.Errorf("sqlite: delete device: %w", err)
	}
	before := deviceAudit(tenantdesk.DeviceInput{Name: d.Name, Kind: d.Kind, Extension: d.Extension, MacAddress: d.MacAddress})
	if len(d.AssignedUsers) > 0 {
		before["assignedUserIds"] = d.AssignedUserIDs()
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditDeviceDelete, TargetType: "device",
		TargetID: tenantdesk.FormatDeviceID(d.ID), TargetName: d.Name, Before: auditJSON(before)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// softphoneAccount loads accountID and checks the actor may assign softphones.
func softphoneAccount(ctx context.Context, load func() (*tenantdesk.Account, error)) (*tenantdesk.Account, error) {
	acc, err := load()
	if err != nil {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	}
	if err := tenantdesk.AuthorizeSoftphones(tenantdesk.ActorFrom(ctx), acc); err != nil {
		return nil, err
	}
	return acc, nil
}

// SoftphoneChoice returns the user and the account's softphones that are
// free or already theirs. Needs CanAssignSoftphones.
func (db *DB) SoftphoneChoice(ctx context.Context, accountID, userID int64) (*tenantdesk.SoftphoneChoice, error) {
	if _, err := softphoneAccount(ctx, func() (*tenantdesk.Account, error) { return db.FindAccountByID(ctx, accountID) }); err != nil {
		return nil, err
	}
	u, err := findUserInAccount(ctx, db.read, accountID, userID)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, deviceSelect+`WHERE d.account_id = ? AND d.kind = 'softphone'
		AND (s.user_id IS NULL OR s.user_id = ?) ORDER BY d.name_norm, d.id`, accountID, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: softphone choice: %w", err)
	}
	devices, _, err := scanDevices(rows)
	if err != nil {
		return nil, err
	}
	choice := &tenantdesk.SoftphoneChoice{User: u, Softphones: devices}
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM softphone_assignments WHERE account_id = ? AND user_id <> ?`,
		accountID, userID).Scan(&choice.TakenCount); err != nil {
		return nil, fmt.Errorf("sqlite: count softphones: %w", err)
	}
	return choice, nil
}

// userSoftphones returns the softphones assigned to a user, by name.
func userSoftphones(ctx context.Context, q querier, accountID, userID int64) ([]*tenantdesk.Device, error) {
	rows, err := q.QueryContext(ctx, deviceSelect+`WHERE d.account_id = ? AND s.user_id = ? ORDER BY d.name_norm, d.id`, accountID, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: user softphones: %w", err)
	}
	devices, _, err := scanDevices(rows)
	return devices, err
}

func softphoneAudit(devices []*tenantdesk.Device) map[string]any {
	ids, names := []string{}, []string{}
	for _, d := range devices {
		ids = append(ids, tenantdesk.FormatDeviceID(d.ID))
		names = append(names, d.Name)
	}
	return map[string]any{"softphoneIds": ids, "softphones": names}
}

// SetUserSoftphones makes deviceIDs the user's whole set of softphones.
// Needs CanAssignSoftphones; see tenantdesk.DeviceService for the errors.
func (db *DB) SetUserSoftphones(ctx context.Context, accountID, userID int64, deviceIDs []int64) ([]*tenantdesk.Device, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := softphoneAccount(ctx, func() (*tenantdesk.Account, error) { return tx.loadAccount(ctx, accountID) }); err != nil {
		return nil, err
	}
	u, err := findUserInAccount(ctx, tx, accountID, userID)
	if err != nil {
		return nil, err
	}
	ids := slices.Clone(deviceIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > MaxSoftphonesPerUser {
		msg := "A user can have at most 100 softphones."
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "device.error.too_many_softphones",
			Fields: []tenantdesk.FieldError{{Field: "softphones", Message: msg, Key: "device.error.too_many_softphones"}}}
	}
	if len(ids) > 0 && !u.HasRole(tenantdesk.RoleSoftphone) {
		return nil, &tenantdesk.Error{Code: tenantdesk.ESoftphoneRoleRequired, Key: "device.error.softphone_role_required",
			Args:    map[string]any{"Name": u.DisplayName, "Role": tenantdesk.RoleSoftphone},
			Message: u.DisplayName + " does not hold customer.user.uc.softphone (Softphones), so no softphone can be assigned to them."}
	}
	current, err := userSoftphones(ctx, tx, accountID, userID)
	if err != nil {
		return nil, err
	}
	var wanted []*tenantdesk.Device
	for _, id := range ids {
		d, err := findDevice(ctx, tx, accountID, id)
		if err != nil {
			return nil, err // ENOTFOUND: unknown, or another account's
		}
		if d.Kind != tenantdesk.DeviceSoftphone {
			return nil, &tenantdesk.Error{Code: tenantdesk.ENotASoftphone, Key: "device.error.not_a_softphone",
				Args:    map[string]any{"Device": d.Name},
				Message: "“" + d.Name + "” is a deskphone; only softphones can be assigned to a user."}
		}
		if len(d.AssignedUsers) > 0 && d.AssignedUsers[0].ID != userID {
			holder := d.AssignedUsers[0].DisplayName
			return nil, &tenantdesk.Error{Code: tenantdesk.ESoftphoneAssigned, Key: "device.error.softphone_assigned",
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
			if _, err := tx.ExecContext(ctx, `INSERT INTO softphone_assignments (device_id, user_id, account_id, created_at) VALUES (?,?,?,?)`,
				d.ID, userID, accountID, ms(tx.now)); err != nil {
				return nil, fmt.Errorf("sqlite: assign softphone: %w", err)
			}
		}
	}
	for _, d := range current {
		if !want[d.ID] {
			changed = true
			if _, err := tx.ExecContext(ctx, `DELETE FROM softphone_assignments WHERE device_id = ? AND user_id = ? AND account_id = ?`,
				d.ID, userID, accountID); err != nil {
				return nil, fmt.Errorf("sqlite: release softphone: %w", err)
			}
		}
	}
	if !changed {
		return current, tx.Commit()
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditUserSoftphone, TargetType: "user",
		TargetID: tenantdesk.FormatUserID(userID), Before: auditJSON(softphoneAudit(current)), After: auditJSON(softphoneAudit(wanted))}); err != nil {
		return nil, err
	}
	out, err := userSoftphones(ctx, tx, accountID, userID)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return out, nil
}

// SoftphoneHolders lists the users of the account who hold
// customer.user.uc.softphone. Needs CanAssignSoftphones.
func (db *DB) SoftphoneHolders(ctx context.Context, accountID int64) ([]tenantdesk.DeviceUser, error) {
	if _, err := softphoneAccount(ctx, func() (*tenantdesk.Account, error) { return db.FindAccountByID(ctx, accountID) }); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT u.id, u.display_name FROM user_roles r JOIN users u ON u.id = r.user_id AND u.account_id = r.account_id
		WHERE r.account_id = ? AND r.role = ? ORDER BY u.name_norm, u.id`, accountID, tenantdesk.RoleSoftphone)
	if err != nil {
		return nil, fmt.Errorf("sqlite: softphone holders: %w", err)
	}
	defer rows.Close()
	var out []tenantdesk.DeviceUser
	for rows.Next() {
		var u tenantdesk.DeviceUser
		if err := rows.Scan(&u.ID, &u.DisplayName); err != nil {
			return nil, fmt.Errorf("sqlite: scan softphone holder: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// AssignSoftphone assigns a softphone to userID (moving it from its
// holder) or releases it (userID 0), auditing each user's set of
// softphones before and after. Needs CanAssignSoftphones.
func (db *DB) AssignSoftphone(ctx context.Context, accountID, deviceID, userID int64) (*tenantdesk.Device, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := softphoneAccount(ctx, func() (*tenantdesk.Account, error) { return tx.loadAccount(ctx, accountID) }); err != nil {
		return nil, err
	}
	d, err := findDevice(ctx, tx, accountID, deviceID)
	if err != nil {
		return nil, err
	}
	if d.Kind != tenantdesk.DeviceSoftphone {
		return nil, &tenantdesk.Error{Code: tenantdesk.ENotASoftphone, Key: "device.error.not_a_softphone",
			Args: map[string]any{"Device": d.Name}, Message: "“" + d.Name + "” is a deskphone; only softphones can be assigned to a user."}
	}
	var holder int64
	if len(d.AssignedUsers) > 0 {
		holder = d.AssignedUsers[0].ID
	}
	if holder == userID {
		return d, tx.Commit()
	}
	if userID != 0 {
		u, err := findUserInAccount(ctx, tx, accountID, userID)
		if err != nil {
			return nil, err
		}
		if !u.HasRole(tenantdesk.RoleSoftphone) {
			return nil, &tenantdesk.Error{Code: tenantdesk.ESoftphoneRoleRequired, Key: "device.error.softphone_role_required",
				Args:    map[string]any{"Name": u.DisplayName, "Role": tenantdesk.RoleSoftphone},
				Message: u.DisplayName + " does not hold customer.user.uc.softphone (Softphones), so no softphone can be assigned to them."}
		}
	}
	// change moves d out of (add false) or into (add true) uid's set, audited.
	change := func(uid int64, add bool) error {
		before, err := userSoftphones(ctx, tx, accountID, uid)
		if err != nil {
			return err
		}
		var after []*tenantdesk.Device
		if add {
			_, err = tx.ExecContext(ctx, `INSERT INTO softphone_assignments (device_id, user_id, account_id, created_at) VALUES (?,?,?,?)`,
				d.ID, uid, accountID, ms(tx.now))
			after = append(slices.Clone(before), d)
			slices.SortFunc(after, func(a, b *tenantdesk.Device) int {
				return strings.Compare(normalizeName(a.Name), normalizeName(b.Name))
			})
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM softphone_assignments WHERE device_id = ? AND user_id = ? AND account_id = ?`, d.ID, uid, accountID)
			after = slices.DeleteFunc(slices.Clone(before), func(x *tenantdesk.Device) bool { return x.ID == d.ID })
		}
		if err != nil {
			return fmt.Errorf("sqlite: assign softphone: %w", err)
		}
		return tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditUserSoftphone, TargetType: "user",
			TargetID: tenantdesk.FormatUserID(uid), Before: auditJSON(softphoneAudit(before)), After: auditJSON(softphoneAudit(after))})
	}
	if holder != 0 {
		if err := change(holder, false); err != nil {
			return nil, err
		}
	}
	if userID != 0 {
		if err := change(userID, true); err != nil {
			return nil, err
		}
	}
	d, err = findDevice(ctx, tx, accountID, deviceID)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return d, nil
}
