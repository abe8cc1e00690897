package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// About account › Access requests, the customer's side (SPEC §4): the
// partner's requests are arranged through the access service as Elizabeth
// (partner.admin of Classics); the customer answers through the pages.

const incomingCharlotte = "charlotte.lucas@classics.example"

// incomingActor is ctx acting as the demo user email, as a signed-in
// request would.
func incomingActor(t *testing.T, app *testApp, email string) context.Context {
	t.Helper()
	u, acc := accountOf(t, app, email)
	return tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: u, Account: acc, IP: "192.0.2.10"})
}

// incomingRequest has Elizabeth ask the account of customerEmail for
// access for the staff named, in modes, and returns that account's request.
func incomingRequest(t *testing.T, app *testApp, name, message, customerEmail string, modes []tenantdesk.AccessMode, expires *time.Time, staff ...string) *tenantdesk.AccessRequest {
	t.Helper()
	var ids []int64
	for _, e := range staff {
		ids = append(ids, app.user(e).ID)
	}
	rs, err := app.Svc.Access.CreateAccessRequests(incomingActor(t, app, elizabeth), tenantdesk.NewAccessRequest{
		Name: name, Message: message, Modes: modes, ExpiresAt: expires,
		Associations: []tenantdesk.AccessAssociation{{UserIDs: ids, AccountIDs: []int64{app.user(customerEmail).AccountID}}}})
	if err != nil || len(rs) != 1 {
		t.Fatalf("create request %s: %v (%d)", name, err, len(rs))
	}
	return rs[0]
}

func incomingPath(r *tenantdesk.AccessRequest, suffix string) string {
	return "/account/access-requests/" + tenantdesk.FormatAccessRequestID(r.ID) + suffix
}

