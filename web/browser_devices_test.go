package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A device administrator adds a device through the form in a real browser:
// a bad MAC is explained with the input kept, a good one lands in the list;
// deleting asks first. No console errors, no CSP violations.
func TestBrowserDevicesAddAndDelete(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t)
	base := app.Server.URL
	browserSignIn(t, b, base, polly, app.Password[polly])
	b.Navigate(base + "/account")
	b.DoAndWaitLoad("open the Devices tab", chromedp.Click(chromedp.CSS("[data-testid=tab-devices]")))
	const rows = `document.querySelectorAll("[data-testid=device-row]").length`
	if n := evalIn[int](b, rows); n != 4 || b.Path() != "/account/devices" {
		t.Fatalf("%d rows at %s", n, b.Path())
	}
	b.DoAndWaitLoad("add a device", chromedp.Click(chromedp.CSS("[data-testid=add-device]")))
	if got := b.labelFor("macAddress"); got == "" {
		t.Error("MAC input has no label")
	}
	b.Do("fill the form",
		chromedp.SendKeys(chromedp.CSS("#name"), "Porch deskphone"),
		chromedp.SetValue(chromedp.CSS("#kind"), "deskphone"),
		chromedp.SendKeys(chromedp.CSS("#extension"), "130"),
		chromedp.SendKeys(chromedp.CSS("#macAddress"), "00:04:f2:zz:00:01"))
	b.DoAndWaitLoad("save", chromedp.Click(chromedp.CSS("[data-testid=device-save]")))
	waitFor(t, b, "the MAC error", `!!document.querySelector("#macAddress-error")`)
	if b.Value("#name") != "Porch deskphone" || b.Value("#extension") != "130" {
		t.Errorf("input not kept: %q %q", b.Value("#name"), b.Value("#extension"))
	}
	evalIn[bool](b, `(document.getElementById("macAddress").value = "", true)`)
	b.Do("fix the MAC", chromedp.SendKeys(chromedp.CSS("#macAddress"), "00-04-F2-00-00-01"))
	b.DoAndWaitLoad("save again", chromedp.Click(chromedp.CSS("[data-testid=device-save]")))
	waitFor(t, b, "the list with the new device", rows+` === 5`)
	if got := b.Text("[data-testid=flash]"); !strings.Contains(got, "Porch deskphone") {
		t.Errorf("flash %q", got)
	}
	d := app.device(polly, "Porch deskphone")
	b.Navigate(base + devicePath(d, ""))
	b.DoAndWaitLoad("delete", chromedp.Click(chromedp.CSS("[data-testid=device-delete]")))
	if !strings.Contains(b.Text("#confirm-body"), "Porch deskphone") {
		t.Fatalf("no confirmation: %q", b.Text("#confirm-body"))
	}
	b.DoAndWaitLoad("confirm", chromedp.Click(chromedp.CSS("[data-testid=confirm-submit]")))
	waitFor(t, b, "the list without it", rows+` === 4`)
	b.AssertClean()
}
