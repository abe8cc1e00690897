package web_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The frame every signed-in page shares (top bar, side menu, tab bars,
// headings), at a phone's width and at a laptop's: 375 and 1366 CSS pixels.

const desktopWidth, desktopHeight = 1366, 900

// atEachWidth runs check in a subtest per width, each with its own app and
// browser, signed in as Tom (an account admin, who sees every account tab).
// At phone width the browser emulates a phone (newPhoneBrowser); at desktop
// width the viewport is set to the exact size, so that the checks do not
// depend on the window's scroll bars.
func atEachWidth(t *testing.T, check func(t *testing.T, b *testBrowser, base string, phone bool)) {
	t.Helper()
	for _, width := range []int{phoneWidth, desktopWidth} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) {
			t.Parallel()
			app := newTestApp(t)
			base := app.Server.URL
			var b *testBrowser
			if width == phoneWidth {
				b = newPhoneBrowser(t, base)
			} else {
				b = newBrowser(t, browserWindow(desktopWidth, desktopHeight))
				b.Do("set a laptop's viewport", chromedp.EmulateViewport(desktopWidth, desktopHeight))
				b.Navigate(base + "/signin")
				if w := evalIn[int](b, `document.documentElement.clientWidth`); w != desktopWidth {
					t.Fatalf("the page is %d px wide, want %d", w, desktopWidth)
				}
			}
			browserSignIn(t, b, base, tom, app.Password[tom])
			check(t, b, base, width == phoneWidth)
			b.AssertClean()
		})
	}
}

// noSidewaysScroll fails the test when the page scrolls sideways.
func noSidewaysScroll(t *testing.T, b *testBrowser, page string) {
	t.Helper()
	if sw, cw := evalIn[int](b, `document.documentElement.scrollWidth`), evalIn[int](b, `document.documentElement.clientWidth`); sw > cw+1 {
		t.Errorf("%s: the page is %d px wide in a %d px window", page, sw, cw)
	}
}