// incomingCard is the list's card of request r.
func incomingCard(res *response, r *tenantdesk.AccessRequest) *goquery.Selection {
	return res.Doc.Find(`[data-testid="access-request"][data-request-id="` + tenantdesk.FormatAccessRequestID(r.ID) + `"]`)
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// incomingStored reads request r as stored.
func incomingStored(t *testing.T, app *testApp, r *tenantdesk.AccessRequest) *tenantdesk.AccessRequest {
	t.Helper()
	got, err := app.DB.FindAccessRequest(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// followed is the page a 303 leads to.
func followed(t *testing.T, c *client, res *response) *response {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303: %s", res.StatusCode, text(res, "main"))
	}
	return c.get(res.Header.Get("Location"))
}

// parentRows are the Users tab's partner staff rows, by name.
func parentRows(res *response) map[string]*goquery.Selection {
	out := map[string]*goquery.Selection{}
	res.Doc.Find(`[data-testid="parent-user-row"]`).Each(func(_ int, s *goquery.Selection) {
		out[squash(s.Find("td").First().Find(".font-medium").Text())] = s
	})
	return out
}

func TestAccessRequestsTabListsGrantsChangesAndRevokes(t *testing.T) {
	app := newTestApp(t)
	r := incomingRequest(t, app, "fence-support", "Please let us help with the new users.", tom,
		[]tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, caroline, incomingCharlotte)

	c := app.client()
	c.mustSignIn(tom)
	if c.get("/account").Doc.Find(`[data-testid="tab-access-requests"]`).Length() != 1 {
		t.Error("the Owner has no Access requests tab")
	}
	list := c.get("/account/access-requests")
	mustStatus(t, list, http.StatusOK)
	if list.Doc.Find(`[data-testid="tab-access-requests"][aria-current="page"]`).Length() != 1 {
		t.Error("the tab is not the current one")
	}
	card := incomingCard(list, r)
	if card.Length() != 1 {
		t.Fatalf("no card for the request: %s", text(list, "main"))
	}
	if got := squash(card.Find(`[data-testid="access-partner"]`).Text()); got != "Classics, Inc." {
		t.Errorf("partner %q", got)
	}
	if got := squash(card.Find(`[data-testid="access-message"]`).Text()); got != "Please let us help with the new users." {
		t.Errorf("message %q", got)
	}
	people := squash(card.Find(`[data-testid="access-person"]`).Text())
	for _, want := range []string{"Caroline Bingley", caroline, "Charlotte Lucas", incomingCharlotte} {
		if !strings.Contains(people, want) {
			t.Errorf("people %q lack %q", people, want)
		}
	}
	modes := squash(card.Find(`[data-testid="access-mode"]`).Text())
	if !strings.Contains(modes, "Support") || !strings.Contains(modes, "Manage users") || strings.Contains(modes, "Configure") {
		t.Errorf("modes %q", modes)
	}
	if got := squash(card.Find(`[data-testid="access-state"]`).Text()); got != "State: Pending" {
		t.Errorf("state %q", got)
	}
	if !strings.Contains(squash(card.Text()), "fence-support") {
		t.Error("the card does not name the request")
	}

	// The request's page offers Grant (30 days ahead by default) and Deny.
	page := c.get(incomingPath(r, ""))
	mustStatus(t, page, http.StatusOK)
	if attr(page.Doc.Find(`#grant-expires`), "value") != "2026-12-21" {
		t.Errorf("grant date %q, want today + 30 days", attr(page.Doc.Find(`#grant-expires`), "value"))
	}
	for _, sel := range []string{`[data-testid="grant-card"] textarea[name="message"]`, `[data-testid="deny-card"] textarea[name="message"]`,
		`label[for="grant-message"]`, `label[for="grant-expires"]`, `label[for="grant-no-expiry"]`, `label[for="deny-message"]`} {
		if page.Doc.Find(sel).Length() != 1 {
			t.Errorf("no %s", sel)
		}
	}
	if page.Doc.Find(`[data-testid="grant-card"] input[name="_csrf"]`).Length() != 1 || page.Doc.Find(`[data-testid="deny-card"] input[name="_csrf"]`).Length() != 1 {
		t.Error("a form lacks the CSRF token")
	}

	// Neither a date nor "No expiry": the field says so and keeps the message.
	res := c.post(incomingPath(r, "/grant"), url.Values{"message": {"Welcome"}, "expiresAt": {""}})
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(text(res, `#grant-expires-error`), "No expiry") || text(res, `#grant-message`) != "Welcome" {
		t.Errorf("missing date: error %q, message %q", text(res, `#grant-expires-error`), text(res, `#grant-message`))
	}
	// A day in the past.
	res = c.post(incomingPath(r, "/grant"), url.Values{"message": {"Welcome"}, "expiresAt": {"2026-11-20"}})
	if !strings.Contains(text(res, `#grant-expires-error`), "future") || attr(res.Doc.Find(`#grant-expires`), "value") != "2026-11-20" {
		t.Errorf("past date: error %q", text(res, `#grant-expires-error`))
	}
	if incomingStored(t, app, r).State != tenantdesk.AccessPending {
		t.Fatal("a refused grant changed the request")
	}

	// Grant until the end of 1 December (UTC, Tom's zone).
	res = followed(t, c, c.post(incomingPath(r, "/grant"), url.Values{"message": {"Welcome"}, "expiresAt": {"2026-12-01"}}))
	if got := text(res, `[data-testid="flash"]`); !strings.Contains(got, "granted Classics, Inc. access") {
		t.Errorf("flash %q", got)
	}
	if got := squash(res.Doc.Find(`[data-testid="access-request-detail"] [data-testid="access-state"]`).Text()); got != "State: Granted" {
		t.Errorf("state %q", got)
	}
	if got := text(res, `[data-testid="access-expires"]`); got != "2026-12-01, end of day" {
		t.Errorf("expiry %q", got)
	}
	if got := text(res, `[data-testid="access-answer-message"]`); got != "Welcome" {
		t.Errorf("answer %q", got)
	}
	stored := incomingStored(t, app, r)
	if stored.State != tenantdesk.AccessGranted || stored.ExpiresAt == nil || !stored.ExpiresAt.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) || stored.AnswerMessage != "Welcome" {
		t.Errorf("stored %s until %v, answer %q", stored.State, stored.ExpiresAt, stored.AnswerMessage)
	}
	if res.Doc.Find(`[data-testid="expiry-card"]`).Length() != 1 || res.Doc.Find(`[data-testid="revoke-open"]`).Length() != 1 ||
		res.Doc.Find(`[data-testid="grant-card"]`).Length() != 0 {
		t.Error("a live grant offers neither the expiry change nor Revoke")
	}
	if attr(res.Doc.Find(`#expiry-expires`), "value") != "2026-12-01" {
		t.Errorf("expiry form date %q", attr(res.Doc.Find(`#expiry-expires`), "value"))
	}

	// Granting again: the page says why, it is no bare error page.
	res = c.post(incomingPath(r, "/grant"), url.Values{"expiresAt": {"2026-12-05"}})
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(text(res, `[data-testid="access-conflict"]`), "already been answered") || res.Doc.Find(`[data-testid="access-request-detail"]`).Length() != 1 {
		t.Errorf("conflict page: %s", text(res, "main"))
	}

	// The partner staff appear in the Users tab, read-only, first.
	users := c.get("/account/users")
	rows := parentRows(users)
	if len(rows) != 2 || rows["Caroline Bingley"] == nil || rows["Charlotte Lucas"] == nil {
		t.Fatalf("partner staff rows %v", rows)
	}
	first := users.Doc.Find(`[data-testid="users-table"] tbody tr`).First()
	if attr(first, "data-testid") != "parent-user-row" {
		t.Error("the partner staff are not at the top")
	}
	row := rows["Caroline Bingley"]
	if got := squash(row.Find(`[data-testid="partner-staff-badge"]`).Text()); got != "Partner staff · Classics, Inc." {
		t.Errorf("badge %q", got)
	}
	if got := squash(row.Find(`[data-testid="parent-access-until"]`).Text()); got != "Access until 2026-12-01, end of day" {
		t.Errorf("until %q", got)
	}
	if row.Find("a, button, form").Length() != 0 {
		t.Error("a partner staff row has links or actions")
	}
	if len(rowNames(users)) != 7 {
		t.Errorf("the account's own rows changed: %v", rowNames(users))
	}

	// Change the expiry: a past day is refused with the input kept; "No
	// expiry" clears it.
	res = c.post(incomingPath(r, "/expiry"), url.Values{"expiresAt": {"2026-11-01"}})
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(text(res, `#expiry-expires-error`), "future") || attr(res.Doc.Find(`#expiry-expires`), "value") != "2026-11-01" {
		t.Errorf("past expiry: %q", text(res, `#expiry-expires-error`))
	}
	res = followed(t, c, c.post(incomingPath(r, "/expiry"), url.Values{"expiresAt": {"2026-12-01"}, "noExpiry": {"1"}}))
	if got := text(res, `[data-testid="flash"]`); !strings.Contains(got, "no expiry") {
		t.Errorf("flash %q", got)
	}
	if incomingStored(t, app, r).ExpiresAt != nil {
		t.Error("the expiry was not cleared")
	}
	if got := squash(parentRows(c.get("/account/users"))["Caroline Bingley"].Find(`[data-testid="parent-access-until"]`).Text()); got != "Access with no expiry" {
		t.Errorf("until %q", got)
	}
	res = followed(t, c, c.post(incomingPath(r, "/expiry"), url.Values{"expiresAt": {"2027-01-15"}}))
	if got := text(res, `[data-testid="access-expires"]`); got != "2027-01-15, end of day" {
		t.Errorf("new expiry %q", got)
	}

	// Revoke: a confirmation page first, then the request is closed.
	confirm := c.get(incomingPath(r, "/revoke"))
	mustStatus(t, confirm, http.StatusOK)
	if confirm.Doc.Find(`[role="alertdialog"] textarea#revoke-message`).Length() != 1 || confirm.Doc.Find(`label[for="revoke-message"]`).Length() != 1 ||
		confirm.Doc.Find(`[data-testid="confirm-submit"]`).Length() != 1 {
		t.Fatalf("confirmation page: %s", text(confirm, "main"))
	}
	res = followed(t, c, c.post(incomingPath(r, "/revoke"), url.Values{"message": {"Done, thanks"}}))
	if got := text(res, `[data-testid="flash"]`); !strings.Contains(got, "revoked") {
		t.Errorf("flash %q", got)
	}
	if got := squash(res.Doc.Find(`[data-testid="access-request-detail"] [data-testid="access-state"]`).Text()); got != "State: Revoked" {
		t.Errorf("state %q", got)
	}
	if !strings.Contains(text(res, `[data-testid="access-closed"]`), "new request") || res.Doc.Find(`form[action$="/expiry"], form[action$="/grant"]`).Length() != 0 {
		t.Error("a revoked request does not say why nothing can be done")
	}
	if st := incomingStored(t, app, r); st.State != tenantdesk.AccessRevoked || st.AnswerMessage != "Done, thanks" {
		t.Errorf("stored %s %q", st.State, st.AnswerMessage)
	}
	if len(parentRows(c.get("/account/users"))) != 0 {
		t.Error("partner staff still listed after the revocation")
	}
	// Revoking again: nothing to confirm, and a post says why.
	if res := c.get(incomingPath(r, "/revoke")); res.StatusCode != http.StatusSeeOther {
		t.Errorf("confirm a revoked request: %d", res.StatusCode)
	}
	res = c.post(incomingPath(r, "/revoke"), nil)
	mustStatus(t, res, http.StatusConflict)
	if text(res, `[data-testid="access-conflict"]`) == "" {
		t.Error("no conflict message")
	}

	// The state filter.
	if incomingCard(c.get("/account/access-requests?state=revoked"), r).Length() != 1 {
		t.Error("the revoked filter does not list it")
	}
	pending := c.get("/account/access-requests?state=pending")
	if incomingCard(pending, r).Length() != 0 || pending.Doc.Find(`[data-testid="access-requests-empty-filter"]`).Length() != 1 {
		t.Error("the pending filter")
	}
	if res := c.get("/account/access-requests?state=bogus"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("unknown state: %d", res.StatusCode)
	}
	if res := c.get("/account/access-requests/nonsense"); res.StatusCode != http.StatusNotFound {
		t.Errorf("bad id: %d", res.StatusCode)
	}
}

func TestAccessRequestsUserAdminDenies(t *testing.T) {
	app := newTestApp(t)
	proposed := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	r := incomingRequest(t, app, "fence-config", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport, tenantdesk.ModeConfigure}, &proposed, caroline)
	c := app.client()
	c.mustSignIn(becky)
	list := c.get("/account/access-requests")
	mustStatus(t, list, http.StatusOK)
	card := incomingCard(list, r)
	if card.Find(`[data-testid="access-mode"]`).Length() != 2 || !strings.Contains(text(list, `[data-testid="access-message"]`), "No message") {
		t.Errorf("card: %s", squash(card.Text()))
	}
	page := c.get(incomingPath(r, ""))
	// The partner's proposed end is offered.
	if got := attr(page.Doc.Find(`#grant-expires`), "value"); got != "2026-12-09" {
		t.Errorf("grant date %q, want the proposed last day", got)
	}
	// Too long a message: kept, with the error at the field.
	long := strings.Repeat("x", tenantdesk.MaxRequestMessageLen+1)
	res := c.post(incomingPath(r, "/deny"), url.Values{"message": {long}})
	mustStatus(t, res, http.StatusOK)
	if text(res, `#deny-message-error`) == "" || text(res, `#deny-message`) != long {
		t.Errorf("long message: error %q", text(res, `#deny-message-error`))
	}
	res = followed(t, c, c.post(incomingPath(r, "/deny"), url.Values{"message": {"Not now."}}))
	if got := text(res, `[data-testid="flash"]`); !strings.Contains(got, "denied") {
		t.Errorf("flash %q", got)
	}
	if got := squash(res.Doc.Find(`[data-testid="access-request-detail"] [data-testid="access-state"]`).Text()); got != "State: Denied" {
		t.Errorf("state %q", got)
	}
	if !strings.Contains(text(res, `[data-testid="access-answered"]`), "Becky Thatcher") || text(res, `[data-testid="access-closed"]`) == "" {
		t.Errorf("answered: %q", text(res, `[data-testid="access-answered"]`))
	}
	if st := incomingStored(t, app, r); st.State != tenantdesk.AccessDenied || st.AnswerMessage != "Not now." {
		t.Errorf("stored %s %q", st.State, st.AnswerMessage)
	}
	// Denying twice: the page says it was answered.
	res = c.post(incomingPath(r, "/deny"), nil)
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(text(res, `[data-testid="access-conflict"]`), "already been answered") {
		t.Errorf("conflict %q", text(res, `[data-testid="access-conflict"]`))
	}
	if len(parentRows(c.get("/account/users"))) != 0 {
		t.Error("a denied request lists partner staff")
	}
}

