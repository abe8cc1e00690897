// Package storetest opens real SQLite stores for tests and arranges the
// standard accounts in them, through the operator's service as the product
// does. The store's own tests (package sqlite_test) and the services'
// (package service_test) share it; the store's internal tests, which
// cannot import it, use internal/service/servicetest alone.
package storetest

import (
	"context"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/internal/testdb"
)

// Open opens a migrated database in a temporary file, with a cheap
// argon2id hasher, and returns it with its path.
func Open(t testing.TB) (*sqlstore.DB, string) {
	t.Helper()
	path := testdb.DSN(t)
	db, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Hasher = servicetest.CheapHasher()
	return db, path
}

// Accounts are the standard arrangement: a partner P (Owner Pat, staff
// member with partner.user) with two customers C1 (Owner Olive, user admin
// Ada, member Mia) and C2 (Owner Otto), and another partner Q whose Owner
// is OtherPartnerAdmin. Users are as stored (the Owners' roles included).
type Accounts struct {
	Partner, C1, C2   *tenantdesk.Account
	PartnerOwner      *tenantdesk.User
	Owner1, Owner2    *tenantdesk.User
	Admin1, Member1   *tenantdesk.User
	PartnerUser       *tenantdesk.User
	OtherPartnerAdmin *tenantdesk.User
}

// Arrange creates the standard accounts in db.
func Arrange(t testing.TB, db *sqlstore.DB) *Accounts {
	t.Helper()
	ctx := tenantdesk.OperatorContext(context.Background())
	ops := servicetest.NewOps(t, db)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a := &Accounts{}
	var err error
	a.Partner, a.PartnerOwner, err = ops.CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "P", OwnerName: "Pat", OwnerEmail: "pat@p.example"})
	must(err)
	a.PartnerUser = &tenantdesk.User{AccountID: a.Partner.ID, DisplayName: "Staff", Email: "staff@p.example", Roles: []string{"partner.user"}}
	must(ops.CreateUser(ctx, a.PartnerUser))
	_, a.OtherPartnerAdmin, err = ops.CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "Q", OwnerName: "Quinn", OwnerEmail: "quinn@q.example"})
	must(err)
	a.C1 = &tenantdesk.Account{Name: "C1", ParentID: a.Partner.ID}
	a.Owner1 = &tenantdesk.User{DisplayName: "Olive", Email: "olive@c1.example"}
	must(ops.CreateCustomer(ctx, a.C1, a.Owner1))
	a.C2 = &tenantdesk.Account{Name: "C2", ParentID: a.Partner.ID}
	a.Owner2 = &tenantdesk.User{DisplayName: "Otto", Email: "otto@c2.example"}
	must(ops.CreateCustomer(ctx, a.C2, a.Owner2))
	a.Admin1 = &tenantdesk.User{AccountID: a.C1.ID, DisplayName: "Ada", Email: "ada@c1.example", Roles: []string{"customer.user", "user.admin"}}
	must(ops.CreateUser(ctx, a.Admin1))
	a.Member1 = &tenantdesk.User{AccountID: a.C1.ID, DisplayName: "Mia", Email: "mia@c1.example", Roles: []string{"customer.user"}}
	must(ops.CreateUser(ctx, a.Member1))
	for _, u := range []**tenantdesk.User{&a.PartnerOwner, &a.PartnerUser, &a.OtherPartnerAdmin, &a.Owner1, &a.Owner2, &a.Admin1, &a.Member1} {
		r, err := db.FindUserByID(ctx, (*u).ID)
		must(err)
		*u = r
	}
	return a
}

// As returns a context acting as u, signed in to u's account from 192.0.2.1.
func As(db *sqlstore.DB, u *tenantdesk.User) context.Context {
	acc, err := db.FindAccountByID(context.Background(), u.AccountID)
	if err != nil {
		panic(err)
	}
	return tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: u, Account: acc, IP: "192.0.2.1"})
}
