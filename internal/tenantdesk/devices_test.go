package tenantdesk

import (
	"strings"
	"testing"
	"time"
)

func TestNormalizeMAC(t *testing.T) {
	for in, want := range map[string]string{
		"00:1a:2b:3c:4d:5e":    "00:1a:2b:3c:4d:5e",
		"00:1A:2B:3C:4D:5E":    "00:1a:2b:3c:4d:5e",
		"00-1a-2b-3c-4d-5e":    "00:1a:2b:3c:4d:5e",
		"001a.2b3c.4d5e":       "00:1a:2b:3c:4d:5e",
		"001A2B3C4D5E":         "00:1a:2b:3c:4d:5e",
		" 00:1a:2b:3c:4d:5e ":  "00:1a:2b:3c:4d:5e",
		"02:00:00:00:00:01":    "02:00:00:00:00:01", // locally administered is fine
		"00:1a:2b:3c:4d":       "",
		"00:1a:2b:3c:4d:5e:6f": "",
		"00:1a-2b:3c:4d:5e":    "", // mixed separators
		"00:1g:2b:3c:4d:5e":    "",
		"00:00:00:00:00:00":    "", // all zero
		"ff:ff:ff:ff:ff:ff":    "", // broadcast
		"01:00:5e:00:00:01":    "", // multicast
		"":                     "",
		"001a2b3c4d5":          "",
	} {
		got, ok := NormalizeMAC(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeMAC(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestDeviceInputValidate(t *testing.T) {
	fields := func(err error) string {
		e := AsError(err)
		if e == nil {
			return ""
		}
		var f []string
		for _, fe := range e.Fields {
			f = append(f, fe.Field)
		}
		return strings.Join(f, ",")
	}
	for _, c := range []struct {
		in   DeviceInput
		want string
	}{
		{DeviceInput{Name: "Desk", Kind: "deskphone", MacAddress: "001a2b3c4d5e", Extension: "201"}, ""},
		{DeviceInput{Name: "Soft", Kind: "softphone"}, ""},
		{DeviceInput{Name: strings.Repeat("é", 100), Kind: "softphone"}, ""},
		{DeviceInput{Name: strings.Repeat("é", 101), Kind: "softphone"}, "name"},
		{DeviceInput{Name: "   ", Kind: "softphone"}, "name"},
		{DeviceInput{Name: "a\x00b", Kind: "softphone"}, "name"},
		{DeviceInput{Name: "x", Kind: "Deskphone", MacAddress: "001a2b3c4d5e"}, "kind"},
		{DeviceInput{Name: "x"}, "kind"},
		{DeviceInput{Name: "x", Kind: "softphone", Extension: "1"}, "extension"},
		{DeviceInput{Name: "x", Kind: "softphone", Extension: "12345678901"}, "extension"},
		{DeviceInput{Name: "x", Kind: "softphone", Extension: "+44"}, "extension"},
		{DeviceInput{Name: "x", Kind: "softphone", Extension: "1234567890"}, ""},
		{DeviceInput{Name: "x", Kind: "deskphone"}, "macAddress"},
		{DeviceInput{Name: "x", Kind: "softphone", MacAddress: "001a2b3c4d5e"}, "macAddress"},
		{DeviceInput{Name: "", Kind: "fax", Extension: "x"}, "name,kind,extension"},
	} {
		err := c.in.Validate()
		if got := fields(err); got != c.want {
			t.Errorf("%+v: fields %q, want %q (%v)", c.in, got, c.want, err)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("%+v: code %s", c.in, ErrorCode(err))
		}
	}
}

func TestDeviceAccess(t *testing.T) {
	partner := &Account{ID: 1, Kind: AccountPartner}
	cust := &Account{ID: 2, Kind: AccountCustomer, ParentID: 1}
	other := &Account{ID: 3, Kind: AccountCustomer, ParentID: 1}
	granted := &Account{ID: 4, Kind: AccountCustomer, ParentID: 1, FirstGrantAt: &time.Time{}}
	actor := func(acc *Account, owner bool, roles ...string) *Actor {
		return &Actor{User: &User{ID: 9, AccountID: acc.ID, IsOwner: owner, Roles: roles}, Account: acc}
	}
	impersonating := func(m AccessMode) *Actor {
		a := actor(partner, false, RolePartnerUser)
		a.Impersonation = &Impersonation{Mode: m, Account: granted}
		return a
	}
	withGrant := func(modes ...AccessMode) *Actor {
		a := actor(partner, false, RolePartnerUser)
		a.Grants = []Grant{{AccountID: granted.ID, Modes: modes}}
		return a
	}
	for _, c := range []struct {
		name          string
		a             *Actor
		acc           *Account
		level         int
		canAssign     bool
		readErr, wErr string
	}{
		{"owner", actor(cust, true), cust, DeviceAccessAdmin, true, "", ""},
		{"device admin", actor(cust, false, RoleCustomerUser, RoleDeviceAdmin), cust, DeviceAccessAdmin, true, "", ""},
		{"device read-only", actor(cust, false, RoleCustomerUser, RoleDeviceReadonly), cust, DeviceAccessRead, false, "", EFORBIDDEN},
		{"user admin", actor(cust, false, RoleCustomerUser, RoleUserAdmin), cust, DeviceAccessNone, true, EFORBIDDEN, EFORBIDDEN},
		{"member", actor(cust, false, RoleCustomerUser), cust, DeviceAccessNone, false, EFORBIDDEN, EFORBIDDEN},
		{"partner admin", actor(partner, true, RolePartnerAdmin), cust, DeviceAccessAdmin, true, "", ""},
		{"partner user", actor(partner, false, RolePartnerUser), cust, DeviceAccessNone, false, EAccessRequestRequired, EAccessRequestRequired},
		{"partner admin after the first grant", actor(partner, true, RolePartnerAdmin), granted, DeviceAccessNone, false, EAccessRequestRequired, EAccessRequestRequired},
		{"configure mode", impersonating(ModeConfigure), granted, DeviceAccessAdmin, true, "", ""},
		{"support mode", impersonating(ModeSupport), granted, DeviceAccessNone, true, EFORBIDDEN, EFORBIDDEN},
		{"configure mode elsewhere", impersonating(ModeConfigure), cust, DeviceAccessNone, false, ENOTFOUND, ENOTFOUND},
		{"API grant, configure", withGrant(ModeConfigure), granted, DeviceAccessAdmin, true, "", ""},
		{"API grant, support", withGrant(ModeSupport), granted, DeviceAccessNone, true, EFORBIDDEN, EFORBIDDEN},
		{"API grant elsewhere", withGrant(ModeConfigure, ModeSupport), cust, DeviceAccessNone, false, EAccessRequestRequired, EAccessRequestRequired},
		{"other customer's device admin", actor(other, false, RoleCustomerUser, RoleDeviceAdmin), cust, DeviceAccessNone, false, ENOTFOUND, ENOTFOUND},
		{"partner owner on own partner account", actor(partner, true, RolePartnerAdmin), partner, DeviceAccessNone, false, EFORBIDDEN, EFORBIDDEN},
		{"operator", &Actor{Operator: true}, cust, DeviceAccessAdmin, true, "", ""},
	} {
		if got := DeviceAccessTo(c.a, c.acc); got != c.level {
			t.Errorf("%s: level %d, want %d", c.name, got, c.level)
		}
		if got := CanAssignSoftphones(c.a, c.acc); got != c.canAssign {
			t.Errorf("%s: can assign %v", c.name, got)
		}
		if got := ErrorCode(AuthorizeDevices(c.a, c.acc, DeviceAccessRead)); got != c.readErr {
			t.Errorf("%s: read %q, want %q", c.name, got, c.readErr)
		}
		if got := ErrorCode(AuthorizeDevices(c.a, c.acc, DeviceAccessAdmin)); got != c.wErr {
			t.Errorf("%s: write %q, want %q", c.name, got, c.wErr)
		}
	}
	if ErrorCode(AuthorizeDevices(nil, cust, DeviceAccessRead)) != EUNAUTHORIZED {
		t.Error("anonymous")
	}
}
