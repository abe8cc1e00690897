package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Phone-width browser tests: the portal at 375 × 740 CSS pixels, as on a
// phone. There the side menu becomes the top bar's menu and tables show
// their rows as cards (browser_cards_test.go); the page itself never scrolls
// sideways and nothing a person needs is pushed off the screen.

const phoneWidth, phoneHeight = 375, 740

// newPhoneBrowser is newBrowser at phone width, opened on the sign-in page.
// Chromium does not make a window narrower than 500 px, so the tab also
// emulates a phone's screen (mobile viewport, touch); the test fails when the
// page does not get the phone's width, so that the checks below mean
// something.
func newPhoneBrowser(t *testing.T, base string) *testBrowser {
	t.Helper()
	b := newBrowser(t, browserWindow(phoneWidth, phoneHeight))
	b.Do("emulate a phone's screen", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))
	b.Navigate(base + "/signin")
	if w := evalIn[int](b, `document.documentElement.clientWidth`); w != phoneWidth {
		t.Fatalf("the page is %d px wide, want %d", w, phoneWidth)
	}
	return b
}

// phoneLayoutJS lists what does not fit the window: the page scrolling
// sideways, visible content (text, links, buttons, fields, cards, scroll
// frames) that reaches past the window's left or right edge or is clipped
// by its own box, and buttons squeezed until their label wraps. Content
// inside a horizontal scroll frame (a .table-wrap, a tab bar) is judged by
// its frame, which must fit. Only the outermost offender is reported. The
// window's width is the root element's clientWidth: on a phone (and in
// Chromium's mobile emulation) a page that is too wide widens the layout
// viewport, and window.innerWidth with it, so scrollWidth <= innerWidth
// would always hold.
const phoneLayoutJS = `(() => {
	const de = document.documentElement, vw = de.clientWidth, out = [], reported = [];
	if (de.scrollWidth > vw + 1) out.push("the page is " + de.scrollWidth + "px wide in a " + vw + "px window");
	const inFrame = el => {
		for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			const o = getComputedStyle(p).overflowX;
			if (o === "auto" || o === "scroll") return true;
		}
		return false;
	};
	// Visually hidden (sr-only, the skip link until focused): clipped to nothing on purpose.
	const srOnly = el => {
		for (let p = el; p; p = p.parentElement) {
			const c = getComputedStyle(p).clip;
			if (c && c !== "auto") return true;
		}
		return false;
	};
	// How many lines the visible text of a button takes.
	const labelLines = el => {
		const tops = new Set(), walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			if (!n.textContent.trim() || srOnly(n.parentElement)) continue;
			const r = document.createRange();
			r.selectNodeContents(n);
			for (const rect of r.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
		}
		return tops.size;
	};
	const name = el => {
		let s = el.tagName.toLowerCase();
		if (el.id) s += "#" + el.id;
		if (el.dataset.testid) s += "[data-testid=" + el.dataset.testid + "]";
		else if (el.classList.length) s += "." + [...el.classList].slice(0, 3).join(".");
		const text = (el.textContent || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
		return text ? s + " \"" + text + "\"" : s;
	};
	const sel = "header,main,h1,h2,h3,h4,p,label,a,button,summary,input,select,textarea,th,td,li,dt,dd,pre,code,.badge,.table-wrap,.tabs,.card,.alert,form,fieldset";
	for (const el of document.querySelectorAll(sel)) {
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
		if (srOnly(el) || inFrame(el) || reported.some(p => p.contains(el))) continue;
		if (r.left < -1 || r.right > vw + 1) {
			out.push(name(el) + " spans " + Math.round(r.left) + ".." + Math.round(r.right) + "px");
			reported.push(el);
			continue;
		}
		if (el.matches(".btn, button, summary") && labelLines(el) > 1) {
			out.push(name(el) + " wraps its label onto " + labelLines(el) + " lines");
			reported.push(el);
			continue;
		}
		const s = getComputedStyle(el);
		if ((s.overflowX === "hidden" || s.overflowX === "clip") && el.scrollWidth > el.clientWidth + 1) {
			out.push(name(el) + " cuts off its content (" + el.scrollWidth + "px in " + el.clientWidth + "px)");
			reported.push(el);
		}
	}
	return out.length > 10 ? out.slice(0, 10).concat(["and " + (out.length - 10) + " more"]) : out;
})()`

// assertFitsPhone fails the test for everything phoneLayoutJS finds on the
// current page.
func assertFitsPhone(t *testing.T, b *testBrowser, page string) {
	t.Helper()
	for _, p := range evalIn[[]string](b, phoneLayoutJS) {
		t.Errorf("%s at %dpx: %s", page, phoneWidth, p)
	}
}

