package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Partnerdesk's customer console (issue 12): the list with status, search,
// filter, order and CSV, the customer page, disabling and enabling.

func customerPath(a *tenantdesk.Account, suffix string) string {
	return "/partner/customers/" + a.TenantID + suffix
}

// newCustomer creates a customer of Classics as the operator would.
func newCustomer(t *testing.T, app *testApp, name, reference string) *tenantdesk.Account {
	t.Helper()
	_, classics := accountOf(t, app, elizabeth)
	a := &tenantdesk.Account{ParentID: classics.ID, Name: name, Reference: reference}
	if err := app.ops().CreateCustomer(tenantdesk.OperatorContext(context.Background()), a, nil); err != nil {
		t.Fatal(err)
	}
	return a
}

// customerRow is the list row of the customer with tenantID.
func customerRowStatus(res *response, tenantID string) string {
	return attr(res.Doc.Find(`[data-testid="customer-row"][data-tenant-id="`+tenantID+`"]`), "data-status")
}

// followRedirect gets where a 303 leads.
func followRedirect(t *testing.T, c *client, res *response) *response {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("want a redirect, got %d: %.300s", res.StatusCode, res.Body)
	}
	return c.get(res.Header.Get("Location"))
}

// TestCustomerStatusThroughOnboarding follows a customer from its creation
// (pending onboarding) through its first admin's activation (active) to
// disabled and enabled again, on the list, the customer page, sign-in and
// an open session.
func TestCustomerStatusThroughOnboarding(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	ctx := context.Background()
	_, classics := accountOf(t, app, elizabeth)
	mp := newCustomer(t, app, "Mansfield Park Estates", "MP-1814")
	p := app.client()
	p.mustSignIn(elizabeth)

	list := p.get("/partner/customers?q=mansfield")
	if got := customerRowStatus(list, mp.TenantID); got != string(tenantdesk.CustomerPendingOnboarding) {
		t.Fatalf("new customer's status %q", got)
	}
	if got := text(list, `[data-testid="customer-status"]`); got != "Pending onboarding" {
		t.Errorf("status words %q", got)
	}
	if href := attr(list.Doc.Find(`[data-testid="customer-name"]`), "href"); href != customerPath(mp, "") {
		t.Errorf("name links to %q", href)
	}
	if got := text(list, `[data-testid="customer-access-state"]`); got != "Legacy" {
		t.Errorf("partner access %q", got)
	}
	page := p.get(customerPath(mp, ""))
	mustStatus(t, page, http.StatusOK)
	if page.Doc.Find(`[data-testid="customer-admin-none"]`).Length() != 1 || text(page, `[data-testid="customer-reference"]`) != "MP-1814" {
		t.Errorf("page of a customer without users: %.500s", text(page, "main"))
	}
	if attr(page.Doc.Find(`[data-testid="customer-edit-settings"]`), "href") != customerPath(mp, "/settings") ||
		attr(page.Doc.Find(`[data-testid="customer-edit-general"]`), "href") != customerPath(mp, "/general") {
		t.Error("no links to edit the settings and the general information")
	}

	// Elizabeth invites the first admin (legacy access): still pending.
	const fanny = "fanny.price@mansfield.example"
	if _, err := app.Svc.Users.InviteUser(app.as(elizabeth), mp.ID, tenantdesk.NewUser{DisplayName: "Fanny Price", Email: fanny,
		Roles: []string{tenantdesk.RoleUserAdmin, tenantdesk.RoleCustomerUser}}); err != nil {
		t.Fatal(err)
	}
	page = p.get(customerPath(mp, ""))
	if page.Doc.Find(`[data-testid="customer-admin-invited"]`).Length() != 1 || text(page, `[data-testid="customer-activation-pending"]`) != "1" ||
		text(page, `[data-testid="customer-status"]`) != "Pending onboarding" {
		t.Errorf("after the invitation: %q", text(page, `[data-testid="customer-users"]`))
	}
	// Resend activation emails: a new link, the first stops working.
	first := latestLink(t, p, fanny, "/activate?token=")
	res := followRedirect(t, p, p.post(customerPath(mp, "/activation-emails"), nil))
	if got := text(res, `[data-testid="flash"]`); got != "Activation email sent to 1 user." {
		t.Errorf("flash %q", got)
	}
	link := latestLink(t, p, fanny, "/activate?token=")
	if link == first {
		t.Fatal("no new activation link")
	}
	anon := app.client()
	if res := setPassword(anon, "/activate", tokenOf(t, first), goodPassword, goodPassword); res.StatusCode == http.StatusSeeOther {
		t.Fatal("the replaced link still activates")
	}
	if res := setPassword(anon, "/activate", tokenOf(t, link), goodPassword, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("activation: %d", res.StatusCode)
	}
	if got := customerRowStatus(p.get("/partner/customers?q=mansfield"), mp.TenantID); got != string(tenantdesk.CustomerActive) {
		t.Fatalf("status after the admin activated: %q", got)
	}
	if page = p.get(customerPath(mp, "")); page.Doc.Find(`[data-testid="customer-admin-activated"]`).Length() != 1 {
		t.Error("the page does not say the admin activated")
	}

	// Fanny is signed in when Elizabeth disables the customer.
	f := app.client()
	if res := f.signIn(fanny, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("Fanny's sign-in: %d", res.StatusCode)
	}
	mustStatus(t, f.get("/account"), http.StatusOK)

	confirm := p.get(customerPath(mp, "/disable"))
	mustStatus(t, confirm, http.StatusOK)
	body := text(confirm, `[data-testid="customer-status-confirm"]`)
	for _, want := range []string{"cannot sign in", "403 account_disabled", "nothing is deleted", "signed out"} {
		if !strings.Contains(body, want) {
			t.Errorf("confirmation does not say %q: %q", want, body)
		}
	}
	if confirm.Doc.Find(`[data-testid="customer-status-confirm"] form input[name="_csrf"]`).Length() != 1 {
		t.Error("the confirmation form has no CSRF token")
	}
	page = followRedirect(t, p, p.post(customerPath(mp, "/disable"), nil))
	if text(page, `[data-testid="customer-status"]`) != "Disabled" || page.Doc.Find(`[data-testid="customer-disabled-note"]`).Length() != 1 ||
		page.Doc.Find(`[data-testid="customer-enable"]`).Length() != 1 || page.Doc.Find(`[data-testid="customer-resend"]`).Length() != 0 {
		t.Errorf("page after disabling: %q", text(page, "main"))
	}
	if got := customerRowStatus(p.get("/partner/customers?status=disabled"), mp.TenantID); got != string(tenantdesk.CustomerDisabled) {
		t.Errorf("disabled filter: %q", got)
	}
	// Her open session ends; signing in again is refused, and audited.
	if res := f.get("/account"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("open session of a disabled account: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = app.client().signIn(fanny, goodPassword)
	if res.StatusCode != http.StatusForbidden || text(res, `[data-testid="signin-error"]`) != "This account is disabled; contact your partner." {
		t.Errorf("sign-in of a disabled account: %d %q", res.StatusCode, text(res, `[data-testid="signin-error"]`))
	}
	if !hasAudit(t, app, mp.ID, tenantdesk.AuditSignInFailed, "account_disabled") {
		t.Error("the refused sign-in is not audited")
	}
	// A wrong password still gets the generic answer.
	if got := text(app.client().signIn(fanny, "not the password at all"), `[data-testid="signin-error"]`); got != "Incorrect email or password." {
		t.Errorf("wrong password: %q", got)
	}
	// Audited in both accounts, naming Elizabeth.
	for _, id := range []int64{mp.ID, classics.ID} {
		n := app.count(`SELECT count(*) FROM audit_log WHERE account_id = ? AND action = 'customer.disable' AND actor_name = 'Elizabeth Bennet' AND target_id = ?`, id, mp.TenantID)
		if n != 1 {
			t.Errorf("account %d: %d customer.disable entries", id, n)
		}
	}
	if stored, _ := app.DB.FindAccountByID(ctx, mp.ID); !stored.Disabled() || app.count(`SELECT count(*) FROM users WHERE account_id = ?`, mp.ID) != 1 {
		t.Error("not disabled, or something was deleted")
	}

	// Enabled again: active, and Fanny signs in.
	mustStatus(t, p.get(customerPath(mp, "/enable")), http.StatusOK)
	page = followRedirect(t, p, p.post(customerPath(mp, "/enable"), nil))
	if text(page, `[data-testid="customer-status"]`) != "Active" || !strings.Contains(text(page, `[data-testid="flash"]`), "enabled again") {
		t.Errorf("after enabling: %q / %q", text(page, `[data-testid="customer-status"]`), text(page, `[data-testid="flash"]`))
	}
	if res := app.client().signIn(fanny, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in after enabling: %d", res.StatusCode)
	}
	for _, id := range []int64{mp.ID, classics.ID} {
		if n := app.count(`SELECT count(*) FROM audit_log WHERE account_id = ? AND action = 'customer.enable'`, id); n != 1 {
			t.Errorf("account %d: %d customer.enable entries", id, n)
		}
	}
	// Enabling what is enabled changes nothing.
	followRedirect(t, p, p.post(customerPath(mp, "/enable"), nil))
	if n := app.count(`SELECT count(*) FROM audit_log WHERE account_id = ? AND action = 'customer.enable'`, mp.ID); n != 1 {
		t.Errorf("a second enable was audited (%d)", n)
	}
}

// TestDisabledCustomerRefusesFTP: the FTP login of a user of a disabled
// account is refused like any other failure, and audited with its reason.
func TestDisabledCustomerRefusesFTP(t *testing.T) {
	app := newTestApp(t, withFTPSecret)
	_, fence := accountOf(t, app, huck)
	h := app.client()
	h.mustSignIn(huck)
	h.get("/profile/ftp")
	if res := setFTP(h, app.Password[huck], ftpPassword, ftpPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set the FTP password: %d", res.StatusCode)
	}
	login := map[string]string{"username": huck, "password": ftpPassword, "clientIp": "192.0.2.1"}
	if res, _ := ftpAuth(t, app, "Bearer "+ftpSecret, login); res.StatusCode != http.StatusOK {
		t.Fatalf("FTP login before disabling: %d %s", res.StatusCode, res.Body)
	}
	if _, err := app.Svc.AccountInfo.SetCustomerDisabled(app.as(elizabeth), fence.TenantID, true); err != nil {
		t.Fatal(err)
	}
	if res, _ := ftpAuth(t, app, "Bearer "+ftpSecret, login); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("FTP login of a disabled account: %d %s", res.StatusCode, res.Body)
	}
	if !hasAudit(t, app, fence.ID, tenantdesk.AuditFTPAuthFailed, "account_disabled") {
		t.Error("the refused FTP login is not audited")
	}
}

func TestPartnerCustomerSearchFilterOrderAndCSV(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	na := newCustomer(t, app, "Northanger Abbey Tours", "NA-2024-77")
	app.Clock.Advance(time.Minute)
	pe := newCustomer(t, app, "Persuasion Naval Supplies", "KELLYNCH-9")
	app.Clock.Advance(time.Minute)
	yo := newCustomer(t, app, "Ёлочный базар", "")
	app.Clock.Advance(time.Minute)
	evil := newCustomer(t, app, `=HYPERLINK("http://evil.example","x")`, "@SUM(1+1)")
	p := app.client()
	p.mustSignIn(elizabeth)

	for q, want := range map[string]string{
		"ger abb":               na.Name, // the middle of a name
		"2024":                  na.Name, // the middle of a reference
		"lynch":                 pe.Name, // any case
		"ЁЛОЧ":                  yo.Name, // not only ASCII
		fence.TenantID[3:11]:    tomSawyerCo,
		"Sawyer Fence Painting": tomSawyerCo,
		"%":                     "", // no wildcards
		"_":                     "",
	} {
		got := strings.Join(customerNames(p.get("/partner/customers?q="+url.QueryEscape(q))), "|")
		if got != want {
			t.Errorf("q=%q: %q, want %q", q, got, want)
		}
	}

	// Status filter: the demo customers have activated Owners; the new ones have no admin.
	if _, err := app.Svc.AccountInfo.SetCustomerDisabled(app.as(elizabeth), pe.TenantID, true); err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string][]string{
		"active":             {hundredAcre, tomSawyerCo},
		"pending_onboarding": {evil.Name, na.Name, yo.Name},
		"disabled":           {pe.Name},
	} {
		res := p.get("/partner/customers?status=" + status)
		got := customerNames(res)
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("status=%s: %q, want %q", status, got, want)
		}
		if attr(res.Doc.Find(`#customer-status option[selected]`), "value") != status {
			t.Errorf("status=%s is not the selected filter", status)
		}
	}
	if res := p.get("/partner/customers?status=pending_onboarding&q=zz9"); !strings.Contains(text(res, `[data-testid="customers-empty"]`), "zz9") {
		t.Error("no empty state for a filtered search without results")
	}

	// Orders: newest first; by status (pending, active, disabled), then name.
	if got := customerNames(p.get("/partner/customers?sort=created")); len(got) != 6 || got[0] != evil.Name || got[1] != yo.Name {
		t.Errorf("sort=created: %q", got)
	}
	want := []string{evil.Name, na.Name, yo.Name, hundredAcre, tomSawyerCo, pe.Name}
	if got := customerNames(p.get("/partner/customers?sort=status")); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sort=status: %q, want %q", got, want)
	}

	// CSV of the view: the same filter, formulas defused.
	res := p.get("/partner/customers.csv?status=pending_onboarding&sort=name")
	records := readCSV(t, res)
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="customers-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if h := records[0]; h[0] != "Name" || h[2] != "Tenant ID" || h[3] != "Status" || len(h) != 11 {
		t.Errorf("header %q", h)
	}
	if len(records) != 4 {
		t.Fatalf("%d rows, want 3 pending customers", len(records)-1)
	}
	var names []string
	for _, r := range records[1:] {
		names = append(names, r[0])
		if r[4] != "pending_onboarding" || r[3] != "Pending onboarding" {
			t.Errorf("row %q", r)
		}
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) && !strings.HasPrefix(cell, "-") {
				t.Errorf("formula not defused: %q", cell)
			}
		}
	}
	if names[0] != `'=HYPERLINK("http://evil.example","x")` {
		t.Errorf("names %q", names)
	}
	if records[1][1] != "'@SUM(1+1)" {
		t.Errorf("reference %q", records[1][1])
	}
	if link := attr(p.get("/partner/customers?status=pending_onboarding&sort=created").Doc.Find(`[data-testid="customers-export"]`), "href"); link != "/partner/customers.csv?sort=created&status=pending_onboarding" {
		t.Errorf("export link %q", link)
	}
	// Unknown filter values read as none rather than an error page.
	if got := len(customerNames(p.get("/partner/customers?status=bogus&sort=bogus"))); got != 6 {
		t.Errorf("bogus filters: %d customers", got)
	}
}

