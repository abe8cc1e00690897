package tenantdesk

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Devices of a customer account (SPEC §5, seed 003's "update user device"):
// deskphones, provisioned by their MAC address, and softphones, which are
// assigned to users who hold customer.user.uc.softphone.
//
// Decisions taken here (and enforced by DeviceService implementations):
//   - A softphone belongs to at most one user: it is one registration on the
//     phone platform, with its own credentials, so sharing it would ring one
//     person's calls on another's client. Adding a softphone that another
//     user holds to a user's set is ESoftphoneAssigned (409): remove it from
//     that user first. From the device's side (AssignSoftphone: "assigned
//     to" on the device's page) choosing another user moves it explicitly.
//   - Softphones are assigned by whoever manages either side: user admins
//     (AccessUserAdmin: the Owner, user.admin, the partner's partner.admin)
//     and device administrators (customer.device.admin). Read-only device
//     access is not enough. Whoever may assign also sees the account's
//     softphones in the picker.
//   - When a user loses customer.user.uc.softphone, their softphones are
//     released in the same transaction as the role change and audited
//     (user.softphones, reason "role removed"); deleting a user releases
//     them too. Disabling a user keeps them (enabling restores the user as
//     they were).
//   - A deskphone must have a MAC address, unique within the account; a
//     softphone has none. Extensions are optional and not unique: one
//     person's deskphone and softphone usually ring on the same extension.
//   - Only customer accounts have devices; partner accounts have no device
//     roles, so their members get EFORBIDDEN.

// Device kinds.
const (
	DeviceDeskphone = "deskphone"
	DeviceSoftphone = "softphone"
)

// DeviceKinds lists the kinds in display order.
var DeviceKinds = []string{DeviceDeskphone, DeviceSoftphone}

// Limits of device fields.
const (
	MaxDeviceNameLen = 100
	MinExtensionLen  = 2
	MaxExtensionLen  = 10
)

// Codes of the device rules, reported to API clients in problem+json.
const (
	// ESoftphoneRoleRequired: softphones go only to holders of
	// customer.user.uc.softphone (422).
	ESoftphoneRoleRequired = "softphone_role_required"
	// ENotASoftphone: a deskphone cannot be assigned to a user (422).
	ENotASoftphone = "not_a_softphone"
	// ESoftphoneAssigned: the softphone belongs to another user, or a
	// softphone in use cannot become a deskphone (409).
	ESoftphoneAssigned = "softphone_assigned"
	// EMacAddressTaken: another device of the account has this MAC (409).
	EMacAddressTaken = "mac_address_taken"
)

// Audit actions of devices.
const (
	AuditDeviceCreate  = "device.create"
	AuditDeviceUpdate  = "device.update"
	AuditDeviceDelete  = "device.delete"
	AuditUserSoftphone = "user.softphones"
)

// Device is one device of an account.
type Device struct {
	ID        int64
	AccountID int64
	Name      string
	Kind      string // DeviceDeskphone or DeviceSoftphone
	// Extension is the phone extension, digits only, "" when none.
	Extension string
	// MacAddress is the normalised MAC (aa:bb:cc:dd:ee:ff) of a deskphone, "" for softphones.
	MacAddress string
	// AssignedUsers holds the user a softphone is assigned to (at most one); empty otherwise.
	AssignedUsers []DeviceUser
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// DeviceUser names a user a device is assigned to.
type DeviceUser struct {
	ID          int64
	DisplayName string
}

// AssignedUserIDs returns the IDs of the users the device is assigned to.
func (d *Device) AssignedUserIDs() []int64 {
	ids := make([]int64, 0, len(d.AssignedUsers))
	for _, u := range d.AssignedUsers {
		ids = append(ids, u.ID)
	}
	return ids
}

// DeviceInput is what is needed to create a device.
type DeviceInput struct {
	Name       string
	Kind       string
	Extension  string
	MacAddress string
}

// DevicePatch changes some of a device's fields; nil fields stay as they are.
type DevicePatch struct {
	Name       *string
	Kind       *string
	Extension  *string
	MacAddress *string
}

// Apply returns d's fields with p applied, as a DeviceInput.
func (p DevicePatch) Apply(d *Device) DeviceInput {
	in := DeviceInput{Name: d.Name, Kind: d.Kind, Extension: d.Extension, MacAddress: d.MacAddress}
	if p.Name != nil {
		in.Name = *p.Name
	}
	if p.Kind != nil {
		in.Kind = *p.Kind
		// A deskphone turned softphone loses its MAC unless a new one is given
		// (which Validate then refuses).
		if in.Kind == DeviceSoftphone && p.MacAddress == nil {
			in.MacAddress = ""
		}
	}
	if p.Extension != nil {
		in.Extension = *p.Extension
	}
	if p.MacAddress != nil {
		in.MacAddress = *p.MacAddress
	}
	return in
}

// Validate trims and normalises in (the MAC becomes aa:bb:cc:dd:ee:ff) and
// returns EINVALID with one FieldError per bad field, or nil.
func (in *DeviceInput) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Kind = strings.TrimSpace(in.Kind)
	in.Extension = strings.TrimSpace(in.Extension)
	in.MacAddress = strings.TrimSpace(in.MacAddress)
	var fields []FieldError
	add := func(field, key, msg string) {
		fields = append(fields, FieldError{Field: field, Key: key, Message: msg})
	}
	n := utf8.RuneCountInString(in.Name)
	switch {
	case !utf8.ValidString(in.Name) || strings.ContainsFunc(in.Name, isControl):
		add("name", "device.error.name_invalid", "Name holds characters that are not allowed.")
	case n == 0:
		add("name", "device.error.name_required", "Name is required.")
	case n > MaxDeviceNameLen:
		add("name", "device.error.name_too_long", "Name must be at most 100 characters.")
	}
	switch in.Kind {
	case DeviceDeskphone, DeviceSoftphone:
	case "":
		add("kind", "device.error.kind_required", "Kind is required: deskphone or softphone.")
	default:
		add("kind", "device.error.kind_unknown", "Kind must be deskphone or softphone.")
	}
	if in.Extension != "" && !validExtension(in.Extension) {
		add("extension", "device.error.extension_invalid", "Extension must be 2 to 10 digits.")
	}
	switch {
	case in.Kind == DeviceSoftphone && in.MacAddress != "":
		add("macAddress", "device.error.mac_softphone", "Softphones have no MAC address; leave it empty.")
	case in.Kind == DeviceDeskphone && in.MacAddress == "":
		add("macAddress", "device.error.mac_required", "A deskphone needs its MAC address, such as 00:1a:2b:3c:4d:5e.")
	case in.MacAddress != "":
		mac, ok := NormalizeMAC(in.MacAddress)
		if !ok {
			add("macAddress", "device.error.mac_invalid", "MAC address must be 12 hexadecimal digits, such as 00:1a:2b:3c:4d:5e.")
		} else {
			in.MacAddress = mac
		}
	}
	if len(fields) > 0 {
		return &Error{Code: EINVALID, Message: fields[0].Message, Key: fields[0].Key, Fields: fields}
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func validExtension(s string) bool {
	if len(s) < MinExtensionLen || len(s) > MaxExtensionLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeMAC accepts a MAC address written as aa:bb:cc:dd:ee:ff,
// aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff or aabbccddeeff (any case) and returns
// it as lower-case aa:bb:cc:dd:ee:ff. It refuses the all-zero address and
// group (multicast or broadcast) addresses, which no phone has.
func NormalizeMAC(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	var hex []byte
	switch {
	case len(s) == 17 && (strings.Count(s, ":") == 5 || strings.Count(s, "-") == 5):
		sep := s[2]
		for i := 0; i < len(s); i++ {
			if i%3 == 2 {
				if s[i] != sep {
					return "", false
				}
				continue
			}
			hex = append(hex, s[i])
		}
	case len(s) == 14 && strings.Count(s, ".") == 2 && s[4] == '.' && s[9] == '.':
		hex = []byte(strings.ReplaceAll(s, ".", ""))
	case len(s) == 12:
		hex = []byte(s)
	default:
		return "", false
	}
	if len(hex) != 12 {
		return "", false
	}
	allZero := true
	for _, c := range hex {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
		if c != '0' {
			allZero = false
		}
	}
	// The low bit of the first octet marks a group address.
	if allZero || hexVal(hex[1])&1 == 1 {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.Write(hex[i : i+2])
	}
	return b.String(), true
}

func hexVal(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

// Device access levels on an account, from none to administration.
const (
	DeviceAccessNone = iota
	DeviceAccessRead
	DeviceAccessAdmin
)

// DeviceAccessTo returns the actor's access to acc's devices: administration
// for the Owner, holders of customer.device.admin (partner staff in
// configure mode among them), the partner.admin of the account's partner
// while the legacy rule holds, and the operator; read for holders of
// customer.device.readonly; none otherwise (and in partner accounts, which
// have no devices).
func DeviceAccessTo(a *Actor, acc *Account) int {
	if acc == nil || acc.Kind != AccountCustomer || AccessTo(a, acc) == AccessNone {
		return DeviceAccessNone
	}
	if a.Operator || (a.User.AccountID != acc.ID && legacyPartnerAdmin(a, acc) && !a.Impersonating() && a.grantAt(acc.ID) == nil) {
		return DeviceAccessAdmin
	}
	roles, owner := ActingRoles(a, acc)
	switch {
	case owner || slices.Contains(roles, RoleDeviceAdmin):
		return DeviceAccessAdmin
	case slices.Contains(roles, RoleDeviceReadonly):
		return DeviceAccessRead
	}
	return DeviceAccessNone
}

// AuthorizeDevices returns nil when the actor has at least level on acc's
// devices, ENOTFOUND when acc is not theirs to see at all, EFORBIDDEN when
// it is but the level is too low, and EUNAUTHORIZED without an actor.
func AuthorizeDevices(a *Actor, acc *Account, level int) error {
	if a == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if DeviceAccessTo(a, acc) >= level {
		return nil
	}
	return Authorize(a, acc, AccessUserAdmin+1) // not found, access request required, or forbidden
}

// CanAssignSoftphones reports whether the actor may assign softphones to
// acc's users: user admins and device administrators.
func CanAssignSoftphones(a *Actor, acc *Account) bool {
	return acc != nil && acc.Kind == AccountCustomer &&
		(AccessTo(a, acc) >= AccessUserAdmin || DeviceAccessTo(a, acc) >= DeviceAccessAdmin)
}

// AuthorizeSoftphones is AuthorizeDevices for assigning softphones.
func AuthorizeSoftphones(a *Actor, acc *Account) error {
	if a == nil {
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	if CanAssignSoftphones(a, acc) {
		return nil
	}
	return Authorize(a, acc, AccessUserAdmin+1) // not found, access request required, or forbidden
}

// DeviceFilter selects a page of an account's devices, ordered by name.
type DeviceFilter struct {
	// Kind keeps only devices of this kind; "" keeps all.
	Kind string
	// After is the cursor of the previous page (DevicePage.NextCursor); "" for the first page.
	After string
	// Limit is the page size, 1–200; 0 means 50.
	Limit int
}

// DevicePage is one page of devices. NextCursor is "" on the last page.
type DevicePage struct {
	Devices    []*Device
	NextCursor string
}

// SoftphoneChoice is what the softphone picker of one user offers.
type SoftphoneChoice struct {
	User *User
	// Softphones are the account's softphones that are free or assigned to
	// User, by name; the ones assigned to User list them in AssignedUsers.
	Softphones []*Device
	// TakenCount is how many softphones other users hold.
	TakenCount int
}

// DeviceService manages the devices of an account. Reading needs
// DeviceAccessRead, changes DeviceAccessAdmin, softphone assignment
// CanAssignSoftphones; an account the actor may not see is ENOTFOUND and so
// is any device or user not in the account. Every change is audited in the
// same transaction.
type DeviceService interface {
	// ListDevices returns a page of the account's devices by name. EINVALID for a bad cursor or kind.
	ListDevices(ctx context.Context, accountID int64, f DeviceFilter) (*DevicePage, error)
	// GetDevice returns one device; ENOTFOUND if it is not in the account.
	GetDevice(ctx context.Context, accountID, deviceID int64) (*Device, error)
	// CreateDevice creates a device. Returns EINVALID or EMacAddressTaken.
	CreateDevice(ctx context.Context, accountID int64, in DeviceInput) (*Device, error)
	// UpdateDevice changes a device. Returns EINVALID, EMacAddressTaken, or
	// ESoftphoneAssigned when an assigned softphone would become a deskphone.
	UpdateDevice(ctx context.Context, accountID, deviceID int64, p DevicePatch) (*Device, error)
	// DeleteDevice deletes a device, releasing its assignment.
	DeleteDevice(ctx context.Context, accountID, deviceID int64) error
	// SoftphoneChoice returns the user and the softphones that may be
	// assigned to them (CanAssignSoftphones).
	SoftphoneChoice(ctx context.Context, accountID, userID int64) (*SoftphoneChoice, error)
	// SetUserSoftphones makes deviceIDs the user's whole set of softphones
	// and returns them by name. Returns ESoftphoneRoleRequired when the user
	// lacks customer.user.uc.softphone (an empty set is always accepted),
	// ENOTFOUND for a device not in the account, ENotASoftphone for a
	// deskphone and ESoftphoneAssigned for another user's softphone.
	SetUserSoftphones(ctx context.Context, accountID, userID int64, deviceIDs []int64) ([]*Device, error)
	// SoftphoneHolders lists the account's users who hold
	// customer.user.uc.softphone, by name (CanAssignSoftphones): whom a
	// softphone may be assigned to.
	SoftphoneHolders(ctx context.Context, accountID int64) ([]DeviceUser, error)
	// AssignSoftphone assigns one softphone to userID, moving it from the
	// user who held it, or releases it when userID is 0; both users' sets
	// are audited. Errors as SetUserSoftphones.
	AssignSoftphone(ctx context.Context, accountID, deviceID, userID int64) (*Device, error)
}
