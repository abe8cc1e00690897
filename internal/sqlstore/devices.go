package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The devices of a customer account and the softphones of its users as
// stored (migrations/0007_devices.sql; tenantdesk.DeviceReads, DeviceLists,
// DeviceTx). The rules are internal/service's Devices and
// internal/tenantdesk/devices.go.

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
		return nil, "", fmt.Errorf("store: scan device: %w", err)
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

// FindDevice reads a device of the account. See tenantdesk.DeviceReads.
func (db *DB) FindDevice(ctx context.Context, accountID, deviceID int64) (*tenantdesk.Device, error) {
	return findDevice(ctx, db.read, accountID, deviceID)
}

// FindDevice reads a device of the account inside tx.
func (tx *Tx) FindDevice(ctx context.Context, accountID, deviceID int64) (*tenantdesk.Device, error) {
	return findDevice(ctx, tx, accountID, deviceID)
}

// UserSoftphones returns a user's softphones by name.
func (db *DB) UserSoftphones(ctx context.Context, accountID, userID int64) ([]*tenantdesk.Device, error) {
	return userSoftphones(ctx, db.read, accountID, userID)
}

// UserSoftphones returns a user's softphones by name, inside tx.
func (tx *Tx) UserSoftphones(ctx context.Context, accountID, userID int64) ([]*tenantdesk.Device, error) {
	return userSoftphones(ctx, tx, accountID, userID)
}

// DevicePage returns a page of the account's devices by name (keyset
// pagination on (name_norm, id)). See tenantdesk.DeviceLists.
func (db *DB) DevicePage(ctx context.Context, accountID int64, f tenantdesk.DeviceFilter) (*tenantdesk.DevicePage, error) {
	limit := max(f.Limit, 1)
	var q strings.Builder
	q.WriteString(deviceSelect + `WHERE d.account_id = ?`)
	args := []any{accountID}
	if f.Kind != "" {
		q.WriteString(` AND d.kind = ?`)
		args = append(args, f.Kind)
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
		return nil, fmt.Errorf("store: list devices: %w", err)
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

// OfferedSoftphones returns the account's softphones free or assigned to
// userID, by name, and how many other users hold. See tenantdesk.DeviceLists.
func (db *DB) OfferedSoftphones(ctx context.Context, accountID, userID int64) ([]*tenantdesk.Device, int, error) {
	rows, err := db.read.QueryContext(ctx, deviceSelect+`WHERE d.account_id = ? AND d.kind = 'softphone'
		AND (s.user_id IS NULL OR s.user_id = ?) ORDER BY d.name_norm, d.id`, accountID, userID)
	if err != nil {
		return nil, 0, fmt.Errorf("store: softphone choice: %w", err)
	}
	devices, _, err := scanDevices(rows)
	if err != nil {
		return nil, 0, err
	}
	var taken int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM softphone_assignments WHERE account_id = ? AND user_id <> ?`,
		accountID, userID).Scan(&taken); err != nil {
		return nil, 0, fmt.Errorf("store: count softphones: %w", err)
	}
	return devices, taken, nil
}

// RoleHolders lists the account's users who hold role, by name.
func (db *DB) RoleHolders(ctx context.Context, accountID int64, role string) ([]tenantdesk.DeviceUser, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT u.id, u.display_name FROM user_roles r JOIN users u ON u.id = r.user_id AND u.account_id = r.account_id
		WHERE r.account_id = ? AND r.role = ? ORDER BY u.name_norm, u.id`, accountID, role)
	if err != nil {
		return nil, fmt.Errorf("store: role holders: %w", err)
	}
	defer rows.Close()
	var out []tenantdesk.DeviceUser
	for rows.Next() {
		var u tenantdesk.DeviceUser
		if err := rows.Scan(&u.ID, &u.DisplayName); err != nil {
			return nil, fmt.Errorf("store: scan role holder: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DeviceWithMAC returns the ID of the account's device with mac, 0 if none.
func (tx *Tx) DeviceWithMAC(ctx context.Context, accountID int64, mac string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM devices WHERE account_id = ? AND mac_address = ?`, accountID, mac).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("store: check mac: %w", err)
	}
	return id, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// InsertDevice stores a new device under a never-used key.
func (tx *Tx) InsertDevice(ctx context.Context, d *tenantdesk.Device) error {
	id, err := tx.newKey(ctx, "devices")
	if err != nil {
		return err
	}
	d.ID, d.CreatedAt, d.UpdatedAt = id, tx.now, tx.now
	if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, account_id, name, name_norm, kind, extension, mac_address, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, d.ID, d.AccountID, d.Name, normalizeName(d.Name), d.Kind, d.Extension, nullString(d.MacAddress),
		ms(tx.now), ms(tx.now)); err != nil {
		return fmt.Errorf("store: create device: %w", err)
	}
	return nil
}

// UpdateDevice stores a device's fields. See tenantdesk.DeviceTx.
func (tx *Tx) UpdateDevice(ctx context.Context, d *tenantdesk.Device) error {
	d.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE devices SET name = ?, name_norm = ?, kind = ?, extension = ?, mac_address = ?, updated_at = ?
		WHERE id = ? AND account_id = ?`, d.Name, normalizeName(d.Name), d.Kind, d.Extension, nullString(d.MacAddress), ms(tx.now),
		d.ID, d.AccountID); err != nil {
		return fmt.Errorf("store: update device: %w", err)
	}
	return nil
}

// DeleteDevice deletes a device; its assignment goes with it (ON DELETE CASCADE).
func (tx *Tx) DeleteDevice(ctx context.Context, accountID, deviceID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM devices WHERE id = ? AND account_id = ?`, deviceID, accountID); err != nil {
		return fmt.Errorf("store: delete device: %w", err)
	}
	return nil
}

// AssignSoftphone assigns a device to a user.
func (tx *Tx) AssignSoftphone(ctx context.Context, accountID, deviceID, userID int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO softphone_assignments (device_id, user_id, account_id, created_at) VALUES (?,?,?,?)`,
		deviceID, userID, accountID, ms(tx.now)); err != nil {
		return fmt.Errorf("store: assign softphone: %w", err)
	}
	return nil
}

// UnassignSoftphone removes a device from a user.
func (tx *Tx) UnassignSoftphone(ctx context.Context, accountID, deviceID, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM softphone_assignments WHERE device_id = ? AND user_id = ? AND account_id = ?`,
		deviceID, userID, accountID); err != nil {
		return fmt.Errorf("store: release softphone: %w", err)
	}
	return nil
}

// userSoftphones returns the softphones assigned to a user, by name.
func userSoftphones(ctx context.Context, q querier, accountID, userID int64) ([]*tenantdesk.Device, error) {
	rows, err := q.QueryContext(ctx, deviceSelect+`WHERE d.account_id = ? AND s.user_id = ? ORDER BY d.name_norm, d.id`, accountID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: user softphones: %w", err)
	}
	devices, _, err := scanDevices(rows)
	return devices, err
}
