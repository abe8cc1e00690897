package service_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

var linkRE = regexp.MustCompile(`https://desk\.example\.com/[a-z/]+\?token=[^\s]+`)

// lastToken returns the token of the link in the newest mail.
func lastToken(t *testing.T, e *signinEnv) string {
	t.Helper()
	msgs, err := e.db.ListMail(context.Background(), 1)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no mail: %v", err)
	}
	u, err := url.Parse(linkRE.FindString(msgs[0].BodyText))
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("no link in %q", msgs[0].BodyText)
	}
	return u.Query().Get("token")
}

// auditRows returns the actors and payloads of the entries of action, oldest first.
func auditRows(t *testing.T, e *signinEnv, action string) []struct{ actorID, before, after string } {
	t.Helper()
	rows, err := e.conn.Query(`SELECT COALESCE(actor_user_id, 0), before_json, after_json FROM audit_log WHERE action = ? ORDER BY id`, action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []struct{ actorID, before, after string }
	for rows.Next() {
		var r struct{ actorID, before, after string }
		var id int64
		if err := rows.Scan(&id, &r.before, &r.after); err != nil {
			t.Fatal(err)
		}
		if id != 0 {
			r.actorID = tenantdesk.FormatUserID(id)
		}
		out = append(out, r)
	}
	return out
}

// An activation link sets the first password once: a bad password keeps
// it, a good one activates the user (one user.activated entry by the
// user, no other user entry) and uses it up.
func TestUseActivationLink(t *testing.T) {
	e, owner := openLinksEnv(t)
	ctx := context.Background()
	must(t, e.ops.QueueActivation(ctx, owner.ID))
	token := lastToken(t, e)
	if _, err := e.links.UseActivationLink(ctx, token, "short"); code(err) != tenantdesk.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	u, err := e.links.UseActivationLink(ctx, token, "a good long passphrase 7")
	if err != nil || u.Status != tenantdesk.UserActive || u.ID != owner.ID {
		t.Fatalf("activate: %v %+v", err, u)
	}
	got := auditRows(t, e, tenantdesk.AuditActivated)
	if len(got) != 1 || got[0].actorID != tenantdesk.FormatUserID(owner.ID) ||
		got[0].before != `{"status":"invited"}` || got[0].after != `{"status":"active"}` {
		t.Errorf("user.activated entries %+v", got)
	}
	if n := len(auditRows(t, e, tenantdesk.AuditUserUpdate)) + len(auditRows(t, e, tenantdesk.AuditUserEnable)); n != 0 {
		t.Errorf("%d other user entries", n)
	}
	if _, err := e.links.UseActivationLink(ctx, token, "a good long passphrase 7"); tenantdesk.AsError(err) == nil || tenantdesk.AsError(err).Key != tenantdesk.LinkInvalidKey {
		t.Errorf("second use: %v", err)
	}
	if _, _, err := e.auth.SignIn(ctx, tenantdesk.SignInInput{Email: owner.Email, Password: "a good long passphrase 7"}); err != nil {
		t.Errorf("sign-in after activation: %v", err)
	}
}

// A reset link sets a new password, ends every session, lifts the email's
// sign-in lock and mails a notice, audited with the sessions it ended.
func TestResetPassword(t *testing.T) {
	e, owner := openLinksEnv(t)
	ctx := context.Background()
	must(t, e.ops.SetPassword(ctx, owner.ID, "the first good passphrase"))
	must(t, e.db.CreateSession(ctx, &tenantdesk.Session{ID: "s1", UserID: owner.ID, Data: []byte{}, ExpiresAt: e.db.Now().Add(time.Hour)}))
	for range 2 {
		if _, _, err := e.auth.SignIn(ctx, tenantdesk.SignInInput{Email: owner.Email, Password: "wrong"}); code(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("wrong: %v", err)
		}
	}
	must(t, e.links.RequestPasswordReset(ctx, owner.Email))
	token := lastToken(t, e)
	if _, err := e.links.CheckLink(ctx, tenantdesk.LinkActivation, token); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("a reset link as an activation link: %v", err)
	}
	if _, err := e.links.ResetPassword(ctx, token, "the second good passphrase"); err != nil {
		t.Fatal(err)
	}
	if count(t, e, "sessions") != 0 || count(t, e, "signin_failures") != 0 {
		t.Error("sessions or sign-in failures left")
	}
	msgs, _ := e.db.ListMail(ctx, 1)
	if msgs[0].Kind != tenantdesk.MailPasswordChanged || msgs[0].To != owner.Email {
		t.Errorf("notice %+v", msgs[0])
	}
	if got := auditRows(t, e, tenantdesk.AuditPasswordResetComplete); len(got) != 1 || got[0].after != `{"sessionsEnded":1}` ||
		got[0].actorID != tenantdesk.FormatUserID(owner.ID) {
		t.Errorf("user.password_reset entries %+v", got)
	}
	if _, err := e.links.ResetPassword(ctx, token, "the third good passphrase"); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("second use: %v", err)
	}
}

