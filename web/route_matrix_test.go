package web_test

// The route × identity matrix (issue 15): TestRouteIdentityMatrix takes
// every route the echo server has registered (web.Server.Routes, so a new
// route cannot escape: one without a line in matrixRoutes fails the test)
// and calls it as every identity of two partners and their customers,
// with the identity's own customer's IDs, a sibling customer's, the other
// partner's customer's and IDs that name nothing. What each identity gets
// is declared once, as the route's access class (matrixClasses).
//
// Snapshots. Every state-changing call the matrix sends (every one but the
// allowed ones, which the areas' own tests cover) sits between two
// snapshots of the whole database: every row of every table, read on a
// separate connection. When SQLite's data_version says nothing was
// committed, nothing changed; otherwise the rows are compared. One thing
// is left out, on purpose: the flash messages in the caller's own session
// (a refusal may leave "That session had already ended." for their next
// page), which are the caller's screen and no account's state. Two things
// the product writes once on first use are done before the first snapshot
// instead of being left out: a token's last_used_at (written at most once
// a minute; the clock stands still) and the key that encrypts TOTP
// secrets. The product audits no refused attempt and keeps no throttle
// for these calls (sign-in and forgot-password are open routes, allowed
// and not sent), so nothing else needs leaving out. All the reads together
// are checked the same way: no GET changes anything.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/internal/testdb"
	"github.com/tenantdesk/tenantdesk/web"
)

// ---- the world: two partners, each with two customers ----

// matrixSide is one partner and its customers, built the same way for
// both sides so that every identity has another side's real IDs to try.
//
//   - the partner: padmin (its Owner, partner.admin), puser (partner.user),
//     pimp (partner.user with a live grant at c1, no expiry, both modes),
//     pexp (partner.user whose grant at c1 has expired);
//   - c1, a customer that granted access (so the legacy rule is over):
//     owner, uadmin (user.admin + customer.user), plain (customer.user),
//     devro (customer.user + customer.device.readonly), victim (the user
//     the user routes name: customer.user, uc, uc.softphone, holding the
//     softphone); a deskphone and a softphone; a pending request;
//   - c2, a customer that never granted one (the partner.admin still has
//     legacy access): owner, victim, a deskphone, a pending request.
type matrixSide struct {
	name             string
	partner, c1, c2  *tenantdesk.Account
	users            map[string]*tenantdesk.User // by role in the world: "padmin", "c1.owner", "c2.victim"…
	desk1, soft1     *tenantdesk.Device
	desk2            *tenantdesk.Device
	pending1         *tenantdesk.AccessRequest // at c1
	pending2         *tenantdesk.AccessRequest // at c2
	granted, expired *tenantdesk.AccessRequest // at c1
	ownerToken       int64                     // c1's Owner's full token (the "own" target of token routes)
	c2OwnerToken     int64
	ownerSession     string // handle of c1's Owner's session (the owner identity's)
	c2OwnerSession   string
	tokens           map[string]string // identity kind -> secret
}

const matrixPassword = "matrix-password-1"

