package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// My profile (part 1): personal data and email change, rights, time and
// language, portal password, sessions. FTP: profile_ftp_test.go.

func TestProfileIsReachedFromTheUsersName(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	home := c.get("/")
	link := home.Doc.Find(`[data-testid="current-user"]`)
	if goquery.NodeName(link) != "a" || attr(link, "href") != "/profile" || strings.TrimSpace(link.Text()) != "Huck Finn" {
		t.Fatalf("top bar name: <%s href=%q>%s", goquery.NodeName(link), attr(link, "href"), link.Text())
	}
	res := c.get("/profile")
	mustStatus(t, res, http.StatusOK)
	var keys []string
	res.Doc.Find(`[data-testid="profile-tabs"] a`).Each(func(_ int, s *goquery.Selection) {
		keys = append(keys, strings.TrimPrefix(attr(s, "data-testid"), "profile-tab-"))
	})
	mine := []string{"personal", "rights", "preferences", "password", "ftp", "sessions"}
	i := 0
	for _, k := range keys { // others' tabs may sit between them; the order of mine holds
		if i < len(mine) && k == mine[i] {
			i++
		}
	}
	if i != len(mine) {
		t.Errorf("tabs %v, want %v in this order", keys, mine)
	}
	if cur := res.Doc.Find(`[aria-current="page"][data-testid^="profile-tab-"]`); attr(cur, "data-testid") != "profile-tab-personal" {
		t.Errorf("active tab %q", attr(cur, "data-testid"))
	}
	for _, path := range []string{"/profile", "/profile/rights", "/profile/preferences", "/profile/password", "/profile/ftp", "/profile/sessions"} {
		anon := app.client().get(path)
		if anon.StatusCode != http.StatusSeeOther || !strings.HasPrefix(anon.Header.Get("Location"), "/signin") {
			t.Errorf("%s signed out: %d %s", path, anon.StatusCode, anon.Header.Get("Location"))
		}
		if res := c.get(path); res.StatusCode != http.StatusOK || res.Doc.Find(`title`).Length() != 1 {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
}

func TestProfilePersonalData(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	c.get("/profile")
	res := c.post("/profile", url.Values{"displayName": {"  Huckleberry Finn "}, "phone": {"+1 555 0101"}, "jobTitle": {"Raft captain"}})
	mustStatus(t, res, http.StatusSeeOther)
	res = c.get(res.Header.Get("Location"))
	if text(res, `[data-testid="flash"]`) != "Your personal data has been saved." {
		t.Errorf("flash %q", text(res, `[data-testid="flash"]`))
	}
	if v := attr(res.Doc.Find(`#displayName`), "value"); v != "Huckleberry Finn" {
		t.Errorf("display name %q", v)
	}
	if text(res, `[data-testid="current-user"]`) != "Huckleberry Finn" {
		t.Errorf("top bar %q", text(res, `[data-testid="current-user"]`))
	}
	u, acc := accountOf(t, app, huck)
	if u.DisplayName != "Huckleberry Finn" || u.Phone != "+1 555 0101" || u.JobTitle != "Raft captain" {
		t.Errorf("stored %+v", u)
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditProfileUpdate, `"jobTitle":"Raft captain"`) {
		t.Error("not audited")
	}

	// Errors come back beside their fields, with the input kept.
	res = c.post("/profile", url.Values{"displayName": {"  "}, "phone": {strings.Repeat("5", 41)}, "jobTitle": {strings.Repeat("j", 101)}})
	mustStatus(t, res, http.StatusOK)
	for field, want := range map[string]string{
		"displayName": "Display name is required.",
		"phone":       "The phone number must be at most 40 characters.",
		"jobTitle":    "The job title must be at most 100 characters.",
	} {
		if got := text(res, `[data-testid="`+field+`-error"]`); got != want {
			t.Errorf("%s error %q, want %q", field, got, want)
		}
	}
	if v := attr(res.Doc.Find(`#phone`), "value"); v != strings.Repeat("5", 41) {
		t.Errorf("phone not kept: %q", v)
	}
	if u2, _ := accountOf(t, app, huck); u2.Phone != "+1 555 0101" {
		t.Errorf("invalid change stored: %+v", u2)
	}
}

func TestProfileEmailChangeNeedsTheLinkFromTheNewAddress(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	const newAddr = "huck@river.example"
	u, acc := accountOf(t, app, huck)
	c := app.client()
	c.mustSignIn(huck)
	c.get("/profile")

	// The current password is required and checked.
	res := c.post("/profile/email", url.Values{"email": {newAddr}, "currentPassword": {"not my password"}})
	mustStatus(t, res, http.StatusOK)
	if got := text(res, `[data-testid="currentPassword-error"]`); got != "The current password is not correct." {
		t.Errorf("wrong password: %q", got)
	}
	if v := attr(res.Doc.Find(`#email`), "value"); v != newAddr {
		t.Errorf("new email not kept: %q", v)
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditReauthFailed, "") {
		t.Error("wrong current password not audited")
	}
	// Another account's user's address is taken (emails are unique across accounts).
	res = c.post("/profile/email", url.Values{"email": {"Winnie.Pooh@hundredacre.example"}, "currentPassword": {app.Password[huck]}})
	mustStatus(t, res, http.StatusOK)
	if got := text(res, `[data-testid="email-error"]`); got != "A user with this email already exists." {
		t.Errorf("taken email: %q", got)
	}
	res = c.post("/profile/email", url.Values{"email": {"not an email"}, "currentPassword": {app.Password[huck]}})
	if text(res, `[data-testid="email-error"]`) == "" {
		t.Error("malformed email accepted")
	}

	// A good request changes nothing yet and mails the NEW address.
	res = c.post("/profile/email", url.Values{"email": {newAddr}, "currentPassword": {app.Password[huck]}})
	mustStatus(t, res, http.StatusSeeOther)
	if got := text(c.get("/profile"), `[data-testid="flash"]`); !strings.Contains(got, newAddr) || !strings.Contains(got, "1 hour") {
		t.Errorf("flash %q", got)
	}
	if cur, _ := accountOf(t, app, huck); cur.Email != huck {
		t.Fatalf("email changed before confirmation: %s", cur.Email)
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditEmailChangeRequested, newAddr) {
		t.Error("request not audited")
	}
	link := latestLink(t, c, newAddr, "/profile/email/confirm?token=")

	// Opening the link (a GET) only shows what will change; another
	// browser, not signed in, can confirm.
	other := app.client()
	page := other.get(link)
	mustStatus(t, page, http.StatusOK)
	if text(page, `[data-testid="confirm-old-email"]`) != huck || text(page, `[data-testid="confirm-new-email"]`) != newAddr {
		t.Errorf("confirm page: %q → %q", text(page, `[data-testid="confirm-old-email"]`), text(page, `[data-testid="confirm-new-email"]`))
	}
	if cur, _ := accountOf(t, app, huck); cur.Email != huck {
		t.Fatal("a GET changed the email")
	}
	res = other.post("/profile/email/confirm", url.Values{"token": {tokenOf(t, link)}})
	mustStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/profile/email/confirmed" {
		t.Fatalf("after confirm: %s", loc)
	}
	if text(other.get("/profile/email/confirmed"), `[data-testid="email-confirmed"]`) == "" {
		t.Error("no confirmation page")
	}
	if cur, _ := accountOf(t, app, newAddr); cur.ID != u.ID {
		t.Fatalf("email not changed")
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditEmailChanged, newAddr) {
		t.Error("change not audited")
	}
	// The old address is told.
	found := false
	for _, m := range mailbox(t, c) {
		if m.To == huck && m.Subject == "Your Tenantdesk email address was changed" {
			found = true
		}
	}
	if !found {
		t.Error("no notice to the old address")
	}
	// The link works once; the new address signs in, the old does not.
	if res := other.post("/profile/email/confirm", url.Values{"token": {tokenOf(t, link)}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("used link: %d", res.StatusCode)
	}
	if res := app.client().signIn(newAddr, app.Password[huck]); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in with the new address: %d", res.StatusCode)
	}
	if res := app.client().signIn(huck, app.Password[huck]); res.StatusCode == http.StatusSeeOther {
		t.Error("the old address still signs in")
	}
	// The signed-in session goes on, showing the new address.
	if got := text(c.get("/profile"), `[data-testid="current-email"]`); got != newAddr {
		t.Errorf("profile shows %q", got)
	}
}

func TestProfileEmailChangeRefusedWhenTakenMeanwhileOrExpired(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	c.mustSignIn(huck)
	c.get("/profile")
	mustStatus(t, c.post("/profile/email", url.Values{"email": {"raft@river.example"}, "currentPassword": {app.Password[huck]}}), http.StatusSeeOther)
	link := latestLink(t, c, "raft@river.example", "/profile/email/confirm?token=")
	// Someone else gets the address before the link is opened.
	app.exec(`UPDATE users SET email = 'raft@river.example', email_norm = 'raft@river.example' WHERE email_norm = ?`, becky)
	res := c.post("/profile/email/confirm", url.Values{"token": {tokenOf(t, link)}})
	mustStatus(t, res, http.StatusConflict)
	if !strings.Contains(text(res, `[data-testid="email-link-problem"]`), "Another user now has this email address") {
		t.Errorf("taken: %q", text(res, `[data-testid="email-link-problem"]`))
	}
	if cur, _ := accountOf(t, app, huck); cur.Email != huck {
		t.Errorf("email changed to a taken address: %s", cur.Email)
	}

	// A link expires like a reset link (1 hour by default).
	mustStatus(t, c.post("/profile/email", url.Values{"email": {"late@river.example"}, "currentPassword": {app.Password[huck]}}), http.StatusSeeOther)
	link = latestLink(t, c, "late@river.example", "/profile/email/confirm?token=")
	app.Clock.Advance(61 * time.Minute)
	mustStatus(t, c.get(link), http.StatusGone)
	mustStatus(t, c.post("/profile/email/confirm", url.Values{"token": {tokenOf(t, link)}}), http.StatusGone)
	if cur, _ := accountOf(t, app, huck); cur.Email != huck {
		t.Errorf("expired link changed the email: %s", cur.Email)
	}
	mustStatus(t, c.get("/profile/email/confirm?token=nonsense"), http.StatusNotFound)
}

func TestProfileRightsShowRolesAndWhoCanChangeThem(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	res := c.get("/profile/rights")
	mustStatus(t, res, http.StatusOK)
	held := map[string]string{}
	res.Doc.Find(`[data-testid="held-role"]`).Each(func(_ int, s *goquery.Selection) {
		held[attr(s, "data-role")] = s.Text()
	})
	u, _ := accountOf(t, app, huck)
	if len(held) != len(u.Roles) {
		t.Errorf("roles shown %v, held %v", held, u.Roles)
	}
	if !strings.Contains(held["customer.user.supervisorl1"], "Reporting supervisor") || !strings.Contains(held["customer.user"], "Website access") {
		t.Errorf("roles: %v", held)
	}
	if res.Doc.Find(`[data-testid="rights-group-supervisor"] [data-role="customer.user.supervisorl1"]`).Length() != 1 ||
		res.Doc.Find(`[data-testid="rights-group-permission"] [data-role="customer.user"]`).Length() != 1 {
		t.Error("roles not grouped as in the catalogue")
	}
	if res.Doc.Find(`[data-testid="owner-badge"]`).Length() != 0 {
		t.Error("Huck shown as Owner")
	}
	var managers []string
	res.Doc.Find(`[data-testid="manager"]`).Each(func(_ int, s *goquery.Selection) {
		managers = append(managers, strings.Join(strings.Fields(s.Text()), " "))
	})
	if len(managers) < 2 || managers[0] != "Tom Sawyer Owner" || !contains(managers, "Becky Thatcher User admin") {
		t.Errorf("managers %v", managers)
	}
	for _, m := range managers {
		if strings.Contains(m, "Christopher") || strings.Contains(m, "Elizabeth") {
			t.Errorf("another account's manager listed: %s", m)
		}
	}

	owner := app.client()
	owner.mustSignIn(tom)
	res = owner.get("/profile/rights")
	if res.Doc.Find(`[data-testid="owner-badge"]`).Length() != 1 || res.Doc.Find(`[data-testid="owner-note"]`).Length() != 1 {
		t.Error("no Owner badge for the Owner")
	}
	// The Owner is told only that nobody can reduce their rights and that
	// ownership moves through the platform operator: no list naming
	// himself, no "ask one of them".
	if got := text(res, `[data-testid="owner-note"]`); !strings.Contains(got, "nobody can reduce it") || !strings.Contains(got, "platform operator") {
		t.Errorf("Owner's note %q", got)
	}
	if n := res.Doc.Find(`[data-testid="manager"]`).Length(); n != 0 || strings.Contains(res.Body, "Ask one of them") {
		t.Errorf("the Owner is sent to %d managers", n)
	}
	if res.Doc.Find(`[data-testid="owner-note"]`).Length() != 1 {
		t.Error("the Owner's note is not said once")
	}
	// A user admin sees who else can change their rights, not themselves.
	admin := app.client()
	admin.mustSignIn(becky)
	res = admin.get("/profile/rights")
	managers = nil
	res.Doc.Find(`[data-testid="manager"]`).Each(func(_ int, s *goquery.Selection) {
		managers = append(managers, strings.Join(strings.Fields(s.Text()), " "))
	})
	if !contains(managers, "Tom Sawyer Owner") || contains(managers, "Becky Thatcher User admin") || res.Doc.Find(`[data-testid="owner-note"]`).Length() != 0 {
		t.Errorf("user admin's managers %v", managers)
	}
}

func TestProfileLanguageSwitchesAtOnce(t *testing.T) {
	app := newTestApp(t)
	_, acc := accountOf(t, app, huck)
	c := app.client()
	c.mustSignIn(huck)
	res := c.get("/profile/preferences")
	if lang := attr(res.Doc.Find("html"), "lang"); lang != "en" {
		t.Fatalf("lang %q", lang)
	}
	var offered []string
	res.Doc.Find(`#language option`).Each(func(_ int, s *goquery.Selection) { offered = append(offered, attr(s, "value")) })
	if !contains(offered, "en") || !contains(offered, "ru") || !contains(offered, "") {
		t.Errorf("languages offered %v", offered)
	}
	if n := res.Doc.Find(`datalist#time-zones option`).Length(); n < 300 || attr(res.Doc.Find(`#timeZone`), "list") != "time-zones" {
		t.Errorf("time zone list: %d options", n)
	}

	res = c.post("/profile/preferences", url.Values{"language": {"ru"}, "timeZone": {"UTC"}})
	mustStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/profile/preferences" {
		t.Fatalf("redirect %q", loc)
	}
	res = c.get("/profile/preferences")
	if lang := attr(res.Doc.Find("html"), "lang"); lang != "ru" {
		t.Errorf("after switching to Russian, lang %q", lang)
	}
	if got := text(res, `[data-testid="profile-heading"]`); got != "Мой профиль" {
		t.Errorf("heading %q", got)
	}
	if got := text(res, `[data-testid="flash"]`); got != "Настройки времени и языка сохранены." {
		t.Errorf("flash in the new language: %q", got)
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditPreferencesUpdate, `"language":"ru"`) {
		t.Error("not audited")
	}
	// And back.
	mustStatus(t, c.post("/profile/preferences", url.Values{"language": {"en"}, "timeZone": {"UTC"}}), http.StatusSeeOther)
	res = c.get("/profile/preferences")
	if lang := attr(res.Doc.Find("html"), "lang"); lang != "en" || text(res, `[data-testid="profile-heading"]`) != "My profile" {
		t.Errorf("back to English: lang %q, heading %q", lang, text(res, `[data-testid="profile-heading"]`))
	}

	// Unknown values are refused beside their fields, input kept.
	res = c.post("/profile/preferences", url.Values{"language": {"xx"}, "timeZone": {"Europe/Nowhere"}})
	mustStatus(t, res, http.StatusOK)
	if text(res, `[data-testid="language-error"]`) == "" || text(res, `[data-testid="timeZone-error"]`) == "" {
		t.Error("no field errors")
	}
	res = c.post("/profile/preferences", url.Values{"language": {"en"}, "timeZone": {"Mars/Olympus"}})
	if got := text(res, `[data-testid="timeZone-error"]`); got != "Choose a time zone from the list, such as Europe/Berlin." ||
		attr(res.Doc.Find(`#timeZone`), "value") != "Mars/Olympus" {
		t.Errorf("zone error %q", got)
	}
}

