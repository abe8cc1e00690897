package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserProfile clicks through My profile as a person would: from the
// name in the top bar to every tab (no console errors, no CSP violations),
// then switches the interface to Russian and back on Time and language.
func TestBrowserProfile(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, huck, app.Password[huck])
	if status := b.DoAndWaitLoad("open My profile from the top bar", chromedp.Click(chromedp.CSS("[data-testid=current-user]"))); status != 200 || b.Path() != "/profile" {
		t.Fatalf("top bar name: status %d at %s", status, b.Path())
	}
	for _, tab := range []string{"rights", "preferences", "password", "ftp", "sessions", "personal"} {
		if status := b.DoAndWaitLoad("open the "+tab+" tab", chromedp.Click(chromedp.CSS("[data-testid=profile-tab-"+tab+"]"))); status != 200 {
			t.Fatalf("%s tab: status %d", tab, status)
		}
		if got := evalIn[string](b, `document.querySelector("[aria-current=page][data-testid^=profile-tab-]").dataset.testid`); got != "profile-tab-"+tab {
			t.Errorf("%s tab: active %q", tab, got)
		}
	}

	b.Navigate(base + "/profile/preferences")
	b.Do("choose Russian", chromedp.SetValue(chromedp.CSS("#language"), "ru"))
	if status := b.DoAndWaitLoad("save", chromedp.Click(chromedp.CSS("[data-testid=preferences-save]"))); status != 200 || b.Path() != "/profile/preferences" {
		t.Fatalf("save: status %d at %s", status, b.Path())
	}
	if lang := evalIn[string](b, `document.documentElement.lang`); lang != "ru" || b.Text("[data-testid=profile-heading]") != "Мой профиль" {
		t.Fatalf("after choosing Russian: lang %q, heading %q", lang, b.Text("[data-testid=profile-heading]"))
	}
	b.Do("choose English", chromedp.SetValue(chromedp.CSS("#language"), "en"))
	b.DoAndWaitLoad("save", chromedp.Click(chromedp.CSS("[data-testid=preferences-save]")))
	if lang := evalIn[string](b, `document.documentElement.lang`); lang != "en" || b.Text("[data-testid=profile-heading]") != "My profile" {
		t.Errorf("back in English: lang %q, heading %q", lang, b.Text("[data-testid=profile-heading]"))
	}
	b.AssertClean()
}
