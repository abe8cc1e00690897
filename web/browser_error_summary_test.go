package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserErrorSummaryLeadsToTheFields: after an empty invite the
// summary has the focus and lists both problems; following an entry puts
// the focus on its field.
func TestBrowserErrorSummaryLeadsToTheFields(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, tom, app.Password[tom])
	b.Navigate(base + "/account/users/new")
	if status := b.DoAndWaitLoad("invite nobody", chromedp.Click(chromedp.CSS("[data-testid=user-save]"))); status != 200 {
		t.Fatalf("save: status %d", status)
	}
	waitFor(t, b, "the summary to take the focus", `document.activeElement && document.activeElement.dataset.testid === "form-error"`)
	if n := evalIn[int](b, `document.querySelectorAll("[data-testid=form-error-item] a").length`); n != 2 {
		t.Fatalf("%d entries in the summary, want 2: %q", n, b.Text("[data-testid=form-error]"))
	}
	b.Do("follow the email entry", chromedp.Click(chromedp.CSS(`[data-testid=form-error-item] a[href="#email"]`)))
	waitFor(t, b, "the focus on the email field", `document.activeElement && document.activeElement.id === "email"`)
	b.AssertClean()
}
