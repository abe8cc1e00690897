package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// browserSignIn signs in through the real form and waits for the home page.
func browserSignIn(t *testing.T, b *testBrowser, base, email, password string) {
	t.Helper()
	b.Navigate(base + "/signin")
	b.Do("fill the sign-in form",
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password))
	if status := b.DoAndWaitLoad("sign in", chromedp.Click(chromedp.CSS("[data-testid=signin-submit]"))); status != 200 || b.Path() != "/" {
		t.Fatalf("sign-in as %s: status %d at %s", email, status, b.Path())
	}
}

// waitFor polls a condition in the page until it holds or 10 s pass.
func waitFor(t *testing.T, b *testBrowser, what, jsCondition string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !evalIn[bool](b, jsCondition) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBrowserUsersSearchAsYouType(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users")
	const rows = `document.querySelectorAll("[data-testid=user-row]").length`
	if n := evalIn[int](b, rows); n != 7 {
		t.Fatalf("%d rows", n)
	}
	// Typing searches without a page load and keeps the URL in sync.
	b.Do("type a search", chromedp.SendKeys(chromedp.CSS("#user-search"), "huc"))
	waitFor(t, b, "one row", rows+` === 1`)
	if got := b.Text("[data-testid=user-row] td"); !strings.Contains(got, "Huck Finn") {
		t.Errorf("row %q", got)
	}
	waitFor(t, b, "the URL to carry the query", `location.search === "?q=huc"`)
	// Reload shows the same search; back shows everyone again.
	b.Navigate(base + b.Path())
	if n := evalIn[int](b, rows); n != 1 || b.Value("#user-search") != "huc" {
		t.Errorf("after reload: %d rows, search %q", n, b.Value("#user-search"))
	}
	evalIn[bool](b, `(document.getElementById("user-search").value = "", true)`)
	b.Do("search for nobody", chromedp.SendKeys(chromedp.CSS("#user-search"), "zzz"))
	waitFor(t, b, "the empty state", `!!document.querySelector("[data-testid=users-empty]")`)
	b.AssertClean()
}

func TestBrowserLastUserAdminExplained(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	op := tenantdesk.OperatorContext(context.Background())
	acc := &tenantdesk.Account{Name: "Ownerless Ltd"}
	if err := app.ops().CreateCustomer(op, acc, nil); err != nil {
		t.Fatal(err)
	}
	admin := &tenantdesk.User{AccountID: acc.ID, DisplayName: "Solo Admin", Email: "solo@ownerless.example", Roles: []string{"customer.user", "user.admin"}}
	if err := app.ops().CreateUser(op, admin); err != nil {
		t.Fatal(err)
	}
	if err := app.ops().SetPassword(op, admin.ID, "the only admin here"); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, admin.Email, "the only admin here")
	b.Navigate(base + "/account/users")
	b.DoAndWaitLoad("open own user", chromedp.Click(chromedp.CSS("[data-testid=user-row] td a")))
	b.Do("untick Manage users", chromedp.Click(chromedp.CSS(`#role-user\.admin`)))
	if status := b.DoAndWaitLoad("save", chromedp.Click(chromedp.CSS("[data-testid=user-save]"))); status != 200 {
		t.Fatalf("save: status %d", status)
	}
	if got := b.Text("[data-testid=form-error]"); !strings.Contains(got, "There must be at least one user admin") {
		t.Fatalf("error %q", got)
	}
	// The form keeps what was chosen: Manage users stays unticked, the rest as it was.
	if evalIn[bool](b, `document.getElementById("role-user.admin").checked`) || !evalIn[bool](b, `document.getElementById("role-customer.user").checked`) {
		t.Error("the submitted roles were not kept")
	}
	b.AssertClean()
}

