package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The portal says the same thing the same way everywhere (issue 13): one
// empty value, one error summary, one way back up, one confirmation, quiet
// buttons that lead to a red confirmation, and no input hints where
// nothing can be typed.

// TestOneEmptyValue: a value that is not there reads "Not set" in the same
// muted component on every page (a customer's reference, a softphone's MAC
// address, the customer page's facts), and no page shows a bare dash,
// "None" or "(empty)" in its place.
func TestOneEmptyValue(t *testing.T) {
	app := newTestApp(t)
	noRef := newCustomer(t, app, "Northanger Abbey Lettings", "")

	check := func(c *client, path, cell string) {
		t.Helper()
		res := c.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		empty := res.Doc.Find(cell + ` [data-testid="empty-value"]`)
		if empty.Length() == 0 {
			t.Errorf("%s: %s shows %q, not the empty value", path, cell, squash(res.Doc.Find(cell).First().Text()))
		} else if got := squash(empty.First().Text()); got != "Not set" || !empty.First().HasClass("empty-value") {
			t.Errorf("%s: the empty value reads %q (class %q)", path, got, attr(empty.First(), "class"))
		}
		res.Doc.Find("td, dd").Each(func(_ int, s *goquery.Selection) {
			switch squash(s.Text()) {
			case "—", "-", "None", "(empty)", "n/a":
				t.Errorf("%s: a value reads %q instead of the empty value", path, squash(s.Text()))
			}
		})
	}

	e := app.client()
	e.mustSignIn(elizabeth)
	check(e, "/partner/customers", `[data-testid="customer-row"][data-tenant-id="`+noRef.TenantID+`"] [data-testid="customer-reference"]`)
	check(e, "/partner/customers/"+noRef.TenantID, `[data-testid="customer-general"]`)

	tc := app.client()
	tc.mustSignIn(tom)
	sid := app.device(tom, "Sid's softphone")
	check(tc, "/account/devices", `[data-testid="device-row"][data-device-id="`+tenantdesk.FormatDeviceID(sid.ID)+`"] td:nth-child(4)`)
	// The audit log words an emptied value the same way.
	res := tc.post(devicePath(sid, ""), url.Values{"name": {"Sid's softphone"}, "kind": {tenantdesk.DeviceSoftphone}, "extension": {""}, "macAddress": {""}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the softphone without extension: %d %s", res.StatusCode, text(res, `[data-testid="form-error"]`))
	}
	audit := tc.get("/account/audit")
	change := audit.Doc.Find(`[data-testid="audit-row"]`).First().Find(`[data-testid="audit-changes"] li`).FilterFunction(func(_ int, li *goquery.Selection) bool {
		return strings.HasPrefix(squash(li.Text()), "extension:")
	})
	if before, after := squash(change.Find(`[data-testid="audit-before"]`).Text()), squash(change.Find(`[data-testid="audit-after"]`).Text()); before != "201" || after != "Not set" {
		t.Errorf("the audit's change of the extension reads %q → %q, want 201 → Not set", before, after)
	}
}

// TestOneErrorSummaryWording: the invite form, the New access request form,
// the New customer wizard, a device, a token and a profile form all head
// their error summary with the same words.
func TestOneErrorSummaryWording(t *testing.T) {
	app := newTestApp(t)
	heading := func(what string, res *response, testid string) {
		t.Helper()
		box := res.Doc.Find(`[data-testid="` + testid + `"]`)
		if box.Length() != 1 {
			t.Errorf("%s: no error summary %s (status %d)", what, testid, res.StatusCode)
			return
		}
		if got := squash(box.Find(`[data-testid="form-error-title"]`).Text()); got != errorSummaryTitle {
			t.Errorf("%s: summary heading %q, want %q", what, got, errorSummaryTitle)
		}
		if attr(box, "role") != "alert" || attr(box, "aria-labelledby") != attr(box.Find("h2"), "id") {
			t.Errorf("%s: the summary is not an alert named by its heading", what)
		}
	}
	tc := app.client()
	tc.mustSignIn(tom)
	heading("invite", tc.post("/account/users", url.Values{"displayName": {""}, "email": {""}}), "form-error")
	heading("device", tc.post("/account/devices", url.Values{"name": {""}, "kind": {tenantdesk.DeviceDeskphone}}), "form-error")
	heading("token", tc.post("/profile/tokens", url.Values{"name": {""}}), "token-error")
	heading("password", tc.post("/profile/password", url.Values{"currentPassword": {"wrong-password-0"}, "newPassword": {"x"}, "confirmPassword": {"y"}}), "password-form-error")

	e := app.client()
	e.mustSignIn(elizabeth)
	heading("access request", e.post("/partner/access-requests", url.Values{"name": {"Empty"}, "assoc_count": {"3"}}), "form-error")
	heading("wizard", wizardPost(t, e, e.get("/partner/customers/new"), "next", url.Values{"name": {""}}), "wizard-errors")
}

// TestOneWayBackUp: every page below a list leads back up with the same
// breadcrumb: a navigation landmark with one link per level above, the
// nearest last, and nothing (no "/") after it.
func TestOneWayBackUp(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	r := incomingRequest(t, app, "fence-support", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, caroline)
	outgoing, err := app.Svc.Access.Outgoing(actorCtx(t, app, elizabeth), tenantdesk.AccessRequestFilter{})
	if err != nil || len(outgoing) != 1 {
		t.Fatalf("outgoing: %v %d", err, len(outgoing))
	}
	huckU := app.user(huck)
	cust := "/partner/customers/" + fence.TenantID
	cases := []struct {
		who, path string
		want      []string // the links, outermost first: "label href"
	}{
		{tom, "/account/users/" + tenantdesk.FormatUserID(huckU.ID), []string{"Users /account/users"}},
		{tom, "/account/users/new", []string{"Users /account/users"}},
		{tom, "/account/users/import", []string{"Users /account/users"}},
		{tom, devicePath(app.device(tom, "Reception deskphone"), ""), []string{"Devices /account/devices"}},
		{tom, "/account/users/" + tenantdesk.FormatUserID(huckU.ID) + "/softphones", []string{"Users /account/users", "Huck Finn /account/users/" + tenantdesk.FormatUserID(huckU.ID)}},
		{tom, incomingPath(r, ""), []string{"Access requests /account/access-requests"}},
		{elizabeth, cust, []string{"Customers /partner/customers"}},
		{elizabeth, cust + "/general", []string{"Customers /partner/customers", tomSawyerCo + " " + cust}},
		{elizabeth, cust + "/settings", []string{"Customers /partner/customers"}},
		{elizabeth, cust + "/disable", []string{"Customers /partner/customers", tomSawyerCo + " " + cust}},
		{elizabeth, "/partner/customers/new", []string{"Customers /partner/customers"}},
		{elizabeth, "/partner/access-requests/new", []string{"Access requests /partner/access-requests"}},
		{elizabeth, "/partner/access-requests/" + tenantdesk.FormatAccessRequestID(outgoing[0].ID), []string{"Access requests /partner/access-requests"}},
	}
	clients := map[string]*client{}
	for _, c := range cases {
		cl := clients[c.who]
		if cl == nil {
			cl = app.client()
			cl.mustSignIn(c.who)
			clients[c.who] = cl
		}
		res := cl.get(c.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", c.path, res.StatusCode)
			continue
		}
		nav := res.Doc.Find(`nav[data-testid="breadcrumbs"]`)
		if nav.Length() != 1 || attr(nav, "aria-label") != "Breadcrumb" || !nav.HasClass("breadcrumbs") {
			t.Errorf("%s: %d breadcrumbs (label %q)", c.path, nav.Length(), attr(nav, "aria-label"))
			continue
		}
		var got []string
		nav.Find("ol > li").Each(func(_ int, li *goquery.Selection) {
			a := li.Children()
			if a.Length() != 1 || goquery.NodeName(a) != "a" || squash(li.Text()) != squash(a.Text()) {
				t.Errorf("%s: a breadcrumb item holds more than its link: %q", c.path, squash(li.Text()))
			}
			got = append(got, squash(a.Text())+" "+attr(a, "href"))
		})
		if strings.Join(got, " | ") != strings.Join(c.want, " | ") {
			t.Errorf("%s: breadcrumbs %q, want %q", c.path, got, c.want)
		}
		if squash(nav.Text()) != strings.Join(linkLabels(nav), "") {
			t.Errorf("%s: the breadcrumbs show text besides their links: %q", c.path, squash(nav.Text()))
		}
		// No other back link style is left on the page.
		res.Doc.Find("a").Each(func(_ int, a *goquery.Selection) {
			if strings.HasPrefix(squash(a.Text()), "←") {
				t.Errorf("%s: a back link of its own: %q", c.path, squash(a.Text()))
			}
		})
	}
}

func linkLabels(s *goquery.Selection) []string {
	return s.Find("a").Map(func(_ int, a *goquery.Selection) string { return squash(a.Text()) })
}

// TestQuietButtonsRedConfirmations: on the pages that offer a destructive
// action (a token's Revoke on every row, Sign out all other sessions,
// delete a user or a device, revoke an access, withdraw a request, disable
// a customer) the button that leads to it is a secondary button; the red
// button is only the confirmation's submit. A token's secret is
// "Regenerate"d, never "Change"d.
func TestQuietButtonsRedConfirmations(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	tc := app.client()
	tc.mustSignIn(tom)
	createToken(t, tc, url.Values{"name": {"Nightly billing export"}})
	other := app.client()
	other.mustSignIn(tom) // a second session, so "Sign out all other sessions" is offered
	granted := incomingRequest(t, app, "fence-support", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, caroline)
	if _, err := app.Svc.Access.Grant(incomingActor(t, app, tom), granted.ID, tenantdesk.AccessAnswer{}); err != nil {
		t.Fatal(err)
	}
	e := app.client()
	e.mustSignIn(elizabeth)
	pending := incomingRequest(t, app, "fence-configure", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeConfigure}, nil, caroline)
	deskphone := app.device(tom, "Reception deskphone")
	huckPath := "/account/users/" + tenantdesk.FormatUserID(app.user(huck).ID)

	cases := []struct {
		c            *client
		page, opener string
	}{
		{tc, "/profile/tokens", "token-revoke"},
		{tc, "/profile/tokens", "token-regenerate"},
		{tc, "/profile/sessions", "signout-others"},
		{tc, "/profile/sessions", "session-signout"},
		{tc, huckPath, "user-signout"},
		{tc, huckPath, "user-delete"},
		{tc, huckPath, "user-disable"},
		{tc, devicePath(deskphone, ""), "device-delete"},
		{tc, incomingPath(granted, ""), "revoke-open"},
		{e, "/partner/access-requests/" + tenantdesk.FormatAccessRequestID(pending.ID), "access-withdraw"},
		{e, "/partner/customers/" + fence.TenantID, "customer-disable"},
	}
	for _, c := range cases {
		page := c.c.get(c.page)
		if page.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", c.page, page.StatusCode)
			continue
		}
		page.Doc.Find(".btn-danger").Each(func(_ int, s *goquery.Selection) {
			t.Errorf("%s: a red button %q outside a confirmation", c.page, squash(s.Text()))
		})
		open := page.Doc.Find(`[data-testid="` + c.opener + `"]`).First()
		if open.Length() == 0 {
			t.Errorf("%s: no %s", c.page, c.opener)
			continue
		}
		if !open.HasClass("btn-secondary") {
			t.Errorf("%s: %s has class %q, want a secondary button", c.page, c.opener, attr(open, "class"))
		}
		confirm := c.c.get(attr(open, "href"))
		submit := confirm.Doc.Find(`[role="alertdialog"] form [data-testid="confirm-submit"]`)
		if confirm.StatusCode != http.StatusOK || submit.Length() != 1 {
			t.Errorf("%s → %s: no confirmation (%d)", c.page, attr(open, "href"), confirm.StatusCode)
			continue
		}
		if c.opener == "token-regenerate" {
			continue // regenerating destroys nothing: its confirmation is primary
		}
		if !submit.HasClass("btn-danger") {
			t.Errorf("%s: the confirmation's submit has class %q, want the red danger button", attr(open, "href"), attr(submit, "class"))
		}
	}

	tokens := tc.get("/profile/tokens")
	row := tokens.Doc.Find(`[data-testid="token-row"]`).First()
	if got := squash(row.Find(`[data-testid="token-regenerate"]`).Text()); got != "Regenerate" {
		t.Errorf("the token's secret is renewed by %q, want Regenerate", got)
	}
	if strings.Contains(row.Text(), "Change") {
		t.Errorf("a token row says Change: %q", squash(row.Text()))
	}
}