// TestPartnerCustomerPagesPerOrder pages through every order with a filter
// and finds every customer once, in order.
func TestPartnerCustomerPagesPerOrder(t *testing.T) {
	app := newTestApp(t)
	_, classics := accountOf(t, app, elizabeth)
	for i := 0; i < 64; i++ {
		a := &tenantdesk.Account{ParentID: classics.ID, Name: fmt.Sprintf("Customer %02d", 63-i)}
		if err := app.ops().CreateCustomer(tenantdesk.OperatorContext(context.Background()), a, nil); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			app.Clock.Advance(time.Second) // some share a creation time
		}
		if i%5 == 0 {
			if _, err := app.Svc.AccountInfo.SetCustomerDisabled(app.as(elizabeth), a.TenantID, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := app.client()
	p.mustSignIn(elizabeth)
	for _, path := range []string{
		"/partner/customers?sort=status",
		"/partner/customers?sort=created",
		"/partner/customers?sort=status&q=customer",
		"/partner/customers?status=pending_onboarding&sort=created",
	} {
		var all, statuses []string
		next := path
		for pages := 0; next != ""; pages++ {
			if pages > 3 {
				t.Fatalf("%s: too many pages", path)
			}
			res := p.get(next)
			mustStatus(t, res, http.StatusOK)
			all = append(all, customerNames(res)...)
			for _, st := range res.Doc.Find(`[data-testid="customer-row"]`).Nodes {
				for _, a := range st.Attr {
					if a.Key == "data-status" {
						statuses = append(statuses, a.Val)
					}
				}
			}
			next = attr(res.Doc.Find(`[data-testid="customers-next"]`), "href")
		}
		want := 66
		switch {
		case strings.Contains(path, "q=customer"):
			want = 64
		case strings.Contains(path, "pending_onboarding"):
			want = 64 - 13
		}
		seen := map[string]bool{}
		for _, n := range all {
			if seen[n] {
				t.Errorf("%s: %q twice", path, n)
			}
			seen[n] = true
		}
		if len(all) != want {
			t.Errorf("%s: %d customers, want %d", path, len(all), want)
		}
		if strings.Contains(path, "sort=status") {
			rank := map[string]int{"pending_onboarding": 0, "active": 1, "disabled": 2}
			if !sort.SliceIsSorted(statuses, func(i, j int) bool { return rank[statuses[i]] < rank[statuses[j]] }) {
				t.Errorf("%s: not in status order", path)
			}
		}
	}
	// A cursor of another order is refused.
	res := p.get("/partner/customers?sort=created")
	next := attr(res.Doc.Find(`[data-testid="customers-next"]`), "href")
	u, _ := url.Parse(next)
	if res := p.get("/partner/customers?sort=status&after=" + url.QueryEscape(u.Query().Get("after"))); res.StatusCode != http.StatusBadRequest {
		t.Errorf("cursor of another order: %d", res.StatusCode)
	}
}

// TestCustomerConsoleIsThePartnersOnly: another partner never sees these
// customers (list, page, CSV, disable: 404); the customer's own users get
// 404; the partner's partner.user sees the page but cannot disable (403).
func TestCustomerConsoleIsThePartnersOnly(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	_, fence := accountOf(t, app, tom)
	_, owner, err := app.ops().CreatePartner(tenantdesk.OperatorContext(ctx), tenantdesk.CreatePartnerInput{
		Name: "Moderns, Ltd.", OwnerName: "Clarissa Dalloway", OwnerEmail: "clarissa.dalloway@moderns.example",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.ops().SetPassword(ctx, owner.ID, "mrs-dalloway-buys-flowers"); err != nil {
		t.Fatal(err)
	}
	app.Password[owner.Email] = "mrs-dalloway-buys-flowers"

	for _, who := range []string{owner.Email, tom} {
		c := app.client()
		c.mustSignIn(who)
		for _, path := range []string{"", "/disable", "/enable"} {
			if res := c.get(customerPath(fence, path)); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", who, path, res.StatusCode)
			}
		}
		c.get("/")
		for _, path := range []string{"/disable", "/enable", "/activation-emails"} {
			if res := c.post(customerPath(fence, path), nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who, path, res.StatusCode)
			}
		}
	}
	c := app.client()
	c.mustSignIn(owner.Email)
	if names := customerNames(c.get("/partner/customers?q=" + url.QueryEscape(fence.TenantID))); len(names) != 0 {
		t.Errorf("the other partner lists %q", names)
	}
	if records := readCSV(t, c.get("/partner/customers.csv")); len(records) != 1 {
		t.Errorf("the other partner's CSV has %d rows", len(records)-1)
	}
	if a, _ := app.DB.FindAccountByID(ctx, fence.ID); a.Disabled() {
		t.Fatal("another partner disabled the customer")
	}

	// Caroline (partner.user): the page, no actions, 403 on them; before
	// the first grant only partner admins see the users.
	cb := app.client()
	cb.mustSignIn(caroline)
	res := cb.get(customerPath(fence, ""))
	mustStatus(t, res, http.StatusOK)
	if res.Doc.Find(`[data-testid="customer-disable"]`).Length() != 0 || res.Doc.Find(`[data-testid="customer-edit-general"]`).Length() != 0 {
		t.Error("partner.user is offered the partner.admin's actions")
	}
	if got := text(res, `[data-testid="customer-hidden"]`); !strings.Contains(got, "only your partner administrators") {
		t.Errorf("hidden note %q", got)
	}
	if res := cb.get(customerPath(fence, "/disable")); res.StatusCode != http.StatusForbidden {
		t.Errorf("partner.user GET disable: %d", res.StatusCode)
	}
	if res := cb.post(customerPath(fence, "/disable"), nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("partner.user POST disable: %d", res.StatusCode)
	}
	if a, _ := app.DB.FindAccountByID(ctx, fence.ID); a.Disabled() {
		t.Fatal("partner.user disabled the customer")
	}
	// Elizabeth (partner.admin) has the actions and sees the users.
	e := app.client()
	e.mustSignIn(elizabeth)
	res = e.get(customerPath(fence, ""))
	if res.Doc.Find(`[data-testid="customer-disable"]`).Length() != 1 || res.Doc.Find(`[data-testid="customer-users-total"]`).Length() != 1 ||
		res.Doc.Find(`[data-testid="customer-licence"]`).Length() == 0 {
		t.Errorf("partner.admin's page: %q", text(res, "main"))
	}
	if want := app.count(`SELECT count(*) FROM users WHERE account_id = ?`, fence.ID); text(res, `[data-testid="customer-users-total"]`) != fmt.Sprint(want) {
		t.Errorf("users total %q, want %d", text(res, `[data-testid="customer-users-total"]`), want)
	}
	if res := e.get("/partner/customers/tnnosuchtenant00000"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown tenant: %d", res.StatusCode)
	}
}

// TestCustomerPageAfterTheFirstGrant: once the customer granted access to
// named staff, its partner.admin without a grant sees the record only and
// cannot resend activation emails (403, said on the page); the granted
// partner.user sees the users and resends, audited in both accounts.
func TestCustomerPageAfterTheFirstGrant(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	_, classics := accountOf(t, app, elizabeth)
	fence := app.account(tomSawyerCo)
	joe := &tenantdesk.User{AccountID: fence.ID, DisplayName: "Ben Rogers", Email: "ben.rogers@fence.example", Roles: []string{tenantdesk.RoleCustomerUser}}
	if err := app.ops().CreateUser(ctx, joe); err != nil {
		t.Fatal(err)
	}
	app.grantAccess(fence, tom, nil, caroline)

	e := app.client()
	e.mustSignIn(elizabeth)
	res := e.get(customerPath(fence, ""))
	mustStatus(t, res, http.StatusOK)
	if got := text(res, `[data-testid="customer-hidden"]`); !strings.Contains(got, "access request") || res.Doc.Find(`[data-testid="customer-users-total"]`).Length() != 0 {
		t.Errorf("partner.admin without a grant: %q", got)
	}
	if got := text(res, `[data-testid="customer-access-state"]`); got != "Granted to 1 staff member" {
		t.Errorf("access state %q", got)
	}
	if res.Doc.Find(`[data-testid="customer-request"]`).Length() != 1 {
		t.Error("the request is not listed")
	}
	if res.Doc.Find(`[data-testid="customer-disable"]`).Length() != 1 {
		t.Error("the record's actions need no grant")
	}
	res = e.post(customerPath(fence, "/activation-emails"), nil)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(text(res, `[data-testid="customer-error"]`), "access request") {
		t.Errorf("resend without a grant: %d %q", res.StatusCode, text(res, `[data-testid="customer-error"]`))
	}
	if n := app.count(`SELECT count(*) FROM audit_log WHERE account_id = ? AND action = 'user.activation_sent'`, fence.ID); n != 0 {
		t.Fatalf("%d activation emails sent without access", n)
	}

	cb := app.client()
	cb.mustSignIn(caroline)
	res = cb.get(customerPath(fence, ""))
	if res.Doc.Find(`[data-testid="customer-users-total"]`).Length() != 1 || text(res, `[data-testid="customer-activation-pending"]`) == "0" {
		t.Fatalf("granted partner.user: %q", text(res, `[data-testid="customer-users"]`))
	}
	pending := text(res, `[data-testid="customer-activation-pending"]`)
	res = followRedirect(t, cb, cb.post(customerPath(fence, "/activation-emails"), nil))
	if got := text(res, `[data-testid="flash"]`); !strings.Contains(got, pending) {
		t.Errorf("flash %q, want %s users", got, pending)
	}
	if n := app.count(`SELECT count(*) FROM audit_log WHERE account_id = ? AND action = 'user.activation_sent' AND actor_name = 'Caroline Bingley' AND impersonation_mode <> ''`, fence.ID); fmt.Sprint(n) != pending {
		t.Errorf("%d activation_sent entries in the customer's log, want %s", n, pending)
	}
	if n := app.count(`SELECT count(*) FROM audit_log WHERE account_id = ? AND action = 'user.activation_sent'`, classics.ID); fmt.Sprint(n) != pending {
		t.Errorf("%d copies in the partner's log, want %s", n, pending)
	}
}
