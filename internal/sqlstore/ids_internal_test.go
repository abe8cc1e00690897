package sqlstore

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/migrations"
)

// fixedKeys is a key source whose clock stands still and whose random bits
// never change: the worst case of a busy millisecond.
func fixedKeys(at time.Time) *keySource {
	return &keySource{now: func() time.Time { return at }, rand: func() uint64 { return 0x1234 }}
}

// Two users created in the same millisecond (and with the same random
// bits) still get different keys, both of that millisecond.
func TestKeysOfTheSameMillisecondDiffer(t *testing.T) {
	db, _ := openLinksDB(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db.keys = fixedKeys(at)
	ctx := tenantdesk.OperatorContext(context.Background())
	var ids []int64
	for _, email := range []string{"a@same.example", "b@same.example"} {
		_, owner, err := servicetest.NewOps(t, db).CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: email, OwnerName: "Same Ms", OwnerEmail: email})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, owner.ID)
	}
	if ids[0] == ids[1] || tenantdesk.FormatUserID(ids[0]) == tenantdesk.FormatUserID(ids[1]) {
		t.Fatalf("both users got key %d", ids[0])
	}
	wantMS := at.UnixMilli() - keyEpoch
	for _, id := range ids {
		if id>>keyRandBits != wantMS || id <= 0 || id >= 1<<62 {
			t.Errorf("key %d: millisecond %d, want %d (a positive 62-bit key)", id, id>>keyRandBits, wantMS)
		}
	}
}

// A second process (the tenantdesk command beside the server) that draws
// the very key a row already holds gets another one instead of a failed
// INSERT or, worse, a reused ID.
func TestNewKeyDrawsAgainOnAClash(t *testing.T) {
	db, owner := openLinksDB(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db.keys = fixedKeys(at)
	ctx := tenantdesk.OperatorContext(context.Background())
	_, first, err := servicetest.NewOps(t, db).CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "One", OwnerName: "One", OwnerEmail: "one@clash.example"})
	if err != nil {
		t.Fatal(err)
	}
	db.keys = fixedKeys(at) // a fresh process: the same key comes first
	_, second, err := servicetest.NewOps(t, db).CreatePartner(ctx, tenantdesk.CreatePartnerInput{Name: "Two", OwnerName: "Two", OwnerEmail: "two@clash.example"})
	if err != nil {
		t.Fatalf("create on a clashing key: %v", err)
	}
	if second.ID == first.ID || second.ID == owner.ID {
		t.Fatalf("key %d given twice", second.ID)
	}

	// The key source never goes back, even when the clock does.
	s := fixedKeys(at)
	k1 := s.next()
	s.now = func() time.Time { return at.Add(-time.Hour) }
	if k2 := s.next(); k2 <= k1 {
		t.Errorf("clock stepped back: key %d after %d", k2, k1)
	}
	if _, err := (&Tx{db: db}).newKey(context.Background(), "sessions"); err == nil {
		t.Error("newKey accepted a table it does not key")
	}
}

// Keys made by the real source are far above any rowid SQLite handed out
// before (so old rows keep theirs) and increase.
func TestProcessKeysAreLargeAndIncreasing(t *testing.T) {
	prev := int64(0)
	for range 1000 {
		k := NewKey()
		if k <= prev || k < 1<<keyRandBits || k >= 1<<62 {
			t.Fatalf("key %d after %d", k, prev)
		}
		prev = k
	}
}

// Migration 0011 rewrites the decimal target IDs of older audit rows to the
// public form: its SQL must encode exactly as tenantdesk.Format…ID does.
func TestMigration0011EncodesLikeTheCodec(t *testing.T) {
	db, _ := openLinksDB(t)
	src, err := fs.ReadFile(migrations.SQLite, "0011_public_ids.sql")
	if err != nil {
		t.Fatal(err)
	}
	up, _, _ := strings.Cut(string(src), "-- +goose Down")
	keys := []int64{1, 15, 31, 32, 1234567, 1 << 40, NewKey(), 1<<62 - 1}
	want := map[string]string{}
	for _, k := range keys {
		for typ, format := range map[string]func(int64) string{
			"user": tenantdesk.FormatUserID, "device": tenantdesk.FormatDeviceID, "token": tenantdesk.FormatAPITokenID} {
			res, err := db.write.Exec(`INSERT INTO audit_log (action, target_type, target_id, created_at) VALUES ('x', ?, ?, 1)`,
				typ, strconv.FormatInt(k, 10))
			if err != nil {
				t.Fatal(err)
			}
			id, _ := res.LastInsertId()
			want[strconv.FormatInt(id, 10)] = format(k)
		}
	}
	// Rows already in the public form, and of accounts, stay as they are.
	for _, r := range [][2]string{{"user", tenantdesk.FormatUserID(7)}, {"account", "tnabc"}, {"user", ""}} {
		res, err := db.write.Exec(`INSERT INTO audit_log (action, target_type, target_id, created_at) VALUES ('x', ?, ?, 1)`, r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		want[strconv.FormatInt(id, 10)] = r[1]
	}
	if _, err := db.write.Exec(up); err != nil {
		t.Fatal(err)
	}
	for id, w := range want {
		var got string
		if err := db.read.QueryRow(`SELECT target_id FROM audit_log WHERE id = ?`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Errorf("audit row %s: target_id %q, want %q", id, got, w)
		}
	}
}
