package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Token authentication, /me, read-only tokens and the document endpoint.

func TestAPIMe(t *testing.T) {
	app := newTestApp(t)
	res := app.api(app.apiToken(becky)).get("/api/v1/me").expect(t, http.StatusOK)
	if res.str("user.email") != becky || res.str("account.kind") != "customer" || res.str("account.name") != "Tom Sawyer Fence Painting Co." {
		t.Fatalf("me: %s", res.Body)
	}
	if res.str("user.primaryTenant") != app.tenantOf(becky) || res.str("account.partnerTenantId") != app.tenantOf(elizabeth) {
		t.Fatalf("tenants: %s", res.Body)
	}
	if res.JSON["user"].(map[string]any)["isParent"] != false || res.str("token.name") != "test token" || res.JSON["token"].(map[string]any)["expiresAt"] != nil {
		t.Fatalf("me: %s", res.Body)
	}
	res = app.api(app.apiToken(elizabeth, readOnly)).get("/api/v1/me").expect(t, http.StatusOK)
	if res.str("account.kind") != "partner" || res.JSON["account"].(map[string]any)["partnerTenantId"] != nil ||
		res.JSON["token"].(map[string]any)["readOnly"] != true {
		t.Fatalf("partner me: %s", res.Body)
	}
}

func TestAPIUnauthorized(t *testing.T) {
	app := newTestApp(t)
	good := app.apiToken(becky)
	wellFormedUnknown := auth.NewAPIToken()
	badChecksum := good[:len(good)-1] + map[bool]string{true: "A", false: "B"}[good[len(good)-1] != 'A']
	for name, header := range map[string]string{
		"none":            "",
		"not bearer":      "Basic " + good,
		"empty bearer":    "Bearer ",
		"garbage":         "Bearer hello",
		"unknown token":   "Bearer " + wellFormedUnknown,
		"bad checksum":    "Bearer " + badChecksum,
		"session cookie?": "Cookie td_session=x",
	} {
		t.Run(name, func(t *testing.T) {
			c := app.api("")
			res := c.do(http.MethodGet, "/api/v1/me", nil, "Authorization", header)
			res.expect(t, http.StatusUnauthorized, "unauthorized")
			if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	// Every endpoint refuses without a token, before anything else.
	tenant := app.tenantOf(tom)
	for _, ep := range [][2]string{
		{"GET", "/api/v1/customers"}, {"POST", "/api/v1/customers"}, {"GET", "/api/v1/customers/" + tenant},
		{"PATCH", "/api/v1/customers/" + tenant}, {"GET", "/api/v1/customers/" + tenant + "/users"},
		{"POST", "/api/v1/customers/" + tenant + "/users"}, {"GET", "/api/v1/customers/" + tenant + "/users/1"},
		{"PATCH", "/api/v1/customers/" + tenant + "/users/1"}, {"DELETE", "/api/v1/customers/" + tenant + "/users/1"},
		{"POST", "/api/v1/customers/" + tenant + "/users/1/activation-email"},
		{"POST", "/api/v1/customers/" + tenant + "/users/1/uc-welcome-email"},
	} {
		var body any
		if ep[0] == "POST" || ep[0] == "PATCH" {
			body = map[string]any{}
		}
		app.api("").do(ep[0], ep[1], body).expect(t, http.StatusUnauthorized, "unauthorized")
		app.api(wellFormedUnknown).do(ep[0], ep[1], body).expect(t, http.StatusUnauthorized, "unauthorized")
	}
}

func TestAPITokenLifecycle(t *testing.T) {
	app := newTestApp(t)
	ctx := tenantdesk.OperatorContext(context.Background())

	t.Run("expired", func(t *testing.T) {
		tok := app.apiToken(becky, expiresIn(time.Hour, app.Clock.Now()))
		app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
		app.Clock.Advance(time.Hour)
		app.api(tok).get("/api/v1/me").expect(t, http.StatusUnauthorized, "unauthorized")
	})
	t.Run("revoked", func(t *testing.T) {
		tok := app.apiToken(becky)
		res := app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
		_ = res
		u, _ := app.DB.FindUserByEmail(ctx, becky)
		list, _ := app.Svc.Tokens.ListTokens(ctx, u.ID)
		if err := app.Svc.Tokens.RevokeToken(ctx, u.ID, list[0].ID); err != nil {
			t.Fatal(err)
		}
		app.api(tok).get("/api/v1/me").expect(t, http.StatusUnauthorized, "unauthorized")
	})
	t.Run("regenerated", func(t *testing.T) {
		tok := app.apiToken(becky, readOnly)
		u, _ := app.DB.FindUserByEmail(ctx, becky)
		list, _ := app.Svc.Tokens.ListTokens(ctx, u.ID)
		nt, secret, err := app.Svc.Tokens.RegenerateToken(ctx, u.ID, list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if nt.Name != "test token" || !nt.ReadOnly || secret == tok {
			t.Fatalf("regenerated %+v", nt)
		}
		app.api(tok).get("/api/v1/me").expect(t, http.StatusUnauthorized, "unauthorized")
		app.api(secret).get("/api/v1/me").expect(t, http.StatusOK)
	})
	t.Run("disabled and deleted user", func(t *testing.T) {
		tok := app.apiToken(huck)
		app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
		u, _ := app.DB.FindUserByEmail(ctx, huck)
		if _, err := app.Svc.Users.SetUserDisabled(ctx, u.AccountID, u.ID, true); err != nil {
			t.Fatal(err)
		}
		app.api(tok).get("/api/v1/me").expect(t, http.StatusUnauthorized, "unauthorized")
		if _, err := app.Svc.Users.SetUserDisabled(ctx, u.AccountID, u.ID, false); err != nil {
			t.Fatal(err)
		}
		app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
		if err := app.Svc.Users.DeleteUser(ctx, u.AccountID, u.ID); err != nil {
			t.Fatal(err)
		}
		app.api(tok).get("/api/v1/me").expect(t, http.StatusUnauthorized, "unauthorized")
	})
	t.Run("current rights", func(t *testing.T) {
		// A token acts with its user's rights as they are now: Becky loses
		// user.admin (keeping onboarding.admin, which tokens need) and her
		// token can no longer list users.
		tok := app.apiToken(becky)
		path := "/api/v1/customers/" + app.tenantOf(becky) + "/users"
		app.api(tok).get(path).expect(t, http.StatusOK)
		u, _ := app.DB.FindUserByEmail(ctx, becky)
		roles := []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleOnboardingAdmin}
		if _, err := app.Svc.Users.UpdateUser(ctx, u.AccountID, u.ID, tenantdesk.UserPatch{Roles: &roles}); err != nil {
			t.Fatal(err)
		}
		app.api(tok).get(path).expect(t, http.StatusForbidden, "forbidden")
		app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
	})
	t.Run("last used at most once a minute", func(t *testing.T) {
		tok := app.apiToken(tom)
		u, _ := app.DB.FindUserByEmail(ctx, tom)
		lastUsed := func() time.Time {
			list, _ := app.Svc.Tokens.ListTokens(ctx, u.ID)
			return list[0].LastUsedAt
		}
		if !lastUsed().IsZero() {
			t.Fatal("new token already used")
		}
		app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
		first := lastUsed()
		if !first.Equal(app.Clock.Now().UTC()) {
			t.Fatalf("last used %v, want %v", first, app.Clock.Now())
		}
		app.Clock.Advance(30 * time.Second)
		app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
		if !lastUsed().Equal(first) {
			t.Fatal("last used written twice within a minute")
		}
		app.Clock.Advance(31 * time.Second)
		app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
		if !lastUsed().After(first) {
			t.Fatal("last used not written after a minute")
		}
	})
}

func TestAPIReadOnlyTokenRefusesWrites(t *testing.T) {
	app := newTestApp(t)
	ro := app.api(app.apiToken(elizabeth, readOnly))
	tenant := app.tenantOf(tom)
	ro.get("/api/v1/customers").expect(t, http.StatusOK)
	ro.get("/api/v1/customers/"+tenant+"/users").expect(t, http.StatusOK)
	huckID := app.userIDOf(huck)
	for _, w := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/customers", map[string]any{"name": "Read-only Ltd"}},
		{"PATCH", "/api/v1/customers/" + tenant, map[string]any{"name": "Renamed"}},
		{"POST", "/api/v1/customers/" + tenant + "/users", map[string]any{"displayName": "X", "email": "x@fence.example", "roles": []string{}}},
		{"PATCH", "/api/v1/customers/" + tenant + "/users/" + huckID, map[string]any{"displayName": "Huckleberry"}},
		{"DELETE", "/api/v1/customers/" + tenant + "/users/" + huckID, nil},
		{"POST", "/api/v1/customers/" + tenant + "/users/" + huckID + "/activation-email", nil},
		{"POST", "/api/v1/customers/" + tenant + "/users/" + huckID + "/uc-welcome-email", nil},
	} {
		ro.do(w.method, w.path, w.body).expect(t, http.StatusForbidden, "read_only_token")
	}
	// Nothing changed.
	u, _ := app.DB.FindUserByEmail(context.Background(), huck)
	if u.DisplayName != "Huck Finn" {
		t.Fatalf("read-only token changed a user: %+v", u)
	}
}

func TestAPIOpenAPIDocument(t *testing.T) {
	app := newTestApp(t)
	// No token needed.
	res := app.api("").get("/api/v1/openapi.json").expect(t, http.StatusOK)
	if res.str("openapi") != "3.1.0" {
		t.Fatalf("openapi %q", res.str("openapi"))
	}
	paths := res.JSON["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/me", "/api/v1/customers", "/api/v1/customers/{tenantId}",
		"/api/v1/customers/{tenantId}/users", "/api/v1/customers/{tenantId}/users/{userId}",
		"/api/v1/customers/{tenantId}/users/{userId}/activation-email", "/api/v1/customers/{tenantId}/users/{userId}/uc-welcome-email",
		"/api/v1/openapi.json"} {
		if paths[p] == nil {
			t.Errorf("path %s not documented", p)
		}
	}
	// Every code of SPEC §2 and of the framework is listed, with its status.
	codes := map[string]float64{}
	for _, pc := range res.JSON["x-problem-codes"].([]any) {
		m := pc.(map[string]any)
		codes[m["code"].(string)] = m["status"].(float64)
	}
	for code, status := range map[string]float64{"validation_failed": 400, "malformed_json": 400, "unauthorized": 401, "forbidden": 403,
		"read_only_token": 403, "not_found": 404, "email_taken": 409, "role_prerequisite_missing": 422,
		"supervisor_roles_exclusive": 422, "last_user_admin": 422, "admin_required_first": 422, "owner_immutable": 422,
		"unknown_role": 422, "idempotency_key_reused": 422, "uc_role_required": 422, "rate_limited": 429} {
		if codes[code] != status {
			t.Errorf("code %s: status %v, want %v", code, codes[code], status)
		}
	}
	// The reference page renders from it.
	c := app.client()
	c.mustSignIn(becky)
	page := c.get("/api-docs")
	if page.StatusCode != http.StatusOK || text(page, `[data-testid="apidocs-heading"]`) != "Tenantdesk REST API" {
		t.Fatalf("api-docs: %d %s", page.StatusCode, text(page, "h1"))
	}
	if n := page.Doc.Find(`[data-testid="apidocs-op"]`).Length(); n < len(paths) {
		t.Fatalf("reference lists %d operations", n)
	}
	for _, id := range []string{"#problem-admin_required_first", "#op-createUser", "#schema-User", "#problem-read_only_token"} {
		if page.Doc.Find(id).Length() != 1 {
			t.Errorf("reference lacks %s", id)
		}
	}
	if page.Doc.Find(`[data-testid="nav-api-docs"][aria-current="page"]`).Length() == 0 {
		t.Error("side nav does not mark the API reference")
	}
}
