package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestUsersMoreRolesDisclosure: a row with more roles than its badges show
// ends with a "+N more" disclosure (details/summary, so it opens without
// JavaScript) that holds the other roles' names in the page, not in a
// tooltip.
func TestUsersMoreRolesDisclosure(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	res := c.get("/account/users")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	var sid *goquery.Selection
	res.Doc.Find(`[data-testid="user-row"]`).Each(func(_ int, row *goquery.Selection) {
		if strings.Contains(row.Find("td").First().Text(), "Sid Sawyer") {
			sid = row
		}
	})
	if sid == nil {
		t.Fatal("no row for Sid Sawyer")
	}
	cell := sid.Find(`[data-testid="user-roles"]`)
	if n := cell.Find(".badge-role").Length(); n != 5 {
		t.Errorf("%d role names in Sid's row, want all 5", n)
	}
	more := cell.Find(`details[data-testid="user-roles-more"]`)
	if more.Length() != 1 {
		t.Fatalf("no +N more disclosure in Sid's row: %s", cell.Text())
	}
	if _, open := more.Attr("open"); open {
		t.Error("the disclosure starts open")
	}
	if got := strings.TrimSpace(more.ChildrenFiltered("summary").Text()); got != "+1 more" {
		t.Errorf("summary %q, want +1 more", got)
	}
	if got := strings.TrimSpace(more.Find("li").Text()); got != "Softphones" {
		t.Errorf("the disclosure holds %q, want Softphones", got)
	}
	if cell.Find("[title]").Length() != 0 {
		t.Error("the roles are still in a tooltip")
	}
}
