package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The users endpoints: success, validation, every rule code, 409, emails.

func usersPath(tenant string) string { return "/api/v1/customers/" + tenant + "/users" }

func TestAPIUsersCRUD(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	api := app.api(app.apiToken(becky))

	// Create: 201, Location, the user object, an activation email queued.
	res := api.post(usersPath(tenant), map[string]any{"displayName": "  Ben Rogers ", "email": "Ben.Rogers@fence.example",
		"roles": []string{"customer.user", "customer.user.pbx"}}).expect(t, http.StatusCreated)
	id := res.str("id")
	if res.Header.Get("Location") != usersPath(tenant)+"/"+id || res.str("displayName") != "Ben Rogers" ||
		res.str("email") != "Ben.Rogers@fence.example" || res.str("status") != "invited" || res.str("primaryTenant") != tenant ||
		strings.Join(res.roles(), ",") != "customer.user,customer.user.pbx" || len(res.JSON["autoAssigned"].([]any)) != 0 {
		t.Fatalf("created: %s %v", res.Body, res.Header)
	}
	if mails, _ := app.DB.ListMail(context.Background(), 5); len(mails) == 0 || mails[0].To != "Ben.Rogers@fence.example" || mails[0].Kind != tenantdesk.MailActivation {
		t.Fatalf("no activation email queued: %+v", mails)
	}

	// Get.
	got := api.get(res.Header.Get("Location")).expect(t, http.StatusOK)
	if got.str("id") != id || got.str("createdAt") == "" || got.JSON["isParent"] != false || got.JSON["autoAssigned"] != nil {
		t.Fatalf("get: %s", got.Body)
	}

	// Patch: any field; roles replaces the whole set.
	p := api.patch(usersPath(tenant)+"/"+id, map[string]any{"roles": []string{"customer.user", "customer.user.uc"}}).expect(t, http.StatusOK)
	if strings.Join(p.roles(), ",") != "customer.user,customer.user.uc" || p.str("displayName") != "Ben Rogers" {
		t.Fatalf("patch roles: %s", p.Body)
	}
	p = api.patch(usersPath(tenant)+"/"+id, map[string]any{"displayName": "Benjamin Rogers", "email": "benjamin@fence.example"}).expect(t, http.StatusOK)
	if p.str("displayName") != "Benjamin Rogers" || p.str("email") != "benjamin@fence.example" || len(p.roles()) != 2 {
		t.Fatalf("patch fields: %s", p.Body)
	}
	api.patch(usersPath(tenant)+"/"+id, map[string]any{}).expect(t, http.StatusOK)

	// List: every user, q, limit and cursor.
	list := api.get(usersPath(tenant)).expect(t, http.StatusOK)
	if n := len(list.items()); n != 8 || list.JSON["nextCursor"] != nil {
		t.Fatalf("list: %d users, next %v", n, list.JSON["nextCursor"])
	}
	q := api.get(usersPath(tenant)+"?q=benj").expect(t, http.StatusOK)
	if len(q.items()) != 1 || q.items()[0]["id"] != id {
		t.Fatalf("q by name: %s", q.Body)
	}
	q = api.get(usersPath(tenant)+"?q=HUCK.FINN@").expect(t, http.StatusOK)
	if len(q.items()) != 1 || q.items()[0]["email"] != huck {
		t.Fatalf("q by email: %s", q.Body)
	}
	// Any part (issue 13): the last name, the domain.
	q = api.get(usersPath(tenant)+"?q=sawyer").expect(t, http.StatusOK)
	if len(q.items()) != 2 || q.items()[0]["displayName"] != "Sid Sawyer" || q.items()[1]["displayName"] != "Tom Sawyer" {
		t.Fatalf("q by a part of the name: %s", q.Body)
	}
	if q = api.get(usersPath(tenant)+"?q=FENCE.EXAMPLE").expect(t, http.StatusOK); len(q.items()) != 8 {
		t.Fatalf("q by a part of the email: %d users", len(q.items()))
	}
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		path := usersPath(tenant) + "?limit=3"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		pg := api.get(path).expect(t, http.StatusOK)
		for _, it := range pg.items() {
			seen = append(seen, it["displayName"].(string))
		}
		next, _ := pg.JSON["nextCursor"].(string)
		if next == "" {
			if pages != 2 {
				t.Fatalf("%d pages of 3 for 8 users", pages+1)
			}
			break
		}
		cursor = next
	}
	if len(seen) != 8 || seen[0] != "Aunt Polly" || seen[7] != "Tom Sawyer" {
		t.Fatalf("paged list: %v", seen)
	}
	api.get(usersPath(tenant)+"?limit=0").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "limit")
	api.get(usersPath(tenant)+"?limit=201").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "limit")
	api.get(usersPath(tenant)+"?limit=abc").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "limit")
	api.get(usersPath(tenant)+"?cursor=%21%21").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "cursor")

	// The middle of a Cyrillic name, in capitals; a rename is searched as it
	// is now (issue 13).
	api.patch(usersPath(tenant)+"/"+id, map[string]any{"displayName": "Бенджамин Роджерс"}).expect(t, http.StatusOK)
	if q = api.get(usersPath(tenant)+"?q="+url.QueryEscape("НДЖАМ")).expect(t, http.StatusOK); len(q.items()) != 1 || q.items()[0]["id"] != id {
		t.Fatalf("q by the middle of a Cyrillic name: %s", q.Body)
	}
	if q = api.get(usersPath(tenant)+"?q=rogers").expect(t, http.StatusOK); len(q.items()) != 0 {
		t.Fatalf("q by the former name: %s", q.Body)
	}

	// Delete: 204, then 404.
	d := api.delete(usersPath(tenant)+"/"+id).expect(t, http.StatusNoContent)
	if len(d.Body) != 0 {
		t.Fatalf("204 with a body: %s", d.Body)
	}
	api.get(usersPath(tenant)+"/"+id).expect(t, http.StatusNotFound, "not_found")
	api.delete(usersPath(tenant)+"/"+id).expect(t, http.StatusNotFound, "not_found")
	api.get(usersPath(tenant)+"/abc").expect(t, http.StatusNotFound, "not_found")
	api.get(usersPath(tenant)+"/0").expect(t, http.StatusNotFound, "not_found")
	if q = api.get(usersPath(tenant)+"?q="+url.QueryEscape("джамин")).expect(t, http.StatusOK); len(q.items()) != 0 {
		t.Fatalf("q finds a deleted user: %s", q.Body)
	}

	// Audited in the account's log with the API user as actor.
	entries, _ := app.DB.ListAudit(context.Background(), app.accountOf(tom), 50)
	actions := map[string]bool{}
	for _, e := range entries {
		if e.ActorName == "Becky Thatcher" {
			actions[e.Action] = true
		}
	}
	for _, a := range []string{"user.create", "user.update", "user.delete"} {
		if !actions[a] {
			t.Errorf("no audit %s by the token's user", a)
		}
	}
}

