package main

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantdesk/tenantdesk/web"
)

// A viewer is who looks at a page: signed out, one of the demo users, or a
// demo user stopped half-way through signing in (the two-factor pages).
type viewer struct {
	Name  string // in the file names: anonymous, owner, user-admin …
	Email string // "" for anonymous
	// Pending: the sign-in stops at the second factor (the password is
	// right, the code is still to come), as the two-factor pages need.
	Pending bool
}

var (
	anonymous    = viewer{Name: "anonymous"}
	owner        = viewer{Name: "owner", Email: "tom.sawyer@fence.example"}
	userAdmin    = viewer{Name: "user-admin", Email: "becky.thatcher@fence.example"}
	plainUser    = viewer{Name: "user", Email: "huck.finn@fence.example"}
	partnerAdmin = viewer{Name: "partner-admin", Email: "elizabeth.bennet@classics.example"}
	// enrolling signs in to an account that requires two-factor
	// authentication without having set it up (arranged in arrange).
	enrolling = viewer{Name: "enrolling", Email: "christopher.robin@hundredacre.example", Pending: true}
	// secondFactor signs in with two-factor authentication set up
	// (arranged in arrange).
	secondFactor = viewer{Name: "second-factor", Email: "winnie.pooh@hundredacre.example", Pending: true}

	// signedIn are the kinds of user every signed-in page is shown to.
	signedIn = []viewer{owner, userAdmin, plainUser, partnerAdmin}
)

// notPages are the GET routes that render no HTML page of their own, and
// why. Everything else a GET route serves is a page (the REST API under
// /api/ aside), so a new page is photographed without being listed here.
var notPages = map[string]string{
	"/healthz":                           "machine endpoint (liveness)",
	"/readyz":                            "machine endpoint (readiness)",
	"/static/*":                          "static files",
	"/favicon.ico":                       "icon",
	"/account/audit.csv":                 "CSV download of the audit log",
	"/account/users/import/template.csv": "CSV template of the user import (a download)",
	"/account/users/:id/roles":           "HTMX fragment (the role editor's row); without HTMX it redirects to the user's page",
	"/account/users/:id/row":             "HTMX fragment (a user's row); without HTMX it redirects to the Users tab",
}

// publicPages need no session: they are shown signed out.
var publicPages = map[string]bool{
	"/signin":                  true,
	"/activate":                true,
	"/password/forgot":         true,
	"/password/reset":          true,
	"/profile/email/confirm":   true,
	"/profile/email/confirmed": true,
	"/dev/mail":                true,
}

// pendingPages are reachable only half-way through a sign-in, by the
// viewer named.
var pendingPages = map[string]viewer{
	"/signin/2fa/setup": enrolling,
	"/signin/2fa":       secondFactor,
}

// page is one route to photograph and who looks at it.
type page struct {
	Route   string // the echo path, e.g. /account/users/:id
	Viewers []viewer
}

// HasParams reports whether the route has parameters: its URL is then
// found among the links of the pages visited before.
func (p page) HasParams() bool { return strings.Contains(p.Route, ":") }

// Match reports whether the path (without query) is a URL of the route.
func (p page) Match(path string) bool { return routePattern(p.Route).MatchString(path) }

func routePattern(route string) *regexp.Regexp {
	parts := strings.Split(route, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = `[^/]+`
		} else {
			parts[i] = regexp.QuoteMeta(s)
		}
	}
	return regexp.MustCompile("^" + strings.Join(parts, "/") + "$")
}

// isAPI reports whether the route belongs to the REST API (JSON, tokens).
func isAPI(route string) bool { return strings.HasPrefix(route, "/api/") }

// pages returns every GET route of the server that renders an HTML page,
// sorted, with its viewers: the routes are the server's own (web.Server
// Routes), so that a page added to web/routes.go is not forgotten.
func pages(routes []web.Route) []page {
	seen := map[string]bool{}
	var out []page
	for _, r := range routes {
		if r.Method != http.MethodGet || seen[r.Path] || isAPI(r.Path) || notPages[r.Path] != "" {
			continue
		}
		seen[r.Path] = true
		p := page{Route: r.Path, Viewers: signedIn}
		if publicPages[r.Path] {
			p.Viewers = []viewer{anonymous}
		} else if v, ok := pendingPages[r.Path]; ok {
			p.Viewers = []viewer{v}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b page) int { return strings.Compare(a.Route, b.Route) })
	return out
}

// fileName is the PNG's name: route, viewer, width and theme, e.g.
// account_users_id__owner__375__dark.png ("home" for /).
func fileName(route string, v viewer, width int, theme string, variant string) string {
	name := strings.Trim(route, "/")
	name = strings.NewReplacer("/", "_", ":", "", ".", "-", "*", "all").Replace(name)
	if name == "" {
		name = "home"
	}
	if variant != "" {
		name += "-" + variant
	}
	return name + "__" + v.Name + "__" + strconv.Itoa(width) + "__" + theme + ".png"
}
