package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Group commit (SQLite): the write transactions that queue for the one
// writer while another runs share its COMMIT. SQLite writes every page a
// transaction changed to the WAL at its commit, and consecutive creations
// change mostly the same pages (the tail of the users table and of each
// index, the audit log's, the outbox's): 26 pages for one user created
// alone, far fewer each when several commit together. Each caller's
// changes still run alone and in turn (the writers take turns as before,
// so what fn reads stays true until it returns), inside a SAVEPOINT of
// the shared transaction: an error rolls back that caller's changes only.
// Every caller returns after the COMMIT that holds its changes, so an
// acknowledged write is a committed one, as before; a failed COMMIT fails
// every caller of the group, none of whose changes were kept.
//
// A group grows only while callers are already waiting for the writer
// when the previous one finishes, up to maxGroup: one caller alone
// commits at once, as before.

// maxGroup bounds the callers of one group, and so how long the first of
// them waits for its answer.
const maxGroup = 32

// groupCommit is the writer's turn and the group being written.
type groupCommit struct {
	turn    chan struct{} // holds a token while a caller has the writer's turn
	waiting atomic.Int32  // callers waiting for the turn
	cur     *group        // the open group, or nil (read and written with the turn)
	// commits and members count the groups committed (or rolled back)
	// and their members, for tests and figures.
	commits, members atomic.Int64
}

// group is one shared write transaction and its members.
type group struct {
	tx   *sql.Tx
	txs  []*Tx         // one per member, in turn order
	done chan struct{} // closed after the COMMIT (or the rollback)
	err  error         // the COMMIT's error, or what broke the transaction
}

func newGroupCommit() *groupCommit {
	return &groupCommit{turn: make(chan struct{}, 1)}
}

// grouped runs fn as one member of a group of write transactions; see
// above. Only for SQLite's single writer.
func (db *DB) grouped(ctx context.Context, fn func(tenantdesk.StoreTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	gc := db.groups
	// A caller counted as waiting always takes its turn (no giving up on
	// a cancelled context here): a member hands the turn on only while
	// someone waits for it, and the group must not be left open with
	// nobody to end it.
	gc.waiting.Add(1)
	gc.turn <- struct{}{}
	gc.waiting.Add(-1)
	g := gc.cur
	if g == nil {
		// Not bound to the caller's context: the transaction outlives
		// this caller's part in it.
		tx, err := db.write.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			<-gc.turn
			return fmt.Errorf("store: begin: %w", err)
		}
		g = &group{tx: tx, done: make(chan struct{})}
		gc.cur = g
	}
	tx := &Tx{Tx: g.tx, now: db.Now().UTC(), db: db, grouped: true}
	g.txs = append(g.txs, tx)
	fnErr := g.member(ctx, tx, fn)
	if g.err == nil && gc.waiting.Load() > 0 && len(g.txs) < maxGroup {
		<-gc.turn // the next caller joins the group
	} else {
		g.finish(db) // the last member: commit for everyone
		gc.cur = nil
		<-gc.turn
	}
	<-g.done
	if g.err != nil {
		return g.err
	}
	if fnErr != nil {
		return rethrow(fnErr)
	}
	db.afterCommit(ctx, tx)
	return nil
}

// member runs fn inside a savepoint of the group's transaction: its
// changes are released into the group, or rolled back alone. A savepoint
// that cannot be rolled back breaks the group (g.err): nobody's changes
// are kept then.
func (g *group) member(ctx context.Context, tx *Tx, fn func(tenantdesk.StoreTx) error) (err error) {
	if g.err != nil {
		return g.err
	}
	bg := context.WithoutCancel(ctx)
	if _, err := g.tx.ExecContext(bg, `SAVEPOINT member`); err != nil {
		g.err = fmt.Errorf("store: savepoint: %w", err)
		return g.err
	}
	defer func() {
		p := recover()
		if err == nil && p == nil {
			if _, rerr := g.tx.ExecContext(bg, `RELEASE member`); rerr != nil {
				g.err = fmt.Errorf("store: release savepoint: %w", rerr)
				err = g.err
			}
			return
		}
		if _, rerr := g.tx.ExecContext(bg, `ROLLBACK TO member`); rerr != nil {
			g.err = fmt.Errorf("store: roll back savepoint: %w", rerr)
		} else if _, rerr := g.tx.ExecContext(bg, `RELEASE member`); rerr != nil {
			g.err = fmt.Errorf("store: release savepoint: %w", rerr)
		}
		if p != nil {
			// The caller sees its panic once the group is over; the
			// others' changes are unaffected.
			err = &memberPanic{p}
		}
	}()
	return fn(tx)
}

// memberPanic carries a panic of fn to its own caller, after the group.
type memberPanic struct{ v any }

func (p *memberPanic) Error() string { return fmt.Sprintf("panic in a write transaction: %v", p.v) }

// finish commits the group (or rolls it back when it broke) and wakes its
// members. It runs with the writer's turn, so the statements the members
// prepared are shared (txstmt.go) before another transaction begins.
func (g *group) finish(db *DB) {
	if g.err != nil {
		g.tx.Rollback()
	} else if err := g.tx.Commit(); err != nil {
		g.err = fmt.Errorf("store: commit: %w", err)
	}
	db.cache.written()
	db.groups.commits.Add(1)
	db.groups.members.Add(int64(len(g.txs)))
	if g.err == nil {
		for _, tx := range g.txs {
			db.shareStmts(context.Background(), tx.fresh)
		}
	}
	close(g.done)
}

// rethrow panics again with a member's panic, in its own goroutine.
func rethrow(err error) error {
	var p *memberPanic
	if errors.As(err, &p) {
		panic(p.v)
	}
	return err
}
