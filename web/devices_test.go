package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Demo people of the Devices tab (SPEC §7 plus internal/demo/devices.go).
const (
	polly = "aunt.polly@fence.example" // customer.device.admin
	joe   = "joe.harper@fence.example" // customer.device.readonly
	sid   = "sid.sawyer@fence.example" // customer.user.uc.softphone, holds "Sid's softphone"
)

// device returns the demo device called name of the account of email's user.
func (a *testApp) device(email, name string) *tenantdesk.Device {
	a.t.Helper()
	u := a.user(email)
	page, err := a.Svc.Devices.ListDevices(tenantdesk.OperatorContext(context.Background()), u.AccountID, tenantdesk.DeviceFilter{Limit: 200})
	if err != nil {
		a.t.Fatal(err)
	}
	for _, d := range page.Devices {
		if d.Name == name {
			return d
		}
	}
	a.t.Fatalf("no device %q", name)
	return nil
}

func devicePath(d *tenantdesk.Device, suffix string) string {
	return "/account/devices/" + tenantdesk.FormatDeviceID(d.ID) + suffix
}

func deviceNames(r *response) []string {
	var names []string
	r.Doc.Find(`[data-testid="device-row"] td:first-child`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, strings.TrimSpace(s.Text()))
	})
	return names
}

func hasTab(r *response, key string) bool {
	return r.Doc != nil && r.Doc.Find(`[data-testid="tab-`+key+`"]`).Length() == 1
}

func TestDevicesTabAccess(t *testing.T) {
	app := newTestApp(t)
	desk := app.device(tom, "Reception deskphone")

	// The device administrator manages: add button, edit links, every device.
	c := app.client()
	c.mustSignIn(polly)
	res := c.get("/account/devices")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("polly: status %d", res.StatusCode)
	}
	names := deviceNames(res)
	if len(names) != 4 || names[0] != "Paint shed deskphone" {
		t.Errorf("rows %v", names)
	}
	if res.Doc.Find(`[data-testid="add-device"]`).Length() != 1 || !hasTab(res, "devices") {
		t.Error("device admin: no add button or no tab")
	}
	if !strings.Contains(text(res, "title"), "Devices") {
		t.Errorf("title %q", text(res, "title"))
	}
	row := res.Doc.Find(`[data-device-id="` + tenantdesk.FormatDeviceID(desk.ID) + `"]`)
	if !strings.Contains(row.Text(), "00:04:f2:a1:b2:01") || !strings.Contains(row.Text(), "100") {
		t.Errorf("deskphone row: %q", row.Text())
	}
	sidRow := res.Doc.Find(`[data-device-id="` + tenantdesk.FormatDeviceID(app.device(tom, "Sid's softphone").ID) + `"]`)
	if got := strings.TrimSpace(sidRow.Find(`[data-testid="device-assigned"]`).Text()); got != "Sid Sawyer" {
		t.Errorf("assigned: %q", got)
	}
	if got := c.get(devicePath(desk, "")); got.StatusCode != http.StatusOK || got.Doc.Find(`[data-testid="device-save"]`).Length() != 1 {
		t.Errorf("device page for the admin: %d", got.StatusCode)
	}

	// Read-only: the list, but nothing to change.
	r := app.client()
	r.mustSignIn(joe)
	res = r.get("/account/devices")
	if res.StatusCode != http.StatusOK || len(deviceNames(res)) != 4 {
		t.Fatalf("joe: status %d rows %v", res.StatusCode, deviceNames(res))
	}
	if res.Doc.Find(`[data-testid="add-device"]`).Length() != 0 || res.Doc.Find(`[data-testid="device-row"] a`).Length() != 0 ||
		res.Doc.Find(`[data-testid="devices-readonly"]`).Length() != 1 || !hasTab(res, "devices") {
		t.Error("read-only user sees management controls")
	}
	if got := r.get("/account/devices/new"); got.StatusCode != http.StatusForbidden {
		t.Errorf("read-only new form: %d", got.StatusCode)
	}
	page := r.get(devicePath(desk, ""))
	if page.StatusCode != http.StatusOK || page.Doc.Find(`[data-testid="device-save"]`).Length() != 0 ||
		page.Doc.Find(`fieldset[disabled]`).Length() != 1 {
		t.Errorf("read-only device page: %d", page.StatusCode)
	}
	if got := r.post("/account/devices", url.Values{"name": {"Sneaky"}, "kind": {"softphone"}}); got.StatusCode != http.StatusForbidden {
		t.Errorf("read-only create: %d", got.StatusCode)
	}
	if got := r.post(devicePath(desk, "/delete"), nil); got.StatusCode != http.StatusForbidden {
		t.Errorf("read-only delete: %d", got.StatusCode)
	}

	// A plain user and a user admin without device roles: no tab, 403.
	for _, email := range []string{huck, becky} {
		p := app.client()
		p.mustSignIn(email)
		if hasTab(p.get("/account"), "devices") {
			t.Errorf("%s sees the Devices tab", email)
		}
		if got := p.get("/account/devices"); got.StatusCode != http.StatusForbidden {
			t.Errorf("%s: /account/devices = %d", email, got.StatusCode)
		}
	}
	// The Owner has every permission role: the tab is there.
	o := app.client()
	o.mustSignIn(tom)
	if !hasTab(o.get("/account"), "devices") {
		t.Error("Owner has no Devices tab")
	}

	// Another account: its own (empty) list; Fence's devices are 404.
	x := app.client()
	x.mustSignIn(robin)
	res = x.get("/account/devices")
	if res.StatusCode != http.StatusOK || res.Doc.Find(`[data-testid="devices-empty"]`).Length() != 1 {
		t.Errorf("robin's own devices: %d", res.StatusCode)
	}
	for _, path := range []string{devicePath(desk, ""), devicePath(desk, "/delete")} {
		if got := x.get(path); got.StatusCode != http.StatusNotFound {
			t.Errorf("robin GET %s = %d", path, got.StatusCode)
		}
	}
	name := "Stolen"
	if got := x.post(devicePath(desk, ""), url.Values{"name": {name}, "kind": {"deskphone"}, "macAddress": {"00:04:f2:00:00:01"}}); got.StatusCode != http.StatusNotFound {
		t.Errorf("robin POST = %d", got.StatusCode)
	}
	if got := x.post(devicePath(desk, "/delete"), nil); got.StatusCode != http.StatusNotFound {
		t.Errorf("robin delete = %d", got.StatusCode)
	}
	if d := app.device(tom, "Reception deskphone"); d.Name != "Reception deskphone" {
		t.Fatal("changed through another account")
	}
	// The partner's staff see no Devices tab in their own (partner) account.
	e := app.client()
	e.mustSignIn(elizabeth)
	if hasTab(e.get("/account"), "devices") {
		t.Error("partner account shows a Devices tab")
	}
}

