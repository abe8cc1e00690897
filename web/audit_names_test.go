package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestAuditLogKeepsThePeopleItNames (issue 9): an audit entry is a record.
// A deleted user is still named as the target of what was done to them and
// as the actor of what they did, and the Who filter still finds them by any
// part of their name.
func TestAuditLogKeepsThePeopleItNames(t *testing.T) {
	app := newTestApp(t)
	tenant := app.tenantOf(tom)
	owner := app.api(app.apiToken(tom))
	// Becky acts: she invites Temp One.
	becky := app.api(app.apiToken(becky))
	temp := becky.post(usersPath(tenant), map[string]any{"displayName": "Temp One", "email": "temp.one@fence.example",
		"roles": []string{"customer.user"}}).expect(t, http.StatusCreated)
	// Then both are deleted by the Owner, and Huck is renamed.
	owner.delete(usersPath(tenant)+"/"+temp.str("id")).expect(t, http.StatusNoContent)
	owner.delete(usersPath(tenant)+"/"+app.userIDOf("becky.thatcher@fence.example")).expect(t, http.StatusNoContent)

	c := app.client()
	c.mustSignIn(tom)
	res := c.get("/account/audit?action=user.create")
	var created *goquery.Selection
	res.Doc.Find(`[data-testid="audit-row"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find(`[data-testid="audit-target"]`).Text()) == "Temp One" {
			created = s
		}
	})
	if created == nil {
		t.Fatalf("the creation of the deleted Temp One does not name them: %q", text(res, `[data-testid="audit-target"]`))
	}
	if got := strings.TrimSpace(created.Find(`[data-testid="audit-actor"]`).Text()); got != "Becky Thatcher" {
		t.Errorf("actor of the creation: %q", got)
	}
	res = c.get("/account/audit?action=user.delete")
	targets := res.Doc.Find(`[data-testid="audit-target"]`).Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
	if !contains(targets, "Temp One") || !contains(targets, "Becky Thatcher") {
		t.Errorf("deletions name %q", targets)
	}
	// Who: any part of the name, of a deleted actor too, in any case.
	for _, who := range []string{"Thatcher", "becky", "ECKY THAT"} {
		_, actors, _ := auditRows(c.get("/account/audit?actor=" + strings.ReplaceAll(who, " ", "+")))
		if len(actors) == 0 {
			t.Errorf("Who=%q finds nothing", who)
		}
		for _, a := range actors {
			if a != "Becky Thatcher" {
				t.Errorf("Who=%q finds %q", who, a)
			}
		}
	}
	// The CSV export names them too.
	csv := c.get("/account/audit.csv?action=user.delete")
	if csv.StatusCode != http.StatusOK || !strings.Contains(csv.Body, "Temp One") {
		t.Errorf("CSV: %d, Temp One not named", csv.StatusCode)
	}
}