func (a *testApp) accountOf(email string) int64 {
	a.t.Helper()
	u, err := a.DB.FindUserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	return u.AccountID
}

func TestAPIUsersValidation(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	api := app.api(app.apiToken(becky))
	huckPath := usersPath(tenant) + "/" + app.userIDOf(huck)
	valid := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{"displayName": "Joe", "email": "joe@fence.example", "roles": []string{"customer.user"}}
		edit(m)
		return m
	}
	long := strings.Repeat("x", 101)
	longEmail := strings.Repeat("a", 187) + "@fence.example" // 201 characters
	if len(longEmail) != 201 {
		t.Fatal(len(longEmail))
	}
	cases := []struct {
		name  string
		body  any
		field string
	}{
		{"displayName 101 characters", valid(func(m map[string]any) { m["displayName"] = long }), "displayName"},
		{"displayName blank", valid(func(m map[string]any) { m["displayName"] = "   " }), "displayName"},
		{"email 201 characters", valid(func(m map[string]any) { m["email"] = longEmail }), "email"},
		{"malformed email", valid(func(m map[string]any) { m["email"] = "joe at fence" }), "email"},
		{"email with a name", valid(func(m map[string]any) { m["email"] = "Joe <joe@fence.example>" }), "email"},
		{"missing displayName", valid(func(m map[string]any) { delete(m, "displayName") }), "displayName"},
		{"missing email", valid(func(m map[string]any) { delete(m, "email") }), "email"},
		{"unknown field", valid(func(m map[string]any) { m["nickname"] = "Joey" }), "nickname"},
		{"wrong type displayName", valid(func(m map[string]any) { m["displayName"] = 42 }), "displayName"},
		{"wrong type roles", valid(func(m map[string]any) { m["roles"] = "customer.user" }), "roles"},
		{"wrong type role item", valid(func(m map[string]any) { m["roles"] = []any{1} }), "roles"},
		{"null email", valid(func(m map[string]any) { m["email"] = nil }), "email"},
	}
	for _, c := range cases {
		t.Run("create "+c.name, func(t *testing.T) {
			api.post(usersPath(tenant), c.body).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, c.field)
		})
	}
	t.Run("all missing named at once", func(t *testing.T) {
		res := api.post(usersPath(tenant), map[string]any{}).expect(t, http.StatusBadRequest, "validation_failed")
		for _, f := range []string{"displayName", "email"} { // roles is optional
			res.expectField(t, f)
		}
	})
	for _, c := range []struct {
		name  string
		body  any
		field string
	}{
		{"displayName 101 characters", map[string]any{"displayName": long}, "displayName"},
		{"email 201 characters", map[string]any{"email": longEmail}, "email"},
		{"malformed email", map[string]any{"email": "huck@"}, "email"},
		{"empty displayName", map[string]any{"displayName": ""}, "displayName"},
		{"unknown field", map[string]any{"status": "active"}, "status"},
		{"null roles", map[string]any{"roles": nil}, "roles"},
		{"wrong type email", map[string]any{"email": []string{"a"}}, "email"},
	} {
		t.Run("patch "+c.name, func(t *testing.T) {
			api.patch(huckPath, c.body).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, c.field)
		})
	}
	t.Run("unknown role", func(t *testing.T) {
		res := api.post(usersPath(tenant), valid(func(m map[string]any) { m["roles"] = []string{"customer.user", "customer.wizard"} })).
			expect(t, http.StatusUnprocessableEntity, "unknown_role")
		if !strings.Contains(res.str("detail"), "customer.wizard") {
			t.Fatalf("detail does not name the role: %s", res.Body)
		}
		api.patch(huckPath, map[string]any{"roles": []string{"customer.user", "partner.admin"}}).expect(t, http.StatusUnprocessableEntity, "unknown_role")
	})
	// Nothing was created by any of these.
	if list := api.get(usersPath(tenant)).expect(t, http.StatusOK); len(list.items()) != 7 {
		t.Fatalf("%d users after refused requests", len(list.items()))
	}
}

