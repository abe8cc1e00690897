package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// The frame of the signed-in pages, without a browser (the look and the
// phone's layout: browser_layout_test.go).

// TestMenuMarksMyProfile: My profile is an entry of the menus (side menu and
// the phone's top-bar menu), marked as the current page on each of its tabs
// and on no other page.
func TestMenuMarksMyProfile(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	for _, tc := range []struct{ path, current string }{
		{"/profile", "nav-profile"},
		{"/profile/rights", "nav-profile"},
		{"/profile/sessions", "nav-profile"},
		{"/account", "nav-account"},
		{"/", "nav-home"},
	} {
		page := c.get(tc.path)
		mustStatus(t, page, http.StatusOK)
		for _, menu := range []string{"nav.sidenav", "header.topbar details nav"} {
			entry := page.Doc.Find(menu + ` [data-testid="nav-profile"]`)
			if entry.Length() != 1 || attr(entry, "href") != "/profile" || strings.TrimSpace(entry.Text()) != "My profile" {
				t.Errorf("%s %s: My profile entry <a href=%q>%s</a> (%d)", tc.path, menu, attr(entry, "href"), entry.Text(), entry.Length())
			}
			var cur []string
			page.Doc.Find(menu + ` [aria-current="page"]`).Each(func(_ int, s *goquery.Selection) { cur = append(cur, attr(s, "data-testid")) })
			if len(cur) != 1 || cur[0] != tc.current {
				t.Errorf("%s %s: current entries %v, want [%s]", tc.path, menu, cur, tc.current)
			}
		}
	}
}

// TestAccountAreaHeading: every tab of About account has the section's
// name as its h1, the account's name under it, before the tab bar.
func TestAccountAreaHeading(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	for _, path := range []string{"/account", "/account/users", "/account/audit"} {
		res := c.get(path)
		mustStatus(t, res, http.StatusOK)
		h1 := res.Doc.Find("main h1")
		if h1.Length() != 1 || strings.TrimSpace(h1.Text()) != "About account" {
			t.Errorf("%s: h1 %q (%d), want one About account", path, h1.Text(), h1.Length())
		}
		if got := text(res, `[data-testid="account-heading"]`); got != "Tom Sawyer Fence Painting Co." {
			t.Errorf("%s: account name %q", path, got)
		}
		if h1.NextAllFiltered(`[data-testid="account-tabs"]`).Length() != 1 {
			t.Errorf("%s: the account tabs do not follow the h1", path)
		}
	}
}
