package sqlite_test

import (
	"context"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/sqlite"
	"github.com/tenantdesk/tenantdesk/internal/sqlite/sqlitetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// fixture is the standard accounts (sqlitetest.Accounts) in a real store.
type fixture struct {
	*sqlitetest.Accounts
	db *sqlite.DB
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, path := openTestDB(t)
	dbPaths.Store(db, path)
	return &fixture{Accounts: sqlitetest.Arrange(t, db), db: db}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) as(u *tenantdesk.User) context.Context { return sqlitetest.As(f.db, u) }

func code(err error) string { return tenantdesk.ErrorCode(err) }