// TestBrowserTopBarMenuCloses: on a phone the top bar's menu closes on a
// tap outside it and on Escape, which gives the focus back to the menu
// button (also from a link inside the menu). On a laptop the side menu is
// shown and the top bar has no menu button.
func TestBrowserTopBarMenuCloses(t *testing.T) {
	t.Parallel()
	atEachWidth(t, func(t *testing.T, b *testBrowser, base string, phone bool) {
		const menu = `header.topbar details`
		const isOpen = `document.querySelector("` + menu + `").open`
		shown := func(sel string) bool {
			return evalIn[bool](b, `(() => { const el = document.querySelector(`+fmt.Sprintf("%q", sel)+`);
				return !!el && el.getBoundingClientRect().width > 0; })()`)
		}
		b.Navigate(base + "/account")
		if !phone {
			if shown(menu + " > summary") {
				t.Error("the top bar's menu button is shown at laptop width")
			}
			if !shown("nav.sidenav [data-testid=nav-account]") {
				t.Error("the side menu is not shown at laptop width")
			}
			return
		}
		summaryFocused := `document.activeElement === document.querySelector("` + menu + ` > summary")`

		// A tap outside (below and right of the drop-down, on the page's
		// content) closes it, and does nothing else.
		b.Do("tap the menu button", chromedp.Tap(chromedp.CSS(menu+" > summary")))
		waitFor(t, b, "the menu to open", isOpen)
		outside := evalIn[[]float64](b, `(() => { const n = document.querySelector("`+menu+` nav").getBoundingClientRect();
			return [Math.min(n.right + 40, innerWidth - 10), n.bottom + 40]; })()`)
		if evalIn[bool](b, fmt.Sprintf(`document.querySelector(%q).contains(document.elementFromPoint(%f, %f))`, menu, outside[0], outside[1])) {
			t.Fatalf("the point %v is inside the menu", outside)
		}
		b.Do("tap outside the menu", chromedp.TapXY(outside[0], outside[1]))
		waitFor(t, b, "the menu to close after a tap outside", `!`+isOpen)
		if b.Path() != "/account" {
			t.Errorf("the tap outside the menu led to %s", b.Path())
		}

		// Escape closes it and the focus is on the menu button.
		b.Do("tap the menu button again", chromedp.Tap(chromedp.CSS(menu+" > summary")))
		waitFor(t, b, "the menu to open again", isOpen)
		b.Do("press Escape", chromedp.KeyEvent(kb.Escape))
		waitFor(t, b, "the menu to close on Escape", `!`+isOpen)
		if !evalIn[bool](b, summaryFocused) {
			t.Errorf("after Escape the focus is on %s, want the menu button", evalIn[string](b, `document.activeElement.outerHTML.slice(0, 80)`))
		}

		// With the keyboard: Enter opens it, Tab goes to its first link,
		// Escape closes it and puts the focus back on the button.
		b.Do("press Enter on the menu button", chromedp.KeyEvent(kb.Enter))
		waitFor(t, b, "the menu to open with Enter", isOpen)
		b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
		if got := evalIn[string](b, `document.activeElement.dataset.testid || ""`); got != "nav-home" {
			t.Fatalf("Tab from the menu button went to %q, want the menu's first link", got)
		}
		b.Do("press Escape in the menu", chromedp.KeyEvent(kb.Escape))
		waitFor(t, b, "the menu to close on Escape from a link", `!`+isOpen)
		if !evalIn[bool](b, summaryFocused) {
			t.Errorf("after Escape from a menu link the focus is on %s, want the menu button", evalIn[string](b, `document.activeElement.outerHTML.slice(0, 80)`))
		}
		if b.Path() != "/account" {
			t.Errorf("the keyboard in the menu led to %s", b.Path())
		}

		// A tap on a link inside the menu still follows it.
		b.Do("open the menu once more", chromedp.Tap(chromedp.CSS(menu+" > summary")))
		waitFor(t, b, "the menu to open once more", isOpen)
		if status := b.DoAndWaitLoad("tap API reference in the menu", chromedp.Tap(chromedp.CSS(menu+" [data-testid=nav-api-docs]"))); status != 200 || b.Path() != "/api-docs" {
			t.Errorf("API reference in the menu: status %d at %s", status, b.Path())
		}
	})
}

// tabsJS describes the tab bar matching the selector: each tab's top,
// width and data-testid, the bar's visible box and scroll state, and the
// active tab's box.
const tabsJS = `((sel) => {
	const bar = document.querySelector(sel);
	if (!bar) return null;
	const r = bar.getBoundingClientRect(), tabs = [...bar.querySelectorAll("a")];
	const act = bar.querySelector("[aria-current=page]"), a = act ? act.getBoundingClientRect() : null;
	return {
		tops: tabs.map(t => Math.round(t.getBoundingClientRect().top)),
		widths: tabs.map(t => t.getBoundingClientRect().width),
		ids: tabs.map(t => t.dataset.testid),
		left: r.left, right: r.left + bar.clientLeft + bar.clientWidth,
		scrollWidth: bar.scrollWidth, clientWidth: bar.clientWidth, overflowX: getComputedStyle(bar).overflowX,
		activeLeft: a ? a.left : -1, activeRight: a ? a.right : -1,
	};
})`

type tabBar struct {
	Tops                    []int     `json:"tops"`
	Widths                  []float64 `json:"widths"`
	IDs                     []string  `json:"ids"`
	Left, Right             float64
	ScrollWidth             int    `json:"scrollWidth"`
	ClientWidth             int    `json:"clientWidth"`
	OverflowX               string `json:"overflowX"`
	ActiveLeft, ActiveRight float64
}

func readTabs(t *testing.T, b *testBrowser, sel string) tabBar {
	t.Helper()
	bar := evalIn[*tabBar](b, tabsJS+fmt.Sprintf("(%q)", sel))
	if bar == nil || len(bar.IDs) < 2 {
		t.Fatalf("no tab bar %s on %s", sel, b.Path())
	}
	return *bar
}

