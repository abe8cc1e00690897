package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// figure is the number of a dashboard figure (its data-value), -1 when
// the page does not show it.
func figure(res *response, testID string) int {
	if res.Doc == nil {
		return -3
	}
	s := res.Doc.Find(`[data-testid="` + testID + `"]`).First()
	v, ok := s.Attr("data-value")
	if !ok {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -2
	}
	return n
}

// figureHref is the link of a dashboard figure.
func figureHref(res *response, testID string) string {
	return attr(res.Doc.Find(`[data-testid="`+testID+`"]`).First(), "href")
}

// present reports whether the page has an element with the test ID.
func present(res *response, testID string) bool {
	return res.Doc.Find(`[data-testid="`+testID+`"]`).Length() > 0
}

func TestHomeCustomerDashboard(t *testing.T) {
	app := newTestApp(t)
	owner, fence := accountOf(t, app, tom)
	c := app.client()
	c.mustSignIn(tom)

	count := func(status string) int {
		return int(queryInts(t, app, `SELECT count(*) FROM users WHERE account_id = ? AND status = ?`, fence.ID, status)[0])
	}
	res := c.get("/")
	mustStatus(t, res, http.StatusOK)
	if got := text(res, "title"); !strings.HasPrefix(got, "Home · "+tomSawyerCo) {
		t.Errorf("title %q", got)
	}
	if text(res, `[data-testid="home-user-name"]`) != "Tom Sawyer" || text(res, `[data-testid="home-account-name"]`) != tomSawyerCo {
		t.Errorf("heading %q / %q", text(res, "h1"), text(res, `[data-testid="home-account-name"]`))
	}
	// Users by status, as stored, each linking to the Users tab filtered.
	for _, st := range tenantdesk.UserStatuses {
		if got, want := figure(res, "figure-users-"+st), count(st); got != want {
			t.Errorf("%s users = %d, want %d", st, got, want)
		}
		if href := figureHref(res, "figure-users-"+st); href != "/account/users?status="+st {
			t.Errorf("%s link %q", st, href)
		}
	}
	if got := figure(res, "figure-users-total"); got != 7 || count("active") != 6 || count("invited") != 1 {
		t.Errorf("total = %d (demo data: 6 active, Muff Potter invited without website access)", got)
	}
	// Muff Potter cannot sign in: no link was sent, nothing is pending.
	if got := figure(res, "figure-invitations-pending"); got != 0 || present(res, "figure-invitations-expired") {
		t.Errorf("invitations pending %d, expired shown %v", got, present(res, "figure-invitations-expired"))
	}
	// Licences: every licence held by enabled users.
	want := 0
	for _, n := range expectedLicences(t, app, fence.ID) {
		want += n
	}
	if got := figure(res, "figure-licences"); got != want || want == 0 {
		t.Errorf("licences = %d, want %d", got, want)
	}
	if href := attr(res.Doc.Find(`[data-testid="home-licences-link"]`), "href"); href != "/account/licenses" {
		t.Errorf("licences link %q", href)
	}
	// 2FA: nobody yet; no request waiting; recent activity from the seeding.
	if got := figure(res, "figure-2fa"); got != 0 {
		t.Errorf("2FA = %d", got)
	}
	if got := figure(res, "figure-requests"); got != 0 {
		t.Errorf("requests = %d", got)
	}
	if n := res.Doc.Find(`[data-testid="home-audit-entry"]`).Length(); n == 0 || n > tenantdesk.DashboardListLimit {
		t.Errorf("%d audit entries", n)
	}
	if !strings.Contains(text(res, `[data-testid="home-own-2fa"]`), "off") {
		t.Errorf("own 2FA %q", text(res, `[data-testid="home-own-2fa"]`))
	}

	// An invitation with a live link, Becky's 2FA, a request from the partner.
	if _, err := app.Svc.Users.InviteUser(actorCtx(t, app, tom), fence.ID, tenantdesk.NewUser{
		DisplayName: "Ben Rogers", Email: "ben.rogers@fence.example", Roles: []string{"customer.user"}}); err != nil {
		t.Fatal(err)
	}
	beckyU, _ := accountOf(t, app, becky)
	app.exec(`INSERT INTO user_totp (user_id, account_id, secret_enc, created_at, enabled_at) VALUES (?, ?, ?, 1, 1)`, beckyU.ID, fence.ID, []byte{0})
	r := incomingRequest(t, app, "Dashboard", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, caroline)
	res = c.get("/")
	if got := figure(res, "figure-invitations-pending"); got != 1 {
		t.Errorf("invitations pending = %d, want 1", got)
	}
	if got := figure(res, "figure-users-invited"); got != 2 {
		t.Errorf("invited = %d, want 2", got)
	}
	if got := figure(res, "figure-2fa"); got != 1 || !strings.Contains(text(res, `[data-testid="home-2fa"]`), "1 of 6") {
		t.Errorf("2FA = %d: %q", got, squash(text(res, `[data-testid="home-2fa"]`)))
	}
	if got := figure(res, "figure-requests"); got != 1 {
		t.Errorf("requests = %d, want 1", got)
	}
	if href := attr(res.Doc.Find(`[data-testid="home-requests-link"]`), "href"); href != "/account/access-requests?state=pending" {
		t.Errorf("requests link %q", href)
	}
	// The invitation is among the newest audit entries, with who did it.
	if entries := res.Doc.Find(`[data-testid="home-audit-entry"]`).Text(); !strings.Contains(entries, "Ben Rogers") || !strings.Contains(entries, "Tom Sawyer") {
		t.Errorf("newest audit entries %q", squash(entries))
	}

	// Three days later the link has expired: a new one is needed.
	app.Clock.Advance(tenantdesk.DefaultActivationTTL + time.Hour)
	c = app.client() // the session has timed out meanwhile
	c.mustSignIn(tom)
	res = c.get("/")
	if pending, expired := figure(res, "figure-invitations-pending"), figure(res, "figure-invitations-expired"); pending != 0 || expired != 1 {
		t.Errorf("after expiry: pending %d, expired %d", pending, expired)
	}

	// The request answered, nothing waits any more.
	if _, err := app.Svc.Access.Deny(actorCtx(t, app, tom), r.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := figure(c.get("/"), "figure-requests"); got != 0 {
		t.Errorf("requests after the answer = %d", got)
	}
	_ = owner
}

func TestHomeMemberSeesLessThanAdmin(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	res := c.get("/")
	mustStatus(t, res, http.StatusOK)
	for _, id := range []string{"home-users", "home-invitations", "home-licences", "home-2fa", "home-audit", "home-requests"} {
		if present(res, id) {
			t.Errorf("a plain member sees %s", id)
		}
	}
	if !present(res, "home-you") || !present(res, "home-links") {
		t.Error("the member's own sign-in and the account's links are missing")
	}
	if strings.Contains(res.Body, "/account/users?status=") {
		t.Error("a member is offered the Users tab")
	}
	// Becky, a user admin (not the Owner), sees the figures and answers requests.
	b := app.client()
	b.mustSignIn(becky)
	res = b.get("/")
	for _, id := range []string{"home-users", "home-invitations", "home-licences", "home-2fa", "home-audit", "home-requests"} {
		if !present(res, id) {
			t.Errorf("a user admin does not see %s", id)
		}
	}
	// A holder of access.respond without user.admin sees the requests only.
	huckU, fence := accountOf(t, app, huck)
	roles := append(append([]string(nil), huckU.Roles...), tenantdesk.RoleAccessRespond)
	if _, err := app.Svc.Users.UpdateUser(actorCtx(t, app, tom), fence.ID, huckU.ID, tenantdesk.UserPatch{Roles: &roles}); err != nil {
		t.Fatal(err)
	}
	incomingRequest(t, app, "ForHuck", "", tom, nil, nil, caroline)
	c = app.client()
	c.mustSignIn(huck)
	res = c.get("/")
	if got := figure(res, "figure-requests"); got != 1 || present(res, "home-users") || present(res, "home-audit") {
		t.Errorf("responder: requests %d, users shown %v, audit shown %v", got, present(res, "home-users"), present(res, "home-audit"))
	}
}

func TestHomeEmptyCustomerInvitesFirstAdmin(t *testing.T) {
	app := newTestApp(t)
	op := tenantdesk.OperatorContext(context.Background())
	acc := &tenantdesk.Account{Name: "Empty Barrel Co.", ParentID: accountIDOf(t, app, elizabeth)}
	if err := app.ops().CreateCustomer(op, acc, nil); err != nil {
		t.Fatal(err)
	}
	// Elizabeth (legacy access) impersonates the customer in support mode.
	p := app.client()
	p.mustSignIn(elizabeth)
	mustStatus(t, p.post("/impersonate/"+acc.TenantID+"/support", nil), http.StatusSeeOther)
	res := p.get("/")
	mustStatus(t, res, http.StatusOK)
	if !present(res, "home-no-users") || attr(res.Doc.Find(`[data-testid="home-invite-first-admin"]`), "href") != "/account/users/new" {
		t.Errorf("empty state: %q", squash(text(res, `[data-testid="home-no-users"]`)))
	}
	if got := figure(res, "figure-users-total"); got != 0 {
		t.Errorf("users = %d", got)
	}
	// Impersonating: the customer's dashboard within the mode, no own
	// sign-in card, no switcher, no requests to answer.
	if present(res, "home-you") || present(res, "switcher") || present(res, "home-requests") {
		t.Errorf("impersonating: own card %v, switcher %v, requests %v", present(res, "home-you"), present(res, "switcher"), present(res, "home-requests"))
	}
	// Configure mode acts without user.admin: no user figures.
	mustStatus(t, p.post("/impersonation/end", nil), http.StatusSeeOther)
	mustStatus(t, p.post("/impersonate/"+acc.TenantID+"/configure", nil), http.StatusSeeOther)
	res = p.get("/")
	if present(res, "home-users") || !present(res, "home-links") {
		t.Errorf("configure mode: users shown %v, links shown %v", present(res, "home-users"), present(res, "home-links"))
	}
}

// accountIDOf is the account of a demo user.
func accountIDOf(t *testing.T, app *testApp, email string) int64 {
	t.Helper()
	_, acc := accountOf(t, app, email)
	return acc.ID
}

func TestHomePartnerDashboard(t *testing.T) {
	app := newTestApp(t)
	op := tenantdesk.OperatorContext(context.Background())
	classics := accountIDOf(t, app, elizabeth)
	p := app.client()
	p.mustSignIn(elizabeth)
	res := p.get("/")
	mustStatus(t, res, http.StatusOK)
	if got := text(res, "title"); !strings.HasPrefix(got, "Home · Classics, Inc.") {
		t.Errorf("title %q", got)
	}
	want := map[string]int{"total": 2, "pending_onboarding": 0, "active": 2, "disabled": 0}
	for k, n := range want {
		if got := figure(res, "figure-customers-"+k); got != n {
			t.Errorf("customers %s = %d, want %d", k, got, n)
		}
	}
	if href := figureHref(res, "figure-customers-pending_onboarding"); href != "/partner/customers?status=pending_onboarding" {
		t.Errorf("pending link %q", href)
	}
	if got := figure(res, "figure-prequests"); got != 0 || !strings.Contains(text(res, `[data-testid="home-onboardings"]`), "Every customer") {
		t.Errorf("requests %d; onboardings %q", got, text(res, `[data-testid="home-onboardings"]`))
	}

	// A customer without an admin, one whose admin is invited, one disabled.
	bare := &tenantdesk.Account{Name: "Bare Boards Ltd", ParentID: classics}
	invited := &tenantdesk.Account{Name: "Invited Inks", ParentID: classics}
	for _, a := range []*tenantdesk.Account{bare, invited} {
		if err := app.ops().CreateCustomer(op, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.ops().CreateUser(op, &tenantdesk.User{AccountID: invited.ID, DisplayName: "Ink Admin", Email: "admin@inks.example",
		Roles: []string{"customer.user", "user.admin"}}); err != nil {
		t.Fatal(err)
	}
	_, gallery := accountOf(t, app, robin)
	app.exec(`UPDATE accounts SET disabled_at = ? WHERE id = ?`, app.Clock.Now().UnixMilli(), gallery.ID)
	// A pending request and a grant that ends in three days.
	incomingRequest(t, app, "Pending", "", tom, nil, nil, caroline)
	g := incomingRequest(t, app, "Soon", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, partnerCharlotte)
	if _, err := app.Svc.Access.Grant(actorCtx(t, app, tom), g.ID, tenantdesk.AccessAnswer{ExpiresAt: ptrTime(app.Clock.Now().Add(72 * time.Hour))}); err != nil {
		t.Fatal(err)
	}

	res = p.get("/")
	want = map[string]int{"total": 4, "pending_onboarding": 2, "active": 1, "disabled": 1}
	for k, n := range want {
		if got := figure(res, "figure-customers-"+k); got != n {
			t.Errorf("customers %s = %d, want %d", k, got, n)
		}
	}
	// Each figure opens the customer list filtered to what it counts.
	for _, st := range []string{"pending_onboarding", "active", "disabled"} {
		list := p.get(figureHref(res, "figure-customers-"+st))
		mustStatus(t, list, http.StatusOK)
		if n := list.Doc.Find(`[data-testid="customer-row"][data-status="` + st + `"]`).Length(); n != want[st] ||
			list.Doc.Find(`[data-testid="customer-row"]`).Length() != n {
			t.Errorf("the list of %s customers has %d rows, the figure says %d", st, n, want[st])
		}
	}
	rows := res.Doc.Find(`[data-testid="home-onboarding"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d onboardings listed", rows.Length())
	}
	// Waiting longest first, each linked to its customer page, with its state.
	first, second := rows.Eq(0), rows.Eq(1)
	if !strings.Contains(first.Text(), "Bare Boards") || !strings.Contains(first.Text(), "No admin invited") ||
		attr(first.Find("a"), "href") != "/partner/customers/"+bare.TenantID {
		t.Errorf("first onboarding %q (%s)", squash(first.Text()), attr(first.Find("a"), "href"))
	}
	if !strings.Contains(second.Text(), "Invited Inks") || !strings.Contains(second.Text(), "1 admin invited") {
		t.Errorf("second onboarding %q", squash(second.Text()))
	}
	if got := figure(res, "figure-prequests"); got != 1 {
		t.Errorf("pending requests = %d, want 1", got)
	}
	pending := res.Doc.Find(`[data-testid="home-prequest"]`)
	if pending.Length() != 1 || !strings.Contains(pending.Text(), "Pending to "+tomSawyerCo) || !strings.Contains(pending.Text(), "Caroline Bingley") {
		t.Errorf("pending list %q", squash(pending.Text()))
	}
	if got := figure(res, "figure-grants"); got != 1 || !strings.Contains(text(res, `[data-testid="home-grant"]`), "Soon to "+tomSawyerCo) {
		t.Errorf("expiring grants = %d: %q", got, squash(text(res, `[data-testid="home-grants"]`)))
	}
	if href := attr(res.Doc.Find(`[data-testid="home-grant"] a`), "href"); href != "/partner/access-requests/"+tenantdesk.FormatAccessRequestID(g.ID) {
		t.Errorf("grant link %q", href)
	}

	// Caroline (partner.user) sees the customers, and only the requests naming her.
	c := app.client()
	c.mustSignIn(caroline)
	res = c.get("/")
	mustStatus(t, res, http.StatusOK)
	if got := figure(res, "figure-customers-total"); got != 4 {
		t.Errorf("Caroline: customers %d", got)
	}
	if got, grants := figure(res, "figure-prequests"), figure(res, "figure-grants"); got != 1 || grants != 0 {
		t.Errorf("Caroline: requests %d (the one naming her), grants %d (Charlotte's)", got, grants)
	}
	if href := attr(res.Doc.Find(`[data-testid="home-prequests-link"]`), "href"); href != "/profile/zone" {
		t.Errorf("Caroline's requests link %q", href)
	}
	if got := figure(app.client().withSignIn(partnerCharlotte), "figure-grants"); got != 1 {
		t.Errorf("Charlotte: grants %d", got)
	}

	// Another partner's dashboard counts its own customers only.
	other, _, err := app.ops().CreatePartner(op, tenantdesk.CreatePartnerInput{Name: "Romantics Ltd", OwnerName: "Percy Shelley", OwnerEmail: "percy@romantics.example"})
	if err != nil {
		t.Fatal(err)
	}
	percy := app.user("percy@romantics.example")
	if err := app.ops().SetPassword(op, percy.ID, "a long and lovely password"); err != nil {
		t.Fatal(err)
	}
	app.Password["percy@romantics.example"] = "a long and lovely password"
	res = app.client().withSignIn("percy@romantics.example")
	if got := figure(res, "figure-customers-total"); got != 0 || !present(res, "home-no-customers") {
		t.Errorf("%s: customers %d", other.Name, got)
	}
}

// withSignIn signs the client in as email and returns the home page.
func (c *client) withSignIn(email string) *response {
	c.app.t.Helper()
	c.mustSignIn(email)
	return c.get("/")
}

func TestUsersTabStatusFilter(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	res := c.get("/account/users?status=invited")
	mustStatus(t, res, http.StatusOK)
	if got := rowNames(res); strings.Join(got, "|") != "Muff Potter" {
		t.Errorf("invited: %q", got)
	}
	if attr(res.Doc.Find(`#user-status option[selected]`), "value") != "invited" || res.Doc.Find(`label[for="user-status"]`).Length() != 1 {
		t.Error("the filter does not show its choice or has no label")
	}
	if got := rowNames(c.get("/account/users?status=active")); len(got) != 6 || contains(got, "Muff Potter") {
		t.Errorf("active: %q", got)
	}
	res = c.get("/account/users?status=disabled")
	if !present(res, "users-empty") || !strings.Contains(text(res, `[data-testid="users-empty"]`), "Disabled") {
		t.Errorf("disabled: %q", text(res, `[data-testid="users-empty"]`))
	}
	// A search within a status; an unknown status lists everyone.
	if got := rowNames(c.get("/account/users?" + url.Values{"q": {"h"}, "status": {"active"}}.Encode())); strings.Join(got, "|") != "Huck Finn" {
		t.Errorf("active and h: %q", got)
	}
	if got := rowNames(c.get("/account/users?status=bogus")); len(got) != 7 {
		t.Errorf("unknown status: %d rows", len(got))
	}
}

func TestSwitcherFindsOwnCustomers(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	_, gallery := accountOf(t, app, robin)
	otherToken, otherCustomer := app.otherPartner()
	_ = otherToken
	p := app.client()
	p.mustSignIn(elizabeth)

	// The top bar offers the switcher: a labelled search form, a GET to /switch.
	res := p.get("/")
	form := res.Doc.Find(`[data-testid="switcher"] form[role="search"]`)
	if attr(form, "action") != "/switch" || attr(form, "method") != "get" || res.Doc.Find(`label[for="switcher-q"]`).Length() != 1 {
		t.Errorf("switcher form: action %q method %q", attr(form, "action"), attr(form, "method"))
	}

	found := func(res *response) []string {
		var out []string
		res.Doc.Find(`[data-testid="switcher-result"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Find(`[data-testid="switcher-open"]`).Text()))
		})
		return out
	}
	mid := fence.TenantID[3 : len(fence.TenantID)-2]
	for q, want := range map[string]string{
		"sawyer":              tomSawyerCo,                     // the middle of the name
		"ACRE WOOD":           hundredAcre,                     // any case
		"fence-0":             tomSawyerCo,                     // the reference
		strings.ToUpper(mid):  tomSawyerCo,                     // part of the tenant ID
		"o":                   hundredAcre + "|" + tomSawyerCo, // by name
		"Frankenstein":        "",                              // another partner's
		otherCustomer:         "",
		"zz-no-such-customer": "",
	} {
		res := p.get("/switch?" + url.Values{"q": {q}}.Encode())
		mustStatus(t, res, http.StatusOK)
		if got := strings.Join(found(res), "|"); got != want {
			t.Errorf("%q found %q, want %q", q, got, want)
		}
		if want == "" && !strings.Contains(text(res, `main [data-testid="switcher-status"]`), "No customer matches") {
			t.Errorf("%q: status %q", q, text(res, `main [data-testid="switcher-status"]`))
		}
	}

	// A result opens the customer's page; Elizabeth still has legacy
	// access, so she may impersonate in either mode.
	res = p.get("/switch?q=hundred")
	row := res.Doc.Find(`[data-testid="switcher-result"]`)
	if href := attr(row.Find(`[data-testid="switcher-open"]`), "href"); href != "/partner/customers/"+gallery.TenantID {
		t.Errorf("open link %q", href)
	}
	if attr(row.Find(`[data-testid="switcher-impersonate-support"]`), "href") != "/impersonate/"+gallery.TenantID+"/support" ||
		attr(row.Find(`[data-testid="switcher-impersonate-configure"]`), "href") != "/impersonate/"+gallery.TenantID+"/configure" {
		t.Errorf("impersonate links: %q", squash(row.Text()))
	}
	if got := text(res, "title"); !strings.Contains(got, "hundred") || !strings.Contains(got, "Find a customer") {
		t.Errorf("title %q", got)
	}

	// Caroline (partner.user) may open the pages, impersonate only where a
	// grant names her, in its mode.
	c := app.client()
	c.mustSignIn(caroline)
	res = c.get("/switch?q=co")
	if present(res, "switcher-impersonate-support") || present(res, "switcher-impersonate-configure") {
		t.Error("Caroline is offered an impersonation without a grant")
	}
	r := incomingRequest(t, app, "Help", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, caroline)
	if _, err := app.Svc.Access.Grant(actorCtx(t, app, tom), r.ID, tenantdesk.AccessAnswer{}); err != nil {
		t.Fatal(err)
	}
	res = c.get("/switch?q=co")
	row = res.Doc.Find(`[data-testid="switcher-result"][data-tenant-id="` + fence.TenantID + `"]`)
	if !present(res, "switcher-impersonate-support") || row.Find(`[data-testid="switcher-impersonate-support"]`).Length() != 1 ||
		present(res, "switcher-impersonate-configure") {
		t.Errorf("Caroline after the grant: %q", squash(text(res, `[data-testid="switcher-list"]`)))
	}

	// The other partner finds its own customer, never Classics'.
	o := app.client()
	percy := app.user("percy@romantics.example")
	if err := app.ops().SetPassword(tenantdesk.OperatorContext(context.Background()), percy.ID, "a long and lovely password"); err != nil {
		t.Fatal(err)
	}
	app.Password["percy@romantics.example"] = "a long and lovely password"
	o.mustSignIn("percy@romantics.example")
	if got := strings.Join(found(o.get("/switch?q=a")), "|"); got != "Frankenstein Labs" {
		t.Errorf("the other partner found %q", got)
	}
}

func TestSwitcherWithoutJavaScriptAndWithHTMX(t *testing.T) {
	app := newTestApp(t)
	p := app.client()
	p.mustSignIn(elizabeth)

	// The plain page: a form that works without script, a hint before a search.
	res := p.get("/switch")
	mustStatus(t, res, http.StatusOK)
	if !present(res, "switcher-empty-query") || res.Doc.Find(`label[for="switch-page-q"]`).Length() != 1 {
		t.Error("the empty page has no hint or no labelled field")
	}
	if attr(res.Doc.Find(`main form[role="search"]`), "action") != "/switch" {
		t.Error("the page's form does not search /switch")
	}
	res = p.get("/switch?q=fence")
	if v, _ := res.Doc.Find("#switch-page-q").Attr("value"); v != "fence" || !strings.Contains(text(res, `main [data-testid="switcher-status"]`), "1 customer matches") {
		t.Errorf("page after a search: field %q, status %q", v, text(res, `main [data-testid="switcher-status"]`))
	}

	// htmx gets the results and the status line's text, not a page.
	p.Header.Set("HX-Request", "true")
	res = p.get("/switch?q=fence")
	p.Header.Del("HX-Request")
	if strings.Contains(res.Body, "<html") || res.Doc.Find(`[data-testid="switcher-result"]`).Length() != 1 {
		t.Errorf("fragment: %.300s", res.Body)
	}
	if oob := res.Doc.Find(`#switcher-status[hx-swap-oob]`); oob.Length() != 1 || !strings.Contains(oob.Text(), "1 customer matches") {
		t.Errorf("status swap %q", oob.Text())
	}

	// Only partner staff, working in Partnerdesk, may search.
	c := app.client()
	c.mustSignIn(tom)
	if present(c.get("/"), "switcher") {
		t.Error("a customer user has the switcher")
	}
	if res := c.get("/switch?q=a"); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer user: status %d", res.StatusCode)
	}
	_, fence := accountOf(t, app, tom)
	mustStatus(t, p.post("/impersonate/"+fence.TenantID+"/support", nil), http.StatusSeeOther)
	if res := p.get("/switch?q=a"); res.StatusCode == http.StatusOK {
		t.Errorf("impersonating: status %d", res.StatusCode)
	}
}

// A partner's many customers: the switcher shows a few and leads to the
// rest.
func TestSwitcherShowsFirstMatches(t *testing.T) {
	app := newTestApp(t)
	op := tenantdesk.OperatorContext(context.Background())
	classics := accountIDOf(t, app, elizabeth)
	for i := range tenantdesk.SwitcherLimit + 2 {
		if err := app.ops().CreateCustomer(op, &tenantdesk.Account{Name: fmt.Sprintf("Mill %02d", i), ParentID: classics}, nil); err != nil {
			t.Fatal(err)
		}
	}
	p := app.client()
	p.mustSignIn(elizabeth)
	res := p.get("/switch?q=mill")
	if n := res.Doc.Find(`[data-testid="switcher-result"]`).Length(); n != tenantdesk.SwitcherLimit {
		t.Errorf("%d results", n)
	}
	if href := attr(res.Doc.Find(`[data-testid="switcher-all"]`), "href"); href != "/partner/customers?q=mill" {
		t.Errorf("all matches link %q", href)
	}
}
