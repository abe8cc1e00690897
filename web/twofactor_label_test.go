package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestTOTPSetupKeyHasVisibleLabel (issue 13): ARIA does not allow a name on
// <code>, so screen readers ignore an aria-label there. The set-up key has a
// visible label that names the group it is in, in the reader's language.
func TestTOTPSetupKeyHasVisibleLabel(t *testing.T) {
	app := newTestApp(t)
	for _, tc := range []struct{ lang, label string }{{"en", "Setup key"}, {"ru", "Ключ настройки"}} {
		app.exec(`UPDATE users SET language = ? WHERE email_norm = ?`, tc.lang, huck)
		c := app.client()
		c.mustSignIn(huck)
		if res := startTOTPSetup(t, app, c); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: start set-up: %d", tc.lang, res.StatusCode)
		}
		page := c.get("/profile/2fa")
		secret := page.Doc.Find(`[data-testid="totp-secret"]`)
		if secret.Length() != 1 {
			t.Fatalf("%s: no set-up key on the page", tc.lang)
		}
		if n := page.Doc.Find(`code[aria-label]`).Length(); n > 0 {
			t.Errorf("%s: %d <code> elements carry aria-label", tc.lang, n)
		}
		group := secret.Closest(`[aria-labelledby]`)
		id, _ := group.Attr("aria-labelledby")
		label := page.Doc.Find(`#` + id)
		if id == "" || label.Length() != 1 {
			t.Fatalf("%s: the set-up key is in no labelled group (aria-labelledby %q)", tc.lang, id)
		}
		if role, _ := group.Attr("role"); role != "group" {
			t.Errorf("%s: the labelled element is a %q, not a group", tc.lang, role)
		}
		if got := strings.TrimSpace(label.Text()); got != tc.label {
			t.Errorf("%s: label %q, want %q", tc.lang, got, tc.label)
		}
		if hiddenLabel(label) {
			t.Errorf("%s: the label is not visible", tc.lang)
		}
	}
}

// hiddenLabel reports whether s is hidden from sighted readers.
func hiddenLabel(s *goquery.Selection) bool {
	_, hidden := s.Attr("hidden")
	class, _ := s.Attr("class")
	return hidden || strings.Contains(" "+class+" ", " sr-only ")
}