// TestBrowserProfileTabsInOneRow: My profile's tabs (and About account's)
// stay in one row at any width; where the row does not fit, it scrolls
// sideways inside its own frame with the active tab in view, and the page
// itself does not scroll sideways.
func TestBrowserProfileTabsInOneRow(t *testing.T) {
	t.Parallel()
	atEachWidth(t, func(t *testing.T, b *testBrowser, base string, phone bool) {
		for _, c := range []struct{ path, bar string }{
			{"/profile", "[data-testid=profile-tabs]"},
			{"/profile/tokens", "[data-testid=profile-tabs]"},
			{"/profile/sessions", "[data-testid=profile-tabs]"},
			{"/account/security", "[data-testid=account-tabs]"},
		} {
			b.Navigate(base + c.path)
			bar := readTabs(t, b, c.bar)
			for i, top := range bar.Tops {
				if top != bar.Tops[0] {
					t.Errorf("%s: tab %s is on another row (top %d, the first tab's %d)", c.path, bar.IDs[i], top, bar.Tops[0])
				}
			}
			noSidewaysScroll(t, b, c.path)
			if bar.ScrollWidth > bar.ClientWidth && bar.OverflowX != "auto" && bar.OverflowX != "scroll" {
				t.Errorf("%s: the tabs are %d px wide in a %d px bar that does not scroll (overflow-x %s)", c.path, bar.ScrollWidth, bar.ClientWidth, bar.OverflowX)
			}
			if bar.ActiveLeft < bar.Left-1 || bar.ActiveRight > bar.Right+1 {
				t.Errorf("%s: the active tab (%.0f..%.0f px) is scrolled out of the bar's view (%.0f..%.0f px)", c.path, bar.ActiveLeft, bar.ActiveRight, bar.Left, bar.Right)
			}
			if phone && c.path == "/profile/sessions" && bar.ScrollWidth <= bar.ClientWidth {
				t.Logf("%s: all profile tabs fit in %d px", c.path, bar.ClientWidth)
			}
		}
	})
}

// TestBrowserTabWidthsStay: choosing another tab changes no tab's width,
// so the row does not shift under the finger or the pointer.
func TestBrowserTabWidthsStay(t *testing.T) {
	t.Parallel()
	atEachWidth(t, func(t *testing.T, b *testBrowser, base string, phone bool) {
		for _, c := range []struct{ from, bar, tab, to string }{
			{"/profile", "[data-testid=profile-tabs]", "profile-tab-rights", "/profile/rights"},
			{"/profile/rights", "[data-testid=profile-tabs]", "profile-tab-preferences", "/profile/preferences"},
			{"/account", "[data-testid=account-tabs]", "tab-users", "/account/users"},
		} {
			b.Navigate(base + c.from)
			before := readTabs(t, b, c.bar)
			tab := c.bar + " [data-testid=" + c.tab + "]"
			var follow chromedp.Action[chromedp.Void] = chromedp.Click(chromedp.CSS(tab))
			if phone {
				follow = chromedp.Tap(chromedp.CSS(tab))
			}
			if status := b.DoAndWaitLoad("choose "+c.tab, follow); status != 200 || b.Path() != c.to {
				t.Fatalf("%s: status %d at %s, want %s", c.tab, status, b.Path(), c.to)
			}
			after := readTabs(t, b, c.bar)
			if fmt.Sprint(after.IDs) != fmt.Sprint(before.IDs) {
				t.Fatalf("the tabs changed from %v to %v", before.IDs, after.IDs)
			}
			for i := range before.Widths {
				if math.Abs(after.Widths[i]-before.Widths[i]) > 0.5 {
					t.Errorf("%s -> %s: tab %s is %.1f px wide, was %.1f px", c.from, c.to, before.IDs[i], after.Widths[i], before.Widths[i])
				}
			}
		}
	})
}