func TestProfileTimeZoneChangesHowTimesAreShown(t *testing.T) {
	app := newTestApp(t) // the clock stands at 2026-11-21 09:00 UTC
	c := app.client()
	c.mustSignIn(huck)
	res := c.get("/profile/preferences")
	if got := text(res, `[data-testid="zone-now"] time`); got != "2026-11-21 09:00 UTC" {
		t.Errorf("UTC: %q", got)
	}
	mustStatus(t, c.post("/profile/preferences", url.Values{"language": {""}, "timeZone": {"Asia/Tokyo"}}), http.StatusSeeOther)
	res = c.get("/profile/preferences")
	if got := text(res, `[data-testid="zone-now"] time`); got != "2026-11-21 18:00 JST" {
		t.Errorf("Tokyo: %q", got)
	}
	if v := attr(res.Doc.Find(`#timeZone`), "value"); v != "Asia/Tokyo" {
		t.Errorf("zone shown %q", v)
	}
	// Every date of the portal follows, e.g. the sessions list.
	res = c.get("/profile/sessions")
	if got := text(res, `[data-testid="session-created"]`); got != "2026-11-21 18:00 JST" {
		t.Errorf("session time %q", got)
	}
	if u, _ := accountOf(t, app, huck); u.TimeZone != "Asia/Tokyo" {
		t.Errorf("stored %q", u.TimeZone)
	}
	// UTC is stored as the default.
	mustStatus(t, c.post("/profile/preferences", url.Values{"timeZone": {"UTC"}}), http.StatusSeeOther)
	if u, _ := accountOf(t, app, huck); u.TimeZone != "" {
		t.Errorf("UTC stored as %q", u.TimeZone)
	}
}

