package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestSignOutUserEverywhere (ASVS 5.0 7.4.5): a user admin ends every
// session of a user from the user's page, after a confirmation, and the user
// stays enabled; audited with the count, a flash says how many. Not the
// Owner (by anyone else), not oneself, not another account's user (404),
// not by a member without user management (403).
func TestSignOutUserEverywhere(t *testing.T) {
	app := newTestApp(t)
	admin := app.client()
	admin.mustSignIn(becky) // user.admin of Tom Sawyer Fence Painting Co.
	h := app.user(huck)
	laptop, phone := app.client(), app.client()
	laptop.mustSignIn(huck)
	phone.mustSignIn(huck)

	page := admin.get(userPath(h, ""))
	mustStatus(t, page, http.StatusOK)
	if got := attr(page.Doc.Find(`[data-testid="user-signout"]`), "href"); got != userPath(h, "/signout") {
		t.Fatalf("no Sign out everywhere on Huck's page: %q", got)
	}
	// The confirmation comes first, as a plain form (no script needed).
	confirm := admin.get(userPath(h, "/signout"))
	mustStatus(t, confirm, http.StatusOK)
	if confirm.Doc.Find(`form[action="`+userPath(h, "/signout")+`"] [data-testid="confirm-submit"]`).Length() != 1 ||
		!strings.Contains(text(confirm, "#confirm-body"), "huck.finn@fence.example") {
		t.Fatalf("confirmation: %.300s", text(confirm, "#confirm-body"))
	}
	mustStatus(t, laptop.get("/profile"), http.StatusOK) // nothing happened yet

	res := admin.post(userPath(h, "/signout"), nil)
	mustStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != userPath(h, "") {
		t.Errorf("back to %q", loc)
	}
	for name, c := range map[string]*client{"laptop": laptop, "phone": phone} {
		if res := c.get("/profile"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Errorf("Huck's %s session survived: %d %s", name, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if got := app.user(huck).Status; got != tenantdesk.UserActive {
		t.Errorf("Huck is %s, want still active", got)
	}
	if got := text(admin.get(userPath(h, "")), `[data-testid="flash"]`); got != "Huck Finn was signed out everywhere: 2 sessions ended." {
		t.Errorf("flash %q", got)
	}
	if !hasAudit(t, app, h.AccountID, tenantdesk.AuditUserSessionsEnded, `"sessionsEnded":2`) {
		t.Error("not audited with the count")
	}
	mustStatus(t, admin.get("/profile"), http.StatusOK) // the admin's own session is untouched
	laptop = app.client()
	laptop.mustSignIn(huck) // and Huck may sign in again

	// Again, with one session: the count says so.
	admin.post(userPath(h, "/signout"), nil)
	if got := text(admin.get(userPath(h, "")), `[data-testid="flash"]`); got != "Huck Finn was signed out everywhere: 1 session ended." {
		t.Errorf("flash %q", got)
	}

	// The Owner: no button, a refusal instead of a confirmation, and a POST
	// changes nothing.
	owner := app.client()
	owner.mustSignIn(tom)
	tomUser := app.user(tom)
	page = admin.get(userPath(tomUser, ""))
	if page.Doc.Find(`[data-testid="user-signout"]`).Length() != 0 {
		t.Error("Sign out everywhere offered for the Owner")
	}
	if confirm := admin.get(userPath(tomUser, "/signout")); confirm.Doc.Find(`[data-testid="confirm-refused"]`).Length() != 1 ||
		confirm.Doc.Find(`[data-testid="confirm-submit"]`).Length() != 0 {
		t.Error("the Owner's confirmation page does not refuse")
	}
	res = admin.post(userPath(tomUser, "/signout"), nil)
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Body, "only they end their own sessions") {
		t.Errorf("refusal for the Owner: %.300s", text(res, `[role="alert"]`))
	}
	mustStatus(t, owner.get("/profile"), http.StatusOK)

	// Oneself: not here (My profile › Active sessions is for that).
	b := app.user(becky)
	if admin.get(userPath(b, "")).Doc.Find(`[data-testid="user-signout"]`).Length() != 0 {
		t.Error("Sign out everywhere offered for oneself")
	}
	res = admin.post(userPath(b, "/signout"), nil)
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Body, "My profile › Active sessions") {
		t.Error("no explanation for oneself")
	}
	mustStatus(t, admin.get("/profile"), http.StatusOK)

	// The Owner may sign a user admin out.
	res = owner.post(userPath(b, "/signout"), nil)
	mustStatus(t, res, http.StatusSeeOther)
	if res := admin.get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Becky's session survived the Owner's sign-out: %d", res.StatusCode)
	}

	// Another account's user is not found; a member without user
	// management is refused; neither ends anything.
	winnie := app.user("winnie.pooh@hundredacre.example")
	wc := app.client()
	wc.mustSignIn("winnie.pooh@hundredacre.example")
	for _, path := range []string{userPath(winnie, "/signout")} {
		if res := owner.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET another account's user: %d", res.StatusCode)
		}
		if res := owner.post(path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("POST another account's user: %d", res.StatusCode)
		}
	}
	mustStatus(t, wc.get("/profile"), http.StatusOK)
	member := app.client()
	member.mustSignIn(huck)
	if res := member.post(userPath(tomUser, "/signout"), nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("a plain member: %d", res.StatusCode)
	}
	mustStatus(t, owner.get("/profile"), http.StatusOK)
}
