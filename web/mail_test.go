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
	"github.com/tenantdesk/tenantdesk/web"
)

// withDevMailbox serves the demo mailbox at /dev/mail, as --demo does.
func withDevMailbox(c *web.Config) { c.DevMailbox = true }

const newcomer = "ben.rogers@fence.example"

// inviteNewcomer creates an invited user with website access in Tom's
// account and queues an activation email for them, as an invitation does.
func inviteNewcomer(t *testing.T, app *testApp) *tenantdesk.User {
	t.Helper()
	ctx := context.Background()
	owner, err := app.DB.FindUserByEmail(ctx, tom)
	if err != nil {
		t.Fatal(err)
	}
	u := &tenantdesk.User{AccountID: owner.AccountID, DisplayName: "Ben Rogers", Email: newcomer,
		Roles: []string{tenantdesk.RoleCustomerUser}}
	if err := app.ops().CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := app.ops().QueueActivation(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	return u
}

// mailItem is one message as the demo mailbox shows it.
type mailItem struct {
	To, Subject string
	Links       []string // path and query of every link in the body
}

// mailbox reads /dev/mail and returns the messages, newest first.
func mailbox(t *testing.T, c *client) []mailItem {
	t.Helper()
	res := c.get("/dev/mail")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /dev/mail: status %d", res.StatusCode)
	}
	var out []mailItem
	res.Doc.Find(`[data-testid="devmail-message"]`).Each(func(_ int, s *goquery.Selection) {
		m := mailItem{To: strings.TrimSpace(s.Find(`[data-testid="devmail-to"]`).Text()),
			Subject: strings.TrimSpace(s.Find(`[data-testid="devmail-subject"]`).Text())}
		s.Find(`[data-testid="devmail-link"]`).Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			u, err := url.Parse(href)
			if err != nil || u.Host != strings.TrimPrefix(c.app.Server.URL, "http://") {
				t.Errorf("mail link %q does not point at the portal %s", href, c.app.Server.URL)
				return
			}
			m.Links = append(m.Links, u.RequestURI())
		})
		out = append(out, m)
	})
	return out
}

// latestLink returns the first link of the newest message to addr whose
// link starts with prefix.
func latestLink(t *testing.T, c *client, addr, prefix string) string {
	t.Helper()
	for _, m := range mailbox(t, c) {
		if m.To != addr {
			continue
		}
		for _, l := range m.Links {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
	}
	t.Fatalf("no %s link for %s in the mailbox", prefix, addr)
	return ""
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, _ := url.Parse(link)
	tok := u.Query().Get("token")
	if tok == "" {
		t.Fatalf("link %q has no token", link)
	}
	return tok
}

const goodPassword = "correct horse battery staple"

func setPassword(c *client, path, token, password, confirm string) *response {
	c.app.t.Helper()
	return c.post(path, url.Values{"token": {token}, "password": {password}, "password_confirm": {confirm}})
}

func TestActivationFromTheDemoMailbox(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	if got := text(c.get("/dev/mail"), `[data-testid="devmail-empty"]`); got == "" {
		t.Error("the empty mailbox shows no empty state")
	}
	u := inviteNewcomer(t, app)

	msgs := mailbox(t, c)
	if len(msgs) != 1 || msgs[0].To != newcomer || msgs[0].Subject != "Activate your Tenantdesk account" {
		t.Fatalf("mailbox: %+v", msgs)
	}
	link := latestLink(t, c, newcomer, "/activate?token=")
	res := c.get(link)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET activation link: %d", res.StatusCode)
	}
	if got := text(res, `[data-testid="link-intro"]`); !strings.Contains(got, "Ben Rogers") || !strings.Contains(got, newcomer) {
		t.Errorf("intro %q", got)
	}
	for _, id := range []string{"password", "password_confirm"} {
		if res.Doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("#%s has no label", id)
		}
	}
	if !strings.Contains(res.Body, "12 to 128 characters") {
		t.Error("the password rules are not explained")
	}
	if v, _ := res.Doc.Find(`input[name="token"]`).Attr("value"); v != tokenOf(t, link) {
		t.Errorf("hidden token %q", v)
	}

	res = setPassword(c, "/activate", tokenOf(t, link), goodPassword, goodPassword)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?activated=1" {
		t.Fatalf("activate: %d %q %s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	if got := text(c.get("/signin?activated=1"), `[role="status"]`); !strings.Contains(got, "Your account is active") {
		t.Errorf("sign-in notice %q", got)
	}
	if res := c.signIn(newcomer, goodPassword); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign in after activation: %d", res.StatusCode)
	}
	if got := text(c.get("/"), `[data-testid="home-user-name"]`); got != "Ben Rogers" {
		t.Errorf("home shows %q", got)
	}
	after, _ := app.DB.FindUserByID(context.Background(), u.ID)
	if after.Status != tenantdesk.UserActive {
		t.Errorf("status %s", after.Status)
	}
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditActivationSent, newcomer) || !hasAudit(t, app, u.AccountID, tenantdesk.AuditActivated, `"active"`) {
		t.Error("activation not audited")
	}
	// The token never reaches the logs.
	if strings.Contains(app.Logs.String(), tokenOf(t, link)) {
		t.Error("the token was logged")
	}
}

