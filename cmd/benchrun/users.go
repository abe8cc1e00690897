package main

// The Users-tab phase (issue 3, "Figures to report"): an account of 10,000
// users in a database of 100,000 (10 customer accounts of 10,000 each, as
// the reference seeds 100,000 users over 10 accounts), its Users tab on the
// first page and on page 200 (reached through the real keyset cursor, by
// walking the Next links), and search by name or email prefix, loaded beside
// the reference's /users in the same run.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const (
	usersAccounts   = 10    // customer accounts
	usersPerAccount = 10000 // users per account, the Owner included
	usersAccountNo  = 3     // the account the load signs in to (the reference lists account_id = 3)
	usersPageSize   = 50    // tenantdesk.DefaultPageSize, as the reference's LIMIT 50
	usersDeepPage   = 200   // the last page of 10,000 users
	searchPrefixes  = 50    // distinct prefixes the search load rotates through
)

// usersRoles are the bulk users' roles, as the reference's "customer.user,customer.user.supervisorl1".
var usersRoles = []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleSupervisorL1}

// seeded describes the database seedUsers wrote.
type seeded struct {
	path       string
	ownerEmail string // the Owner of account #usersAccountNo
	accountID  int64
	users      int // in the whole database
	prefixes   []searchPrefix
	took       time.Duration
	size       int64
	mergeSteps int // MergeSearchIndex steps after the bulk insert
}

