package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The seed-001/003 deviations of the users API (SPEC §5): roles optional on
// create, existingUserId on an email_taken of the caller's own account,
// addRoles/removeRoles applied atomically through the one write path.

// TestAPICreateUserWithoutRoles: roles may be left out; the user is
// invited with no roles, cannot sign in and gets no activation email.
func TestAPICreateUserWithoutRoles(t *testing.T) {
	app := newTestApp(t)
	api := app.api(app.apiToken(becky))
	mails := func() int { m, _ := app.DB.ListMail(context.Background(), 500); return len(m) }
	before := mails()
	res := api.post(usersPath(app.tenantOf(becky)), map[string]any{"displayName": "Ben Rogers", "email": "ben.rogers@fence.example"}).
		expect(t, http.StatusCreated)
	if len(res.roles()) != 0 || res.str("status") != "invited" {
		t.Fatalf("created: %s", res.Body)
	}
	if app.user("ben.rogers@fence.example").CanSignIn() {
		t.Fatal("a user without roles may sign in")
	}
	if n := mails() - before; n != 0 {
		t.Fatalf("%d emails queued for a user without website access", n)
	}
	// "roles": [] is the same.
	api.post(usersPath(app.tenantOf(becky)), map[string]any{"displayName": "Tom Rogers", "email": "tom.rogers@fence.example", "roles": []string{}}).
		expect(t, http.StatusCreated)
}

// TestAPIEmailTakenExistingUserID: a 409 email_taken names the user with
// existingUserId when they are in the account the request writes (the
// tenant in the path), for the account's admin and the partner alike, so
// the fallback is one PATCH; a user of any other account is never named.
func TestAPIEmailTakenExistingUserID(t *testing.T) {
	app := newTestApp(t)
	fence := usersPath(app.tenantOf(becky))
	gallery := usersPath(app.tenantOf(robin))
	body := func(email string) map[string]any {
		return map[string]any{"displayName": "Someone", "email": email, "roles": []string{"customer.user"}}
	}
	for _, c := range []struct {
		name, token, path, email, want string
	}{
		{"own account, its admin", becky, fence, "HUCK.FINN@fence.example", app.userIDOf(huck)},
		{"own account, the partner", elizabeth, fence, huck, app.userIDOf(huck)},
		{"own account, the partner, other customer", elizabeth, gallery, "winnie.pooh@hundredacre.example", app.userIDOf("winnie.pooh@hundredacre.example")},
		{"another customer's user", becky, fence, "winnie.pooh@hundredacre.example", ""},
		{"the partner's staff", becky, fence, caroline, ""},
		{"the partner writing, another customer's user", elizabeth, fence, "winnie.pooh@hundredacre.example", ""},
		{"the partner writing, its own staff", elizabeth, gallery, caroline, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := app.api(app.apiToken(c.token)).post(c.path, body(c.email)).expect(t, http.StatusConflict, "email_taken")
			got, present := res.JSON["existingUserId"]
			switch {
			case c.want == "" && present:
				t.Fatalf("existingUserId leaked for a user of another account: %s", res.Body)
			case c.want != "" && got != c.want:
				t.Fatalf("existingUserId %v, want %s: %s", got, c.want, res.Body)
			}
		})
	}
	// The fallback of seed 001 is one PATCH on the named user.
	api := app.api(app.apiToken(becky))
	id := api.post(fence, body(huck)).expect(t, http.StatusConflict, "email_taken").str("existingUserId")
	if res := api.patch(fence+"/"+id, map[string]any{"addRoles": []string{"customer.user.uc"}}).expect(t, http.StatusOK); !hasRole(res.roles(), "customer.user.uc") {
		t.Fatalf("patched: %s", res.Body)
	}
}

