package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// deviceFixture adds device roles to the account-users fixture: c1 has a
// device admin, a read-only device user and a softphone holder.
type deviceFixture struct {
	*fixture
	devAdmin, devReader, softy *tenantdesk.User
}

func newDeviceFixture(t *testing.T) *deviceFixture {
	t.Helper()
	f := &deviceFixture{fixture: newFixture(t)}
	op := tenantdesk.OperatorContext(context.Background())
	for _, p := range []struct {
		u     **tenantdesk.User
		name  string
		roles []string
	}{
		{&f.devAdmin, "Dev Admin", []string{"customer.user", "customer.device.admin"}},
		{&f.devReader, "Dev Reader", []string{"customer.user", "customer.device.readonly"}},
		{&f.softy, "Softy", []string{"customer.user", "customer.user.uc", "customer.user.uc.softphone"}},
	} {
		u := &tenantdesk.User{AccountID: f.C1.ID, DisplayName: p.name, Email: strings.ReplaceAll(strings.ToLower(p.name), " ", ".") + "@c1.example", Roles: p.roles}
		must(t, servicetest.NewOps(t, f.db).CreateUser(op, u))
		*p.u = u
	}
	return f
}

func (f *deviceFixture) device(t *testing.T, accountID int64, name, kind, mac string) *tenantdesk.Device {
	t.Helper()
	d, err := f.svc.Devices.CreateDevice(tenantdesk.OperatorContext(context.Background()), accountID,
		tenantdesk.DeviceInput{Name: name, Kind: kind, MacAddress: mac, Extension: "201"})
	must(t, err)
	return d
}

func TestDeviceAuthorization(t *testing.T) {
	f := newDeviceFixture(t)
	db := f.svc.Devices
	desk := f.device(t, f.C1.ID, "Front desk", tenantdesk.DeviceDeskphone, "00:1a:2b:3c:4d:5e")
	for i, c := range []struct {
		name              string
		actor             *tenantdesk.User
		wantRead, wantMod string
	}{
		{"owner", f.Owner1, "", ""},
		{"device admin", f.devAdmin, "", ""},
		{"partner admin of the customer's partner", f.PartnerOwner, "", ""},
		{"device read-only", f.devReader, "", tenantdesk.EFORBIDDEN},
		{"user admin without device roles", f.Admin1, tenantdesk.EFORBIDDEN, tenantdesk.EFORBIDDEN},
		{"plain member", f.Member1, tenantdesk.EFORBIDDEN, tenantdesk.EFORBIDDEN},
		{"partner staff without partner.admin (their customer: an access request is needed)", f.PartnerUser, tenantdesk.EAccessRequestRequired, tenantdesk.EAccessRequestRequired},
		{"owner of another customer", f.Owner2, tenantdesk.ENOTFOUND, tenantdesk.ENOTFOUND},
		{"admin of another partner", f.OtherPartnerAdmin, tenantdesk.ENOTFOUND, tenantdesk.ENOTFOUND},
	} {
		ctx := f.as(c.actor)
		if _, err := db.ListDevices(ctx, f.C1.ID, tenantdesk.DeviceFilter{}); code(err) != c.wantRead {
			t.Errorf("%s: ListDevices = %v, want %q", c.name, err, c.wantRead)
		}
		if _, err := db.GetDevice(ctx, f.C1.ID, desk.ID); code(err) != c.wantRead {
			t.Errorf("%s: GetDevice = %v, want %q", c.name, err, c.wantRead)
		}
		mac := fmt.Sprintf("02:00:00:00:00:%02x", i+1)
		if _, err := db.CreateDevice(ctx, f.C1.ID, tenantdesk.DeviceInput{Name: "New " + c.name, Kind: "deskphone", MacAddress: mac}); code(err) != c.wantMod {
			t.Errorf("%s: CreateDevice = %v, want %q", c.name, err, c.wantMod)
		}
		name := "Renamed by " + c.name
		if _, err := db.UpdateDevice(ctx, f.C1.ID, desk.ID, tenantdesk.DevicePatch{Name: &name}); code(err) != c.wantMod {
			t.Errorf("%s: UpdateDevice = %v, want %q", c.name, err, c.wantMod)
		}
	}
	if _, err := db.ListDevices(context.Background(), f.C1.ID, tenantdesk.DeviceFilter{}); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Errorf("anonymous: %v", err)
	}
	// A device of c1 addressed through c2 is not found, even by c2's Owner.
	for _, err := range []error{
		func() error { _, err := db.GetDevice(f.as(f.Owner2), f.C2.ID, desk.ID); return err }(),
		func() error {
			n := "x"
			_, err := db.UpdateDevice(f.as(f.Owner2), f.C2.ID, desk.ID, tenantdesk.DevicePatch{Name: &n})
			return err
		}(),
		db.DeleteDevice(f.as(f.Owner2), f.C2.ID, desk.ID),
	} {
		if code(err) != tenantdesk.ENOTFOUND {
			t.Errorf("c1's device through c2: %v", err)
		}
	}
	if _, err := db.GetDevice(f.as(f.Owner1), f.C1.ID, desk.ID); err != nil {
		t.Fatalf("device touched through another account: %v", err)
	}
	// Partner accounts have no devices: their Owner is refused.
	if _, err := db.ListDevices(f.as(f.PartnerOwner), f.Partner.ID, tenantdesk.DeviceFilter{}); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("partner account's devices: %v", err)
	}
}

