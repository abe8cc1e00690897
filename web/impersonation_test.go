package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// as is a context acting as the demo user with email (for arranging
// through the services what another test covers through pages).
func (a *testApp) as(email string) context.Context {
	a.t.Helper()
	u := a.user(email)
	acc, err := a.DB.FindAccountByID(context.Background(), u.AccountID)
	if err != nil {
		a.t.Fatal(err)
	}
	return tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: u, Account: acc, IP: "192.0.2.9"})
}

func (a *testApp) account(name string) *tenantdesk.Account {
	a.t.Helper()
	id := a.count(`SELECT id FROM accounts WHERE name = ?`, name)
	acc, err := a.DB.FindAccountByID(context.Background(), int64(id))
	if err != nil {
		a.t.Fatal(err)
	}
	return acc
}

// grantAccess has Elizabeth ask for access to acc for the users with
// emails, and acc's Owner grant it until expires (nil: no expiry).
func (a *testApp) grantAccess(acc *tenantdesk.Account, owner string, expires *time.Time, emails ...string) *tenantdesk.AccessRequest {
	a.t.Helper()
	var ids []int64
	for _, e := range emails {
		ids = append(ids, a.user(e).ID)
	}
	rs, err := a.Svc.Access.CreateAccessRequests(a.as(elizabeth), tenantdesk.NewAccessRequest{Name: "SupportAccess",
		Associations: []tenantdesk.AccessAssociation{{UserIDs: ids, AccountIDs: []int64{acc.ID}}}})
	if err != nil {
		a.t.Fatal(err)
	}
	r, err := a.Svc.Access.Grant(a.as(owner), rs[0].ID, tenantdesk.AccessAnswer{ExpiresAt: expires})
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

func banner(r *response) string { return text(r, `[data-testid="impersonation-banner"]`) }

// TestImpersonationSupportMode: Caroline, granted at Tom Sawyer, confirms,
// works in the users area under a banner, cannot reach devices, and is sent
// back when the grant's expiry passes mid-session (the request she makes
// then is not carried out).
func TestImpersonationSupportMode(t *testing.T) {
	app := newTestApp(t)
	tomCo := app.account(tomSawyerCo)
	until := app.Clock.Now().Add(50 * time.Minute)
	app.grantAccess(tomCo, tom, &until, caroline)

	c := app.client()
	c.mustSignIn(caroline)
	confirm := c.get("/impersonate/" + tomCo.TenantID + "/support")
	if confirm.StatusCode != http.StatusOK || !strings.Contains(text(confirm, "main"), tomSawyerCo) {
		t.Fatalf("confirm page: %d %s", confirm.StatusCode, text(confirm, "main"))
	}
	start := c.post("/impersonate/"+tomCo.TenantID+"/support", nil)
	if start.StatusCode != http.StatusSeeOther || start.Header.Get("Location") != "/account/users" {
		t.Fatalf("start: %d %s", start.StatusCode, start.Header.Get("Location"))
	}
	users := c.get("/account/users")
	b := banner(users)
	for _, want := range []string{tomSawyerCo, "support", "Caroline Bingley", "Classics, Inc.", "50 minutes left", "End impersonation"} {
		if !strings.Contains(b, want) {
			t.Errorf("banner %q lacks %q", b, want)
		}
	}
	if !strings.Contains(text(users, "main"), "Becky Thatcher") {
		t.Error("the customer's users are not listed")
	}
	if r := c.get("/account/devices"); r.StatusCode != http.StatusForbidden {
		t.Errorf("devices in support mode: %d", r.StatusCode)
	}
	if r := c.post("/profile/tokens", url.Values{"name": {"sneaky"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a token while impersonating: %d", r.StatusCode)
	}
	if r := c.get("/impersonate/" + tomCo.TenantID + "/configure"); r.StatusCode != http.StatusForbidden {
		t.Errorf("nested impersonation: %d", r.StatusCode)
	}

	// The expiry passes while the session lives on: the next request (a
	// disable) is not carried out.
	app.Clock.Advance(25 * time.Minute)
	if b := banner(c.get("/account/users")); !strings.Contains(b, "25 minutes left") {
		t.Errorf("banner %q", b)
	}
	app.Clock.Advance(25*time.Minute + time.Second)
	h := app.user(huck)
	r := c.post(userPath(h, "/disable"), nil)
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/profile/zone" {
		t.Fatalf("after the expiry: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if app.user(huck).Status == tenantdesk.UserDisabled {
		t.Error("the request made after the expiry was carried out")
	}
	if banner(c.get("/")) != "" {
		t.Error("the banner outlived the grant")
	}
	if n := app.count(`SELECT count(*) FROM audit_log WHERE action = 'access.impersonation_end' AND after_json LIKE '%grant_ended%'`); n != 2 {
		t.Errorf("%d end entries (want one in each account)", n)
	}
}

// TestImpersonationRevokedMidSession: revocation ends the impersonation on
// the very next request; ending it by hand and signing out are audited in
// both accounts.
func TestImpersonationRevokedMidSession(t *testing.T) {
	app := newTestApp(t)
	tomCo := app.account(tomSawyerCo)
	req := app.grantAccess(tomCo, tom, nil, charlotte)
	c := app.client()
	c.mustSignIn(charlotte)
	c.post("/impersonate/"+tomCo.TenantID+"/configure", nil)
	if b := banner(c.get("/account/devices")); !strings.Contains(b, "No expiry") || !strings.Contains(b, "configure") {
		t.Errorf("banner %q", b)
	}
	if r := c.get("/account/users"); r.StatusCode != http.StatusForbidden {
		t.Errorf("users in configure mode: %d", r.StatusCode)
	}
	end := c.post("/impersonation/end", nil)
	if end.StatusCode != http.StatusSeeOther || banner(c.get("/")) != "" {
		t.Fatalf("end: %d", end.StatusCode)
	}
	c.post("/impersonate/"+tomCo.TenantID+"/configure", nil)
	if _, err := app.Svc.Access.Revoke(app.as(tom), req.ID, "Thanks"); err != nil {
		t.Fatal(err)
	}
	r := c.get("/account/devices")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/profile/zone" {
		t.Errorf("after the revocation: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	c.post("/signout", nil)
	for _, c := range []struct {
		account, action, reason string
		want                    int
	}{
		{tomSawyerCo, "access.impersonation_start", "", 2},
		{"Classics, Inc.", "access.impersonation_start", "", 2},
		{tomSawyerCo, "access.impersonation_end", "\"ended\"", 1},
		{"Classics, Inc.", "access.impersonation_end", "grant_ended", 1},
	} {
		if n := app.count(`SELECT count(*) FROM audit_log l JOIN accounts a ON a.id = l.account_id
			WHERE a.name = ? AND l.action = ? AND l.after_json LIKE ?`, c.account, c.action, "%"+c.reason+"%"); n != c.want {
			t.Errorf("%s: %d %s %s entries, want %d", c.account, n, c.action, c.reason, c.want)
		}
	}
}

// TestLegacyImpersonationEndsWithTheFirstGrant: Elizabeth (partner.admin)
// may impersonate Hundred Acre before it grants any request; once it grants
// Charlotte's, Elizabeth's session is out on its next request and cannot
// come back; Charlotte can.
func TestLegacyImpersonationEndsWithTheFirstGrant(t *testing.T) {
	app := newTestApp(t)
	acre := app.account(hundredAcre)
	e := app.client()
	e.mustSignIn(elizabeth)
	if r := e.post("/impersonate/"+acre.TenantID+"/support", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("legacy impersonation: %d %s", r.StatusCode, r.Body)
	}
	if b := banner(e.get("/account/users")); !strings.Contains(b, hundredAcre) {
		t.Fatalf("banner %q", b)
	}
	app.grantAccess(acre, robin, nil, charlotte)
	if r := e.get("/account/users"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("Elizabeth after the first grant: %d", r.StatusCode)
	}
	if r := e.get("/impersonate/" + acre.TenantID + "/support"); r.StatusCode != http.StatusConflict {
		t.Errorf("Elizabeth asks again: %d", r.StatusCode)
	}
	if r := e.post("/impersonate/"+acre.TenantID+"/support", nil); r.StatusCode != http.StatusConflict {
		t.Errorf("Elizabeth starts again: %d", r.StatusCode)
	}
	c := app.client()
	c.mustSignIn(charlotte)
	if r := c.post("/impersonate/"+acre.TenantID+"/support", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("Charlotte: %d", r.StatusCode)
	}
	// Another partner's customer is not found, whoever asks.
	other := app.client()
	other.mustSignIn(caroline)
	if r := other.get("/impersonate/tnaaaaaaaaaaaaaaaa/support"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown tenant: %d", r.StatusCode)
	}
}
