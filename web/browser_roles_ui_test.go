package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Issue 13, the Users tab without a stumble: the "+N more" role badge opens
// onto the other roles by keyboard, checkboxes and radios keep their size
// where their labels wrap, and the search label stays on one line on a
// phone.

// rowOf returns a CSS selector for the row of the user whose name contains name.
func rowOf(t *testing.T, b *testBrowser, name string) string {
	t.Helper()
	href := evalIn[string](b, fmt.Sprintf(`(() => { const a = [...document.querySelectorAll("[data-testid=user-row] td:first-child a")].find(a => a.textContent.includes(%q));
		return a ? a.getAttribute("href") : ""; })()`, name))
	if href == "" {
		t.Fatalf("no row for %s in the Users table", name)
	}
	return `[data-testid=user-row]:has(td:first-child a[href="` + href + `"])`
}

// visibleRolesJS returns the texts of the role badges a person sees in a
// row's Roles cell (rendered, not inside a closed disclosure, not hidden).
const visibleRolesJS = `[...document.querySelector(%q).querySelectorAll(".badge-role")]
	.filter(el => el.checkVisibility({contentVisibilityAuto: true, opacityProperty: true, visibilityProperty: true}) && el.getBoundingClientRect().width > 0)
	.map(el => el.textContent.trim())`

