package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Issue 9 item 6: SQLite handed the highest freed rowid out again, so the
// user created after the newest one was deleted, in any account, took its
// ID. Every reference kept to the deleted user (its page, its API path, an
// API script's variable, the audit log) then pointed at the newcomer. IDs
// are public, opaque and never reused now.
func TestDeletedUserIDNeverPointsAtSomebodyElse(t *testing.T) {
	app := newTestApp(t)
	fence, gallery := app.tenantOf(tom), app.tenantOf(robin)
	fenceAPI, galleryAPI := app.api(app.apiToken(tom)), app.api(app.apiToken(robin))
	roles := []string{"customer.user"}

	seen := map[string]string{} // every user ID handed out so far -> whose
	for _, tenant := range []struct {
		api  *apiClient
		path string
	}{{fenceAPI, usersPath(fence)}, {galleryAPI, usersPath(gallery)}} {
		for _, it := range tenant.api.get(tenant.path+"?limit=200").expect(t, http.StatusOK).items() {
			seen[it["id"].(string)] = it["displayName"].(string)
		}
	}
	create := func(api *apiClient, tenant, name, email string) (id, location string) {
		t.Helper()
		res := api.post(usersPath(tenant), map[string]any{"displayName": name, "email": email, "roles": roles}).expect(t, http.StatusCreated)
		id, location = res.str("id"), res.Header.Get("Location")
		if _, ok := tenantdesk.ParseUserID(id); !ok || location != usersPath(tenant)+"/"+id {
			t.Fatalf("%s: id %q, Location %q: not a public user ID", name, id, location)
		}
		if who, ok := seen[id]; ok {
			t.Fatalf("%s got the ID %s of %s", name, id, who)
		}
		seen[id] = name
		return id, location
	}

	// The newest user of the fence company goes; the gallery gets a user.
	oneID, oneURL := create(fenceAPI, fence, "Temp One", "temp.one@fence.example")
	fenceAPI.delete(oneURL).expect(t, http.StatusNoContent)
	twoID, _ := create(galleryAPI, gallery, "Temp Two", "temp.two@hundredacre.example")

	// Temp One's API path and page are gone for everybody, and a script
	// that kept the ID cannot reach Temp Two with it.
	fenceAPI.get(oneURL).expect(t, http.StatusNotFound)
	galleryAPI.get(usersPath(gallery)+"/"+oneID).expect(t, http.StatusNotFound)
	galleryAPI.patch(usersPath(gallery)+"/"+oneID, map[string]any{"displayName": "Renamed by a stale script"}).expect(t, http.StatusNotFound)
	for _, who := range []string{tom, robin} {
		c := app.client()
		c.mustSignIn(who)
		if r := c.get("/account/users/" + oneID); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: GET /account/users/%s (Temp One's page): %d, want 404", who, oneID, r.StatusCode)
		}
	}
	galleryAPI.delete(usersPath(gallery)+"/"+oneID).expect(t, http.StatusNotFound)
	galleryAPI.get(usersPath(gallery)+"/"+twoID).expect(t, http.StatusOK)

	// The audit log: Temp One's creation and deletion name Temp One's ID,
	// and no entry of the fence company names Temp Two's.
	ctx := context.Background()
	entries, err := app.DB.ListAudit(ctx, app.user(tom).AccountID, 200)
	if err != nil {
		t.Fatal(err)
	}
	var created, deleted bool
	for _, e := range entries {
		if e.TargetType == "user" && e.TargetID == twoID {
			t.Errorf("the fence company's audit entry %s names Temp Two (%s)", e.Action, twoID)
		}
		if e.TargetType == "user" && e.TargetID == oneID {
			created = created || e.Action == tenantdesk.AuditUserCreate
			deleted = deleted || e.Action == "user.delete"
		}
	}
	if !created || !deleted {
		t.Errorf("Temp One's entries under %s: created %v, deleted %v", oneID, created, deleted)
	}

	// The same in one account: the audit page names the deleted user's
	// entries by the name it had, never by the user created after it.
	fourID, fourURL := create(fenceAPI, fence, "Temp Four", "temp.four@fence.example")
	fenceAPI.delete(fourURL).expect(t, http.StatusNoContent)
	create(fenceAPI, fence, "Temp Five", "temp.five@fence.example")
	c := app.client()
	c.mustSignIn(tom)
	page := c.get("/account/audit")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("audit page: %d", page.StatusCode)
	}
	var fourRows int
	page.Doc.Find(`[data-testid="audit-row"]`).Each(func(_ int, row *goquery.Selection) {
		target := strings.TrimSpace(row.Find(`[data-testid="audit-target"]`).Text())
		if strings.Contains(target, "Temp Five") && attr(row, "data-action") == "user.delete" { // Temp Five was never deleted
			t.Errorf("audit row %s names Temp Five: %q", attr(row, "data-action"), target)
		}
		if target == "Temp Four" {
			fourRows++
		}
	})
	if fourRows < 2 {
		t.Errorf("%d audit rows name Temp Four (%s), want its creation and deletion", fourRows, fourID)
	}
}

// The same for devices: a new device never takes a deleted one's ID, and
// a user's ID is no device's ID.
func TestDeletedDeviceIDIsNeverReused(t *testing.T) {
	app := newTestApp(t)
	fence := app.tenantOf(tom)
	api := app.api(app.apiToken(polly))
	seen := map[string]bool{}
	for _, it := range api.get(devicesPath(fence)+"?limit=200").expect(t, http.StatusOK).items() {
		seen[it["id"].(string)] = true
	}
	mk := func(name string) string {
		t.Helper()
		res := api.post(devicesPath(fence), map[string]any{"name": name, "kind": "softphone"}).expect(t, http.StatusCreated)
		id := res.str("id")
		if _, ok := tenantdesk.ParseDeviceID(id); !ok || seen[id] {
			t.Fatalf("%s: id %q reused or not a device ID", name, id)
		}
		seen[id] = true
		return id
	}
	old := mk("Temp softphone")
	api.delete(devicesPath(fence)+"/"+old).expect(t, http.StatusNoContent)
	mk("Next softphone")
	api.get(devicesPath(fence)+"/"+old).expect(t, http.StatusNotFound)
	api.get(devicesPath(fence)+"/"+app.userIDOf(sid)).expect(t, http.StatusNotFound)
}