// mergeSearch merges the search index of the database at path as the
// janitor does, step by step until done, and returns the steps taken.
func mergeSearch(ctx context.Context, path string) (int, error) {
	db, err := sqlstore.Open(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	for steps := 1; ; steps++ {
		done, err := db.MergeSearchIndex(ctx)
		if err != nil {
			return steps, fmt.Errorf("seed: merge search index: %w", err)
		}
		if done {
			return steps, nil
		}
	}
}

// searchPrefix is one search term of the load and how many users of the
// account it matches (anywhere in the name or email, as ListUsers matches).
type searchPrefix struct {
	q       string
	kind    string // "name" or "email"
	matches int
}

var (
	firstNames = strings.Fields(`Aaron Abigail Adam Adrian Aisha Alan Albert Alexander Alice Amelia Amir Andrea
		Andrew Angela Anna Anthony Arthur Ava Barbara Beatrice Benjamin Bernard Bianca Brandon Brian Bruno
		Caroline Catherine Charles Charlotte Chloe Christopher Claire Daniel David Deborah Diana Dmitri Dorothy
		Edward Eleanor Elena Elizabeth Emily Emma Eric Ethan Eva Felix Fiona Frances Francis Gabriel George
		Grace Hannah Harold Harriet Helen Henry Hugo Ian Irene Isaac Isabella Ivan Jack Jacob James Jane Jasmine
		Jennifer Jessica Joan John Jonathan Joseph Julia Karen Katherine Kevin Laura Leo Linda Lucas Lucy Margaret
		Maria Mark Martha Martin Mary Matthew Michael Nadia Natalie Nicholas Nina Oliver Olivia Oscar Patricia
		Patrick Paul Peter Rachel Rebecca Richard Robert Rose Ruth Samuel Sarah Sophia Stephen Susan Thomas
		Timothy Valentina Victor Victoria Walter William Yasmin Zoe`)
	lastNames = strings.Fields(`Abbott Adams Ahmed Alexander Allen Anderson Andersson Bailey Baker Barnes Bell
		Bennett Berg Brooks Brown Bryant Butler Campbell Carter Castro Chen Clark Coleman Collins Cook Cooper Cox
		Cruz Davies Davis Diaz Edwards Evans Fischer Fisher Flores Foster Garcia Gomez Gonzalez Gray Green Griffin
		Hall Hansen Harris Hayes Henderson Hernandez Hill Hoffmann Howard Hughes Ivanov Jackson James Jenkins
		Johansson Johnson Jones Kelly Kim King Kowalski Larsen Lee Lewis Li Lopez Martin Martinez Meyer Miller
		Mitchell Moore Morgan Morris Murphy Nelson Nguyen Novak Olsen Ortiz Parker Patel Perez Perry Peterson
		Petrov Phillips Powell Price Ramirez Reed Reyes Richardson Rivera Roberts Robinson Rodriguez Rogers Ross
		Russell Sanchez Sanders Schmidt Schneider Scott Silva Smith Stewart Sullivan Taylor Thomas Thompson
		Torres Turner Walker Wang Ward Watson Weber White Williams Wilson Wood Wright Young Zhang`)
)

// person returns the i-th seeded user's display name and email: names are
// common first and last names (so prefixes match many or few users, and
// some names repeat, which the keyset tie-break on id must handle); emails
// take one of two shapes so email prefixes differ from name prefixes.
func person(rng *rand.Rand, i int, domain string) (name, email string) {
	first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	name = first + " " + last
	if rng.IntN(2) == 0 {
		email = fmt.Sprintf("%s.%s%d@%s", first, last, i, domain)
	} else {
		email = fmt.Sprintf("%s%s%d@%s", first[:1], last, i, domain)
	}
	return name, strings.ToLower(email)
}

// nameKey is what internal/sqlstore stores as users.name_norm (normalizeName).
func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// seedUsers writes usersAccounts customer accounts of usersPerAccount users
// into a new database at path. Accounts and Owners go through the project's
// own CreateCustomer as the platform operator (migrations, tenant IDs, the
// Owner's roles, the audit rows); the other users are bulk-inserted with
// plain SQL in large transactions, written as the store's InsertUser writes them
// (name_norm, email_norm, roles with account_id, one user.create audit row)
// after passing the rule function, users of the accounts interleaved as in
// the reference.
func seedUsers(ctx context.Context, path string) (*seeded, error) {
	t0 := time.Now()
	db, err := sqlstore.Open(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	rng := rand.New(rand.NewPCG(3, 100000)) // the same data on every run
	opCtx := tenantdesk.OperatorContext(ctx)
	bundle, err := i18n.New()
	if err != nil {
		db.Close()
		return nil, err
	}
	ops, err := service.NewOperator(&service.Deps{Store: db, Mail: mail.NewRenderer(bundle)})
	if err != nil {
		db.Close()
		return nil, err
	}
	accounts := make([]*tenantdesk.Account, usersAccounts)
	s := &seeded{path: path}
	var sample []*tenantdesk.User // account #usersAccountNo's users, for the search prefixes
	for i := range accounts {
		domain := fmt.Sprintf("bench%02d.example", i+1)
		a := &tenantdesk.Account{Name: fmt.Sprintf("Benchmark Customer %02d", i+1), Reference: fmt.Sprintf("BENCH-%02d", i+1)}
		name, _ := person(rng, 0, domain)
		owner := &tenantdesk.User{DisplayName: name, Email: "owner@" + domain}
		if err := ops.CreateCustomer(opCtx, a, owner); err != nil {
			db.Close()
			return nil, fmt.Errorf("seed: create account %d: %w", i+1, err)
		}
		accounts[i] = a
		if i+1 == usersAccountNo {
			s.ownerEmail, s.accountID = owner.Email, a.ID
			sample = append(sample, owner)
		}
	}
	if err := db.Close(); err != nil {
		return nil, err
	}

	raw, pg, err := openBulk(path)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	licensed := 0
	for _, r := range usersRoles {
		if role := tenantdesk.LookupRole(r); role == nil {
			return nil, fmt.Errorf("seed: role %s is not in the catalogue", r)
		} else if role.Licensed {
			licensed = 1
		}
	}
	roles := tenantdesk.SortedRoles(usersRoles)
	// The Owner is a user admin; the bulk users hold no supervisorl3+ (no R7 roll-out).
	state := tenantdesk.AccountState{Kind: tenantdesk.AccountCustomer, Admins: 1}
	now := time.Now().UnixMilli()
	total := usersAccounts * (usersPerAccount - 1)
	// Multi-row INSERTs of bulkRows users (and their roles and audit rows)
	// in transactions of batch users: one statement per 500 rows keeps a
	// PostgreSQL seed to seconds, and SQLite is as quick either way.
	const batch, bulkRows = 25000, 500
	for start := 0; start < total; start += batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		err := func() error {
			tx, err := raw.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			var userArgs, roleArgs, auditArgs []any
			flush := func() error {
				if len(userArgs) == 0 {
					return nil
				}
				for _, ins := range []struct {
					head, row string
					cols      int
					args      []any
				}{
					{`INSERT INTO users (id, account_id, display_name, name_norm, email, email_norm, status, is_owner, phone, job_title,
						language, time_zone, created_at, updated_at) VALUES `, `(?,?,?,?,?,?,?,0,'','','','',?,?)`, 9, userArgs},
					{`INSERT INTO user_roles (user_id, account_id, role) VALUES `, `(?,?,?)`, 3, roleArgs},
					{`INSERT INTO audit_log (account_id, actor_name, action, target_type, target_id, after_json, licensed, created_at) VALUES `,
						`(?,'Platform operator',?,'user',?,?,?,?)`, 6, auditArgs},
				} {
					if _, err := tx.ExecContext(ctx, ins.head+bulkValues(ins.row, len(ins.args)/ins.cols, pg), ins.args...); err != nil {
						return fmt.Errorf("seed: %.30s…: %w", ins.head, err)
					}
				}
				userArgs, roleArgs, auditArgs = userArgs[:0], roleArgs[:0], auditArgs[:0]
				return nil
			}
			for i := start; i < min(start+batch, total); i++ {
				a := accounts[i%usersAccounts]
				name, email := person(rng, i+1, fmt.Sprintf("bench%02d.example", i%usersAccounts+1))
				u := &tenantdesk.User{AccountID: a.ID, TenantID: a.TenantID, DisplayName: name, Email: email,
					Roles: roles, Status: tenantdesk.UserInvited}
				if err := tenantdesk.CheckUserChange(state, nil, u); err != nil {
					return fmt.Errorf("seed: %s <%s> breaks a rule: %w", name, email, err)
				}
				u.ID = sqlstore.NewKey() // keys as the store's InsertUser assigns them (sqlite ids.go)
				userArgs = append(userArgs, u.ID, a.ID, name, nameKey(name), email, tenantdesk.NormalizeEmail(email), u.Status, now, now)
				for _, r := range roles {
					roleArgs = append(roleArgs, u.ID, a.ID, r)
				}
				after, _ := json.Marshal(map[string]any{"displayName": name, "email": email, "roles": roles, "owner": false, "status": u.Status})
				auditArgs = append(auditArgs, a.ID, tenantdesk.AuditUserCreate, tenantdesk.FormatUserID(u.ID), string(after), licensed, now)
				if a.ID == s.accountID {
					sample = append(sample, u)
				}
				if len(userArgs) == bulkRows*9 {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			if err := flush(); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err != nil {
			return nil, err
		}
	}
	// The search index as a running server's janitor leaves it: the bulk
	// transactions above left FTS5 segments that the janitor merges within
	// its first rounds (sqlstore.MergeSearchIndex; nothing on PostgreSQL).
	if s.mergeSteps, err = mergeSearch(ctx, path); err != nil {
		return nil, err
	}
	// No ANALYZE or PRAGMA optimize: the application never runs them, and
	// statistics change the plan of the search query. (PostgreSQL's
	// autovacuum analyzes the new rows by itself, as it would in production.)
	if !pg {
		if _, err := raw.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return nil, fmt.Errorf("seed: checkpoint: %w", err)
		}
	}
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&s.users); err != nil {
		return nil, err
	}
	var inAccount int
	if err := raw.QueryRowContext(ctx, rebind(`SELECT count(*) FROM users WHERE account_id = ?`, pg), s.accountID).Scan(&inAccount); err != nil {
		return nil, err
	}
	if s.users != usersAccounts*usersPerAccount || inAccount != usersPerAccount {
		return nil, fmt.Errorf("seed: %d users, %d in account %d; want %d and %d", s.users, inAccount, s.accountID,
			usersAccounts*usersPerAccount, usersPerAccount)
	}
	s.prefixes = pickPrefixes(sample, searchPrefixes)
	s.took = time.Since(t0)
	s.size = dbSize(ctx, path)
	return s, nil
}

// openBulk opens the database at dsn for bulk writes with plain SQL: on
// SQLite without syncing (a seed that is lost is seeded again), on
// PostgreSQL through pgx. pg says which.
func openBulk(dsn string) (db *sql.DB, pg bool, err error) {
	if sqlstore.IsPostgresURL(dsn) {
		db, err = sql.Open("pgx", dsn)
		return db, true, err
	}
	db, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)&_pragma=foreign_keys(1)")
	if err == nil {
		db.SetMaxOpenConns(1)
	}
	return db, false, err
}

// bulkValues returns the VALUES list of a multi-row INSERT: rows copies
// of row (a parenthesized tuple with a ? per argument), numbered for
// PostgreSQL.
func bulkValues(row string, rows int, pg bool) string {
	return rebind(strings.TrimSuffix(strings.Repeat(row+",", rows), ","), pg)
}

// rebind numbers the ? placeholders of query for PostgreSQL.
func rebind(query string, pg bool) string {
	if !pg {
		return query
	}
	var sb strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			sb.WriteString("$" + strconv.Itoa(n))
			continue
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

// pickPrefixes chooses n distinct prefixes of 3–6 characters, half of
// display names and half of emails of the account's users, and counts the
// users each matches the way ListUsers does (the lower-cased, trimmed text
// anywhere in name_norm or email_norm: the prefixes are 3 characters or
// more).
func pickPrefixes(users []*tenantdesk.User, n int) []searchPrefix {
	rng := rand.New(rand.NewPCG(50, 6))
	seen := map[string]bool{}
	var out []searchPrefix
	for tries := 0; len(out) < n && tries < 100*n; tries++ {
		u := users[rng.IntN(len(users))]
		kind, key := "name", nameKey(u.DisplayName)
		if len(out)%2 == 1 {
			kind, key = "email", tenantdesk.NormalizeEmail(u.Email)
		}
		q := strings.TrimSpace(key[:min(len(key), 3+rng.IntN(4))])
		if len(q) < 3 || seen[q] {
			continue
		}
		seen[q] = true
		out = append(out, searchPrefix{q: q, kind: kind})
	}
	for i := range out {
		for _, u := range users {
			if strings.Contains(nameKey(u.DisplayName), out[i].q) || strings.Contains(tenantdesk.NormalizeEmail(u.Email), out[i].q) {
				out[i].matches++
			}
		}
	}
	return out
}

// usersResult is what the Users-tab phase measured.
type usersResult struct {
	seed                 *seeded
	walk                 time.Duration // walking the 200 pages with the Next links
	firstBytes           int
	deepBytes            int
	refFirstB, refDeepB  int
	fragBytes, fullBytes [2]int // search response sizes, min and max
	loads                []usersLoads
	seq                  usersLoads // one client at a time (-c 1), Go generator; refDeep and searchFull unused
}

// usersLoads is one generator's figures of the phase.
type usersLoads struct {
	first, deep, refFirst, refDeep, searchFrag, searchFull loadResult
}

// usersPhase seeds the database, starts the portal on it, signs in as the
// Owner of account #3, walks to page 200 and loads the Users tab and the
// search beside the reference's /users?offset=100 and ?offset=9950.
func (b *bench) usersPhase(ctx context.Context, st store, refURL, wrk string) (*usersResult, error) {
	cfg := b.cfg
	r := &usersResult{}
	path, err := b.newDB(ctx, st, "users")
	if err != nil {
		return nil, err
	}
	logf("seeding %d accounts of %d users into %s", usersAccounts, usersPerAccount, sqlstore.DisplayDSN(path))
	if r.seed, err = seedUsers(ctx, path); err != nil {
		return nil, err
	}
	logf("  seeded %d users in %s (%s; search index merged in %d steps, as the janitor does)", r.seed.users,
		r.seed.took.Round(time.Millisecond), mb(r.seed.size), r.seed.mergeSteps)

	// The Owner's password, through the CLI as an operator would set it.
	password := auth.RandomPassword(20)
	cmd := exec.CommandContext(ctx, b.tdBin, "user", "passwd", "--db", path, "--email", r.seed.ownerEmail)
	cmd.Env = childEnv()
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("tenantdesk user passwd: %w\n%s", err, out)
	}

	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf("starting tenantdesk serve on the seeded %s database on %s", st.name, addr)
	var env []string
	pprofAddr := ""
	if cfg.pprof != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		env = append(env, "TENANTDESK_BENCH_PPROF="+pprofAddr)
	}
	td, err := b.startEnv(ctx, "tenantdesk-users-"+st.tag(), b.tdBin, env, nil, "serve", "--db", path, "--addr", addr)
	if err != nil {
		return nil, err
	}
	defer b.stop(td)
	base := "http://" + addr
	if err := b.waitOK(ctx, td, base+"/healthz", time.Minute); err != nil {
		return nil, err
	}
	_, cookie, err := signIns(ctx, base, r.seed.ownerEmail, password, 1)
	if err != nil {
		return nil, err
	}
	header := http.Header{"Cookie": {cookie}}
	htmx := http.Header{"Cookie": {cookie}, "Hx-Request": {"true"}}

	// Walk the pages with the Next links, checking that they cover the
	// account exactly once; the link to page 200 is the deep page.
	t0 := time.Now()
	deepPath, err := walkUsers(ctx, base, htmx)
	if err != nil {
		return nil, err
	}
	r.walk = time.Since(t0)
	logf("  walked %d pages of %d with the Next links in %s", usersDeepPage, usersPageSize, r.walk.Round(time.Millisecond))
	firstURL, deepURL := base+"/account/users", base+deepPath
	if r.firstBytes, err = checkUsersPage(ctx, firstURL, header, usersPageSize, true); err != nil {
		return nil, err
	}
	if r.deepBytes, err = checkUsersPage(ctx, deepURL, header, usersPageSize, false); err != nil {
		return nil, err
	}
	refFirstURL, refDeepURL := refURL+"/users?offset=100", refURL+fmt.Sprintf("/users?offset=%d", (usersDeepPage-1)*usersPageSize)
	if r.refFirstB, err = checkRefPage(ctx, refFirstURL); err != nil {
		return nil, err
	}
	if r.refDeepB, err = checkRefPage(ctx, refDeepURL); err != nil {
		return nil, err
	}

	// The search URLs, each checked once against the seeded data.
	var searchURLs []string
	r.fragBytes[0], r.fullBytes[0] = 1<<30, 1<<30
	for _, p := range r.seed.prefixes {
		u := base + "/account/users?q=" + url.QueryEscape(p.q)
		n, err := checkUsersPage(ctx, u, htmx, min(p.matches, usersPageSize), p.matches > usersPageSize)
		if err != nil {
			return nil, fmt.Errorf("search %q (%s prefix, %d matches): %w", p.q, p.kind, p.matches, err)
		}
		r.fragBytes = [2]int{min(r.fragBytes[0], n), max(r.fragBytes[1], n)}
		if n, err = checkUsersPage(ctx, u, header, min(p.matches, usersPageSize), p.matches > usersPageSize); err != nil {
			return nil, fmt.Errorf("search %q, full page: %w", p.q, err)
		}
		r.fullBytes = [2]int{min(r.fullBytes[0], n), max(r.fullBytes[1], n)}
		searchURLs = append(searchURLs, u)
	}

	// Load: the Go generator, then wrk, TD and reference back to back.
	var gl usersLoads
	type job struct {
		what   string
		urls   []string
		header http.Header
		out    *loadResult
	}
	jobs := []job{
		{"Users tab page 1 (full page)", []string{firstURL}, header, &gl.first},
		{"reference /users?offset=100", []string{refFirstURL}, nil, &gl.refFirst},
		{fmt.Sprintf("Users tab page %d (full page)", usersDeepPage), []string{deepURL}, header, &gl.deep},
		{"reference " + strings.TrimPrefix(refDeepURL, refURL), []string{refDeepURL}, nil, &gl.refDeep},
		{fmt.Sprintf("search, %d prefixes (HTMX fragment)", len(searchURLs)), searchURLs, htmx, &gl.searchFrag},
		{fmt.Sprintf("search, %d prefixes (full page)", len(searchURLs)), searchURLs, header, &gl.searchFull},
	}
	for _, j := range jobs {
		logf("loading %s for %s with %d connections (Go generator)", j.what, cfg.dur, cfg.conc)
		// -pprof: a CPU profile of the portal during the search fragments.
		profDone, profile := make(chan error, 1), ""
		if pprofAddr != "" && j.out == &gl.searchFrag {
			profile = filepath.Join(cfg.pprof, "search-"+st.tag()+".pprof")
			go func() { profDone <- fetchProfile(ctx, pprofAddr, profile, cfg.dur) }()
		}
		if *j.out, err = runLoad(ctx, j.urls, j.header, cfg.conc, cfg.dur); err != nil {
			return nil, fmt.Errorf("load %s: %w", j.what, err)
		}
		logf("  %.0f req/s, p50 %s, p99 %s; %s", j.out.RPS(), ms(j.out.P50), ms(j.out.P99), cpuNote(*j.out))
		if profile != "" {
			if err := <-profDone; err != nil {
				return nil, err
			}
			logf("  CPU profile of the searches: %s", profile)
		}
	}
	r.loads = append(r.loads, gl)
	// One client at a time: the latency of a request without queueing.
	for _, j := range []job{
		{"Users tab page 1", []string{firstURL}, header, &r.seq.first},
		{"reference /users?offset=100", []string{refFirstURL}, nil, &r.seq.refFirst},
		{fmt.Sprintf("Users tab page %d", usersDeepPage), []string{deepURL}, header, &r.seq.deep},
		{"search (HTMX fragment)", searchURLs, htmx, &r.seq.searchFrag},
	} {
		logf("loading %s for %s with 1 connection (Go generator)", j.what, cfg.dur)
		if *j.out, err = runLoad(ctx, j.urls, j.header, 1, cfg.dur); err != nil {
			return nil, fmt.Errorf("load %s: %w", j.what, err)
		}
		logf("  %.0f req/s, p50 %s, p99 %s", j.out.RPS(), ms(j.out.P50), ms(j.out.P99))
	}
	if wrk != "" {
		var wl usersLoads
		script := filepath.Join(b.tmp, "search.lua")
		if err := writeWrkScript(script, base, searchURLs); err != nil {
			return nil, err
		}
		wjobs := []job{
			{"Users tab page 1", []string{firstURL}, header, &wl.first},
			{"reference /users?offset=100", []string{refFirstURL}, nil, &wl.refFirst},
			{fmt.Sprintf("Users tab page %d", usersDeepPage), []string{deepURL}, header, &wl.deep},
			{"reference " + strings.TrimPrefix(refDeepURL, refURL), []string{refDeepURL}, nil, &wl.refDeep},
			{"search (HTMX fragment)", searchURLs, htmx, &wl.searchFrag},
			{"search (full page)", searchURLs, header, &wl.searchFull},
		}
		for _, j := range wjobs {
			logf("loading %s with wrk -t1 -c%d -d%s", j.what, cfg.conc, cfg.dur)
			var hdrs []string
			for k, vs := range j.header {
				hdrs = append(hdrs, k+": "+vs[0])
			}
			slices.Sort(hdrs)
			target, s := j.urls[0], ""
			if len(j.urls) > 1 {
				target, s = base+"/", script
			}
			if *j.out, err = runWrk(ctx, wrk, target, hdrs, s, cfg.conc, cfg.dur); err != nil {
				return nil, err
			}
			logf("  %.0f req/s, p50 %s, p99 %s", j.out.RPS(), ms(j.out.P50), ms(j.out.P99))
		}
		r.loads = append(r.loads, wl)
		// wrk counts a 303 to /signin as a success: make sure the session held.
		if _, err := checkUsersPage(ctx, firstURL, header, usersPageSize, true); err != nil {
			return nil, fmt.Errorf("after the load: %w", err)
		}
	}
	return r, nil
}