func TestDevicesCreateEditDelete(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(polly)
	form := func(name, kind, ext, mac string) url.Values {
		return url.Values{"name": {name}, "kind": {kind}, "extension": {ext}, "macAddress": {mac}}
	}
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
	}{
		{"name of 101 characters", form(strings.Repeat("n", 101), "softphone", "", ""), "name"},
		{"bad MAC", form("Hall phone", "deskphone", "120", "00:04:f2:zz:00:01"), "macAddress"},
		{"duplicate MAC", form("Hall phone", "deskphone", "120", "00-04-F2-A1-B2-01"), "macAddress"},
		{"unknown kind", form("Hall phone", "fax", "120", ""), "kind"},
		{"bad extension", form("Hall phone", "softphone", "12x", ""), "extension"},
	} {
		res := c.post("/account/devices", tc.form)
		if res.StatusCode != http.StatusOK || res.Doc.Find(`[data-testid="form-error"]`).Length() != 1 {
			t.Errorf("%s: status %d, no form error", tc.name, res.StatusCode)
			continue
		}
		if res.Doc.Find("#"+tc.field+"-error").Length() != 1 {
			t.Errorf("%s: no error on %s: %s", tc.name, tc.field, res.Doc.Find(".field-error").Text())
		}
		// The input is kept.
		if v, _ := res.Doc.Find("#name").Attr("value"); v != tc.form.Get("name") {
			t.Errorf("%s: name not kept: %q", tc.name, v)
		}
		if v, _ := res.Doc.Find("#extension").Attr("value"); v != tc.form.Get("extension") {
			t.Errorf("%s: extension not kept: %q", tc.name, v)
		}
	}
	dup := c.post("/account/devices", form("Hall phone", "deskphone", "", "00:04:f2:a1:b2:01"))
	if !strings.Contains(text(dup, "#macAddress-error"), "Another device of this account has this MAC address") {
		t.Errorf("duplicate MAC message: %q", text(dup, "#macAddress-error"))
	}

	// Create: normalised MAC, flash, listed.
	res := c.post("/account/devices", form("Hall phone", "deskphone", "120", "0004.F2AA.BB01"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/devices" {
		t.Fatalf("create: %d %s", res.StatusCode, res.Body)
	}
	list := c.get("/account/devices")
	if !strings.Contains(text(list, `[data-testid="flash"]`), "Hall phone") || !contains(deviceNames(list), "Hall phone") {
		t.Errorf("after create: %v", deviceNames(list))
	}
	hall := app.device(polly, "Hall phone")
	if hall.MacAddress != "00:04:f2:aa:bb:01" || hall.Extension != "120" {
		t.Errorf("stored %+v", hall)
	}

	// Edit: an error keeps the input; a good change is saved.
	bad := c.post(devicePath(hall, ""), form("Hall phone 2", "deskphone", "120", "00:04:f2:a1:b2:02"))
	if bad.StatusCode != http.StatusOK || text(bad, "#macAddress-error") == "" {
		t.Errorf("edit to a taken MAC: %d", bad.StatusCode)
	}
	if v, _ := bad.Doc.Find("#name").Attr("value"); v != "Hall phone 2" {
		t.Errorf("edit input not kept: %q", v)
	}
	res = c.post(devicePath(hall, ""), form("Hallway phone", "deskphone", "121", "00:04:f2:aa:bb:01"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, res.Body)
	}
	if d := app.device(polly, "Hallway phone"); d.Extension != "121" {
		t.Errorf("edited %+v", d)
	}

	// Delete: a confirmation page first, then gone.
	confirm := c.get(devicePath(hall, "/delete"))
	if confirm.StatusCode != http.StatusOK || confirm.Doc.Find(`[data-testid="confirm-submit"]`).Length() != 1 ||
		!strings.Contains(confirm.Body, "Hallway phone") {
		t.Fatalf("confirm page: %d", confirm.StatusCode)
	}
	res = c.post(devicePath(hall, "/delete"), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if contains(deviceNames(c.get("/account/devices")), "Hallway phone") {
		t.Error("still listed after delete")
	}
	if got := c.get(devicePath(hall, "")); got.StatusCode != http.StatusNotFound {
		t.Errorf("deleted device page: %d", got.StatusCode)
	}
	// Deleting an assigned softphone warns whose it is.
	sidPhone := app.device(tom, "Sid's softphone")
	if got := c.get(devicePath(sidPhone, "/delete")); !strings.Contains(got.Body, "Sid Sawyer will lose this softphone") {
		t.Errorf("confirm of an assigned softphone: %s", text(got, "#confirm-body"))
	}

	// Audited, with the device administrator as the actor.
	entries, err := app.DB.ListAudit(context.Background(), hall.AccountID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "device.") && e.ActorName == "Aunt Polly" {
			actions = append(actions, e.Action)
		}
	}
	if strings.Join(actions, ",") != "device.delete,device.update,device.create" {
		t.Errorf("audit %v", actions)
	}
}

