// Package sitepages lists the portal's HTML pages and who looks at each,
// and walks them the way a person does: the pages without parameters
// first, then each page with parameters at the first link to it found on
// the pages seen so far. cmd/screenshots photographs what the walk visits;
// the browser tests in web run axe-core and html-validate over it. Both use
// this one list, so that a page added to the server is photographed and
// checked without being listed twice.
package sitepages

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// A Viewer is who looks at a page: signed out, one of the demo users, a
// demo user stopped half-way through signing in (the two-factor pages), or
// a partner user impersonating a customer.
type Viewer struct {
	Name  string // in file names and test names: anonymous, owner, user-admin …
	Email string // "" for anonymous
	// Pending: the sign-in stops at the second factor (the password is
	// right, the code is still to come), as the two-factor pages need.
	Pending bool
	// ImpersonateAt, when set, is the email of a user of the customer the
	// viewer impersonates after signing in, in ImpersonateMode (granted in
	// Arrange).
	ImpersonateAt   string
	ImpersonateMode tenantdesk.AccessMode
}

var (
	Anonymous    = Viewer{Name: "anonymous"}
	Owner        = Viewer{Name: "owner", Email: "tom.sawyer@fence.example"}
	UserAdmin    = Viewer{Name: "user-admin", Email: "becky.thatcher@fence.example"}
	PlainUser    = Viewer{Name: "user", Email: "huck.finn@fence.example"}
	PartnerAdmin = Viewer{Name: "partner-admin", Email: "elizabeth.bennet@classics.example"}
	PartnerUser  = Viewer{Name: "partner-user", Email: "charlotte.lucas@classics.example"}
	// Impersonating is a partner user working in Tom Sawyer's account in
	// support mode, through the grant Arrange makes.
	Impersonating = Viewer{Name: "impersonating", Email: "caroline.bingley@classics.example",
		ImpersonateAt: Owner.Email, ImpersonateMode: tenantdesk.ModeSupport}
	// Enrolling signs in to an account that requires two-factor
	// authentication without having set it up (arranged in Arrange).
	Enrolling = Viewer{Name: "enrolling", Email: "christopher.robin@hundredacre.example", Pending: true}
	// SecondFactor signs in with two-factor authentication set up
	// (arranged in Arrange).
	SecondFactor = Viewer{Name: "second-factor", Email: "winnie.pooh@hundredacre.example", Pending: true}

	// SignedIn are the kinds of user every signed-in page is shown to.
	SignedIn = []Viewer{Owner, UserAdmin, PlainUser, PartnerAdmin, PartnerUser, Impersonating}
)

// NotPages are the GET routes that render no HTML page of their own, and
// why. Everything else a GET route serves is a page (the REST API under
// /api/ aside), so a new page is visited without being listed here.
var NotPages = map[string]string{
	"/healthz":                           "machine endpoint (liveness)",
	"/readyz":                            "machine endpoint (readiness)",
	"/static/*":                          "static files",
	"/favicon.ico":                       "icon",
	"/account/audit.csv":                 "CSV download of the audit log",
	"/partner/customers.csv":             "CSV download of the partner's customers",
	"/account/users/import/template.csv": "CSV template of the user import (a download)",
	"/account/users/:id/roles":           "HTMX fragment (the role editor's row); without HTMX it redirects to the user's page",
	"/account/users/:id/row":             "HTMX fragment (a user's row); without HTMX it redirects to the Users tab",
}

// PublicPages need no session: they are shown signed out.
var PublicPages = map[string]bool{
	"/signin":                  true,
	"/activate":                true,
	"/password/forgot":         true,
	"/password/reset":          true,
	"/profile/email/confirm":   true,
	"/profile/email/confirmed": true,
	"/dev/mail":                true,
}

// PendingPages are reachable only half-way through a sign-in, by the
// viewer named.
var PendingPages = map[string]Viewer{
	"/signin/2fa/setup": Enrolling,
	"/signin/2fa":       SecondFactor,
}

// Page is one route and who looks at it.
type Page struct {
	Route   string // the echo path, e.g. /account/users/:id
	Viewers []Viewer
}

// HasParams reports whether the route has parameters: its URL is then
// found among the links of the pages visited before.
func (p Page) HasParams() bool { return strings.Contains(p.Route, ":") }

// Match reports whether the path (without query) is a URL of the route.
func (p Page) Match(path string) bool { return routePattern(p.Route).MatchString(path) }

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

// IsAPI reports whether the route belongs to the REST API (JSON, tokens).
func IsAPI(route string) bool { return strings.HasPrefix(route, "/api/") }

// Route is a registered route, as web.Server's Routes lists them (this
// package does not import web: nothing but cmd does).
type Route interface{ ~struct{ Method, Path string } }

