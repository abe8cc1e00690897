package sqlite_test

import (
	"context"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlite"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// fixture: a partner with two customers; each customer has an Owner,
// arranged through the operator's service as the product does.
// (internal/service/fixture_test.go has the same for the services' tests,
// while flows move there.)
type fixture struct {
	db                *sqlite.DB
	partner, c1, c2   *tenantdesk.Account
	partnerOwner      *tenantdesk.User
	owner1, owner2    *tenantdesk.User
	admin1, member1   *tenantdesk.User
	partnerUser       *tenantdesk.User
	otherPartnerAdmin *tenantdesk.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db, path := openTestDB(t)
	dbPaths.Store(db, path)
	ctx := tenantdesk.OperatorContext(context.Background())
	f := &fixture{db: db}
	ops := servicetest.NewOps(t, db)
	var err error
	f.partner, f.partnerOwner, err = ops.CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "P", OwnerName: "Pat", OwnerEmail: "pat@p.example"})
	if err != nil {
		t.Fatal(err)
	}
	f.partnerUser = &tenantdesk.User{AccountID: f.partner.ID, DisplayName: "Staff", Email: "staff@p.example", Roles: []string{"partner.user"}}
	must(t, ops.CreateUser(ctx, f.partnerUser))
	other, otherOwner, err := ops.CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "Q", OwnerName: "Quinn", OwnerEmail: "quinn@q.example"})
	if err != nil {
		t.Fatal(err)
	}
	_ = other
	f.otherPartnerAdmin = otherOwner
	f.c1 = &tenantdesk.Account{Name: "C1", ParentID: f.partner.ID}
	f.owner1 = &tenantdesk.User{DisplayName: "Olive", Email: "olive@c1.example"}
	must(t, ops.CreateCustomer(ctx, f.c1, f.owner1))
	f.c2 = &tenantdesk.Account{Name: "C2", ParentID: f.partner.ID}
	f.owner2 = &tenantdesk.User{DisplayName: "Otto", Email: "otto@c2.example"}
	must(t, ops.CreateCustomer(ctx, f.c2, f.owner2))
	f.admin1 = &tenantdesk.User{AccountID: f.c1.ID, DisplayName: "Ada", Email: "ada@c1.example", Roles: []string{"customer.user", "user.admin"}}
	must(t, ops.CreateUser(ctx, f.admin1))
	f.member1 = &tenantdesk.User{AccountID: f.c1.ID, DisplayName: "Mia", Email: "mia@c1.example", Roles: []string{"customer.user"}}
	must(t, ops.CreateUser(ctx, f.member1))
	// Reload so roles (e.g. the Owner's) are as stored.
	for _, u := range []**tenantdesk.User{&f.partnerOwner, &f.partnerUser, &f.otherPartnerAdmin, &f.owner1, &f.owner2, &f.admin1, &f.member1} {
		r, err := db.FindUserByID(ctx, (*u).ID)
		if err != nil {
			t.Fatal(err)
		}
		*u = r
	}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) as(u *tenantdesk.User) context.Context {
	acc, err := f.db.FindAccountByID(context.Background(), u.AccountID)
	if err != nil {
		panic(err)
	}
	return tenantdesk.WithActor(context.Background(), &tenantdesk.Actor{User: u, Account: acc, IP: "192.0.2.1"})
}

func code(err error) string { return tenantdesk.ErrorCode(err) }