func TestUserSoftphonesPage(t *testing.T) {
	app := newTestApp(t)
	sidUser, huckUser := app.user(sid), app.user(huck)
	mine, spare := app.device(tom, "Sid's softphone"), app.device(tom, "Spare softphone")
	softPath := func(u *tenantdesk.User) string { return userPath(u, "/softphones") }

	c := app.client()
	c.mustSignIn(becky) // user admin, no device role
	userPage := c.get(userPath(sidUser, ""))
	if href, _ := userPage.Doc.Find(`[data-testid="user-softphones-link"]`).Attr("href"); href != softPath(sidUser) {
		t.Fatalf("no softphones link on the user page: %q", href)
	}
	if c.get(userPath(huckUser, "")).Doc.Find(`[data-testid="user-softphones-link"]`).Length() != 0 {
		t.Error("softphones link for a user without the role")
	}
	res := c.get(softPath(sidUser))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("softphones page: %d", res.StatusCode)
	}
	checked := func(r *response, d *tenantdesk.Device) bool {
		_, ok := r.Doc.Find(`#softphone-` + tenantdesk.FormatDeviceID(d.ID)).Attr("checked")
		return ok
	}
	if !checked(res, mine) || checked(res, spare) {
		t.Errorf("initial ticks wrong")
	}
	res = c.post(softPath(sidUser), url.Values{"softphones": {tenantdesk.FormatDeviceID(mine.ID), tenantdesk.FormatDeviceID(spare.ID)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, res.Body)
	}
	res = c.get(softPath(sidUser))
	if !checked(res, mine) || !checked(res, spare) || !strings.Contains(text(res, `[data-testid="flash"]`), "Sid Sawyer") {
		t.Errorf("after save")
	}

	// A user without the softphone role: explained, and a save is refused (422 rule shown on the page).
	res = c.get(softPath(huckUser))
	if res.Doc.Find(`[data-testid="softphones-no-role"]`).Length() != 1 {
		t.Error("no explanation for a user without the role")
	}
	// Huck sees no free softphones (both are Sid's); free one up first.
	if _, err := app.Svc.Devices.SetUserSoftphones(tenantdesk.OperatorContext(context.Background()), sidUser.AccountID, sidUser.ID, []int64{mine.ID}); err != nil {
		t.Fatal(err)
	}
	res = c.post(softPath(huckUser), url.Values{"softphones": {tenantdesk.FormatDeviceID(spare.ID)}})
	if res.StatusCode != http.StatusOK || !strings.Contains(text(res, `[data-testid="form-error"]`), "Softphones") {
		t.Errorf("no-role save: %d %q", res.StatusCode, text(res, `[data-testid="form-error"]`))
	}
	// A deskphone posted by hand: refused with the reason.
	desk := app.device(tom, "Reception deskphone")
	res = c.post(softPath(sidUser), url.Values{"softphones": {tenantdesk.FormatDeviceID(desk.ID)}})
	if res.StatusCode != http.StatusOK || !strings.Contains(text(res, `[data-testid="form-error"]`), "deskphone") {
		t.Errorf("deskphone: %d %q", res.StatusCode, text(res, `[data-testid="form-error"]`))
	}

	// Removing the role on the user's page releases the softphones.
	roles := url.Values{"displayName": {sidUser.DisplayName}, "email": {sidUser.Email}}
	for _, r := range sidUser.Roles {
		if r != tenantdesk.RoleSoftphone {
			roles.Add("roles", r)
		}
	}
	if res := c.post(userPath(sidUser, ""), roles); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("role edit: %d %s", res.StatusCode, text(res, `[data-testid="form-error"]`))
	}
	if d := app.device(tom, "Sid's softphone"); len(d.AssignedUsers) != 0 {
		t.Errorf("still assigned after the role was removed: %+v", d.AssignedUsers)
	}

	// A plain user may not; another account's user is 404.
	h := app.client()
	h.mustSignIn(huck)
	if got := h.get(softPath(sidUser)); got.StatusCode != http.StatusForbidden {
		t.Errorf("huck: %d", got.StatusCode)
	}
	r := app.client()
	r.mustSignIn(robin)
	if got := r.get(softPath(sidUser)); got.StatusCode != http.StatusNotFound {
		t.Errorf("robin: %d", got.StatusCode)
	}
	// A read-only device user may not assign either.
	j := app.client()
	j.mustSignIn(joe)
	if got := j.post(softPath(sidUser), url.Values{}); got.StatusCode != http.StatusForbidden {
		t.Errorf("joe: %d", got.StatusCode)
	}
}