// writeWrkScript writes a wrk Lua script that sends GET to each of urls
// (all under base) in turn; headers given with -H are added by wrk.format.
func writeWrkScript(path, base string, urls []string) error {
	var sb strings.Builder
	sb.WriteString("local paths = {\n")
	for _, u := range urls {
		fmt.Fprintf(&sb, "  %q,\n", strings.TrimPrefix(u, base))
	}
	sb.WriteString("}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

var (
	userRowAttr = regexp.MustCompile(`data-testid="user-row"><td><a href="/account/users/([a-z0-9]+)"`)
	nextLink    = regexp.MustCompile(`<a[^>]*data-testid="users-next"[^>]*>`)
	hrefAttr    = regexp.MustCompile(`href="([^"]*)"`)
)

// get sends GET url with header and returns the status and body; redirects
// are not followed.
func get(ctx context.Context, url string, header http.Header) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header = header.Clone()
	client := newLoadClient(1)
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// pageRows returns the user IDs of a Users-tab page and its Next link.
func pageRows(body []byte) (ids []string, next string) {
	for _, m := range userRowAttr.FindAllSubmatch(body, -1) {
		ids = append(ids, string(m[1]))
	}
	if m := hrefAttr.FindSubmatch(nextLink.Find(body)); m != nil {
		next = html.UnescapeString(string(m[1]))
	}
	return ids, next
}

// walkUsers follows the Next links from the first page to page
// usersDeepPage, checking that every page holds usersPageSize rows, that no
// user appears twice and that the last page has no Next link. It returns
// the path of page usersDeepPage.
func walkUsers(ctx context.Context, base string, header http.Header) (string, error) {
	seen := map[string]bool{}
	path := "/account/users"
	for page := 1; ; page++ {
		status, body, err := get(ctx, base+path, header)
		if err != nil {
			return "", err
		}
		if status != http.StatusOK {
			return "", fmt.Errorf("walk: page %d (%s): status %d", page, path, status)
		}
		ids, next := pageRows(body)
		if len(ids) != usersPageSize {
			return "", fmt.Errorf("walk: page %d (%s): %d rows, want %d", page, path, len(ids), usersPageSize)
		}
		for _, id := range ids {
			if seen[id] {
				return "", fmt.Errorf("walk: page %d: user %s seen on an earlier page", page, id)
			}
			seen[id] = true
		}
		if page == usersDeepPage {
			if next != "" {
				return "", fmt.Errorf("walk: page %d has a Next link; want it to be the last of %d users", page, usersPerAccount)
			}
			return path, nil
		}
		if next == "" {
			return "", fmt.Errorf("walk: page %d has no Next link", page)
		}
		path = next
	}
}

// checkUsersPage makes sure url answers 200 with rows user rows and a Next
// link when hasNext, and returns the size of the response.
func checkUsersPage(ctx context.Context, url string, header http.Header, rows int, hasNext bool) (int, error) {
	status, body, err := get(ctx, url, header)
	if err != nil {
		return 0, err
	}
	ids, next := pageRows(body)
	if status != http.StatusOK || len(ids) != rows || (next != "") != hasNext {
		return 0, fmt.Errorf("GET %s: status %d, %d rows, Next link %t; want 200, %d rows, Next link %t",
			url, status, len(ids), next != "", rows, hasNext)
	}
	return len(body), nil
}

// checkRefPage makes sure the reference answers url with 50 rows.
func checkRefPage(ctx context.Context, url string) (int, error) {
	status, body, err := get(ctx, url, nil)
	if err != nil {
		return 0, err
	}
	if n := bytes.Count(body, []byte("<tr>")); status != http.StatusOK || n != usersPageSize {
		return 0, fmt.Errorf("GET %s: status %d, %d rows; want 200 and %d", url, status, n, usersPageSize)
	}
	return len(body), nil
}

// rows adds the phase's rows to the table and returns the targets' verdicts.
func (r *usersResult) rows(t *table, cfg config) []string {
	metOr := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	var verdicts []string
	matches := make([]int, len(r.seed.prefixes))
	for i, p := range r.seed.prefixes {
		matches[i] = p.matches
	}
	slices.Sort(matches)
	for _, l := range r.loads {
		gen := "Go generator (in-process)"
		if l.first.Generator == "wrk" {
			gen = "wrk -t1"
		}
		g := " (" + l.first.Generator + ")"
		run := fmt.Sprintf("%s, -c %d, %s", gen, cfg.conc, cfg.dur)
		tputFirst := l.first.RPS() / l.refFirst.RPS()
		tputDeep := l.deep.RPS() / l.refFirst.RPS()
		t.row("Users tab page 1, req/s"+g, fmt.Sprintf("%.0f", l.first.RPS()), fmt.Sprintf("%.0f", l.refFirst.RPS()),
			ratio(l.first.RPS(), l.refFirst.RPS()),
			fmt.Sprintf("%s; TD GET /account/users signed in as the Owner of account %d (10,000 users, 100,000 in the DB), full page %d B, 50 rows; "+
				"reference /users?offset=100 (%d B); target ≥ 0.60×: %s",
				run, usersAccountNo, r.firstBytes, r.refFirstB, metOr(tputFirst >= 0.6))+errNote(l.first, l.refFirst))
		t.row("Users tab page 1, p50 / p99"+g, ms(l.first.P50)+" / "+ms(l.first.P99), ms(l.refFirst.P50)+" / "+ms(l.refFirst.P99),
			ratio(l.first.P99.Seconds(), l.refFirst.P99.Seconds()), "ratio of p99; target p99 < 25 ms: "+metOr(l.first.P99 < 25*time.Millisecond)+
				"; TD "+cpuNote(l.first)+"; reference "+cpuNote(l.refFirst))
		t.row("Search fragment p99 ÷ reference page 1 p99"+g, ms(l.searchFrag.P99), ms(l.refFirst.P99),
			ratio(l.searchFrag.P99.Seconds(), l.refFirst.P99.Seconds()),
			"the search (HX-Request fragment) beside the reference's /users?offset=100, same generator and connections, same run")
		t.row(fmt.Sprintf("Users tab page %d, req/s%s", usersDeepPage, g), fmt.Sprintf("%.0f", l.deep.RPS()), fmt.Sprintf("%.0f", l.refDeep.RPS()),
			ratio(l.deep.RPS(), l.refDeep.RPS()),
			fmt.Sprintf("%s; TD the Next link of page %d (keyset cursor, found by walking the pages), full page %d B; "+
				"reference /users?offset=%d (OFFSET, %d B); vs reference offset=100: %s, target ≥ 0.60×: %s",
				run, usersDeepPage-1, r.deepBytes, (usersDeepPage-1)*usersPageSize, r.refDeepB,
				ratio(l.deep.RPS(), l.refFirst.RPS()), metOr(tputDeep >= 0.6))+errNote(l.deep, l.refDeep))
		t.row(fmt.Sprintf("Users tab page %d, p50 / p99%s", usersDeepPage, g), ms(l.deep.P50)+" / "+ms(l.deep.P99),
			ms(l.refDeep.P50)+" / "+ms(l.refDeep.P99), ratio(l.deep.P99.Seconds(), l.refDeep.P99.Seconds()),
			"ratio of p99; target p99 < 25 ms: "+metOr(l.deep.P99 < 25*time.Millisecond))
		search := fmt.Sprintf("%d prefixes of 3–6 characters (half of names, half of emails) of account %d's users, rotated; "+
			"each matches %d–%d users (median %d), ≤ 50 rows shown", len(r.seed.prefixes), usersAccountNo,
			matches[0], matches[len(matches)-1], matches[len(matches)/2])
		t.row("Search as you type (HX-Request fragment), p50 / p99"+g, ms(l.searchFrag.P50)+" / "+ms(l.searchFrag.P99), "—", "—",
			fmt.Sprintf("%s; %.0f req/s; GET /account/users?q=… with HX-Request: true (%d–%d B); %s; target p99 < 20 ms: %s; %s",
				run, l.searchFrag.RPS(), r.fragBytes[0], r.fragBytes[1], search, metOr(l.searchFrag.P99 < 20*time.Millisecond),
				cpuNote(l.searchFrag))+errNote(l.searchFrag))
		t.row("Search, full page, p50 / p99"+g, ms(l.searchFull.P50)+" / "+ms(l.searchFull.P99), "—", "—",
			fmt.Sprintf("%s; %.0f req/s; the same URLs without HX-Request (%d–%d B), as without JavaScript or on reload; target p99 < 20 ms: %s",
				run, l.searchFull.RPS(), r.fullBytes[0], r.fullBytes[1], metOr(l.searchFull.P99 < 20*time.Millisecond))+errNote(l.searchFull))
		verdicts = append(verdicts,
			fmt.Sprintf("%s: Users tab throughput ≥ 0.6× reference /users — page 1 %.2f× (%s), page %d %.2f× (%s); "+
				"p99 < 25 ms — page 1 %s (%s), page %d %s (%s); search p99 < 20 ms — fragment %s (%s), full page %s (%s)",
				gen, tputFirst, metOr(tputFirst >= 0.6), usersDeepPage, tputDeep, metOr(tputDeep >= 0.6),
				ms(l.first.P99), metOr(l.first.P99 < 25*time.Millisecond), usersDeepPage, ms(l.deep.P99), metOr(l.deep.P99 < 25*time.Millisecond),
				ms(l.searchFrag.P99), metOr(l.searchFrag.P99 < 20*time.Millisecond), ms(l.searchFull.P99), metOr(l.searchFull.P99 < 20*time.Millisecond)))
	}
	q := r.seq
	seq := fmt.Sprintf("Go generator, one connection (-c 1), %s: the time of one request without queueing", cfg.dur)
	t.row("Users tab page 1, p50 / p99 (go, -c 1)", ms(q.first.P50)+" / "+ms(q.first.P99), ms(q.refFirst.P50)+" / "+ms(q.refFirst.P99),
		ratio(q.first.P99.Seconds(), q.refFirst.P99.Seconds()),
		fmt.Sprintf("%s; %.0f vs %.0f req/s; reference /users?offset=100; ratio of p99", seq, q.first.RPS(), q.refFirst.RPS())+errNote(q.first, q.refFirst))
	t.row(fmt.Sprintf("Users tab page %d, p50 / p99 (go, -c 1)", usersDeepPage), ms(q.deep.P50)+" / "+ms(q.deep.P99), "—", "—",
		fmt.Sprintf("%s; %.0f req/s", seq, q.deep.RPS())+errNote(q.deep))
	t.row("Search (HX-Request fragment), p50 / p99 (go, -c 1)", ms(q.searchFrag.P50)+" / "+ms(q.searchFrag.P99), "—", "—",
		fmt.Sprintf("%s; %.0f req/s; the same %d prefixes", seq, q.searchFrag.RPS(), len(r.seed.prefixes))+errNote(q.searchFrag))
	return verdicts
}

// cpuNote says how much CPU a load run's generator and the whole machine
// took over its window, in cores.
func cpuNote(l loadResult) string {
	if l.CPU.Cores == 0 {
		return "CPU not measured"
	}
	return fmt.Sprintf("generator (%s) %.2f cores, machine busy %.2f of %d cores", l.Generator, l.CPU.Generator, l.CPU.Machine, l.CPU.Cores)
}
