package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The devices API (SPEC §5): every exchange is checked against the OpenAPI
// document by the apiClient (api_helpers_test.go).

func devicesPath(tenant string) string { return "/api/v1/customers/" + tenant + "/devices" }

func (c *apiClient) put(path string, body any) *apiRes {
	c.t.Helper()
	return c.do(http.MethodPut, path, body)
}

// otherPartnerToken makes a second partner with its own customer and
// returns a token of its Owner (partner.admin).
func otherPartnerToken(t *testing.T, app *testApp) string {
	t.Helper()
	op := tenantdesk.OperatorContext(context.Background())
	p, owner, err := app.ops().CreatePartner(op, tenantdesk.CreatePartnerInput{Name: "Other Partner", OwnerName: "Olga Other", OwnerEmail: "olga@other.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.ops().CreateCustomer(op, &tenantdesk.Account{ParentID: p.ID, Name: "Other Customer"},
		&tenantdesk.User{DisplayName: "Oscar", Email: "oscar@othercustomer.example"}); err != nil {
		t.Fatal(err)
	}
	return app.apiToken(owner.Email)
}

func TestAPIDevicesCRUD(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(polly)
	c := app.api(app.apiToken(polly))

	// List: the demo's four devices, by name, and pages.
	res := c.get(devicesPath(tenant)).expect(t, http.StatusOK)
	items := res.items()
	if len(items) != 4 || items[0]["name"] != "Paint shed deskphone" || res.JSON["nextCursor"] != nil {
		t.Fatalf("list: %s", res.Body)
	}
	sidPhone := app.device(polly, "Sid's softphone")
	for _, it := range items {
		if it["id"] == tenantdesk.FormatDeviceID(sidPhone.ID) {
			if ids := it["assignedUserIds"].([]any); len(ids) != 1 || ids[0] != app.userIDOf(sid) {
				t.Errorf("assignedUserIds: %v", it)
			}
		}
	}
	first := c.get(devicesPath(tenant)+"?limit=3").expect(t, http.StatusOK)
	next, _ := first.JSON["nextCursor"].(string)
	if len(first.items()) != 3 || next == "" {
		t.Fatalf("page 1: %s", first.Body)
	}
	if second := c.get(devicesPath(tenant)+"?limit=3&cursor="+next).expect(t, http.StatusOK); len(second.items()) != 1 || second.JSON["nextCursor"] != nil {
		t.Errorf("page 2: %s", second.Body)
	}
	if soft := c.get(devicesPath(tenant)+"?kind=softphone").expect(t, http.StatusOK); len(soft.items()) != 2 {
		t.Errorf("softphones: %s", soft.Body)
	}
	c.get(devicesPath(tenant)+"?kind=fax").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "kind")
	c.get(devicesPath(tenant)+"?limit=0").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "limit")
	c.get(devicesPath(tenant)+"?cursor=%21%21").expect(t, http.StatusBadRequest, "validation_failed")

	// Create: 201 with Location, MAC normalised.
	res = c.post(devicesPath(tenant), map[string]any{"name": "Hall phone", "kind": "deskphone", "extension": "120", "macAddress": "0004.F2AA.BB01"}).
		expect(t, http.StatusCreated)
	id := res.str("id")
	loc := res.Header.Get("Location")
	if loc != devicesPath(tenant)+"/"+id || res.str("macAddress") != "00:04:f2:aa:bb:01" || res.str("kind") != "deskphone" ||
		len(res.JSON["assignedUserIds"].([]any)) != 0 {
		t.Fatalf("create: %s (Location %s)", res.Body, loc)
	}
	soft := c.post(devicesPath(tenant), map[string]any{"name": "New softphone", "kind": "softphone"}).expect(t, http.StatusCreated)
	if soft.str("macAddress") != "" || soft.str("extension") != "" {
		t.Errorf("softphone: %s", soft.Body)
	}
	if got := c.get(loc).expect(t, http.StatusOK); got.str("name") != "Hall phone" || got.str("extension") != "120" {
		t.Errorf("get: %s", got.Body)
	}

	// Validation on create.
	for _, tc := range []struct {
		name  string
		body  any
		field string
	}{
		{"name of 101 characters", map[string]any{"name": strings.Repeat("n", 101), "kind": "softphone"}, "name"},
		{"empty name", map[string]any{"name": " ", "kind": "softphone"}, "name"},
		{"bad MAC", map[string]any{"name": "x", "kind": "deskphone", "macAddress": "00:04:f2:aa:bb"}, "macAddress"},
		{"deskphone without MAC", map[string]any{"name": "x", "kind": "deskphone"}, "macAddress"},
		{"softphone with MAC", map[string]any{"name": "x", "kind": "softphone", "macAddress": "00:04:f2:aa:bb:09"}, "macAddress"},
		{"unknown kind", map[string]any{"name": "x", "kind": "fax"}, "kind"},
		{"bad extension", map[string]any{"name": "x", "kind": "softphone", "extension": "1"}, "extension"},
		{"missing name", map[string]any{"kind": "softphone"}, "name"},
		{"missing kind", map[string]any{"name": "x"}, "kind"},
		{"unknown field", map[string]any{"name": "x", "kind": "softphone", "colour": "red"}, "colour"},
		{"wrong type", map[string]any{"name": 7, "kind": "softphone"}, "name"},
		{"null", map[string]any{"name": "x", "kind": "softphone", "extension": nil}, "extension"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.post(devicesPath(tenant), tc.body).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, tc.field)
		})
	}
	c.post(devicesPath(tenant), raw(`{"name":`)).expect(t, http.StatusBadRequest, "malformed_json")
	// Duplicate MAC (another notation of the demo's reception phone): 409.
	c.post(devicesPath(tenant), map[string]any{"name": "Twin", "kind": "deskphone", "macAddress": "00-04-F2-A1-B2-01"}).
		expect(t, http.StatusConflict, "mac_address_taken").expectField(t, "macAddress")

	// Update.
	res = c.patch(loc, map[string]any{"name": "Hallway phone", "extension": ""}).expect(t, http.StatusOK)
	if res.str("name") != "Hallway phone" || res.str("extension") != "" || res.str("macAddress") != "00:04:f2:aa:bb:01" {
		t.Errorf("patch: %s", res.Body)
	}
	c.patch(loc, map[string]any{}).expect(t, http.StatusOK)
	c.patch(loc, map[string]any{"name": strings.Repeat("n", 101)}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "name")
	c.patch(loc, map[string]any{"kind": "fax"}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "kind")
	c.patch(loc, map[string]any{"macAddress": "zz"}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "macAddress")
	c.patch(loc, map[string]any{"macAddress": "00:04:f2:a1:b2:02"}).expect(t, http.StatusConflict, "mac_address_taken")
	c.patch(loc, map[string]any{"serial": "x"}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "serial")
	// An assigned softphone cannot become a deskphone.
	c.patch(devicesPath(tenant)+"/"+tenantdesk.FormatDeviceID(sidPhone.ID), map[string]any{"kind": "deskphone", "macAddress": "00:04:f2:aa:bb:77"}).
		expect(t, http.StatusConflict, "softphone_assigned")

	// Delete: 204, then 404.
	c.delete(loc).expect(t, http.StatusNoContent)
	c.get(loc).expect(t, http.StatusNotFound, "not_found")
	c.delete(loc).expect(t, http.StatusNotFound, "not_found")
	c.get(devicesPath(tenant)+"/abc").expect(t, http.StatusNotFound, "not_found")

	// Audited with the token's user as the actor.
	entries, err := app.DB.ListAudit(context.Background(), app.user(polly).AccountID, 20)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "device.") && e.ActorName == "Aunt Polly" {
			actions = append(actions, e.Action)
		}
	}
	if strings.Join(actions, ",") != "device.delete,device.update,device.create,device.create" {
		t.Errorf("audit: %v", actions)
	}
}