func TestActivationLinkWorksOnce(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	inviteNewcomer(t, app)
	link := latestLink(t, c, newcomer, "/activate?token=")
	if res := setPassword(c, "/activate", tokenOf(t, link), goodPassword, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use: %d", res.StatusCode)
	}
	for name, res := range map[string]*response{
		"GET":  c.get(link),
		"POST": setPassword(c, "/activate", tokenOf(t, link), "another good password", "another good password"),
	} {
		if res.StatusCode != http.StatusNotFound || text(res, `[data-testid="link-invalid"]`) != "This link is not valid" {
			t.Errorf("%s of a used link: %d %q", name, res.StatusCode, text(res, "h1"))
		}
		if res.Doc.Find(`a[href="/signin"]`).Length() == 0 || res.Doc.Find(`a[href="/password/forgot"]`).Length() == 0 {
			t.Errorf("%s of a used link: no way to sign in or reset", name)
		}
	}
	// The second password did not take.
	if res := c.signIn(newcomer, "another good password"); res.StatusCode == http.StatusSeeOther {
		t.Errorf("second password works: %d", res.StatusCode)
	}
	// Unknown and missing tokens get the same page.
	for _, path := range []string{"/activate?token=nonsense", "/activate", "/password/reset?token=" + strings.Repeat("x", 500)} {
		if res := c.get(path); res.StatusCode != http.StatusNotFound || text(res, `[data-testid="link-invalid"]`) == "" {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}
}

func TestExpiredActivationLinkOffersANewOne(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	inviteNewcomer(t, app)
	old := latestLink(t, c, newcomer, "/activate?token=")

	app.Clock.Advance(tenantdesk.DefaultActivationTTL - time.Second)
	if res := c.get(old); res.StatusCode != http.StatusOK {
		t.Fatalf("a second before expiry: %d", res.StatusCode)
	}
	app.Clock.Advance(time.Second)
	res := c.get(old)
	if res.StatusCode != http.StatusGone || text(res, `[data-testid="link-expired"]`) != "This link has expired" {
		t.Fatalf("expired link: %d %q", res.StatusCode, text(res, "h1"))
	}
	if res.Doc.Find(`form[action="/activate/resend"] [data-testid="link-resend"]`).Length() != 1 {
		t.Fatal("no button to send a new link")
	}
	// Setting a password through the expired link fails the same way.
	if res := setPassword(c, "/activate", tokenOf(t, old), goodPassword, goodPassword); res.StatusCode != http.StatusGone {
		t.Errorf("POST with an expired link: %d", res.StatusCode)
	}

	res = c.post("/activate/resend", url.Values{"token": {tokenOf(t, old)}})
	if res.StatusCode != http.StatusOK || text(res, `[data-testid="link-sent"]`) == "" {
		t.Fatalf("resend: %d %s", res.StatusCode, res.Body)
	}
	if text(res, `[data-testid="demo-mailbox-hint"]`) == "" {
		t.Error("no pointer to the demo mailbox")
	}
	if msgs := mailbox(t, c); len(msgs) != 2 || msgs[0].To != newcomer {
		t.Fatalf("mailbox after resend: %+v", msgs)
	}
	fresh := latestLink(t, c, newcomer, "/activate?token=")
	if fresh == old {
		t.Fatal("the new email carries the old link")
	}
	// The old link is replaced: resending it again does nothing.
	if res := c.post("/activate/resend", url.Values{"token": {tokenOf(t, old)}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("resend of a replaced link: %d", res.StatusCode)
	}
	if res := setPassword(c, "/activate", tokenOf(t, fresh), goodPassword, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new link: %d", res.StatusCode)
	}
	if res := c.signIn(newcomer, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in: %d", res.StatusCode)
	}
}

func TestPasswordRulesOnActivation(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	u := inviteNewcomer(t, app)
	tok := tokenOf(t, latestLink(t, c, newcomer, "/activate?token="))
	for name, pw := range map[string]string{"too short": "short pass", "too long": strings.Repeat("a", 129), "empty": ""} {
		res := setPassword(c, "/activate", tok, pw, pw)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", name, res.StatusCode)
		}
		if got := text(res, `[data-testid="password-error"]`); got != "The password must be 12 to 128 characters long." {
			t.Errorf("%s: error %q", name, got)
		}
		if v, _ := res.Doc.Find("#password").Attr("aria-invalid"); v != "true" {
			t.Errorf("%s: password field not marked invalid", name)
		}
		for _, id := range []string{"#password", "#password_confirm"} {
			if v, ok := res.Doc.Find(id).Attr("value"); ok && v != "" {
				t.Errorf("%s: %s filled back in", name, id)
			}
		}
	}
	res := setPassword(c, "/activate", tok, goodPassword, goodPassword+"!")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(res, `[data-testid="confirm-error"]`), "do not match") {
		t.Errorf("mismatch: %d %q", res.StatusCode, text(res, `[data-testid="confirm-error"]`))
	}
	// Exactly 12 characters, spaces included, is fine; the link survived the failures.
	if res := setPassword(c, "/activate", tok, "twelve chars", "twelve chars"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("12 characters: %d %s", res.StatusCode, text(res, `[data-testid="password-error"]`))
	}
	if after, _ := app.DB.FindUserByID(context.Background(), u.ID); after.Status != tenantdesk.UserActive {
		t.Errorf("status %s", after.Status)
	}
}

