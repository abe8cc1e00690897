package sqlstore_test

import (
	"context"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestControlCharactersFindNothing: a lookup or search with a NUL or another
// control character (which no stored name or email holds) finds nothing on
// either store instead of failing: PostgreSQL refuses NUL in text, FTS5
// ends a phrase at it.
func TestControlCharactersFindNothing(t *testing.T) {
	db, _ := openTestDB(t)
	f := storetest.Arrange(t, db)
	ctx := context.Background()
	if _, err := db.FindUserByEmail(ctx, "olive@c1.example\x00"); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		t.Errorf("email with a NUL: %v, want not found", err)
	}
	for _, q := range []string{"oli\x00ve", "Oli\x10ve", "\x00\x00\x00"} {
		page, err := db.UserPage(ctx, f.C1, tenantdesk.UserFilter{Query: q, Limit: 10})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		if q != "\x00\x00\x00" && (len(page.Users) != 1 || page.Users[0].ID != f.Owner1.ID) {
			t.Errorf("search %q found %d users, want Olive (control characters ignored)", q, len(page.Users))
		}
	}
	if _, err := db.CustomerPage(ctx, f.Partner.ID, tenantdesk.CustomerFilter{Query: "C\x001", Limit: 10}); err != nil {
		t.Errorf("customer search with a NUL: %v", err)
	}
}
