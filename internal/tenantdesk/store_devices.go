package tenantdesk

import "context"

// DeviceReads read an account's devices, inside a transaction or not.
type DeviceReads interface {
	// FindDevice returns the device of accountID with the user a softphone
	// is assigned to; ENOTFOUND if the account has no such device.
	FindDevice(ctx context.Context, accountID, deviceID int64) (*Device, error)
	// UserSoftphones returns the softphones assigned to a user of
	// accountID, by name (then ID).
	UserSoftphones(ctx context.Context, accountID, userID int64) ([]*Device, error)
}

// DeviceLists read lists of devices (outside transactions).
type DeviceLists interface {
	// DevicePage returns up to f.Limit of the account's devices in the
	// order of their names (keyset pagination on the name key and ID),
	// of kind f.Kind ("": all); EINVALID for a cursor that is not one.
	DevicePage(ctx context.Context, accountID int64, f DeviceFilter) (*DevicePage, error)
	// OfferedSoftphones returns the account's softphones that are free or
	// assigned to userID, by name, and how many softphones other users hold.
	OfferedSoftphones(ctx context.Context, accountID, userID int64) (softphones []*Device, takenByOthers int, err error)
	// RoleHolders lists the users of accountID who hold role, by name.
	RoleHolders(ctx context.Context, accountID int64, role string) ([]DeviceUser, error)
}

// DeviceTx writes devices and the assignment of softphones to users.
type DeviceTx interface {
	// DeviceWithMAC returns the ID of the account's device with the MAC
	// address mac, or 0 when none has it.
	DeviceWithMAC(ctx context.Context, accountID int64, mac string) (int64, error)
	// InsertDevice stores a new device of d.AccountID under a new ID that
	// was never used before (d.ID is set; CreatedAt and UpdatedAt become
	// the transaction's time).
	InsertDevice(ctx context.Context, d *Device) error
	// UpdateDevice stores d's name, kind, extension and MAC address
	// (d.UpdatedAt becomes the transaction's time).
	UpdateDevice(ctx context.Context, d *Device) error
	// DeleteDevice deletes a device of accountID with its assignment.
	DeleteDevice(ctx context.Context, accountID, deviceID int64) error
	// AssignSoftphone assigns a device of accountID to a user of it.
	AssignSoftphone(ctx context.Context, accountID, deviceID, userID int64) error
	// UnassignSoftphone removes a device of accountID from a user.
	UnassignSoftphone(ctx context.Context, accountID, deviceID, userID int64) error
	// ReleaseSoftphones unassigns every softphone of a user of accountID
	// and returns the ones it held (none: nil).
	ReleaseSoftphones(ctx context.Context, accountID, userID int64) ([]*Device, error)
}
