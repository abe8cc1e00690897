package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserOnboardingWizard goes through Partnerdesk's New customer
// wizard in Chromium on a 375 px phone, once with JavaScript and once with
// script execution disabled: every step, an error on step 2 (the email is
// taken), Back keeping what was typed, users typed in and pasted, the
// check of the users, the summary, Create, and the new customer's page.
func TestBrowserOnboardingWizard(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := "with JavaScript"
		if !js {
			name = "without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			app := newTestApp(t)
			b := newBrowser(t, browserWindow(375, 800))
			base := app.Server.URL
			if !js {
				if _, err := chromedp.Call(b.Ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
					t.Fatalf("disable scripts: %v", err)
				}
			}
			browserSignIn(t, b, base, elizabeth, app.Password[elizabeth])
			accounts := app.count(`SELECT count(*) FROM accounts`)

			b.Navigate(base + "/partner/customers/new")
			if js == (evalIn[string](b, `typeof htmx`) != "object") {
				t.Fatalf("htmx loaded: %s, want JavaScript %v", evalIn[string](b, `typeof htmx`), js)
			}
			wizardStepIs(t, b, "1")
			noSidewaysScroll(t, b, b.Path())
			b.Do("fill step 1",
				chromedp.SendKeys(chromedp.CSS("#name"), "Steamboat Ltd"),
				chromedp.SendKeys(chromedp.CSS("#reference"), "CRM-7"),
				chromedp.SendKeys(chromedp.CSS("#connHost"), "pbx.steamboat.example"),
				chromedp.SendKeys(chromedp.CSS("#connPort"), "5061"))
			b.DoAndWaitLoad("next", chromedp.Click(chromedp.CSS("[data-testid=wizard-next]")))
			wizardStepIs(t, b, "2")
			noSidewaysScroll(t, b, b.Path())

			// The email of an existing user: step 2 again, saying why.
			b.Do("fill step 2",
				chromedp.SendKeys(chromedp.CSS("#adminName"), "Sam Clemens"),
				chromedp.SendKeys(chromedp.CSS("#adminEmail"), becky))
			b.DoAndWaitLoad("next", chromedp.Click(chromedp.CSS("[data-testid=wizard-next]")))
			wizardStepIs(t, b, "2")
			if msg := b.Text("[data-testid=error-adminEmail]"); !strings.Contains(msg, "already exists") {
				t.Fatalf("step 2 error %q", msg)
			}
			// Back keeps step 1's input, Next returns to step 2 with its own.
			b.DoAndWaitLoad("back", chromedp.Click(chromedp.CSS("[data-testid=wizard-back]")))
			wizardStepIs(t, b, "1")
			if got := b.Value("#name"); got != "Steamboat Ltd" {
				t.Fatalf("name after Back: %q", got)
			}
			b.DoAndWaitLoad("next", chromedp.Click(chromedp.CSS("[data-testid=wizard-next]")))
			wizardStepIs(t, b, "2")
			if got := b.Value("#adminName"); got != "Sam Clemens" {
				t.Fatalf("admin name kept: %q", got)
			}
			b.Do("correct the email",
				chromedp.SendKeys(chromedp.CSS("#adminEmail"), kb.End+strings.Repeat(kb.Backspace, len(becky))+"sam@steamboat.example"))
			b.DoAndWaitLoad("next", chromedp.Click(chromedp.CSS("[data-testid=wizard-next]")))
			wizardStepIs(t, b, "3")
			noSidewaysScroll(t, b, b.Path())

			// One user typed in, two pasted (one with the admin's email).
			b.Do("fill step 3",
				chromedp.SendKeys(chromedp.CSS("#t0-displayName"), "Olivia"),
				chromedp.SendKeys(chromedp.CSS("#t0-email"), "olivia@steamboat.example"),
				chromedp.SendKeys(chromedp.CSS("#usersCsv"), "displayName,email\nPete,pete@steamboat.example\nSam Again,sam@steamboat.example\n"))
			b.DoAndWaitLoad("check the users", chromedp.Click(chromedp.CSS("[data-testid=wizard-check-users]")))
			wizardStepIs(t, b, "3")
			if got := b.Text(`[data-testid=import-row][data-row="3"] [data-testid=import-row-error]`); !strings.Contains(got, "first admin") {
				t.Errorf("row 3: %q", got)
			}
			b.DoAndWaitLoad("next", chromedp.Click(chromedp.CSS("[data-testid=wizard-next]")))
			wizardStepIs(t, b, "4")
			noSidewaysScroll(t, b, b.Path())
			if got := b.Text("[data-testid=summary-admin-email]"); got != "sam@steamboat.example" {
				t.Errorf("summary admin %q", got)
			}
			if n := app.count(`SELECT count(*) FROM accounts`); n != accounts {
				t.Fatal("stored before Create")
			}
			b.DoAndWaitLoad("create", chromedp.Click(chromedp.CSS("[data-testid=wizard-create]")))
			if p := b.Path(); !strings.HasPrefix(p, "/partner/customers/") || strings.HasSuffix(p, "/new") {
				t.Fatalf("after Create at %s", p)
			}
			if got := b.Text("[data-testid=flash]"); !strings.Contains(got, "Steamboat Ltd") || !strings.Contains(got, "sam@steamboat.example") {
				t.Errorf("flash %q", got)
			}
			tid := strings.TrimPrefix(b.Path(), "/partner/customers/")
			if n := app.count(`SELECT count(*) FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.tenant_id = ?`, tid); n != 3 {
				t.Errorf("%d users in the new customer, want 3", n)
			}
			b.AssertClean()
		})
	}
}

// wizardStepIs fails unless the page shows the wizard's step.
func wizardStepIs(t *testing.T, b *testBrowser, step string) {
	t.Helper()
	got, err := chromedp.Run(b.Ctx, chromedp.AttributeValue(chromedp.CSS("[data-testid=wizard-form]"), "data-step"))
	if err != nil || got.Value != step {
		t.Fatalf("at %s: step %q (%v), want %s", b.Path(), got.Value, err, step)
	}
}