// TestBrowserMoreRolesDisclosure: the "+N more" badge is a button that a
// keyboard reaches with Tab and opens with Enter, in place, onto every role
// of the user; Enter closes it again. No tooltip is needed to read them.
func TestBrowserMoreRolesDisclosure(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	b := newBrowser(t)
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users")

	row := rowOf(t, b, "Sid Sawyer")
	cell := row + " [data-testid=user-roles]"
	all := evalIn[[]string](b, fmt.Sprintf(`[...document.querySelector(%q).querySelectorAll(".badge-role")].map(el => el.textContent.trim())`, cell))
	if len(all) != 5 {
		t.Fatalf("Sid's roles in the page: %q, want 5", all)
	}
	if shown := evalIn[[]string](b, fmt.Sprintf(visibleRolesJS, cell)); len(shown) != 4 {
		t.Errorf("before opening, %d roles shown (%q), want 4", len(shown), shown)
	}
	summary := cell + " [data-testid=user-roles-more] > summary"
	if got := b.Text(summary); got != "+1 more" {
		t.Errorf("disclosure %q, want +1 more", got)
	}

	// Tab from the user's name (the row's previous focusable element) to the
	// disclosure, Enter opens it.
	b.Do("focus Sid's name", chromedp.Focus(chromedp.CSS(row+" td:first-child a")))
	b.Do("tab to +1 more", chromedp.KeyEvent(kb.Tab))
	if !evalIn[bool](b, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, summary)) {
		t.Fatalf("Tab from Sid's name went to %s, not to +1 more", evalIn[string](b, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	b.Do("press Enter", chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the disclosure to open", fmt.Sprintf(`document.querySelector(%q).parentElement.open`, summary))
	shown := evalIn[[]string](b, fmt.Sprintf(visibleRolesJS, cell))
	if strings.Join(shown, "|") != strings.Join(all, "|") {
		t.Errorf("after Enter the row shows %q, want every role %q", shown, all)
	}
	// The roles are readable where they are: inside the window, not covered.
	evalIn[bool](b, fmt.Sprintf(`(document.querySelector(%q).querySelectorAll(".badge-role").forEach((el, i) => el.dataset.roleIndex = i), true)`, cell))
	for i := range all {
		assertUsable(t, b, fmt.Sprintf(`%s [data-role-index="%d"]`, cell, i))
	}
	b.Do("press Enter again", chromedp.KeyEvent(kb.Enter))
	waitFor(t, b, "the disclosure to close", fmt.Sprintf(`!document.querySelector(%q).parentElement.open`, summary))
	if n := len(evalIn[[]string](b, fmt.Sprintf(visibleRolesJS, cell))); n != 4 {
		t.Errorf("after closing, %d roles shown, want 4", n)
	}
	b.AssertClean()
}

// roleInputSizesJS lists the checkboxes and radio buttons under root that
// are smaller than 16×16 px, with the label they belong to.
const roleInputSizesJS = `(() => {
	const out = [], inputs = document.querySelectorAll(%q);
	for (const el of inputs) {
		const r = el.getBoundingClientRect();
		if (r.width < 16 || r.height < 16) {
			const l = el.id ? document.querySelector("label[for='" + CSS.escape(el.id) + "']") : null;
			out.push(el.type + " " + (el.id || el.value) + " (" + (l ? l.textContent.trim().replace(/\s+/g, " ").slice(0, 40) : "") + ") is " +
				Math.round(r.width * 10) / 10 + "×" + Math.round(r.height * 10) / 10 + "px");
		}
	}
	return inputs.length === 0 ? ["no checkboxes or radio buttons"] : out;
})()`

// TestBrowserRoleCheckboxesKeepTheirSize: in the role editor (in place of a
// row and on the user's page) every checkbox and radio button is at least
// 16×16 px, on a phone (where labels wrap most) and on a laptop.
func TestBrowserRoleCheckboxesKeepTheirSize(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	check := func(t *testing.T, b *testBrowser, width int) {
		browserSignIn(t, b, base, tom, app.Password[tom])
		b.Navigate(base + "/account/users")
		if w := evalIn[int](b, `document.documentElement.clientWidth`); w > width {
			t.Fatalf("the page is %d px wide, want at most %d", w, width)
		}
		for _, name := range []string{"Huck Finn", "Sid Sawyer"} {
			row := rowOf(t, b, name)
			userPage := evalIn[string](b, fmt.Sprintf(`document.querySelector(%q).getAttribute("href")`, row+" td:first-child a"))
			b.Do("open the role editor of "+name, chromedp.Click(chromedp.CSS(row+" [data-testid=user-edit-roles]")))
			waitFor(t, b, "the role editor of "+name, `!!document.querySelector("[data-testid=role-editor-row]")`)
			for _, p := range evalIn[[]string](b, fmt.Sprintf(roleInputSizesJS, `[data-testid=role-editor-row] input:is([type=checkbox], [type=radio])`)) {
				t.Errorf("role editor of %s at %dpx: %s", name, width, p)
			}
			// This test measures checkboxes, not Cancel (other tests click it): a
			// DOM click cannot miss the button when the page is still laying
			// out on a loaded machine, which a click at coordinates could.
			evalIn[bool](b, `(document.querySelector("[data-testid=role-editor-cancel]").click(), true)`)
			waitFor(t, b, "the row back", `!document.querySelector("[data-testid=role-editor-row]")`)

			b.Navigate(base + userPage)
			for _, p := range evalIn[[]string](b, fmt.Sprintf(roleInputSizesJS, `main input:is([type=checkbox], [type=radio])`)) {
				t.Errorf("%s's page at %dpx: %s", name, width, p)
			}
			b.Navigate(base + "/account/users")
		}
		b.AssertClean()
	}
	t.Run("phone", func(t *testing.T) { check(t, newPhoneBrowser(t, base), phoneWidth) })
	t.Run("laptop", func(t *testing.T) { check(t, newBrowser(t, browserWindow(1366, 900)), 1366) })
}

// TestBrowserPhoneUsersSearchLabel: at 375 px the Users tab's search label
// takes one line in every language, shows its whole text (its accessible
// name is complete), and the field, its Search button and the rest of the
// form stay on the page.
func TestBrowserPhoneUsersSearchLabel(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	b := newPhoneBrowser(t, base)
	browserSignIn(t, b, base, tom, app.Password[tom])
	want := map[string]string{
		"en": "Search by name or email",
		"ru": "Поиск по имени или адресу",
		"de": "Nach Name oder E-Mail suchen",
		"fr": "Rechercher par nom ou e-mail",
		"pt": "Pesquisar por nome ou e-mail",
	}
	for _, lang := range []string{"en", "ru", "de", "fr", "pt"} {
		if _, err := chromedp.Call(b.Ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}}); err != nil {
			t.Fatal(err)
		}
		b.Navigate(base + "/account/users")
		got := evalIn[map[string]any](b, `(() => {
			const l = document.querySelector("label[for=user-search]"), r = document.createRange();
			r.selectNodeContents(l);
			const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
			const lr = l.getBoundingClientRect();
			return {lines: tops.size, text: l.textContent.trim(), cut: l.scrollWidth > l.clientWidth + 1 || lr.right > document.documentElement.clientWidth,
				label: document.getElementById("user-search").labels[0].textContent.trim()};
		})()`)
		if got["lines"] != 1.0 {
			t.Errorf("%s: the search label %q takes %v lines at %dpx", lang, got["text"], got["lines"], phoneWidth)
		}
		if got["text"] != want[lang] || got["label"] != want[lang] {
			t.Errorf("%s: the search label reads %q (field labelled %q), want %q", lang, got["text"], got["label"], want[lang])
		}
		if got["cut"] == true {
			t.Errorf("%s: the search label is cut off", lang)
		}
		assertFitsPhone(t, b, "/account/users ("+lang+")")
		assertUsable(t, b, "#user-search")
		assertUsable(t, b, `form[role=search] button[type=submit]`)
	}
	b.AssertClean()
}