func TestDeviceValidationAndMacUniqueness(t *testing.T) {
	f := newDeviceFixture(t)
	db, ctx := f.svc.Devices, f.as(f.devAdmin)
	d, err := db.CreateDevice(ctx, f.C1.ID, tenantdesk.DeviceInput{Name: "  Lobby  ", Kind: "deskphone", MacAddress: "001A.2B3C.4D5E", Extension: "100"})
	must(t, err)
	if d.Name != "Lobby" || d.MacAddress != "00:1a:2b:3c:4d:5e" {
		t.Fatalf("not normalised: %+v", d)
	}
	for _, c := range []struct {
		in    tenantdesk.DeviceInput
		field string
		code  string
	}{
		{tenantdesk.DeviceInput{Name: strings.Repeat("n", 101), Kind: "softphone"}, "name", tenantdesk.EINVALID},
		{tenantdesk.DeviceInput{Name: "", Kind: "softphone"}, "name", tenantdesk.EINVALID},
		{tenantdesk.DeviceInput{Name: "x", Kind: "fax"}, "kind", tenantdesk.EINVALID},
		{tenantdesk.DeviceInput{Name: "x", Kind: "deskphone", MacAddress: "00:1a:2b:3c:4d"}, "macAddress", tenantdesk.EINVALID},
		{tenantdesk.DeviceInput{Name: "x", Kind: "deskphone"}, "macAddress", tenantdesk.EINVALID},
		{tenantdesk.DeviceInput{Name: "x", Kind: "softphone", MacAddress: "00:1a:2b:3c:4d:5f"}, "macAddress", tenantdesk.EINVALID},
		{tenantdesk.DeviceInput{Name: "x", Kind: "softphone", Extension: "1"}, "extension", tenantdesk.EINVALID},
		{tenantdesk.DeviceInput{Name: "x", Kind: "softphone", Extension: "12a"}, "extension", tenantdesk.EINVALID},
		{tenantdesk.DeviceInput{Name: "x", Kind: "deskphone", MacAddress: "00-1A-2B-3C-4D-5E"}, "macAddress", tenantdesk.EMacAddressTaken},
	} {
		_, err := db.CreateDevice(ctx, f.C1.ID, c.in)
		e := tenantdesk.AsError(err)
		if e == nil || e.Code != c.code || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
			t.Errorf("%+v: %v (%+v)", c.in, err, e)
		}
	}
	// The same MAC in another account is fine: uniqueness is per account.
	if _, err := db.CreateDevice(f.as(f.Owner2), f.C2.ID, tenantdesk.DeviceInput{Name: "Twin", Kind: "deskphone", MacAddress: "00:1a:2b:3c:4d:5e"}); err != nil {
		t.Errorf("same MAC in c2: %v", err)
	}
	// Updating to another device's MAC conflicts; keeping one's own does not.
	other, err := db.CreateDevice(ctx, f.C1.ID, tenantdesk.DeviceInput{Name: "Other", Kind: "deskphone", MacAddress: "00:1a:2b:3c:4d:60"})
	must(t, err)
	mac := "00:1A:2B:3C:4D:5E"
	if _, err := db.UpdateDevice(ctx, f.C1.ID, other.ID, tenantdesk.DevicePatch{MacAddress: &mac}); code(err) != tenantdesk.EMacAddressTaken {
		t.Errorf("update to a taken MAC: %v", err)
	}
	name := "Lobby phone"
	if got, err := db.UpdateDevice(ctx, f.C1.ID, d.ID, tenantdesk.DevicePatch{Name: &name, MacAddress: &mac}); err != nil || got.Name != name {
		t.Errorf("rename keeping the MAC: %v %+v", err, got)
	}
	// Turning a deskphone into a softphone drops its MAC.
	kind := "softphone"
	if got, err := db.UpdateDevice(ctx, f.C1.ID, other.ID, tenantdesk.DevicePatch{Kind: &kind}); err != nil || got.MacAddress != "" {
		t.Errorf("deskphone to softphone: %v %+v", err, got)
	}
	// Audited in the same transaction: create, update, with before/after.
	entries, err := f.db.ListAudit(context.Background(), f.C1.ID, 50)
	must(t, err)
	var actions []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "device.") {
			actions = append(actions, e.Action)
		}
	}
	if strings.Join(actions, ",") != "device.update,device.update,device.create,device.create" {
		t.Errorf("audit: %v", actions)
	}
	if e := entries[0]; e.ActorUserID != f.devAdmin.ID || !strings.Contains(e.Before, "deskphone") || !strings.Contains(e.After, "softphone") {
		t.Errorf("last audit entry: %+v", e)
	}
}

