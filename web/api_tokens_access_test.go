package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Who may hold and use API tokens (SPEC §2 onboarding.admin, §1 customer
// status): in a customer account, holders of onboarding.admin and the
// Owner; partner staff without it; nobody of a disabled account.

// tokenCount counts the tokens of the user with email.
func (a *testApp) tokenCount(email string) int {
	a.t.Helper()
	return a.count(`SELECT count(*) FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE email_norm = ?)`, strings.ToLower(email))
}

// TestOnboardingAdminGrantsExactlyAPITokens: without onboarding.admin a
// customer user's tab explains why and refuses a token, and their existing
// tokens answer 403 api_access_required; with it they create and use one,
// with their own rights and no more; the Owner always may; partner staff
// need no such role.
func TestOnboardingAdminGrantsExactlyAPITokens(t *testing.T) {
	app := newTestApp(t)
	ctx := tenantdesk.OperatorContext(context.Background())
	tenant := app.tenantOf(tom)
	owner := app.api(app.apiToken(tom))
	huckPath := usersPath(tenant) + "/" + app.userIDOf(huck)

	// Without the role: the tab says why, has no form, and a stale form's
	// POST is refused with the reason; the service refuses too.
	c := app.client()
	c.mustSignIn(huck)
	page := c.get("/profile/tokens")
	notice := text(page, `[data-testid="tokens-no-access"]`)
	if page.StatusCode != http.StatusOK || !strings.Contains(notice, "REST API administrator") || !strings.Contains(notice, "onboarding.admin") {
		t.Fatalf("tokens tab without the role: %d %q", page.StatusCode, notice)
	}
	if page.Doc.Find(`[data-testid="token-form"]`).Length() != 0 {
		t.Fatal("the create form is offered without onboarding.admin")
	}
	res := c.post("/profile/tokens", url.Values{"name": {"Sneaky"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(text(res, `[data-testid="tokens-no-access"]`), "onboarding.admin") {
		t.Fatalf("create without the role: %d %q", res.StatusCode, res.Body)
	}
	if n := app.tokenCount(huck); n != 0 {
		t.Fatalf("%d tokens made without the role", n)
	}
	u := app.user(huck)
	if _, _, err := app.Svc.Tokens.CreateToken(ctx, u.ID, tenantdesk.NewAPIToken{Name: "cli"}); tenantdesk.ErrorCode(err) != tenantdesk.EAPIAccessRequired {
		t.Fatalf("service without the role: %v", err)
	}

	// With the role (given through the API, by addRoles): the tab offers
	// the form, the token works with Huck's rights: /me, not user admin.
	owner.patch(huckPath, map[string]any{"addRoles": []string{"onboarding.admin"}}).expect(t, http.StatusOK)
	page = c.get("/profile/tokens")
	if page.Doc.Find(`[data-testid="tokens-no-access"]`).Length() != 0 || page.Doc.Find(`[data-testid="token-form"]`).Length() != 1 {
		t.Fatal("the tab still refuses with onboarding.admin")
	}
	_, secret := createToken(t, c, url.Values{"name": {"Reports"}})
	huckAPI := app.api(secret)
	huckAPI.get("/api/v1/me").expect(t, http.StatusOK)
	huckAPI.get(usersPath(tenant)).expect(t, http.StatusForbidden, "forbidden") // no user.admin: the role gives tokens only

	// The role taken away: the token is kept but refused, and cannot be
	// regenerated; the tab explains again and still offers Revoke.
	owner.patch(huckPath, map[string]any{"removeRoles": []string{"onboarding.admin"}}).expect(t, http.StatusOK)
	refused := huckAPI.get("/api/v1/me").expect(t, http.StatusForbidden, "api_access_required")
	if !strings.Contains(refused.str("detail"), "onboarding.admin") {
		t.Fatalf("detail does not name the role: %s", refused.Body)
	}
	page = c.get("/profile/tokens")
	if page.Doc.Find(`[data-testid="tokens-no-access"]`).Length() != 1 || page.Doc.Find(`[data-testid="token-regenerate"]`).Length() != 0 ||
		page.Doc.Find(`[data-testid="token-revoke"]`).Length() != 1 {
		t.Fatal("tab after the role went: want the notice, Revoke and no Regenerate")
	}
	list, _ := app.Svc.Tokens.ListTokens(ctx, u.ID)
	if _, _, err := app.Svc.Tokens.RegenerateToken(ctx, u.ID, list[0].ID); tenantdesk.ErrorCode(err) != tenantdesk.EAPIAccessRequired {
		t.Fatalf("regenerate without the role: %v", err)
	}
	// Given back: the same token works again.
	owner.patch(huckPath, map[string]any{"addRoles": []string{"onboarding.admin"}}).expect(t, http.StatusOK)
	huckAPI.get("/api/v1/me").expect(t, http.StatusOK)

	// The Owner holds every permission role, onboarding.admin included,
	// and no one can take it away (R5): Tom's token always works.
	owner.patch(usersPath(tenant)+"/"+app.userIDOf(tom), map[string]any{"removeRoles": []string{"onboarding.admin"}}).
		expect(t, http.StatusUnprocessableEntity, "owner_immutable")
	owner.get("/api/v1/me").expect(t, http.StatusOK)
	oc := app.client()
	oc.mustSignIn(tom)
	if p := oc.get("/profile/tokens"); p.Doc.Find(`[data-testid="token-form"]`).Length() != 1 {
		t.Fatal("the Owner is refused tokens")
	}

	// Partner staff are not affected: Caroline (partner.user) has no
	// onboarding.admin, and her token works.
	if app.user(caroline).HasRole(tenantdesk.RoleOnboardingAdmin) {
		t.Fatal("caroline holds onboarding.admin")
	}
	app.api(app.apiToken(caroline)).get("/api/v1/me").expect(t, http.StatusOK)
	pc := app.client()
	pc.mustSignIn(caroline)
	if p := pc.get("/profile/tokens"); p.Doc.Find(`[data-testid="token-form"]`).Length() != 1 {
		t.Fatal("partner staff are refused tokens")
	}
}

// TestDisabledAccountTokens: every token of a disabled account's users
// answers 403 account_disabled (its Owner's too) and no token is made for
// them; nothing is revoked, and they work again when it is enabled. The
// partner's own tokens are not affected.
func TestDisabledAccountTokens(t *testing.T) {
	app := newTestApp(t)
	ctx := tenantdesk.OperatorContext(context.Background())
	ownerTok, adminTok, partnerTok := app.apiToken(tom), app.apiToken(becky), app.apiToken(elizabeth)
	for _, tok := range []string{ownerTok, adminTok, partnerTok} {
		app.api(tok).get("/api/v1/me").expect(t, http.StatusOK)
	}
	// The disabling itself is the customer console's: here the column is set.
	app.exec(`UPDATE accounts SET disabled_at = ? WHERE tenant_id = ?`, app.Clock.Now().UnixMilli(), app.tenantOf(tom))

	for _, tok := range []string{ownerTok, adminTok} {
		res := app.api(tok).get("/api/v1/me").expect(t, http.StatusForbidden, "account_disabled")
		if !strings.Contains(res.str("detail"), "disabled") {
			t.Fatalf("detail: %s", res.Body)
		}
		app.api(tok).patch(usersPath(app.tenantOf(tom))+"/"+app.userIDOf(huck), map[string]any{"displayName": "Huck"}).
			expect(t, http.StatusForbidden, "account_disabled")
	}
	app.api(partnerTok).get("/api/v1/me").expect(t, http.StatusOK)
	if _, _, err := app.Svc.Tokens.CreateToken(ctx, app.user(tom).ID, tenantdesk.NewAPIToken{Name: "x"}); tenantdesk.ErrorCode(err) != tenantdesk.EAccountDisabled {
		t.Fatalf("token for a disabled account's Owner: %v", err)
	}

	app.exec(`UPDATE accounts SET disabled_at = NULL WHERE tenant_id = ?`, app.tenantOf(tom))
	app.api(ownerTok).get("/api/v1/me").expect(t, http.StatusOK)
	app.api(adminTok).get("/api/v1/me").expect(t, http.StatusOK)
}
