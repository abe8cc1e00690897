package sqlstore_test

import (
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Issue 9 item 6: SQLite handed the highest freed rowid out again, so after
// deleting the newest user the next one, in any account, took its ID, and
// old references (URLs, API scripts, the audit log) named the newcomer.
func TestDeletedUserIDIsNeverReused(t *testing.T) {
	f := newFixture(t)
	db := f.db
	seen := map[int64]string{}
	for _, u := range []*tenantdesk.User{f.PartnerOwner, f.PartnerUser, f.OtherPartnerAdmin, f.Owner1, f.Owner2, f.Admin1, f.Member1} {
		seen[u.ID] = u.DisplayName
	}
	checkNew := func(u *tenantdesk.User) {
		t.Helper()
		if old, ok := seen[u.ID]; ok {
			t.Fatalf("%s got the ID %s of %s", u.DisplayName, tenantdesk.FormatUserID(u.ID), old)
		}
		seen[u.ID] = u.DisplayName
	}

	// The newest user of C1 goes; a user is created in C2.
	gone := f.Member1
	must(t, servicetest.NewUsers(t, db).DeleteUser(f.as(f.Owner1), f.C1.ID, gone.ID))
	ch, err := servicetest.NewUsers(t, db).InviteUser(f.as(f.Owner2), f.C2.ID, tenantdesk.NewUser{DisplayName: "Temp Two", Email: "temp.two@c2.example", Roles: []string{"customer.user"}})
	must(t, err)
	checkNew(ch.User)
	if _, err := servicetest.NewUsers(t, db).GetUser(f.as(f.Owner2), f.C2.ID, gone.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("the deleted user's ID through C2: %v", err)
	}

	// Create, delete, create in one account: the audit entries of the first
	// must not name the second.
	temp1, err := servicetest.NewUsers(t, db).InviteUser(f.as(f.Owner1), f.C1.ID, tenantdesk.NewUser{DisplayName: "Temp One", Email: "temp.one@c1.example", Roles: []string{"customer.user"}})
	must(t, err)
	checkNew(temp1.User)
	must(t, servicetest.NewUsers(t, db).DeleteUser(f.as(f.Owner1), f.C1.ID, temp1.User.ID))
	temp3, err := servicetest.NewUsers(t, db).InviteUser(f.as(f.Owner1), f.C1.ID, tenantdesk.NewUser{DisplayName: "Temp Three", Email: "temp.three@c1.example", Roles: []string{"customer.user"}})
	must(t, err)
	checkNew(temp3.User)
	if _, err := servicetest.NewUsers(t, db).GetUser(f.as(f.Owner1), f.C1.ID, temp1.User.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("Temp One's ID after Temp Three was created: %v", err)
	}
	page, err := db.AuditPage(f.as(f.Owner1), f.C1.ID, tenantdesk.AuditFilter{Limit: tenantdesk.AuditPageSize})
	must(t, err)
	oldID := tenantdesk.FormatUserID(temp1.User.ID)
	var created, deleted bool
	for _, e := range page.Entries {
		if e.TargetType != "user" || e.TargetID != oldID {
			continue
		}
		created = created || e.Action == tenantdesk.AuditUserCreate
		deleted = deleted || e.Action == "user.delete"
		if e.TargetName != "Temp One" {
			t.Errorf("audit entry %s of Temp One names %q", e.Action, e.TargetName)
		}
	}
	if !created || !deleted {
		t.Errorf("Temp One's audit entries under %s: created %v, deleted %v", oldID, created, deleted)
	}
}
