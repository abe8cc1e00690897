package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Every data table of the portal is a table at a laptop's width and a list
// of cards on a phone (static/css/input.css, .table): the card's title is
// the row's name, every other cell shows its column's name (its
// data-label) beside the value, and the actions sit under the facts, on
// screen, without anything scrolling sideways.

// phoneCardsJS lists what breaks the card layout of the page's tables at
// phone width: no table at all, a table (or a frame around it) that scrolls
// sideways, a column header row that is shown, a link or button of a row
// that reaches past the window's edge, a cell that does not show its
// column's name.
const phoneCardsJS = `(() => {
	const vw = document.documentElement.clientWidth, out = [];
	const tables = [...document.querySelectorAll("table.table")];
	if (!tables.length) return ["no table on the page"];
	for (const t of tables) {
		const id = t.dataset.testid || "table";
		const head = t.querySelector("thead");
		if (head && head.getBoundingClientRect().height > 1) out.push(id + ": the column header row is shown");
		for (let p = t; p && p !== document.body; p = p.parentElement)
			if (p.scrollWidth > p.clientWidth + 1) {
				out.push(id + ": " + p.tagName.toLowerCase() + "." + [...p.classList].join(".") + " scrolls sideways (" + p.scrollWidth + "px in " + p.clientWidth + "px)");
				break;
			}
		for (const el of t.querySelectorAll("tbody a, tbody button, tbody summary")) {
			const r = el.getBoundingClientRect();
			if (r.width > 1 && (r.left < -1 || r.right > vw + 1))
				out.push(id + ": \"" + el.textContent.trim().replace(/\s+/g, " ").slice(0, 30) + "\" spans " + Math.round(r.left) + ".." + Math.round(r.right) + "px in a " + vw + "px window");
		}
		for (const td of t.querySelectorAll("td[data-label]")) {
			if (td.getBoundingClientRect().height === 0) continue;
			const shown = getComputedStyle(td, "::before").content;
			if (shown !== JSON.stringify(td.dataset.label)) {
				out.push(id + ": a cell shows " + shown + " for its column " + JSON.stringify(td.dataset.label));
				break;
			}
		}
	}
	return out;
})()`

// desktopTableJS lists the tables of the page that are not laid out as
// tables at a laptop's width, or whose header row is hidden there.
const desktopTableJS = `(() => {
	const out = [], tables = [...document.querySelectorAll("table.table")];
	if (!tables.length) return ["no table on the page"];
	for (const t of tables) {
		const id = t.dataset.testid || "table";
		if (getComputedStyle(t).display !== "table") out.push(id + " is display " + getComputedStyle(t).display);
		const row = t.querySelector("tbody tr");
		if (row && getComputedStyle(row).display !== "table-row") out.push(id + ": a row is display " + getComputedStyle(row).display);
		const head = t.querySelector("thead");
		if (head && head.getBoundingClientRect().height < 10) out.push(id + ": the column header row is hidden");
		const labelled = t.querySelector("td[data-label]");
		if (labelled && getComputedStyle(labelled, "::before").content !== "none") out.push(id + ": a cell shows its column's name beside the header");
	}
	return out;
})()`

// cardsData arranges rows for every list: an API token and a second session
// of Tom's, and an access request of Elizabeth's to Tom Sawyer (pending,
// with Elizabeth among the staff, so that My zone lists it too).
func cardsData(t *testing.T, app *testApp) *tenantdesk.Account {
	t.Helper()
	c := app.client()
	c.mustSignIn(tom)
	createToken(t, c, url.Values{"name": {"Nightly billing export"}})
	until := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	incomingRequest(t, app, "fence-year-end-support", "Year-end check of the deskphones", tom,
		[]tenantdesk.AccessMode{tenantdesk.ModeSupport, tenantdesk.ModeConfigure}, &until, caroline, elizabeth)
	_, fence := accountOf(t, app, tom)
	return fence
}

// cardPages are the pages with data tables, by who sees them.
func cardPages(fence *tenantdesk.Account) map[string][]string {
	return map[string][]string{
		tom: {"/account/users", "/account/devices", "/account/licenses", "/account/audit",
			"/profile/tokens", "/profile/sessions"},
		elizabeth: {"/partner/customers", "/partner/access-requests", "/partner/customers/" + fence.TenantID,
			"/profile/zone", "/api-docs"},
	}
}

