package web_test

import (
	"net/http"
	"testing"
)

// TestRemovingWebsiteAccessSignsTheUserOutAndStopsTheirTokens (issue 9):
// a user who can no longer sign in has no sessions, and their API tokens
// answer 403 api_access_required until the access is given back.
func TestRemovingWebsiteAccessSignsTheUserOutAndStopsTheirTokens(t *testing.T) {
	app := newTestApp(t)
	// Becky is a user admin; her session and token are what is taken away.
	victim := app.client()
	victim.mustSignIn(becky)
	token := app.api(app.apiToken(becky))
	token.get("/api/v1/me").expect(t, http.StatusOK)

	admin := app.api(app.apiToken(tom))
	path := usersPath(app.tenantOf(tom)) + "/" + app.userIDOf(becky)
	admin.patch(path, map[string]any{"roles": []string{}}).expect(t, http.StatusOK)
	if app.user(becky).HasRole("customer.user") {
		t.Fatal("customer.user still held")
	}

	if res := victim.get("/account/users"); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
		t.Fatalf("session survived: GET /account/users answered %d", res.StatusCode)
	}
	if n := app.count(`SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE email_norm = ?)`, becky); n != 0 {
		t.Fatalf("%d sessions left", n)
	}
	res := token.get("/api/v1/me").expect(t, http.StatusForbidden, "api_access_required")
	if res.str("detail") == "" {
		t.Error("no detail")
	}
	token.get(path).expect(t, http.StatusForbidden, "api_access_required")
	token.patch(path, map[string]any{"displayName": "Becky"}).expect(t, http.StatusForbidden, "api_access_required")

	// Access given back: the same token works again (it was not revoked).
	admin.patch(path, map[string]any{"roles": []string{"user.admin", "customer.user", "onboarding.admin"}}).expect(t, http.StatusOK)
	token.get("/api/v1/me").expect(t, http.StatusOK)
}
