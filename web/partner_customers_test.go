package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const (
	caroline = "caroline.bingley@classics.example"
	robin    = "christopher.robin@hundredacre.example"
)

func generalPath(a *tenantdesk.Account) string {
	return "/partner/customers/" + a.TenantID + "/general"
}

// generalForm is the edit form's current values, as a browser would submit them.
func generalForm(res *response) url.Values {
	f := url.Values{}
	res.Doc.Find(`form[data-testid="general-form"] input, form[data-testid="general-form"] textarea`).Each(func(_ int, s *goquery.Selection) {
		name := attr(s, "name")
		if goquery.NodeName(s) == "textarea" {
			f.Set(name, s.Text())
		} else {
			f.Set(name, attr(s, "value"))
		}
	})
	return f
}

func customerNames(res *response) []string {
	var names []string
	res.Doc.Find(`[data-testid="customer-row"] [data-testid="customer-name"]`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, strings.TrimSpace(s.Text()))
	})
	return names
}

func TestPartnerEditsCustomerGeneralInformation(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	p := app.client()
	p.mustSignIn(elizabeth)

	// The customer list: the partner's customers with their user counts and edit links.
	res := p.get("/partner/customers")
	mustStatus(t, res, http.StatusOK)
	if got := customerNames(res); strings.Join(got, "|") != "Hundred Acre Wood Art Gallery|Tom Sawyer Fence Painting Co." {
		t.Errorf("customers = %q", got)
	}
	row := res.Doc.Find(`[data-testid="customer-row"][data-tenant-id="` + fence.TenantID + `"]`)
	users := queryInts(t, app, `SELECT count(*) FROM users WHERE account_id = ?`, fence.ID)[0]
	if got := strings.TrimSpace(row.Find(`[data-testid="customer-users"]`).Text()); got != fmt.Sprint(users) {
		t.Errorf("Fence users = %s, want %d", got, users)
	}
	if !strings.Contains(row.Text(), "FENCE-001") {
		t.Error("reference missing")
	}
	if href := attr(row.Find(`[data-testid="customer-edit"]`), "href"); href != generalPath(fence) {
		t.Errorf("edit link = %q", href)
	}
	if attr(res.Doc.Find(`[data-testid="nav-customers"]`), "aria-current") != "page" {
		t.Error("Customers not marked current in the side nav")
	}

	// The form holds the current values.
	res = p.get(generalPath(fence))
	mustStatus(t, res, http.StatusOK)
	form := generalForm(res)
	if form.Get("name") != fence.Name || form.Get("personalManagerEmail") != "mary.crawford@classics.example" ||
		form.Get("description") != fence.Description {
		t.Fatalf("form = %v", form)
	}
	if attr(res.Doc.Find(`label[for="gi-personalManagerEmail"]`), "for") == "" {
		t.Error("inputs lack labels")
	}
	form.Set("name", "Tom Sawyer Fence & Whitewash Co.")
	form.Set("reference", "FENCE-002")
	form.Set("technicalManagerEmail", "fanny.price@classics.example")
	form.Set("technicalManagerName", "Fanny Price")
	res = p.post(generalPath(fence), form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != generalPath(fence)+"?saved=1" {
		t.Fatalf("save: %d %q %.300s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	res = p.get(res.Header.Get("Location"))
	if res.Doc.Find(`[data-testid="general-saved"]`).Length() != 1 || generalForm(res).Get("reference") != "FENCE-002" {
		t.Error("saved page does not confirm or show the new values")
	}

	// The customer sees the new values, read-only.
	c := app.client()
	c.mustSignIn(tom)
	res = c.get("/account")
	for sel, want := range map[string]string{
		`[data-testid="general-name"]`:                                   "Tom Sawyer Fence & Whitewash Co.",
		`[data-testid="general-reference"]`:                              "FENCE-002",
		`[data-testid="technical-manager"] [data-testid="contact-name"]`: "Fanny Price",
	} {
		if got := text(res, sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if href := attr(res.Doc.Find(`[data-testid="technical-manager"] [data-testid="contact-email"]`), "href"); href != "mailto:fanny.price@classics.example" {
		t.Errorf("email link = %q", href)
	}

	// Audited in the customer's account: who, and the changed fields only.
	entries, err := app.DB.ListAudit(context.Background(), fence.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var upd *tenantdesk.AuditEntry
	for _, e := range entries {
		if e.Action == tenantdesk.AuditAccountUpdate {
			upd = e
			break
		}
	}
	if upd == nil {
		t.Fatal("no account.update entry")
	}
	var before, after map[string]string
	if json.Unmarshal([]byte(upd.Before), &before) != nil || json.Unmarshal([]byte(upd.After), &after) != nil {
		t.Fatalf("before/after not JSON: %q %q", upd.Before, upd.After)
	}
	var keys []string
	for k := range after {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "name,reference,technicalManagerEmail,technicalManagerName" {
		t.Errorf("audited fields = %v", keys)
	}
	if before["name"] != "Tom Sawyer Fence Painting Co." || after["name"] != "Tom Sawyer Fence & Whitewash Co." ||
		before["technicalManagerEmail"] != "edmund.bertram@classics.example" {
		t.Errorf("before %v after %v", before, after)
	}
	if upd.ActorName != "Elizabeth Bennet" || upd.TargetID != fence.TenantID || upd.IP == "" {
		t.Errorf("entry by %q on %q from %q", upd.ActorName, upd.TargetID, upd.IP)
	}
	// …and on the customer's Audit log tab.
	res = c.get("/account/audit?action=account.update")
	if got := text(res, `[data-testid="audit-actor"]`); got != "Elizabeth Bennet" {
		t.Errorf("audit tab actor = %q", got)
	}

	// Saving unchanged values writes nothing.
	n := len(queryInts(t, app, `SELECT id FROM audit_log WHERE account_id = ? AND action = 'account.update'`, fence.ID))
	p.post(generalPath(fence), generalForm(p.get(generalPath(fence))))
	if m := len(queryInts(t, app, `SELECT id FROM audit_log WHERE account_id = ? AND action = 'account.update'`, fence.ID)); m != n {
		t.Errorf("an unchanged save was audited (%d -> %d)", n, m)
	}
}

func TestPartnerGeneralInformationValidation(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	p := app.client()
	p.mustSignIn(elizabeth)
	orig := generalForm(p.get(generalPath(fence)))

	cases := []struct {
		field, value, want string
	}{
		{"personalManagerEmail", "mary at classics", "Enter a valid email address such as name@example.com."},
		{"name", "   ", "Account name is required."},
		{"reference", strings.Repeat("r", 101), "This field is too long."},
		{"description", strings.Repeat("d", 1001), "This field is too long."},
		{"technicalManagerPhone", strings.Repeat("5", 41), "This field is too long."},
		{"name", strings.Repeat("n", 201), "This field is too long."},
	}
	for _, tc := range cases {
		form := url.Values{}
		for k, v := range orig {
			form[k] = v
		}
		form.Set("supportPackage", "Premium (24×7)") // another change, kept on the error
		form.Set(tc.field, tc.value)
		res := p.post(generalPath(fence), form)
		mustStatus(t, res, http.StatusOK)
		if got := text(res, `[data-testid="error-`+tc.field+`"]`); got != tc.want {
			t.Errorf("%s=%q: error %q, want %q", tc.field, tc.value, got, tc.want)
		}
		input := res.Doc.Find(`#gi-` + tc.field)
		if attr(input, "aria-invalid") != "true" || !strings.Contains(attr(input, "aria-describedby"), "gi-"+tc.field+"-error") {
			t.Errorf("%s: input not marked invalid", tc.field)
		}
		kept := generalForm(res)
		if kept.Get(tc.field) != tc.value && strings.TrimSpace(tc.value) != "" {
			t.Errorf("%s: input not kept: %q", tc.field, kept.Get(tc.field))
		}
		if kept.Get("supportPackage") != "Premium (24×7)" {
			t.Errorf("%s: other input not kept", tc.field)
		}
	}
	if a, _ := app.DB.FindAccountByID(context.Background(), fence.ID); a.SupportPackage != fence.SupportPackage {
		t.Error("invalid input was saved")
	}
}

func TestGeneralInformationEditIsHiddenFromOthers(t *testing.T) {
	app := newTestApp(t)
	ctx := context.Background()
	_, fence := accountOf(t, app, tom)
	form := url.Values{"name": {"Hijacked"}}

	// Tom owns the account, but only its partner edits it: 404, not 403.
	// Christopher Robin (another customer of the same partner) and the
	// staff of another partner get 404 too.
	other, owner, err := app.ops().CreatePartner(tenantdesk.OperatorContext(ctx), tenantdesk.CreatePartnerInput{
		Name: "Moderns, Ltd.", OwnerName: "Clarissa Dalloway", OwnerEmail: "clarissa.dalloway@moderns.example",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.ops().SetPassword(ctx, owner.ID, "mrs-dalloway-buys-flowers"); err != nil {
		t.Fatal(err)
	}
	app.Password[owner.Email] = "mrs-dalloway-buys-flowers"
	for _, who := range []string{tom, robin, owner.Email} {
		c := app.client()
		c.mustSignIn(who)
		if res := c.get(generalPath(fence)); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s GET: %d, want 404", who, res.StatusCode)
		}
		c.get("/") // a CSRF token
		if res := c.post(generalPath(fence), form); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s POST: %d, want 404", who, res.StatusCode)
		}
	}
	// The other partner's list does not show Classics' customers.
	c := app.client()
	c.mustSignIn(owner.Email)
	res := c.get("/partner/customers")
	mustStatus(t, res, http.StatusOK)
	if n := len(customerNames(res)); n != 0 || res.Doc.Find(`[data-testid="customers-empty"]`).Length() != 1 {
		t.Errorf("%s sees %d customers", other.Name, n)
	}

	// Caroline is partner.user of Classics: she sees the customer in her
	// list, so hiding it would be pointless; editing is forbidden (403).
	cb := app.client()
	cb.mustSignIn(caroline)
	res = cb.get("/partner/customers")
	mustStatus(t, res, http.StatusOK)
	if len(customerNames(res)) != 2 || res.Doc.Find(`[data-testid="customer-edit"]`).Length() != 0 {
		t.Errorf("partner.user's list: %v, %d edit links", customerNames(res), res.Doc.Find(`[data-testid="customer-edit"]`).Length())
	}
	if res := cb.get(generalPath(fence)); res.StatusCode != http.StatusForbidden {
		t.Errorf("Caroline GET: %d, want 403", res.StatusCode)
	}
	if res := cb.post(generalPath(fence), form); res.StatusCode != http.StatusForbidden {
		t.Errorf("Caroline POST: %d, want 403", res.StatusCode)
	}
	// Unknown tenants are 404 for the partner too.
	e := app.client()
	e.mustSignIn(elizabeth)
	if res := e.get("/partner/customers/tnnosuchtenant00000/general"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown tenant: %d", res.StatusCode)
	}
	if a, _ := app.DB.FindAccountByID(ctx, fence.ID); a.Name != fence.Name {
		t.Fatalf("the account was changed to %q", a.Name)
	}

	// Customer users have no Partnerdesk.
	h := app.client()
	h.mustSignIn(huck)
	if res := h.get("/partner/customers"); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer user on the customer list: %d", res.StatusCode)
	}
}

func TestPartnerCustomerSearchAndPages(t *testing.T) {
	app := newTestApp(t)
	_, classics := accountOf(t, app, elizabeth)
	for i := 0; i < 55; i++ {
		name := fmt.Sprintf("Customer %02d", i)
		if i%2 == 1 {
			name = strings.ToLower(name) // mixed case sorts case-insensitively
		}
		if err := app.ops().CreateCustomer(context.Background(), &tenantdesk.Account{ParentID: classics.ID, Name: name}, nil); err != nil {
			t.Fatal(err)
		}
	}
	p := app.client()
	p.mustSignIn(elizabeth)

	for q, want := range map[string]string{"hundr": "Hundred Acre Wood Art Gallery", "HUNDRED acre": "Hundred Acre Wood Art Gallery", "tom s": "Tom Sawyer Fence Painting Co.", "awyer fen": "Tom Sawyer Fence Painting Co."} {
		if got := customerNames(p.get("/partner/customers?q=" + url.QueryEscape(q))); strings.Join(got, "|") != want {
			t.Errorf("q=%q: %v", q, got)
		}
	}
	// "9" is in no name and never in a tenant ID (base32: a–z, 2–7), which
	// the search also matches: a random ID must not make this flaky.
	res := p.get("/partner/customers?q=zz9")
	if !strings.Contains(text(res, `[data-testid="customers-empty"]`), "zz9") {
		t.Error("no empty state for a search without results")
	}

	var all []string
	path := "/partner/customers"
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("too many pages")
		}
		res := p.get(path)
		mustStatus(t, res, http.StatusOK)
		names := customerNames(res)
		if len(names) > 50 {
			t.Fatalf("page of %d", len(names))
		}
		all = append(all, names...)
		path = attr(res.Doc.Find(`[data-testid="customers-next"]`), "href")
	}
	if len(all) != 57 {
		t.Errorf("%d customers over the pages, want 57", len(all))
	}
	sorted := sort.SliceIsSorted(all, func(i, j int) bool { return strings.ToLower(all[i]) < strings.ToLower(all[j]) })
	seen := map[string]bool{}
	for _, n := range all {
		if seen[n] {
			t.Errorf("%q twice", n)
		}
		seen[n] = true
	}
	if !sorted {
		t.Errorf("not in name order: %v", all)
	}
	// A search pages as well, and htmx gets only the results.
	req, _ := http.NewRequest(http.MethodGet, app.Server.URL+"/partner/customers?q=customer", nil)
	req.Header.Set("HX-Request", "true")
	frag := p.do(req)
	if strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `id="customers-results"`) {
		t.Errorf("htmx search is not a fragment: %.200s", frag.Body)
	}
	if n := frag.Doc.Find(`[data-testid="customer-row"]`).Length(); n != 50 || frag.Doc.Find(`[data-testid="customers-next"]`).Length() != 1 {
		t.Errorf("search page 1: %d rows", n)
	}
	if res := p.get("/partner/customers?after=not-a-cursor!"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", res.StatusCode)
	}
}
