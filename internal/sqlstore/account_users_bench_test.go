package sqlstore_test

// Benchmarks of the Users tab's query (issue 3: an account of 10,000 users
// in a database of 100,000; page 200 as fast as page 1; search by name or
// email prefix), and of two alternative query shapes that return the same
// page, so that a change to ListUsers can be judged by numbers:
//
//	go test -run '^$' -bench ListUsers100k -benchmem ./internal/sqlstore/
//
// The database is seeded once per benchmark run (about 2–3 s): 10 customer
// accounts created with CreateCustomer as the operator, 9,999 more users
// each bulk-inserted as the store's InsertUser writes them (name_norm, email_norm,
// roles customer.user + customer.user.supervisorl1 with account_id).

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const (
	benchAccounts   = 10
	benchPerAccount = 10000
	benchPageSize   = 50
)

var (
	benchFirst = strings.Fields(`Aaron Abigail Adam Alice Amelia Andrew Anna Arthur Ava Benjamin Bianca Brian
		Caroline Charles Charlotte Chloe Daniel David Diana Edward Eleanor Elena Elizabeth Emily Emma Eric Felix
		Fiona George Grace Hannah Harold Helen Henry Hugo Isaac Isabella Ivan Jack James Jane Jennifer John
		Joseph Julia Karen Kevin Laura Leo Lucas Lucy Margaret Maria Mark Martha Mary Matthew Michael Nadia Nina
		Oliver Olivia Oscar Patrick Paul Peter Rachel Richard Robert Rose Ruth Samuel Sarah Sophia Susan Thomas
		Victor Victoria Walter William Zoe`)
	benchLast = strings.Fields(`Abbott Adams Ahmed Allen Anderson Bailey Baker Bell Bennett Brooks Brown Butler
		Campbell Carter Chen Clark Collins Cook Cooper Davies Davis Diaz Evans Fischer Foster Garcia Gomez Gray
		Green Hall Hansen Harris Hill Hoffmann Hughes Ivanov Jackson Johnson Jones Kelly Kim King Kowalski Lee
		Lewis Li Lopez Martin Meyer Miller Moore Morgan Murphy Nelson Nguyen Novak Parker Patel Perez Peterson
		Petrov Price Reed Rivera Roberts Robinson Rogers Ross Sanchez Schmidt Scott Silva Smith Taylor Thomas
		Turner Walker Wang Ward Watson Weber White Williams Wilson Wood Wright Young Zhang`)
)

// usersBench is the seeded database and what the benchmarks need of it.
type usersBench struct {
	db       *sqlstore.DB
	users    *service.Users // the Users tab's and the API's service over db
	raw      *sql.DB        // a read-only connection pool, for ANALYZE
	account  *tenantdesk.Account
	ctx      context.Context // the account's Owner, as on the Users tab
	deep     string          // the cursor of page 200 (the last), found by walking the pages
	prefixes []string        // 50 prefixes of 3–6 characters of names and emails in the account
}

