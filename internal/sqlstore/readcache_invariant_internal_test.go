package sqlstore

import (
	"context"
	"database/sql"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The read cache is only correct if every write of this process goes
// through execWrite or a Tx committed with Tx.Commit (readcache.go): both
// bump the generation. TestWritesGoThroughTheCacheInvalidation keeps that
// from resting on convention: it reads the package's source and fails
// when the writer pool is used, or a transaction committed, anywhere else.
func TestWritesGoThroughTheCacheInvalidation(t *testing.T) {
	// Where the writer pool may be touched directly, and why.
	allowed := map[string]string{
		"beginTx":            "opens the write transactions (committed through Tx.Commit)",
		"beginRowLockTx":     "opens the outbox claims' transactions on PostgreSQL (committed through Tx.Commit)",
		"grouped":            "opens a group commit's transaction on SQLite (committed in group.finish, which bumps the generation)",
		"execWrite":          "the direct write, which bumps the generation",
		"Close":              "closes the pool",
		"Migrate":            "migrations run before anything is read or cached",
		"Backup":             "VACUUM INTO writes another file, never this database",
		"LoadOrCreateSecret": "reads on the writer to see its own insert (the insert goes through execWrite)",
		"Open":               "creates the pool",
		"shareStmts":         "prepares statements on the writer that only transactions run (Tx.stmt: tx.StmtContext, committed through Tx.Commit)",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				switch {
				case sel.Sel.Name == "write":
					checked++
					if _, ok := allowed[fn.Name.Name]; !ok {
						t.Errorf("%s: %s uses the writer pool directly; write through execWrite or a Tx (beginTx … Tx.Commit) so the read cache is invalidated",
							fset.Position(sel.Pos()), fn.Name.Name)
					}
				case sel.Sel.Name == "Commit":
					// tx.Tx.Commit() would skip Tx.Commit's invalidation.
					if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "Tx" && fn.Name.Name != "Commit" {
						t.Errorf("%s: %s commits the sql.Tx directly; call Tx.Commit so the read cache is invalidated",
							fset.Position(sel.Pos()), fn.Name.Name)
					}
				}
				return true
			})
		}
	}
	if checked == 0 {
		t.Fatal("found no use of the writer pool at all: the check looks at the wrong thing")
	}
}

// TestReadCacheServesHits: within readCacheTTL a second read of the same
// user comes from the cache, not the database: a change behind the DB's
// back (another connection) is not seen until the entry expires or this
// DB writes.
func TestReadCacheServesHits(t *testing.T) {
	db, u := openLinksDB(t)
	ctx := tenantdesk.OperatorContext(context.Background())
	if _, err := db.FindUserByID(ctx, u.ID); err != nil { // fills the cache
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+db.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Exec(`UPDATE users SET display_name = 'Changed Elsewhere' WHERE id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindUserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName == "Changed Elsewhere" {
		t.Fatal("the second read went to the database: the cache served no hit")
	}
	db.ForgetCachedReads()
	if got, _ := db.FindUserByID(ctx, u.ID); got.DisplayName != "Changed Elsewhere" {
		t.Fatalf("after invalidation the read is still stale: %q", got.DisplayName)
	}
}
