package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The access requests of the API (api_access.go), both sides, through the
// real server and SQLite, every exchange checked against the document.

// accessCharlotte is Classics' second partner.user (caroline and robin:
// partner_customers_test.go).
const accessCharlotte = "charlotte.lucas@classics.example"

const accessPath = "/api/v1/access-requests"

// seed002Request is the request of seed 002's example: Caroline to Tom
// Sawyer; Charlotte to Tom Sawyer and Hundred Acre.
func seed002Request(app *testApp, name string) map[string]any {
	fence, gallery := app.tenantOf(tom), app.tenantOf(robin)
	return map[string]any{"name": name, "message": "Help with the new call-centre team.",
		"associations": []map[string]any{
			{"userIds": []string{app.userIDOf(caroline)}, "customerIds": []string{fence}},
			{"userIds": []string{app.userIDOf(accessCharlotte)}, "customerIds": []string{fence, gallery}},
		}}
}

// names returns the displayName of each entry of a list field.
func accessNames(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		s, _ := m["displayName"].(string)
		out = append(out, s)
	}
	return out
}

func accessEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sub returns the object at field of m.
func accessSub(m map[string]any, field string) map[string]any {
	o, _ := m[field].(map[string]any)
	return o
}

// TestAPIAccessRequestsSeed002 runs seed 002's example through the API:
// the partner asks two customers, one grants with an expiry, the other
// denies; from the grant on only the named staff enter, until it expires.
func TestAPIAccessRequestsSeed002(t *testing.T) {
	app := newTestApp(t)
	exchanges := docExchanges.Load()
	fence, gallery, classics := app.tenantOf(tom), app.tenantOf(robin), app.tenantOf(elizabeth)
	eliz := app.api(app.apiToken(elizabeth))
	tomAPI := app.api(app.apiToken(tom))
	hundred := app.api(app.apiToken(robin))
	carol := app.api(app.apiToken(caroline))
	lotte := app.api(app.apiToken(accessCharlotte))

	// Before any grant, the partner's admin manages the customer's users (onboarding).
	eliz.get(usersPath(fence)).expect(t, http.StatusOK)

	// The name allows no spaces.
	bad := eliz.post(accessPath, seed002Request(app, "Support Access")).expect(t, http.StatusBadRequest, "request_name_invalid")
	if errs, _ := bad.JSON["errors"].([]any); len(errs) == 0 || errs[0].(map[string]any)["field"] != "name" {
		t.Fatalf("name error: %s", bad.Body)
	}
	// Only a partner.admin asks.
	carol.post(accessPath, seed002Request(app, "SupportAccess")).expect(t, http.StatusForbidden, "forbidden")
	tomAPI.post(accessPath, seed002Request(app, "SupportAccess")).expect(t, http.StatusForbidden, "forbidden")

	// Saved as one request per customer, each naming only its own staff.
	created := eliz.post(accessPath, seed002Request(app, "SupportAccess"), "Idempotency-Key", "support-access-1").expect(t, http.StatusCreated)
	items := created.items()
	if len(items) != 2 {
		t.Fatalf("created: %s", created.Body)
	}
	toFence, toGallery := items[0], items[1]
	if accessSub(toFence, "customer")["tenantId"] != fence || !accessEqual(accessNames(toFence["users"]), []string{"Caroline Bingley", "Charlotte Lucas"}) ||
		accessSub(toGallery, "customer")["tenantId"] != gallery || !accessEqual(accessNames(toGallery["users"]), []string{"Charlotte Lucas"}) {
		t.Fatalf("per-customer requests: %s", created.Body)
	}
	for _, it := range items {
		if it["state"] != "pending" || it["name"] != "SupportAccess" || it["expiresAt"] != nil || it["answer"] != nil ||
			accessSub(it, "partner")["tenantId"] != classics || accessSub(it, "partner")["name"] != "Classics, Inc." ||
			accessSub(it, "requestedBy")["displayName"] != "Elizabeth Bennet" || len(it["modes"].([]any)) != 2 {
			t.Fatalf("request: %v", it)
		}
	}
	fenceID, galleryID := toFence["id"].(string), toGallery["id"].(string)
	if created.Header.Get("Location") != accessPath+"/"+fenceID {
		t.Fatalf("Location %q", created.Header.Get("Location"))
	}
	// A retry with the key replays; nothing is saved twice.
	again := eliz.post(accessPath, seed002Request(app, "SupportAccess"), "Idempotency-Key", "support-access-1").expect(t, http.StatusCreated)
	if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(created.Body) {
		t.Fatalf("replay: %s", again.Body)
	}
	if n := app.count(`SELECT count(*) FROM access_requests`); n != 2 {
		t.Fatalf("%d requests saved", n)
	}

	// Staff or customers that are not the partner's are unknown.
	otherToken, otherCustomer := app.otherPartner()
	for name, assoc := range map[string]map[string]any{
		"malformed user":           {"userIds": []string{"caroline"}, "customerIds": []string{fence}},
		"a customer's user":        {"userIds": []string{app.userIDOf(tom)}, "customerIds": []string{fence}},
		"another partner's user":   {"userIds": []string{app.userIDOf("percy@romantics.example")}, "customerIds": []string{fence}},
		"unknown tenant":           {"userIds": []string{app.userIDOf(caroline)}, "customerIds": []string{"tnnosuchtenant"}},
		"another partner's tenant": {"userIds": []string{app.userIDOf(caroline)}, "customerIds": []string{otherCustomer}},
		"the partner itself":       {"userIds": []string{app.userIDOf(caroline)}, "customerIds": []string{classics}},
	} {
		res := eliz.post(accessPath, map[string]any{"name": "Probe", "associations": []any{assoc}})
		if res.Status != http.StatusNotFound || res.str("code") != "not_found" {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
	eliz.post(accessPath, map[string]any{"name": "Probe", "modes": []string{"everything"},
		"associations": []any{map[string]any{"userIds": []string{app.userIDOf(caroline)}, "customerIds": []string{fence}}}}).
		expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "modes")

	// Each side lists its own: the customer what it received, the partner
	// everything it asked, the staff what names them.
	incoming := tomAPI.get(accessPath).expect(t, http.StatusOK)
	if len(incoming.items()) != 1 || incoming.items()[0]["id"] != fenceID || incoming.JSON["nextCursor"] != nil {
		t.Fatalf("Tom Sawyer's incoming: %s", incoming.Body)
	}
	if n := len(eliz.get(accessPath).expect(t, http.StatusOK).items()); n != 2 {
		t.Fatalf("outgoing: %d", n)
	}
	if n := len(carol.get(accessPath).expect(t, http.StatusOK).items()); n != 1 {
		t.Fatalf("Caroline's zone: %d", n)
	}
	if n := len(lotte.get(accessPath).expect(t, http.StatusOK).items()); n != 2 {
		t.Fatalf("Charlotte's zone: %d", n)
	}
	tomAPI.get(accessPath+"?state=sleeping").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "state")
	app.api(app.apiToken(huck)).get(accessPath).expect(t, http.StatusForbidden, "forbidden") // no access.respond
	carol.get(accessPath+"/"+fenceID).expect(t, http.StatusOK)
	carol.get(accessPath+"/"+galleryID).expect(t, http.StatusNotFound, "not_found") // not named there
	tomAPI.get(accessPath+"/"+galleryID).expect(t, http.StatusNotFound, "not_found")

	// Only the customer answers.
	eliz.post(accessPath+"/"+fenceID+"/grant", nil).expect(t, http.StatusForbidden, "forbidden")
	carol.post(accessPath+"/"+fenceID+"/grant", nil).expect(t, http.StatusForbidden, "forbidden")

	// Tom Sawyer grants for a week; Hundred Acre's Owner denies.
	week := "2026-11-28T17:00:00Z"
	granted := tomAPI.post(accessPath+"/"+fenceID+"/grant", map[string]any{"message": "Welcome, for one week.", "expiresAt": week}).expect(t, http.StatusOK)
	if granted.str("state") != "granted" || granted.str("expiresAt") != "2026-11-28T17:00:00.000Z" ||
		granted.str("answer.answeredBy") != "Tom Sawyer" || granted.str("answer.message") != "Welcome, for one week." ||
		granted.str("partner.tenantId") != classics {
		t.Fatalf("granted: %s", granted.Body)
	}
	denied := hundred.post(accessPath+"/"+galleryID+"/deny", nil).expect(t, http.StatusOK)
	if denied.str("state") != "denied" || denied.str("answer.answeredBy") != "Christopher Robin" || denied.str("answer.message") != "" {
		t.Fatalf("denied: %s", denied.Body)
	}
	tomAPI.post(accessPath+"/"+fenceID+"/grant", nil).expect(t, http.StatusConflict, "request_not_pending")
	hundred.post(accessPath+"/"+galleryID+"/grant", map[string]any{}).expect(t, http.StatusConflict, "request_not_pending")
	if n := len(tomAPI.get(accessPath+"?state=granted").expect(t, http.StatusOK).items()); n != 1 {
		t.Fatalf("granted filter: %d", n)
	}
	if n := len(tomAPI.get(accessPath+"?state=pending").expect(t, http.StatusOK).items()); n != 0 {
		t.Fatalf("pending filter: %d", n)
	}
	if !auditHas(app, app.accountOf(tom), "access.grant") || !auditHas(app, app.accountOf(elizabeth), "access.grant") {
		t.Fatal("the grant is not in both accounts' logs")
	}

	// From the grant on, the partner's admin is not let in without a grant
	// of her own; the named staff are, in support mode.
	eliz.get(usersPath(fence)).expect(t, http.StatusForbidden, "access_request_required")
	list := carol.get(usersPath(fence)).expect(t, http.StatusOK)
	carol.get(usersPath(gallery)).expect(t, http.StatusForbidden, "access_request_required")
	lotte.get(usersPath(gallery)).expect(t, http.StatusForbidden, "access_request_required")
	// The staff are listed first, as isParent users.
	for _, l := range []*apiRes{list, tomAPI.get(usersPath(fence)).expect(t, http.StatusOK)} {
		us := l.items()
		if len(us) < 3 || us[0]["displayName"] != "Caroline Bingley" || us[1]["displayName"] != "Charlotte Lucas" {
			t.Fatalf("users: %s", l.Body)
		}
		for _, u := range us[:2] {
			if u["isParent"] != true || u["primaryTenant"] != classics || u["grantExpiresAt"] != "2026-11-28T17:00:00.000Z" ||
				u["isOwner"] != false || !hasRole(rolesOf(u), tenantdesk.RolePartnerUser) {
				t.Fatalf("parent user: %v", u)
			}
		}
		for _, u := range us[2:] {
			if u["isParent"] != false || u["primaryTenant"] != fence {
				t.Fatalf("own user: %v", u)
			}
			if _, has := u["grantExpiresAt"]; has {
				t.Fatalf("own user with grantExpiresAt: %v", u)
			}
		}
	}
	// An isParent ID from the list reads as that entry, and is read-only:
	// every change to it is 403 with the reason, and changes nothing.
	parentID := list.items()[0]["id"].(string)
	parentPath := usersPath(fence) + "/" + parentID
	for _, c := range []*apiClient{tomAPI, carol} {
		if u := c.get(parentPath).expect(t, http.StatusOK); u.JSON["isParent"] != true || u.str("displayName") != "Caroline Bingley" ||
			u.str("primaryTenant") != classics || u.str("grantExpiresAt") != "2026-11-28T17:00:00.000Z" || u.JSON["isOwner"] != false {
			t.Fatalf("GET an isParent user: %s", u.Body)
		}
	}
	before := tomAPI.get(parentPath).expect(t, http.StatusOK).Body
	tomAPI.patch(parentPath, map[string]any{"displayName": "Carrie"}).expect(t, http.StatusForbidden, "forbidden")
	tomAPI.patch(parentPath, map[string]any{"addRoles": []string{tenantdesk.RoleUserAdmin}}).expect(t, http.StatusForbidden, "forbidden")
	tomAPI.delete(parentPath).expect(t, http.StatusForbidden, "forbidden")
	tomAPI.post(parentPath+"/activation-email", nil).expect(t, http.StatusForbidden, "forbidden")
	tomAPI.post(parentPath+"/uc-welcome-email", nil).expect(t, http.StatusForbidden, "forbidden")
	tomAPI.put(parentPath+"/devices", map[string]any{"softphones": []string{}}).expect(t, http.StatusForbidden, "forbidden")
	if after := tomAPI.get(parentPath).expect(t, http.StatusOK).Body; string(after) != string(before) {
		t.Fatalf("the isParent user changed: %s, then %s", before, after)
	}
	// Another customer, and a customer the staff have no grant to, do not
	// know that user.
	labs := app.api(app.apiToken("mary@labs.example"))
	labs.get(usersPath(app.tenantOf("mary@labs.example"))+"/"+parentID).expect(t, http.StatusNotFound, "not_found")
	labs.get(parentPath).expect(t, http.StatusNotFound, "not_found")
	hundred.get(usersPath(gallery)+"/"+parentID).expect(t, http.StatusNotFound, "not_found") // denied
	if q := tomAPI.get(usersPath(fence)+"?q=caro").expect(t, http.StatusOK).items(); len(q) != 1 || q[0]["isParent"] != true {
		t.Fatalf("q=caro: %v", q)
	}
	// Partner staff match any part too, as the account's users (issue 13).
	if q := tomAPI.get(usersPath(fence)+"?q=BINGL").expect(t, http.StatusOK).items(); len(q) != 1 || q[0]["isParent"] != true {
		t.Fatalf("q=BINGL: %v", q)
	}

	// The expiry: the partner may bring it forward, never later, never
	// remove it; the customer may change or remove it.
	eliz.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": "2026-11-30T00:00:00Z"}).
		expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "expiresAt")
	eliz.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": nil}).
		expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "expiresAt")
	eliz.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": "next week"}).
		expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "expiresAt")
	eliz.patch(accessPath+"/"+fenceID, map[string]any{}).
		expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "expiresAt")
	if r := eliz.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": "2026-11-27T12:00:00Z"}).expect(t, http.StatusOK); r.str("expiresAt") != "2026-11-27T12:00:00.000Z" {
		t.Fatalf("brought forward: %s", r.Body)
	}
	if r := tomAPI.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": nil}).expect(t, http.StatusOK); r.JSON["expiresAt"] != nil || r.str("state") != "granted" {
		t.Fatalf("removed: %s", r.Body)
	}
	if u := tomAPI.get(usersPath(fence)).expect(t, http.StatusOK).items()[0]; u["grantExpiresAt"] != nil || u["isParent"] != true {
		t.Fatalf("parent without expiry: %v", u)
	}
	tomAPI.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": "2026-11-24T09:00:00+01:00"}).expect(t, http.StatusOK)
	carol.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": "2026-11-23T09:00:00Z"}).expect(t, http.StatusForbidden, "forbidden")

	// A customer of another partner, and the other partner, know none of
	// Classics' requests: every endpoint answers 404.
	mary := app.api(app.apiToken("mary@labs.example"))
	percy := app.api(otherToken)
	for _, c := range []*apiClient{mary, percy} {
		if n := len(c.get(accessPath).expect(t, http.StatusOK).items()); n != 0 {
			t.Fatalf("another partner's side lists %d requests", n)
		}
		for _, id := range []string{fenceID, galleryID} {
			c.get(accessPath+"/"+id).expect(t, http.StatusNotFound, "not_found")
			c.patch(accessPath+"/"+id, map[string]any{"expiresAt": "2026-11-23T09:00:00Z"}).expect(t, http.StatusNotFound, "not_found")
			for _, act := range []string{"withdraw", "grant", "deny", "revoke"} {
				c.post(accessPath+"/"+id+"/"+act, nil).expect(t, http.StatusNotFound, "not_found")
			}
		}
	}
	// Malformed IDs, and IDs of another type, are unknown too.
	for _, id := range []string{"42", "ar", "ARADQNBSXU2K4MQ", app.userIDOf(tom), "arzzzzzzzzzzzzz"} {
		tomAPI.get(accessPath+"/"+id).expect(t, http.StatusNotFound, "not_found")
	}

	// After the expiry, access ends on the very next call, and the grant
	// can no longer be changed: a new request is needed.
	app.Clock.Advance(4 * 24 * time.Hour)
	carol.get(usersPath(fence)).expect(t, http.StatusForbidden, "access_request_required")
	if r := tomAPI.get(accessPath+"/"+fenceID).expect(t, http.StatusOK); r.str("state") != "expired" {
		t.Fatalf("after the expiry: %s", r.Body)
	}
	if n := len(tomAPI.get(accessPath+"?state=expired").expect(t, http.StatusOK).items()); n != 1 {
		t.Fatalf("expired filter: %d", n)
	}
	tomAPI.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": "2026-12-31T00:00:00Z"}).expect(t, http.StatusConflict, "grant_expired")
	eliz.patch(accessPath+"/"+fenceID, map[string]any{"expiresAt": "2026-12-31T00:00:00Z"}).expect(t, http.StatusConflict, "grant_expired")
	tomAPI.post(accessPath+"/"+fenceID+"/revoke", nil).expect(t, http.StatusConflict, "grant_expired")
	for _, u := range tomAPI.get(usersPath(fence)).expect(t, http.StatusOK).items() {
		if u["isParent"] == true {
			t.Fatalf("parent user after the expiry: %v", u)
		}
	}
	tomAPI.get(parentPath).expect(t, http.StatusNotFound, "not_found")
	tomAPI.delete(parentPath).expect(t, http.StatusNotFound, "not_found")
	// The partner's admin stays out: the customer granted once.
	eliz.get(usersPath(fence)).expect(t, http.StatusForbidden, "access_request_required")

	if n := docExchanges.Load() - exchanges; n < 60 {
		t.Fatalf("only %d exchanges validated", n)
	}
}

