package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestUserEmailCommand: the operator is the one who changes an Owner's
// email (R11); the old address is told and pending links end.
func TestUserEmailCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "email.db")
	env := getenv(map[string]string{"TENANTDESK_DB": db, "TENANTDESK_BASE_URL": "https://desk.example.com"})
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"partner", "create", "--name", "Acme", "--owner-email", "olga@acme.example", "--owner-name", "Olga Owner"}, env, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "passwd", "--email", "olga@acme.example"}, env, strings.NewReader("a very good passphrase\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	d, err := openDB(ctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	links, err := service.NewLinks(&service.Deps{Store: d, Mail: mail.NewRenderer(mustBundle(t)), Hasher: d.Hasher, BaseURL: "https://desk.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := links.RequestPasswordReset(ctx, "olga@acme.example"); err != nil {
		t.Fatal(err)
	}

	for _, bad := range [][]string{{"user", "email"}, {"user", "email", "--email", "olga@acme.example"}} {
		if err := run(ctx, bad, env, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "--to NEW") {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if err := run(ctx, []string{"user", "email", "--email", "nobody@acme.example", "--to", "x@acme.example"}, env, nil, &out, &errb); err == nil {
		t.Error("unknown user accepted")
	}
	if err := run(ctx, []string{"user", "email", "--email", "olga@acme.example", "--to", "not an address"}, env, nil, &out, &errb); err == nil {
		t.Error("invalid address accepted")
	}
	out.Reset()
	if err := run(ctx, []string{"user", "email", "--email", "OLGA@acme.example", "--to", "olga@newmail.example"}, env, nil, &out, &errb); err != nil {
		t.Fatalf("change: %v", err)
	}
	if !strings.Contains(out.String(), "olga@newmail.example") {
		t.Errorf("output %q", out.String())
	}
	u, err := d.FindUserByEmail(ctx, "olga@newmail.example")
	if err != nil || !u.IsOwner {
		t.Fatalf("owner after change: %v %+v", err, u)
	}
	mails, err := d.ListMail(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	told := false
	for _, m := range mails {
		told = told || m.To == "olga@acme.example" && m.Kind == tenantdesk.MailEmailChanged
	}
	if !told {
		t.Error("old address not told")
	}
	conn, err := sqlstore.OpenRaw(db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var pending int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM user_tokens WHERE user_id = ? AND used_at IS NULL`, u.ID).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Errorf("%d pending links survived the change", pending)
	}
	// Only the operator: the same method with a user's actor is refused.
	as := tenantdesk.WithActor(ctx, &tenantdesk.Actor{User: u})
	ops, err := operatorService(d, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ops.ChangeUserEmail(as, "olga@newmail.example", "olga@third.example"); tenantdesk.ErrorCode(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("non-operator: %v", err)
	}
}
