package web_test

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Partnerdesk › Access requests and My zone (web/access_partner.go).

const partnerCharlotte = "charlotte.lucas@classics.example"

// actorCtx is a context acting as the demo user with email, for arranging
// through the services what the customer side does.
func actorCtx(t *testing.T, app *testApp, email string) context.Context {
	t.Helper()
	u, acc := accountOf(t, app, email)
	return tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: u, Account: acc})
}

// supportAccessForm is the New request form Elizabeth fills in: Caroline →
// Tom Sawyer, Charlotte → Tom Sawyer and Hundred Acre, a third block left
// empty.
func supportAccessForm(t *testing.T, app *testApp, name string) url.Values {
	t.Helper()
	carol, _ := accountOf(t, app, caroline)
	charlotte, _ := accountOf(t, app, partnerCharlotte)
	_, fence := accountOf(t, app, tom)
	_, gallery := accountOf(t, app, robin)
	return url.Values{
		"name": {name}, "message": {"Quarterly\r\nreview"}, "modes": {"support", "configure"}, "expiresAt": {""},
		"assoc_count":        {"3"},
		"assoc[0].users":     {tenantdesk.FormatUserID(carol.ID)},
		"assoc[0].customers": {fence.TenantID},
		"assoc[1].users":     {tenantdesk.FormatUserID(charlotte.ID)},
		"assoc[1].customers": {fence.TenantID, gallery.TenantID},
	}
}

// accessRows are the list's rows: customer name → people.
func accessRows(res *response) map[string]string {
	out := map[string]string{}
	res.Doc.Find(`[data-testid="access-row"]`).Each(func(_ int, s *goquery.Selection) {
		out[strings.TrimSpace(s.Find(`[data-testid="access-customer"]`).Text())] = strings.TrimSpace(s.Find(`[data-testid="access-people"]`).Text())
	})
	return out
}

func checked(res *response, id string) bool {
	_, ok := res.Doc.Find(`input#` + id).Attr("checked")
	return ok
}