func newUsersBench(b *testing.B) *usersBench {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "users.db")
	db, err := sqlstore.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	op := tenantdesk.OperatorContext(ctx)
	rng := rand.New(rand.NewPCG(3, 100000))
	person := func(i, acc int) (string, string) {
		first, last := benchFirst[rng.IntN(len(benchFirst))], benchLast[rng.IntN(len(benchLast))]
		email := fmt.Sprintf("%s%s%d@bench%02d.example", first[:1], last, i, acc)
		if rng.IntN(2) == 0 {
			email = fmt.Sprintf("%s.%s%d@bench%02d.example", first, last, i, acc)
		}
		return first + " " + last, strings.ToLower(email)
	}
	accounts := make([]*tenantdesk.Account, benchAccounts)
	var owner *tenantdesk.User
	for i := range accounts {
		a := &tenantdesk.Account{Name: fmt.Sprintf("Bench %02d", i+1)}
		name, _ := person(0, i+1)
		o := &tenantdesk.User{DisplayName: name, Email: fmt.Sprintf("owner@bench%02d.example", i+1)}
		if err := servicetest.NewOps(b, db).CreateCustomer(op, a, o); err != nil {
			b.Fatal(err)
		}
		accounts[i] = a
		if i == 2 {
			owner = o
		}
	}

	rw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	rw.SetMaxOpenConns(1)
	tx, err := rw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	insUser, err := tx.Prepare(`INSERT INTO users (id, account_id, display_name, name_norm, email, email_norm, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 'invited', 1, 1)`)
	if err != nil {
		b.Fatal(err)
	}
	insRole, err := tx.Prepare(`INSERT INTO user_roles (user_id, account_id, role) VALUES (?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	var sample []string // names and emails of the account, for the prefixes
	for i := range benchAccounts * (benchPerAccount - 1) {
		a := accounts[i%benchAccounts]
		name, email := person(i+1, i%benchAccounts+1)
		id := sqlstore.NewKey()
		if _, err := insUser.Exec(id, a.ID, name, strings.ToLower(name), email, email); err != nil {
			b.Fatal(err)
		}
		for _, r := range []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleSupervisorL1} {
			if _, err := insRole.Exec(id, a.ID, r); err != nil {
				b.Fatal(err)
			}
		}
		if a.ID == owner.AccountID && len(sample) < 400 {
			sample = append(sample, strings.ToLower(name), email)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	rw.Close()
	// The search index as the janitor leaves it: merged into one segment.
	for done := false; !done; {
		if done, err = db.MergeSearchIndex(ctx); err != nil {
			b.Fatal(err)
		}
	}

	users, err := service.NewUsers(servicetest.Deps(b, db))
	if err != nil {
		b.Fatal(err)
	}
	ub := &usersBench{db: db, users: users, account: accounts[2]}
	ro, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ro.Close() })
	ro.SetMaxOpenConns(sqlstore.ReaderConns)
	ro.SetMaxIdleConns(sqlstore.ReaderConns)
	ub.raw = ro
	if owner, err = db.FindUserByID(ctx, owner.ID); err != nil {
		b.Fatal(err)
	}
	ub.ctx = tenantdesk.WithActor(ctx, &tenantdesk.Actor{User: owner, Account: ub.account, IP: "192.0.2.1"})

	// Walk to page 200 with the real cursors; it must be the last page.
	for page := 1; page < benchPerAccount/benchPageSize; page++ {
		p, err := ub.users.ListUsers(ub.ctx, ub.account.ID, tenantdesk.UserFilter{After: ub.deep})
		if err != nil || len(p.Users) != benchPageSize || p.NextCursor == "" {
			b.Fatalf("page %d: %v", page, err)
		}
		ub.deep = p.NextCursor
	}
	if p, err := ub.users.ListUsers(ub.ctx, ub.account.ID, tenantdesk.UserFilter{After: ub.deep}); err != nil || len(p.Users) != benchPageSize || p.NextCursor != "" {
		b.Fatalf("page 200: %v", err)
	}

	seen := map[string]bool{}
	for i := 0; len(ub.prefixes) < 50; i++ {
		s := sample[i%len(sample)]
		q := strings.TrimSpace(s[:min(len(s), 3+i%4)])
		if len(q) >= 3 && !seen[q] {
			seen[q] = true
			ub.prefixes = append(ub.prefixes, q)
		}
	}
	return ub
}

// BenchmarkListUsers100k measures ListUsers as the Users tab calls it
// (Brief: the six columns a row shows) and as the API calls it (every
// field), on page 1, page 200 and a search; Brief must return the same
// users with the same roles (checked first).
//
// Finally search/ListUsers-after-ANALYZE runs ListUsers again once the
// database has statistics. Without them (the application never runs
// ANALYZE or PRAGMA optimize) SQLite would answer a search by walking the
// account's users_account_name index in order, reading every row's
// email_norm from the table, until 51 rows match: a prefix that sorts late
// reads nearly all 10,000 users. The unary + on name_norm in the search
// statement makes it use both indexes (MULTI-INDEX OR) and sort the matches
// with or without statistics; this case measures the plan SQLite picks once
// it has them (about the same, or a little slower: 135 against 178 µs in one run).
func BenchmarkListUsers100k(b *testing.B) {
	ub := newUsersBench(b)
	cases := []struct {
		name string
		f    tenantdesk.UserFilter
		q    func(i int) string
	}{
		{name: "page-1"},
		{name: "page-200", f: tenantdesk.UserFilter{After: ub.deep}},
		{name: "search", q: func(i int) string { return ub.prefixes[i%len(ub.prefixes)] }},
	}
	for _, c := range cases {
		filter := func(i int, brief bool) tenantdesk.UserFilter {
			f := c.f
			if c.q != nil {
				f.Query = c.q(i)
			}
			f.Brief = brief
			return f
		}
		for i := range len(ub.prefixes) {
			full, err := ub.users.ListUsers(ub.ctx, ub.account.ID, filter(i, false))
			if err != nil {
				b.Fatal(err)
			}
			brief, err := ub.users.ListUsers(ub.ctx, ub.account.ID, filter(i, true))
			if err != nil {
				b.Fatal(err)
			}
			if len(full.Users) != len(brief.Users) || full.NextCursor != brief.NextCursor {
				b.Fatalf("%s: brief listed %d users, full %d", c.name, len(brief.Users), len(full.Users))
			}
			for j, u := range full.Users {
				if v := brief.Users[j]; v.ID != u.ID || v.DisplayName != u.DisplayName || v.Email != u.Email ||
					v.Status != u.Status || v.IsOwner != u.IsOwner || !slices.Equal(v.Roles, u.Roles) {
					b.Fatalf("%s row %d: brief %+v, full %+v", c.name, j, v, u)
				}
			}
			if c.q == nil {
				break
			}
		}
		for _, brief := range []bool{true, false} {
			name := c.name + "/ListUsers"
			if brief {
				name += "-brief"
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if _, err := ub.users.ListUsers(ub.ctx, ub.account.ID, filter(i, brief)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}

	// Last, as it changes the plans of every later query: statistics.
	if _, err := ub.raw.Exec(`PRAGMA query_only(0); ANALYZE; PRAGMA query_only(1)`); err != nil {
		b.Fatal(err)
	}
	b.Run("search/ListUsers-brief-after-ANALYZE", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			f := tenantdesk.UserFilter{Query: ub.prefixes[i%len(ub.prefixes)], Brief: true}
			if _, err := ub.users.ListUsers(ub.ctx, ub.account.ID, f); err != nil {
				b.Fatal(err)
			}
		}
	})
}
