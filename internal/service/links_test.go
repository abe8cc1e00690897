package service_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// failingRenderer renders no mail.
type failingRenderer struct{}

func (failingRenderer) RenderMail(kind, lang string, d tenantdesk.MailData) (string, string, error) {
	return "", "", errors.New("no template")
}

// The outbox row and the link are written in the caller's transaction:
// they vanish with a rollback (here: the mail cannot be rendered after
// the link was stored) and appear with the commit.
func TestQueueActivationIsPartOfTheTransaction(t *testing.T) {
	e, owner := openLinksEnv(t)
	ctx := context.Background()
	failing := *e.deps
	failing.Mail = failingRenderer{}
	ops, err := service.NewOperator(&failing)
	if err != nil {
		t.Fatal(err)
	}
	if err := ops.QueueActivation(tenantdesk.OperatorContext(ctx), owner.ID); err == nil {
		t.Fatal("queued without a mail")
	}
	if count(t, e, "mail_outbox") != 0 || count(t, e, "user_tokens") != 0 {
		t.Fatal("a rolled-back transaction left mail or a link behind")
	}
	if err := e.ops.QueueActivation(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	if count(t, e, "mail_outbox") != 1 || count(t, e, "user_tokens") != 1 {
		t.Fatal("the committed activation left no mail or link")
	}
}

func TestLinksStoreOnlyTheTokensHash(t *testing.T) {
	e, owner := openLinksEnv(t)
	ctx := context.Background()
	if err := e.ops.QueueActivation(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	msgs, _ := e.db.ListMail(ctx, 1)
	// The English text, with the absolute link.
	if msgs[0].Subject != "Activate your Tenantdesk account" || !strings.Contains(msgs[0].BodyText, "expires in 72 hours") {
		t.Errorf("fallback mail: %+v", msgs[0])
	}
	i := strings.Index(msgs[0].BodyText, "https://desk.example.com/activate?token=")
	if i < 0 {
		t.Fatalf("no link in %q", msgs[0].BodyText)
	}
	link, _, _ := strings.Cut(msgs[0].BodyText[i:], "\n")
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	if len(token) != 43 {
		t.Fatalf("token %q", token)
	}
	var stored []byte
	if err := e.conn.QueryRow(`SELECT token_hash FROM user_tokens`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) == token || len(stored) != 32 {
		t.Errorf("stored %x for token %s", stored, token)
	}
	if got, err := e.links.CheckLink(ctx, tenantdesk.LinkActivation, token); err != nil || got.ID != owner.ID {
		t.Fatalf("CheckLink: %v", err)
	}
	// The wrong kind, a prefix, or the hash itself are not the link.
	for _, c := range []struct{ kind, token string }{{tenantdesk.LinkReset, token}, {tenantdesk.LinkActivation, token[:42]}, {"email_change", token}} {
		if _, err := e.links.CheckLink(ctx, c.kind, c.token); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			t.Errorf("CheckLink(%s, %s…): %v", c.kind, c.token[:8], err)
		}
	}
	// A new activation replaces the old link.
	if err := e.ops.QueueActivation(ctx, owner.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.links.CheckLink(ctx, tenantdesk.LinkActivation, token); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		t.Errorf("replaced link still works: %v", err)
	}
	// Active users get no activation email.
	e.db.Now = func() time.Time { return time.Now().Add(time.Hour) }
	if err := e.ops.SetPassword(ctx, owner.ID, "a good long password"); err != nil {
		t.Fatal(err)
	}
	if err := e.ops.QueueActivation(ctx, owner.ID); tenantdesk.ErrorCode(err) != tenantdesk.EUserNotInvited {
		t.Errorf("activation for an active user: %v", err)
	}
}

// writes counts the rows that a "Forgot password" request may write.
func writes(t *testing.T, e *signinEnv) [3]int {
	t.Helper()
	return [3]int{count(t, e, "audit_log"), count(t, e, "mail_outbox"), count(t, e, "password_reset_requests")}
}

// One client IP may ask for ThrottleMaxResetPerIP resets in the window,
// whatever the emails; the next request is refused without writing, other
// IPs are unaffected, and the IP is let in again as its requests age out.
func TestResetRequestsThrottledPerIP(t *testing.T) {
	e, owner := openLinksEnv(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := t0
	e.db.Now = func() time.Time { return now }
	bg := context.Background()
	ctx := tenantdesk.WithActor(bg, &tenantdesk.Actor{IP: "203.0.113.7"})

	// One request a minute, known and unknown emails alike.
	emails := []string{owner.Email, "nobody@acme.example"}
	for i := range tenantdesk.ThrottleMaxResetPerIP {
		now = t0.Add(time.Duration(i) * time.Minute)
		if err := e.links.RequestPasswordReset(ctx, emails[i%2]); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if n := count(t, e, "password_reset_requests"); n != tenantdesk.ThrottleMaxResetPerIP {
		t.Fatalf("%d requests recorded", n)
	}
	// The 11th, five minutes before the first leaves the window.
	now = t0.Add(10 * time.Minute)
	for _, email := range emails {
		before := writes(t, e)
		err := e.links.RequestPasswordReset(ctx, email)
		de := tenantdesk.AsError(err)
		if de == nil || de.Code != tenantdesk.ETHROTTLED || de.RetryAfterSeconds != 300 {
			t.Fatalf("11th request for %s: %v (%+v)", email, err, de)
		}
		if de.Message != "Too many requests from your network. Try again in 5 minutes." {
			t.Errorf("message %q", de.Message)
		}
		if after := writes(t, e); after != before {
			t.Errorf("a refused request for %s wrote: audit/outbox/requests %v -> %v", email, before, after)
		}
	}
	// Another IP, and a caller without one (CLI), are not limited by it.
	other := tenantdesk.WithActor(bg, &tenantdesk.Actor{IP: "198.51.100.9"})
	if err := e.links.RequestPasswordReset(other, "nobody@acme.example"); err != nil {
		t.Errorf("another IP: %v", err)
	}
	if err := e.links.RequestPasswordReset(bg, "nobody@acme.example"); err != nil {
		t.Errorf("no IP: %v", err)
	}
	// When the first request leaves the window, one more is allowed; then
	// the IP waits for the second (a minute later) to leave.
	now = t0.Add(tenantdesk.ThrottleWindow)
	if err := e.links.RequestPasswordReset(ctx, "nobody@acme.example"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	err := e.links.RequestPasswordReset(ctx, "nobody@acme.example")
	if de := tenantdesk.AsError(err); de == nil || de.Code != tenantdesk.ETHROTTLED || de.RetryAfterSeconds != 60 ||
		de.Message != "Too many requests from your network. Try again in 1 minute." {
		t.Fatalf("next request: %v", err)
	}
}
