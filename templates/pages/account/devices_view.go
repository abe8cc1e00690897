package account

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// DevicesView is the Devices tab: one page of the account's devices.
type DevicesView struct {
	Account *tenantdesk.Account
	Devices []*tenantdesk.Device
	// Kind is the kind filter, "" for all.
	Kind string
	// CanManage: customer.device.admin (create, edit, delete); otherwise read-only.
	CanManage bool
	// CanAssign: may assign softphones (the assigned user links to their softphones).
	CanAssign bool
	NextURL   string // "" on the last page
	FirstURL  string // "" on the first page
	Flash     []string
}

// DeviceFormView is the new-device form (Device nil) and a device's page.
type DeviceFormView struct {
	Account    *tenantdesk.Account
	Device     *tenantdesk.Device // nil when creating
	Name       string
	Kind       string
	Extension  string
	MacAddress string
	// Error is the translated message; FieldErrors by field name.
	Error       string
	FieldErrors map[string]string
	Flash       []string
	// CanManage: the fields are editable; read-only users see them disabled.
	CanManage bool
	// CanAssign and Holders offer "assigned to" for a softphone.
	CanAssign   bool
	Holders     []tenantdesk.DeviceUser
	AssignError string
}

// DeviceConfirmView asks before deleting a device.
type DeviceConfirmView struct {
	Account *tenantdesk.Account
	Device  *tenantdesk.Device
}

// SoftphonesView is a user's softphones: the account's free softphones and
// the user's own, as checkboxes.
type SoftphonesView struct {
	Account    *tenantdesk.Account
	User       *tenantdesk.User
	Softphones []*tenantdesk.Device
	// Checked holds the IDs shown as checked (the user's, or the posted ones after an error).
	Checked    map[int64]bool
	TakenCount int
	Error      string
	Flash      []string
}

// CanReadDevices reports whether the actor in ctx may see acc's devices,
// which decides whether the Devices tab is shown; the service checks again.
func CanReadDevices(ctx context.Context, acc *tenantdesk.Account) bool {
	return tenantdesk.DeviceAccessTo(tenantdesk.ActorFrom(ctx), acc) >= tenantdesk.DeviceAccessRead
}

// canAssignSoftphones reports whether the actor in ctx may assign softphones in acc.
func canAssignSoftphones(ctx context.Context, acc *tenantdesk.Account) bool {
	return tenantdesk.CanAssignSoftphones(tenantdesk.ActorFrom(ctx), acc)
}

func (f DeviceFormView) fieldError(name string) string { return f.FieldErrors[name] }

func deviceURL(d *tenantdesk.Device) string { return "/account/devices/" + deviceID(d.ID) }

func softphonesURL(userID int64) string {
	return "/account/users/" + tenantdesk.FormatUserID(userID) + "/softphones"
}

func deviceFormTitle(ctx context.Context, v DeviceFormView) string {
	if v.Device == nil {
		return view.T(ctx, "devices.new.title")
	}
	return v.Device.Name
}

func deviceFormAction(v DeviceFormView) string {
	if v.Device == nil {
		return "/account/devices"
	}
	return deviceURL(v.Device)
}

func kindBadge(kind string) string {
	if kind == tenantdesk.DeviceSoftphone {
		return "badge badge-blue"
	}
	return "badge badge-gray"
}

func devicesFilterURL(kind string) string {
	if kind == "" {
		return "/account/devices"
	}
	return "/account/devices?kind=" + kind
}

func assignedTo(d *tenantdesk.Device) int64 {
	if len(d.AssignedUsers) == 0 {
		return 0
	}
	return d.AssignedUsers[0].ID
}

// managesUsers reports whether the actor in ctx manages acc's users (the
// Layout's canAdmin: the Users, Licenses and Audit log tabs).
func managesUsers(ctx context.Context, acc *tenantdesk.Account) bool {
	return tenantdesk.AccessTo(tenantdesk.ActorFrom(ctx), acc) >= tenantdesk.AccessUserAdmin
}

// softphonesTab is the tab a user's softphones page belongs to: Users for
// user admins, Devices for device administrators.
func softphonesTab(ctx context.Context, acc *tenantdesk.Account) string {
	if managesUsers(ctx, acc) {
		return "users"
	}
	return "devices"
}
