package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func openGroupTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "group.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// secretNames reads which of the names are in the secrets table (any
// small table does: the test writes rows of its own there).
func secretNames(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), `SELECT name FROM secrets WHERE name LIKE 'g-%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		got[n] = true
	}
	return got
}

func insertSecret(ctx context.Context, tx tenantdesk.StoreTx, name string) error {
	_, err := tx.(*Tx).ExecContext(ctx, `INSERT INTO secrets (name, value, created_at) VALUES (?, x'00', 0)`, name)
	return err
}

// TestGroupCommitKeepsEachCallersOutcome: callers queued for the writer
// commit in groups, and each gets its own outcome: a caller's error or
// panic rolls back its changes only; the others' are kept, and a caller
// returns only when its changes are committed.
func TestGroupCommitKeepsEachCallersOutcome(t *testing.T) {
	db := openGroupTestDB(t)
	const callers = 96
	errFail := errors.New("this caller fails")
	results := make([]any, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					results[i] = p
				}
			}()
			<-start
			err := db.Update(context.Background(), func(tx tenantdesk.StoreTx) error {
				if err := insertSecret(context.Background(), tx, fmt.Sprintf("g-%03d", i)); err != nil {
					return err
				}
				switch i % 4 {
				case 1:
					return errFail
				case 3:
					if i%8 == 3 {
						panic(fmt.Sprintf("caller %d panics", i))
					}
				}
				return nil
			})
			if err == nil {
				// Acknowledged: committed, so visible to a reader now.
				var n int
				if qerr := db.read.QueryRowContext(context.Background(), `SELECT count(*) FROM secrets WHERE name = ?`, fmt.Sprintf("g-%03d", i)).Scan(&n); qerr != nil || n != 1 {
					results[i] = fmt.Sprintf("acknowledged but not committed: %d %v", n, qerr)
					return
				}
			}
			results[i] = err
		})
	}
	close(start)
	wg.Wait()
	got := secretNames(t, db)
	for i := range callers {
		name := fmt.Sprintf("g-%03d", i)
		switch {
		case i%4 == 1:
			if results[i] != errFail || got[name] {
				t.Errorf("caller %d (fails): %v, row kept %v", i, results[i], got[name])
			}
		case i%8 == 3:
			if results[i] != fmt.Sprintf("caller %d panics", i) || got[name] {
				t.Errorf("caller %d (panics): %v, row kept %v", i, results[i], got[name])
			}
		default:
			if results[i] != nil || !got[name] {
				t.Errorf("caller %d: %v, row kept %v", i, results[i], got[name])
			}
		}
	}
	commits, members := db.groups.commits.Load(), db.groups.members.Load()
	t.Logf("%d callers in %d commits", members, commits)
	if members != callers {
		t.Errorf("%d members counted, want %d", members, callers)
	}
}

// TestGroupCommitGroups: callers that queue while a transaction runs share
// its commit (fewer commits than callers), and a caller alone commits at
// once, by itself.
func TestGroupCommitGroups(t *testing.T) {
	db := openGroupTestDB(t)
	ctx := context.Background()
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error { return insertSecret(ctx, tx, "g-alone") }); err != nil {
		t.Fatal(err)
	}
	if c, m := db.groups.commits.Load(), db.groups.members.Load(); c != 1 || m != 1 {
		t.Fatalf("a caller alone: %d commits, %d members", c, m)
	}
	// The first caller holds the writer until the others wait for it.
	const queued = 20
	hold, entered := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		db.Update(ctx, func(tx tenantdesk.StoreTx) error {
			close(entered)
			<-hold
			return insertSecret(ctx, tx, "g-first")
		})
	})
	<-entered
	for i := range queued {
		wg.Go(func() {
			if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error { return insertSecret(ctx, tx, fmt.Sprintf("g-q%02d", i)) }); err != nil {
				t.Error(err)
			}
		})
	}
	for db.groups.waiting.Load() < queued {
		runtime.Gosched()
	}
	close(hold)
	wg.Wait()
	c, m := db.groups.commits.Load()-1, db.groups.members.Load()-1
	if m != queued+1 || c >= m || c < 1 {
		t.Fatalf("%d callers in %d commits: want fewer commits than callers", m, c)
	}
	if n := len(secretNames(t, db)); n != queued+2 {
		t.Fatalf("%d rows, want %d", n, queued+2)
	}
}

// TestGroupCommitFailsEveryoneWhenTheTransactionBreaks: when the shared
// transaction itself fails, no caller of the group is told its change was
// kept, and none is.
func TestGroupCommitFailsEveryoneWhenTheTransactionBreaks(t *testing.T) {
	db := openGroupTestDB(t)
	ctx := context.Background()
	hold, entered := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, 6)
	wg.Go(func() {
		errs[0] = db.Update(ctx, func(tx tenantdesk.StoreTx) error {
			close(entered)
			<-hold
			return insertSecret(ctx, tx, "g-0")
		})
	})
	<-entered
	for i := 1; i < len(errs); i++ {
		wg.Go(func() {
			errs[i] = db.Update(ctx, func(tx tenantdesk.StoreTx) error {
				if err := insertSecret(ctx, tx, fmt.Sprintf("g-%d", i)); err != nil {
					return err
				}
				if i == 3 {
					// Ends the shared transaction under everyone's feet.
					_, err := tx.(*Tx).Tx.ExecContext(ctx, `ROLLBACK`)
					return err
				}
				return nil
			})
		})
	}
	for db.groups.waiting.Load() < int32(len(errs)-1) {
		runtime.Gosched()
	}
	close(hold)
	wg.Wait()
	got := secretNames(t, db)
	for i, err := range errs {
		name := fmt.Sprintf("g-%d", i)
		if err == nil && !got[name] {
			t.Errorf("caller %d was told its change was kept, and it is not", i)
		}
	}
	// Callers after the break form a new group and may succeed; those in
	// the broken one (at least caller 3 and the first) do not.
	if errs[3] == nil || errs[0] == nil {
		t.Errorf("the broken group's callers succeeded: %v", errs)
	}
	// The writer still works.
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error { return insertSecret(ctx, tx, "g-after") }); err != nil {
		t.Fatal(err)
	}
}