// TestBrowserInviteActivateSignIn is issue 3's path end to end: a user admin
// invites someone on the Users tab, the activation email arrives in the demo
// mailbox, the invitee sets a password and signs in.
func TestBrowserInviteActivateSignIn(t *testing.T) {
	t.Parallel()
	app := newTestApp(t, withDevMailbox)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, becky, app.Password[becky])
	b.Navigate(base + "/account/users")
	b.DoAndWaitLoad("open the invite form", chromedp.Click(chromedp.CSS("[data-testid=invite-user]")))
	b.Do("fill in the invitation",
		chromedp.SendKeys(chromedp.CSS("#displayName"), "Amy Lawrence"),
		chromedp.SendKeys(chromedp.CSS("#email"), "amy.lawrence@fence.example"),
		chromedp.Click(chromedp.CSS(`#role-customer\.user\.uc`)))
	if status := b.DoAndWaitLoad("invite", chromedp.Click(chromedp.CSS("[data-testid=user-save]"))); status != 200 || b.Path() != "/account/users" {
		t.Fatalf("invite: status %d at %s: %s", status, b.Path(), b.Text("body"))
	}
	if got := b.Text("[data-testid=flash]"); got != "Amy Lawrence was invited." {
		t.Errorf("flash %q", got)
	}
	b.DoAndWaitLoad("sign out", chromedp.Click(chromedp.CSS("[data-testid=signout]")))

	b.Navigate(base + "/dev/mail")
	if got := b.Text("[data-testid=devmail-to]"); got != "amy.lawrence@fence.example" {
		t.Fatalf("newest message is to %q", got)
	}
	b.DoAndWaitLoad("follow the activation link", chromedp.Click(chromedp.CSS("[data-testid=devmail-link]")))
	b.Do("choose a password",
		chromedp.SendKeys(chromedp.CSS("#password"), "whitewash the fence 1876"),
		chromedp.SendKeys(chromedp.CSS("#password_confirm"), "whitewash the fence 1876"))
	b.DoAndWaitLoad("activate", chromedp.Click(chromedp.CSS("[data-testid=password-submit]")))
	if got := b.Path(); got != "/signin?activated=1" {
		t.Fatalf("after activation at %s", got)
	}
	browserSignIn(t, b, base, "amy.lawrence@fence.example", "whitewash the fence 1876")
	if got := b.Text("[data-testid=home-user-name]"); got != "Amy Lawrence" {
		t.Errorf("home shows %q", got)
	}
	b.AssertClean()
}

func TestBrowserEditRolesInPlace(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users?q=huck")
	b.Do("open the role editor in place", chromedp.Click(chromedp.CSS("[data-testid=user-edit-roles]")))
	waitFor(t, b, "the editor", `!!document.querySelector("[data-testid=role-editor-row]")`)
	if b.Path() != "/account/users?q=huck" {
		t.Errorf("the page changed to %s", b.Path())
	}
	b.Do("swap level 1 for level 2",
		chromedp.Click(chromedp.CSS(`[data-testid=role-editor-row] input[value="customer.user.supervisorl1"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=role-editor-row] input[value="customer.user.supervisorl2"]`)),
		chromedp.Click(chromedp.CSS("[data-testid=role-editor-save]")))
	waitFor(t, b, "the saved row", `!document.querySelector("[data-testid=role-editor-row]") && document.querySelector("[data-testid=user-roles]").textContent.includes("Analytics supervisor")`)
	b.AssertClean()
}

