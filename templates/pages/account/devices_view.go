package account

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// DevicesView is the Devices tab: one page of the account's devices.
type DevicesView struct {
	Account *tenantdesk.Account
	Devices []*tenantdesk.Device
	// Kind is the kind filter, "" for all.
	Kind string
	// Access: CanEditDevices shows the editing links, CanAssignSoftphones
	// links an assigned user to their softphones.
	Access
	NextURL  string // "" on the last page
	FirstURL string // "" on the first page
	Flash    []string
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
	// Access: with CanEditDevices the fields are editable (read-only users
	// see them disabled); CanAssignSoftphones with Holders offers
	// "assigned to" for a softphone.
	Access
	Holders     []tenantdesk.DeviceUser
	AssignError string
}

// DeviceConfirmView asks before deleting a device.
type DeviceConfirmView struct {
	Account *tenantdesk.Account
	Access
	Device *tenantdesk.Device
}

// SoftphonesView is a user's softphones: the account's free softphones and
// the user's own, as checkboxes.
type SoftphonesView struct {
	Account *tenantdesk.Account
	Access
	User       *tenantdesk.User
	Softphones []*tenantdesk.Device
	// Checked holds the IDs shown as checked (the user's, or the posted ones after an error).
	Checked    map[int64]bool
	TakenCount int
	Error      string
	Flash      []string
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

// softphonesTab is the tab a user's softphones page belongs to: Users for
// user admins, Devices for device administrators.
func softphonesTab(a Access) string {
	if a.CanAdmin {
		return "users"
	}
	return "devices"
}

// empty is what the Devices tab says without devices: under a filter, to
// a device administrator, to a read-only user.
func (v DevicesView) empty(ctx context.Context) components.EmptyStateProps {
	p := components.EmptyStateProps{TestID: "devices-empty", Message: view.T(ctx, "devices.empty")}
	switch {
	case v.Kind != "":
		p.Message, p.LinkURL, p.LinkLabel = view.T(ctx, "devices.empty_filter"), "/account/devices", view.T(ctx, "devices.filter.all")
	case v.CanEditDevices:
		p.Message = view.T(ctx, "devices.empty_admin")
	}
	return p
}

// kindOptions are the kinds of device, with "choose" first while none is.
func (f DeviceFormView) kindOptions(ctx context.Context) []components.Option {
	var opts []components.Option
	if f.Kind != tenantdesk.DeviceDeskphone && f.Kind != tenantdesk.DeviceSoftphone {
		opts = append(opts, components.Option{Value: "", Label: view.T(ctx, "devices.field.kind_choose"), Selected: true})
	}
	for _, k := range tenantdesk.DeviceKinds {
		opts = append(opts, components.Option{Value: k, Label: view.T(ctx, "devices.kind."+k), Selected: f.Kind == k})
	}
	return opts
}

// holderOptions are the users a softphone may be assigned to, after
// nobody (its label).
func (f DeviceFormView) holderOptions(nobody string) []components.Option {
	current := assignedTo(f.Device)
	opts := []components.Option{{Value: "", Label: nobody, Selected: current == 0}}
	for _, u := range f.Holders {
		opts = append(opts, components.Option{Value: userID(u.ID), Label: u.DisplayName, Selected: current == u.ID})
	}
	return opts
}

// body says what deleting the device does (and to whom it is assigned).
func (v DeviceConfirmView) body(ctx context.Context) string {
	if len(v.Device.AssignedUsers) > 0 {
		return view.T(ctx, "devices.confirm.body_assigned", map[string]any{"Name": v.Device.Name, "User": v.Device.AssignedUsers[0].DisplayName})
	}
	return view.T(ctx, "devices.confirm.body", map[string]any{"Name": v.Device.Name})
}

// options are the softphones as checkboxes.
func (v SoftphonesView) options() []components.CheckboxOption {
	out := make([]components.CheckboxOption, 0, len(v.Softphones))
	for _, d := range v.Softphones {
		out = append(out, components.CheckboxOption{ID: "softphone-" + deviceID(d.ID), Value: deviceID(d.ID), Checked: v.Checked[d.ID], Label: softphoneLabel(d)})
	}
	return out
}
