package sqlstore_test

import (
	"context"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestInsertUserRefusesATakenEmailOrASecondOwner: InsertUser does not look
// its key up first but lets the INSERT skip a clash (ON CONFLICT DO
// NOTHING); an email another user holds (in any case, any account) is then
// the email-taken error with its field, a second Owner a plain error, and
// neither writes a row, on both stores.
func TestInsertUserRefusesATakenEmailOrASecondOwner(t *testing.T) {
	db, _ := openTestDB(t)
	f := storetest.Arrange(t, db)
	ctx := context.Background()
	count := func() int {
		n := 0
		for _, acc := range []*tenantdesk.Account{f.C1, f.C2} {
			page, err := db.UserPage(ctx, acc, tenantdesk.UserFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Users)
		}
		return n
	}
	before := count()
	err := db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return tx.InsertUser(ctx, &tenantdesk.User{AccountID: f.C1.ID, DisplayName: "Copy", Email: " OTTO@c2.example ",
			Status: tenantdesk.UserInvited, Roles: []string{tenantdesk.RoleCustomerUser}})
	})
	if tenantdesk.ErrorCode(err) != tenantdesk.EEmailTaken {
		t.Fatalf("insert with Otto's email: %v, want %s", err, tenantdesk.EEmailTaken)
	}
	if e, ok := err.(*tenantdesk.Error); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "email" {
		t.Errorf("email taken without its field error: %#v", err)
	}
	err = db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return tx.InsertUser(ctx, &tenantdesk.User{AccountID: f.C1.ID, DisplayName: "Second Owner", Email: "second.owner@c1.example",
			Status: tenantdesk.UserInvited, IsOwner: true})
	})
	if err == nil {
		t.Fatal("a second Owner of C1 was inserted")
	}
	if after := count(); after != before {
		t.Errorf("%d users after the refused inserts, %d before", after, before)
	}
	// The ordinary case still inserts, with its roles.
	u := &tenantdesk.User{AccountID: f.C1.ID, DisplayName: "New One", Email: "new.one@c1.example", Status: tenantdesk.UserInvited,
		Roles: []string{tenantdesk.RoleCustomerUser}}
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error { return tx.InsertUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindUserByID(ctx, u.ID)
	if err != nil || got.Email != "new.one@c1.example" || len(got.Roles) != 1 {
		t.Fatalf("inserted user: %+v, %v", got, err)
	}
}