// TestBrowserSupervisorLevelRadios: a person picks one supervisor level
// with the mouse or the arrow keys (the group is named by its legend),
// "None" clears it, on the user's page and in the in-place editor.
func TestBrowserSupervisorLevelRadios(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, tom, app.Password[tom])
	h := app.user(huck) // supervisorl1
	b.Navigate(base + userPath(h, ""))
	const checked = `(() => { const c = [...document.querySelectorAll('[data-testid=role-group-supervisor] input:checked')];
		return c.map(i => i.id).join(","); })()`
	if got := evalIn[string](b, checked); got != "role-customer.user.supervisorl1" {
		t.Fatalf("checked on arrival %q", got)
	}
	if got := evalIn[string](b, `document.getElementById("role-customer.user.supervisorl1").closest("fieldset").querySelector("legend").textContent.trim()`); got != "Supervisor access (one level at most)" {
		t.Errorf("group legend %q", got)
	}
	b.Do("click Analytics supervisor", chromedp.Click(chromedp.CSS(`label[for="role-customer.user.supervisorl2"]`)))
	if got := evalIn[string](b, checked); got != "role-customer.user.supervisorl2" {
		t.Fatalf("after clicking level 2: %q", got)
	}
	b.Do("focus the chosen level", chromedp.Focus(chromedp.CSS(`input[id="role-customer.user.supervisorl2"]`)))
	b.Do("press ArrowUp", chromedp.KeyEvent(kb.ArrowUp))
	if got := evalIn[string](b, checked); got != "role-customer.user.supervisorl1" {
		t.Errorf("after ArrowUp: %q", got)
	}
	b.Do("press ArrowUp", chromedp.KeyEvent(kb.ArrowUp))
	if got := evalIn[string](b, checked); got != "role-supervisor-none" {
		t.Errorf("after ArrowUp to None: %q", got)
	}
	b.Do("press ArrowDown twice", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	if got := evalIn[string](b, checked); got != "role-customer.user.supervisorl2" {
		t.Errorf("after ArrowDown twice: %q", got)
	}
	b.DoAndWaitLoad("save", chromedp.Click(chromedp.CSS("[data-testid=user-save]")))
	if u := app.user(huck); !u.HasRole("customer.user.supervisorl2") || u.HasRole("customer.user.supervisorl1") {
		t.Fatalf("saved roles %v", u.Roles)
	}

	// In the in-place editor on the Users tab, None removes the level.
	b.Navigate(base + "/account/users?q=huck")
	b.Do("open the role editor", chromedp.Click(chromedp.CSS("[data-testid=user-edit-roles]")))
	waitFor(t, b, "the role editor", `!!document.querySelector("[data-testid=role-editor-row]")`)
	none := "inline-" + tenantdesk.FormatUserID(h.ID) + "-supervisor-none"
	b.Do("click None", chromedp.Click(chromedp.CSS(`label[for="`+none+`"]`)))
	if !evalIn[bool](b, `document.getElementById("`+none+`").checked && document.querySelectorAll("[data-testid=role-editor-row] input[type=radio]:checked").length === 1`) {
		t.Fatal("None not the one choice")
	}
	b.Do("save", chromedp.Click(chromedp.CSS("[data-testid=role-editor-save]")))
	waitFor(t, b, "the row back", `!document.querySelector("[data-testid=role-editor-row]")`)
	if u := app.user(huck); len(u.Roles) != 1 || u.Roles[0] != "customer.user" {
		t.Errorf("roles after None %v", u.Roles)
	}
	b.AssertClean()
}