func TestListDevicesPagesAndFilters(t *testing.T) {
	f := newDeviceFixture(t)
	db, ctx := f.svc.Devices, f.as(f.devReader)
	for i := 0; i < 7; i++ {
		kind, mac := "softphone", ""
		if i%2 == 0 {
			kind, mac = "deskphone", fmt.Sprintf("02:00:00:00:01:%02x", i)
		}
		f.device(t, f.C1.ID, fmt.Sprintf("Phone %d", i), kind, mac)
	}
	f.device(t, f.C2.ID, "Phone of c2", "softphone", "")
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		page, err := db.ListDevices(ctx, f.C1.ID, tenantdesk.DeviceFilter{Limit: 3, After: cursor})
		must(t, err)
		for _, d := range page.Devices {
			seen = append(seen, d.Name)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("no end")
		}
	}
	if len(seen) != 7 || seen[0] != "Phone 0" || seen[6] != "Phone 6" {
		t.Errorf("pages: %v", seen)
	}
	soft, err := db.ListDevices(ctx, f.C1.ID, tenantdesk.DeviceFilter{Kind: "softphone"})
	must(t, err)
	if len(soft.Devices) != 3 {
		t.Errorf("softphones: %d", len(soft.Devices))
	}
	if _, err := db.ListDevices(ctx, f.C1.ID, tenantdesk.DeviceFilter{Kind: "fax"}); code(err) != tenantdesk.EINVALID {
		t.Errorf("bad kind: %v", err)
	}
	if _, err := db.ListDevices(ctx, f.C1.ID, tenantdesk.DeviceFilter{After: "!!"}); code(err) != tenantdesk.EINVALID {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestSetUserSoftphones(t *testing.T) {
	f := newDeviceFixture(t)
	db := f.svc.Devices
	s1 := f.device(t, f.C1.ID, "Softphone A", "softphone", "")
	s2 := f.device(t, f.C1.ID, "Softphone B", "softphone", "")
	desk := f.device(t, f.C1.ID, "Desk", "deskphone", "00:1a:2b:3c:4d:5e")
	foreign := f.device(t, f.C2.ID, "Foreign", "softphone", "")

	// Who may assign: user admins and device admins; not read-only, not members.
	for _, c := range []struct {
		name  string
		actor *tenantdesk.User
		want  string
	}{
		{"owner", f.Owner1, ""},
		{"user admin", f.Admin1, ""},
		{"device admin", f.devAdmin, ""},
		{"partner admin", f.PartnerOwner, ""},
		{"device read-only", f.devReader, tenantdesk.EFORBIDDEN},
		{"plain member", f.Member1, tenantdesk.EFORBIDDEN},
		{"another customer's owner", f.Owner2, tenantdesk.ENOTFOUND},
		{"another partner", f.OtherPartnerAdmin, tenantdesk.ENOTFOUND},
	} {
		if _, err := db.SetUserSoftphones(f.as(c.actor), f.C1.ID, f.softy.ID, []int64{s1.ID}); code(err) != c.want {
			t.Errorf("%s: SetUserSoftphones = %v, want %q", c.name, err, c.want)
		}
		if _, err := db.SoftphoneChoice(f.as(c.actor), f.C1.ID, f.softy.ID); code(err) != c.want {
			t.Errorf("%s: SoftphoneChoice = %v, want %q", c.name, err, c.want)
		}
	}

	ctx := f.as(f.Admin1)
	got, err := db.SetUserSoftphones(ctx, f.C1.ID, f.softy.ID, []int64{s2.ID, s1.ID, s2.ID})
	must(t, err)
	if len(got) != 2 || got[0].ID != s1.ID || got[1].ID != s2.ID || got[0].AssignedUsers[0].ID != f.softy.ID {
		t.Fatalf("assigned: %+v", got)
	}
	for _, c := range []struct {
		name string
		user int64
		ids  []int64
		want string
	}{
		{"user without the softphone role", f.Member1.ID, []int64{s1.ID}, tenantdesk.ESoftphoneRoleRequired},
		{"a deskphone", f.softy.ID, []int64{desk.ID}, tenantdesk.ENotASoftphone},
		{"another account's device", f.softy.ID, []int64{foreign.ID}, tenantdesk.ENOTFOUND},
		{"an unknown device", f.softy.ID, []int64{999999}, tenantdesk.ENOTFOUND},
		{"another account's user", f.Owner2.ID, nil, tenantdesk.ENOTFOUND},
	} {
		if _, err := db.SetUserSoftphones(ctx, f.C1.ID, c.user, c.ids); code(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// One user per softphone: Owner 1 cannot take Softy's softphone.
	owner := f.Owner1
	roles := append(append([]string{}, owner.Roles...), "customer.user.uc", "customer.user.uc.softphone")
	_, err = f.users.UpdateUser(ctx, f.C1.ID, owner.ID, tenantdesk.UserPatch{Roles: &roles})
	must(t, err)
	if _, err := db.SetUserSoftphones(ctx, f.C1.ID, owner.ID, []int64{s1.ID}); code(err) != tenantdesk.ESoftphoneAssigned {
		t.Errorf("taking another user's softphone: %v", err)
	}
	// The picker offers free softphones and the user's own.
	choice, err := db.SoftphoneChoice(ctx, f.C1.ID, owner.ID)
	must(t, err)
	if len(choice.Softphones) != 0 || choice.TakenCount != 2 {
		t.Errorf("owner's choice: %+v", choice)
	}
	// An assigned softphone cannot become a deskphone.
	kind, mac := "deskphone", "00:1a:2b:3c:4d:70"
	if _, err := db.UpdateDevice(f.as(f.devAdmin), f.C1.ID, s1.ID, tenantdesk.DevicePatch{Kind: &kind, MacAddress: &mac}); code(err) != tenantdesk.ESoftphoneAssigned {
		t.Errorf("assigned softphone to deskphone: %v", err)
	}
	// Clearing always works, even without the role.
	if got, err := db.SetUserSoftphones(ctx, f.C1.ID, f.Member1.ID, nil); err != nil || len(got) != 0 {
		t.Errorf("empty set for a user without the role: %v %v", got, err)
	}

	// Losing the role releases the softphones in the same change, audited.
	softyRoles := []string{"customer.user", "customer.user.uc"}
	_, err = f.users.UpdateUser(ctx, f.C1.ID, f.softy.ID, tenantdesk.UserPatch{Roles: &softyRoles})
	must(t, err)
	choice, err = db.SoftphoneChoice(ctx, f.C1.ID, owner.ID)
	must(t, err)
	if len(choice.Softphones) != 2 || choice.TakenCount != 0 {
		t.Errorf("after the role was removed: %+v", choice)
	}
	entries, err := f.db.ListAudit(context.Background(), f.C1.ID, 5)
	must(t, err)
	if e := entries[0]; e.Action != tenantdesk.AuditUserSoftphone || e.TargetID != tenantdesk.FormatUserID(f.softy.ID) ||
		!strings.Contains(e.Before, "Softphone A") || !strings.Contains(e.After, "role customer.user.uc.softphone removed") {
		t.Errorf("release audit: %+v", e)
	}
	if entries[1].Action != "user.update" {
		t.Errorf("role change audit: %+v", entries[1])
	}
}

func TestDeleteDeviceReleasesAssignment(t *testing.T) {
	f := newDeviceFixture(t)
	db, ctx := f.svc.Devices, f.as(f.devAdmin)
	s := f.device(t, f.C1.ID, "Softphone", "softphone", "")
	_, err := db.SetUserSoftphones(ctx, f.C1.ID, f.softy.ID, []int64{s.ID})
	must(t, err)
	must(t, db.DeleteDevice(ctx, f.C1.ID, s.ID))
	if _, err := db.GetDevice(ctx, f.C1.ID, s.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("deleted device: %v", err)
	}
	entries, err := f.db.ListAudit(context.Background(), f.C1.ID, 1)
	must(t, err)
	if e := entries[0]; e.Action != tenantdesk.AuditDeviceDelete || !strings.Contains(e.Before, fmt.Sprintf(`"assignedUserIds":[%d]`, f.softy.ID)) {
		t.Errorf("delete audit: %+v", e)
	}
	// Deleting a user releases their softphones (the assignment goes with the user).
	s2 := f.device(t, f.C1.ID, "Softphone 2", "softphone", "")
	_, err = db.SetUserSoftphones(ctx, f.C1.ID, f.softy.ID, []int64{s2.ID})
	must(t, err)
	must(t, f.users.DeleteUser(f.as(f.Owner1), f.C1.ID, f.softy.ID))
	if d, err := db.GetDevice(ctx, f.C1.ID, s2.ID); err != nil || len(d.AssignedUsers) != 0 {
		t.Errorf("after deleting the user: %v %+v", err, d)
	}
	// One request holds at most MaxSoftphonesPerUser softphones.
	many := make([]int64, service.MaxSoftphonesPerUser+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	if _, err := db.SetUserSoftphones(ctx, f.C1.ID, f.Admin1.ID, many); code(err) != tenantdesk.EINVALID {
		t.Errorf("too many: %v", err)
	}
}

func TestAssignSoftphoneFromTheDevice(t *testing.T) {
	f := newDeviceFixture(t)
	db, ctx := f.svc.Devices, f.as(f.devAdmin)
	s := f.device(t, f.C1.ID, "Softphone", "softphone", "")
	desk := f.device(t, f.C1.ID, "Desk", "deskphone", "00:1a:2b:3c:4d:5e")
	other := &tenantdesk.User{AccountID: f.C1.ID, DisplayName: "Other Softy", Email: "other.softy@c1.example",
		Roles: []string{"customer.user", "customer.user.uc", "customer.user.uc.softphone"}}
	must(t, servicetest.NewOps(t, f.db).CreateUser(tenantdesk.OperatorContext(context.Background()), other))

	holders, err := db.SoftphoneHolders(ctx, f.C1.ID)
	must(t, err)
	if len(holders) != 2 || holders[0].DisplayName != "Other Softy" || holders[1].ID != f.softy.ID {
		t.Fatalf("holders: %+v", holders)
	}
	if _, err := db.SoftphoneHolders(f.as(f.devReader), f.C1.ID); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("holders for a reader: %v", err)
	}
	d, err := db.AssignSoftphone(ctx, f.C1.ID, s.ID, f.softy.ID)
	must(t, err)
	if len(d.AssignedUsers) != 1 || d.AssignedUsers[0].ID != f.softy.ID {
		t.Fatalf("assigned: %+v", d)
	}
	// Moving it to another user: both sets audited.
	d, err = db.AssignSoftphone(ctx, f.C1.ID, s.ID, other.ID)
	must(t, err)
	if d.AssignedUsers[0].ID != other.ID {
		t.Fatalf("moved: %+v", d)
	}
	entries, err := f.db.ListAudit(context.Background(), f.C1.ID, 2)
	must(t, err)
	if entries[0].TargetID != tenantdesk.FormatUserID(other.ID) || entries[1].TargetID != tenantdesk.FormatUserID(f.softy.ID) ||
		!strings.Contains(entries[1].Before, "Softphone") || strings.Contains(entries[1].After, "Softphone") {
		t.Errorf("move audit: %+v / %+v", entries[0], entries[1])
	}
	for _, c := range []struct {
		name         string
		device, user int64
		want         string
	}{
		{"a deskphone", desk.ID, other.ID, tenantdesk.ENotASoftphone},
		{"a user without the role", s.ID, f.Member1.ID, tenantdesk.ESoftphoneRoleRequired},
		{"another account's user", s.ID, f.Owner2.ID, tenantdesk.ENOTFOUND},
		{"an unknown device", 999999, other.ID, tenantdesk.ENOTFOUND},
	} {
		if _, err := db.AssignSoftphone(ctx, f.C1.ID, c.device, c.user); code(err) != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := db.AssignSoftphone(f.as(f.Owner2), f.C2.ID, s.ID, 0); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("through another account: %v", err)
	}
	// Release.
	d, err = db.AssignSoftphone(ctx, f.C1.ID, s.ID, 0)
	must(t, err)
	if len(d.AssignedUsers) != 0 {
		t.Errorf("released: %+v", d)
	}
}