// TestBrowserPhoneTablesAreCards: at 375 px every list of the portal shows
// its rows as cards that fit the window, with their actions on screen and
// usable, for Tom (an account's Owner) and Elizabeth (a partner admin).
func TestBrowserPhoneTablesAreCards(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	pages := cardPages(cardsData(t, app))
	base := app.Server.URL
	for _, who := range []string{tom, elizabeth} {
		b := newPhoneBrowser(t, base)
		browserSignIn(t, b, base, who, app.Password[who])
		for _, p := range pages[who] {
			if status := b.Navigate(base + p); status != 200 || b.Path() != p {
				t.Errorf("GET %s: status %d at %s", p, status, b.Path())
				continue
			}
			for _, problem := range evalIn[[]string](b, phoneCardsJS) {
				t.Errorf("%s at %dpx: %s", p, phoneWidth, problem)
			}
			assertFitsPhone(t, b, p)
			shootPage(t, b, "cards"+strings.ReplaceAll(p, "/", "-"))
		}
		b.AssertClean()
	}

	// The actions a person taps on a phone: each visible and not covered.
	b := newPhoneBrowser(t, base)
	browserSignIn(t, b, base, tom, app.Password[tom])
	for _, c := range []struct{ page, action string }{
		{"/account/users", "[data-testid=user-row]:last-of-type [data-testid=user-edit-roles]"},
		{"/account/devices", "[data-testid=device-row]:last-of-type td:last-child a"},
		{"/profile/tokens", "[data-testid=token-revoke]"},
		{"/profile/tokens", "[data-testid=token-regenerate]"},
		{"/profile/sessions", "[data-testid=session-signout]"},
	} {
		b.Navigate(base + c.page)
		assertUsable(t, b, c.action)
	}
	// Tapping Revoke on a card leads to its confirmation.
	b.Navigate(base + "/profile/tokens")
	if status := b.DoAndWaitLoad("tap Revoke", chromedp.Click(chromedp.CSS("[data-testid=token-revoke]"))); status != 200 {
		t.Errorf("Revoke: status %d at %s", status, b.Path())
	}
	assertUsable(t, b, "[data-testid=confirm-submit]")
	b.AssertClean()
}

// TestBrowserDesktopTablesStayTables: at 1366 px the same lists are
// ordinary tables with their column headers, and no cell repeats its
// column's name.
func TestBrowserDesktopTablesStayTables(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	pages := cardPages(cardsData(t, app))
	base := app.Server.URL
	for _, who := range []string{tom, elizabeth} {
		b := newBrowser(t, browserWindow(desktopWidth, desktopHeight))
		b.Do("set a laptop's viewport", chromedp.EmulateViewport(desktopWidth, desktopHeight))
		browserSignIn(t, b, base, who, app.Password[who])
		for _, p := range pages[who] {
			if status := b.Navigate(base + p); status != 200 || b.Path() != p {
				t.Errorf("GET %s: status %d at %s", p, status, b.Path())
				continue
			}
			for _, problem := range evalIn[[]string](b, desktopTableJS) {
				t.Errorf("%s at %dpx: %s", p, desktopWidth, problem)
			}
		}
		if who == elizabeth {
			// The breadcrumb as drawn: an arrow, the levels, a slash
			// between them and nothing after the last.
			p := pages[who][2] + "/general"
			b.Navigate(base + p)
			drawn := evalIn[string](b, `[...document.querySelectorAll("nav.breadcrumbs li")].map(li => {
				const mark = s => { const m = /^"([^"]*)"/.exec(s); return m ? m[1] + " " : ""; };
				const after = getComputedStyle(li, "::after").content;
				return mark(getComputedStyle(li, "::before").content) + li.textContent.trim() + (after === "none" || after === "normal" ? "" : " " + after);
			}).join(" ")`)
			if want := "← Customers / " + tomSawyerCo; drawn != want {
				t.Errorf("%s: the breadcrumb reads %q, want %q", p, drawn, want)
			}
		}
		b.AssertClean()
	}
}