// The in-place role editor with the keyboard alone (issue 13): Enter on
// Edit opens it with the focus on its heading, Tab reaches its controls,
// Escape closes it and the focus is back on the row's Edit link; Cancel
// does the same.
func TestBrowserRoleEditorKeyboard(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users")
	row := "#user-row-" + tenantdesk.FormatUserID(app.user(huck).ID)
	edit := row + " [data-testid=user-edit-roles]"
	b.Do("focus Huck's Edit and press Enter", chromedp.Focus(chromedp.CSS(edit)), chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the editor in Huck's row", `!!document.querySelector("`+row+`[data-testid=role-editor-row]")`)
	waitFor(t, b, "the focus on the editor's heading", `document.activeElement.matches("`+row+` [data-testid=role-editor-title]")`)
	if got := evalIn[string](b, `document.activeElement.textContent.trim()`); got != "Roles of Huck Finn" {
		t.Errorf("focused heading %q", got)
	}
	if b.Path() != "/account/users" {
		t.Errorf("the page changed to %s", b.Path())
	}
	b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
	if !evalIn[bool](b, `document.activeElement === document.querySelector("`+row+` input:not([type=hidden]):not([disabled])")`) {
		t.Errorf("Tab went to %s", evalIn[string](b, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	b.Do("press Escape", chromedp.KeyEvent(kb.Escape))
	waitFor(t, b, "the row back", `!document.querySelector("[data-testid=role-editor-row]") && !!document.querySelector("`+row+`[data-testid=user-row]")`)
	waitFor(t, b, "the focus on Huck's Edit", `document.activeElement === document.querySelector("`+edit+`")`)

	// Cancel, reached with Tab and pressed with Enter, closes it the same way.
	b.Do("press Enter on Edit again", chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the editor again", `document.activeElement.matches("`+row+` [data-testid=role-editor-title]")`)
	for i := 0; i < 30 && !evalIn[bool](b, `document.activeElement.matches("[data-testid=role-editor-cancel]")`); i++ {
		b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
	}
	b.Do("press Enter on Cancel", chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the row back after Cancel", `!document.querySelector("[data-testid=role-editor-row]")`)
	waitFor(t, b, "the focus on Huck's Edit after Cancel", `document.activeElement === document.querySelector("`+edit+`")`)
	b.AssertClean()
}

// TestBrowserRoleEditorSaveAnnounced: a save in the role editor is
// confirmed in the page's one polite live region (outside the table) and
// the focus returns to the row's Edit link.
func TestBrowserRoleEditorSaveAnnounced(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users")
	if !evalIn[bool](b, `(() => { const s = document.getElementById("users-status");
		return s.getAttribute("role") === "status" && !s.closest("#users-results") && !document.querySelector("[data-testid=users-table]").closest("[aria-live]"); })()`) {
		t.Fatal("no polite status region outside the table, or the table is a live region")
	}
	h := app.user(huck)
	row := "#user-row-" + tenantdesk.FormatUserID(h.ID)
	edit := row + " [data-testid=user-edit-roles]"
	b.Do("open Huck's editor with Enter", chromedp.Focus(chromedp.CSS(edit)), chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the editor", `document.activeElement.matches("`+row+` [data-testid=role-editor-title]")`)
	b.Do("choose level 2", chromedp.Click(chromedp.CSS(`label[for="inline-`+tenantdesk.FormatUserID(h.ID)+`-customer.user.supervisorl2"]`)))
	b.Do("press Enter on Save", chromedp.Focus(chromedp.CSS("[data-testid=role-editor-save]")), chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the saved row", `!document.querySelector("[data-testid=role-editor-row]")`)
	waitFor(t, b, "the confirmation", `document.getElementById("users-status").textContent.trim() === "Huck Finn was updated."`)
	waitFor(t, b, "the focus on Huck's Edit", `document.activeElement === document.querySelector("`+edit+`")`)
	if u := app.user(huck); !u.HasRole("customer.user.supervisorl2") {
		t.Errorf("saved roles %v", u.Roles)
	}
	b.AssertClean()
}

// TestBrowserRoleEditorOneAtATime: opening a second editor closes the
// first without saving what was changed in it.
func TestBrowserRoleEditorOneAtATime(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users")
	h, bk := app.user(huck), app.user(becky)
	huckRow, beckyRow := "#user-row-"+tenantdesk.FormatUserID(h.ID), "#user-row-"+tenantdesk.FormatUserID(bk.ID)
	b.Do("open Huck's editor", chromedp.Click(chromedp.CSS(huckRow+" [data-testid=user-edit-roles]")))
	waitFor(t, b, "Huck's editor", `!!document.querySelector("`+huckRow+`[data-testid=role-editor-row]")`)
	b.Do("choose level 2 for Huck, unsaved", chromedp.Click(chromedp.CSS(`label[for="inline-`+tenantdesk.FormatUserID(h.ID)+`-customer.user.supervisorl2"]`)))
	b.Do("open Becky's editor", chromedp.Click(chromedp.CSS(beckyRow+" [data-testid=user-edit-roles]")))
	waitFor(t, b, "Becky's editor and Huck's row", `!!document.querySelector("`+beckyRow+`[data-testid=role-editor-row]") && !!document.querySelector("`+huckRow+`[data-testid=user-row]")`)
	if n := evalIn[int](b, `document.querySelectorAll("[data-testid=role-editor-row]").length`); n != 1 {
		t.Errorf("%d editors open", n)
	}
	waitFor(t, b, "the focus in Becky's editor", `document.activeElement.matches("`+beckyRow+` [data-testid=role-editor-title]")`)
	if u := app.user(huck); !u.HasRole("customer.user.supervisorl1") || u.HasRole("customer.user.supervisorl2") {
		t.Errorf("Huck's unsaved choice was saved: %v", u.Roles)
	}
	if got := b.Text(huckRow + " [data-testid=user-roles]"); strings.Contains(got, "Analytics supervisor") {
		t.Errorf("Huck's row shows %q", got)
	}
	b.AssertClean()
}
