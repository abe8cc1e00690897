package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// R11 (issue 9): an email address is how a person signs in and resets a
// password, so changing someone else's is taking their account over.

// TestAdminsCannotTakeOverAnAccountThroughItsEmail is the reported attack:
// a user admin (or the partner admin) PATCHes the Owner's email to an
// address they read, then asks for a reset link.
func TestAdminsCannotTakeOverAnAccountThroughItsEmail(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	tenant := app.tenantOf(tom)
	tomPath := usersPath(tenant) + "/" + app.userIDOf(tom)
	huckPath := usersPath(tenant) + "/" + app.userIDOf(huck)
	const evil = "becky.owns.tom@evil.example"

	for who, api := range map[string]*apiClient{
		"user admin":    app.api(app.apiToken(becky)),
		"partner admin": app.api(app.apiToken(elizabeth)),
	} {
		t.Run(who, func(t *testing.T) {
			res := api.patch(tomPath, map[string]any{"email": evil}).expect(t, http.StatusUnprocessableEntity, "owner_immutable")
			res.expectField(t, "email")
			if !strings.Contains(res.str("detail"), "Owner") {
				t.Errorf("detail %q does not say why", res.str("detail"))
			}
			// Together with an allowed change, nothing of it is stored.
			api.patch(tomPath, map[string]any{"email": evil, "displayName": "Tom S."}).expect(t, http.StatusUnprocessableEntity, "owner_immutable")
			res = api.patch(huckPath, map[string]any{"email": evil}).expect(t, http.StatusUnprocessableEntity, "email_change_self_service")
			res.expectField(t, "email")
			if !strings.Contains(res.str("detail"), "Huck Finn") || !strings.Contains(res.str("detail"), "My profile") {
				t.Errorf("detail %q does not say who can change it and where", res.str("detail"))
			}
		})
	}
	if u := app.user(tom); u.Email != tom || u.DisplayName != "Tom Sawyer" {
		t.Fatalf("Tom changed: %q %q", u.DisplayName, u.Email)
	}
	if app.user(huck).Email != huck {
		t.Fatal("Huck's email changed")
	}
	// The reset link can only go to Tom's own address.
	c := app.client()
	c.post("/password/forgot", url.Values{"email": {evil}})
	for _, m := range mailbox(t, c) {
		if m.To == evil {
			t.Fatalf("mail to %s: %s", evil, m.Subject)
		}
	}
}

// TestUsersTabRefusesEmailChangesOfActivatedUsers: the page does not offer
// what the rules refuse (the field is read-only and says who can change
// it), and a forged post is refused with the reason, keeping the input.
func TestUsersTabRefusesEmailChangesOfActivatedUsers(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	for _, tc := range []struct {
		email, hint string
		wantOwner   bool
	}{
		{tom, "Only the account Owner can change", true},
		{huck, "Huck Finn has activated their account", false},
		{becky, "on My profile", false},
	} {
		u := app.user(tc.email)
		page := c.get(userPath(u, ""))
		if _, ro := page.Doc.Find(`input#email`).Attr("readonly"); !ro {
			t.Errorf("%s: email field is editable", tc.email)
		}
		if got := text(page, `[data-testid="email-locked"]`); !strings.Contains(got, tc.hint) {
			t.Errorf("%s: hint %q, want %q", tc.email, got, tc.hint)
		}
		res := c.post(userPath(u, ""), url.Values{"displayName": {u.DisplayName}, "email": {"taken.over@evil.example"},
			"roles": u.Roles})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: forged post answered %d", tc.email, res.StatusCode)
		}
		msg := text(res, `[data-testid="form-error"]`)
		if tc.wantOwner && !strings.Contains(msg, "Owner") || !tc.wantOwner && !strings.Contains(msg, "My profile") {
			t.Errorf("%s: error %q", tc.email, msg)
		}
		if v, _ := res.Doc.Find(`input#email`).Attr("value"); v != "taken.over@evil.example" {
			t.Errorf("%s: input not kept: %q", tc.email, v)
		}
		if app.user(tc.email).Email != tc.email {
			t.Fatalf("%s: email changed", tc.email)
		}
	}
	// Renaming an activated user with the email as it is still works.
	h := app.user(huck)
	res := c.post(userPath(h, ""), url.Values{"displayName": {"Huckleberry Finn"}, "email": {h.Email}, "roles": h.Roles})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", res.StatusCode, text(res, `[data-testid="form-error"]`))
	}
}