func buildMatrixSide(t *testing.T, app *testApp, name string) *matrixSide {
	t.Helper()
	ctx := tenantdesk.OperatorContext(context.Background())
	ops := app.ops()
	s := &matrixSide{name: name, users: map[string]*tenantdesk.User{}, tokens: map[string]string{}}
	mail := func(who string) string { return who + "@" + name + ".matrix.example" }
	activate := func(key string, u *tenantdesk.User) {
		if err := ops.SetPassword(ctx, u.ID, matrixPassword); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		app.Password[u.Email] = matrixPassword
		s.users[key] = u
	}
	partner, padmin, err := ops.CreatePartner(ctx, tenantdesk.CreatePartnerInput{
		Name: "Partner " + strings.ToUpper(name), OwnerName: "Padmin " + name, OwnerEmail: mail("padmin")})
	if err != nil {
		t.Fatal(err)
	}
	s.partner = partner
	activate("padmin", padmin)
	add := func(key string, acc *tenantdesk.Account, roles ...string) *tenantdesk.User {
		u := &tenantdesk.User{AccountID: acc.ID, DisplayName: strings.ReplaceAll(key, ".", " ") + " " + name, Email: mail(strings.ReplaceAll(key, ".", "-")), Roles: roles}
		if err := ops.CreateUser(ctx, u); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		activate(key, u)
		return u
	}
	for _, k := range []string{"puser", "pimp", "pexp"} {
		add(k, partner, tenantdesk.RolePartnerUser)
	}
	customer := func(key string) *tenantdesk.Account {
		acc := &tenantdesk.Account{ParentID: partner.ID, Name: "Customer " + key + " of " + name, Reference: "M-" + name + "-" + key}
		owner := &tenantdesk.User{DisplayName: key + " owner " + name, Email: mail(key + "-owner")}
		if err := ops.CreateCustomer(ctx, acc, owner); err != nil {
			t.Fatal(err)
		}
		activate(key+".owner", owner)
		return acc
	}
	s.c1, s.c2 = customer("c1"), customer("c2")
	add("c1.uadmin", s.c1, tenantdesk.RoleUserAdmin, tenantdesk.RoleCustomerUser)
	add("c1.plain", s.c1, tenantdesk.RoleCustomerUser)
	add("c1.devro", s.c1, tenantdesk.RoleCustomerUser, tenantdesk.RoleDeviceReadonly)
	victimRoles := []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleUC, tenantdesk.RoleSoftphone}
	add("c1.victim", s.c1, victimRoles...)
	add("c2.victim", s.c2, victimRoles...)

	device := func(acc *tenantdesk.Account, kind, ext string) *tenantdesk.Device {
		in := tenantdesk.DeviceInput{Name: name + " " + kind + " " + ext, Kind: kind, Extension: ext}
		if kind == tenantdesk.DeviceDeskphone {
			in.MacAddress = fmt.Sprintf("00:04:f2:%02x:00:%s", len(name)+int(name[0]), ext[1:])
		}
		d, err := app.Svc.Devices.CreateDevice(ctx, acc.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	s.desk1, s.soft1 = device(s.c1, tenantdesk.DeviceDeskphone, "101"), device(s.c1, tenantdesk.DeviceSoftphone, "201")
	s.desk2 = device(s.c2, tenantdesk.DeviceDeskphone, "102")
	if _, err := app.Svc.Devices.SetUserSoftphones(ctx, s.c1.ID, s.users["c1.victim"].ID, []int64{s.soft1.ID}); err != nil {
		t.Fatal(err)
	}

	// Access requests, asked by padmin, answered by the customers' Owners.
	ask := func(reqName string, acc *tenantdesk.Account, who string) *tenantdesk.AccessRequest {
		rs, err := app.Svc.Access.CreateAccessRequests(app.as(padmin.Email), tenantdesk.NewAccessRequest{Name: reqName,
			Associations: []tenantdesk.AccessAssociation{{UserIDs: []int64{s.users[who].ID}, AccountIDs: []int64{acc.ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		return rs[0]
	}
	grant := func(r *tenantdesk.AccessRequest, owner string, until *time.Time) *tenantdesk.AccessRequest {
		g, err := app.Svc.Access.Grant(app.as(s.users[owner].Email), r.ID, tenantdesk.AccessAnswer{ExpiresAt: until})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	soon := app.Clock.Now().Add(time.Hour) // passed by the time the matrix runs (runRouteMatrix advances the clock)
	s.granted = grant(ask("Granted", s.c1, "pimp"), "c1.owner", nil)
	s.expired = grant(ask("Expired", s.c1, "pexp"), "c1.owner", &soon)
	s.pending1 = ask("Pending1", s.c1, "puser")
	s.pending2 = ask("Pending2", s.c2, "puser")

	token := func(kind, who string, ro bool) int64 {
		tok, secret, err := app.Svc.Tokens.CreateToken(ctx, s.users[who].ID, tenantdesk.NewAPIToken{Name: kind, ReadOnly: ro})
		if err != nil {
			t.Fatalf("token %s: %v", kind, err)
		}
		s.tokens[kind] = secret
		return tok.ID
	}
	s.ownerToken = token("tok-owner", "c1.owner", false)
	token("tok-owner-ro", "c1.owner", true)
	token("tok-padmin", "padmin", false)
	token("tok-grant", "pimp", false)
	token("tok-expired", "pexp", false)
	s.c2OwnerToken = token("c2-owner", "c2.owner", false)
	return s
}

// ---- identities ----

// matrixIdentity is who calls: a browser session (with its CSRF token),
// an API token, or nobody.
type matrixIdentity struct {
	name  string // "a.owner"
	kind  string // "owner", "tok-owner-ro", "anon"…
	side  *matrixSide
	other *matrixSide
	http  *http.Client
	csrf  string
	token string
}

// Identity kinds, in the order the report prints them.
var matrixKinds = []string{
	"anon",
	"owner", "uadmin", "plain", "devro", // c1's people
	"padmin", "puser", // the partner's staff
	"imp-support", "imp-configure", // pimp, impersonating c1 in each mode
	"expired",                                 // pexp, signed in, whose grant at c1 expired
	"tok-owner", "tok-owner-ro", "tok-padmin", // API tokens
	"tok-grant", "tok-expired",
}

func isTokenKind(kind string) bool { return strings.HasPrefix(kind, "tok-") }

// newMatrixClient is a cookie-keeping client that does not follow redirects.
func newMatrixClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// sessionIdentity signs in as email and returns the client with its CSRF
// token (read from the home page's forms).
func sessionIdentity(t *testing.T, app *testApp, email string) (*http.Client, string) {
	t.Helper()
	c := app.client()
	c.mustSignIn(email)
	c.get("/")
	if c.csrf == "" {
		t.Fatalf("%s: no CSRF token on the home page", email)
	}
	return c.http, c.csrf
}

func sessionHandle(t *testing.T, app *testApp, u *tenantdesk.User) string {
	t.Helper()
	conn, err := sqlstore.OpenRaw(app.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var h string
	if err := conn.QueryRow(`SELECT handle FROM sessions WHERE user_id = ? ORDER BY created_at LIMIT 1`, u.ID).Scan(&h); err != nil {
		t.Fatalf("session handle of %s: %v", u.Email, err)
	}
	return h
}

func buildIdentities(t *testing.T, app *testApp, s, other *matrixSide) []*matrixIdentity {
	t.Helper()
	var out []*matrixIdentity
	for _, kind := range matrixKinds[1:] {
		id := &matrixIdentity{name: s.name + "." + kind, kind: kind, side: s, other: other}
		switch kind {
		case "owner", "uadmin", "plain", "devro":
			id.http, id.csrf = sessionIdentity(t, app, s.users["c1."+kind].Email)
		case "padmin", "puser":
			id.http, id.csrf = sessionIdentity(t, app, s.users[kind].Email)
		case "expired":
			id.http, id.csrf = sessionIdentity(t, app, s.users["pexp"].Email)
		case "imp-support", "imp-configure":
			id.http, id.csrf = sessionIdentity(t, app, s.users["pimp"].Email)
			mode := strings.TrimPrefix(kind, "imp-")
			res := matrixDo(t, app, id, http.MethodPost, "/impersonate/"+s.c1.TenantID+"/"+mode, "")
			if res.status != http.StatusSeeOther {
				t.Fatalf("%s: impersonation: %d %s", id.name, res.status, res.body)
			}
		default:
			id.token = s.tokens[kind]
			if id.token == "" {
				t.Fatalf("no token for %s", kind)
			}
			// The first use of a token records it (api_tokens.last_used_at,
			// at most once a minute): done here, so that the matrix's
			// snapshots see only what the calls under test do.
			if res := matrixDo(t, app, id, http.MethodGet, "/api/v1/me", ""); res.status != http.StatusOK {
				t.Fatalf("%s: GET /api/v1/me: %d %s", id.name, res.status, res.body)
			}
		}
		out = append(out, id)
	}
	s.ownerSession = sessionHandle(t, app, s.users["c1.owner"])
	return out
}

type matrixResponse struct {
	status   int
	location string
	body     string
}

// matrixDo sends one request as id: the session's cookie and CSRF token
// (header X-CSRF-Token, as HTMX sends it) or the bearer token; a JSON
// body for the API, an empty form for pages.
func matrixDo(t testing.TB, app *testApp, id *matrixIdentity, method, path, body string) matrixResponse {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, app.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	api := strings.HasPrefix(path, "/api/")
	if method != http.MethodGet && method != http.MethodHead {
		if api {
			req.Header.Set("Content-Type", "application/json")
		} else {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if id.csrf != "" {
		req.Header.Set("X-CSRF-Token", id.csrf)
	}
	if id.token != "" {
		req.Header.Set("Authorization", "Bearer "+id.token)
	}
	hc := id.http
	if hc == nil {
		hc = newMatrixClient()
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return matrixResponse{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
}

// ---- targets: whose IDs go into the path ----

// Targets of a route with object parameters: the identity's own customer
// (c1 of its side), the sibling customer of the same partner (c2), the
// other partner's c1 (foreign: another tenant's real IDs), and IDs of the
// right shape that name nothing (ghost). A route without parameters has
// the one target "-".
var matrixTargets = []string{"own", "sibling", "foreign", "ghost"}

func (s *matrixSide) objects(target string) (acc *tenantdesk.Account, user *tenantdesk.User, dev *tenantdesk.Device, req *tenantdesk.AccessRequest, token int64, handle string) {
	if target == "own" {
		return s.c1, s.users["c1.victim"], s.desk1, s.pending1, s.ownerToken, s.ownerSession
	}
	return s.c2, s.users["c2.victim"], s.desk2, s.pending2, s.c2OwnerToken, s.c2OwnerSession
}

// fillPath puts the target's IDs into the route's parameters; ok is false
// for a parameter the matrix does not know (the test then fails: a new
// kind of parameter needs its targets here).
func fillPath(route string, id *matrixIdentity, target string) (string, bool) {
	side := id.side
	if target == "foreign" {
		side = id.other
	}
	if side == nil { // anonymous: side A's objects are "own"
		side = matrixWorld.a
		if target == "foreign" {
			side = matrixWorld.b
		}
	}
	t := target
	if t == "foreign" {
		t = "own"
	}
	acc, user, dev, req, token, handle := side.objects(t)
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") && p != "*" {
			continue
		}
		var v string
		switch p {
		case ":tenantId":
			v = acc.TenantID
		case ":userId":
			v = tenantdesk.FormatUserID(user.ID)
		case ":deviceId":
			v = tenantdesk.FormatDeviceID(dev.ID)
		case ":requestId":
			v = tenantdesk.FormatAccessRequestID(req.ID)
		case ":handle":
			v = handle
		case ":mode":
			v = "support"
		case "*":
			v = "css/app.css"
		case ":id":
			switch {
			case strings.HasPrefix(route, "/account/users/"):
				v = tenantdesk.FormatUserID(user.ID)
			case strings.HasPrefix(route, "/account/devices/"):
				v = tenantdesk.FormatDeviceID(dev.ID)
			case strings.HasPrefix(route, "/account/access-requests/"), strings.HasPrefix(route, "/partner/access-requests/"):
				v = tenantdesk.FormatAccessRequestID(req.ID)
			case strings.HasPrefix(route, "/profile/tokens/"):
				v = tenantdesk.FormatAPITokenID(token)
			default:
				return "", false
			}
		default:
			return "", false
		}
		if target == "ghost" {
			v = ghostID(p, v)
		}
		parts[i] = v
	}
	return strings.Join(parts, "/"), true
}

// ghostID is an ID of the same shape as real that names nothing.
func ghostID(param, real string) string {
	switch {
	case param == ":mode" || param == "*":
		return real
	case param == ":tenantId":
		return real[:2] + strings.Repeat("q", len(real)-2)
	case param == ":handle":
		return strings.Repeat("0", len(real))
	}
	// Public IDs: a prefix and 13 base-32 characters; a key no row has.
	const key = 987654321
	switch real[:2] {
	case tenantdesk.FormatUserID(1)[:2]:
		return tenantdesk.FormatUserID(key)
	case tenantdesk.FormatDeviceID(1)[:2]:
		return tenantdesk.FormatDeviceID(key)
	case tenantdesk.FormatAccessRequestID(1)[:2]:
		return tenantdesk.FormatAccessRequestID(key)
	case tenantdesk.FormatAPITokenID(1)[:2]:
		return tenantdesk.FormatAPITokenID(key)
	}
	return "x" + real
}

func hasParams(route string) bool {
	for _, p := range strings.Split(route, "/") {
		if strings.HasPrefix(p, ":") && p != ":mode" {
			return true
		}
	}
	return false
}

// ---- the table: every route's access class ----

// Codes of the table, one per identity and target:
//
//	A  allowed: a GET answers 200; a state-changing call is not sent (the
//	   area's own tests cover what it does), the matrix proves refusals
//	F  403            N  404           C  409 (refused by the object's state)
//	U  401            B  400           E  204
//	K  200 that refuses: the form again with the reason (sent, and must
//	   change nothing, like every code but A)
//	R  303 elsewhere than sign-in (a refusal or a no-op that redirects)
//	S  303 to the sign-in page
//
// A class gives, per identity kind, one code (the same for every target:
// a refusal that does not depend on the ID, so it tells nothing about the
// object either), two (own customer, sibling customer; another partner's
// objects and IDs that name nothing are then 404), or four (own, sibling,
// foreign, ghost). Kinds a class does not list follow the route's kind:
// on pages, no session (anon and every API token) is sent to sign in; on
// the API, no token (anon and every session) is 401.
//
// "page" classes list owner uadmin plain devro padmin puser imp-support
// imp-configure expired; "api" classes list tok-owner tok-owner-ro
// tok-padmin tok-grant tok-expired; "public" classes give one code for
// every identity, then exceptions as kind=code ("session" for every
// signed-in kind).
var matrixClasses = map[string]string{
	// Machine endpoints, the API document, assets.
	"public":         "public A",
	"public 204":     "public E",
	"public ftp":     "public U", // the FTP server's shared secret, which no identity holds
	"public signin":  "public A session=R",
	"public link":    "public N", // an emailed link's token is needed; without it, nothing
	"public write":   "public A", // sign-in, forgot password: open to all, not sent
	"pending 2fa":    "public S", // only a half-done sign-in may go on; everyone else is sent back
	"signout":        "public S session=A",
	"end imp":        "page R R R R R R A A R",
	"signed-in":      "page A A A A A A A A A",
	"signout others": "page R R R R R R A A R", // one session: nothing to confirm, back to Sessions (pimp has two)
	"my tokens":      "page A K K K A A F F A", // customer users need onboarding.admin (SPEC §2): the tab says so
	"my token":       "page AN NN NN NN NN NN NN NN NN",
	// Ending a session that is not one's own answers as for one that has
	// ended (a flash, back to Sessions), whatever the handle.
	"my session": "page ARRR R R R R R R R R",
	// Its confirmation (which asks for the password): the owner's "own"
	// handle is the session in use, which has no confirmation (the top
	// bar's Sign out is one click): back to Sessions, like any other handle.
	"my session confirm": "page R R R R R R R R R",

	// About account.
	"users admin":      "page A A F F A F A F F",
	"users import":     "page A A F F N F A F F",
	"user object":      "page AN AN F F N F AN F F",
	"user object htmx": "page RN RN F F N F RN F F", // a fragment: a full page load is redirected to the user
	"user softphones":  "page AN AN F F F F AN AN F",
	"devices read":     "page A F F A F F F A F",
	"devices admin":    "page A F F F F F F A F",
	"device read":      "page AN F F AN F F F AN F",
	"device admin":     "page AN F F FN F F F AN F",
	"security":         "page A F F F A F F F F",
	"settings read":    "page A A A A N N A A N",
	"settings write":   "page A F F F N N F A N",
	"incoming":         "page A A F F F F F F F",
	"incoming object":  "page AN AN F F F F F F F",
	"incoming revoke":  "page CN CN F F F F F F F", // the request is pending: nothing to revoke
	"incoming confirm": "page RN RN F F F F F F F",

	// Partnerdesk.
	"partner staff":       "page F F F F A A F F A",
	"partner admin":       "page F F F F A F F F F",
	"partner request":     "page F F F F AA F F F F",
	"customer page":       "page N N N N AA AA FF FF AA", // Partnerdesk is closed while impersonating
	"customer admin":      "page N N N N AA FF FF FF FF",
	"customer enable":     "page N N N N RR FF FF FF FF", // the customer is not disabled: back to its page
	"customer legacy":     "page N N N N FA FF FF FF FF", // c1 granted a request: its partner.admin lost legacy access
	"customer settings":   "page N N N N AA AA N N AA",
	"customer settings w": "page N N N N FA FF N N FF",
	// A customer's people: 403 at their own account, 404 anywhere else
	// (fixed here: it was 403 for every existing tenant). padmin: c1
	// granted someone else (409 no grant), c2 still legacy. Nested
	// impersonation: 403 before any lookup.
	"impersonate": "page FN FN FN FN CA CC F F CC",

	// REST API.
	"api me":              "api A A A A A",
	"api partner list":    "api F F A A A",
	"api partner write":   "api F F A F F",
	"api customer":        "api AN AN AA AA AA",
	"api customer write":  "api FN F AA FF FF", // the partner's only; a read-only token is refused before any lookup
	"api users read":      "api AN AN FA AF FF",
	"api users write":     "api AN F FA AF FF", // padmin: legacy at c2 only; tok-grant: its live grant at c1 only
	"api requests":        "api A A A A A",
	"api request":         "api AN AN AA N N",
	"api request answer":  "api AN F FF N N",
	"api request revoke":  "api CN F FF N N",
	"api request partner": "api FN F AA N N",
	"api request expiry":  "api CN F AA N N", // the customer may change a granted request's expiry; this one is pending
}

// matrixRoutes: every route's class, and the body its state-changing
// calls send (valid input, so that a refusal is not hidden behind a 400).
var matrixRoutes = map[string]string{
	"GET /healthz":                 "public",
	"GET /readyz":                  "public",
	"GET /static/*":                "public",
	"GET /favicon.ico":             "public 204",
	"GET /api/v1/openapi.json":     "public",
	"POST /api/v1/ftp/auth":        "public ftp",
	"GET /dev/mail":                "public",
	"GET /signin":                  "public signin",
	"POST /signin":                 "public write",
	"POST /signout":                "signout",
	"GET /signin/2fa":              "pending 2fa",
	"POST /signin/2fa":             "pending 2fa",
	"GET /signin/2fa/setup":        "pending 2fa",
	"POST /signin/2fa/setup":       "pending 2fa",
	"POST /signin/2fa/setup/new":   "pending 2fa",
	"GET /activate":                "public link",
	"POST /activate":               "public link",
	"POST /activate/resend":        "public link",
	"GET /password/forgot":         "public",
	"POST /password/forgot":        "public write",
	"GET /password/reset":          "public link",
	"POST /password/reset":         "public link",
	"POST /password/reset/resend":  "public link",
	"GET /profile/email/confirm":   "public link",
	"POST /profile/email/confirm":  "public link",
	"GET /profile/email/confirmed": "public",

	"GET /":                             "signed-in",
	"GET /impersonate/:tenantId/:mode":  "impersonate",
	"POST /impersonate/:tenantId/:mode": "impersonate",
	"POST /impersonation/end":           "end imp",
	"GET /switch":                       "partner staff",
	"GET /profile/zone":                 "partner staff",

	"GET /account":                             "signed-in",
	"GET /account/users":                       "users admin",
	"GET /account/users/new":                   "users admin",
	"POST /account/users":                      "users admin",
	"GET /account/users/:id":                   "user object",
	"POST /account/users/:id":                  "user object",
	"GET /account/users/:id/disable":           "user object",
	"POST /account/users/:id/disable":          "user object",
	"POST /account/users/:id/enable":           "user object",
	"GET /account/users/:id/signout":           "user object",
	"POST /account/users/:id/signout":          "user object",
	"GET /account/users/:id/delete":            "user object",
	"POST /account/users/:id/delete":           "user object",
	"POST /account/users/:id/activation-email": "user object",
	"GET /account/users/:id/roles":             "user object htmx",
	"POST /account/users/:id/roles":            "user object",
	"GET /account/users/:id/row":               "user object htmx",
	"GET /account/users/:id/softphones":        "user softphones",
	"POST /account/users/:id/softphones":       "user softphones",
	"GET /account/users/import":                "users import",
	"POST /account/users/import":               "users import",
	"POST /account/users/import/preview":       "users import",
	"GET /account/users/import/template.csv":   "signed-in",
	"GET /account/devices":                     "devices read",
	"GET /account/devices/new":                 "devices admin",
	"POST /account/devices":                    "devices admin",
	"GET /account/devices/:id":                 "device read",
	"POST /account/devices/:id":                "device admin",
	"POST /account/devices/:id/assignment":     "device admin",
	"GET /account/devices/:id/delete":          "device admin",
	"POST /account/devices/:id/delete":         "device admin",
	"GET /account/licenses":                    "users admin",
	"GET /account/audit":                       "users admin",
	"GET /account/audit.csv":                   "users admin",
	"GET /account/security":                    "signed-in",
	"POST /account/security":                   "security",
	"GET /account/settings":                    "settings read",
	"POST /account/settings":                   "settings write",
	"GET /account/access-requests":             "incoming",
	"GET /account/access-requests/:id":         "incoming object",
	"POST /account/access-requests/:id/grant":  "incoming object",
	"POST /account/access-requests/:id/deny":   "incoming object",
	"POST /account/access-requests/:id/expiry": "incoming object",
	"GET /account/access-requests/:id/revoke":  "incoming confirm",
	"POST /account/access-requests/:id/revoke": "incoming revoke",

	"GET /partner/access-requests":                        "partner admin",
	"GET /partner/access-requests/new":                    "partner admin",
	"POST /partner/access-requests":                       "partner admin",
	"GET /partner/access-requests/:id":                    "partner request",
	"POST /partner/access-requests/:id/expiry":            "partner request",
	"GET /partner/access-requests/:id/withdraw":           "partner request",
	"POST /partner/access-requests/:id/withdraw":          "partner request",
	"GET /partner/customers":                              "partner staff",
	"GET /partner/customers.csv":                          "partner staff",
	"GET /partner/customers/new":                          "partner admin",
	"POST /partner/customers/new":                         "partner admin",
	"GET /partner/customers/:tenantId":                    "customer page",
	"GET /partner/customers/:tenantId/disable":            "customer admin",
	"POST /partner/customers/:tenantId/disable":           "customer admin",
	"GET /partner/customers/:tenantId/enable":             "customer enable",
	"POST /partner/customers/:tenantId/enable":            "customer enable",
	"POST /partner/customers/:tenantId/activation-emails": "customer legacy",
	"GET /partner/customers/:tenantId/general":            "customer admin",
	"POST /partner/customers/:tenantId/general":           "customer admin",
	"GET /partner/customers/:tenantId/settings":           "customer settings",
	"POST /partner/customers/:tenantId/settings":          "customer settings w",

	"GET /profile":                           "signed-in",
	"POST /profile":                          "signed-in",
	"POST /profile/email":                    "signed-in",
	"GET /profile/rights":                    "signed-in",
	"GET /profile/preferences":               "signed-in",
	"POST /profile/preferences":              "signed-in",
	"GET /profile/password":                  "signed-in",
	"POST /profile/password":                 "signed-in",
	"GET /profile/ftp":                       "signed-in",
	"POST /profile/ftp":                      "signed-in",
	"GET /profile/2fa":                       "signed-in",
	"POST /profile/2fa/setup":                "signed-in",
	"POST /profile/2fa/cancel":               "signed-in",
	"POST /profile/2fa/confirm":              "signed-in",
	"POST /profile/2fa/recovery-codes":       "signed-in",
	"POST /profile/2fa/disable":              "signed-in",
	"GET /profile/sessions":                  "signed-in",
	"GET /profile/sessions/:handle/signout":  "my session confirm",
	"POST /profile/sessions/:handle/signout": "my session",
	"GET /profile/sessions/signout-others":   "signout others",
	"POST /profile/sessions/signout-others":  "signed-in",
	"GET /profile/tokens":                    "signed-in",
	"POST /profile/tokens":                   "my tokens",
	"GET /profile/tokens/:id/regenerate":     "my token",
	"POST /profile/tokens/:id/regenerate":    "my token",
	"GET /profile/tokens/:id/revoke":         "my token",
	"POST /profile/tokens/:id/revoke":        "my token",
	"GET /api-docs":                          "signed-in",

	"GET /api/v1/me":                                                  "api me",
	"GET /api/v1/customers":                                           "api partner list",
	"POST /api/v1/customers":                                          "api partner write",
	"GET /api/v1/customers/:tenantId":                                 "api customer",
	"PATCH /api/v1/customers/:tenantId":                               "api customer write",
	"GET /api/v1/customers/:tenantId/users":                           "api users read",
	"POST /api/v1/customers/:tenantId/users":                          "api users write",
	"GET /api/v1/customers/:tenantId/users/:userId":                   "api users read",
	"PATCH /api/v1/customers/:tenantId/users/:userId":                 "api users write",
	"DELETE /api/v1/customers/:tenantId/users/:userId":                "api users write",
	"POST /api/v1/customers/:tenantId/users/:userId/activation-email": "api users write",
	"POST /api/v1/customers/:tenantId/users/:userId/uc-welcome-email": "api users write",
	"PUT /api/v1/customers/:tenantId/users/:userId/devices":           "api users write",
	"POST /api/v1/customers/:tenantId/user-imports":                   "api users write",
	"GET /api/v1/customers/:tenantId/devices":                         "api users read",
	"POST /api/v1/customers/:tenantId/devices":                        "api users write",
	"GET /api/v1/customers/:tenantId/devices/:deviceId":               "api users read",
	"PATCH /api/v1/customers/:tenantId/devices/:deviceId":             "api users write",
	"DELETE /api/v1/customers/:tenantId/devices/:deviceId":            "api users write",
	"GET /api/v1/access-requests":                                     "api requests",
	"POST /api/v1/access-requests":                                    "api partner write",
	"GET /api/v1/access-requests/:requestId":                          "api request",
	"PATCH /api/v1/access-requests/:requestId":                        "api request expiry",
	"POST /api/v1/access-requests/:requestId/withdraw":                "api request partner",
	"POST /api/v1/access-requests/:requestId/grant":                   "api request answer",
	"POST /api/v1/access-requests/:requestId/deny":                    "api request answer",
	"POST /api/v1/access-requests/:requestId/revoke":                  "api request revoke",
}

// matrixBodies are the bodies of state-changing calls: valid input, so
// that what answers is the authorization, not the validation. Pages not
// listed send an empty form.
var matrixBodies = map[string]string{
	"POST /api/v1/customers":                                `{"name":"Matrix Customer"}`,
	"PATCH /api/v1/customers/:tenantId":                     `{"description":"changed by the matrix"}`,
	"POST /api/v1/customers/:tenantId/users":                `{"displayName":"Matrix New","email":"matrix.new@matrix.example"}`,
	"PATCH /api/v1/customers/:tenantId/users/:userId":       `{"displayName":"Matrix Renamed"}`,
	"PUT /api/v1/customers/:tenantId/users/:userId/devices": `{"softphones":[]}`,
	"POST /api/v1/customers/:tenantId/user-imports":         `{"rows":[{"displayName":"Matrix Import","email":"matrix.import@matrix.example"}]}`,
	"POST /api/v1/customers/:tenantId/devices":              `{"name":"Matrix phone","kind":"softphone","extension":"777"}`,
	"PATCH /api/v1/customers/:tenantId/devices/:deviceId":   `{"name":"Matrix renamed phone"}`,
	"POST /api/v1/access-requests":                          `{"name":"Matrix","associations":[{"userIds":[],"customerIds":[]}]}`,
	"PATCH /api/v1/access-requests/:requestId":              `{"expiresAt":null}`,
	"POST /api/v1/access-requests/:requestId/grant":         `{}`,
	"POST /api/v1/access-requests/:requestId/deny":          `{}`,
	"POST /api/v1/access-requests/:requestId/revoke":        `{}`,
	"POST /api/v1/access-requests/:requestId/withdraw":      `{}`,
	"POST /api/v1/ftp/auth":                                 `{"username":"x","password":"y"}`,
	"POST /profile/tokens":                                  "name=matrix",
}

var (
	pageKinds = []string{"owner", "uadmin", "plain", "devro", "padmin", "puser", "imp-support", "imp-configure", "expired"}
	apiKinds  = []string{"tok-owner", "tok-owner-ro", "tok-padmin", "tok-grant", "tok-expired"}
)

// matrixClass is a parsed class: per kind, the codes for the four targets.
type matrixClass struct {
	kind  string // page, api, public
	codes map[string]string
}

func parseMatrixClass(name, spec string) (*matrixClass, error) {
	f := strings.Fields(spec)
	c := &matrixClass{kind: f[0], codes: map[string]string{}}
	widen := func(code string) (string, error) {
		switch len(code) {
		case 1:
			return strings.Repeat(code, 4), nil
		case 2:
			return code + "NN", nil
		case 4:
			return code, nil
		}
		return "", fmt.Errorf("class %q: code %q", name, code)
	}
	var kinds []string
	switch c.kind {
	case "page":
		kinds = pageKinds
	case "api":
		kinds = apiKinds
	case "public":
		all, err := widen(f[1])
		if err != nil {
			return nil, err
		}
		for _, k := range matrixKinds {
			c.codes[k] = all
		}
		for _, o := range f[2:] {
			k, v, _ := strings.Cut(o, "=")
			w, err := widen(v)
			if err != nil {
				return nil, err
			}
			for _, kk := range matrixKinds {
				if kk == k || (k == "session" && kk != "anon" && !isTokenKind(kk)) {
					c.codes[kk] = w
				}
			}
		}
		return c, nil
	default:
		return nil, fmt.Errorf("class %q: kind %q", name, c.kind)
	}
	if len(f)-1 != len(kinds) {
		return nil, fmt.Errorf("class %q: %d codes for %d kinds", name, len(f)-1, len(kinds))
	}
	for _, k := range matrixKinds {
		switch {
		case c.kind == "page" && (k == "anon" || isTokenKind(k)):
			c.codes[k] = "SSSS"
		case c.kind == "api" && !isTokenKind(k):
			c.codes[k] = "UUUU"
		}
	}
	for i, k := range kinds {
		w, err := widen(f[i+1])
		if err != nil {
			return nil, err
		}
		c.codes[k] = w
	}
	return c, nil
}

// ---- database snapshots ----

// matrixSnapshotter reads every table of the database in a fixed order. The
// sessions' data is compared decoded (gob writes a map in random order,
// so the same values may be stored as other bytes).
type matrixSnapshotter struct {
	t      *testing.T
	db     *sql.DB
	conn   *sql.Conn // pinned: PRAGMA data_version is per connection
	tables []string
	last   map[string][]string
	ver    string
}

func newMatrixSnapshotter(t *testing.T, app *testApp) *matrixSnapshotter {
	t.Helper()
	db := app.readConn()
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &matrixSnapshotter{t: t, db: db, conn: conn}
	// Not SQLite's virtual tables (the users search index cannot be
	// scanned): their shadow tables hold what they store, and are read.
	tablesQuery := `SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`
	if testdb.Postgres() {
		tablesQuery = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := conn.QueryContext(context.Background(), tablesQuery)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		s.tables = append(s.tables, n)
	}
	rows.Close()
	if len(s.tables) < 20 {
		t.Fatalf("only %d tables: %v", len(s.tables), s.tables)
	}
	s.refresh()
	return s
}

// version changes whenever something may have been committed: SQLite's
// data_version; on PostgreSQL the WAL position, which every commit moves
// (so do other databases' commits on the server: then the tables are
// compared for nothing, never the other way round).
func (s *matrixSnapshotter) version() string {
	q := `PRAGMA data_version`
	if testdb.Postgres() {
		q = `SELECT pg_current_wal_insert_lsn()::text`
	}
	var v string
	if err := s.conn.QueryRowContext(context.Background(), q).Scan(&v); err != nil {
		s.t.Fatal(err)
	}
	return v
}

// dump reads every row of every table.
func (s *matrixSnapshotter) dump() map[string][]string {
	out := map[string][]string{}
	ctx := context.Background()
	for _, tb := range s.tables {
		rows, err := s.conn.QueryContext(ctx, `SELECT * FROM "`+tb+`"`)
		if err != nil {
			s.t.Fatalf("%s: %v", tb, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				s.t.Fatal(err)
			}
			var sb strings.Builder
			for i, v := range vals {
				if tb == "sessions" && cols[i] == "data" { // without its flash messages (see decodeSessionData)
					v = decodeSessionData(v)
				}
				if b, ok := v.([]byte); ok {
					v = fmt.Sprintf("%x", b)
				}
				fmt.Fprintf(&sb, "%s=%v ", cols[i], v)
			}
			lines = append(lines, sb.String())
		}
		rows.Close()
		sort.Strings(lines)
		out[tb] = lines
	}
	return out
}

// refresh takes a new "before" snapshot when anything was committed since
// the last one.
func (s *matrixSnapshotter) refresh() {
	if v := s.version(); s.last == nil || v != s.ver {
		s.last, s.ver = s.dump(), v
	}
}

// changed reports what changed since the last snapshot ("" for nothing).
// Nothing committed (data_version unchanged) is nothing changed; otherwise
// every row of every table is compared.
func (s *matrixSnapshotter) changed() string {
	v := s.version()
	if v == s.ver {
		return ""
	}
	now := s.dump()
	var diffs []string
	for _, tb := range s.tables {
		before, after := strings.Join(s.last[tb], "\n"), strings.Join(now[tb], "\n")
		if before != after {
			diffs = append(diffs, fmt.Sprintf("table %s:\n  before: %s\n  after:  %s", tb, lineDiff(s.last[tb], now[tb]), lineDiff(now[tb], s.last[tb])))
		}
	}
	s.last, s.ver = now, v
	return strings.Join(diffs, "\n")
}

// lineDiff lists the lines of a that b lacks.
func lineDiff(a, b []string) string {
	in := map[string]bool{}
	for _, l := range b {
		in[l] = true
	}
	var out []string
	for _, l := range a {
		if !in[l] {
			out = append(out, l)
		}
	}
	return strings.Join(out, " | ")
}

// decodeSessionData renders a session's gob-encoded values in key order,
// leaving out the flash messages ("_flash"): a refused call may leave the
// caller a message to read on their next page ("That session had already
// ended."), which is the caller's own screen, not state of any account.
// Everything else a session holds (its user, an impersonation, a pending
// sign-in, a new token's one-time secret) is compared.
func decodeSessionData(v any) any {
	b, ok := v.([]byte)
	if !ok {
		return v
	}
	var m map[any]any
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&m); err != nil {
		return fmt.Sprintf("undecodable %x", b)
	}
	var kv []string
	for k, val := range m {
		if k == "_flash" {
			continue
		}
		kv = append(kv, fmt.Sprintf("%v:%v", k, val))
	}
	sort.Strings(kv)
	return "{" + strings.Join(kv, ",") + "}"
}

// ---- the test ----

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}

// TestRouteIdentityMatrix calls every registered route as every identity
// with its own, a sibling customer's, another partner's and made-up IDs,
// and checks each answer against the table; every state-changing call that
// is sent (all but the allowed ones) must leave the database as it was.
func TestRouteIdentityMatrix(t *testing.T) {
	app := newTestApp(t, func(c *web.Config) {
		c.DevMailbox = true // the demo mailbox's route is in the table too
		c.FTPAuthSecret = "matrix-ftp-secret"
	})
	start := time.Now()
	a := buildMatrixSide(t, app, "a")
	b := buildMatrixSide(t, app, "b")
	matrixWorld.a, matrixWorld.b = a, b
	// The expired grants' hour passes; the live ones have no expiry.
	app.Clock.Advance(2 * time.Hour)
	for _, s := range []*matrixSide{a, b} {
		sessionIdentity(t, app, s.users["c2.owner"].Email)
		s.c2OwnerSession = sessionHandle(t, app, s.users["c2.owner"])
	}
	anon := &matrixIdentity{name: "anon", kind: "anon", http: newMatrixClient()}
	anon.csrf = anonymousCSRF(t, app, anon.http)
	ids := []*matrixIdentity{anon}
	ids = append(ids, buildIdentities(t, app, a, b)...)
	ids = append(ids, buildIdentities(t, app, b, a)...)
	for _, id := range ids {
		if id.token != "" {
			// A client sending a token to a page is a visitor without a
			// session, with the anonymous CSRF token a form would carry.
			id.http = newMatrixClient()
			id.csrf = anonymousCSRF(t, app, id.http)
		}
	}
	// The key that encrypts TOTP secrets (the secrets table) is made on
	// first use, by the first Two-factor page: made here, so that the
	// snapshots see only what the calls under test do.
	if res := matrixDo(t, app, ids[1], http.MethodGet, "/profile/2fa", ""); res.status != http.StatusOK {
		t.Fatalf("GET /profile/2fa: %d", res.status)
	}
	built := time.Since(start)

	classes := map[string]*matrixClass{}
	for name, spec := range matrixClasses {
		c, err := parseMatrixClass(name, spec)
		if err != nil {
			t.Fatal(err)
		}
		classes[name] = c
	}
	used := map[string]bool{}
	for _, cname := range matrixRoutes {
		used[cname] = true
	}
	for name := range matrixClasses {
		if !used[name] {
			t.Errorf("class %q is used by no route", name)
		}
	}
	routes := app.Handler.Routes()
	registered := map[string]bool{}
	for _, r := range routes {
		registered[r.Method+" "+r.Path] = true
	}
	for key := range matrixRoutes {
		if !registered[key] {
			t.Errorf("the table names %s, which is not registered", key)
		}
	}

	type cell struct {
		route        web.Route
		id           *matrixIdentity
		target, path string
		code         byte
		public       bool // the route needs no identity (its answers may name anyone: the demo mailbox)
	}
	var reads, writes []cell
	var skipped int
	foreign := map[byte]int{} // signed-in identities' calls with another partner's IDs, by code
	for _, r := range routes {
		key := r.Method + " " + r.Path
		cname, ok := matrixRoutes[key]
		if !ok {
			t.Errorf("route %s is not in the matrix table: give it an access class", key)
			continue
		}
		cl := classes[cname]
		if cl == nil {
			t.Fatalf("%s: no class %q", key, cname)
		}
		targets := []string{"-"}
		if hasParams(r.Path) {
			targets = matrixTargets
		}
		for _, id := range ids {
			codes := cl.codes[id.kind]
			if len(targets) == 1 && codes[0] != codes[1] {
				t.Fatalf("%s (%s): codes %s for a route without object parameters", key, cname, codes)
			}
			if codes[2] != codes[3] {
				t.Fatalf("class %s, %s: another tenant's IDs must get what IDs that name nothing get (%s)", cname, id.kind, codes)
			}
			for i, tg := range targets {
				path := r.Path
				if tg != "-" || strings.Contains(path, "*") {
					tt := tg
					if tt == "-" {
						tt = "own"
					}
					p, ok := fillPath(r.Path, id, tt)
					if !ok {
						t.Fatalf("%s: a parameter the matrix has no targets for", key)
					}
					path = p
				}
				c := cell{route: r, id: id, target: tg, path: path, code: codes[i], public: cl.kind == "public"}
				if tg == "foreign" && c.code != 'S' && c.code != 'U' {
					foreign[c.code]++
				}
				switch {
				case isWrite(r.Method) && c.code == 'A':
					skipped++
				case isWrite(r.Method):
					writes = append(writes, c)
				default:
					reads = append(reads, c)
				}
			}
		}
	}

	check := func(c cell, res matrixResponse) {
		key := c.route.Method + " " + c.route.Path
		want := map[byte]int{'A': 200, 'K': 200, 'F': 403, 'N': 404, 'C': 409, 'U': 401, 'B': 400, 'E': 204, 'R': 303, 'S': 303}[c.code]
		bad := res.status != want
		if c.code == 'S' && !strings.HasPrefix(res.location, "/signin") {
			bad = true
		}
		if c.code == 'R' && strings.HasPrefix(res.location, "/signin") {
			bad = true
		}
		if res.status == http.StatusForbidden && strings.Contains(res.body, "<title>Form expired") {
			// A refusal by the CSRF check proves nothing about
			// authorization: every form of the matrix carries a valid token.
			t.Errorf("%s as %s (%s target): refused by the CSRF check, so authorization was never reached", key, c.id.name, c.target)
		}
		if bad {
			body := res.body
			if len(body) > 300 {
				body = body[:300]
			}
			t.Errorf("%s as %s (%s target, %s): %d %s, want %c (%d); body %q", key, c.id.name, c.target, c.path, res.status, res.location, c.code, want, body)
		}
	}

	// What a refusal says, by route, identity and target: another
	// partner's IDs must get word for word what made-up IDs get.
	said := map[string]string{}
	say := func(c cell, res matrixResponse) {
		if c.target == "foreign" || c.target == "ghost" {
			// The request's own path (a sign-in redirect's next=) is no
			// news to the caller.
			text := strings.ReplaceAll(refusalText(res), url.QueryEscape(c.path), "{path}")
			said[c.route.Method+" "+c.route.Path+" "+c.id.name+" "+c.target] = strings.ReplaceAll(text, c.path, "{path}")
		}
	}
	snap := newMatrixSnapshotter(t, app)
	// Reads first: none of them may change anything either.
	var scanned int
	for _, c := range reads {
		res := matrixDo(t, app, c.id, c.route.Method, c.path, "")
		check(c, res)
		say(c, res)
		// What an identity is shown names nothing of another partner's
		// world, nor, for a customer's people, of the sibling customer.
		if c.code == 'A' && !c.public && c.id.side != nil {
			scanned++
			for _, m := range c.id.markers() {
				if strings.Contains(res.body, m) {
					t.Errorf("%s %s as %s shows %q, which is not theirs to see", c.route.Method, c.path, c.id.name, m)
				}
			}
		}
	}
	if d := snap.changed(); d != "" {
		t.Errorf("the %d reads changed the database:\n%s", len(reads), d)
	}
	// Then every refused or no-op state-changing call, each between two
	// snapshots.
	var snapshots int
	for _, c := range writes {
		if c.id.token != "" || c.id.kind == "anon" {
			// Signing out (or in) drops the anonymous CSRF cookie.
			c.id.csrf = anonymousCSRF(t, app, c.id.http)
		}
		snap.refresh()
		key := c.route.Method + " " + c.route.Path
		res := matrixDo(t, app, c.id, c.route.Method, c.path, matrixBodies[key])
		check(c, res)
		say(c, res)
		snapshots++
		if d := snap.changed(); d != "" {
			t.Errorf("%s as %s (%s target, %s) changed the database:\n%s", key, c.id.name, c.target, c.path, d)
		}
	}
	for k, ghost := range said {
		if !strings.HasSuffix(k, " ghost") {
			continue
		}
		if f := said[strings.TrimSuffix(k, "ghost")+"foreign"]; f != ghost {
			t.Errorf("%s: another partner's IDs are answered %q, made-up ones %q", strings.TrimSuffix(k, " ghost"), f, ghost)
		}
	}
	t.Logf("route × identity matrix: %d routes × %d identities; %d cells sent (%d reads, %d refused or no-op writes, each between two snapshots), %d allowed writes not sent; world built in %v, total %v",
		len(routes), len(ids), len(reads)+len(writes), len(reads), snapshots, skipped, built.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	t.Logf("%d allowed reads scanned for another tenant's names, emails and tenant IDs", scanned)
	t.Logf("calls with another partner's real IDs by an identity the route authenticates: %d answered 404, %d 403 and %d 303 refused before any lookup (the same answer as for IDs that name nothing, which each was also checked against)",
		foreign['N'], foreign['F'], foreign['R'])
	if n := len(foreign) - btoi(foreign['N'] > 0) - btoi(foreign['F'] > 0) - btoi(foreign['R'] > 0); n != 0 {
		t.Errorf("calls with another partner's IDs must be refused: %v", foreign)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// matrixWorld is the world of the running matrix (fillPath needs the sides
// for the anonymous identity).
var matrixWorld struct{ a, b *matrixSide }

// anonymousCSRF fetches the sign-in page with hc and returns the token
// bound to its anonymous CSRF cookie.
func anonymousCSRF(t *testing.T, app *testApp, hc *http.Client) string {
	t.Helper()
	res, err := hc.Get(app.Server.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if tok == "" {
		t.Fatal("no CSRF token on the sign-in page")
	}
	return tok
}

// readConn opens a read-only connection to the database (SQL without
// placeholders only: it is the driver's own connection).
func (a *testApp) readConn() *sql.DB {
	a.t.Helper()
	driver, dsn := "sqlite", "file:"+a.Path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)"
	if testdb.Postgres() {
		driver, dsn = "pgx", a.Path
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		a.t.Fatal(err)
	}
	return conn
}

// refusalText is what an answer tells: a problem's code, title and detail;
// an error page's title and message; a redirect's target.
func refusalText(res matrixResponse) string {
	switch {
	case res.location != "":
		return res.location
	case strings.HasPrefix(strings.TrimSpace(res.body), "{"):
		var p struct{ Code, Title, Detail string }
		if err := json.Unmarshal([]byte(res.body), &p); err != nil {
			return res.body
		}
		return p.Code + " | " + p.Title + " | " + p.Detail
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(res.body))
	if err != nil {
		return res.body
	}
	title := doc.Find(`[data-testid="error-title"]`)
	if title.Length() == 0 {
		return fmt.Sprintf("%d, no error page", res.status)
	}
	return strings.TrimSpace(title.Text()) + " | " + strings.TrimSpace(title.Next().Text())
}

// markers are strings that name what the identity may not see: the other
// partner's world (its accounts' tenant IDs and names, its people's email
// domain) and, for the people of a customer (and their tokens), the
// sibling customer of the same partner.
func (id *matrixIdentity) markers() []string {
	o := id.other
	m := []string{"@" + o.name + ".matrix.example", o.partner.TenantID, o.c1.TenantID, o.c2.TenantID, o.partner.Name, o.c1.Name, o.c2.Name}
	switch id.kind {
	case "owner", "uadmin", "plain", "devro", "tok-owner", "tok-owner-ro":
		s := id.side
		m = append(m, s.c2.TenantID, s.c2.Name, s.users["c2.owner"].Email, s.users["c2.victim"].Email)
	}
	return m
}