// Pages returns every GET route of the server that renders an HTML page,
// sorted, with its viewers: the routes are the server's own (web.Server
// Routes), so that a page added to web/routes.go is not forgotten.
func Pages[R Route](routes []R) []Page {
	seen := map[string]bool{}
	var out []Page
	for _, rr := range routes {
		r := struct{ Method, Path string }(rr)
		if r.Method != http.MethodGet || seen[r.Path] || IsAPI(r.Path) || NotPages[r.Path] != "" {
			continue
		}
		seen[r.Path] = true
		p := Page{Route: r.Path, Viewers: SignedIn}
		if PublicPages[r.Path] {
			p.Viewers = []Viewer{Anonymous}
		} else if v, ok := PendingPages[r.Path]; ok {
			p.Viewers = []Viewer{v}
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b Page) int { return strings.Compare(a.Route, b.Route) })
	return out
}

// ByViewer groups the pages by viewer, in the order viewers first appear.
func ByViewer(todo []Page) ([]Viewer, map[string][]Page) {
	var order []Viewer
	by := map[string][]Page{}
	for _, pg := range todo {
		for _, v := range pg.Viewers {
			if _, ok := by[v.Name]; !ok {
				order = append(order, v)
			}
			by[v.Name] = append(by[v.Name], pg)
		}
	}
	return order, by
}

// Literal returns the routes without parameters: never a parameter's value
// (/account/users/new is not a user).
func Literal(todo []Page) map[string]bool {
	literal := map[string]bool{}
	for _, pg := range todo {
		if !pg.HasParams() {
			literal[pg.Route] = true
		}
	}
	return literal
}

// FirstLink returns the first link seen that is a URL of the route with
// parameters, leaving out the URLs of routes of their own (literal).
func FirstLink(links []string, pg Page, literal map[string]bool) string {
	for _, l := range links {
		path, _, _ := strings.Cut(l, "?")
		if !literal[path] && pg.Match(path) {
			return path
		}
	}
	return ""
}

// Visit opens target (path?query) as the page pg, does what the caller
// wants there and returns the same-origin links on it (CollectLinks).
// variant is "" or "link" for a public page opened at an emailed link.
type Visit func(pg Page, target, variant string) (links []string, err error)

// Walk visits a viewer's pages (todo, from ByViewer): first those without
// parameters, collecting the links on them, then the routes with
// parameters at the first matching link, again and again while new pages
// turn up; last, for a signed-out viewer, the public pages once more at
// the emailed links that open them with a token. literal is Literal of all
// pages; hints are links to try after those found on the pages (Arrange's).
// It returns the routes it found no link to.
func Walk(todo []Page, literal map[string]bool, signedOut bool, hints []string, visit Visit) (notFound map[string]bool, err error) {
	var links []string
	seenLink := map[string]bool{}
	do := func(pg Page, target, variant string) error {
		found, err := visit(pg, target, variant)
		if err != nil {
			return err
		}
		for _, l := range found {
			if !seenLink[l] {
				seenLink[l] = true
				links = append(links, l)
			}
		}
		return nil
	}
	var pending []Page
	for _, pg := range todo {
		if pg.HasParams() {
			pending = append(pending, pg)
			continue
		}
		if err := do(pg, pg.Route, ""); err != nil {
			return nil, err
		}
	}
	for progress := true; progress && len(pending) > 0; {
		progress = false
		var still []Page
		for _, pg := range pending {
			target := FirstLink(links, pg, literal)
			if target == "" {
				target = FirstLink(hints, pg, literal)
			}
			if target == "" {
				still = append(still, pg)
				continue
			}
			if err := do(pg, target, ""); err != nil {
				return nil, err
			}
			progress = true
		}
		pending = still
	}
	if signedOut {
		for _, pg := range todo {
			if pg.HasParams() {
				continue
			}
			for _, l := range links {
				if path, query, _ := strings.Cut(l, "?"); path == pg.Route && query != "" {
					if err := do(pg, l, "link"); err != nil {
						return nil, err
					}
					break
				}
			}
		}
	}
	notFound = map[string]bool{}
	for _, pg := range pending {
		notFound[pg.Route] = true
	}
	return notFound, nil
}

// CollectLinks is JavaScript that lists the same-origin targets of links,
// htmx GETs and form actions on the page, as path?query.
const CollectLinks = `Array.from(document.querySelectorAll('a[href],[hx-get],form[action]')).map(e => {
  const v = e.getAttribute('href') || e.getAttribute('hx-get') || e.getAttribute('action');
  try { const u = new URL(v, location.href); return u.origin === location.origin ? u.pathname + u.search : ''; }
  catch (_) { return ''; }
}).filter(Boolean)`