func TestAccessRequestsOnlyForResponders(t *testing.T) {
	app := newTestApp(t)
	r := incomingRequest(t, app, "fence-support", "", tom, nil, nil, caroline)

	member := app.client()
	member.mustSignIn(huck)
	if member.get("/account").Doc.Find(`[data-testid="tab-access-requests"]`).Length() != 0 {
		t.Error("a plain member sees the tab")
	}
	for _, p := range []string{"/account/access-requests", incomingPath(r, ""), incomingPath(r, "/revoke")} {
		if res := member.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("member GET %s: %d", p, res.StatusCode)
		}
	}
	if res := member.post(incomingPath(r, "/grant"), url.Values{"noExpiry": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("member grant: %d", res.StatusCode)
	}
	if incomingStored(t, app, r).State != tenantdesk.AccessPending {
		t.Fatal("a member answered")
	}

	// Another customer's Owner: their own tab, but not this request.
	other := app.client()
	other.mustSignIn(robin)
	if res := other.get(incomingPath(r, "")); res.StatusCode != http.StatusNotFound {
		t.Errorf("other customer: %d", res.StatusCode)
	}
	if res := other.post(incomingPath(r, "/grant"), url.Values{"noExpiry": {"1"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("other customer grant: %d", res.StatusCode)
	}

	// Partner staff have no such tab, even their admin.
	partner := app.client()
	partner.mustSignIn(elizabeth)
	if partner.get("/account").Doc.Find(`[data-testid="tab-access-requests"]`).Length() != 0 {
		t.Error("the partner sees the customer tab")
	}
	if res := partner.get(incomingPath(r, "")); res.StatusCode != http.StatusForbidden {
		t.Errorf("partner: %d", res.StatusCode)
	}
}

func TestAccessRequestsEmptyState(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(robin)
	res := c.get("/account/access-requests")
	mustStatus(t, res, http.StatusOK)
	empty := squash(res.Doc.Find(`[data-testid="access-requests-empty"]`).Text())
	for _, want := range []string{"No access requests yet", "Classics, Inc.", "consent", "revoke"} {
		if !strings.Contains(empty, want) {
			t.Errorf("empty state %q lacks %q", empty, want)
		}
	}
	if got := text(res, "title"); !strings.Contains(got, "Access requests") {
		t.Errorf("title %q", got)
	}
}

func TestAccessRequestsInOtherLanguages(t *testing.T) {
	app := newTestApp(t)
	incomingRequest(t, app, "fence-support", "", tom, nil, nil, caroline)
	c := app.client()
	c.Header.Set("Accept-Language", "ru")
	c.mustSignIn(tom)
	res := c.get("/account/access-requests")
	if got := text(res, `[data-testid="tab-access-requests"]`); got != "Запросы доступа" {
		t.Errorf("ru tab %q", got)
	}
}

func TestAuditNamesImpersonationAndAccounts(t *testing.T) {
	app := newTestApp(t)
	r := incomingRequest(t, app, "fence-support", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, caroline)
	owner := app.client()
	owner.mustSignIn(tom)
	followed(t, owner, owner.post(incomingPath(r, "/grant"), url.Values{"noExpiry": {"1"}}))

	// Caroline impersonates Tom's account in support mode and renames Huck.
	_, fence := accountOf(t, app, tom)
	staff := app.client()
	staff.mustSignIn(caroline)
	if res := staff.post("/impersonate/"+fence.TenantID+"/support", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("impersonate: %d %s", res.StatusCode, text(res, "main"))
	}
	h := app.user(huck)
	form := url.Values{"displayName": {"Huckleberry Finn"}, "email": {huck}, "roles": h.Roles}
	if res := staff.post(userPath(h, ""), form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", res.StatusCode, text(res, "main"))
	}
	// Impersonating, the partner user may not answer requests.
	if res := staff.get("/account/access-requests"); res.StatusCode != http.StatusForbidden {
		t.Errorf("impersonating: %d", res.StatusCode)
	}

	// The customer's log: who, from which partner, in which mode.
	who := func(res *response) string {
		return squash(res.Doc.Find(`[data-testid="audit-row"]`).First().Find(`[data-testid="audit-who"]`).Text())
	}
	res := owner.get("/account/audit?action=user.update")
	if got := who(res); got != "Caroline Bingley (Classics, Inc.) impersonating in Support mode" {
		t.Errorf("customer log: %q", got)
	}
	if got := text(res, `[data-testid="audit-actor"]`); got != "Caroline Bingley" {
		t.Errorf("actor name %q", got)
	}
	if got := who(owner.get("/account/audit?action=access.grant")); got != "Tom Sawyer" {
		t.Errorf("own grant: %q", got)
	}

	// The partner's copy: the same, in Tom's account.
	partner := app.client()
	partner.mustSignIn(elizabeth)
	res = partner.get("/account/audit?action=user.update")
	if got := who(res); got != "Caroline Bingley (Classics, Inc.) impersonating in Support mode" {
		t.Errorf("partner log: %q", got)
	}
	if got := text(res, `[data-testid="audit-on-account"]`); got != "in Tom Sawyer Fence Painting Co." {
		t.Errorf("partner log on-account: %q", got)
	}
	res = partner.get("/account/audit?action=access.grant")
	if got := who(res); got != "Tom Sawyer (Tom Sawyer Fence Painting Co.)" {
		t.Errorf("partner log grant: %q", got)
	}

	// The CSV export carries the three values in the last columns.
	rows := readCSV(t, partner.get("/account/audit.csv?action=user.update"))
	header, first := rows[0], rows[1]
	n := len(header)
	if n < 3 || header[n-3] != "Actor's account" || header[n-2] != "Impersonation mode" || header[n-1] != "In account" {
		t.Fatalf("header %q", header)
	}
	if first[n-3] != "" || first[n-2] != "support" || first[n-1] != "Tom Sawyer Fence Painting Co." {
		t.Errorf("partner row %q", first[n-3:])
	}
	rows = readCSV(t, owner.get("/account/audit.csv?action=user.update"))
	if last := rows[1][len(rows[1])-3:]; last[0] != "Classics, Inc." || last[1] != "support" || last[2] != "" {
		t.Errorf("customer row %q", last)
	}
}

// TestBrowserPhoneAccessRequests: at phone width the Access requests tab,
// a request's page in each state with forms, the revoke confirmation and
// the Users tab with partner staff fit the screen, and the answers work
// without JavaScript tricks (plain forms).
func TestBrowserPhoneAccessRequests(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	proposed := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	pending := incomingRequest(t, app, "fence-configure-devices-and-settings-for-the-new-office", "We would like to set up the deskphones of your new office on Monday.\nThank you!",
		tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport, tenantdesk.ModeConfigure}, &proposed, caroline, incomingCharlotte, elizabeth)
	granted := incomingRequest(t, app, "fence-support", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, caroline)
	if _, err := app.Svc.Access.Grant(incomingActor(t, app, tom), granted.ID, tenantdesk.AccessAnswer{}); err != nil {
		t.Fatal(err)
	}
	base := app.Server.URL
	b := newPhoneBrowser(t, base)
	browserSignIn(t, b, base, tom, app.Password[tom])
	for _, p := range []string{"/account/access-requests", incomingPath(pending, ""), incomingPath(granted, ""), incomingPath(granted, "/revoke"), "/account/users"} {
		if status := b.Navigate(base + p); status != 200 || b.Path() != p {
			t.Errorf("GET %s: status %d at %s", p, status, b.Path())
			continue
		}
		assertFitsPhone(t, b, p)
	}
	b.Navigate(base + incomingPath(pending, ""))
	assertUsable(t, b, "[data-testid=grant-submit]")
	if status := b.DoAndWaitLoad("grant", chromedp.Click(chromedp.CSS("[data-testid=grant-submit]"))); status != 200 || b.Path() != incomingPath(pending, "") {
		t.Fatalf("grant: status %d at %s", status, b.Path())
	}
	if got := b.Text(`[data-testid="flash"]`); !strings.Contains(got, "granted") {
		t.Errorf("flash %q", got)
	}
	assertFitsPhone(t, b, "granted page")
	b.AssertClean()
}