func TestForgotPasswordNeverRevealsAnEmail(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	hd, _ := app.DB.FindUserByEmail(context.Background(), huck)
	app.exec(`UPDATE users SET status = 'disabled' WHERE id = ?`, hd.ID)
	c := app.client()
	page := c.get("/signin")
	if href, _ := page.Doc.Find(`[data-testid="forgot-link"]`).Attr("href"); href != "/password/forgot" {
		t.Fatalf("sign-in page has no forgot-password link (%q)", href)
	}
	if res := c.get("/password/forgot"); res.StatusCode != http.StatusOK || res.Doc.Find(`label[for="email"]`).Length() != 1 {
		t.Fatalf("forgot page: %d", res.StatusCode)
	}
	pages := map[string]string{}
	for name, email := range map[string]string{"existing": tom, "unknown": "nobody@fence.example", "disabled": huck} {
		res := c.post("/password/forgot", url.Values{"email": {email}})
		if res.StatusCode != http.StatusOK || text(res, `[data-testid="forgot-sent"]`) != "Check your email" {
			t.Fatalf("%s: %d %q", name, res.StatusCode, text(res, "h1"))
		}
		res.Doc.Find("body").RemoveAttr("hx-headers")
		h, _ := res.Doc.Html()
		pages[name] = strings.ReplaceAll(h, email, "EMAIL")
	}
	if pages["existing"] != pages["unknown"] || pages["existing"] != pages["disabled"] {
		t.Error("the pages after asking for a reset differ between an existing, an unknown and a disabled email")
	}
	msgs := mailbox(t, c)
	if len(msgs) != 1 || msgs[0].To != tom || msgs[0].Subject != "Reset your Tenantdesk password" {
		t.Fatalf("mailbox: %+v", msgs)
	}
	// A malformed address is pointed out (that says nothing about accounts).
	res := c.post("/password/forgot", url.Values{"email": {"not-an-email"}})
	if res.StatusCode != http.StatusUnprocessableEntity || text(res, `[data-testid="forgot-error"]`) == "" {
		t.Errorf("malformed email: %d", res.StatusCode)
	}
	if v, _ := res.Doc.Find("#email").Attr("value"); v != "not-an-email" {
		t.Errorf("typed email not kept: %q", v)
	}
	// Asking again at once does not flood the inbox.
	c.post("/password/forgot", url.Values{"email": {tom}})
	if n := len(mailbox(t, c)); n != 1 {
		t.Errorf("a second request within a minute sent another email (%d in the mailbox)", n)
	}
}

