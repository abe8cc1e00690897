package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Keyboard-only walks (issue 13): the Users tab's role editor, the invite
// form and the two-factor set-up, with real key events (Tab, Enter, Space,
// the arrows, Escape) and no click, each step checking where the focus is.

// describeFocus names the focused element for a failure message.
const describeFocus = `(() => { const e = document.activeElement; return e ? e.outerHTML.replace(/\s+/g, " ").slice(0, 140) : "nothing"; })()`

// tabTo presses Tab until the focused element matches the CSS selector,
// at most 80 times, and returns the elements passed on the way (their
// data-testid, id or tag). It fails the test when the element is never
// reached, and when the focus on it shows no indicator.
func tabTo(t *testing.T, b *testBrowser, what, selector string) []string {
	t.Helper()
	var passed []string
	match := fmt.Sprintf(`!!document.activeElement && document.activeElement?.matches(%q)`, selector)
	for i := 0; i < 80; i++ {
		if evalIn[bool](b, match) {
			if !evalIn[bool](b, `(() => { const s = getComputedStyle(document.activeElement);
				return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"; })()`) {
				t.Errorf("%s has the focus but no visible focus indicator (outline or ring)", what)
			}
			return passed
		}
		passed = append(passed, evalIn[string](b, `(() => { const e = document.activeElement;
			return e ? (e.dataset.testid || e.id || e.tagName.toLowerCase()) : ""; })()`))
		b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
	}
	t.Fatalf("Tab never reached %s (%s); passed %v", what, selector, passed)
	return nil
}

// pressEnterOnLink presses Enter the way a keyboard does: one keyDown that
// carries the text, so that Chromium suppresses the keypress when the
// keydown activated a link (chromedp's KeyEvent sends the keypress apart,
// and it would then reach the field the link focused and submit its form).
func pressEnterOnLink(t *testing.T, b *testBrowser) {
	t.Helper()
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter", Text: "\r", UnmodifiedText: "\r", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
	up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}
	for _, ev := range []input.DispatchKeyEventParams{down, up} {
		if _, err := chromedp.Call(b.Ctx, input.DispatchKeyEvent, ev); err != nil {
			t.Fatalf("press Enter: %v", err)
		}
	}
}