func TestDeviceAdminAssignsFromTheDevice(t *testing.T) {
	app := newTestApp(t)
	sidUser := app.user(sid)
	spare := app.device(tom, "Spare softphone")
	c := app.client()
	c.mustSignIn(polly)
	page := c.get(devicePath(spare, ""))
	opts := page.Doc.Find(`#assign-user option`)
	if opts.Length() != 2 || !strings.Contains(opts.Text(), "Sid Sawyer") {
		t.Fatalf("assignment choices: %q", opts.Text())
	}
	res := c.post(devicePath(spare, "/assignment"), url.Values{"userId": {tenantdesk.FormatUserID(sidUser.ID)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", res.StatusCode, text(res, `[data-testid="assign-error"]`))
	}
	if d := app.device(tom, "Spare softphone"); len(d.AssignedUsers) != 1 || d.AssignedUsers[0].ID != sidUser.ID {
		t.Errorf("not assigned: %+v", d)
	}
	// Assigning to a user without the role is refused on the page.
	res = c.post(devicePath(spare, "/assignment"), url.Values{"userId": {tenantdesk.FormatUserID(app.user(huck).ID)}})
	if res.StatusCode != http.StatusOK || !strings.Contains(text(res, `[data-testid="assign-error"]`), "Huck Finn") {
		t.Errorf("no-role assign: %d %q", res.StatusCode, text(res, `[data-testid="assign-error"]`))
	}
	// The assigned user's name links to their softphones (a device admin may assign).
	list := c.get("/account/devices")
	if list.Doc.Find(`a[href="/account/users/`+tenantdesk.FormatUserID(sidUser.ID)+`/softphones"]`).Length() == 0 {
		t.Error("no link to the user's softphones")
	}
	if got := c.get(userPath(sidUser, "/softphones")); got.StatusCode != http.StatusOK {
		t.Errorf("device admin on the softphones page: %d", got.StatusCode)
	}
	// Release.
	if res := c.post(devicePath(spare, "/assignment"), url.Values{"userId": {""}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("release: %d", res.StatusCode)
	}
	if d := app.device(tom, "Spare softphone"); len(d.AssignedUsers) != 0 {
		t.Errorf("not released: %+v", d)
	}
}
