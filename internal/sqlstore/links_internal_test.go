package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

type plainHasher struct{}

func (plainHasher) Hash(pw string) (string, error)      { return "plain:" + pw, nil }
func (plainHasher) Verify(enc, pw string) (bool, error) { return enc == "plain:"+pw, nil }

func openLinksDB(t *testing.T) (*DB, *tenantdesk.User) {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "links.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Hasher = plainHasher{}
	_, owner, err := servicetest.NewOps(t, db).CreatePartner(context.Background(), tenantdesk.CreatePartnerInput{Name: "Acme", OwnerName: "Olga", OwnerEmail: "olga@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	return db, owner
}

func count(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
