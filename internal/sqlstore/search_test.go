package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/migrations"
)

// searchPeople are names and emails in several scripts, with repeated
// trigrams across accounts, across name and email, and out of order (what
// an index of trigrams without positions could confuse).
var searchPeople = [][2]string{
	{"Tom Sawyer", "tom@fence.example"},
	{"Sid Sawyer", "sid.sawyer@fence.example"},
	{"Becky Thatcher", "becky.thatcher@judge.example"},
	{"Тимофей Щербаков", "timofey@почта.example"},
	{"Щука Тимофеевна", "shchuka@c.example"},
	{"Ἀλέξανδρος Παπαδόπουλος", "alex@gr.example"},
	{"ΣΩΚΡΑΤΗΣ ΝΙΚΟΛΑΟΥ", "sokratis@gr.example"},
	{"山田 太郎", "yamada@jp.example"},
	{"田山 郎太", "tayama@jp.example"},
	{"Zoë O'Brien \"Zed\"", "zoe@ie.example"},
	{"Ömer Çelik", "omer.celik@tr.example"},
	{"Abcab Cabca", "abc.bca@x.example"}, // "abca" trigrams abc, bca in "bcab" + "abc" elsewhere
	{"Mary Ann", "annmary@x.example"},
}

// searchWant is what a search of q must find among users: the users whose
// lower-cased name or email holds the lower-cased, trimmed q.
func searchWant(users []*tenantdesk.User, q string) []int64 {
	q = strings.ToLower(strings.TrimSpace(q))
	var ids []int64
	for _, u := range users {
		if strings.Contains(strings.ToLower(strings.TrimSpace(u.DisplayName)), q) || strings.Contains(tenantdesk.NormalizeEmail(u.Email), q) {
			ids = append(ids, u.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// searchGot returns the IDs UserPage finds for q in acc (every page).
func searchGot(t *testing.T, db *sqlstore.DB, acc *tenantdesk.Account, q string) []int64 {
	t.Helper()
	var ids []int64
	cursor := ""
	for {
		page, err := db.UserPage(context.Background(), acc, tenantdesk.UserFilter{Query: q, After: cursor, Limit: 7})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		for _, u := range page.Users {
			ids = append(ids, u.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	slices.Sort(ids)
	return ids
}

// searchQueries returns every substring of 3 and 4 characters of each
// user's name and email, each whole name and email, upper-cased variants,
// and queries that hold an account's trigrams in the wrong order or split
// over name and email.
func searchQueries(users []*tenantdesk.User) []string {
	seen := map[string]bool{}
	var qs []string
	add := func(q string) {
		if !seen[q] {
			seen[q] = true
			qs = append(qs, q)
		}
	}
	for _, u := range users {
		for _, s := range []string{u.DisplayName, u.Email} {
			r := []rune(s)
			for n := 3; n <= 4; n++ {
				for i := 0; i+n <= len(r); i++ {
					add(string(r[i : i+n]))
				}
			}
			add(s)
			add(strings.ToUpper(s))
		}
	}
	for _, q := range []string{"abcabc", "cabcab", "bcabca", "mary ann", "ann mary", "annmary", "sawyer@fence", "тимофей@", "щербаков ", " тим",
		"山田太郎", "田 太", "σωκ", "ΣΩΚ", "zed\"", "o'b", "ömer", "ÖMER", "@почта", "fence.example", "ample", "xyzzy"} {
		add(q)
	}
	return qs
}

// TestSearchFindsEveryPartInEveryScript: a search of 3 characters or more
// finds exactly the account's users whose name or email holds the text, in
// any script and any case, never another account's user, and follows
// renames and deletions (SQLite: the trigram index of migration 0015, read
// by trigrams without positions within the account's range of search_id;
// PostgreSQL: pg_trgm).
func TestSearchFindsEveryPartInEveryScript(t *testing.T) {
	db, _ := openTestDB(t)
	ops := servicetest.NewOps(t, db)
	ctx := context.Background()
	accounts := make([]*tenantdesk.Account, 3)
	users := make([][]*tenantdesk.User, len(accounts))
	for i := range accounts {
		a := &tenantdesk.Account{Name: fmt.Sprintf("Search %d", i)}
		owner := &tenantdesk.User{DisplayName: fmt.Sprintf("Owner %d", i), Email: fmt.Sprintf("owner%d@search.example", i)}
		if err := ops.CreateCustomer(ctx, a, owner); err != nil {
			t.Fatal(err)
		}
		accounts[i] = a
		users[i] = append(users[i], owner)
		// Every account holds most of the people (the same trigrams in
		// every account), under its own email domain.
		for j, p := range searchPeople {
			if (i+j)%3 == 2 {
				continue
			}
			local, domain, _ := strings.Cut(p[1], "@")
			u := &tenantdesk.User{AccountID: a.ID, DisplayName: p[0], Email: fmt.Sprintf("%s@a%d.%s", local, i, domain),
				Roles: []string{tenantdesk.RoleCustomerUser}}
			if err := ops.CreateUser(ctx, u); err != nil {
				t.Fatalf("%s: %v", p[0], err)
			}
			users[i] = append(users[i], u)
		}
	}
	check := func(stage string) {
		t.Helper()
		var all []*tenantdesk.User
		for _, us := range users {
			all = append(all, us...)
		}
		qs := searchQueries(all)
		checked := 0
		for i, acc := range accounts {
			for _, q := range qs {
				if len([]rune(strings.TrimSpace(q))) < 3 {
					continue
				}
				want, got := searchWant(users[i], q), searchGot(t, db, acc, q)
				if !slices.Equal(got, want) {
					t.Errorf("%s: account %d, search %q: found %v, want %v", stage, i, q, got, want)
				}
				checked++
			}
		}
		if checked < 1000 {
			t.Fatalf("%s: only %d searches checked", stage, checked)
		}
	}
	check("created")

	// Rename one user, change another's email, delete a third: the index
	// follows each.
	renamed, reemailed, deleted := users[1][1], users[1][2], users[1][3]
	renamed.DisplayName = "Huckleberry Finn"
	reemailed.Email = "becky.t@raft.example"
	update(t, db, func(ctx context.Context, tx tenantdesk.StoreTx) error {
		for _, u := range []*tenantdesk.User{renamed, reemailed} {
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
		}
		return tx.DeleteUser(ctx, accounts[1].ID, deleted.ID)
	})
	users[1] = slices.DeleteFunc(users[1], func(u *tenantdesk.User) bool { return u.ID == deleted.ID })
	check("changed")
	if got := searchGot(t, db, accounts[1], "huckle"); !slices.Equal(got, []int64{renamed.ID}) {
		t.Errorf("renamed user: found %v", got)
	}
}

// TestMigration0015KeepsEveryUserFindable: the migration that rebuilds
// SQLite's search index (0015) finds every user that was there before it,
// gives each account's users search keys in that account's range, and
// users created after it get the next key of their account.
func TestMigration0015KeepsEveryUserFindable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	ctx := context.Background()
	// The schema as of 0014, with users written as 0014's triggers index them.
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, migrations.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	const accounts, perAccount = 4, 60
	type row struct {
		id, account int64
		name, email string
	}
	var rows []row
	for a := int64(1); a <= accounts; a++ {
		if _, err := raw.Exec(`INSERT INTO accounts (id, tenant_id, kind, name, created_at, updated_at) VALUES (?, ?, 'customer', ?, 1, 1)`,
			a, fmt.Sprintf("T%05d", a), fmt.Sprintf("Account %d", a)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range accounts * perAccount {
		p := searchPeople[i%len(searchPeople)]
		r := row{id: int64(1000 + i*7), account: int64(i%accounts + 1), name: fmt.Sprintf("%s %d", p[0], i), email: fmt.Sprintf("u%d.%s", i, p[1])}
		if _, err := raw.Exec(`INSERT INTO users (id, account_id, display_name, name_norm, email, email_norm, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'invited', 1, 1)`, r.id, r.account, r.name, strings.ToLower(r.name), r.email, strings.ToLower(r.email)); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	res, err := p.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Source.Version != 15 {
		t.Fatalf("migrations after 0014: %v", res)
	}
	db, err := sqlstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Every user has a search key in its account's range, all different
	// (a unique index).
	var bad, n int
	if err := raw.QueryRow(`SELECT count(*), sum(search_id IS NULL OR search_id >> 40 <> account_id) FROM users`).Scan(&n, &bad); err != nil {
		t.Fatal(err)
	}
	if n != len(rows) || bad != 0 {
		t.Fatalf("%d users, %d without a search key in their account's range", n, bad)
	}
	// Every user is found by its whole email, a part of its name, and its
	// number; only in its own account.
	for _, r := range rows {
		acc, err := db.FindAccountByID(ctx, r.account)
		if err != nil {
			t.Fatal(err)
		}
		name := []rune(r.name)
		qs := []string{r.email, string(name[len(name)-5:])}
		//lint:ignore SA6005 the point is lower(upper(name)) == lower(name), which EqualFold would also grant to a final ς
		if up := strings.ToUpper(r.name); strings.ToLower(up) == strings.ToLower(r.name) {
			qs = append(qs, up) // not where upper case loses a letter (final ς: Σ, then σ)
		}
		for _, q := range qs {
			page, err := db.UserPage(ctx, acc, tenantdesk.UserFilter{Query: q, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, u := range page.Users {
				found = found || u.ID == r.id
				if u.AccountID != r.account {
					t.Fatalf("search %q in account %d listed a user of account %d", q, r.account, u.AccountID)
				}
			}
			if !found {
				t.Errorf("after the migration, search %q in account %d misses user %d (%s <%s>)", q, r.account, r.id, r.name, r.email)
			}
		}
	}
	// A user created after the migration takes its account's next key and
	// is found.
	var maxKey int64
	if err := raw.QueryRow(`SELECT max(search_id) FROM users WHERE account_id = 2`).Scan(&maxKey); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO users (id, account_id, display_name, name_norm, email, email_norm, status, created_at, updated_at)
		VALUES (99999, 2, 'Late Comer', 'late comer', 'late@x.example', 'late@x.example', 'invited', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	var key int64
	if err := raw.QueryRow(`SELECT search_id FROM users WHERE id = 99999`).Scan(&key); err != nil {
		t.Fatal(err)
	}
	if key != maxKey+1 {
		t.Errorf("new user's search key %d, want %d", key, maxKey+1)
	}
	db.ForgetCachedReads()
	acc, _ := db.FindAccountByID(ctx, 2)
	if page, err := db.UserPage(ctx, acc, tenantdesk.UserFilter{Query: "te com"}); err != nil || len(page.Users) != 1 || page.Users[0].ID != 99999 {
		t.Errorf("new user not found after the migration: %v", err)
	}
}

// TestMergeSearchIndexKeepsResults: users written in many small
// transactions leave many segments in SQLite's search index;
// MergeSearchIndex merges them a step at a time until it reports done,
// and every search finds the same users before and after (PostgreSQL: done
// at once, nothing to merge).
func TestMergeSearchIndexKeepsResults(t *testing.T) {
	db, _ := openTestDB(t)
	ops := servicetest.NewOps(t, db)
	ctx := context.Background()
	a := &tenantdesk.Account{Name: "Merge"}
	owner := &tenantdesk.User{DisplayName: "Merge Owner", Email: "owner@merge.example"}
	if err := ops.CreateCustomer(ctx, a, owner); err != nil {
		t.Fatal(err)
	}
	users := []*tenantdesk.User{owner}
	for i := range 120 { // one transaction each: one segment each before automerge
		p := searchPeople[i%len(searchPeople)]
		u := &tenantdesk.User{AccountID: a.ID, DisplayName: fmt.Sprintf("%s %d", p[0], i), Email: fmt.Sprintf("m%d.%s", i, p[1]),
			Roles: []string{tenantdesk.RoleCustomerUser}}
		if err := ops.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	qs := searchQueries(users[:20])
	before := map[string][]int64{}
	for _, q := range qs {
		if len([]rune(strings.TrimSpace(q))) >= 3 {
			before[q] = searchGot(t, db, a, q)
			if want := searchWant(users, q); !slices.Equal(before[q], want) {
				t.Fatalf("before merging, search %q: found %v, want %v", q, before[q], want)
			}
		}
	}
	steps := 0
	for ; ; steps++ {
		done, err := db.MergeSearchIndex(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
		if steps > 1000 {
			t.Fatal("search index still not merged after 1,000 steps")
		}
	}
	if done, err := db.MergeSearchIndex(ctx); err != nil || !done {
		t.Fatalf("a merged index merged again: done %t, %v", done, err)
	}
	t.Logf("merged in %d steps", steps)
	for q, ids := range before {
		if got := searchGot(t, db, a, q); !slices.Equal(got, ids) {
			t.Errorf("after merging, search %q: found %v, want %v", q, got, ids)
		}
	}
}
