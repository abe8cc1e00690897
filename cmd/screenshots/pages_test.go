package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/sitepages"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestPagesCoverEveryHTMLRoute runs the page enumeration (not the
// screenshots) over the real server and checks it against the routes the
// server registers and what they serve: every GET route outside the REST
// API is photographed unless notPages says why not, every notPages entry
// is a real route that indeed serves no page, and the public pages are
// exactly those a signed-out visitor sees.
func TestPagesCoverEveryHTMLRoute(t *testing.T) {
	ctx := context.Background()
	p, err := startPortal(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	if err := p.arrange(ctx); err != nil {
		t.Fatal(err)
	}
	routes := p.Server.Routes()
	enumerated := map[string]page{}
	for _, pg := range sitepages.Pages(routes) {
		enumerated[pg.Route] = pg
		if len(pg.Viewers) == 0 {
			t.Errorf("%s: nobody looks at it", pg.Route)
		}
	}

	registered := map[string]bool{}
	for _, r := range routes {
		if r.Method != http.MethodGet {
			continue
		}
		registered[r.Path] = true
		if _, ok := enumerated[r.Path]; !ok && !sitepages.IsAPI(r.Path) && sitepages.NotPages[r.Path] == "" {
			t.Errorf("GET %s is registered but missing from the screenshots' pages", r.Path)
		}
	}
	for path := range sitepages.NotPages {
		if !registered[path] {
			t.Errorf("notPages lists %s, which is no GET route any more", path)
		}
	}
	for path := range sitepages.PublicPages {
		if _, ok := enumerated[path]; !ok {
			t.Errorf("publicPages lists %s, which is not a page", path)
		}
	}
	for path := range sitepages.PendingPages {
		if _, ok := enumerated[path]; !ok {
			t.Errorf("pendingPages lists %s, which is not a page", path)
		}
	}

	anon := &testClient{&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c, err := p.signInHTTP(sitepages.Owner.Email, "screenshots test")
	if err != nil {
		t.Fatal(err)
	}
	tom := &testClient{c}
	becky, err := p.DB.FindUserByEmail(ctx, sitepages.UserAdmin.Email)
	if err != nil {
		t.Fatal(err)
	}
	withID := func(route string) string {
		if route == "/static/*" {
			return "/static/css/app.css"
		}
		return strings.ReplaceAll(route, ":id", tenantdesk.FormatUserID(becky.ID))
	}

	// What notPages leaves out serves no HTML page, even to the Owner.
	for path, why := range sitepages.NotPages {
		res := tom.get(t, p.URL+withID(path))
		if res.StatusCode == http.StatusOK && strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s serves an HTML page, yet notPages leaves it out (%s)", path, why)
		}
	}
	// Every page without parameters is HTML; a signed-out visitor sees the
	// public ones and is sent to sign in for the others.
	for route, pg := range enumerated {
		if pg.HasParams() {
			continue
		}
		res := anon.get(t, p.URL+route)
		toSignIn := res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/signin")
		if _, pending := sitepages.PendingPages[route]; pending {
			continue // signed out, they too send to the sign-in
		}
		switch {
		case sitepages.PublicPages[route] && toSignIn:
			t.Errorf("GET %s signed out: sent to sign in, yet publicPages has it", route)
		case !sitepages.PublicPages[route] && !toSignIn:
			t.Errorf("GET %s signed out: status %d, not sent to sign in; add it to publicPages", route, res.StatusCode)
		}
		c := tom
		if sitepages.PublicPages[route] {
			c = anon
		}
		if res := c.get(t, p.URL+route); !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %d %s, not an HTML page; add it to notPages with the reason", route, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
}

// TestFileNames checks the PNG names: route, viewer, width, theme.
func TestFileNames(t *testing.T) {
	for _, c := range []struct{ route, variant, want string }{
		{"/", "", "home__owner__375__dark.png"},
		{"/account/users/:id/disable", "", "account_users_id_disable__owner__375__dark.png"},
		{"/activate", "link", "activate-link__owner__375__dark.png"},
	} {
		if got := fileName(c.route, sitepages.Owner, 375, "dark", c.variant); got != c.want {
			t.Errorf("fileName(%q) = %q, want %q", c.route, got, c.want)
		}
	}
	pg := page{Route: "/account/users/:id"}
	if !pg.Match("/account/users/us123") || pg.Match("/account/users/us123/disable") || pg.Match("/account/users") {
		t.Error("route pattern matches wrongly")
	}
	literal := map[string]bool{"/account/users/new": true}
	if got := sitepages.FirstLink([]string{"/account/users/new", "/account/users/us1?x=1"}, pg, literal); got != "/account/users/us1" {
		t.Errorf("firstLink = %q, want /account/users/us1", got)
	}
}

type testClient struct{ http *http.Client }

func (c *testClient) get(t *testing.T, u string) *http.Response {
	t.Helper()
	res, err := c.http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}