// createSupportAccess sends the form as Elizabeth and returns the two
// requests, Tom Sawyer's first.
func createSupportAccess(t *testing.T, app *testApp, p *client) []*tenantdesk.AccessRequest {
	t.Helper()
	res := p.post("/partner/access-requests", supportAccessForm(t, app, "SupportAccess"))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/partner/access-requests" {
		t.Fatalf("save: %d %s; body %.800s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	rs, err := app.Svc.Access.Outgoing(actorCtx(t, app, elizabeth), tenantdesk.AccessRequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].AccountName > rs[j].AccountName })
	return rs
}

func TestAccessRequestFormSendsOneRequestPerCustomer(t *testing.T) {
	app := newTestApp(t)
	p := app.client()
	p.mustSignIn(elizabeth)
	carol, _ := accountOf(t, app, caroline)
	charlotte, _ := accountOf(t, app, partnerCharlotte)
	_, fence := accountOf(t, app, tom)
	_, gallery := accountOf(t, app, robin)

	// Nothing sent yet: the empty state explains access requests.
	res := p.get("/partner/access-requests")
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(text(res, `[data-testid="access-empty"]`), "Support mode") {
		t.Errorf("empty state: %q", text(res, `[data-testid="access-empty"]`))
	}
	if attr(res.Doc.Find(`[data-testid="nav-access-requests"]`), "aria-current") != "page" {
		t.Error("Access requests not current in the side menu")
	}
	if got := text(res, "title"); !strings.HasPrefix(got, "Access requests") {
		t.Errorf("title %q", got)
	}

	// The fresh form: labelled fields, both modes ticked, three blocks.
	res = p.get("/partner/access-requests/new")
	mustStatus(t, res, http.StatusOK)
	for _, id := range []string{"name", "message", "expiresAt", "customer-search"} {
		if res.Doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("no label for #%s", id)
		}
	}
	if hint := text(res, "#name-hint"); !strings.Contains(hint, "no spaces") {
		t.Errorf("name hint %q", hint)
	}
	if !checked(res, "mode-support") || !checked(res, "mode-configure") {
		t.Error("modes not both ticked by default")
	}
	if n := res.Doc.Find(`[data-testid="assoc-block"]`).Length(); n != 3 {
		t.Errorf("%d association blocks, want 3", n)
	}
	for _, id := range []string{"assoc-0-user-" + tenantdesk.FormatUserID(carol.ID), "assoc-2-customer-" + gallery.TenantID} {
		if res.Doc.Find(`input#`+id).Length() != 1 || res.Doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("no labelled checkbox #%s", id)
		}
	}

	// A name with a space: refused with the reason, everything kept.
	form := supportAccessForm(t, app, "Support Access")
	res = p.post("/partner/access-requests", form)
	mustStatus(t, res, http.StatusBadRequest)
	if msg := text(res, `[data-testid="name-error"]`); !strings.Contains(msg, "no spaces") {
		t.Errorf("name error %q", msg)
	}
	item := res.Doc.Find(`[data-testid="form-error"] [data-testid="form-error-item"] a`)
	if attr(item, "href") != "#name" || !strings.Contains(item.Text(), "no spaces") {
		t.Errorf("summary: %q → %q", item.Text(), attr(item, "href"))
	}
	if v := attr(res.Doc.Find("input#name"), "value"); v != "Support Access" {
		t.Errorf("name not kept: %q", v)
	}
	if v := res.Doc.Find("textarea#message").Text(); !strings.Contains(v, "Quarterly") {
		t.Errorf("message not kept: %q", v)
	}
	for _, id := range []string{"assoc-0-user-" + tenantdesk.FormatUserID(carol.ID), "assoc-0-customer-" + fence.TenantID,
		"assoc-1-user-" + tenantdesk.FormatUserID(charlotte.ID), "assoc-1-customer-" + fence.TenantID, "assoc-1-customer-" + gallery.TenantID} {
		if !checked(res, id) {
			t.Errorf("%s not kept ticked", id)
		}
	}
	if checked(res, "assoc-0-customer-"+gallery.TenantID) || checked(res, "assoc-2-user-"+tenantdesk.FormatUserID(carol.ID)) {
		t.Error("a box nobody ticked is ticked")
	}
	if n := app.count(`SELECT count(*) FROM access_requests`); n != 0 {
		t.Fatalf("%d requests saved from an invalid form", n)
	}

	// No mode and no association: both said at once.
	res = p.post("/partner/access-requests", url.Values{"name": {"Empty"}, "assoc_count": {"3"}})
	mustStatus(t, res, http.StatusBadRequest)
	var hrefs []string
	res.Doc.Find(`[data-testid="form-error-item"] a`).Each(func(_ int, s *goquery.Selection) { hrefs = append(hrefs, attr(s, "href")) })
	if strings.Join(hrefs, " ") != "#modes #associations" {
		t.Errorf("summary links %v", hrefs)
	}

	// "Add another association" without script: one more block, all kept.
	form = supportAccessForm(t, app, "Support Access")
	form.Set("add_association", "1")
	res = p.post("/partner/access-requests", form)
	mustStatus(t, res, http.StatusOK)
	if n := res.Doc.Find(`[data-testid="assoc-block"]`).Length(); n != 4 {
		t.Errorf("%d blocks after adding one, want 4", n)
	}
	if _, ok := res.Doc.Find(`#assoc-3`).Attr("autofocus"); !ok {
		t.Error("the new block does not take the focus")
	}
	if res.Doc.Find(`[data-testid="form-error"]`).Length() != 0 || !checked(res, "assoc-1-customer-"+gallery.TenantID) ||
		attr(res.Doc.Find("input#name"), "value") != "Support Access" {
		t.Error("adding a block lost input or showed errors")
	}

	// Searching the customers keeps a ticked customer the search does not find.
	form = supportAccessForm(t, app, "SupportAccess")
	form.Set("search", "1")
	form.Set("q", "Hun")
	res = p.post("/partner/access-requests", form)
	mustStatus(t, res, http.StatusOK)
	if res.Doc.Find(`input#assoc-2-customer-`+fence.TenantID).Length() != 1 || !checked(res, "assoc-0-customer-"+fence.TenantID) {
		t.Error("the ticked customer fell out of the list")
	}
	res = p.get("/partner/access-requests/new?q=Hun")
	if res.Doc.Find(`input#assoc-0-customer-`+fence.TenantID).Length() != 0 || res.Doc.Find(`input#assoc-0-customer-`+gallery.TenantID).Length() != 1 {
		t.Error("search did not filter the customers")
	}

	// An unknown customer is not found.
	form = supportAccessForm(t, app, "SupportAccess")
	form.Set("assoc[2].users", tenantdesk.FormatUserID(carol.ID))
	form.Set("assoc[2].customers", "no-such-tenant")
	mustStatus(t, p.post("/partner/access-requests", form), http.StatusNotFound)

	// Saved: one pending request per customer, each naming its own people.
	rs := createSupportAccess(t, app, p)
	if len(rs) != 2 || rs[0].AccountID != fence.ID || rs[1].AccountID != gallery.ID {
		t.Fatalf("requests: %+v", rs)
	}
	names := func(r *tenantdesk.AccessRequest) string {
		var n []string
		for _, u := range r.Users {
			n = append(n, u.DisplayName)
		}
		return strings.Join(n, ", ")
	}
	if names(rs[0]) != "Caroline Bingley, Charlotte Lucas" || names(rs[1]) != "Charlotte Lucas" {
		t.Errorf("people: %q / %q", names(rs[0]), names(rs[1]))
	}
	for _, r := range rs {
		if r.State != tenantdesk.AccessPending || r.Name != "SupportAccess" || len(r.Modes) != 2 || r.Message != "Quarterly\nreview" {
			t.Errorf("request %+v", r)
		}
	}
	res = p.get("/partner/access-requests")
	mustStatus(t, res, http.StatusOK)
	if got := text(res, `[data-testid="flash"]`); got != "2 requests sent: one to each customer." {
		t.Errorf("flash %q", got)
	}
	rows := accessRows(res)
	if rows[fence.Name] != "Caroline Bingley, Charlotte Lucas" || rows[gallery.Name] != "Charlotte Lucas" || len(rows) != 2 {
		t.Errorf("rows %v", rows)
	}
	res.Doc.Find(`[data-testid="access-state"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Text()) != "Pending" {
			t.Errorf("state %q", s.Text())
		}
	})
	// The state filter is a plain GET form.
	if res = p.get("/partner/access-requests?state=granted"); len(accessRows(res)) != 0 || res.Doc.Find(`[data-testid="access-empty"]`).Length() != 1 {
		t.Error("granted filter")
	}
	if res = p.get("/partner/access-requests?state=pending"); len(accessRows(res)) != 2 {
		t.Error("pending filter")
	}
	if res = p.get("/partner/access-requests?state=bogus"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("unknown state: %d", res.StatusCode)
	}
}

func TestAccessRequestsArePartnerAdminsOnly(t *testing.T) {
	app := newTestApp(t)
	for _, who := range []string{caroline, tom} {
		c := app.client()
		c.mustSignIn(who)
		for _, path := range []string{"/partner/access-requests", "/partner/access-requests/new"} {
			if res := c.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", who, path, res.StatusCode)
			}
		}
		if res := c.post("/partner/access-requests", supportAccessForm(t, app, "SupportAccess")); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST: %d", who, res.StatusCode)
		}
	}
	if n := app.count(`SELECT count(*) FROM access_requests`); n != 0 {
		t.Fatalf("%d requests saved", n)
	}
	// Caroline's menu has no Access requests; Elizabeth's has.
	c := app.client()
	c.mustSignIn(caroline)
	if c.get("/").Doc.Find(`[data-testid="nav-access-requests"]`).Length() != 0 {
		t.Error("partner.user sees Access requests in the menu")
	}
}

func TestMyZoneListsRequestsAndImpersonation(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	_, gallery := accountOf(t, app, robin)
	z := app.client()
	z.mustSignIn(partnerCharlotte)

	// My zone is a My profile tab of partner staff only.
	res := z.get("/profile/zone")
	mustStatus(t, res, http.StatusOK)
	if attr(res.Doc.Find(`[data-testid="profile-tab-zone"]`), "aria-current") != "page" {
		t.Error("My zone tab not current")
	}
	if res.Doc.Find(`[data-testid="zone-empty"]`).Length() != 1 {
		t.Error("no empty state before any request")
	}
	if got := text(res, "title"); !strings.HasPrefix(got, "My zone") {
		t.Errorf("title %q", got)
	}
	cust := app.client()
	cust.mustSignIn(tom)
	if cust.get("/profile").Doc.Find(`[data-testid="profile-tab-zone"]`).Length() != 0 {
		t.Error("a customer user has the My zone tab")
	}
	if res := cust.get("/profile/zone"); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer user's My zone: %d", res.StatusCode)
	}

	p := app.client()
	p.mustSignIn(elizabeth)
	rs := createSupportAccess(t, app, p)

	// Both requests name Charlotte; pending ones offer no way in.
	res = z.get("/profile/zone")
	mustStatus(t, res, http.StatusOK)
	if n := res.Doc.Find(`[data-testid="zone-row"]`).Length(); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
	if res.Doc.Find(`[data-testid^="zone-impersonate-"]`).Length() != 0 {
		t.Error("impersonation offered on pending requests")
	}

	// Tom Sawyer's Owner grants, with a message: the way in, in both modes.
	if _, err := app.Svc.Access.Grant(actorCtx(t, app, tom), rs[0].ID, tenantdesk.AccessAnswer{Message: "Welcome, friends"}); err != nil {
		t.Fatal(err)
	}
	res = z.get("/profile/zone")
	row := res.Doc.Find(`[data-testid="zone-row"][data-tenant-id="` + fence.TenantID + `"]`)
	if got := strings.TrimSpace(row.Find(`[data-testid="zone-state"]`).Text()); got != "Granted" {
		t.Errorf("state %q", got)
	}
	if got := strings.TrimSpace(row.Find(`[data-testid="zone-answer"]`).Text()); got != "Welcome, friends" {
		t.Errorf("answer %q", got)
	}
	if attr(row.Find(`[data-testid="zone-impersonate-support"]`), "href") != "/impersonate/"+fence.TenantID+"/support" ||
		attr(row.Find(`[data-testid="zone-impersonate-configure"]`), "href") != "/impersonate/"+fence.TenantID+"/configure" {
		t.Errorf("impersonate links: %s", row.Text())
	}
	other := res.Doc.Find(`[data-testid="zone-row"][data-tenant-id="` + gallery.TenantID + `"]`)
	if other.Find(`[data-testid^="zone-impersonate-"]`).Length() != 0 {
		t.Error("impersonation offered on Hundred Acre's pending request")
	}
	// The link leads to the confirmation page, which lets Charlotte in.
	mustStatus(t, z.get("/impersonate/"+fence.TenantID+"/support"), http.StatusOK)

	// The filters are links.
	for state, want := range map[string]int{"granted": 1, "pending": 1, "denied": 0, "expired": 0} {
		res = z.get("/profile/zone?state=" + state)
		if n := res.Doc.Find(`[data-testid="zone-row"]`).Length(); n != want {
			t.Errorf("%s: %d rows, want %d", state, n, want)
		}
		if attr(res.Doc.Find(`[data-testid="zone-filter-`+state+`"]`), "aria-current") != "page" {
			t.Errorf("%s filter not current", state)
		}
	}

	// Hundred Acre denies: it is in Denied, with no way in.
	if _, err := app.Svc.Access.Deny(actorCtx(t, app, robin), rs[1].ID, "Not now"); err != nil {
		t.Fatal(err)
	}
	res = z.get("/profile/zone?state=denied")
	if n := res.Doc.Find(`[data-testid="zone-row"]`).Length(); n != 1 || text(res, `[data-testid="zone-answer"]`) != "Not now" {
		t.Errorf("denied: %d rows, answer %q", n, text(res, `[data-testid="zone-answer"]`))
	}

	// After the grant's expiry the row is Expired and offers no way in.
	if _, err := app.Svc.Access.SetExpiry(actorCtx(t, app, tom), rs[0].ID, ptrTime(app.Clock.Now().Add(10*time.Minute))); err != nil {
		t.Fatal(err)
	}
	app.Clock.Advance(15 * time.Minute)
	res = z.get("/profile/zone")
	row = res.Doc.Find(`[data-testid="zone-row"][data-tenant-id="` + fence.TenantID + `"]`)
	if got := strings.TrimSpace(row.Find(`[data-testid="zone-state"]`).Text()); got != "Expired" || row.Find(`[data-testid^="zone-impersonate-"]`).Length() != 0 {
		t.Errorf("after expiry: %q, %d links", got, row.Find(`[data-testid^="zone-impersonate-"]`).Length())
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestPartnerChangesExpiryAndWithdraws(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	p := app.client()
	p.mustSignIn(elizabeth)
	rs := createSupportAccess(t, app, p)
	path := "/partner/access-requests/" + tenantdesk.FormatAccessRequestID(rs[0].ID)

	res := p.get(path)
	mustStatus(t, res, http.StatusOK)
	if got := text(res, `[data-testid="access-detail-state"]`); got != "Pending" {
		t.Errorf("state %q", got)
	}
	if !strings.Contains(text(res, `[data-testid="access-detail-people"]`), "Caroline Bingley") ||
		!strings.Contains(text(res, `[data-testid="access-detail-customer"]`), fence.TenantID) {
		t.Error("details missing")
	}
	if res.Doc.Find(`[data-testid="access-expiry-form"]`).Length() != 1 || res.Doc.Find(`[data-testid="access-withdraw"]`).Length() != 1 {
		t.Error("pending request without its actions")
	}
	for _, bad := range []string{"/partner/access-requests/nonsense", "/partner/access-requests/" + tenantdesk.FormatAccessRequestID(999999)} {
		if res := p.get(bad); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}

	// The expiry: the end of the chosen day, in Elizabeth's zone (UTC).
	res = p.post(path+"/expiry", url.Values{"expiresAt": {"2026-12-01"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
		t.Fatalf("expiry: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	r, err := app.Svc.Access.GetAccessRequest(actorCtx(t, app, elizabeth), rs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC); r.ExpiresAt == nil || !r.ExpiresAt.Equal(want) {
		t.Errorf("expiry %v, want %v", r.ExpiresAt, want)
	}
	res = p.get(path)
	if got := text(res, `[data-testid="access-detail-expires"]`); got != "End of 2026-12-01 (UTC)" {
		t.Errorf("expiry shown %q", got)
	}
	if v := attr(res.Doc.Find("input#expiresAt"), "value"); v != "2026-12-01" {
		t.Errorf("expiry field %q", v)
	}
	if !strings.Contains(text(res, `[data-testid="flash"]`), "End of 2026-12-01") {
		t.Errorf("flash %q", text(res, `[data-testid="flash"]`))
	}
	// A date in the past, and a non-date: refused, the input kept.
	for in, want := range map[string]string{"2026-11-01": "future", "soon": "as a date"} {
		res = p.post(path+"/expiry", url.Values{"expiresAt": {in}})
		mustStatus(t, res, http.StatusBadRequest)
		if !strings.Contains(text(res, `[data-testid="expiresAt-error"]`), want) || attr(res.Doc.Find("input#expiresAt"), "value") != in {
			t.Errorf("%s: error %q, value %q", in, text(res, `[data-testid="expiresAt-error"]`), attr(res.Doc.Find("input#expiresAt"), "value"))
		}
	}

	// A grant ending within a week is flagged at the top of the list; the
	// partner may bring it forward, not push it later.
	if _, err := app.Svc.Access.Grant(actorCtx(t, app, tom), rs[0].ID, tenantdesk.AccessAnswer{ExpiresAt: ptrTime(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))}); err != nil {
		t.Fatal(err)
	}
	res = p.get("/partner/access-requests")
	if item := text(res, `[data-testid="access-expiring-item"]`); !strings.Contains(item, fence.Name) || !strings.Contains(item, "End of 2026-11-24") {
		t.Errorf("expiring note %q", item)
	}
	res = p.post(path+"/expiry", url.Values{"expiresAt": {"2026-12-20"}})
	mustStatus(t, res, http.StatusBadRequest)
	if !strings.Contains(text(res, `[data-testid="expiresAt-error"]`), "only the customer can extend") {
		t.Errorf("later expiry: %q", text(res, `[data-testid="expiresAt-error"]`))
	}

	// Withdraw: a confirmation page, then the request is closed.
	res = p.get(path + "/withdraw")
	mustStatus(t, res, http.StatusOK)
	if attr(res.Doc.Find(`form[action="`+path+`/withdraw"]`), "method") != "post" || res.Doc.Find(`form input[name="_csrf"]`).Length() == 0 {
		t.Error("no confirmation form")
	}
	res = p.post(path+"/withdraw", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %.300s", res.StatusCode, res.Body)
	}
	res = p.get(path)
	if got := text(res, `[data-testid="access-detail-state"]`); got != "Withdrawn" {
		t.Errorf("state %q", got)
	}
	if res.Doc.Find(`[data-testid="access-expiry-form"]`).Length() != 0 || res.Doc.Find(`[data-testid="access-withdraw"]`).Length() != 0 ||
		!strings.Contains(text(res, `[data-testid="access-closed"]`), "withdrawn") {
		t.Error("a withdrawn request still offers actions, or does not say why not")
	}
	if res := p.get(path + "/withdraw"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("confirming a closed request: %d", res.StatusCode)
	}
	res = p.post(path+"/withdraw", nil)
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(text(res, `[data-testid="access-detail-error"]`), "closed") {
		t.Errorf("second withdraw: %q", text(res, `[data-testid="access-detail-error"]`))
	}
	// Caroline, named in it, may not open the partner's page.
	c := app.client()
	c.mustSignIn(caroline)
	if res := c.get(path); res.StatusCode != http.StatusForbidden {
		t.Errorf("partner.user on the request page: %d", res.StatusCode)
	}
}

func TestPartnerCustomersOfferImpersonation(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	for who, edit := range map[string]bool{elizabeth: true, caroline: false} {
		c := app.client()
		c.mustSignIn(who)
		res := c.get("/partner/customers")
		mustStatus(t, res, http.StatusOK)
		row := res.Doc.Find(`[data-testid="customer-row"][data-tenant-id="` + fence.TenantID + `"]`)
		for _, mode := range []string{"support", "configure"} {
			a := row.Find(`[data-testid="customer-impersonate-` + mode + `"]`)
			if attr(a, "href") != "/impersonate/"+fence.TenantID+"/"+mode || !strings.Contains(a.Text(), "Impersonate and "+mode) {
				t.Errorf("%s: %s link %q → %q", who, mode, a.Text(), attr(a, "href"))
			}
		}
		if got := row.Find(`[data-testid="customer-edit"]`).Length() == 1; got != edit {
			t.Errorf("%s: edit link shown %v", who, got)
		}
	}
}
