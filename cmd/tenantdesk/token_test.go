package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/auth"
)

func TestTokenCreate(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "tok.db")
	env := getenv(map[string]string{"TENANTDESK_DB": db})
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"partner", "create", "--name", "Acme", "--owner-email", "owner@acme.example", "--owner-name", "Olga"}, env, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	if err := run(ctx, []string{"token", "create", "--email", "OWNER@acme.example", "--name", "CI"}, env, nil, &out, &errb); err != nil {
		t.Fatalf("token create: %v %s", err, errb.String())
	}
	secret := strings.TrimSpace(out.String())
	if !auth.ValidAPIToken(secret) || !strings.Contains(errb.String(), `Token "CI" for Olga <owner@acme.example> (never expires)`) {
		t.Fatalf("stdout %q stderr %q", out.String(), errb.String())
	}
	d, err := openDB(ctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tokens, err := tokenService(d)
	if err != nil {
		t.Fatal(err)
	}
	a, err := tokens.AuthenticateToken(ctx, secret)
	if err != nil || a.User.Email != "owner@acme.example" || a.Token.Name != "CI" {
		t.Fatalf("authenticate: %+v %v", a, err)
	}
	out.Reset()
	errb.Reset()
	if err := run(ctx, []string{"token", "create", "--email", "owner@acme.example", "--days", "7", "--read-only"}, env, nil, &out, &errb); err != nil ||
		!strings.Contains(errb.String(), "expires ") || !strings.Contains(errb.String(), "read-only") || !strings.Contains(errb.String(), `"Command line `) {
		t.Fatalf("token create --days: %v %q", err, errb.String())
	}
	if err := run(ctx, []string{"token", "create", "--email", "nobody@acme.example"}, env, nil, &out, &errb); err == nil {
		t.Fatal("token for an unknown user")
	}
	if err := run(ctx, []string{"token", "create"}, env, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "--email") {
		t.Fatalf("no email: %v", err)
	}
	if err := run(ctx, []string{"token"}, env, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "token create") {
		t.Fatalf("usage: %v", err)
	}
}
