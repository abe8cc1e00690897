package service_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/service"
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
	path              string
	deps              *service.Deps
	svc               *service.All
	users             *service.Users
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
	ctx := tenantdesk.OperatorContext(context.Background())
	deps := servicetest.Deps(t, db)
	deps.Now = func() time.Time { return db.Now() } // the store's clock, which a test may replace
	deps.Hasher = db.Hasher
	svc, err := service.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, path: path, deps: deps, users: svc.Users, svc: svc}
	ops := servicetest.NewOps(t, db)
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

// openTestDB opens a migrated database in a temporary file.
func openTestDB(t *testing.T) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "service.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Hasher = auth.NewArgon2id(auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 2)
	return db, path
}

// rawConn opens the database file directly, for checks below the store.
func rawConn(t *testing.T, path string) *sql.DB {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