// TestBrowserKeyboardRoleEditorSave walks the Users tab with the keyboard
// alone, from the top of the page: Tab to a row's Edit, Enter opens the
// editor with the focus on its heading, Tab enters its controls, the arrow
// keys move the supervisor level, Tab reaches Save, Enter saves; the
// polite status region says so and the focus is back on the row's Edit.
// (Escape and Cancel: TestBrowserRoleEditorKeyboard.)
func TestBrowserKeyboardRoleEditorSave(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users")
	h := app.user(huck) // supervisor level 1
	id := tenantdesk.FormatUserID(h.ID)
	row := "#user-row-" + id
	edit := row + " [data-testid=user-edit-roles]"

	tabTo(t, b, "Huck's Edit", edit)
	b.Do("press Enter on Edit", chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the focus on the editor's heading", `document.activeElement?.matches("`+row+` [data-testid=role-editor-title]")`)
	b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
	if !evalIn[bool](b, `!!document.activeElement?.closest("[data-testid=role-editor-row]") && document.activeElement?.matches("input")`) {
		t.Fatalf("Tab from the editor's heading went to %s, not into its controls", evalIn[string](b, describeFocus))
	}
	// The supervisor level group is one Tab stop, on the checked level.
	tabTo(t, b, "the checked supervisor level", `[data-testid=role-editor-row] input[type=radio]:checked`)
	if got := evalIn[string](b, `document.activeElement?.value ?? ""`); got != "customer.user.supervisorl1" {
		t.Fatalf("the checked level is %q, want level 1", got)
	}
	b.Do("press ArrowDown", chromedp.KeyEvent(kb.ArrowDown))
	if got := evalIn[string](b, `document.querySelector("[data-testid=role-editor-row] input[type=radio]:checked").value`); got != "customer.user.supervisorl2" {
		t.Fatalf("after ArrowDown the checked level is %q, want level 2", got)
	}
	tabTo(t, b, "Save", "[data-testid=role-editor-save]")
	b.Do("press Enter on Save", chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the row back", `!document.querySelector("[data-testid=role-editor-row]") && !!document.querySelector("`+row+`[data-testid=user-row]")`)
	waitFor(t, b, "the confirmation in the polite status region", `(() => { const s = document.getElementById("users-status");
		return s.getAttribute("role") === "status" && s.textContent.trim() === "Huck Finn was updated."; })()`)
	waitFor(t, b, "the focus on Huck's Edit", `document.activeElement === document.querySelector("`+edit+`")`)
	if u := app.user(huck); !u.HasRole("customer.user.supervisorl2") || u.HasRole("customer.user.supervisorl1") {
		t.Errorf("saved roles %v, want level 2 instead of 1", u.Roles)
	}
	b.AssertClean()
}

// TestBrowserKeyboardInvite invites a user with the keyboard alone: Tab to
// Invite user, Enter, Enter in the empty form shows every error in a
// focused summary whose links lead to the fields, then the name, Tab, the
// email, Tab to a role, Space ticks it, Tab to Invite, Enter.
func TestBrowserKeyboardInvite(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, becky, app.Password[becky])
	b.Navigate(base + "/account/users")

	tabTo(t, b, "Invite user", "[data-testid=invite-user]")
	b.DoAndWaitLoad("press Enter on Invite user", chromedp.KeyEvent(kb.Enter))
	if b.Path() != "/account/users/new" {
		t.Fatalf("Enter on Invite user led to %s", b.Path())
	}
	tabTo(t, b, "the display name", "#displayName")
	if got := b.labelFor("displayName"); got == "" {
		t.Error("the display name field has no label")
	}
	// Enter in an empty form: the errors come back in a summary that has
	// the focus; its first link leads to the display name.
	b.DoAndWaitLoad("press Enter in the empty form", chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the focus on the error summary", `document.activeElement?.matches("[data-testid=form-error]")`)
	if n := evalIn[int](b, `document.querySelectorAll("[data-testid=form-error] a[href^='#']").length`); n < 2 {
		t.Errorf("the error summary links to %d fields, want the name and the email at least: %s", n, b.Text("[data-testid=form-error]"))
	}
	tabTo(t, b, "the summary's first link", `[data-testid=form-error] a[href="#displayName"]`)
	pressEnterOnLink(t, b)
	waitFor(t, b, "the focus on the display name", `document.activeElement?.id === "displayName"`)

	b.Do("type the name", chromedp.KeyEvent("Amy Lawrence"))
	if got := b.Value("#displayName"); got != "Amy Lawrence" {
		t.Fatalf("the display name reads %q after typing, focus on %s", got, evalIn[string](b, describeFocus))
	}
	b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
	if got := b.focusedID("email"); got != "email" {
		t.Fatalf("Tab from the name went to %q (%s), want the email", got, evalIn[string](b, describeFocus))
	}
	b.Do("type the email", chromedp.KeyEvent("amy.lawrence@fence.example"))
	uc := `input[type=checkbox][value="customer.user.uc"]`
	if evalIn[bool](b, `document.querySelector('`+uc+`').checked`) {
		t.Fatal("the UC role is ticked before Space")
	}
	tabTo(t, b, "the UC role", uc)
	b.Do("press Space", chromedp.KeyEvent(" "))
	if !evalIn[bool](b, `!!document.activeElement?.checked`) {
		t.Fatal("Space did not tick the UC role")
	}
	tabTo(t, b, "Invite", "[data-testid=user-save]")
	b.DoAndWaitLoad("press Enter on Invite", chromedp.KeyEvent(kb.Enter))
	if b.Path() != "/account/users" {
		t.Fatalf("after inviting at %s: %s", b.Path(), b.Text("main"))
	}
	if got := b.Text("[data-testid=flash]"); got != "Amy Lawrence was invited." {
		t.Errorf("flash %q", got)
	}
	amy, err := app.DB.FindUserByEmail(t.Context(), "amy.lawrence@fence.example")
	if err != nil {
		t.Fatal(err)
	}
	if !amy.HasRole("customer.user.uc") {
		t.Errorf("Amy's roles %v lack the UC role ticked with Space", amy.Roles)
	}
	b.AssertClean()
}

// TestBrowserKeyboardTwoFactorSetup sets up two-factor authentication with
// the keyboard alone: Tab to the current password, type it, Tab to Set up, Enter; the key and its copy button
// are on the way to the code field; the code, Enter; the recovery codes,
// Tab to "I have saved them", Enter; 2FA is on.
func TestBrowserKeyboardTwoFactorSetup(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, huck, app.Password[huck])
	b.Navigate(base + "/profile/2fa")

	// Setting up asks for the current password first (ASVS 7.5.1).
	tabTo(t, b, "the current password", "#setup-password")
	b.Do("type the password", chromedp.KeyEvent(app.Password[huck]))
	tabTo(t, b, "Set up", "[data-testid=totp-start]")
	b.DoAndWaitLoad("press Enter on Set up", chromedp.KeyEvent(kb.Enter))
	b.Do("see the key", chromedp.WaitVisible(chromedp.CSS("[data-testid=totp-secret]")))
	// The key's group is named by its visible label, not by a prohibited
	// name on <code>.
	if got := evalIn[string](b, `(() => { const g = document.querySelector("[data-testid=totp-secret]").closest("[role=group]");
		return g ? document.getElementById(g.getAttribute("aria-labelledby")).textContent.trim() : ""; })()`); got == "" {
		t.Error("the key is not in a group named by its label")
	}
	if evalIn[bool](b, `document.querySelector("[data-testid=totp-secret]").hasAttribute("aria-label")`) {
		t.Error("aria-label on the <code> of the key")
	}
	tabTo(t, b, "the code field", "#totp-code")
	if !evalIn[bool](b, `(() => { const c = document.querySelector("[data-copy-target=totp-secret-raw]");
		const all = [...document.querySelectorAll("a[href],button,input:not([type=hidden]),select,textarea,[tabindex]")].filter(e => e.tabIndex >= 0 && !e.disabled);
		return all.indexOf(c) >= 0 && all.indexOf(c) < all.indexOf(document.getElementById("totp-code")); })()`) {
		t.Error("the key's copy button is not in the Tab order before the code field")
	}
	secret := strings.ReplaceAll(b.Text("[data-testid=totp-secret]"), " ", "")
	code, err := auth.TOTPCode(secret, app.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.Do("type the code", chromedp.KeyEvent(code))
	b.DoAndWaitLoad("press Enter", chromedp.KeyEvent(kb.Enter))
	if n := evalIn[int](b, `document.querySelectorAll("[data-testid=recovery-code]").length`); n != 10 {
		t.Fatalf("%d recovery codes after Enter: %s", n, b.Text("main"))
	}
	tabTo(t, b, "I have saved them", "[data-testid=recovery-done]")
	b.DoAndWaitLoad("press Enter", chromedp.KeyEvent(kb.Enter))
	if got := b.Text("[data-testid=twofactor-status]"); got != "On" {
		t.Errorf("2FA status %q after the keyboard set-up", got)
	}
	b.AssertClean()
}