// TestReadOnlyViewHasNoHints: Joe (read-only device user) sees a device's
// fields without the hints that explain what to type; Tom, who may edit,
// sees them.
func TestReadOnlyViewHasNoHints(t *testing.T) {
	app := newTestApp(t)
	path := devicePath(app.device(tom, "Reception deskphone"), "")
	for _, c := range []struct {
		who       string
		wantHints bool
	}{{tom, true}, {joe, false}} {
		cl := app.client()
		cl.mustSignIn(c.who)
		res := cl.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s GET %s: %d", c.who, path, res.StatusCode)
		}
		form := res.Doc.Find("main form").First()
		hints := form.Find(`.hint, [id$="-hint"]`).Length()
		disabled := form.Find("fieldset[disabled]").Length() == 1
		switch {
		case c.wantHints && (hints == 0 || disabled):
			t.Errorf("%s: %d hints, fields disabled %v", c.who, hints, disabled)
		case !c.wantHints && (hints != 0 || !disabled):
			t.Errorf("%s (read-only): %d hints, fields disabled %v", c.who, hints, disabled)
		}
		if !c.wantHints {
			form.Find("[aria-describedby]").Each(func(_ int, s *goquery.Selection) {
				t.Errorf("%s: %s is described by %q on a read-only view", c.who, attr(s, "id"), attr(s, "aria-describedby"))
			})
		}
	}
}