func TestAPIDevicesAuthorization(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	desk := app.device(tom, "Reception deskphone")
	deskPath := devicesPath(tenant) + "/" + tenantdesk.FormatDeviceID(desk.ID)
	newDesk := map[string]any{"name": "x", "kind": "softphone"}

	// 401 without or with a bad token.
	app.api("").get(devicesPath(tenant)).expect(t, http.StatusUnauthorized, "unauthorized")
	app.api("tdk_nonsense").post(devicesPath(tenant), newDesk).expect(t, http.StatusUnauthorized, "unauthorized")
	app.api("").do(http.MethodPut, "/api/v1/customers/"+tenant+"/users/1/devices", map[string]any{"softphones": []string{}}).
		expect(t, http.StatusUnauthorized, "unauthorized")

	// Read-only device role: reads, 403 on writes.
	ro := app.api(app.apiToken(joe))
	ro.get(devicesPath(tenant)).expect(t, http.StatusOK)
	ro.get(deskPath).expect(t, http.StatusOK)
	ro.post(devicesPath(tenant), newDesk).expect(t, http.StatusForbidden, "forbidden")
	ro.patch(deskPath, map[string]any{"name": "y"}).expect(t, http.StatusForbidden, "forbidden")
	ro.delete(deskPath).expect(t, http.StatusForbidden, "forbidden")

	// A read-only TOKEN of the device administrator: 403 read_only_token on writes.
	rot := app.api(app.apiToken(polly, readOnly))
	rot.get(deskPath).expect(t, http.StatusOK)
	rot.post(devicesPath(tenant), newDesk).expect(t, http.StatusForbidden, "read_only_token")
	rot.patch(deskPath, map[string]any{"name": "y"}).expect(t, http.StatusForbidden, "read_only_token")
	rot.delete(deskPath).expect(t, http.StatusForbidden, "read_only_token")
	rot.put("/api/v1/customers/"+tenant+"/users/"+app.userIDOf(sid)+"/devices", map[string]any{"softphones": []string{}}).
		expect(t, http.StatusForbidden, "read_only_token")

	// Missing device role: a plain user and a user admin get 403 on every device endpoint.
	for _, email := range []string{huck, becky} {
		c := app.api(app.apiToken(email))
		c.get(devicesPath(tenant)).expect(t, http.StatusForbidden, "forbidden")
		c.get(deskPath).expect(t, http.StatusForbidden, "forbidden")
		c.post(devicesPath(tenant), newDesk).expect(t, http.StatusForbidden, "forbidden")
		c.patch(deskPath, map[string]any{"name": "y"}).expect(t, http.StatusForbidden, "forbidden")
		c.delete(deskPath).expect(t, http.StatusForbidden, "forbidden")
	}

	// The partner's partner.admin manages its customer's devices.
	partner := app.api(app.apiToken(elizabeth))
	partner.get(deskPath).expect(t, http.StatusOK)
	partner.patch(deskPath, map[string]any{"extension": "101"}).expect(t, http.StatusOK)

	// 404 for every device ID of another account: a customer's token (its
	// own tenant in the path, and Fence's tenant), another partner's token.
	robinTenant := app.tenantOf(robin)
	cust := app.api(app.apiToken(robin))
	other := app.api(otherPartnerToken(t, app))
	for _, d := range []string{"Reception deskphone", "Paint shed deskphone", "Sid's softphone", "Spare softphone"} {
		id := fmt.Sprint(app.device(tom, d).ID)
		for _, c := range []*apiClient{cust, other} {
			for _, base := range []string{devicesPath(robinTenant), devicesPath(tenant)} {
				c.get(base+"/"+id).expect(t, http.StatusNotFound, "not_found")
				c.patch(base+"/"+id, map[string]any{"name": "mine"}).expect(t, http.StatusNotFound, "not_found")
				c.delete(base+"/"+id).expect(t, http.StatusNotFound, "not_found")
			}
		}
	}
	for _, c := range []*apiClient{cust, other} {
		c.get(devicesPath(tenant)).expect(t, http.StatusNotFound, "not_found")
		c.post(devicesPath(tenant), newDesk).expect(t, http.StatusNotFound, "not_found")
	}
	// Robin's own (empty) device list works: he is the Owner.
	if res := cust.get(devicesPath(robinTenant)).expect(t, http.StatusOK); len(res.items()) != 0 {
		t.Errorf("robin's devices: %s", res.Body)
	}
	// Nothing changed at Fence.
	if d := app.device(tom, "Reception deskphone"); d.Name != "Reception deskphone" || d.Extension != "101" {
		t.Errorf("Fence's device: %+v", d)
	}
	// The partner account itself has no devices: its Owner's token gets 404 for it.
	partner.get(devicesPath(app.tenantOf(elizabeth))).expect(t, http.StatusNotFound, "not_found")
}