func TestProfilePasswordChange(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	_, acc := accountOf(t, app, tom)
	here, there := app.client(), app.client()
	here.mustSignIn(tom)
	there.mustSignIn(tom)
	here.get("/profile/password")
	change := func(current, pw, confirm string) *response {
		return here.post("/profile/password", url.Values{"currentPassword": {current}, "newPassword": {pw}, "confirmPassword": {confirm}})
	}
	const newPW = "whitewashing the fence is an art"
	for _, c := range []struct {
		name, current, pw, confirm, field, want string
	}{
		{"wrong current password", "wrong password!", newPW, newPW, "currentPassword", "The current password is not correct."},
		{"too short", app.Password[tom], "short", "short", "newPassword", "The password must be 12 to 128 characters long."},
		// "scandinavian" is in the zxcvbn list as it is; "password" is, and
		// "Password1234" is it with digits: both are refused.
		{"common", app.Password[tom], "scandinavian", "scandinavian", "newPassword", "This password is among the most commonly used passwords. Choose one that is harder to guess."},
		{"common with digits", app.Password[tom], "Password1234", "Password1234", "newPassword", "This password is among the most commonly used passwords. Choose one that is harder to guess."},
		{"repetitive", app.Password[tom], "aaaaaaaaaaaa", "aaaaaaaaaaaa", "newPassword", "The password repeats a character or a short pattern (like “aaaa” or “abcabc”). Choose one that is harder to guess."},
		{"repeated pattern", app.Password[tom], "abcabcabcabc", "abcabcabcabc", "newPassword", "The password repeats a character or a short pattern (like “aaaa” or “abcabc”). Choose one that is harder to guess."},
		{"sequential", app.Password[tom], "345678901234", "345678901234", "newPassword", "The password is letters, digits or keyboard keys in a row (like “abcdef”, “123456” or “qwerty”). Choose one that is harder to guess."},
		{"keyboard row", app.Password[tom], "qwertyuiopas", "qwertyuiopas", "newPassword", "The password is letters, digits or keyboard keys in a row (like “abcdef”, “123456” or “qwerty”). Choose one that is harder to guess."},
		{"contains the email", app.Password[tom], "tom.sawyer@fence.example!", "tom.sawyer@fence.example!", "newPassword", "The password must not contain your email address or its name part."},
		{"contains the email's name", app.Password[tom], "I am Tom Sawyer, painter", "I am Tom Sawyer, painter", "newPassword", "The password must not contain your email address or its name part."},
		// Context-specific words (ASVS 5.0 6.2.11): the portal's names and the partner's ("Classics, Inc.").
		{"contains the product's name", app.Password[tom], "my MultiDesk is a fence", "my MultiDesk is a fence", "newPassword", "The password must not contain “Multidesk”: the names of this portal and of your provider are among the first words tried when guessing a password."},
		{"contains the partner's name", app.Password[tom], "classics inc painted it", "classics inc painted it", "newPassword", "The password must not contain “Classics, Inc.”: the names of this portal and of your provider are among the first words tried when guessing a password."},
		{"mismatch", app.Password[tom], newPW, newPW + "!", "confirmPassword", "The two passwords do not match. Type the same password twice."},
	} {
		res := change(c.current, c.pw, c.confirm)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", c.name, res.StatusCode)
		}
		if got := text(res, `[data-testid="`+c.field+`-error"]`); got != c.want {
			t.Errorf("%s: %s error %q, want %q", c.name, c.field, got, c.want)
		}
		if res.Doc.Find(`input[type="password"][value]:not([value=""])`).Length() != 0 {
			t.Errorf("%s: a password was sent back into the form", c.name)
		}
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditReauthFailed, "") {
		t.Error("wrong current password not audited")
	}

	res := change(app.Password[tom], newPW, newPW)
	mustStatus(t, res, http.StatusSeeOther)
	if got := text(here.get("/profile/password"), `[data-testid="flash"]`); got != "Your password has been changed. 1 other session was signed out." {
		t.Errorf("flash %q", got)
	}
	// This session goes on; the other one is signed out.
	mustStatus(t, here.get("/profile"), http.StatusOK)
	if res := there.get("/profile"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("other session still works: %d", res.StatusCode)
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditPasswordChanged, `"otherSessionsEnded":1`) {
		t.Error("change not audited")
	}
	found := false
	for _, m := range mailbox(t, here) {
		if m.To == tom && m.Subject == "Your Tenantdesk password was changed" {
			found = true
		}
	}
	if !found {
		t.Error("no email that the password changed")
	}
	if res := app.client().signIn(tom, app.Password[tom]); res.StatusCode == http.StatusSeeOther {
		t.Error("the old password still works")
	}
	if res := app.client().signIn(tom, newPW); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the new password: %d", res.StatusCode)
	}
}

