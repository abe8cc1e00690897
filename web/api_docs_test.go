package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// internalRef matches the references to the project's own specification
// that must not reach API clients: "SPEC §5", "§2", "(R7)", "R1–R8", "seed 001".
var internalRef = regexp.MustCompile(`SPEC|§|\bR\d+\b|\bseed \d`)

// TestAPIDocsPageText: the API reference shows the document's Markdown as
// people expect it, `code` spans as <code> and no backticks, and says
// nothing about the project's internal specification, neither on the page
// nor in the OpenAPI document it is rendered from.
func TestAPIDocsPageText(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(becky)
	page := c.get("/api-docs")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("api-docs: %d", page.StatusCode)
	}
	main := page.Doc.Find("main")
	body := main.Text()
	if i := strings.IndexByte(body, '`'); i >= 0 {
		t.Errorf("the page shows a backtick: …%s…", body[max(0, i-60):min(len(body), i+60)])
	}
	if strings.Contains(body, "**") {
		t.Error("the page shows Markdown's ** literally")
	}
	if m := internalRef.FindStringIndex(body); m != nil {
		t.Errorf("the page refers to internal documents: …%s…", body[max(0, m[0]-60):min(len(body), m[1]+60)])
	}
	// The introduction's code spans are <code> elements.
	var codes []string
	main.Find("code").Each(func(_ int, s *goquery.Selection) { codes = append(codes, s.Text()) })
	for _, want := range []string{"Authorization: Bearer tdk_…", "Content-Type: application/json", `{"items": […], "nextCursor": "…"}`, "Retry-After"} {
		found := false
		for _, c := range codes {
			found = found || c == want
		}
		if !found {
			t.Errorf("no <code>%s</code> on the page (code elements: %q)", want, codes)
		}
	}
	// The document API clients download says nothing internal either.
	doc := app.api("").get("/api/v1/openapi.json").expect(t, http.StatusOK)
	if raw := string(doc.Body); internalRef.MatchString(raw) {
		m := internalRef.FindStringIndex(raw)
		t.Errorf("openapi.json refers to internal documents: …%s…", raw[max(0, m[0]-60):min(len(raw), m[1]+60)])
	}
	// Contents entries read "METHOD /path" and may wrap only after a "/".
	entries := page.Doc.Find(`[data-testid="apidocs-toc-op"]`)
	if entries.Length() < 10 {
		t.Fatalf("%d contents entries", entries.Length())
	}
	entries.Each(func(_ int, e *goquery.Selection) {
		txt := strings.Join(strings.Fields(e.Text()), " ")
		if !regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE) /api/v1/\S+$`).MatchString(txt) {
			t.Errorf("contents entry %q", txt)
		}
		if e.HasClass("break-all") || e.Find(".break-all").Length() > 0 {
			t.Errorf("contents entry %q may break anywhere", txt)
		}
		if n, slashes := e.Find("wbr").Length(), strings.Count(txt, "/"); n < slashes {
			t.Errorf("contents entry %q: %d break points for %d slashes", txt, n, slashes)
		}
	})
}
