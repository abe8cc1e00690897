package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestSessionEndCommand: `tenantdesk session end --email E` signs one user
// out everywhere, `--all` everyone; users stay as they are, and each
// ending is audited as the platform operator in the user's account.
func TestSessionEndCommand(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "sessions.db")
	env := getenv(map[string]string{"TENANTDESK_DB": db})
	var out, errb bytes.Buffer
	for _, args := range [][]string{
		{"partner", "create", "--name", "Acme Reseller", "--owner-email", "owner@acme.example", "--owner-name", "Olga Owner"},
		{"partner", "create", "--name", "Beta Reseller", "--owner-email", "owner@beta.example", "--owner-name", "Bert Owner"},
	} {
		if err := run(ctx, args, env, nil, &out, &errb); err != nil {
			t.Fatalf("%v: %v %s", args, err, errb.String())
		}
	}
	d, err := openDB(ctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	olga, err := d.FindUserByEmail(ctx, "owner@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	bert, err := d.FindUserByEmail(ctx, "owner@beta.example")
	if err != nil {
		t.Fatal(err)
	}
	for id, uid := range map[string]int64{"o1": olga.ID, "o2": olga.ID, "b1": bert.ID, "anon": 0} {
		if err := d.CreateSession(ctx, &tenantdesk.Session{ID: id, UserID: uid, Data: []byte{}}); err != nil {
			t.Fatal(err)
		}
	}
	// A fresh handle each time: the commands write through their own, and
	// d's read cache would keep a session it has read.
	alive := func(id string) bool {
		fresh, err := openDB(ctx, db, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		_, err = fresh.FindSession(ctx, id)
		return err == nil
	}

	for _, args := range [][]string{{"session", "end"}, {"session", "end", "--email", "owner@acme.example", "--all"}} {
		if err := run(ctx, args, env, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "either --email or --all") {
			t.Errorf("%v: %v", args, err)
		}
	}
	if err := run(ctx, []string{"session", "end", "--email", "nobody@acme.example"}, env, nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "No user has the email") {
		t.Errorf("unknown email: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"session", "end", "--email", "Owner@Acme.example"}, env, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "Ended 2 sessions of Owner@Acme.example.\n" || alive("o1") || alive("o2") || !alive("b1") {
		t.Errorf("--email: %q", got)
	}
	out.Reset()
	if err := run(ctx, []string{"session", "end", "--all"}, env, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "Ended 2 sessions (1 user signed out everywhere).\n" || alive("b1") || alive("anon") {
		t.Errorf("--all: %q", got)
	}
	for _, u := range []*tenantdesk.User{olga, bert} {
		after, err := d.FindUserByID(ctx, u.ID) // not read before: not cached
		if err != nil || after.Status != u.Status {
			t.Errorf("%s changed: %+v %v", u.Email, after, err)
		}
		entries, err := d.ListAudit(ctx, u.AccountID, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Action == tenantdesk.AuditUserSessionsEnded && e.ActorUserID == 0 && e.ActorName == tenantdesk.AuditOperatorName &&
				e.TargetID == tenantdesk.FormatUserID(u.ID) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d operator entries, want 1", u.Email, n)
		}
	}
}