// TestConfirmationsShareTheComponent: the revoke-with-message confirmation
// of the Access requests tab and Partnerdesk's disable and enable
// confirmations are components.Confirm, with the same skeleton as any other
// (a token's revoke): an alert dialog named by its title and described by
// its body, one POST form with the CSRF token, a submit and a focused
// Cancel; the revoke's message field sits inside that form.
func TestConfirmationsShareTheComponent(t *testing.T) {
	app := newTestApp(t)
	_, fence := accountOf(t, app, tom)
	granted := incomingRequest(t, app, "fence-support", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, nil, caroline)
	if _, err := app.Svc.Access.Grant(incomingActor(t, app, tom), granted.ID, tenantdesk.AccessAnswer{}); err != nil {
		t.Fatal(err)
	}
	tc := app.client()
	tc.mustSignIn(tom)
	createToken(t, tc, url.Values{"name": {"Nightly billing export"}})
	e := app.client()
	e.mustSignIn(elizabeth)

	skeleton := func(res *response) string {
		d := res.Doc.Find(`[role="alertdialog"]`)
		if d.Length() != 1 {
			return "no dialog"
		}
		var b strings.Builder
		b.WriteString(attr(d, "class") + " labelledby=" + attr(d, "aria-labelledby") + " describedby=" + attr(d, "aria-describedby"))
		for _, sel := range []string{"#confirm-title", "#confirm-body", "form", `form input[name="_csrf"]`, `form [data-testid="confirm-submit"]`, `form [data-testid="confirm-cancel"][autofocus]`} {
			b.WriteString(" | " + sel + ":" + strings.Repeat("x", d.Find(sel).Length()))
		}
		b.WriteString(" form=" + attr(d.Find("form"), "method"))
		return b.String()
	}
	tokenID := attr(tc.get("/profile/tokens").Doc.Find(`[data-testid="token-row"]`), "data-token-id")
	want := skeleton(tc.get("/profile/tokens/" + tokenID + "/revoke"))
	if want == "no dialog" {
		t.Fatal("the token's revoke has no confirmation")
	}

	revoke := tc.get(incomingPath(granted, "/revoke"))
	if got := skeleton(revoke); got != want {
		t.Errorf("access revoke confirmation:\n got %s\nwant %s", got, want)
	}
	if revoke.Doc.Find(`[role="alertdialog"] form textarea[name="message"]`).Length() != 1 {
		t.Error("the access revoke confirmation has no message field in its form")
	}
	// A message that is too long comes back in the same component, with
	// the error above the form and the message kept.
	long := strings.Repeat("x", tenantdesk.MaxRequestMessageLen+1)
	again := tc.post(incomingPath(granted, "/revoke"), url.Values{"message": {long}})
	if got := skeleton(again); got != want {
		t.Errorf("access revoke confirmation after an error:\n got %s\nwant %s", got, want)
	}
	if again.Doc.Find(`[role="alertdialog"] textarea[name="message"]`).Text() != long {
		t.Error("the message typed is not kept")
	}
	// Signing a user out everywhere, and ending sessions of one's own with
	// the password (whose field sits inside the form), likewise, also after
	// a wrong password.
	second := app.client()
	second.mustSignIn(tom)
	handle := attr(tc.get("/profile/sessions").Doc.Find(`[data-testid="session-signout"]`).Closest(`[data-testid="session-row"]`), "data-handle")
	for _, res := range []*response{
		tc.get(userPath(app.user(huck), "/signout")),
		tc.get("/profile/sessions/signout-others"),
		tc.get("/profile/sessions/" + handle + "/signout"),
		tc.post("/profile/sessions/"+handle+"/signout", url.Values{"currentPassword": {"not my password"}}),
		tc.post("/profile/sessions/signout-others", url.Values{"currentPassword": {"not my password"}}),
	} {
		if got := skeleton(res); got != want {
			t.Errorf("%s %s:\n got %s\nwant %s", res.Request.Method, res.Request.URL.Path, got, want)
		}
		if strings.HasPrefix(res.Request.URL.Path, "/profile/") && res.Doc.Find(`[role="alertdialog"] form input[type="password"][name="currentPassword"]`).Length() != 1 {
			t.Errorf("%s %s: no password field in the confirmation's form", res.Request.Method, res.Request.URL.Path)
		}
	}

	for _, path := range []string{"/partner/customers/" + fence.TenantID + "/disable"} {
		res := e.get(path)
		if got := skeleton(res); got != want {
			t.Errorf("%s:\n got %s\nwant %s", path, got, want)
		}
		if res.Doc.Find(`#confirm-body [data-testid="customer-disable-consequences"] li`).Length() != 4 {
			t.Errorf("%s: the consequences are not in the confirmation's body", path)
		}
		if res.Doc.Find("h1#confirm-title").Length() != 1 {
			t.Errorf("%s: the title is not the page's heading", path)
		}
	}
	// Disabled, the customer is offered Enable through the same component.
	if res := e.post("/partner/customers/"+fence.TenantID+"/disable", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	enable := e.get("/partner/customers/" + fence.TenantID + "/enable")
	if got := skeleton(enable); got != want {
		t.Errorf("enable confirmation:\n got %s\nwant %s", got, want)
	}
	if !enable.Doc.Find(`[data-testid="confirm-submit"]`).HasClass("btn-primary") {
		t.Error("enabling is not a primary action")
	}
}
