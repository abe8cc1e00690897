package sqlstore_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// dbPaths remembers each test database's file, for raw reads.
var dbPaths sync.Map // *sqlstore.DB -> string

func rawConn(t *testing.T, db *sqlstore.DB) *sqlstore.RawDB {
	t.Helper()
	path, _ := dbPaths.Load(db)
	conn, err := sqlstore.OpenRaw(path.(string))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// update runs fn in one write transaction of db.
func update(t *testing.T, db *sqlstore.DB, fn func(ctx context.Context, tx tenantdesk.StoreTx) error) {
	t.Helper()
	ctx := context.Background()
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// The store's second-factor rows: a pending secret is replaced but an
// enabled one is not, accepted steps only go up (compare and set), a
// recovery code is used once and only while 2FA is on.
func TestTOTPRowsCompareAndSet(t *testing.T) {
	f := newFixture(t)
	u := f.Member1
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	f.db.Now = func() time.Time { return now }
	bg := context.Background()
	if _, err := f.db.FindTOTPSecret(bg, u.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Fatalf("no secret yet: %v", err)
	}
	update(t, f.db, func(ctx context.Context, tx tenantdesk.StoreTx) error {
		for _, sealed := range []string{"first", "second"} {
			if ok, err := tx.PutPendingTOTP(ctx, u.AccountID, u.ID, []byte(sealed)); err != nil || !ok {
				t.Fatalf("pending %s: %v %v", sealed, ok, err)
			}
		}
		return nil
	})
	s, err := f.db.FindTOTPSecret(bg, u.ID)
	if err != nil || !bytes.Equal(s.Sealed, []byte("second")) || !s.CreatedAt.Equal(now) || !s.EnabledAt.IsZero() {
		t.Fatalf("pending secret %+v %v", s, err)
	}
	update(t, f.db, func(ctx context.Context, tx tenantdesk.StoreTx) error {
		if ok, _ := tx.AcceptTOTPStep(ctx, u.ID, 5); ok {
			t.Error("a step accepted for a pending secret")
		}
		if err := tx.EnableTOTP(ctx, u.ID, 10); err != nil {
			return err
		}
		if ok, err := tx.PutPendingTOTP(ctx, u.AccountID, u.ID, []byte("third")); err != nil || ok {
			t.Errorf("pending over an enabled secret: %v %v", ok, err)
		}
		if err := tx.DeletePendingTOTP(ctx, u.ID); err != nil {
			return err
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{10, false}, {9, false}, {11, true}, {11, false}, {13, true}} {
			if ok, err := tx.AcceptTOTPStep(ctx, u.ID, c.step); err != nil || ok != c.ok {
				t.Errorf("step %d: %v %v, want %v", c.step, ok, err, c.ok)
			}
		}
		return tx.ReplaceRecoveryCodes(ctx, u.ID, [][]byte{[]byte("h1"), []byte("h2"), []byte("h3")})
	})
	if s, err := f.db.FindTOTPSecret(bg, u.ID); err != nil || !s.EnabledAt.Equal(now) || !bytes.Equal(s.Sealed, []byte("second")) {
		t.Fatalf("enabled secret %+v %v", s, err)
	}
	if st, err := f.db.SecondFactorState(bg, u.ID); err != nil || !st.Enabled || st.Required {
		t.Errorf("state %+v %v", st, err)
	}
	update(t, f.db, func(ctx context.Context, tx tenantdesk.StoreTx) error {
		if ok, err := tx.UseRecoveryCode(ctx, u.ID, []byte("h2")); err != nil || !ok {
			t.Errorf("use: %v %v", ok, err)
		}
		if ok, _ := tx.UseRecoveryCode(ctx, u.ID, []byte("h2")); ok {
			t.Error("a code used twice")
		}
		if ok, _ := tx.UseRecoveryCode(ctx, f.Admin1.ID, []byte("h1")); ok {
			t.Error("another user's code used")
		}
		return nil
	})
	if n, err := f.db.RecoveryCodesLeft(bg, u.ID); err != nil || n != 2 {
		t.Errorf("%d codes left, %v", n, err)
	}
	update(t, f.db, func(ctx context.Context, tx tenantdesk.StoreTx) error { return tx.DeleteTOTP(ctx, u.ID) })
	if _, err := f.db.FindTOTPSecret(bg, u.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("secret after delete: %v", err)
	}
	if n, _ := f.db.RecoveryCodesLeft(bg, u.ID); n != 0 {
		t.Errorf("%d codes left after delete", n)
	}
	if _, err := f.db.SecondFactorState(bg, 1<<40); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("unknown user: %v", err)
	}
	update(t, f.db, func(ctx context.Context, tx tenantdesk.StoreTx) error {
		return tx.PutAccountSecurity(ctx, &tenantdesk.AccountSecurity{AccountID: u.AccountID, Require2FA: true, TokenMaxLifetimeDays: 7})
	})
	if st, _ := f.db.SecondFactorState(bg, u.ID); st.Enabled || !st.Required {
		t.Errorf("state with 2FA required %+v", st)
	}
	if s, err := f.db.FindAccountSecurity(bg, u.AccountID); err != nil || !s.Require2FA || s.TokenMaxLifetimeDays != 7 {
		t.Errorf("security %+v %v", s, err)
	}
	if s, err := f.db.FindAccountSecurity(bg, f.C2.ID); err != nil || s.Require2FA || s.TokenMaxLifetimeDays != 0 || s.AccountID != f.C2.ID {
		t.Errorf("defaults %+v %v", s, err)
	}
}

// Second-factor failures: the nth newest after a time, pruning, deleting one.
func TestSecondFactorFailureRows(t *testing.T) {
	f := newFixture(t)
	u := f.Member1
	start := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	now := start
	f.db.Now = func() time.Time { return now }
	var ids []int64
	for range 3 {
		update(t, f.db, func(ctx context.Context, tx tenantdesk.StoreTx) error {
			id, err := tx.InsertSecondFactorFailure(ctx, u.ID)
			ids = append(ids, id)
			return err
		})
		now = now.Add(time.Minute)
	}
	update(t, f.db, func(ctx context.Context, tx tenantdesk.StoreTx) error {
		for _, c := range []struct {
			n     int
			since time.Time
			want  time.Time
		}{
			{1, start.Add(-time.Hour), start.Add(2 * time.Minute)},
			{3, start.Add(-time.Hour), start},
			{4, start.Add(-time.Hour), time.Time{}},
			{3, start, time.Time{}}, // only failures later than since
			{2, start, start.Add(time.Minute)},
		} {
			if at, err := tx.SecondFactorFailureAt(ctx, u.ID, c.n, c.since); err != nil || !at.Equal(c.want) {
				t.Errorf("n=%d since %v: %v %v, want %v", c.n, c.since, at, err, c.want)
			}
		}
		if at, _ := tx.SecondFactorFailureAt(ctx, f.Admin1.ID, 1, start.Add(-time.Hour)); !at.IsZero() {
			t.Error("another user's failure counted")
		}
		if err := tx.PruneSecondFactorFailures(ctx, u.ID, start); err != nil {
			return err
		}
		if at, _ := tx.SecondFactorFailureAt(ctx, u.ID, 2, start.Add(-time.Hour)); !at.Equal(start.Add(time.Minute)) {
			t.Errorf("after pruning the oldest: %v", at)
		}
		if err := tx.DeleteSecondFactorFailure(ctx, ids[2]); err != nil {
			return err
		}
		if at, _ := tx.SecondFactorFailureAt(ctx, u.ID, 1, start.Add(-time.Hour)); !at.Equal(start.Add(time.Minute)) {
			t.Errorf("after deleting the newest: %v", at)
		}
		if err := tx.ClearSecondFactorFailures(ctx, u.ID); err != nil {
			return err
		}
		if at, _ := tx.SecondFactorFailureAt(ctx, u.ID, 1, start.Add(-time.Hour)); !at.IsZero() {
			t.Errorf("after clearing: %v", at)
		}
		return nil
	})
}

func TestSecretsAreKept(t *testing.T) {
	db, path := openTestDB(t)
	dbPaths.Store(db, path)
	ctx := context.Background()
	if _, err := db.FindSecret(ctx, "k"); code(err) != tenantdesk.ENOTFOUND {
		t.Fatalf("missing secret: %v", err)
	}
	v, err := db.LoadOrCreateSecret(ctx, "k", func() ([]byte, error) { return []byte("v1"), nil })
	if err != nil || string(v) != "v1" {
		t.Fatalf("created: %q %v", v, err)
	}
	if v, err := db.LoadOrCreateSecret(ctx, "k", func() ([]byte, error) { return []byte("v2"), nil }); err != nil || string(v) != "v1" {
		t.Errorf("kept: %q %v", v, err)
	}
	if v, err := db.FindSecret(ctx, "k"); err != nil || string(v) != "v1" {
		t.Errorf("found: %q %v", v, err)
	}
	var n int
	rawConn(t, db).QueryRow(`SELECT count(*) FROM secrets WHERE name = 'k'`).Scan(&n)
	if n != 1 {
		t.Errorf("%d rows", n)
	}
}
