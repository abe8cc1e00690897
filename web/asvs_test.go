package web_test

// Checks named in docs/security.md that no other test covered: ASVS 5.0
// 6.2.6 (password fields masked), 6.2.7 (paste and password managers
// allowed) and 6.2.8 (the password is checked exactly as typed).

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Every field of a password-bearing form is type=password, says to a
// password manager whether it wants the current or a new password, and
// nothing on the page stops pasting.
func TestPasswordFieldsMaskedAndPasteable(t *testing.T) {
	app := newTestApp(t)
	anon := app.client()
	c := app.client()
	c.mustSignIn(tom)
	pages := []struct {
		c     *client
		path  string
		count int // password fields the page has at least
	}{
		{anon, "/signin", 1},
		{c, "/profile", 1},          // the email change asks for the current password
		{c, "/profile/password", 3}, // current, new, confirm
		{c, "/profile/ftp", 1},
		{c, "/profile/2fa", 0}, // 2FA is off: the password forms are not shown yet
	}
	for _, p := range pages {
		res := p.c.get(p.path)
		if res.StatusCode != http.StatusOK || res.Doc == nil {
			t.Fatalf("%s: status %d", p.path, res.StatusCode)
		}
		n := 0
		res.Doc.Find("input").Each(func(_ int, in *goquery.Selection) {
			name := strings.ToLower(attr(in, "name") + " " + attr(in, "id"))
			if !strings.Contains(name, "password") {
				return
			}
			n++
			if typ := attr(in, "type"); typ != "password" {
				t.Errorf("%s: %q is type=%q, want password", p.path, attr(in, "name"), typ)
			}
			if ac := attr(in, "autocomplete"); ac != "current-password" && ac != "new-password" {
				t.Errorf("%s: %q autocomplete=%q, want current-password or new-password", p.path, attr(in, "name"), ac)
			}
		})
		if n < p.count {
			t.Errorf("%s: %d password fields, want at least %d", p.path, n, p.count)
		}
		for _, block := range []string{"onpaste", "oncopy", "ondrop"} {
			if res.Doc.Find("["+block+"]").Length() != 0 {
				t.Errorf("%s: an element has %s", p.path, block)
			}
		}
	}
}

// The password is verified as it was typed: neither trimmed nor folded to
// one case, so a password with a space or a capital changed is wrong.
func TestSignInComparesThePasswordExactly(t *testing.T) {
	app := newTestApp(t)
	pw := app.Password[tom]
	// Four tries: a fifth wrong password of the email would be throttled.
	for _, typed := range []string{pw + " ", " " + pw, strings.ToUpper(pw), strings.ToLower(pw)} {
		if typed == pw {
			continue // a generated password with no letter of the changed case
		}
		c := app.client()
		if res := c.signIn(tom, typed); res.StatusCode == http.StatusSeeOther {
			t.Errorf("signed in with %q for %q", typed, pw)
		}
	}
	if res := app.client().signIn(tom, pw); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right password: status %d", res.StatusCode)
	}
}