// TestAdminCorrectsAnInvitedUsersEmail: a typo in an invitation is fixed by
// the admin; the old activation link dies, the old address is told, and a
// new link goes to the new address and works.
func TestAdminCorrectsAnInvitedUsersEmail(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	api := app.api(app.apiToken(becky))
	tenant := app.tenantOf(tom)
	const typo, fixed = "ben.rodgers@fence.example", "ben.rogers@fence.example"
	created := api.post(usersPath(tenant), map[string]any{"displayName": "Ben Rogers", "email": typo,
		"roles": []string{"customer.user"}}).expect(t, http.StatusCreated)
	c := app.client()
	oldLink := latestLink(t, c, typo, "/activate?token=")

	res := api.patch(usersPath(tenant)+"/"+created.str("id"), map[string]any{"email": fixed}).expect(t, http.StatusOK)
	if res.str("email") != fixed || res.str("status") != "invited" {
		t.Fatalf("after the change: %s", res.Body)
	}
	var told bool
	for _, m := range mailbox(t, c) {
		told = told || m.To == typo && strings.Contains(m.Subject, "email address was changed")
	}
	if !told {
		t.Error("the old address was not told")
	}
	if r := c.get(oldLink); r.StatusCode != http.StatusNotFound {
		t.Errorf("old activation link: %d", r.StatusCode)
	}
	newLink := latestLink(t, c, fixed, "/activate?token=")
	if r := setPassword(c, "/activate", tokenOf(t, newLink), goodPassword, goodPassword); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("new activation link: %d", r.StatusCode)
	}
	// Activated now: from here on only Ben changes it.
	api.patch(usersPath(tenant)+"/"+created.str("id"), map[string]any{"email": typo}).
		expect(t, http.StatusUnprocessableEntity, "email_change_self_service")
}

// TestOwnEmailChangeEndsPendingLinks: the self-service change (My profile,
// confirmed from the new address) still works for the Owner, and ends the
// reset links that went to the old address.
func TestOwnEmailChangeEndsPendingLinks(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	c.post("/password/forgot", url.Values{"email": {tom}})
	resetLink := latestLink(t, c, tom, "/password/reset?token=")
	c.mustSignIn(tom)
	const next = "tom.sawyer@river.example"
	res := c.post("/profile/email", url.Values{"email": {next}, "currentPassword": {app.Password[tom]}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d %s", res.StatusCode, text(res, `[data-testid="form-error"]`))
	}
	confirm := latestLink(t, c, next, "/profile/email/confirm?token=")
	if r := c.post("/profile/email/confirm", url.Values{"token": {tokenOf(t, confirm)}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", r.StatusCode)
	}
	if app.user(next).Email != next {
		t.Fatal("email not changed")
	}
	if r := c.get(resetLink); r.StatusCode != http.StatusNotFound {
		t.Errorf("reset link sent to the old address still works: %d", r.StatusCode)
	}
}

// TestDisplayNamesRefuseControlCharacters: names reach emails, lists and
// CSV exports; control and bidi-override characters are refused on every
// path with the field named.
func TestDisplayNamesRefuseControlCharacters(t *testing.T) {
	app := newTestApp(t)
	api := app.api(app.apiToken(becky))
	tenant := app.tenantOf(tom)
	huckPath := usersPath(tenant) + "/" + app.userIDOf(huck)
	c := app.client()
	c.mustSignIn(becky)
	for i, bad := range []string{"Nul\u0000Name", "Line\nBreak", "\u202eevil.exe", "Bell\u0007", "Tab\tName"} {
		email := "ctl" + string(rune('a'+i)) + "@fence.example"
		api.post(usersPath(tenant), map[string]any{"displayName": bad, "email": email, "roles": []string{"customer.user"}}).
			expect(t, http.StatusBadRequest).expectField(t, "displayName")
		api.patch(huckPath, map[string]any{"displayName": bad}).expect(t, http.StatusBadRequest).expectField(t, "displayName")
		res := c.post("/account/users", url.Values{"displayName": {bad}, "email": {email}, "roles": {"customer.user"}})
		if res.StatusCode != http.StatusOK || res.Doc.Find(`#displayName[aria-invalid="true"]`).Length() == 0 {
			t.Errorf("invite %q: %d, field not marked", bad, res.StatusCode)
		}
		res = c.post("/profile", url.Values{"displayName": {bad}})
		if res.StatusCode != http.StatusOK || res.Doc.Find(`[aria-invalid="true"]`).Length() == 0 {
			t.Errorf("profile %q: %d, field not marked", bad, res.StatusCode)
		}
	}
	if app.user(huck).DisplayName != "Huck Finn" || app.user(becky).DisplayName != "Becky Thatcher" {
		t.Fatal("a name changed")
	}
}
