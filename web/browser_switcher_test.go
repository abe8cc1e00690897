package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserSwitcherTyping: partner staff open the top bar's switcher,
// type part of a customer's name and see the results without a page load,
// walk them with the arrow keys, open one with Enter; Escape closes the
// switcher and gives the focus back to its button; Enter in the field
// leads to the page of results.
func TestBrowserSwitcherTyping(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	_, gallery := accountOf(t, app, robin)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, elizabeth, app.Password[elizabeth])

	const open = `document.querySelector("[data-testid=switcher]").open`
	const results = `document.querySelectorAll("#switcher-results [data-testid=switcher-result]").length`
	b.Do("open the switcher", chromedp.Click(chromedp.CSS("[data-testid=switcher-toggle]")))
	if got := b.focusedID("switcher-q"); got != "switcher-q" {
		t.Fatalf("focus on %q after opening, want the search field", got)
	}
	if got := b.labelFor("switcher-q"); got != "Find a customer" {
		t.Errorf("label %q", got)
	}
	b.Do("type part of a name", chromedp.SendKeys(chromedp.CSS("#switcher-q"), "acre"))
	waitFor(t, b, "one result", results+` === 1`)
	if b.Path() != "/" {
		t.Errorf("typing loaded %s", b.Path())
	}
	if got := b.Text("#switcher-status"); !strings.Contains(got, "1 customer matches") {
		t.Errorf("status %q", got)
	}
	// ↓ walks from the field through the result's links, ↑ back.
	focused := `document.activeElement.dataset.testid || document.activeElement.id`
	steps := []struct {
		key, want string
	}{
		{kb.ArrowDown, "switcher-open"},
		{kb.ArrowDown, "switcher-impersonate-support"},
		{kb.ArrowDown, "switcher-impersonate-configure"},
		{kb.ArrowDown, "switcher-impersonate-configure"}, // the last stays
		{kb.ArrowUp, "switcher-impersonate-support"},
		{kb.ArrowUp, "switcher-open"},
		{kb.ArrowUp, "switcher-input"},
	}
	for i, s := range steps {
		b.Do("press an arrow key", chromedp.KeyEvent(s.key))
		if got := evalIn[string](b, focused); got != s.want {
			t.Fatalf("step %d: focus on %q, want %q", i, got, s.want)
		}
	}
	// Escape closes the switcher and returns to its button.
	b.Do("press Escape", chromedp.KeyEvent(kb.Escape))
	if evalIn[bool](b, open) || evalIn[string](b, `document.activeElement.dataset.testid || ""`) != "switcher-toggle" {
		t.Errorf("after Escape: open %v, focus %q", evalIn[bool](b, open), evalIn[string](b, focused))
	}

	// Enter on a result opens the customer's page.
	b.Do("open the switcher again", chromedp.KeyEvent(kb.Enter))
	if got := b.focusedID("switcher-q"); got != "switcher-q" {
		t.Fatalf("focus on %q after reopening", got)
	}
	evalIn[bool](b, `(document.getElementById("switcher-q").value = "", true)`)
	b.Do("type part of the tenant ID", chromedp.SendKeys(chromedp.CSS("#switcher-q"), strings.ToUpper(gallery.TenantID[2:8])))
	waitFor(t, b, "the customer found by its tenant ID", results+` === 1`)
	b.AllowError("404") // the customer page may still be under construction
	b.DoAndWaitLoad("press ↓ and Enter", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	if b.Path() != "/partner/customers/"+gallery.TenantID {
		t.Errorf("Enter on the result led to %s", b.Path())
	}

	// Enter in the field leads to the page of results, which works without script.
	b.Navigate(base + "/")
	b.Do("open the switcher", chromedp.Click(chromedp.CSS("[data-testid=switcher-toggle]")))
	if status := b.DoAndWaitLoad("search with Enter", chromedp.SendKeys(chromedp.CSS("#switcher-q"), "zz9"+kb.Enter)); status != http.StatusOK {
		t.Errorf("status %d", status)
	}
	if b.Path() != "/switch?q=zz9" || !strings.Contains(b.Text("main [data-testid=switcher-status]"), "No customer matches") {
		t.Errorf("at %s: %q", b.Path(), b.Text("main [data-testid=switcher-status]"))
	}
	if !meaningfulTitle(b.Title()) {
		t.Errorf("title %q", b.Title())
	}
	b.AssertClean()
}

// TestBrowserSwitcherAndDashboardFitAPhone: at 375 px the partner's home,
// the open switcher with results and the page of results fit the screen.
func TestBrowserSwitcherAndDashboardFitAPhone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	b := newPhoneBrowser(t, base)
	browserSignIn(t, b, base, elizabeth, app.Password[elizabeth])
	assertFitsPhone(t, b, "partner home")
	b.Do("open the switcher", chromedp.Click(chromedp.CSS("[data-testid=switcher-toggle]")))
	b.Do("type", chromedp.SendKeys(chromedp.CSS("#switcher-q"), "o"))
	waitFor(t, b, "two results", `document.querySelectorAll("#switcher-results [data-testid=switcher-result]").length === 2`)
	assertFitsPhone(t, b, "open switcher")
	assertUsable(t, b, "#switcher-results [data-testid=switcher-open]")
	b.Navigate(base + "/switch?q=o")
	assertFitsPhone(t, b, "/switch")

	c := newPhoneBrowser(t, base)
	browserSignIn(t, c, base, tom, app.Password[tom])
	assertFitsPhone(t, c, "customer home")
	c.Navigate(base + "/account/users?status=active")
	assertFitsPhone(t, c, "Users tab filtered")
	b.AssertClean()
	c.AssertClean()
}