func TestAPIUsersRules(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	api := app.api(app.apiToken(becky))
	tomPath := usersPath(tenant) + "/" + app.userIDOf(tom)
	huckPath := usersPath(tenant) + "/" + app.userIDOf(huck)

	t.Run("role_prerequisite_missing", func(t *testing.T) {
		res := api.post(usersPath(tenant), map[string]any{"displayName": "Pre", "email": "pre@fence.example",
			"roles": []string{"customer.user", "customer.user.acd"}}).expect(t, http.StatusUnprocessableEntity, "role_prerequisite_missing")
		if !strings.Contains(res.str("detail"), "customer.user.acd") || !strings.Contains(res.str("detail"), "customer.user.pbx") {
			t.Fatalf("detail does not name both roles: %s", res.Body)
		}
		api.patch(huckPath, map[string]any{"roles": []string{"customer.user.supervisorl1"}}).expect(t, http.StatusUnprocessableEntity, "role_prerequisite_missing")
	})
	t.Run("supervisor_roles_exclusive", func(t *testing.T) {
		api.patch(huckPath, map[string]any{"roles": []string{"customer.user", "customer.user.supervisorl1", "customer.user.supervisorl2"}}).
			expect(t, http.StatusUnprocessableEntity, "supervisor_roles_exclusive")
	})
	t.Run("owner_immutable", func(t *testing.T) {
		api.patch(tomPath, map[string]any{"roles": []string{"customer.user"}}).expect(t, http.StatusUnprocessableEntity, "owner_immutable")
		api.delete(tomPath).expect(t, http.StatusUnprocessableEntity, "owner_immutable")
	})
	t.Run("email_taken", func(t *testing.T) {
		// In the same account, in any case, and in another account.
		for _, email := range []string{huck, "HUCK.FINN@fence.example", elizabeth, "winnie.pooh@hundredacre.example"} {
			res := api.post(usersPath(tenant), map[string]any{"displayName": "Dup", "email": email, "roles": []string{"customer.user"}}).
				expect(t, http.StatusConflict, "email_taken")
			res.expectField(t, "email")
		}
		// An invited user's email (only those may an admin change, R11).
		inv := api.post(usersPath(tenant), map[string]any{"displayName": "Typo", "email": "typo@fence.example",
			"roles": []string{"customer.user"}}).expect(t, http.StatusCreated)
		api.patch(usersPath(tenant)+"/"+inv.str("id"), map[string]any{"email": becky}).expect(t, http.StatusConflict, "email_taken")
	})
	t.Run("last_user_admin and admin_required_first", func(t *testing.T) {
		// A customer without an Owner, created through the API.
		partner := app.api(app.apiToken(elizabeth))
		c := partner.post("/api/v1/customers", map[string]any{"name": "Injun Joe's Caves"}).expect(t, http.StatusCreated)
		cp := usersPath(c.str("tenantId"))
		partner.post(cp, map[string]any{"displayName": "Jim", "email": "jim@caves.example", "roles": []string{"customer.user"}}).
			expect(t, http.StatusUnprocessableEntity, "admin_required_first")
		admin := partner.post(cp, map[string]any{"displayName": "Judge Thatcher", "email": "judge@caves.example",
			"roles": []string{"user.admin", "customer.user"}}).expect(t, http.StatusCreated)
		ap := cp + "/" + admin.str("id")
		res := partner.patch(ap, map[string]any{"roles": []string{"customer.user"}}).expect(t, http.StatusUnprocessableEntity, "last_user_admin")
		if res.str("detail") != "There must be at least one user admin" {
			t.Fatalf("R3 message: %s", res.Body)
		}
		partner.delete(ap).expect(t, http.StatusUnprocessableEntity, "last_user_admin")
	})
}

