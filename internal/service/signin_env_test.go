package service_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The sign-in and link tests' set-up: a partner "Acme" whose Owner is
// Olga, services over a real SQLite file, links starting with
// https://desk.example.com, a plain hasher (the counting one of
// openAttemptsEnv counts every check).

type plainHasher struct{}

func (plainHasher) Hash(pw string) (string, error)      { return "plain:" + pw, nil }
func (plainHasher) Verify(enc, pw string) (bool, error) { return enc == "plain:"+pw, nil }

// countingPlainHasher counts the password checks actually made, and makes each
// one take a little time, as argon2id does, so that parallel attempts
// overlap.
type countingPlainHasher struct {
	plainHasher
	verified atomic.Int64
}

func (h *countingPlainHasher) Verify(enc, pw string) (bool, error) {
	h.verified.Add(1)
	time.Sleep(5 * time.Millisecond)
	return h.plainHasher.Verify(enc, pw)
}

type signinEnv struct {
	db    *sqlstore.DB
	conn  *sqlstore.RawDB // the file directly, for checks below the store
	deps  *service.Deps
	ops   servicetest.Ops
	auth  *service.Auth
	links *service.Links
}

func openLinksEnv(t *testing.T) (*signinEnv, *tenantdesk.User) {
	t.Helper()
	db, path := openTestDB(t)
	deps := servicetest.Deps(t, db)
	deps.BaseURL, deps.Hasher = "https://desk.example.com/", plainHasher{}
	svc, err := service.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	e := &signinEnv{db: db, conn: rawConn(t, path), deps: deps, ops: servicetest.Ops{O: svc.Operator}, auth: svc.Auth, links: svc.Links}
	_, owner, err := e.ops.CreatePartner(context.Background(), tenantdesk.CreatePartnerInput{Name: "Acme", OwnerName: "Olga", OwnerEmail: "olga@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	return e, owner
}

// openAttemptsEnv is openLinksEnv with the Owner's password set, a fixed
// clock and a counting hasher (installed after the set-up).
func openAttemptsEnv(t *testing.T) (*signinEnv, *tenantdesk.User, *countingPlainHasher) {
	t.Helper()
	e, owner := openLinksEnv(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	must(t, e.ops.SetPassword(context.Background(), owner.ID, ownerPassword))
	u, err := e.db.FindUserByID(context.Background(), owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	h := &countingPlainHasher{}
	e.deps.Hasher = h
	return e, u, h
}

func count(t *testing.T, e *signinEnv, table string) int {
	t.Helper()
	var n int
	if err := e.conn.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func envAuditReasons(t *testing.T, e *signinEnv, action, reason string) int {
	t.Helper()
	var n int
	if err := e.conn.QueryRow(`SELECT count(*) FROM audit_log WHERE action = ? AND after_json LIKE ?`,
		action, `%"reason":"`+reason+`"%`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