func TestWrongCurrentPasswordsAreThrottled(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(huck)
	c.get("/profile/password")
	var res *response
	for i := 0; i < tenantdesk.ThrottleMaxPerEmail+1; i++ {
		res = c.post("/profile/password", url.Values{"currentPassword": {"guess number " + string(rune('a'+i))},
			"newPassword": {"a fine new passphrase"}, "confirmPassword": {"a fine new passphrase"}})
	}
	mustStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" || !strings.Contains(text(res, `[data-testid="password-form-error"]`), "Too many wrong passwords") {
		t.Errorf("throttled: %q", text(res, `[data-testid="password-form-error"]`))
	}
}

func TestEveryWayOfSettingAPasswordUsesThePolicy(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	ctx := context.Background()
	u, _ := accountOf(t, app, becky)
	// The operator's command line (tenantdesk user passwd) and the demo data.
	for _, pw := range []string{"Password1234", "becky.thatcher rules", "short", "aaaaaaaaaaaa", "abcdefghijkl"} {
		if err := app.ops().SetPassword(ctx, u.ID, pw); tenantdesk.ErrorCode(err) != tenantdesk.EINVALID {
			t.Errorf("SetPassword(%q): %v", pw, err)
		}
	}
	if err := app.ops().SetPassword(ctx, u.ID, goodPassword); err != nil {
		t.Errorf("a good password: %v", err)
	}
	// Activation links.
	inviteNewcomer(t, app)
	c := app.client()
	link := latestLink(t, c, newcomer, "/activate?token=")
	c.get(link)
	res := setPassword(c, "/activate", tokenOf(t, link), "Password1234", "Password1234")
	if got := text(res, `[data-testid="password-error"]`); got != "This password is among the most commonly used passwords. Choose one that is harder to guess." {
		t.Errorf("activation with a common password: %d %q", res.StatusCode, got)
	}
	res = setPassword(c, "/activate", tokenOf(t, link), "Ben Rogers is here", "Ben Rogers is here")
	if got := text(res, `[data-testid="password-error"]`); got != "The password must not contain your email address or its name part." {
		t.Errorf("activation with the email's name: %q", got)
	}
	res = setPassword(c, "/activate", tokenOf(t, link), "abcdefghijkl", "abcdefghijkl")
	if got := text(res, `[data-testid="password-error"]`); got != "The password is letters, digits or keyboard keys in a row (like “abcdef”, “123456” or “qwerty”). Choose one that is harder to guess." {
		t.Errorf("activation with a run of letters: %d %q", res.StatusCode, got)
	}
	res = setPassword(c, "/activate", tokenOf(t, link), "aaaaaaaaaaaa", "aaaaaaaaaaaa")
	if got := text(res, `[data-testid="password-error"]`); got != "The password repeats a character or a short pattern (like “aaaa” or “abcabc”). Choose one that is harder to guess." {
		t.Errorf("activation with one character: %d %q", res.StatusCode, got)
	}
	if res := setPassword(c, "/activate", tokenOf(t, link), goodPassword, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Errorf("activation with a good password: %d", res.StatusCode)
	}
	// Reset links.
	c.post("/password/forgot", url.Values{"email": {huck}})
	link = latestLink(t, c, huck, "/password/reset?token=")
	c.get(link)
	res = setPassword(c, "/password/reset", tokenOf(t, link), "qwerty123456", "qwerty123456")
	if got := text(res, `[data-testid="password-error"]`); !strings.Contains(got, "most commonly used") {
		t.Errorf("reset with a common password: %q", got)
	}
	res = setPassword(c, "/password/reset", tokenOf(t, link), "qwertyuiopas", "qwertyuiopas")
	if got := text(res, `[data-testid="password-error"]`); !strings.Contains(got, "keyboard keys in a row") {
		t.Errorf("reset with a keyboard row: %q", got)
	}
	res = setPassword(c, "/password/reset", tokenOf(t, link), "abcabcabcabc", "abcabcabcabc")
	if got := text(res, `[data-testid="password-error"]`); !strings.Contains(got, "repeats a character or a short pattern") {
		t.Errorf("reset with a repeated pattern: %q", got)
	}
	// Passphrases stay welcome.
	if res := setPassword(c, "/password/reset", tokenOf(t, link), "correct horse battery staple", "correct horse battery staple"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("reset with a passphrase: %d %q", res.StatusCode, text(res, `[data-testid="password-error"]`))
	}
}

