package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// openTestDB opens a migrated database in a temporary file (storetest.Open).
func openTestDB(t *testing.T) (*sqlstore.DB, string) { return storetest.Open(t) }

func TestMigrateFreshAndRerun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fresh.db")
	db, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.Migrate(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("fresh migrate: n=%d err=%v", n, err)
	}
	db.Close()
	// Re-run on the same file (a restart): nothing to apply, nothing broken.
	db, err = sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.Migrate(context.Background()); err != nil || n != 0 {
		t.Fatalf("re-run: n=%d err=%v", n, err)
	}
	conn, _ := sql.Open("sqlite", "file:"+path)
	defer conn.Close()
	for _, table := range []string{"accounts", "users", "user_roles", "credentials", "sessions", "audit_log", "signin_failures", "password_reset_requests", "mail_outbox", "user_tokens", "secrets"} {
		var name string
		if err := conn.QueryRow(`SELECT name FROM sqlite_master WHERE type='table' AND name=?`, table).Scan(&name); err != nil {
			t.Errorf("table %s missing: %v", table, err)
		}
	}
	var mode string
	conn.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestEmailUniqueAcrossAccountsCaseInsensitive(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	p, _, err := servicetest.NewOps(t, db).CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "P", OwnerName: "Pat", OwnerEmail: "pat@p.example"})
	if err != nil {
		t.Fatal(err)
	}
	c1 := &tenantdesk.Account{Name: "C1", ParentID: p.ID}
	if err := servicetest.NewOps(t, db).CreateCustomer(ctx, c1, &tenantdesk.User{DisplayName: "Ann", Email: "Ann@Example.com"}); err != nil {
		t.Fatal(err)
	}
	c2 := &tenantdesk.Account{Name: "C2"}
	err = servicetest.NewOps(t, db).CreateCustomer(ctx, c2, &tenantdesk.User{DisplayName: "Ann again", Email: "  ann@EXAMPLE.com"})
	if tenantdesk.ErrorCode(err) != tenantdesk.EEmailTaken {
		t.Fatalf("same email in another account: %v", err)
	}
	// The failed create left nothing behind: no half-made account.
	if _, err := db.FindUserByEmail(ctx, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	var err2 error
	u := &tenantdesk.User{AccountID: p.ID, DisplayName: "X", Email: "ANN@example.COM", Roles: []string{"partner.user"}}
	if err2 = servicetest.NewOps(t, db).CreateUser(ctx, u); tenantdesk.ErrorCode(err2) != tenantdesk.EEmailTaken {
		t.Fatalf("CreateUser with a taken email: %v", err2)
	}
	got, _ := db.FindUserByEmail(ctx, "ann@example.com")
	if got.Email != "Ann@Example.com" || got.TenantID != c1.TenantID {
		t.Errorf("stored %q in %q", got.Email, got.TenantID)
	}
}

func TestCreateUserValidatesFields(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	p, _, _ := servicetest.NewOps(t, db).CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "P", OwnerName: "Pat", OwnerEmail: "pat@p.example"})
	for name, c := range map[string]struct {
		u    tenantdesk.User
		code string
	}{
		"name 101 chars":           {tenantdesk.User{DisplayName: strings.Repeat("a", 101), Email: "a@p.example", Roles: []string{"partner.user"}}, tenantdesk.EINVALID},
		"email 201 chars":          {tenantdesk.User{DisplayName: "A", Email: strings.Repeat("a", 189) + "@p.example.com", Roles: []string{"partner.user"}}, tenantdesk.EINVALID},
		"bad email":                {tenantdesk.User{DisplayName: "A", Email: "not an email", Roles: []string{"partner.user"}}, tenantdesk.EINVALID},
		"unknown role":             {tenantdesk.User{DisplayName: "A", Email: "b@p.example", Roles: []string{"no.such.role"}}, tenantdesk.EUnknownRole},
		"customer role in partner": {tenantdesk.User{DisplayName: "A", Email: "c@p.example", Roles: []string{"customer.user"}}, tenantdesk.EUnknownRole},
	} {
		u := c.u
		u.AccountID = p.ID
		if err := servicetest.NewOps(t, db).CreateUser(ctx, &u); tenantdesk.ErrorCode(err) != c.code {
			t.Errorf("%s: got %v, want %s", name, err, c.code)
		}
	}
	ok := &tenantdesk.User{AccountID: p.ID, DisplayName: strings.Repeat("a", 100), Email: strings.Repeat("a", 186) + "@p.example.com", Roles: []string{"partner.user"}}
	if err := servicetest.NewOps(t, db).CreateUser(ctx, ok); err != nil {
		t.Errorf("100-char name and 200-char email: %v", err)
	}
}

func TestSecretIsCreatedOnceAndKept(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	calls := 0
	gen := func() ([]byte, error) { calls++; return auth.RandomBytes(32), nil }
	a, err := db.LoadOrCreateSecret(ctx, "session_key", gen)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := db.LoadOrCreateSecret(ctx, "session_key", gen)
	if string(a) != string(b) || calls != 1 {
		t.Fatalf("secret changed or regenerated (%d calls)", calls)
	}
}

func TestExpiredSessionsAreDeleted(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for id, s := range map[string]tenantdesk.Session{
		"live":     {CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)},
		"idle":     {CreatedAt: now.Add(-2 * time.Hour), LastSeenAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)},
		"absolute": {CreatedAt: now.Add(-13 * time.Hour), LastSeenAt: now, ExpiresAt: now.Add(-time.Minute)},
	} {
		s.ID, s.Data = id, []byte{}
		if err := db.CreateSession(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.DeleteExpiredSessions(ctx, now, 30*time.Minute)
	if err != nil || n != 2 {
		t.Fatalf("deleted %d, err %v", n, err)
	}
	if _, err := db.FindSession(ctx, "live"); err != nil {
		t.Errorf("live session deleted: %v", err)
	}
}
