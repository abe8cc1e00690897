package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The customers endpoints and the isolation of accounts (404 for every
// object of an account the token may not see).

func TestAPICustomers(t *testing.T) {
	app := newTestApp(t)
	partner := app.api(app.apiToken(elizabeth))
	classics := app.tenantOf(elizabeth)

	// List: the partner's customers by name.
	list := partner.get("/api/v1/customers").expect(t, http.StatusOK)
	if n := len(list.items()); n != 2 || list.items()[0]["name"] != "Hundred Acre Wood Art Gallery" || list.JSON["nextCursor"] != nil {
		t.Fatalf("list: %s", list.Body)
	}
	pg := partner.get("/api/v1/customers?limit=1").expect(t, http.StatusOK)
	next, _ := pg.JSON["nextCursor"].(string)
	if len(pg.items()) != 1 || next == "" {
		t.Fatalf("page 1: %s", pg.Body)
	}
	pg2 := partner.get("/api/v1/customers?limit=1&cursor="+next).expect(t, http.StatusOK)
	if len(pg2.items()) != 1 || pg2.items()[0]["name"] != "Tom Sawyer Fence Painting Co." || pg2.JSON["nextCursor"] != nil {
		t.Fatalf("page 2: %s", pg2.Body)
	}
	partner.get("/api/v1/customers?cursor=nonsense!").expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "cursor")

	// Create with an owner: 201, Location, tenantId, the connection as given.
	conn := map[string]any{"platform": "pbx.example", "trunk": map[string]any{"host": "sip.example", "port": 5061}, "tags": []string{"eu"}}
	res := partner.post("/api/v1/customers", map[string]any{"name": "Mark Twain Steamboats", "description": "Up and down the river.",
		"reference": "MT-1", "connection": conn, "owner": map[string]any{"displayName": "Samuel Clemens", "email": "sam@steamboats.example"}}).
		expect(t, http.StatusCreated)
	tenant := res.str("tenantId")
	if tenant == "" || res.Header.Get("Location") != "/api/v1/customers/"+tenant || res.str("partnerTenantId") != classics ||
		res.str("reference") != "MT-1" || res.str("owner.email") != "sam@steamboats.example" || res.str("owner.status") != "invited" {
		t.Fatalf("created: %s", res.Body)
	}
	if got, _ := json.Marshal(res.JSON["connection"]); string(got) != `{"platform":"pbx.example","tags":["eu"],"trunk":{"host":"sip.example","port":5061}}` {
		t.Fatalf("connection: %s", got)
	}
	owner := res.JSON["owner"].(map[string]any)
	if owner["isOwner"] != true || !hasRole(rolesOf(owner), "user.admin") || !hasRole(rolesOf(owner), "customer.user") {
		t.Fatalf("owner: %v", owner)
	}
	if mails, _ := app.DB.ListMail(context.Background(), 1); len(mails) != 1 || mails[0].To != "sam@steamboats.example" {
		t.Fatalf("owner's activation email: %+v", mails)
	}
	// Audited in both the partner's and the customer's log.
	ctx := tenantdesk.OperatorContext(context.Background())
	created, _ := app.DB.FindAccountByTenantID(ctx, tenant)
	if !auditHas(app, created.ID, "account.create") || !auditHas(app, app.accountOf(elizabeth), tenantdesk.AuditCustomerCreate) {
		t.Fatal("customer creation not audited in both logs")
	}

	// Get and patch.
	got := partner.get("/api/v1/customers/"+tenant).expect(t, http.StatusOK)
	if got.str("name") != "Mark Twain Steamboats" || got.JSON["owner"] != nil {
		t.Fatalf("get: %s", got.Body)
	}
	p := partner.patch("/api/v1/customers/"+tenant, map[string]any{"name": "Twain Steamboats", "connection": map[string]any{"platform": "new"}}).
		expect(t, http.StatusOK)
	if p.str("name") != "Twain Steamboats" || p.str("description") != "Up and down the river." || p.str("connection.platform") != "new" {
		t.Fatalf("patch: %s", p.Body)
	}
	partner.patch("/api/v1/customers/"+tenant, map[string]any{"name": ""}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "name")
	partner.patch("/api/v1/customers/"+tenant, map[string]any{"reference": strings.Repeat("r", 101)}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "reference")
	partner.patch("/api/v1/customers/"+tenant, map[string]any{"connection": []int{1}}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "connection")
	partner.patch("/api/v1/customers/"+tenant, map[string]any{"tenantId": "x"}).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "tenantId")
	if !auditHas(app, created.ID, tenantdesk.AuditAccountUpdate) {
		t.Fatal("patch not audited")
	}

	// Create: validation and the owner's email.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{}, "name"},
		{map[string]any{"name": strings.Repeat("n", 201)}, "name"},
		{map[string]any{"name": "X", "description": strings.Repeat("d", 1001)}, "description"},
		{map[string]any{"name": "X", "connection": "pbx"}, "connection"},
		{map[string]any{"name": "X", "owner": map[string]any{"displayName": strings.Repeat("o", 101), "email": "o@x.example"}}, "owner.displayName"},
		{map[string]any{"name": "X", "owner": map[string]any{"displayName": "O", "email": "not an email"}}, "owner.email"},
		{map[string]any{"name": "X", "owner": map[string]any{"displayName": "O"}}, "owner.email"},
		{map[string]any{"name": "X", "owner": map[string]any{"displayName": "O", "email": "o@x.example", "phone": "1"}}, "phone"},
		{map[string]any{"name": "X", "kind": "partner"}, "kind"},
	} {
		partner.post("/api/v1/customers", c.body).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, c.field)
	}
	partner.post("/api/v1/customers", map[string]any{"name": "X", "owner": map[string]any{"displayName": "O", "email": "TOM.SAWYER@fence.example"}}).
		expect(t, http.StatusConflict, "email_taken").expectField(t, "owner.email")
	// owner: null is "no owner".
	partner.post("/api/v1/customers", map[string]any{"name": "No Owner Ltd", "owner": nil}).expect(t, http.StatusCreated)

	// Only a partner.admin creates; partner.user lists; customers get 403.
	caroline := app.api(app.apiToken("caroline.bingley@classics.example"))
	caroline.get("/api/v1/customers").expect(t, http.StatusOK)
	caroline.get("/api/v1/customers/"+tenant).expect(t, http.StatusOK)
	caroline.post("/api/v1/customers", map[string]any{"name": "Sneaky"}).expect(t, http.StatusForbidden, "forbidden")
	caroline.patch("/api/v1/customers/"+tenant, map[string]any{"name": "Sneaky"}).expect(t, http.StatusForbidden, "forbidden")
	beckyAPI := app.api(app.apiToken(becky))
	beckyAPI.post("/api/v1/customers", map[string]any{"name": "Sneaky"}).expect(t, http.StatusForbidden, "forbidden")
	beckyAPI.get("/api/v1/customers").expect(t, http.StatusForbidden, "forbidden")
	// A customer's user admin reads their own account, but only the partner changes it.
	fence := beckyAPI.get("/api/v1/customers/"+app.tenantOf(becky)).expect(t, http.StatusOK)
	if fence.str("name") != "Tom Sawyer Fence Painting Co." || fence.str("reference") != "FENCE-001" {
		t.Fatalf("own account: %s", fence.Body)
	}
	beckyAPI.patch("/api/v1/customers/"+app.tenantOf(becky), map[string]any{"name": "Becky's"}).expect(t, http.StatusForbidden, "forbidden")
	// The partner's own account is not a customer.
	partner.get("/api/v1/customers/"+classics).expect(t, http.StatusNotFound, "not_found")
	partner.get("/api/v1/customers/"+classics+"/users").expect(t, http.StatusNotFound, "not_found")
}

