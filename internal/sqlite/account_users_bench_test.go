package sqlite_test

// Benchmarks of the Users tab's query (issue 3: an account of 10,000 users
// in a database of 100,000; page 200 as fast as page 1; search by name or
// email prefix), and of two alternative query shapes that return the same
// page, so that a change to ListUsers can be judged by numbers:
//
//	go test -run '^$' -bench ListUsers100k -benchmem ./internal/sqlite/
//
// The database is seeded once per benchmark run (about 2–3 s): 10 customer
// accounts created with CreateCustomer as the operator, 9,999 more users
// each bulk-inserted as insertUser writes them (name_norm, email_norm,
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

	"github.com/tenantdesk/tenantdesk/internal/sqlite"
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
	db       *sqlite.DB
	raw      *sql.DB // a read-only connection pool for the alternative queries
	account  *tenantdesk.Account
	ctx      context.Context // the account's Owner, as on the Users tab
	deep     string          // the cursor of page 200 (the last), found by walking the pages
	deepName string          // the keyset position of that cursor
	deepID   int64
	prefixes []string // 50 prefixes of 3–6 characters of names and emails in the account
}

func newUsersBench(b *testing.B) *usersBench {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "users.db")
	db, err := sqlite.Open(path)
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
		if err := db.CreateCustomer(op, a, o); err != nil {
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
	insUser, err := tx.Prepare(`INSERT INTO users (account_id, display_name, name_norm, email, email_norm, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'invited', 1, 1)`)
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
		res, err := insUser.Exec(a.ID, name, strings.ToLower(name), email, email)
		if err != nil {
			b.Fatal(err)
		}
		id, _ := res.LastInsertId()
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

	ub := &usersBench{db: db, account: accounts[2]}
	ro, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ro.Close() })
	ro.SetMaxOpenConns(sqlite.ReaderConns)
	ro.SetMaxIdleConns(sqlite.ReaderConns)
	ub.raw = ro
	if owner, err = db.FindUserByID(ctx, owner.ID); err != nil {
		b.Fatal(err)
	}
	ub.ctx = tenantdesk.WithActor(ctx, &tenantdesk.Actor{User: owner, Account: ub.account, IP: "192.0.2.1"})

	// Walk to page 200 with the real cursors; it must be the last page.
	var last *tenantdesk.User
	for page := 1; page < benchPerAccount/benchPageSize; page++ {
		p, err := db.ListUsers(ub.ctx, ub.account.ID, tenantdesk.UserFilter{After: ub.deep})
		if err != nil || len(p.Users) != benchPageSize || p.NextCursor == "" {
			b.Fatalf("page %d: %v", page, err)
		}
		ub.deep, last = p.NextCursor, p.Users[len(p.Users)-1]
	}
	ub.deepName, ub.deepID = strings.ToLower(last.DisplayName), last.ID
	if p, err := db.ListUsers(ub.ctx, ub.account.ID, tenantdesk.UserFilter{After: ub.deep}); err != nil || len(p.Users) != benchPageSize || p.NextCursor != "" {
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

// BenchmarkListUsers100k measures ListUsers as the Users tab calls it, and
// two alternative query shapes returning the same page (checked first):
//
//   - ListUsers: the service call (authorization, the page query, built and
//     prepared on every call, and a second query for the page's roles);
//   - alt-2q-prepared: the same two queries from cached prepared statements
//     (the roles query for exactly 50 IDs), to show what preparing saves;
//   - search/alt-2q-prepared-unary-plus: the same, with ORDER BY +name_norm
//     (see below), to show what the plan costs;
//   - alt-1q-prepared: one cached prepared statement selecting only the
//     columns the tab shows, with the roles as a group_concat subquery, and
//     for search ORDER BY +name_norm, which keeps SQLite from walking the
//     whole account in name order (see below).
//
// Finally search/ListUsers-after-ANALYZE runs ListUsers again once the
// database has statistics. Without them (the application never runs
// ANALYZE or PRAGMA optimize) SQLite answers a search by walking the
// account's users_account_name index in order, reading every row's
// email_norm from the table, until 51 rows match: a prefix that sorts late
// reads nearly all 10,000 users. With statistics, or with the unary + on
// the ORDER BY term, it uses both indexes (MULTI-INDEX OR) and sorts the
// matches.
func BenchmarkListUsers100k(b *testing.B) {
	ub := newUsersBench(b)
	cases := []struct {
		name  string
		f     tenantdesk.UserFilter
		after [2]any // keyset position for the alternatives
		q     func(i int) string
	}{
		{name: "page-1", after: [2]any{"", 0}},
		{name: "page-200", f: tenantdesk.UserFilter{After: ub.deep}, after: [2]any{ub.deepName, ub.deepID}},
		{name: "search", q: func(i int) string { return ub.prefixes[i%len(ub.prefixes)] }},
	}
	const cols = `u.id, u.account_id, u.display_name, u.email, u.status, u.is_owner, u.phone, u.job_title, u.language, u.time_zone,
		u.created_at, u.updated_at, u.name_norm`
	alt1 := func(search bool) string {
		w, order := `u.account_id = ?1 AND (u.name_norm, u.id) > (?2, ?3)`, `u.name_norm`
		if search {
			w = `u.account_id = ?1 AND ((u.name_norm >= ?4 AND u.name_norm < ?5) OR (u.email_norm >= ?4 AND u.email_norm < ?5))`
			order = `+u.name_norm`
		}
		return `SELECT u.id, u.display_name, u.email, u.status, u.is_owner, u.name_norm,
			(SELECT group_concat(role, ',') FROM (SELECT role FROM user_roles r WHERE r.user_id = u.id ORDER BY role))
			FROM users u WHERE ` + w + ` ORDER BY ` + order + `, u.id LIMIT 51`
	}
	alt2 := func(search bool, order string) string {
		w := `u.account_id = ?1 AND (u.name_norm, u.id) > (?2, ?3)`
		if search {
			w = `u.account_id = ?1 AND ((u.name_norm >= ?4 AND u.name_norm < ?5) OR (u.email_norm >= ?4 AND u.email_norm < ?5))`
		}
		return `SELECT ` + cols + ` FROM users u WHERE ` + w + ` ORDER BY ` + order + `, u.id LIMIT 51`
	}
	rolesQ := `SELECT user_id, role FROM user_roles WHERE user_id IN (?` + strings.Repeat(",?", benchPageSize-1) + `) ORDER BY user_id, role`
	prep := func(q string) *sql.Stmt {
		st, err := ub.raw.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st
	}
	stmts := map[string]*sql.Stmt{"1q": prep(alt1(false)), "1q-search": prep(alt1(true)),
		"2q": prep(alt2(false, "u.name_norm")), "2q-search": prep(alt2(true, "u.name_norm")),
		"2q-search-plus": prep(alt2(true, "+u.name_norm")), "roles": prep(rolesQ)}

	type row struct {
		id    int64
		roles string
	}
	// one runs an alternative and returns the page's users with their roles.
	one := func(search bool, args []any) ([]row, error) {
		st := stmts["1q"]
		if search {
			st = stmts["1q-search"]
		}
		rows, err := st.Query(args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			var name, email, status, norm string
			var owner bool
			var roles sql.NullString
			if err := rows.Scan(&r.id, &name, &email, &status, &owner, &norm, &roles); err != nil {
				return nil, err
			}
			r.roles = roles.String
			out = append(out, r)
		}
		return out, rows.Err()
	}
	twoWith := func(st *sql.Stmt, args []any) ([]row, error) {
		rows, err := st.Query(args...)
		if err != nil {
			return nil, err
		}
		var out []row
		ids := make([]any, benchPageSize)
		for rows.Next() {
			var r row
			var acc, created, updated int64
			var name, email, status, phone, job, lang, tz, norm string
			var owner bool
			if err := rows.Scan(&r.id, &acc, &name, &email, &status, &owner, &phone, &job, &lang, &tz, &created, &updated, &norm); err != nil {
				rows.Close()
				return nil, err
			}
			if len(out) < benchPageSize {
				ids[len(out)] = r.id
				out = append(out, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i := len(out); i < benchPageSize; i++ {
			ids[i] = int64(0) // no such user
		}
		rr, err := stmts["roles"].Query(ids...)
		if err != nil {
			return nil, err
		}
		defer rr.Close()
		byID := map[int64]*row{}
		for i := range out {
			byID[out[i].id] = &out[i]
		}
		for rr.Next() {
			var id int64
			var role string
			if err := rr.Scan(&id, &role); err != nil {
				return nil, err
			}
			if r := byID[id]; r != nil {
				r.roles = strings.TrimPrefix(r.roles+","+role, ",")
			}
		}
		return out, rr.Err()
	}
	two := func(search bool, args []any) ([]row, error) {
		if search {
			return twoWith(stmts["2q-search"], args)
		}
		return twoWith(stmts["2q"], args)
	}
	twoPlus := func(_ bool, args []any) ([]row, error) { return twoWith(stmts["2q-search-plus"], args) }

	for _, c := range cases {
		search := c.q != nil
		filter := func(i int) tenantdesk.UserFilter {
			f := c.f
			if search {
				f.Query = c.q(i)
			}
			return f
		}
		altArgs := func(i int) []any {
			if search {
				p := c.q(i)
				return []any{ub.account.ID, nil, nil, p, p + "\U0010FFFF"}
			}
			return []any{ub.account.ID, c.after[0], c.after[1]}
		}
		// The alternatives must return what ListUsers returns.
		for i := range len(ub.prefixes) {
			p, err := ub.db.ListUsers(ub.ctx, ub.account.ID, filter(i))
			if err != nil {
				b.Fatal(err)
			}
			alts := []func(bool, []any) ([]row, error){one, two}
			if search {
				alts = append(alts, twoPlus)
			}
			for _, alt := range alts {
				got, err := alt(search, altArgs(i))
				if err != nil {
					b.Fatal(err)
				}
				got = got[:min(len(got), benchPageSize)]
				if len(got) != len(p.Users) {
					b.Fatalf("%s: alternative returned %d users, ListUsers %d", c.name, len(got), len(p.Users))
				}
				for j, u := range p.Users {
					roles := slices.Clone(u.Roles)
					slices.Sort(roles)
					if got[j].id != u.ID || got[j].roles != strings.Join(roles, ",") {
						b.Fatalf("%s row %d: alternative %d %q, ListUsers %d %q", c.name, j, got[j].id, got[j].roles, u.ID, roles)
					}
				}
			}
			if !search {
				break
			}
		}

		b.Run(c.name+"/ListUsers", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := ub.db.ListUsers(ub.ctx, ub.account.ID, filter(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/alt-2q-prepared", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := two(search, altArgs(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
		if search {
			b.Run(c.name+"/alt-2q-prepared-unary-plus", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if _, err := twoPlus(search, altArgs(i)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(c.name+"/alt-1q-prepared", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := one(search, altArgs(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	// Last, as it changes the plans of every later query: statistics.
	if _, err := ub.raw.Exec(`PRAGMA query_only(0); ANALYZE; PRAGMA query_only(1)`); err != nil {
		b.Fatal(err)
	}
	b.Run("search/ListUsers-after-ANALYZE", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			f := tenantdesk.UserFilter{Query: ub.prefixes[i%len(ub.prefixes)]}
			if _, err := ub.db.ListUsers(ub.ctx, ub.account.ID, f); err != nil {
				b.Fatal(err)
			}
		}
	})
}