// topBarNameJS describes a name in the top bar: its text, title, box, how
// many lines its text takes, whether it is cut with an ellipsis when it
// does not fit, and whether it is cut now.
const topBarNameJS = `((sel) => {
	const el = document.querySelector(sel);
	if (!el) return null;
	const r = el.getBoundingClientRect(), s = getComputedStyle(el), range = document.createRange();
	range.selectNodeContents(el);
	const tops = new Set();
	for (const q of range.getClientRects()) if (q.width > 0) tops.add(Math.round(q.top));
	const bar = document.querySelector("header.topbar").getBoundingClientRect();
	return {
		text: el.textContent.trim(), title: el.title, width: r.width, middle: (r.top + r.bottom) / 2,
		inBar: r.top >= bar.top - 1 && r.bottom <= bar.bottom + 1 && r.left >= bar.left - 1 && r.right <= bar.right + 1,
		lines: tops.size,
		ellipsis: s.textOverflow === "ellipsis" && s.whiteSpace === "nowrap" && s.overflowX === "hidden",
		cut: el.scrollWidth > el.clientWidth + 1,
	};
})`

type topBarName struct {
	Text, Title string
	Width       float64
	Middle      float64
	InBar       bool `json:"inBar"`
	Lines       int
	Ellipsis    bool
	Cut         bool
}