func TestAPIUserEmails(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	api := app.api(app.apiToken(becky))
	path := func(email, kind string) string { return usersPath(tenant) + "/" + app.userIDOf(email) + "/" + kind }
	mails := func() []*tenantdesk.MailMessage {
		m, _ := app.DB.ListMail(context.Background(), 100)
		return m
	}
	before := len(mails())

	// An invited user gets a new activation link; an empty object is accepted as the body too.
	invited := api.post(usersPath(tenant), map[string]any{"displayName": "Amy Lawrence", "email": "amy@fence.example",
		"roles": []string{"customer.user", "customer.user.uc"}}).expect(t, http.StatusCreated)
	res := api.post(usersPath(tenant)+"/"+invited.str("id")+"/activation-email", nil).expect(t, http.StatusAccepted)
	if res.str("status") != "queued" {
		t.Fatalf("202 body: %s", res.Body)
	}
	api.post(usersPath(tenant)+"/"+invited.str("id")+"/activation-email", map[string]any{}).expect(t, http.StatusAccepted)
	api.post(usersPath(tenant)+"/"+invited.str("id")+"/activation-email", map[string]any{"force": true}).
		expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "force")
	api.post(path(becky, "activation-email"), nil).expect(t, http.StatusUnprocessableEntity, "user_not_invited")
	api.post(path("muff.potter@fence.example", "activation-email"), nil).expect(t, http.StatusUnprocessableEntity, "no_website_access")

	// UC welcome: holders of customer.user.uc only.
	api.post(path("sid.sawyer@fence.example", "uc-welcome-email"), nil).expect(t, http.StatusAccepted)
	api.post(path(huck, "uc-welcome-email"), nil).expect(t, http.StatusUnprocessableEntity, "uc_role_required")
	ctx := tenantdesk.OperatorContext(context.Background())
	sid, _ := app.DB.FindUserByEmail(ctx, "sid.sawyer@fence.example")
	if _, err := app.Svc.Users.SetUserDisabled(ctx, sid.AccountID, sid.ID, true); err != nil {
		t.Fatal(err)
	}
	api.post(path("sid.sawyer@fence.example", "uc-welcome-email"), nil).expect(t, http.StatusUnprocessableEntity, "user_disabled")

	all := mails()
	if len(all)-before != 4 { // invitation + 2 activation links + 1 UC welcome
		t.Fatalf("%d emails queued, want 4", len(all)-before)
	}
	uc := all[0]
	if uc.Kind != tenantdesk.MailUCWelcome || uc.To != "sid.sawyer@fence.example" || !strings.Contains(uc.BodyText, "Sid Sawyer") || uc.Subject == "" {
		t.Fatalf("UC welcome: %+v", uc)
	}
	entries, _ := app.DB.ListAudit(ctx, sid.AccountID, 20)
	found := false
	for _, e := range entries {
		found = found || e.Action == tenantdesk.AuditUCWelcomeSent
	}
	if !found {
		t.Fatal("UC welcome not audited")
	}
}

func TestAPIUsersForbidden(t *testing.T) {
	// Known objects, forbidden actions: 403 (SPEC §5).
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	huckAPI := app.api(app.apiToken(huck)) // customer.user + supervisorl1, no user.admin
	huckAPI.get(usersPath(tenant)).expect(t, http.StatusForbidden, "forbidden")
	huckAPI.get(usersPath(tenant)+"/"+app.userIDOf(becky)).expect(t, http.StatusForbidden, "forbidden")
	huckAPI.post(usersPath(tenant), map[string]any{"displayName": "X", "email": "x@fence.example", "roles": []string{"customer.user"}}).
		expect(t, http.StatusForbidden, "forbidden")
	huckAPI.delete(usersPath(tenant)+"/"+app.userIDOf(becky)).expect(t, http.StatusForbidden, "forbidden")
	huckAPI.get("/api/v1/customers/"+tenant).expect(t, http.StatusForbidden, "forbidden")
	huckAPI.get("/api/v1/customers").expect(t, http.StatusForbidden, "forbidden")
}
