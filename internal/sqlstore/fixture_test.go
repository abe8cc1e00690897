package sqlstore_test

import (
	"context"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// fixture is the standard accounts (storetest.Accounts) in a real store.
type fixture struct {
	*storetest.Accounts
	db *sqlstore.DB
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, path := openTestDB(t)
	dbPaths.Store(db, path)
	return &fixture{Accounts: storetest.Arrange(t, db), db: db}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) as(u *tenantdesk.User) context.Context { return storetest.As(f.db, u) }

func code(err error) string { return tenantdesk.ErrorCode(err) }