// assertUsable scrolls the element into view and fails the test unless it
// is then entirely inside the window and on top (not covered by anything),
// so that a person can see and tap it.
func assertUsable(t *testing.T, b *testBrowser, sel string) {
	t.Helper()
	problem := evalIn[string](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) return "missing";
		el.scrollIntoView({block: "center", inline: "nearest"});
		const r = el.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return "not shown";
		const v = window.visualViewport, left = v.offsetLeft, top = v.offsetTop;
		if (r.left < left - 1 || r.right > left + v.width + 1 || r.top < top - 1 || r.bottom > top + v.height + 1)
			return "not entirely on screen: " + Math.round(r.left) + "," + Math.round(r.top) + " .. " + Math.round(r.right) + "," + Math.round(r.bottom);
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		if (!hit || !(el === hit || el.contains(hit))) return "covered by " + (hit ? hit.outerHTML.slice(0, 80) : "nothing");
		return "";
	})()`, sel))
	if problem != "" {
		t.Errorf("%s at %dpx: %s", sel, phoneWidth, problem)
	}
}

// TestBrowserPhonePagesFit signs in at phone width and opens every page of
// the account and the profile: none scrolls sideways or cuts anything off.
func TestBrowserPhonePagesFit(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	b := newPhoneBrowser(t, base)

	assertFitsPhone(t, b, "/signin")
	assertUsable(t, b, "[data-testid=signin-submit]")
	browserSignIn(t, b, base, tom, app.Password[tom])

	pages := []string{"/", "/account", "/account/users", "/account/users/new"}
	// Every user's page, from the links of the Users table.
	b.Navigate(base + "/account/users")
	users := evalIn[[]string](b, `[...document.querySelectorAll("[data-testid=user-row] td:first-child a")].map(a => a.pathname)`)
	if len(users) == 0 {
		t.Fatal("no user links in the Users table")
	}
	pages = append(pages, users...)
	pages = append(pages, "/account/audit", "/account/licenses", "/account/security")
	// My profile and each of its tabs, from the tab links.
	b.Navigate(base + "/profile")
	tabs := evalIn[[]string](b, `[...document.querySelectorAll("a[data-testid^=profile-tab-]")].map(a => a.pathname)`)
	if len(tabs) < 2 {
		t.Fatalf("profile tabs: %v", tabs)
	}
	pages = append(pages, tabs...)
	pages = append(pages, "/api-docs")

	for _, p := range pages {
		if status := b.Navigate(base + p); status != 200 || b.Path() != p {
			t.Errorf("GET %s: status %d at %s", p, status, b.Path())
			continue
		}
		assertFitsPhone(t, b, p)
	}
	b.AssertClean()
}

// TestBrowserPhoneMenu: at phone width the side menu is hidden and the top
// bar's menu button takes its place; it opens onto the same links, and
// following one works.
func TestBrowserPhoneMenu(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	b := newPhoneBrowser(t, base)
	browserSignIn(t, b, base, tom, app.Password[tom])

	switch side := evalIn[string](b, `(() => { const n = document.querySelector("nav.sidenav");
		return !n ? "missing" : n.getBoundingClientRect().width > 0 ? "shown" : "hidden"; })()`); side {
	case "hidden":
	case "missing":
		t.Error("no side menu (nav.sidenav) on the page")
	default:
		t.Error("the side menu is shown at phone width")
	}
	const menu = `header.topbar details`
	assertUsable(t, b, menu+" > summary")
	if evalIn[bool](b, `document.querySelector("`+menu+`").open`) {
		t.Fatal("the top-bar menu is open before it is tapped")
	}
	b.Do("open the top-bar menu", chromedp.Click(chromedp.CSS(menu+" > summary")))
	waitFor(t, b, "the menu to open", `document.querySelector("`+menu+`").open`)
	for _, id := range []string{"nav-home", "nav-account", "nav-api-docs"} {
		assertUsable(t, b, menu+" [data-testid="+id+"]")
	}
	assertFitsPhone(t, b, "/ with the menu open")
	if got := b.Text(menu + " [data-testid=nav-account]"); got != "About account" {
		t.Errorf("menu link %q, want About account", got)
	}
	if status := b.DoAndWaitLoad("follow About account", chromedp.Click(chromedp.CSS(menu+" [data-testid=nav-account]"))); status != 200 || b.Path() != "/account" {
		t.Fatalf("About account: status %d at %s", status, b.Path())
	}
	if got := b.Text("[data-testid=account-heading]"); got != "Tom Sawyer Fence Painting Co." {
		t.Errorf("account heading %q", got)
	}
	if evalIn[bool](b, `document.querySelector("`+menu+`").open`) {
		t.Error("the menu is still open on the new page")
	}
	// On the new page the menu marks where the person is.
	b.Do("open the menu again", chromedp.Click(chromedp.CSS(menu+" > summary")))
	if got := evalIn[string](b, `document.querySelector("`+menu+` [aria-current=page]").dataset.testid`); got != "nav-account" {
		t.Errorf("current menu item %q, want nav-account", got)
	}
	b.AssertClean()
}

// TestBrowserPhoneUsersTab: on the Users tab at phone width the rows are
// cards that fit the window; search, Invite user and the in-place role
// editor are all within reach.
func TestBrowserPhoneUsersTab(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	b := newPhoneBrowser(t, base)
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users")
	assertFitsPhone(t, b, "/account/users")

	// The rows are cards: the table fits its frame, which does not scroll.
	frame := evalIn[map[string]any](b, `(() => {
		const w = document.querySelector(".table-wrap");
		return {scrollWidth: w.scrollWidth, clientWidth: w.clientWidth, hasTable: !!w.querySelector("[data-testid=users-table]")};
	})()`)
	if frame["hasTable"] != true {
		t.Fatalf("the users table is not inside .table-wrap: %v", frame)
	}
	if sw, cw := frame["scrollWidth"].(float64), frame["clientWidth"].(float64); sw > cw+1 {
		t.Errorf("the users table scrolls sideways at %dpx: %vpx in %vpx", phoneWidth, sw, cw)
	}

	assertUsable(t, b, "#user-search")
	assertUsable(t, b, "[data-testid=invite-user]")

	const rows = `document.querySelectorAll("[data-testid=user-row]").length`
	if n := evalIn[int](b, rows); n != 7 {
		t.Fatalf("%d rows, want 7", n)
	}

	// The role editor opens in place of a row and keeps to what the frame
	// shows, wherever the table is scrolled to (the Edit button that opens
	// it sits in the table's last column); Cancel brings the row back.
	editRolesAndCancel := func(what, editSel string) {
		t.Helper()
		path := b.Path()
		n := evalIn[int](b, rows)
		b.Do("open the role editor "+what, chromedp.Click(chromedp.CSS(editSel)))
		waitFor(t, b, "the editor "+what, `!!document.querySelector("[data-testid=role-editor-row]")`)
		assertFitsPhone(t, b, "the role editor "+what)
		for _, scroll := range []string{"", "w.scrollLeft = w.scrollWidth", "w.scrollLeft = 0"} {
			hidden := evalIn[[]string](b, `(() => {
				const w = document.querySelector(".table-wrap"); `+scroll+`;
				const f = w.getBoundingClientRect(), left = f.left + w.clientLeft, right = left + w.clientWidth, out = [], reported = [];
				for (const el of document.querySelectorAll("[data-testid=role-editor-row] :is(form, p, fieldset, legend, label, input[type=checkbox], button, a)")) {
					const r = el.getBoundingClientRect();
					if (r.width > 0 && !reported.some(p => p.contains(el)) && (r.left < left - 1 || r.right > right + 1))
						reported.push(el), out.push(el.tagName.toLowerCase() + " \"" + el.textContent.trim().replace(/\s+/g, " ").slice(0, 30) + "\" spans " +
							Math.round(r.left) + ".." + Math.round(r.right) + "px, the frame shows " + Math.round(left) + ".." + Math.round(right) + "px");
				}
				return out;
			})()`)
			for _, h := range hidden {
				t.Errorf("role editor %s, table scrolled %q: %s", what, scroll, h)
			}
		}
		assertUsable(t, b, `[data-testid=role-editor-row] input[value="customer.user.supervisorl2"]`)
		assertUsable(t, b, "[data-testid=role-editor-save]")
		assertUsable(t, b, "[data-testid=role-editor-cancel]")
		b.Do("cancel "+what, chromedp.Click(chromedp.CSS("[data-testid=role-editor-cancel]")))
		waitFor(t, b, "the row back "+what, fmt.Sprintf(`!document.querySelector("[data-testid=role-editor-row]") && %s === %d`, rows, n))
		if b.Path() != path {
			t.Errorf("role editor %s: the page changed from %s to %s", what, path, b.Path())
		}
		assertFitsPhone(t, b, "the role editor cancelled "+what)
	}
	huck := evalIn[string](b, `[...document.querySelectorAll("[data-testid=user-row] td:first-child a")].find(a => a.textContent.includes("Huck Finn")).getAttribute("href")`)
	editRolesAndCancel("in the whole list", `[data-testid=user-row]:has(a[href="`+huck+`"]) [data-testid=user-edit-roles]`)
	if got := b.Text(`[data-testid=user-row]:has(a[href="` + huck + `"]) [data-testid=user-roles]`); !strings.Contains(got, "supervisor") {
		t.Errorf("Huck's roles after cancel %q", got)
	}

	// Search as a person types; the results update in place.
	assertUsable(t, b, `form[role=search] button[type=submit]`)
	b.Do("type a search", chromedp.SendKeys(chromedp.CSS("#user-search"), "huc"))
	waitFor(t, b, "one row", rows+` === 1`)
	waitFor(t, b, "the URL to carry the query", `location.search === "?q=huc"`)
	if got := b.Text("[data-testid=user-row] td"); !strings.Contains(got, "Huck Finn") {
		t.Errorf("row %q", got)
	}
	assertFitsPhone(t, b, "/account/users?q=huc")
	editRolesAndCancel("in the search results", "[data-testid=user-edit-roles]")

	// Invite user leads to the form, which fits too.
	if status := b.DoAndWaitLoad("tap Invite user", chromedp.Click(chromedp.CSS("[data-testid=invite-user]"))); status != 200 || b.Path() != "/account/users/new" {
		t.Fatalf("Invite user: status %d at %s", status, b.Path())
	}
	assertFitsPhone(t, b, "/account/users/new")
	assertUsable(t, b, "#displayName")
	assertUsable(t, b, "[data-testid=user-save]")
	b.AssertClean()
}