func TestProfileSessions(t *testing.T) {
	app := newTestApp(t)
	const firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
	const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
	here, phone := app.client(), app.client()
	here.Header.Set("User-Agent", firefox)
	phone.Header.Set("User-Agent", iphone)
	here.mustSignIn(tom)
	app.Clock.Advance(5 * time.Minute)
	phone.mustSignIn(tom)
	stranger := app.client()
	stranger.mustSignIn(becky)

	res := here.get("/profile/sessions")
	rows := res.Doc.Find(`[data-testid="session-row"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d sessions listed, want 2 (Becky's is not Tom's)", rows.Length())
	}
	var phoneHandle string
	rows.Each(func(_ int, s *goquery.Selection) {
		device := strings.TrimSpace(s.Find(`[data-testid="session-device"]`).Text())
		current := s.Find(`[data-testid="session-current"]`).Length() == 1
		switch {
		case current:
			if !strings.Contains(device, "Firefox 120") || !strings.Contains(device, "Windows") || s.Find(`[data-testid="session-signout"]`).Length() != 0 {
				t.Errorf("this session: %q", device)
			}
			if got := strings.TrimSpace(s.Find(`[data-testid="session-created"]`).Text()); got != "2026-11-21 09:00 UTC" {
				t.Errorf("signed in at %q", got)
			}
		default:
			phoneHandle = attr(s, "data-handle")
			if !strings.Contains(device, "Safari") || !strings.Contains(device, "iOS") {
				t.Errorf("other session: %q", device)
			}
			if got := strings.TrimSpace(s.Find(`[data-testid="session-ip"]`).Text()); got != "127.0.0.1" {
				t.Errorf("ip %q", got)
			}
			if got := strings.TrimSpace(s.Find(`[data-testid="session-created"]`).Text()); got != "2026-11-21 09:05 UTC" {
				t.Errorf("signed in at %q", got)
			}
		}
	})
	if phoneHandle == "" || len(phoneHandle) < 16 {
		t.Fatalf("handle %q", phoneHandle)
	}
	if strings.Contains(res.Body, phone.cookie("td_session").Value) {
		t.Error("the session cookie appears on the page")
	}

	// Another user cannot end Tom's session by its handle, even with their
	// own password: it is not theirs, so it is "already ended".
	stranger.get("/")
	if res := stranger.get("/profile/sessions/" + phoneHandle + "/signout"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("another user's confirmation: %d", res.StatusCode)
	}
	stranger.post("/profile/sessions/"+phoneHandle+"/signout", url.Values{"currentPassword": {app.Password[becky]}})
	mustStatus(t, phone.get("/profile"), http.StatusOK)

	// Tom signs the phone out from here: the row's Sign out leads to a
	// confirmation that asks for his password (ASVS 5.0 7.5.2), a plain
	// form that works without JavaScript.
	signoutURL := "/profile/sessions/" + phoneHandle + "/signout"
	if got := attr(res.Doc.Find(`[data-handle="`+phoneHandle+`"] [data-testid="session-signout"]`), "href"); got != signoutURL {
		t.Fatalf("the row's Sign out leads to %q", got)
	}
	confirm := here.get(signoutURL)
	mustStatus(t, confirm, http.StatusOK)
	if confirm.Doc.Find(`form[action="`+signoutURL+`"] input[type="password"][name="currentPassword"][autocomplete="current-password"]`).Length() != 1 ||
		!strings.Contains(text(confirm, "#confirm-body"), "iOS") {
		t.Fatalf("confirmation: %.300s", text(confirm, "#confirm-body"))
	}
	if body := text(confirm, "#confirm-body"); !strings.Contains(body, "(IP ") {
		t.Errorf("the confirmation does not name the IP: %q", body)
	}
	// A session with no IP recorded is named without one, not "IP ,".
	app.exec(`UPDATE sessions SET ip = '' WHERE handle = ?`, phoneHandle)
	if body := text(here.get(signoutURL), "#confirm-body"); strings.Contains(body, "IP") || !strings.Contains(body, "iOS") {
		t.Errorf("the confirmation of a session without an IP: %q", body)
	}
	mustStatus(t, phone.get("/profile"), http.StatusOK) // nothing happened yet
	// A wrong password: the confirmation again with the field's error,
	// nothing ended, the attempt audited.
	res = here.post(signoutURL, url.Values{"currentPassword": {"not my password"}})
	mustStatus(t, res, http.StatusOK)
	if got := text(res, `[data-testid="currentPassword-error"]`); got != "The current password is not correct." || res.Doc.Find(`form[action="`+signoutURL+`"]`).Length() != 1 {
		t.Errorf("wrong password: field error %q", got)
	}
	mustStatus(t, phone.get("/profile"), http.StatusOK)
	res = here.post(signoutURL, nil)
	if got := text(res, `[data-testid="currentPassword-error"]`); got == "" {
		t.Error("no password: no field error")
	}
	mustStatus(t, phone.get("/profile"), http.StatusOK)
	res = here.post(signoutURL, url.Values{"currentPassword": {app.Password[tom]}})
	mustStatus(t, res, http.StatusSeeOther)
	if res := phone.get("/profile"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed-out session still works: %d", res.StatusCode)
	}
	res = here.get("/profile/sessions")
	if res.Doc.Find(`[data-testid="session-row"]`).Length() != 1 || text(res, `[data-testid="flash"]`) != "The session has been signed out." {
		t.Errorf("after sign-out: %d rows, flash %q", res.Doc.Find(`[data-testid="session-row"]`).Length(), text(res, `[data-testid="flash"]`))
	}
	_, acc := accountOf(t, app, tom)
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditSessionEnded, "iPhone") || !hasAudit(t, app, acc.ID, tenantdesk.AuditReauthFailed, "") {
		t.Error("not audited")
	}
	// A confirmation of a session that has ended meanwhile says so.
	if res := here.get(signoutURL); res.StatusCode != http.StatusSeeOther ||
		text(here.get("/profile/sessions"), `[data-testid="flash"]`) != "That session had already ended." {
		t.Errorf("confirmation of an ended session: %d", res.StatusCode)
	}
	// This session cannot be ended from the list (the top bar's Sign out,
	// one click, is for that).
	handle := attr(res.Doc.Find(`[data-testid="session-row"]`), "data-handle")
	if res := here.get("/profile/sessions/" + handle + "/signout"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("confirmation of this session: %d", res.StatusCode)
	}
	res = here.post("/profile/sessions/"+handle+"/signout", url.Values{"currentPassword": {app.Password[tom]}})
	if res.StatusCode != http.StatusOK || text(res, `[data-testid="sessions-error"]`) == "" {
		t.Errorf("ending this session: %d", res.StatusCode)
	}
	mustStatus(t, here.get("/profile"), http.StatusOK)
	res = here.post("/signout", nil)
	if res.StatusCode != http.StatusSeeOther || here.get("/profile").StatusCode != http.StatusSeeOther {
		t.Errorf("Sign out (one click, no password): %d", res.StatusCode)
	}
}

func TestProfileSignOutAllOtherSessions(t *testing.T) {
	app := newTestApp(t)
	here, a, b := app.client(), app.client(), app.client()
	for _, c := range []*client{here, a, b} {
		c.mustSignIn(becky)
	}
	res := here.get("/profile/sessions")
	if attr(res.Doc.Find(`[data-testid="signout-others"]`), "href") != "/profile/sessions/signout-others" {
		t.Fatal("no link to sign out the others")
	}
	// A confirmation page comes first (it works without JavaScript) and
	// asks for the current password (ASVS 5.0 7.5.2).
	res = here.get("/profile/sessions/signout-others")
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(res.Body, "2 other sessions will be signed out") ||
		res.Doc.Find(`form[action="/profile/sessions/signout-others"] input[type="password"][name="currentPassword"]`).Length() != 1 {
		t.Errorf("confirmation: %.300s", text(res, `#confirm-body`))
	}
	mustStatus(t, a.get("/profile"), http.StatusOK) // nothing happened yet
	for _, pw := range []string{"", "not my password"} {
		res = here.post("/profile/sessions/signout-others", url.Values{"currentPassword": {pw}})
		mustStatus(t, res, http.StatusOK)
		if got := text(res, `[data-testid="currentPassword-error"]`); got != "The current password is not correct." ||
			!strings.Contains(text(res, `[data-testid="sessions-form-error"]`), "The current password is not correct.") {
			t.Errorf("password %q: field error %q", pw, got)
		}
		mustStatus(t, a.get("/profile"), http.StatusOK)
		mustStatus(t, b.get("/profile"), http.StatusOK)
	}
	res = here.post("/profile/sessions/signout-others", url.Values{"currentPassword": {app.Password[becky]}})
	mustStatus(t, res, http.StatusSeeOther)
	for _, c := range []*client{a, b} {
		if res := c.get("/profile"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("another session survived: %d", res.StatusCode)
		}
	}
	res = here.get("/profile/sessions")
	mustStatus(t, res, http.StatusOK)
	if text(res, `[data-testid="flash"]`) != "2 other sessions have been signed out." || res.Doc.Find(`[data-testid="sessions-only-this"]`).Length() != 1 {
		t.Errorf("after: flash %q", text(res, `[data-testid="flash"]`))
	}
	// With no other session, the confirmation page sends back to the list.
	if res := here.get("/profile/sessions/signout-others"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("confirm with no others: %d", res.StatusCode)
	}
}

// TestEndingSessionsThrottlesWrongPasswords: the password that confirms
// ending sessions is guessed against the same limit as the sign-in and the
// other My profile forms (5 per email in 15 minutes), then refused with 429.
func TestEndingSessionsThrottlesWrongPasswords(t *testing.T) {
	app := newTestApp(t)
	here, other := app.client(), app.client()
	here.mustSignIn(huck)
	other.mustSignIn(huck)
	here.get("/profile/sessions")
	var res *response
	for i := 0; i < tenantdesk.ThrottleMaxPerEmail+1; i++ {
		res = here.post("/profile/sessions/signout-others", url.Values{"currentPassword": {"guess number " + string(rune('a'+i))}})
	}
	mustStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" || !strings.Contains(text(res, `[data-testid="sessions-form-error"]`), "Too many wrong passwords") {
		t.Errorf("throttled: %q", text(res, `[data-testid="sessions-form-error"]`))
	}
	// Even the right password now waits; nothing was ended.
	res = here.post("/profile/sessions/signout-others", url.Values{"currentPassword": {app.Password[huck]}})
	mustStatus(t, res, http.StatusTooManyRequests)
	mustStatus(t, other.get("/profile"), http.StatusOK)
}
