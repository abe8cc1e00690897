package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
)

// Every shipped language is offered on My profile › Time and language, and
// choosing it switches the whole portal at once: <html lang>, the pages and
// the notice that the choice was saved.
func TestEveryShippedLanguageCanBeChosen(t *testing.T) {
	bundle, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)

	res := c.get("/profile/preferences")
	offered := map[string]string{}
	res.Doc.Find(`#language option`).Each(func(_ int, s *goquery.Selection) { offered[attr(s, "value")] = s.Text() })
	want := map[string]string{"en": "English", "de": "Deutsch", "fr": "Français", "pt": "Português", "ru": "Русский"}
	for tag, name := range want {
		if offered[tag] != name {
			t.Errorf("language %s offered as %q, want %q (offered: %v)", tag, offered[tag], name, offered)
		}
	}
	if _, ok := offered[""]; !ok || len(offered) != len(want)+1 {
		t.Errorf("offered %v: want the five languages and “as my browser”", offered)
	}

	// The home page's subtitle, written out here so a wrong or missing
	// translation fails this test, not only the completeness test.
	subtitle := map[string]string{
		"en": "You are signed in to Tenantdesk.",
		"de": "Sie sind bei Tenantdesk angemeldet.",
		"fr": "Vous êtes connecté à Tenantdesk.",
		"pt": "Você está conectado ao Tenantdesk.",
		"ru": "Вы вошли в Tenantdesk.",
	}
	for _, tag := range []string{"de", "fr", "pt", "ru", "en"} {
		l := bundle.Localizer(tag)
		res := c.post("/profile/preferences", url.Values{"language": {tag}, "timeZone": {"UTC"}})
		mustStatus(t, res, http.StatusSeeOther)
		res = c.get("/profile/preferences")
		if lang := attr(res.Doc.Find("html"), "lang"); lang != tag {
			t.Errorf("%s: preferences page has lang %q", tag, lang)
		}
		if got, want := text(res, `[data-testid="flash"]`), l.T("profile.preferences.saved"); got != want {
			t.Errorf("%s: flash %q, want %q", tag, got, want)
		}
		if got := attr(res.Doc.Find(`#language option[selected]`), "value"); got != tag {
			t.Errorf("%s: selected language %q", tag, got)
		}

		res = c.get("/")
		mustStatus(t, res, http.StatusOK)
		if lang := attr(res.Doc.Find("html"), "lang"); lang != tag {
			t.Errorf("%s: home page has lang %q", tag, lang)
		}
		if got := text(res, `p.page-subtitle`); got != subtitle[tag] {
			t.Errorf("%s: home subtitle %q, want %q", tag, got, subtitle[tag])
		}
		name := text(res, `[data-testid="home-user-name"]`)
		if got, want := text(res, `h1.page-title`), l.T("home.welcome", map[string]any{"Name": name}); got != want {
			t.Errorf("%s: home heading %q, want %q", tag, got, want)
		}
	}

	// “As my browser” follows Accept-Language to a newly shipped language.
	mustStatus(t, c.post("/profile/preferences", url.Values{"language": {""}, "timeZone": {"UTC"}}), http.StatusSeeOther)
	c.Header.Set("Accept-Language", "pt-BR,pt;q=0.9,en;q=0.5")
	res = c.get("/")
	if lang := attr(res.Doc.Find("html"), "lang"); lang != "pt" || text(res, `p.page-subtitle`) != subtitle["pt"] {
		t.Errorf("browser language pt-BR: lang %q, subtitle %q", lang, text(res, `p.page-subtitle`))
	}
}
