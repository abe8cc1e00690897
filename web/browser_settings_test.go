package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSettingsOnAPhone: the Settings tab and the Partnerdesk page of
// a customer's settings fit a 375 px phone, and the Owner saves the form
// there by tapping (a plain form: the confirmation comes after the redirect).
func TestBrowserSettingsOnAPhone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	base := app.Server.URL
	b := newPhoneBrowser(t, base)
	browserSignIn(t, b, base, tom, app.Password[tom])
	if status := b.Navigate(base + "/account/settings"); status != 200 {
		t.Fatalf("settings: %d", status)
	}
	assertFitsPhone(t, b, "/account/settings")
	assertUsable(t, b, "#essentialVariant-uk")
	assertUsable(t, b, "#autoAssignAcd")
	// One tap per action: the page scrolls to each control before it is tapped.
	b.Do("tick the agent add-on", chromedp.Click(chromedp.CSS("#autoAssignAcd")))
	b.Do("choose the UK variant", chromedp.Click(chromedp.CSS("#essentialVariant-uk")))
	if !evalIn[bool](b, `document.querySelector("#autoAssignAcd").checked && document.querySelector("#essentialVariant-uk").checked`) {
		t.Errorf("after the taps: acd %v", evalIn[bool](b, `document.querySelector("#autoAssignAcd").checked`))
	}
	assertUsable(t, b, "[data-testid=settings-save]")
	if status := b.DoAndWaitLoad("save", chromedp.Click(chromedp.CSS("[data-testid=settings-save]"))); status != 200 || b.Path() != "/account/settings" {
		t.Fatalf("save: %d at %s", status, b.Path())
	}
	if got := b.Text("[data-testid=flash]"); !strings.Contains(got, "customer.user.uc.essential") {
		t.Errorf("confirmation %q", got)
	}
	if s := app.settingsOf(tomSawyerCo); s.EssentialVariant != "uk" || !s.AutoAssignACD {
		t.Errorf("stored %+v", s)
	}
	assertFitsPhone(t, b, "/account/settings after saving")
	b.AssertClean()

	p := newPhoneBrowser(t, base)
	browserSignIn(t, p, base, elizabeth, app.Password[elizabeth])
	path := "/partner/customers/" + app.account(hundredAcre).TenantID + "/settings"
	if status := p.Navigate(base + path); status != 200 {
		t.Fatalf("partner settings: %d", status)
	}
	assertFitsPhone(t, p, path)
	p.AssertClean()
}
