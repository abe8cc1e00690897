package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// accountOf returns a demo user and their account, straight from the database.
func accountOf(t *testing.T, app *testApp, email string) (*tenantdesk.User, *tenantdesk.Account) {
	t.Helper()
	ctx := context.Background()
	u, err := app.DB.FindUserByEmail(ctx, email)
	if err != nil {
		t.Fatalf("%s: %v", email, err)
	}
	a, err := app.DB.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	return u, a
}

// queryInts runs a query returning integers on the database file.
func queryInts(t *testing.T, app *testApp, query string, args ...any) []int64 {
	t.Helper()
	conn, err := sqlstore.OpenRaw(app.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func attr(s *goquery.Selection, name string) string {
	v, _ := s.Attr(name)
	return v
}

func mustStatus(t *testing.T, res *response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body: %.500s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, res.Body)
	}
}

func TestGeneralInformationForEveryMember(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, huck)
	c := app.client()
	c.mustSignIn(huck) // customer.user + supervisorl1: a plain member
	res := c.get("/account")
	mustStatus(t, res, http.StatusOK)

	for sel, want := range map[string]string{
		`[data-testid="account-heading"]`:                                 "Tom Sawyer Fence Painting Co.",
		`[data-testid="general-name"]`:                                    "Tom Sawyer Fence Painting Co.",
		`[data-testid="general-tenant-id"]`:                               fence.TenantID,
		`[data-testid="general-reference"]`:                               "FENCE-001",
		`[data-testid="general-description"]`:                             "Whitewashing fences along the Mississippi since 1876.",
		`[data-testid="general-support-package"]`:                         "Business (9×5)",
		`[data-testid="general-partner"]`:                                 "Classics, Inc.",
		`[data-testid="general-kind"]`:                                    "Customer",
		`[data-testid="personal-manager"] [data-testid="contact-name"]`:   "Mary Crawford",
		`[data-testid="technical-manager"] [data-testid="contact-name"]`:  "Edmund Bertram",
		`[data-testid="technical-manager"] [data-testid="contact-phone"]`: "+1\u00a0555\u00a00101", // no-break spaces: one line
	} {
		if got := text(res, sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	var pkgs []string
	res.Doc.Find(`[data-testid="general-service-packages"] li`).Each(func(_ int, s *goquery.Selection) { pkgs = append(pkgs, s.Text()) })
	if strings.Join(pkgs, "|") != "Contact Centre Analytics|UC Essentials" {
		t.Errorf("service packages = %q", pkgs)
	}
	pm := res.Doc.Find(`[data-testid="personal-manager"]`)
	if href := attr(pm.Find(`[data-testid="contact-email"]`), "href"); href != "mailto:mary.crawford@classics.example" {
		t.Errorf("manager email link = %q", href)
	}
	if href := attr(pm.Find(`[data-testid="contact-phone"]`), "href"); href != "tel:+15550100" {
		t.Errorf("manager phone link = %q", href)
	}
	// The tenant ID has a copy button bound to it.
	if target := attr(res.Doc.Find(`button[data-copy-target]`), "data-copy-target"); target != attr(res.Doc.Find(`[data-testid="general-tenant-id"]`), "id") || target == "" {
		t.Errorf("copy button targets %q", target)
	}
	// Managed by the partner, read-only: no edit controls for the customer.
	if got := text(res, `[data-testid="general-managed-by"]`); !strings.Contains(got, "Managed by Classics, Inc.") {
		t.Errorf("managed-by note = %q", got)
	}
	if n := res.Doc.Find(`main form, main a[href^="/partner/"]`).Length(); n != 0 {
		t.Errorf("%d edit controls on the customer's read-only page", n)
	}
	// Tabs: a member sees General information, marked current, and the
	// account's Settings (read-only for them); the side nav marks About account.
	tabs := res.Doc.Find(`nav[aria-label] a.tab`)
	if tabs.Length() != 2 || attr(tabs.First(), "aria-current") != "page" || attr(tabs.First(), "href") != "/account" ||
		attr(tabs.Last(), "href") != "/account/settings" {
		t.Errorf("member's tabs: %d, current %q", tabs.Length(), attr(tabs, "aria-current"))
	}
	if attr(res.Doc.Find(`[data-testid="nav-account"]`), "aria-current") != "page" {
		t.Error("side nav does not mark About account as current")
	}
	if res.Doc.Find(`[data-testid="nav-customers"]`).Length() != 0 {
		t.Error("a customer sees the Customers link")
	}
	if title := text(res, "title"); !strings.Contains(title, "General information") || !strings.Contains(title, "Tom Sawyer Fence Painting Co.") {
		t.Errorf("title = %q", title)
	}

	// A user admin sees every tab; the Owner of Hundred Acre has no technical manager.
	b := app.client()
	b.mustSignIn(becky)
	var keys []string
	b.get("/account").Doc.Find(`nav[aria-label] a.tab`).Each(func(_ int, s *goquery.Selection) { keys = append(keys, attr(s, "href")) })
	if strings.Join(keys, " ") != "/account /account/users /account/licenses /account/audit /account/security /account/settings /account/access-requests" {
		t.Errorf("user admin's tabs = %v", keys)
	}
	r := app.client()
	r.mustSignIn("christopher.robin@hundredacre.example")
	res = r.get("/account")
	if got := text(res, `[data-testid="technical-manager"] [data-testid="contact-empty"]`); got != "Not assigned" {
		t.Errorf("technical manager empty text = %q", got)
	}

	// A partner account: no partner row, the Customers link, no Licenses tab.
	p := app.client()
	p.mustSignIn(elizabeth)
	res = p.get("/account")
	mustStatus(t, res, http.StatusOK)
	if res.Doc.Find(`[data-testid="general-partner"], [data-testid="general-managed-by"]`).Length() != 0 {
		t.Error("a partner account shows a partner")
	}
	if got := text(res, `[data-testid="general-kind"]`); got != "Partner" {
		t.Errorf("kind = %q", got)
	}
	if res.Doc.Find(`[data-testid="tab-licenses"]`).Length() != 0 || res.Doc.Find(`[data-testid="tab-audit"]`).Length() != 1 {
		t.Error("partner tabs wrong")
	}
	if attr(res.Doc.Find(`[data-testid="nav-customers"]`), "href") != "/partner/customers" {
		t.Error("partner has no Customers link")
	}

	// Russian.
	ru := app.client()
	ru.Header.Set("Accept-Language", "ru")
	ru.mustSignIn(huck)
	if got := text(ru.get("/account"), `[data-testid="tab-general"]`); got != "Общие сведения" {
		t.Errorf("ru tab = %q", got)
	}
}

func TestAccountPagesNeedSignIn(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	for _, p := range []string{"/account", "/account/licenses", "/account/audit", "/account/audit.csv", "/partner/customers"} {
		res := c.get(p)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?next="+url.QueryEscape(p) {
			t.Errorf("%s signed out: %d %q", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestLicencesAndAuditForbiddenToMembers(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	for _, p := range []string{"/account/licenses", "/account/audit", "/account/audit.csv", "/account/audit?action=auth.signin"} {
		res := c.get(p)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", p, res.StatusCode)
			continue
		}
		if got := text(res, `[data-testid="error-title"]`); got != "Access denied" {
			t.Errorf("%s: error page %q", p, got)
		}
		if strings.Contains(res.Header.Get("Content-Type"), "csv") {
			t.Errorf("%s: a refusal sent CSV", p)
		}
	}
}

// expectedLicences counts, from the stored users and their roles, how many
// enabled users of the account hold each licensed role.
func expectedLicences(t *testing.T, app *testApp, accountID int64) map[string]int {
	t.Helper()
	want := map[string]int{}
	for _, r := range tenantdesk.Catalogue {
		if r.Licensed {
			want[r.Key] = 0
		}
	}
	for _, id := range queryInts(t, app, `SELECT id FROM users WHERE account_id = ?`, accountID) {
		u, err := app.DB.FindUserByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if u.Status == tenantdesk.UserDisabled {
			continue
		}
		for _, r := range u.Roles {
			if _, ok := want[r]; ok {
				want[r]++
			}
		}
	}
	return want
}

func licencePage(t *testing.T, c *client) (map[string]int, int) {
	t.Helper()
	res := c.get("/account/licenses")
	mustStatus(t, res, http.StatusOK)
	got := map[string]int{}
	res.Doc.Find(`[data-testid="licence-row"]`).Each(func(_ int, s *goquery.Selection) {
		n, err := strconv.Atoi(strings.TrimSpace(s.Find(`[data-testid="licence-count"]`).Text()))
		if err != nil {
			t.Errorf("count of %s: %v", attr(s, "data-role"), err)
		}
		got[attr(s, "data-role")] = n
		if desc := strings.TrimSpace(s.Find("td").First().Text()); desc == "" || strings.HasPrefix(desc, "role.") {
			t.Errorf("%s has no description: %q", attr(s, "data-role"), desc)
		}
	})
	total, _ := strconv.Atoi(text(res, `[data-testid="licence-total"]`))
	if !strings.Contains(text(res, `[data-testid="licences-charges-note"]`), "may incur charges") {
		t.Error("no note about charges")
	}
	if res.Doc.Find(`[data-testid="licence-group-user_access"]`).Length() != 1 || res.Doc.Find(`[data-testid="licence-group-supervisor"]`).Length() != 1 {
		t.Error("licence groups missing")
	}
	return got, total
}

func TestLicencesCountEnabledUsers(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, becky)
	c := app.client()
	c.mustSignIn(becky)

	check := func(when string) map[string]int {
		want := expectedLicences(t, app, fence.ID)
		got, total := licencePage(t, c)
		wantTotal := 0
		for k, n := range want {
			wantTotal += n
			if got[k] != n {
				t.Errorf("%s: %s = %d, want %d", when, k, got[k], n)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d rows, want %d (every licensed role)", when, len(got), len(want))
		}
		if total != wantTotal {
			t.Errorf("%s: total %d, want %d", when, total, wantTotal)
		}
		return got
	}
	before := check("demo data")
	if before["customer.user.pbx"] == 0 || before["customer.user.supervisorl1"] == 0 {
		t.Fatalf("demo data has no licences to count: %v", before)
	}
	// A disabled user's roles are not counted.
	app.exec(`UPDATE users SET status = 'disabled' WHERE email_norm = ?`, "sid.sawyer@fence.example")
	after := check("Sid disabled")
	for _, role := range []string{"customer.user.pbx", "customer.user.acd"} {
		if after[role] != before[role]-1 {
			t.Errorf("%s: %d after disabling Sid, was %d", role, after[role], before[role])
		}
	}
}

// auditRows returns the audit table's rows as (action, actor) pairs and their IDs.
func auditRows(res *response) (actions, actors []string, ids []int64) {
	res.Doc.Find(`[data-testid="audit-row"]`).Each(func(_ int, s *goquery.Selection) {
		actions = append(actions, attr(s, "data-action"))
		actors = append(actors, strings.TrimSpace(s.Find(`[data-testid="audit-actor"]`).Text()))
		id, _ := strconv.ParseInt(attr(s, "data-audit-id"), 10, 64)
		ids = append(ids, id)
	})
	return
}

func TestAuditLogShowsAndFilters(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	c.post("/signout", nil)
	c = app.client()
	c.mustSignIn(becky)
	res := c.get("/account/audit")
	mustStatus(t, res, http.StatusOK)
	actions, actors, _ := auditRows(res)
	if len(actions) == 0 || actions[0] != tenantdesk.AuditSignIn || actors[0] != "Becky Thatcher" {
		t.Fatalf("first row %v by %v, want Becky's sign-in", actions, actors)
	}
	first := res.Doc.Find(`[data-testid="audit-row"]`).First()
	if got := strings.TrimSpace(first.Find(`[data-testid="audit-action"]`).Text()); got != "Signed in" {
		t.Errorf("action label = %q", got)
	}
	if got := strings.TrimSpace(first.Find(`[data-testid="audit-target"]`).Text()); got != "Becky Thatcher" {
		t.Errorf("target = %q", got)
	}
	if ip := strings.TrimSpace(first.Find("td").Last().Text()); ip != "127.0.0.1" {
		t.Errorf("IP = %q", ip)
	}
	// The creation of a licensed user is billable and shows its values.
	var sawBillable bool
	res.Doc.Find(`[data-testid="audit-row"][data-action="user.create"]`).Each(func(_ int, s *goquery.Selection) {
		if s.Find(`[data-testid="audit-billable"]`).Length() > 0 && strings.Contains(s.Text(), "customer.user.supervisorl1") {
			sawBillable = true
		}
	})
	if !sawBillable {
		t.Error("Huck's creation (supervisorl1) is not marked billable with its roles")
	}

	// Filter by action.
	actions, _, _ = auditRows(c.get("/account/audit?action=auth.signout"))
	if len(actions) != 1 {
		t.Errorf("sign-outs: %v", actions)
	}
	actions, actors, _ = auditRows(c.get("/account/audit?action=auth.signin"))
	if len(actions) != 2 {
		t.Errorf("sign-ins: %v by %v", actions, actors)
	}
	for _, a := range actions {
		if a != tenantdesk.AuditSignIn {
			t.Errorf("action filter let %q through", a)
		}
	}
	// Filter by the actor's name prefix, case-insensitively.
	_, actors, _ = auditRows(c.get("/account/audit?actor=HUCK"))
	if len(actors) != 2 {
		t.Errorf("Huck's entries: %v", actors)
	}
	for _, a := range actors {
		if a != "Huck Finn" {
			t.Errorf("actor filter let %q through", a)
		}
	}
	res = c.get("/account/audit?actor=nobody")
	if res.Doc.Find(`[data-testid="audit-empty"]`).Length() != 1 {
		t.Error("no empty state for a filter matching nothing")
	}
	// Licensed only.
	res = c.get("/account/audit?licensed=1")
	rows := res.Doc.Find(`[data-testid="audit-row"]`)
	if rows.Length() == 0 || rows.Length() != rows.Find(`[data-testid="audit-billable"]`).Length() {
		t.Errorf("licensed filter: %d rows, %d billable", rows.Length(), rows.Find(`[data-testid="audit-billable"]`).Length())
	}
	// The form keeps the filter.
	res = c.get("/account/audit?action=auth.signin&actor=becky&licensed=1")
	if attr(res.Doc.Find(`#audit-action option[selected]`), "value") != "auth.signin" ||
		attr(res.Doc.Find(`#audit-actor`), "value") != "becky" {
		t.Error("filter form does not keep its values")
	}
	if href := attr(res.Doc.Find(`[data-testid="audit-export"]`), "href"); href != "/account/audit.csv?action=auth.signin&actor=becky&licensed=1" {
		t.Errorf("export link = %q", href)
	}

	// htmx gets the results fragment only; a boosted request the whole page.
	req, _ := http.NewRequest(http.MethodGet, app.Server.URL+"/account/audit?action=auth.signin", nil)
	req.Header.Set("HX-Request", "true")
	frag := c.do(req)
	mustStatus(t, frag, http.StatusOK)
	if strings.Contains(frag.Body, "<html") || strings.Contains(frag.Body, "sidenav") || !strings.Contains(frag.Body, `id="audit-results"`) {
		t.Errorf("htmx response is not the fragment: %.300s", frag.Body)
	}
	if !containsStr(frag.Header.Values("Vary"), "HX-Request") {
		t.Errorf("no Vary: HX-Request: %q", frag.Header.Values("Vary"))
	}
	req, _ = http.NewRequest(http.MethodGet, app.Server.URL+"/account/audit", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-History-Restore-Request", "true")
	if full := c.do(req); !strings.Contains(full.Body, "<html") {
		t.Error("history restore did not get the full page")
	}
}

func TestAuditPagination(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, becky)
	op := tenantdesk.OperatorContext(context.Background())
	for i := 0; i < 110; i++ {
		if _, err := app.Svc.AccountInfo.UpdateGeneralInfo(op, fence.TenantID, tenantdesk.GeneralInfo{
			Name: fence.Name, Description: fmt.Sprintf("Revision %d", i),
		}); err != nil {
			t.Fatal(err)
		}
	}
	c := app.client()
	c.mustSignIn(becky)
	total := queryInts(t, app, `SELECT count(*) FROM audit_log WHERE account_id = ?`, fence.ID)[0]
	if total <= 2*50 {
		t.Fatalf("only %d entries", total)
	}
	seen := map[int64]bool{}
	last := int64(1 << 62)
	path, pages := "/account/audit", 0
	for path != "" {
		res := c.get(path)
		mustStatus(t, res, http.StatusOK)
		pages++
		_, _, ids := auditRows(res)
		if len(ids) > 50 || (len(ids) < 50 && res.Doc.Find(`[data-testid="audit-older"]`).Length() > 0) {
			t.Fatalf("page %d has %d rows", pages, len(ids))
		}
		for _, id := range ids {
			if seen[id] || id >= last {
				t.Fatalf("entry %d repeated or out of order (after %d)", id, last)
			}
			seen[id], last = true, id
		}
		path = attr(res.Doc.Find(`[data-testid="audit-older"]`), "href")
		if pages > 1 && res.Doc.Find(`[data-testid="audit-newest"]`).Length() != 1 {
			t.Error("no way back to the newest entries")
		}
	}
	if int64(len(seen)) != total {
		t.Errorf("paged through %d entries of %d", len(seen), total)
	}
	if want := int((total + 49) / 50); pages != want {
		t.Errorf("%d pages, want %d", pages, want)
	}
	// The account update shows only the changed key, before and after.
	res := c.get("/account/audit?action=account.update")
	ch := res.Doc.Find(`[data-testid="audit-row"]`).First().Find(`[data-testid="audit-changes"] li`)
	if ch.Length() != 1 || !strings.Contains(ch.Text(), "description:") ||
		strings.TrimSpace(ch.Find(`[data-testid="audit-before"]`).Text()) != "Revision 108" ||
		strings.TrimSpace(ch.Find(`[data-testid="audit-after"]`).Text()) != "Revision 109" {
		t.Errorf("changes = %q", ch.Text())
	}
	if got := text(res, `[data-testid="audit-actor"]`); got != "Platform operator" {
		t.Errorf("operator's change by %q", got)
	}
}

func TestAuditTimesInTheViewersZone(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, becky)
	app.exec(`UPDATE users SET time_zone = 'Europe/Moscow' WHERE email_norm = ?`, becky)
	// The demo data was made at 09:00 UTC on 21 November; an update at
	// 22:30 UTC is already 22 November in Moscow (UTC+3).
	app.Clock.Advance(13*time.Hour + 30*time.Minute)
	if _, err := app.Svc.AccountInfo.UpdateGeneralInfo(tenantdesk.OperatorContext(context.Background()), fence.TenantID,
		tenantdesk.GeneralInfo{Name: fence.Name, Reference: "LATE"}); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	c.mustSignIn(becky)
	res := c.get("/account/audit?action=account.update")
	tm := res.Doc.Find(`[data-testid="audit-row"] time`).First()
	if dt := attr(tm, "datetime"); dt != "2026-11-22T01:30:00+03:00" {
		t.Errorf("datetime = %q", dt)
	}
	if got := strings.TrimSpace(tm.Text()); !strings.Contains(got, "2026-11-22 01:30") || !strings.Contains(got, "MSK") {
		t.Errorf("shown time = %q", got)
	}
	// Date filters are days in the viewer's zone.
	actions, _, _ := auditRows(c.get("/account/audit?from=2026-11-22"))
	if !containsStr(actions, "account.update") || containsStr(actions, "account.create") {
		t.Errorf("from 22 Nov (Moscow): %v", actions)
	}
	actions, _, _ = auditRows(c.get("/account/audit?to=2026-11-21"))
	if containsStr(actions, "account.update") || !containsStr(actions, "account.create") {
		t.Errorf("to 21 Nov (Moscow): %v", actions)
	}
	res = c.get("/account/audit?from=21.11.2026")
	if res.StatusCode != http.StatusOK || res.Doc.Find(`[data-testid="audit-from-error"]`).Length() != 1 {
		t.Errorf("a malformed date: %d, no field error", res.StatusCode)
	}
	// The CSV has UTC and the viewer's zone.
	records := readCSV(t, c.get("/account/audit.csv?action=account.update"))
	if records[0][2] != "Local time (Europe/Moscow)" {
		t.Errorf("zone column = %q", records[0][2])
	}
	if records[1][1] != "2026-11-21T22:30:00Z" || records[1][2] != "2026-11-22T01:30:00+03:00" {
		t.Errorf("CSV times = %q, %q", records[1][1], records[1][2])
	}
}

// TestAuditCSVHeadersAreDistinct: in every language and for a UTC viewer
// as for one elsewhere, no two columns of the export have the same header,
// and the columns are the same whatever the zone.
func TestAuditCSVHeadersAreDistinct(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	for _, lang := range i18n.Languages {
		for _, zone := range []string{"", "UTC", "America/New_York"} {
			app.exec(`UPDATE users SET language = ?, time_zone = ? WHERE email_norm = ?`, lang.Tag, zone, becky)
			header := readCSV(t, c.get("/account/audit.csv?action=auth.signin"))[0]
			if len(header) != 17 {
				t.Errorf("%s %q: %d columns", lang.Tag, zone, len(header))
			}
			seen := map[string]bool{}
			for _, h := range header {
				if seen[h] {
					t.Errorf("%s %q: header %q twice in %q", lang.Tag, zone, h, header)
				}
				seen[h] = true
			}
			wantZone := zone
			if wantZone == "" {
				wantZone = "UTC"
			}
			if lang.Tag != "en" && header[1] == "Time (UTC)" {
				t.Errorf("%s: header in English: %q", lang.Tag, header)
			}
			if !strings.Contains(header[2], wantZone) {
				t.Errorf("%s %q: the zone column %q does not name the zone", lang.Tag, zone, header[2])
			}
		}
	}
}

// TestAuditDateRangeFromAfterTo: From after To is said at the fields, with
// what was typed kept, instead of an empty log; with htmx too, whose
// response carries the date fields out of band.
func TestAuditDateRangeFromAfterTo(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	const want = "The “To” date is before the “From” date. Choose a “To” date on or after 2026-11-22."
	const bad = "/account/audit?from=2026-11-22&to=2026-11-21&actor=becky&action=auth.signin"
	res := c.get(bad)
	mustStatus(t, res, http.StatusOK)
	if got := text(res, `[data-testid="audit-to-error"]`); got != want {
		t.Errorf("To error = %q, want %q", got, want)
	}
	if attr(res.Doc.Find(`#audit-from`), "value") != "2026-11-22" || attr(res.Doc.Find(`#audit-to`), "value") != "2026-11-21" ||
		attr(res.Doc.Find(`#audit-actor`), "value") != "becky" || attr(res.Doc.Find(`#audit-action option[selected]`), "value") != "auth.signin" {
		t.Error("the filter form lost what was typed")
	}
	if attr(res.Doc.Find(`#audit-to`), "aria-invalid") != "true" || !strings.Contains(attr(res.Doc.Find(`#audit-to`), "aria-describedby"), "audit-to-error") ||
		attr(res.Doc.Find(`#audit-from`), "aria-invalid") != "true" {
		t.Error("the date fields are not marked invalid")
	}
	if res.Doc.Find(`[data-testid="audit-invalid"]`).Length() != 1 || res.Doc.Find(`[data-testid="audit-empty"]`).Length() != 0 ||
		res.Doc.Find(`[data-testid="audit-row"]`).Length() != 0 || res.Doc.Find(`[data-testid="audit-export"]`).Length() != 0 {
		t.Errorf("results: %q", text(res, `#audit-results`))
	}
	// The same day twice is that day.
	res = c.get("/account/audit?from=2026-11-21&to=2026-11-21")
	if res.Doc.Find(`[data-testid="audit-to-error"]`).Length() != 0 || res.Doc.Find(`[data-testid="audit-row"]`).Length() == 0 {
		t.Errorf("one day: error %q, %d rows", text(res, `[data-testid="audit-to-error"]`), res.Doc.Find(`[data-testid="audit-row"]`).Length())
	}
	// A malformed date is not queried either.
	res = c.get("/account/audit?from=21.11.2026")
	if res.Doc.Find(`[data-testid="audit-from-error"]`).Length() != 1 || res.Doc.Find(`[data-testid="audit-invalid"]`).Length() != 1 {
		t.Error("a malformed date ran the query")
	}
	// htmx swaps the results; the date fields come out of band, with the
	// error, and without it once the range is right.
	htmx := func(path string) *response {
		req, _ := http.NewRequest(http.MethodGet, app.Server.URL+path, nil)
		req.Header.Set("HX-Request", "true")
		return c.do(req)
	}
	frag := htmx(bad)
	mustStatus(t, frag, http.StatusOK)
	if frag.Doc.Find(`#audit-results [data-testid="audit-invalid"]`).Length() != 1 ||
		frag.Doc.Find(`#audit-to-field[hx-swap-oob="true"] [data-testid="audit-to-error"]`).Text() != want ||
		frag.Doc.Find(`#audit-from-field[hx-swap-oob="true"] #audit-from`).Length() != 1 {
		t.Errorf("htmx fragment: %.600s", frag.Body)
	}
	frag = htmx("/account/audit?from=2026-11-21&to=2026-11-22")
	if frag.Doc.Find(`#audit-to-field[hx-swap-oob="true"] #audit-to`).Length() != 1 || frag.Doc.Find(`[data-testid="audit-to-error"]`).Length() != 0 ||
		frag.Doc.Find(`#audit-results [data-testid="audit-row"]`).Length() == 0 {
		t.Errorf("htmx fragment after the fix: %.600s", frag.Body)
	}
	if res := c.get("/account/audit.csv?from=2026-11-22&to=2026-11-21"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("export of From after To: %d", res.StatusCode)
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func readCSV(t *testing.T, res *response) [][]string {
	t.Helper()
	mustStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	r := csv.NewReader(strings.NewReader(res.Body))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, res.Body)
	}
	if len(records) == 0 {
		t.Fatal("empty CSV")
	}
	return records
}

func TestAuditCSVExport(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, huck)
	// A display name that a spreadsheet would run as a formula.
	app.exec(`UPDATE users SET display_name = ? WHERE email_norm = ?`, `=HYPERLINK("http://evil.example","x")`, huck)
	h := app.client()
	h.mustSignIn(huck)
	app.exec(`UPDATE users SET display_name = ? WHERE email_norm = ?`, "@SUM(1+1)", "joe.harper@fence.example")
	j := app.client()
	j.mustSignIn("joe.harper@fence.example")

	c := app.client()
	c.mustSignIn(becky)
	res := c.get("/account/audit.csv")
	records := readCSV(t, res)
	cd := res.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, `filename="audit-`+fence.TenantID) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if !strings.Contains(res.Body, "\r\n") {
		t.Error("records not CRLF-terminated (RFC 4180)")
	}
	header := records[0]
	if strings.Join(header[:4], ",") != "ID,Time (UTC),Local time (UTC),Who" || len(header) != 17 {
		t.Errorf("header = %q", header)
	}
	total := queryInts(t, app, `SELECT count(*) FROM audit_log WHERE account_id = ?`, fence.ID)[0]
	if int64(len(records)-1) != total {
		t.Errorf("%d rows, want %d", len(records)-1, total)
	}
	var defused []string
	for _, rec := range records[1:] {
		if len(rec) != len(header) {
			t.Fatalf("ragged row %q", rec)
		}
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("formula cell not defused: %q", cell)
			}
			if strings.HasPrefix(cell, "'") {
				defused = append(defused, cell)
			}
		}
	}
	if !containsStr(defused, `'=HYPERLINK("http://evil.example","x")`) || !containsStr(defused, "'@SUM(1+1)") {
		t.Errorf("defused cells = %q", defused)
	}
	// Filters apply to the export.
	records = readCSV(t, c.get("/account/audit.csv?action=auth.signin&actor=becky"))
	if len(records) != 2 || records[1][5] != "auth.signin" || records[1][3] != "Becky Thatcher" {
		t.Errorf("filtered export = %q", records)
	}
	if res := c.get("/account/audit.csv?from=yesterday"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed date export: %d", res.StatusCode)
	}
}
