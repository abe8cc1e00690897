package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// fixture is the standard accounts (storetest.Accounts: a partner with
// two customers, each with an Owner) in a real SQLite store, with the
// services over it.
type fixture struct {
	*storetest.Accounts
	db    *sqlstore.DB
	path  string
	deps  *service.Deps
	svc   *service.All
	users *service.Users
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, path := openTestDB(t)
	deps := servicetest.Deps(t, db)
	deps.Now = func() time.Time { return db.Now() } // the store's clock, which a test may replace
	deps.Hasher = db.Hasher
	svc, err := service.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{Accounts: storetest.Arrange(t, db), db: db, path: path, deps: deps, users: svc.Users, svc: svc}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) as(u *tenantdesk.User) context.Context { return storetest.As(f.db, u) }

func code(err error) string { return tenantdesk.ErrorCode(err) }

// openTestDB opens a migrated database in a temporary file.
func openTestDB(t *testing.T) (*sqlstore.DB, string) { return storetest.Open(t) }

// rawConn opens the database file directly, for checks below the store.
func rawConn(t *testing.T, path string) *sqlstore.RawDB {
	t.Helper()
	conn, err := sqlstore.OpenRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