// TestBrowserTopBarNames: the top bar shows the account's name and the
// user's, each on one line, side by side, cut with an ellipsis when the
// screen is too narrow; the whole name stays in the text (screen readers)
// and the title (a pointer's tooltip). The user's name, a link to My
// profile, looks like one: underlined on hover and on keyboard focus, with
// a focus ring.
func TestBrowserTopBarNames(t *testing.T) {
	t.Parallel()
	atEachWidth(t, func(t *testing.T, b *testBrowser, base string, phone bool) {
		for _, p := range []string{"/", "/profile", "/account/users"} {
			b.Navigate(base + p)
			names := map[string]topBarName{}
			for _, c := range []struct{ id, want string }{
				{"current-account", "Tom Sawyer Fence Painting Co."},
				{"current-user", "Tom Sawyer"},
			} {
				n := evalIn[*topBarName](b, topBarNameJS+fmt.Sprintf("(%q)", "[data-testid="+c.id+"]"))
				if n == nil {
					t.Fatalf("%s: no %s in the top bar", p, c.id)
				}
				names[c.id] = *n
				switch {
				case n.Width < 40:
					t.Errorf("%s: %s is %.0f px wide: not readable", p, c.id, n.Width)
				case !n.InBar:
					t.Errorf("%s: %s is not inside the top bar", p, c.id)
				case n.Lines != 1:
					t.Errorf("%s: %s takes %d lines, want 1", p, c.id, n.Lines)
				}
				if n.Text != c.want {
					t.Errorf("%s: %s text %q, want the whole name %q", p, c.id, n.Text, c.want)
				}
				if !n.Ellipsis {
					t.Errorf("%s: %s is not cut with an ellipsis when it does not fit", p, c.id)
				}
				if !strings.Contains(n.Title, c.want) {
					t.Errorf("%s: %s title %q does not give the whole name %q", p, c.id, n.Title, c.want)
				}
			}
			if a, u := names["current-account"], names["current-user"]; math.Abs(a.Middle-u.Middle) > 2 {
				t.Errorf("%s: the account's and the user's names are not on one line (middles at %.0f and %.0f px)", p, a.Middle, u.Middle)
			}
			if u := names["current-user"]; u.Cut {
				t.Errorf("%s: the user's name %q is cut short", p, u.Text)
			}
			noSidewaysScroll(t, b, p)
		}

		// The user's name looks like a link when the keyboard reaches it.
		const user = `[data-testid=current-user]`
		look := func() (underlined, ring bool) {
			v := evalIn[[]bool](b, `(() => { const s = getComputedStyle(document.querySelector("`+user+`"));
				return [s.textDecorationLine.includes("underline"),
					(s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"]; })()`)
			return v[0], v[1]
		}
		if underlined, _ := look(); underlined {
			t.Logf("the user's name is underlined at rest")
		}
		reached := false
		for i := 0; i < 10 && !reached; i++ {
			b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
			reached = evalIn[bool](b, `document.activeElement === document.querySelector("`+user+`")`)
		}
		if !reached {
			t.Fatal("the user's name cannot be reached with Tab")
		}
		if underlined, ring := look(); !underlined || !ring {
			t.Errorf("the user's name with the keyboard focus: underlined %v, focus ring %v; want both", underlined, ring)
		}
		if phone {
			return // no pointer to hover with
		}
		b.Do("move the focus away", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
		box := evalIn[[]float64](b, `(() => { const r = document.querySelector("`+user+`").getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
		b.Do("hover over the user's name", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, box[0], box[1]))
		if underlined, _ := look(); !underlined {
			t.Error("the user's name is not underlined under the pointer")
		}
	})
}

// TestBrowserSideMenuAndHeadings: on My profile the menu marks My profile
// as the current page (side menu on a laptop, the top bar's menu on a
// phone); About account has a visible h1 naming the section, with the
// account's name under it.
func TestBrowserSideMenuAndHeadings(t *testing.T) {
	t.Parallel()
	atEachWidth(t, func(t *testing.T, b *testBrowser, base string, phone bool) {
		menu := "nav.sidenav"
		if phone {
			menu = "header.topbar details nav"
		}
		for _, c := range []struct{ path, current string }{
			{"/profile", "nav-profile"},
			{"/profile/tokens", "nav-profile"},
			{"/account/users", "nav-account"},
		} {
			b.Navigate(base + c.path)
			if phone {
				b.Do("open the menu", chromedp.Tap(chromedp.CSS("header.topbar details > summary")))
				waitFor(t, b, "the menu to open", `document.querySelector("header.topbar details").open`)
			}
			cur := evalIn[[]string](b, `[...document.querySelectorAll("`+menu+` [aria-current=page]")].map(a => a.dataset.testid)`)
			if len(cur) != 1 || cur[0] != c.current {
				t.Errorf("%s: menu entries marked current %v, want [%s]", c.path, cur, c.current)
				continue
			}
			sel := menu + " [data-testid=" + c.current + "]"
			assertUsable(t, b, sel)
			// Highlighted, not only marked: the active style (its bar on the
			// left) differs from the other entries'.
			if !evalIn[bool](b, `(() => { const a = getComputedStyle(document.querySelector("`+sel+`")),
				o = getComputedStyle(document.querySelector("`+menu+` a:not([aria-current])"));
				return a.borderLeftColor !== o.borderLeftColor && a.backgroundColor !== o.backgroundColor; })()`) {
				t.Errorf("%s: the current menu entry %s does not look different from the others", c.path, c.current)
			}
			if c.current == "nav-profile" {
				if got := b.Text(sel); got != "My profile" {
					t.Errorf("%s: menu entry %q, want My profile", c.path, got)
				}
			}
			if phone {
				b.Do("close the menu", chromedp.KeyEvent(kb.Escape))
			}
		}

		b.Navigate(base + "/account")
		if got := evalIn[[]string](b, `[...document.querySelectorAll("main h1")].map(h => h.getBoundingClientRect().height > 0 ? h.textContent.trim() : "(hidden) " + h.textContent.trim())`); len(got) != 1 || got[0] != "About account" {
			t.Errorf("/account h1 %q, want one visible About account", got)
		}
		if got := b.Text("[data-testid=account-heading]"); got != "Tom Sawyer Fence Painting Co." {
			t.Errorf("account name under the heading %q", got)
		}
		// The heading comes before the tab bar it heads.
		if !evalIn[bool](b, `!!(document.querySelector("main h1").compareDocumentPosition(document.querySelector("[data-testid=account-tabs]")) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
			t.Error("the h1 does not come before the account tabs")
		}
	})
}
