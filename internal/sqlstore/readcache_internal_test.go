package sqlstore

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestReadCacheNeverServesOwnWritesStale: a change made through this DB is
// seen by the very next read; a change made by another process (another
// connection to the file) within readCacheTTL.
func TestReadCacheNeverServesOwnWritesStale(t *testing.T) {
	db, u := openLinksDB(t)
	ctx := tenantdesk.OperatorContext(context.Background())
	first, err := db.FindUserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Callers get copies: changing one does not change the cache.
	first.DisplayName, first.Roles = "Mallory", append(first.Roles, "user.admin")
	if again, _ := db.FindUserByID(ctx, u.ID); again.DisplayName == "Mallory" || again.HasRole("user.admin") && !u.HasRole("user.admin") {
		t.Fatal("a caller's change leaked into the cache")
	}
	// A write through this DB (a committed transaction) is seen at once.
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		active := *u
		active.Status = tenantdesk.UserActive
		return tx.UpdateUser(ctx, &active)
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.FindUserByID(ctx, u.ID); got.Status != tenantdesk.UserActive {
		t.Fatalf("own write not seen: status %s", got.Status)
	}
	// A direct write on the writer (a session) is seen at once too.
	if err := db.CreateSession(ctx, &tenantdesk.Session{ID: "s1", UserID: u.ID, Data: []byte{}, ExpiresAt: db.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindSession(ctx, "s1"); tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		t.Fatalf("deleted session still served: %v", err)
	}
	// Another process's write is seen within the TTL.
	old := readCacheTTL
	readCacheTTL = 50 * time.Millisecond
	defer func() { readCacheTTL = old }()
	db.FindUserByID(ctx, u.ID) // cached
	other, err := sql.Open("sqlite", "file:"+db.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec(`UPDATE users SET status = 'disabled' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	if got, _ := db.FindUserByID(ctx, u.ID); got.Status != tenantdesk.UserDisabled {
		t.Fatalf("another process's write not seen after the TTL: %s", got.Status)
	}
}