func TestPasswordResetEndsSessionsAndWorksOnce(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	signedIn := app.client()
	signedIn.mustSignIn(tom)
	other := app.client()
	other.mustSignIn(tom)

	c := app.client()
	c.post("/password/forgot", url.Values{"email": {tom}})
	link := latestLink(t, c, tom, "/password/reset?token=")
	res := c.get(link)
	if res.StatusCode != http.StatusOK || !strings.Contains(text(res, `[data-testid="link-intro"]`), tom) {
		t.Fatalf("reset form: %d", res.StatusCode)
	}
	if res := setPassword(c, "/password/reset", tokenOf(t, link), "short", "short"); res.StatusCode != http.StatusUnprocessableEntity ||
		text(res, `[data-testid="password-error"]`) == "" {
		t.Errorf("short password on reset: %d", res.StatusCode)
	}
	res = setPassword(c, "/password/reset", tokenOf(t, link), goodPassword, goodPassword)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin?reset=1" {
		t.Fatalf("reset: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if got := text(c.get("/signin?reset=1"), `[role="status"]`); !strings.Contains(got, "password has been changed") {
		t.Errorf("notice %q", got)
	}
	// Every session of Tom's ended.
	for _, s := range []*client{signedIn, other} {
		if res := s.get("/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Errorf("a session survived the reset: %d", res.StatusCode)
		}
	}
	if res := c.signIn(tom, app.Password[tom]); res.StatusCode == http.StatusSeeOther {
		t.Errorf("old password still works: %d", res.StatusCode)
	}
	if res := c.signIn(tom, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Errorf("new password: %d", res.StatusCode)
	}
	// Single use.
	if res := setPassword(app.client(), "/password/reset", tokenOf(t, link), "yet another password", "yet another password"); res.StatusCode != http.StatusNotFound {
		t.Errorf("second use: %d", res.StatusCode)
	}
	// Tom is told that his password changed.
	if msgs := mailbox(t, c); msgs[0].To != tom || msgs[0].Subject != "Your Tenantdesk password was changed" {
		t.Errorf("no notice: %+v", msgs[0])
	}
	u, _ := app.DB.FindUserByEmail(context.Background(), tom)
	if !hasAudit(t, app, u.AccountID, tenantdesk.AuditPasswordResetComplete, `"sessionsEnded":2`) {
		t.Error("reset not audited with the sessions it ended")
	}
}

func TestResetLinkExpiresAfterAnHour(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	c := app.client()
	c.post("/password/forgot", url.Values{"email": {becky}})
	old := latestLink(t, c, becky, "/password/reset?token=")
	app.Clock.Advance(time.Hour)
	res := c.get(old)
	if res.StatusCode != http.StatusGone || res.Doc.Find(`form[action="/password/reset/resend"]`).Length() != 1 {
		t.Fatalf("expired reset link: %d %q", res.StatusCode, text(res, "h1"))
	}
	if res := c.post("/password/reset/resend", url.Values{"token": {tokenOf(t, old)}}); res.StatusCode != http.StatusOK {
		t.Fatalf("resend: %d", res.StatusCode)
	}
	fresh := latestLink(t, c, becky, "/password/reset?token=")
	if fresh == old {
		t.Fatal("no new link")
	}
	if res := setPassword(c, "/password/reset", tokenOf(t, fresh), goodPassword, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new link: %d", res.StatusCode)
	}
	if res := c.signIn(becky, goodPassword); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in: %d", res.StatusCode)
	}
}

func TestEmailsUseTheUsersLanguage(t *testing.T) {
	app := newTestApp(t, withDevMailbox)
	app.exec(`UPDATE users SET language = 'ru' WHERE email_norm = ?`, becky)
	c := app.client()
	c.post("/password/forgot", url.Values{"email": {becky}})
	if msgs := mailbox(t, c); len(msgs) != 1 || msgs[0].Subject != "Сброс пароля Tenantdesk" {
		t.Errorf("mailbox: %+v", msgs)
	}
	// The pages follow the browser.
	ru := app.client()
	ru.Header.Set("Accept-Language", "ru")
	if got := text(ru.get("/password/forgot"), "h1"); got != "Забыли пароль?" {
		t.Errorf("russian forgot page: %q", got)
	}
}

func TestDevMailboxOnlyWhenEnabled(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	if res := c.get("/dev/mail"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /dev/mail without the demo mailbox: %d", res.StatusCode)
	}
	// Mail is still queued, and the pages do not point at a mailbox.
	res := c.post("/password/forgot", url.Values{"email": {tom}})
	if res.Doc.Find(`[data-testid="demo-mailbox-hint"]`).Length() != 0 || strings.Contains(res.Body, "/dev/mail") {
		t.Error("the forgot page points at a mailbox that does not exist")
	}
	msgs, err := app.DB.ListMail(context.Background(), 10)
	if err != nil || len(msgs) != 1 || msgs[0].To != tom {
		t.Errorf("outbox: %v %+v", err, msgs)
	}
}
