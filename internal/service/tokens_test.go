package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestAPITokens runs the tokens service on a customer account with an Owner
// (Olga) and a user admin (Uma, with onboarding.admin, which tokens need),
// on a controllable clock.
func TestAPITokens(t *testing.T) {
	db, _ := openTestDB(t)
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	tokens := newTokens(t, db)
	op := tenantdesk.OperatorContext(context.Background())
	acc := &tenantdesk.Account{Name: "Tokens Inc."}
	owner := &tenantdesk.User{DisplayName: "Olga", Email: "olga@tokens.example"}
	if err := servicetest.NewOps(t, db).CreateCustomer(op, acc, owner); err != nil {
		t.Fatal(err)
	}
	admin := &tenantdesk.User{AccountID: acc.ID, DisplayName: "Uma", Email: "uma@tokens.example",
		Roles: []string{tenantdesk.RoleUserAdmin, tenantdesk.RoleCustomerUser, tenantdesk.RoleOnboardingAdmin}}
	if err := servicetest.NewOps(t, db).CreateUser(op, admin); err != nil {
		t.Fatal(err)
	}
	as := func(u *tenantdesk.User) context.Context {
		fresh, _ := db.FindUserByID(op, u.ID)
		return tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: fresh, Account: acc})
	}

	t.Run("format and hash only", func(t *testing.T) {
		tok, secret, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "  CI  "})
		if err != nil {
			t.Fatal(err)
		}
		if !auth.ValidAPIToken(secret) || tok.Name != "CI" || tok.Hint != secret[:8] || !tok.ExpiresAt.IsZero() || tok.ReadOnly {
			t.Fatalf("token %+v secret %q", tok, secret)
		}
		a, err := tokens.AuthenticateToken(context.Background(), secret)
		if err != nil || a.User.ID != admin.ID || a.Account.ID != acc.ID || a.Token.ID != tok.ID {
			t.Fatalf("authenticate: %+v %v", a, err)
		}
		// A one-character change fails the checksum: refused without a lookup.
		bad := secret[:10] + string("01"[map[bool]int{true: 1, false: 0}[secret[10] == '0']]) + secret[11:]
		if _, err := tokens.AuthenticateToken(context.Background(), bad); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("bad checksum: %v", err)
		}
		if _, err := tokens.AuthenticateToken(context.Background(), auth.NewAPIToken()); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("unknown token: %v", err)
		}
	})

	t.Run("read-only flag", func(t *testing.T) {
		_, secret, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "reports", ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		a, err := tokens.AuthenticateToken(context.Background(), secret)
		if err != nil || !a.Token.ReadOnly {
			t.Fatalf("read-only: %+v %v", a, err)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		_, secret, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "short", ExpiresAt: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.AuthenticateToken(context.Background(), secret); err != nil {
			t.Fatal(err)
		}
		saved := now
		now = now.Add(time.Hour)
		if _, err := tokens.AuthenticateToken(context.Background(), secret); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("expired: %v", err)
		}
		now = saved
		if _, _, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "past", ExpiresAt: now.Add(-time.Minute)}); !hasField(err, "expiresAt") {
			t.Fatalf("past expiry: %v", err)
		}
	})

	t.Run("maximum lifetime", func(t *testing.T) {
		setSecurity := func(s tenantdesk.AccountSecurity) error {
			return db.Update(context.Background(), func(tx tenantdesk.StoreTx) error { return tx.PutAccountSecurity(context.Background(), &s) })
		}
		if err := setSecurity(tenantdesk.AccountSecurity{AccountID: acc.ID, TokenMaxLifetimeDays: 30}); err != nil {
			t.Fatal(err)
		}
		defer setSecurity(tenantdesk.AccountSecurity{AccountID: acc.ID})
		tok, _, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "capped"})
		if err != nil || !tok.ExpiresAt.Equal(now.Add(30*24*time.Hour)) {
			t.Fatalf("no expiry under a maximum: %+v %v", tok, err)
		}
		if _, _, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "long", ExpiresAt: now.Add(31 * 24 * time.Hour)}); !hasField(err, "expiresAt") {
			t.Fatalf("beyond the maximum: %v", err)
		}
		tok, _, err = tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "ok", ExpiresAt: now.Add(29 * 24 * time.Hour)})
		if err != nil || !tok.ExpiresAt.Equal(now.Add(29*24*time.Hour)) {
			t.Fatalf("within the maximum: %+v %v", tok, err)
		}
	})

	t.Run("revoked and regenerated", func(t *testing.T) {
		tok, secret, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "rotate"})
		if err != nil {
			t.Fatal(err)
		}
		nt, secret2, err := tokens.RegenerateToken(as(admin), admin.ID, tok.ID)
		if err != nil || nt.ID != tok.ID || nt.Name != "rotate" || secret2 == secret {
			t.Fatalf("regenerate: %+v %v", nt, err)
		}
		if _, err := tokens.AuthenticateToken(context.Background(), secret); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("old secret after regenerate: %v", err)
		}
		if _, err := tokens.AuthenticateToken(context.Background(), secret2); err != nil {
			t.Fatalf("new secret: %v", err)
		}
		if err := tokens.RevokeToken(as(admin), admin.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.AuthenticateToken(context.Background(), secret2); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("revoked: %v", err)
		}
		if _, _, err := tokens.RegenerateToken(as(admin), admin.ID, tok.ID); tenantdesk.ErrorCode(err) != tenantdesk.EINVALID {
			t.Fatalf("regenerate revoked: %v", err)
		}
		// Audited in the account's log.
		entries, _ := db.ListAudit(op, acc.ID, 50)
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e.Action] = true
		}
		for _, a := range []string{tenantdesk.AuditTokenCreate, tenantdesk.AuditTokenRegenerate, tenantdesk.AuditTokenRevoke} {
			if !seen[a] {
				t.Errorf("no audit %s", a)
			}
		}
	})

	t.Run("own tokens only", func(t *testing.T) {
		tok, _, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: "mine"})
		if err != nil {
			t.Fatal(err)
		}
		// Even the Owner cannot see, change or make another user's tokens.
		if _, err := tokens.ListTokens(as(owner), admin.ID); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			t.Fatalf("list other's: %v", err)
		}
		if err := tokens.RevokeToken(as(owner), admin.ID, tok.ID); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			t.Fatalf("revoke other's: %v", err)
		}
		if err := tokens.RevokeToken(as(owner), owner.ID, tok.ID); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			t.Fatalf("revoke other's through own ID: %v", err)
		}
		if _, _, err := tokens.CreateToken(as(owner), admin.ID, tenantdesk.NewAPIToken{Name: "x"}); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			t.Fatalf("create for other: %v", err)
		}
		if _, _, err := tokens.CreateToken(as(admin), admin.ID, tenantdesk.NewAPIToken{Name: ""}); !hasField(err, "name") {
			t.Fatalf("empty name: %v", err)
		}
	})

	t.Run("disabled user", func(t *testing.T) {
		user := &tenantdesk.User{AccountID: acc.ID, DisplayName: "Dora", Email: "dora@tokens.example", Roles: []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleOnboardingAdmin}}
		if err := servicetest.NewOps(t, db).CreateUser(op, user); err != nil {
			t.Fatal(err)
		}
		_, secret, err := tokens.CreateToken(op, user.ID, tenantdesk.NewAPIToken{Name: "dora"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.AuthenticateToken(context.Background(), secret); err != nil {
			t.Fatal(err)
		}
		if _, err := servicetest.NewUsers(t, db).SetUserDisabled(op, acc.ID, user.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.AuthenticateToken(context.Background(), secret); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("disabled user: %v", err)
		}
		if _, _, err := tokens.CreateToken(op, user.ID, tenantdesk.NewAPIToken{Name: "again"}); tenantdesk.ErrorCode(err) != tenantdesk.EINVALID {
			t.Fatalf("token for disabled user: %v", err)
		}
		if err := servicetest.NewUsers(t, db).DeleteUser(op, acc.ID, user.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.AuthenticateToken(context.Background(), secret); tenantdesk.ErrorCode(err) != tenantdesk.EUNAUTHORIZED {
			t.Fatalf("deleted user: %v", err)
		}
	})
}

// newTokens returns the tokens service over db, on db's clock.
func newTokens(t *testing.T, db *sqlstore.DB) *service.Tokens {
	t.Helper()
	deps := servicetest.Deps(t, db)
	deps.Now = func() time.Time { return db.Now() }
	tokens, err := service.NewTokens(deps)
	if err != nil {
		t.Fatal(err)
	}
	return tokens
}

func hasField(err error, field string) bool {
	de := tenantdesk.AsError(err)
	if de == nil || de.Code != tenantdesk.EINVALID {
		return false
	}
	for _, f := range de.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