func TestAPISetUserDevices(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	sidPath := "/api/v1/customers/" + tenant + "/users/" + app.userIDOf(sid) + "/devices"
	mine, spare := app.device(tom, "Sid's softphone"), app.device(tom, "Spare softphone")
	desk := app.device(tom, "Reception deskphone")
	ids := func(ds ...*tenantdesk.Device) map[string]any {
		out := []string{}
		for _, d := range ds {
			out = append(out, tenantdesk.FormatDeviceID(d.ID))
		}
		return map[string]any{"softphones": out}
	}

	// A user admin (Becky) assigns both softphones: 200 with the set.
	c := app.api(app.apiToken(becky))
	res := c.put(sidPath, ids(spare, mine)).expect(t, http.StatusOK)
	list, _ := res.JSON["softphones"].([]any)
	if res.str("userId") != app.userIDOf(sid) || len(list) != 2 || list[0].(map[string]any)["name"] != "Sid's softphone" {
		t.Fatalf("put: %s", res.Body)
	}
	// The same set again: no change, same answer.
	c.put(sidPath, ids(mine, spare)).expect(t, http.StatusOK)
	// A device administrator may assign too; an empty set removes all.
	if res := app.api(app.apiToken(polly)).put(sidPath, ids()).expect(t, http.StatusOK); len(res.JSON["softphones"].([]any)) != 0 {
		t.Errorf("empty set: %s", res.Body)
	}
	c.put(sidPath, ids(mine)).expect(t, http.StatusOK)

	// Rule codes.
	huckPath := "/api/v1/customers/" + tenant + "/users/" + app.userIDOf(huck) + "/devices"
	c.put(huckPath, ids(spare)).expect(t, http.StatusUnprocessableEntity, "softphone_role_required")
	c.put(sidPath, ids(desk)).expect(t, http.StatusUnprocessableEntity, "not_a_softphone")
	// One user per softphone: Tom (given the softphone role) cannot take Sid's.
	tomID := app.userIDOf(tom)
	tomRoles := append(app.user(tom).Roles, "customer.user.uc", "customer.user.uc.softphone")
	c.patch("/api/v1/customers/"+tenant+"/users/"+tomID, map[string]any{"roles": tomRoles}).expect(t, http.StatusOK)
	c.put("/api/v1/customers/"+tenant+"/users/"+tomID+"/devices", ids(mine)).expect(t, http.StatusConflict, "softphone_assigned")

	// Another account's device, an unknown one and a non-ID: 404.
	op := tenantdesk.OperatorContext(context.Background())
	foreign, err := app.Svc.Devices.CreateDevice(op, app.user(robin).AccountID, tenantdesk.DeviceInput{Name: "Pooh's softphone", Kind: "softphone"})
	if err != nil {
		t.Fatal(err)
	}
	c.put(sidPath, ids(foreign)).expect(t, http.StatusNotFound, "not_found")
	c.put(sidPath, map[string]any{"softphones": []string{"999999"}}).expect(t, http.StatusNotFound, "not_found")
	c.put(sidPath, map[string]any{"softphones": []string{"abc"}}).expect(t, http.StatusNotFound, "not_found")
	// Another account's user: 404; a user of ours through another tenant: 404.
	c.put("/api/v1/customers/"+tenant+"/users/"+app.userIDOf(robin)+"/devices", ids()).expect(t, http.StatusNotFound, "not_found")
	app.api(app.apiToken(robin)).put("/api/v1/customers/"+app.tenantOf(robin)+"/users/"+app.userIDOf(sid)+"/devices", ids()).
		expect(t, http.StatusNotFound, "not_found")
	app.api(otherPartnerToken(t, app)).put(sidPath, ids()).expect(t, http.StatusNotFound, "not_found")

	// Validation: missing, unknown field, wrong type, null.
	c.put(sidPath, map[string]any{}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "softphones")
	c.put(sidPath, map[string]any{"softphones": []string{}, "deskphones": []string{}}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "deskphones")
	c.put(sidPath, map[string]any{"softphones": "12"}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "softphones")
	c.put(sidPath, map[string]any{"softphones": nil}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "softphones")

	// Forbidden: a plain user and a read-only device user.
	app.api(app.apiToken(huck)).put(sidPath, ids()).expect(t, http.StatusForbidden, "forbidden")
	app.api(app.apiToken(joe)).put(sidPath, ids()).expect(t, http.StatusForbidden, "forbidden")

	// Losing the role clears the assignments (through the users API).
	sidRoles := []string{}
	for _, r := range app.user(sid).Roles {
		if r != tenantdesk.RoleSoftphone {
			sidRoles = append(sidRoles, r)
		}
	}
	c.patch("/api/v1/customers/"+tenant+"/users/"+app.userIDOf(sid), map[string]any{"roles": sidRoles}).expect(t, http.StatusOK)
	got := app.api(app.apiToken(polly)).get(devicesPath(tenant)+"/"+tenantdesk.FormatDeviceID(mine.ID)).expect(t, http.StatusOK)
	if n := len(got.JSON["assignedUserIds"].([]any)); n != 0 {
		t.Errorf("still assigned after losing the role: %s", got.Body)
	}
	entries, err := app.DB.ListAudit(context.Background(), app.user(sid).AccountID, 5)
	if err != nil {
		t.Fatal(err)
	}
	released := false
	for _, e := range entries {
		if e.Action == tenantdesk.AuditUserSoftphone && e.TargetID == app.userIDOf(sid) && strings.Contains(e.After, "removed") &&
			e.ActorName == "Becky Thatcher" {
			released = true
		}
	}
	if !released {
		t.Errorf("release not audited: %+v", entries)
	}
	// Now the freed softphone can go to Tom.
	c.put("/api/v1/customers/"+tenant+"/users/"+tomID+"/devices", ids(mine)).expect(t, http.StatusOK)
}
