package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// One client may ask "Forgot password" ThrottleMaxResetPerIP times in the
// window; then the form comes back with 429, Retry-After and the email
// kept, for a known and an unknown email alike, until the window passes.
func TestForgotPasswordThrottledPerClient(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	emails := []string{tom, "nobody@fence.example"}
	for i := range tenantdesk.ThrottleMaxResetPerIP {
		res := c.post("/password/forgot", url.Values{"email": {emails[i%2]}})
		if res.StatusCode != http.StatusOK || text(res, `[data-testid="forgot-sent"]`) != "Check your email" {
			t.Fatalf("request %d: %d %q", i+1, res.StatusCode, text(res, `[data-testid="forgot-error"]`))
		}
	}
	pages := map[string]string{}
	for name, email := range map[string]string{"known": tom, "unknown": "nobody@fence.example"} {
		res := c.post("/password/forgot", url.Values{"email": {email}})
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "900" {
			t.Fatalf("%s, 11th request: %d, Retry-After %q", name, res.StatusCode, res.Header.Get("Retry-After"))
		}
		if got := text(res, `[data-testid="forgot-error"]`); got != "Too many requests from your network. Try again in 15 minutes." {
			t.Errorf("%s: message %q", name, got)
		}
		if v, _ := res.Doc.Find("#email").Attr("value"); v != email {
			t.Errorf("%s: typed email not kept: %q", name, v)
		}
		res.Doc.Find("body").RemoveAttr("hx-headers")
		h, _ := res.Doc.Html()
		pages[name] = strings.ReplaceAll(h, email, "EMAIL")
	}
	if pages["known"] != pages["unknown"] {
		t.Error("the throttled pages differ between a known and an unknown email")
	}
	// In the visitor's language, with its plural forms.
	ru := app.client()
	ru.Header.Set("Accept-Language", "ru")
	res := ru.post("/password/forgot", url.Values{"email": {tom}})
	if got := text(res, `[data-testid="forgot-error"]`); res.StatusCode != http.StatusTooManyRequests ||
		got != "Слишком много запросов из вашей сети. Повторите через 15 минут." {
		t.Errorf("russian: %d %q", res.StatusCode, got)
	}
	// The refused requests sent nothing: one email to Tom, from the first request.
	if msgs := mailbox(t, c); len(msgs) != 1 || msgs[0].To != tom {
		t.Errorf("mailbox: %+v", msgs)
	}
	// Once the window has passed, the client may ask again.
	app.Clock.Advance(tenantdesk.ThrottleWindow)
	res = c.post("/password/forgot", url.Values{"email": {tom}})
	if res.StatusCode != http.StatusOK || text(res, `[data-testid="forgot-sent"]`) != "Check your email" {
		t.Fatalf("after the window: %d %q", res.StatusCode, text(res, `[data-testid="forgot-error"]`))
	}
	if msgs := mailbox(t, c); len(msgs) != 2 {
		t.Errorf("after the window: %d emails", len(msgs))
	}
}