// TestAPIAccessRequestActions: modes, revoke and withdraw, bodies optional
// and Idempotency-Key on the body-less POSTs.
func TestAPIAccessRequestActions(t *testing.T) {
	app := newTestApp(t)
	fence := app.tenantOf(tom)
	eliz := app.api(app.apiToken(elizabeth))
	tomAPI := app.api(app.apiToken(tom))
	carol := app.api(app.apiToken(caroline))
	ask := func(name string, modes ...string) string {
		t.Helper()
		body := map[string]any{"name": name,
			"associations": []any{map[string]any{"userIds": []string{app.userIDOf(caroline)}, "customerIds": []string{fence}}}}
		if len(modes) > 0 {
			body["modes"] = modes
		}
		res := eliz.post(accessPath, body).expect(t, http.StatusCreated)
		if len(res.items()) != 1 {
			t.Fatalf("created: %s", res.Body)
		}
		return res.items()[0]["id"].(string)
	}

	// A configure-only grant lets Caroline in, but not into the users area.
	cfg := ask("Configure-only", "configure", "configure")
	if r := tomAPI.get(accessPath+"/"+cfg).expect(t, http.StatusOK); len(r.JSON["modes"].([]any)) != 1 || r.JSON["modes"].([]any)[0] != "configure" {
		t.Fatalf("modes: %s", r.Body)
	}
	// Revoking a pending request is refused: deny it instead.
	tomAPI.post(accessPath+"/"+cfg+"/revoke", nil).expect(t, http.StatusConflict, "request_not_granted")
	// An empty body, {} and a body with an unknown field.
	tomAPI.post(accessPath+"/"+cfg+"/grant", map[string]any{"until": "tomorrow"}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "until")
	tomAPI.post(accessPath+"/"+cfg+"/grant", map[string]any{"expiresAt": "2026-01-01T00:00:00Z"}).
		expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "expiresAt") // in the past
	if r := tomAPI.post(accessPath+"/"+cfg+"/grant", nil).expect(t, http.StatusOK); r.str("state") != "granted" || r.JSON["expiresAt"] != nil {
		t.Fatalf("granted: %s", r.Body)
	}
	carol.get(usersPath(fence)).expect(t, http.StatusForbidden, "forbidden")

	// A support grant lets her into the users area; revoking ends it at once.
	sup := ask("Support", "support")
	tomAPI.post(accessPath+"/"+sup+"/grant", map[string]any{}).expect(t, http.StatusOK)
	carol.get(usersPath(fence)).expect(t, http.StatusOK)
	revoked := tomAPI.post(accessPath+"/"+sup+"/revoke", map[string]any{"message": "Done, thank you."}).expect(t, http.StatusOK)
	if revoked.str("state") != "revoked" || revoked.str("answer.message") != "Done, thank you." {
		t.Fatalf("revoked: %s", revoked.Body)
	}
	carol.get(usersPath(fence)).expect(t, http.StatusForbidden, "forbidden") // the configure grant still lets her in as a member
	tomAPI.post(accessPath+"/"+sup+"/revoke", nil).expect(t, http.StatusConflict, "request_closed")
	eliz.post(accessPath+"/"+sup+"/withdraw", nil).expect(t, http.StatusConflict, "request_closed")

	// The partner withdraws the live configure grant: no body, with a key;
	// the retry replays the answer.
	tomAPI.post(accessPath+"/"+cfg+"/withdraw", nil).expect(t, http.StatusForbidden, "forbidden")
	w := eliz.post(accessPath+"/"+cfg+"/withdraw", nil, "Idempotency-Key", "withdraw-cfg").expect(t, http.StatusOK)
	if w.str("state") != "withdrawn" {
		t.Fatalf("withdrawn: %s", w.Body)
	}
	replay := eliz.post(accessPath+"/"+cfg+"/withdraw", nil, "Idempotency-Key", "withdraw-cfg").expect(t, http.StatusOK)
	if replay.Header.Get("Idempotent-Replayed") != "true" || string(replay.Body) != string(w.Body) {
		t.Fatalf("replay: %s", replay.Body)
	}
	eliz.post(accessPath+"/"+cfg+"/withdraw", map[string]any{"reason": "x"}).expect(t, http.StatusBadRequest, "validation_failed")
	eliz.post(accessPath+"/"+cfg+"/withdraw", nil).expect(t, http.StatusConflict, "request_closed")
	carol.get(usersPath(fence)).expect(t, http.StatusForbidden, "access_request_required")

	// A pending request withdrawn; a pending request denied with a key and no body.
	p := ask("Pending")
	if r := eliz.post(accessPath+"/"+p+"/withdraw", map[string]any{}).expect(t, http.StatusOK); r.str("state") != "withdrawn" || r.JSON["answer"] != nil {
		t.Fatalf("withdrawn pending: %s", r.Body)
	}
	d := ask("ToDeny")
	tomAPI.post(accessPath+"/"+d+"/deny", nil, "Idempotency-Key", "deny-1").expect(t, http.StatusOK)
	if r := tomAPI.post(accessPath+"/"+d+"/deny", nil, "Idempotency-Key", "deny-1").expect(t, http.StatusOK); r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("deny not replayed")
	}
	// Read-only tokens only read.
	ro := app.api(app.apiToken(tom, readOnly))
	ro.get(accessPath).expect(t, http.StatusOK)
	ro.post(accessPath+"/"+d+"/grant", nil).expect(t, http.StatusForbidden, "read_only_token")
}
