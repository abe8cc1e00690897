package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func TestTwoFactorResetCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "2fa.db")
	env := getenv(map[string]string{"TENANTDESK_DB": db, "TENANTDESK_BASE_URL": "https://desk.example.com"})
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"partner", "create", "--name", "Acme", "--owner-email", "olga@acme.example", "--owner-name", "Olga Owner"}, env, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "passwd", "--email", "olga@acme.example"}, env, strings.NewReader("a very good passphrase\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	// Olga turns 2FA on.
	d, err := openDB(ctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u, err := d.FindUserByEmail(ctx, "olga@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	tf, err := service.NewTwoFactor(&service.Deps{Store: d, Mail: mail.NewRenderer(bundle), Now: d.Now, Hasher: d.Hasher})
	if err != nil {
		t.Fatal(err)
	}
	as := tenantdesk.WithActor(ctx, &tenantdesk.Actor{User: u})
	setup, err := tf.StartTOTPSetup(as, "a very good passphrase")
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(setup.Secret, d.Now())
	if _, err := tf.ConfirmTOTPSetup(as, code); err != nil {
		t.Fatal(err)
	}

	// Usage errors say what is needed.
	if err := run(ctx, []string{"2fa"}, env, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "2fa reset --email") {
		t.Errorf("bare 2fa: %v", err)
	}
	if err := run(ctx, []string{"2fa", "reset"}, env, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "--email is required") {
		t.Errorf("no email: %v", err)
	}
	if err := run(ctx, []string{"2fa", "reset", "--email", "nobody@acme.example"}, env, nil, &out, &errb); err == nil {
		t.Error("unknown email accepted")
	}
	out.Reset()
	if err := run(ctx, []string{"2fa", "reset", "--email", "Olga@Acme.example"}, env, nil, &out, &errb); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if !strings.Contains(out.String(), "Olga Owner <olga@acme.example> was reset") {
		t.Errorf("output %q", out.String())
	}
	if step, _ := tf.SecondFactorStep(ctx, u.ID); step != tenantdesk.SecondFactorNone {
		t.Errorf("still owes a second factor: %q", step)
	}
	// Again: nothing to reset, and the operator is told so.
	if err := run(ctx, []string{"2fa", "reset", "--email", "olga@acme.example"}, env, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "no two-factor") {
		t.Errorf("second reset: %v", err)
	}
	// Audited as the operator, and the user is emailed (rendered, with the portal's link).
	entries, _ := d.ListAudit(ctx, u.AccountID, 50)
	audited := false
	for _, e := range entries {
		audited = audited || (e.Action == tenantdesk.AuditTwoFactorReset && e.ActorUserID == 0 && e.ActorName == "Platform operator")
	}
	if !audited {
		t.Error("reset not audited as the operator")
	}
	mails, _ := d.ListMail(ctx, 10)
	if len(mails) == 0 || mails[0].Kind != tenantdesk.MailTwoFactorResetByOper || mails[0].To != "olga@acme.example" ||
		!strings.Contains(mails[0].BodyText, "https://desk.example.com/profile/2fa") || !strings.Contains(mails[0].Subject, "reset") {
		t.Errorf("reset email: %+v", mails)
	}
}

func TestParseSecretKeys(t *testing.T) {
	a, b := auth.RandomBytes(32), auth.RandomBytes(32)
	keys, err := parseSecretKeys(hex.EncodeToString(a) + ", " + hex.EncodeToString(b))
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], a) || !bytes.Equal(keys[1], b) {
		t.Fatalf("two keys: %v", err)
	}
	if keys, err := parseSecretKeys(""); err != nil || keys != nil {
		t.Errorf("empty: %v %v", keys, err)
	}
	if _, err := parseSecretKeys("abcd"); err == nil || !strings.Contains(err.Error(), "--secret-key") {
		t.Errorf("short key: %v", err)
	}
}
