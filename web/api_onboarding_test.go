package web_test

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestAPIOnboardingSeed001 runs the whole onboarding of seed 001 through
// the API, as a partner's script would, with Classics' partner.admin token.
func TestAPIOnboardingSeed001(t *testing.T) {
	app := newTestApp(t)
	exchanges := docExchanges.Load()
	api := app.api(app.apiToken(elizabeth))
	ctx := tenantdesk.OperatorContext(context.Background())

	// 1. Create the customer account: name, description, reference, PBX connection details.
	c := api.post("/api/v1/customers", map[string]any{
		"name": "St. Petersburg Steamboat Co.", "description": "Excursions on the Mississippi.", "reference": "SPS-42",
		"connection": map[string]any{"platform": "pbx.example", "host": "pbx.steamboat.example", "port": 5061, "tls": true},
	}, "Idempotency-Key", "create-sps-42").expect(t, http.StatusCreated)
	tenant := c.str("tenantId")
	users := usersPath(tenant)
	if c.Header.Get("Location") != "/api/v1/customers/"+tenant || c.JSON["owner"] != nil {
		t.Fatalf("customer: %s", c.Body)
	}
	// The phone platform's users are imported into the account (an import
	// runs on the operator's behalf; the rules apply there too) — before
	// any admin exists, R4 refuses every other change.
	acc, err := app.DB.FindAccountByTenantID(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	api.post(users, map[string]any{"displayName": "Joe Harper Jr.", "email": "joe.jr@steamboat.example", "roles": []string{"customer.user.pbx"}}).
		expect(t, http.StatusUnprocessableEntity, "admin_required_first")

	// 2. Create the first admin: user.admin + customer.user.
	admin := api.post(users, map[string]any{"displayName": "Captain Bixby", "email": "bixby@steamboat.example",
		"roles": []string{"user.admin", "customer.user"}}, "Idempotency-Key", "admin-bixby").expect(t, http.StatusCreated)
	if !hasRole(admin.roles(), "user.admin") || admin.str("status") != "invited" {
		t.Fatalf("admin: %s", admin.Body)
	}
	// The script retries after a timeout: the key replays, no second admin.
	api.post(users, map[string]any{"displayName": "Captain Bixby", "email": "bixby@steamboat.example",
		"roles": []string{"user.admin", "customer.user"}}, "Idempotency-Key", "admin-bixby").expect(t, http.StatusCreated)

	// Imported phone users (no website access) arrive now that an admin exists.
	for _, p := range [][2]string{{"Ben Rogers", "ben@steamboat.example"}, {"Billy Fisher", "billy@steamboat.example"}, {"Jim Hollis", "jim@steamboat.example"}} {
		u := &tenantdesk.User{AccountID: acc.ID, DisplayName: p[0], Email: p[1], Roles: []string{tenantdesk.RolePBX}}
		if err := app.ops().CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}

	// 3. Another admin whose email already exists (an imported user): 409,
	// then PATCH the existing user of this account with the roles.
	res := api.post(users, map[string]any{"displayName": "Ben Rogers", "email": "BEN@steamboat.example",
		"roles": []string{"user.admin", "customer.user", "customer.user.pbx"}}).expect(t, http.StatusConflict, "email_taken")
	res.expectField(t, "email")
	found := api.get(users+"?q="+url.QueryEscape("ben@steamboat")).expect(t, http.StatusOK)
	if len(found.items()) != 1 {
		t.Fatalf("search by email: %s", found.Body)
	}
	benID := found.items()[0]["id"].(string)
	ben := api.patch(users+"/"+benID, map[string]any{"roles": []string{"user.admin", "customer.user", "customer.user.pbx"}}).expect(t, http.StatusOK)
	if !hasRole(ben.roles(), "user.admin") || !hasRole(ben.roles(), "customer.user.pbx") {
		t.Fatalf("patched: %s", ben.Body)
	}

	// 4. Further users and roles: ACD agents and supervisor levels.
	agentRoles := []string{"customer.user", "customer.user.pbx", "customer.user.acd"}
	agent1 := api.post(users, map[string]any{"displayName": "Agent Amy", "email": "amy@steamboat.example", "roles": agentRoles}).expect(t, http.StatusCreated)
	api.post(users, map[string]any{"displayName": "Agent Tom", "email": "tom@steamboat.example", "roles": agentRoles}).expect(t, http.StatusCreated)
	billy := api.get(users+"?q=billy").expect(t, http.StatusOK).items()[0]["id"].(string)
	api.patch(users+"/"+billy, map[string]any{"roles": []string{"customer.user.pbx", "customer.user.acd"}}).expect(t, http.StatusOK)
	api.post(users, map[string]any{"displayName": "Mrs. Harper", "email": "harper@steamboat.example",
		"roles": []string{"customer.user", "customer.user.supervisorl1"}}).expect(t, http.StatusCreated)
	l2 := api.post(users, map[string]any{"displayName": "Mr. Dobbins", "email": "dobbins@steamboat.example",
		"roles": []string{"customer.user", "customer.user.supervisorl2", "customer.user.uc"}}).expect(t, http.StatusCreated)
	if n := len(l2.JSON["autoAssigned"].([]any)); n != 0 {
		t.Fatalf("supervisorl2 assigned %d roles automatically", n)
	}
	// R2 still holds mid-onboarding.
	api.patch(users+"/"+l2.str("id"), map[string]any{"roles": []string{"customer.user", "customer.user.supervisorl2", "customer.user.supervisorl3"}}).
		expect(t, http.StatusUnprocessableEntity, "supervisor_roles_exclusive")

	// The first supervisorl3 gives the real-time add-on to every holder of
	// customer.user.pbx in the same change, visible in the response.
	l3 := api.post(users, map[string]any{"displayName": "Judge Thatcher", "email": "judge@steamboat.example",
		"roles": []string{"customer.user", "customer.user.supervisorl3"}}).expect(t, http.StatusCreated)
	var got []string
	for _, a := range l3.JSON["autoAssigned"].([]any) {
		m := a.(map[string]any)
		if m["role"] != "customer.user.pbx.realtime" {
			t.Fatalf("auto role %v", m)
		}
		got = append(got, m["displayName"].(string))
	}
	sort.Strings(got)
	want := []string{"Agent Amy", "Agent Tom", "Ben Rogers", "Billy Fisher", "Jim Hollis"}
	if len(got) != len(want) {
		t.Fatalf("auto-assigned to %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("auto-assigned to %v, want %v", got, want)
		}
	}
	if a := api.get(users+"/"+agent1.str("id")).expect(t, http.StatusOK); !hasRole(a.roles(), "customer.user.pbx.realtime") {
		t.Fatalf("agent after the roll-out: %s", a.Body)
	}
	// A second supervisorl3 assigns nothing more.
	api.patch(users+"/"+l2.str("id"), map[string]any{"roles": []string{"customer.user", "customer.user.supervisorl4", "customer.user.uc"}}).expect(t, http.StatusOK)
	if !auditHas(app, acc.ID, "user.auto_role") {
		t.Fatal("the roll-out is not in the audit log")
	}

	// 5. Activation and UC welcome emails: 202.
	api.post(users+"/"+admin.str("id")+"/activation-email", nil).expect(t, http.StatusAccepted)
	api.post(users+"/"+l2.str("id")+"/uc-welcome-email", nil).expect(t, http.StatusAccepted)
	mails, _ := app.DB.ListMail(ctx, 2)
	if mails[0].Kind != tenantdesk.MailUCWelcome || mails[0].To != "dobbins@steamboat.example" || mails[1].Kind != tenantdesk.MailActivation || mails[1].To != "bixby@steamboat.example" {
		t.Fatalf("emails: %s→%s, %s→%s", mails[0].Kind, mails[0].To, mails[1].Kind, mails[1].To)
	}

	// List with cursor pagination and q.
	var names []string
	cursor := ""
	for {
		p := users + "?limit=4"
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		pg := api.get(p).expect(t, http.StatusOK)
		for _, it := range pg.items() {
			names = append(names, it["displayName"].(string))
		}
		next, _ := pg.JSON["nextCursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(names) != 9 || !sort.StringsAreSorted(lower(names)) {
		t.Fatalf("all users by name: %v", names)
	}
	if q := api.get(users+"?q=agent").expect(t, http.StatusOK); len(q.items()) != 2 {
		t.Fatalf("q=agent: %s", q.Body)
	}

	// Delete a user.
	api.delete(users+"/"+agent1.str("id")).expect(t, http.StatusNoContent)
	api.get(users+"/"+agent1.str("id")).expect(t, http.StatusNotFound, "not_found")
	// The last user admin cannot be deleted, but another admin can go.
	api.delete(users+"/"+benID).expect(t, http.StatusNoContent)
	api.delete(users+"/"+admin.str("id")).expect(t, http.StatusUnprocessableEntity, "last_user_admin")

	// The partner's log has the customer's creation; the customer's log
	// has every change, by the partner's admin.
	if !auditHas(app, app.accountOf(elizabeth), tenantdesk.AuditCustomerCreate) {
		t.Fatal("no customer.create in the partner's log")
	}
	entries, _ := app.DB.ListAudit(ctx, acc.ID, 200)
	byElizabeth := 0
	for _, e := range entries {
		if e.ActorName == "Elizabeth Bennet" {
			byElizabeth++
		}
	}
	if byElizabeth < 15 {
		t.Fatalf("only %d audit entries by the partner's admin", byElizabeth)
	}
	// Every one of these exchanges was checked against the OpenAPI document.
	if n := docExchanges.Load() - exchanges; n < 25 {
		t.Fatalf("only %d exchanges validated", n)
	}
}

func lower(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}