// TestAPIPatchAddRemoveRoles: addRoles and removeRoles change single roles
// of the set as stored, through the same rules as everything else (R1, R2,
// R5, R6, R7); a refused change changes nothing; they cannot be combined
// with roles; concurrent additions never undo each other.
func TestAPIPatchAddRemoveRoles(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(becky)
	acc := app.accountOf(becky)
	api := app.api(app.apiToken(becky))
	huckPath := usersPath(tenant) + "/" + app.userIDOf(huck)
	audits := func() int { return app.count(`SELECT count(*) FROM audit_log WHERE account_id = ?`, acc) }
	roles := func(email string) []string { return app.user(email).Roles }
	want := func(t *testing.T, got []string, keys ...string) {
		t.Helper()
		if !slices.Equal(got, tenantdesk.SortedRoles(keys)) {
			t.Fatalf("roles %v, want %v", got, tenantdesk.SortedRoles(keys))
		}
	}

	// Huck: customer.user + supervisorl1.
	res := api.patch(huckPath, map[string]any{"addRoles": []string{"customer.user.uc", "customer.user.crm"}}).expect(t, http.StatusOK)
	want(t, res.roles(), "customer.user", "customer.user.supervisorl1", "customer.user.uc", "customer.user.crm")
	res = api.patch(huckPath, map[string]any{"removeRoles": []string{"customer.user.crm"}, "addRoles": []string{"customer.user.uc.softphone"}}).expect(t, http.StatusOK)
	want(t, res.roles(), "customer.user", "customer.user.supervisorl1", "customer.user.uc", "customer.user.uc.softphone")
	// Adding a held role or removing one not held changes nothing, and
	// writes no audit entry.
	n := audits()
	res = api.patch(huckPath, map[string]any{"addRoles": []string{"customer.user.uc"}, "removeRoles": []string{"customer.user.pbx"}}).expect(t, http.StatusOK)
	want(t, res.roles(), "customer.user", "customer.user.supervisorl1", "customer.user.uc", "customer.user.uc.softphone")
	if audits() != n {
		t.Fatal("a change that changed nothing was audited")
	}

	t.Run("refused changes change nothing", func(t *testing.T) {
		held := roles(huck)
		name := app.user(huck).DisplayName
		n := audits()
		for _, c := range []struct {
			name   string
			body   map[string]any
			status int
			code   string
			field  string
		}{
			// R1: customer.user.acd needs customer.user.pbx; with a name change in the same PATCH.
			{"R1 prerequisite", map[string]any{"displayName": "Huckleberry Finn", "addRoles": []string{"customer.user.acd"}}, 422, "role_prerequisite_missing", "roles"},
			// R1 the other way: softphones need the UC client.
			{"R1 prerequisite removed", map[string]any{"removeRoles": []string{"customer.user.uc"}}, 422, "role_prerequisite_missing", "roles"},
			{"R2 second supervisor level", map[string]any{"addRoles": []string{"customer.user.supervisorl2"}}, 422, "supervisor_roles_exclusive", "roles"},
			{"R6 unknown role added", map[string]any{"addRoles": []string{"customer.wizard"}}, 422, "unknown_role", "addRoles"},
			{"R6 unknown role removed", map[string]any{"removeRoles": []string{"customer.wizard"}}, 422, "unknown_role", "removeRoles"},
			{"R6 partner role", map[string]any{"addRoles": []string{"partner.admin"}}, 422, "unknown_role", "roles"},
			{"roles with addRoles", map[string]any{"roles": []string{"customer.user"}, "addRoles": []string{"customer.user.uc"}}, 400, "validation_failed", "addRoles"},
			{"roles with removeRoles", map[string]any{"roles": []string{"customer.user"}, "removeRoles": []string{"customer.user.uc"}}, 400, "validation_failed", "removeRoles"},
			{"added and removed", map[string]any{"addRoles": []string{"customer.user.crm"}, "removeRoles": []string{"customer.user.crm"}}, 400, "validation_failed", "removeRoles"},
			{"null addRoles", map[string]any{"addRoles": nil}, 400, "validation_failed", "addRoles"},
			{"wrong type removeRoles", map[string]any{"removeRoles": "customer.user.uc"}, 400, "validation_failed", "removeRoles"},
		} {
			t.Run(c.name, func(t *testing.T) {
				api.patch(huckPath, c.body).expect(t, c.status, c.code).expectField(t, c.field)
			})
		}
		if got := roles(huck); !slices.Equal(got, held) {
			t.Fatalf("roles changed by refused requests: %v, was %v", got, held)
		}
		if app.user(huck).DisplayName != name || audits() != n {
			t.Fatal("a refused change was written")
		}
	})

	t.Run("R5 holds", func(t *testing.T) {
		// The Owner's permission roles stay, whatever is removed.
		api.patch(usersPath(tenant)+"/"+app.userIDOf(tom), map[string]any{"removeRoles": []string{"user.admin"}}).
			expect(t, http.StatusUnprocessableEntity, "owner_immutable")
	})

	t.Run("R7 roll-out in the same change", func(t *testing.T) {
		// The account's first supervisorl3 gives the real-time add-on to
		// every holder of customer.user.pbx (Sid), visible in the answer.
		res := api.patch(huckPath, map[string]any{"removeRoles": []string{"customer.user.supervisorl1"}, "addRoles": []string{"customer.user.supervisorl3"}}).
			expect(t, http.StatusOK)
		var got []string
		for _, a := range res.JSON["autoAssigned"].([]any) {
			got = append(got, a.(map[string]any)["userId"].(string)+" "+a.(map[string]any)["role"].(string))
		}
		if !slices.Contains(got, app.userIDOf(sid)+" customer.user.pbx.realtime") || !hasRole(roles(sid), "customer.user.pbx.realtime") {
			t.Fatalf("auto-assigned %v", got)
		}
	})

	t.Run("concurrent additions all land", func(t *testing.T) {
		// Joe holds customer.user and a few permissions; eight clients
		// each add another role at once. With read-modify-write in the
		// client some would undo others; here every one lands.
		joePath := usersPath(tenant) + "/" + app.userIDOf(joe)
		add := []string{"customer.settings", "customer.directories.contributor", "customer.voice.applications", "customer.voice.admin",
			"webhooks.admin", "pbx.agentcontrol", "pbx.silentmonitor", "customer.billables.admin"}
		start := roles(joe)
		tok := app.apiToken(tom)
		var wg sync.WaitGroup
		errs := make(chan string, len(add))
		for _, r := range add {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := app.api(tok)
				c.t = &quietT{TB: t}
				if res := c.patch(joePath, map[string]any{"addRoles": []string{r}}); res.Status != http.StatusOK {
					errs <- fmt.Sprintf("%s: %d %s", r, res.Status, res.Body)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		want(t, roles(joe), append(start, add...)...)
	})
}

// quietT lets goroutines use an API client: Fatal is not allowed off the
// test's goroutine, so failures are reported with Errorf.
type quietT struct{ testing.TB }

func (q *quietT) Fatal(args ...any)                 { q.TB.Helper(); q.TB.Error(args...) }
func (q *quietT) Fatalf(format string, args ...any) { q.TB.Helper(); q.TB.Errorf(format, args...) }