func auditHas(app *testApp, accountID int64, action string) bool {
	entries, _ := app.DB.ListAudit(context.Background(), accountID, 100)
	for _, e := range entries {
		if e.Action == action {
			return true
		}
	}
	return false
}

// otherPartner creates a second partner with a customer of its own and
// returns its partner.admin's token and the customer's tenant ID.
func (a *testApp) otherPartner() (token, customerTenant string) {
	a.t.Helper()
	ctx := tenantdesk.OperatorContext(context.Background())
	p, _, err := a.ops().CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "Romantics Ltd", OwnerName: "Percy Shelley", OwnerEmail: "percy@romantics.example"})
	if err != nil {
		a.t.Fatal(err)
	}
	c := &tenantdesk.Account{Name: "Frankenstein Labs", ParentID: p.ID}
	if err := a.ops().CreateCustomer(ctx, c, &tenantdesk.User{DisplayName: "Mary Shelley", Email: "mary@labs.example"}); err != nil {
		a.t.Fatal(err)
	}
	return a.apiToken("percy@romantics.example"), c.TenantID
}

func TestAPINotFoundForOtherAccounts(t *testing.T) {
	app := newTestApp(t)
	otherToken, otherCustomer := app.otherPartner()
	fence, gallery := app.tenantOf(tom), app.tenantOf("winnie.pooh@hundredacre.example")
	winnie, huckID, maryID := app.userIDOf("winnie.pooh@hundredacre.example"), app.userIDOf(huck), app.userIDOf("mary@labs.example")

	// Every endpoint of an account, with an ID of that account.
	endpoints := func(tenant, userID string) [][3]any {
		u := usersPath(tenant)
		newUser := map[string]any{"displayName": "Intruder", "email": "intruder@evil.example", "roles": []string{"customer.user", "user.admin"}}
		return [][3]any{
			{"GET", "/api/v1/customers/" + tenant, nil},
			{"PATCH", "/api/v1/customers/" + tenant, map[string]any{"name": "Hijacked"}},
			{"GET", u, nil},
			{"POST", u, newUser},
			{"GET", u + "/" + userID, nil},
			{"PATCH", u + "/" + userID, map[string]any{"displayName": "Hijacked"}},
			{"DELETE", u + "/" + userID, nil},
			{"POST", u + "/" + userID + "/activation-email", nil},
			{"POST", u + "/" + userID + "/uc-welcome-email", nil},
		}
	}
	for _, c := range []struct {
		name, token string
		targets     [][3]any
	}{
		// A customer's token: another customer of the same partner, another partner's customer.
		{"customer token, sibling customer", app.apiToken(becky), endpoints(gallery, winnie)},
		{"customer token, other partner's customer", app.apiToken(becky), endpoints(otherCustomer, maryID)},
		// Another partner's admin: the first partner's customers.
		{"other partner, fence", otherToken, endpoints(fence, huckID)},
		{"other partner, gallery", otherToken, endpoints(gallery, winnie)},
		// The partner itself: another partner's customer.
		{"partner, other partner's customer", app.apiToken(elizabeth), endpoints(otherCustomer, maryID)},
		// Unknown tenants.
		{"unknown tenant", app.apiToken(elizabeth), endpoints("tnnosuchtenant00000", huckID)},
	} {
		t.Run(c.name, func(t *testing.T) {
			api := app.api(c.token)
			for _, ep := range c.targets {
				api.do(ep[0].(string), ep[1].(string), ep[2]).expect(t, http.StatusNotFound, "not_found")
			}
		})
	}
	// A user of another account through one's own tenant is not found either.
	beckyAPI := app.api(app.apiToken(becky))
	for _, id := range []string{winnie, maryID, app.userIDOf(elizabeth)} {
		for _, ep := range endpoints(fence, id)[4:] {
			beckyAPI.do(ep[0].(string), ep[1].(string), ep[2]).expect(t, http.StatusNotFound, "not_found")
		}
	}
	// The partner sees its own customers' users; nothing above changed anything.
	app.api(app.apiToken(elizabeth)).get(usersPath(gallery)+"/"+winnie).expect(t, http.StatusOK)
	for _, email := range []string{"winnie.pooh@hundredacre.example", huck, "mary@labs.example"} {
		u, err := app.DB.FindUserByEmail(context.Background(), email)
		if err != nil || u.DisplayName == "Hijacked" {
			t.Fatalf("%s changed: %+v %v", email, u, err)
		}
	}
	if _, err := app.DB.FindUserByEmail(context.Background(), "intruder@evil.example"); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		t.Fatal("an intruder was created")
	}
}

func TestAPIUnknownEndpoints(t *testing.T) {
	app := newTestApp(t)
	api := app.api(app.apiToken(becky))
	api.get("/api/v1/nothing-here").expect(t, http.StatusNotFound, "not_found")
	api.do(http.MethodPut, "/api/v1/me", map[string]any{}).expect(t, http.StatusMethodNotAllowed, "method_not_allowed")
}
