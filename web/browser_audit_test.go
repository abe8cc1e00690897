package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserAuditDateRange types a From date after the To date into the
// audit log's filter, as a person would, and presses Enter: the filter runs
// by htmx, the error appears at the To field (focus stays there) instead of
// "No entries match", and correcting the date and pressing Filter clears it
// and shows entries.
func TestBrowserAuditDateRange(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t, browserLang("en-US"))
	base := app.Server.URL
	browserSignIn(t, b, base, becky, app.Password[becky])
	b.Navigate(base + "/account/audit")
	// Chromium's date field in US English takes month, day and year.
	b.Do("type From", chromedp.SendKeys(chromedp.CSS("#audit-from"), "11222026"))
	if got := b.Value("#audit-from"); got != "2026-11-22" {
		t.Fatalf("From = %q", got)
	}
	b.Do("type To and press Enter", chromedp.SendKeys(chromedp.CSS("#audit-to"), "11212026"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-to-error"]`)))
	const want = "The “To” date is before the “From” date. Choose a “To” date on or after 2026-11-22."
	if got := b.Text(`[data-testid="audit-to-error"]`); got != want {
		t.Errorf("To error = %q", got)
	}
	if got := b.Text(`[data-testid="audit-invalid"]`); got != "Correct the dates of the filter to see entries." {
		t.Errorf("results = %q", got)
	}
	if evalIn[bool](b, `!!document.querySelector('[data-testid="audit-empty"], [data-testid="audit-export"]')`) {
		t.Error(`"No entries match" or the export link shown for From after To`)
	}
	if b.Value("#audit-from") != "2026-11-22" || b.Value("#audit-to") != "2026-11-21" {
		t.Errorf("dates not kept: %q, %q", b.Value("#audit-from"), b.Value("#audit-to"))
	}
	if id := b.ActiveElementID(); id != "audit-to" {
		t.Errorf("focus moved to %q", id)
	}
	if p := b.Path(); !strings.Contains(p, "from=2026-11-22") || !strings.Contains(p, "to=2026-11-21") {
		t.Errorf("URL = %q", p)
	}
	// Correct To: the error goes, the entries of that day come.
	b.Do("correct To and press Filter", chromedp.SendKeys(chromedp.CSS("#audit-to"), "11222026"),
		chromedp.Click(chromedp.CSS(`[data-testid="audit-filter"] button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="audit-to-error"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="audit-export"]`)))
	if b.Value("#audit-to") != "2026-11-22" || evalIn[bool](b, `!!document.querySelector('[data-testid="audit-invalid"]')`) ||
		evalIn[string](b, `document.getElementById("audit-from").getAttribute("aria-invalid") || ""`) == "true" {
		t.Errorf("after the fix: To %q, %s", b.Value("#audit-to"), b.Text("#audit-results"))
	}
	b.AssertClean()
}