// An expired link can be sent again, by its holder: the new one works, the
// old one no longer does.
func TestResendExpiredLink(t *testing.T) {
	e, owner := openLinksEnv(t)
	ctx := context.Background()
	must(t, e.ops.QueueActivation(ctx, owner.ID))
	old := lastToken(t, e)
	later := time.Now().Add(tenantdesk.DefaultActivationTTL + time.Minute)
	e.db.Now = func() time.Time { return later }
	if _, err := e.links.CheckLink(ctx, tenantdesk.LinkActivation, old); !tenantdesk.IsLinkExpired(err) {
		t.Fatalf("expired link: %v", err)
	}
	if _, err := e.links.UseActivationLink(ctx, old, "a good long passphrase 7"); !tenantdesk.IsLinkExpired(err) {
		t.Fatalf("use of an expired link: %v", err)
	}
	must(t, e.links.ResendLink(ctx, tenantdesk.LinkActivation, old))
	fresh := lastToken(t, e)
	if _, err := e.links.CheckLink(ctx, tenantdesk.LinkActivation, fresh); err != nil {
		t.Errorf("new link: %v", err)
	}
	if _, err := e.links.CheckLink(ctx, tenantdesk.LinkActivation, old); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("old link after the resend: %v", err)
	}
	if got := auditRows(t, e, tenantdesk.AuditActivationSent); len(got) != 2 || got[1].actorID != tenantdesk.FormatUserID(owner.ID) {
		t.Errorf("user.activation_sent entries %+v", got)
	}
	if err := e.links.ResendLink(ctx, tenantdesk.LinkActivation, "no-such-token"); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("unknown link: %v", err)
	}
}

// Only the operator sets passwords; an invited user becomes active with
// one user.password_set entry; the policy applies.
func TestOperatorSetPassword(t *testing.T) {
	e, owner := openLinksEnv(t)
	ctx := context.Background()
	as := tenantdesk.WithActor(ctx, &tenantdesk.Actor{User: owner})
	if err := e.ops.O.SetPassword(as, owner.ID, "a good long passphrase 7"); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("non-operator: %v", err)
	}
	if err := e.ops.SetPassword(ctx, owner.ID, "olga@acme.example"); code(err) != tenantdesk.EINVALID {
		t.Errorf("the email as password: %v", err)
	}
	if err := e.ops.SetPassword(ctx, 999999, "a good long passphrase 7"); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("unknown user: %v", err)
	}
	must(t, e.ops.SetPassword(ctx, owner.ID, "a good long passphrase 7"))
	must(t, e.ops.SetPassword(ctx, owner.ID, "another good passphrase 8"))
	if u, _ := e.db.FindUserByID(ctx, owner.ID); u.Status != tenantdesk.UserActive {
		t.Errorf("status %s", u.Status)
	}
	if n := len(auditRows(t, e, tenantdesk.AuditPasswordSet)); n != 2 {
		t.Errorf("%d user.password_set entries", n)
	}
	if n := len(auditRows(t, e, tenantdesk.AuditUserUpdate)); n != 0 {
		t.Errorf("%d user.update entries", n)
	}
}
