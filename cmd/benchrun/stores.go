package main

// The stores the Users-tab, API and mixed-load phases run on (issue 14:
// "make bench runs its Users-tab, API read and API create figures on
// PostgreSQL too, beside SQLite in the same run"): SQLite files in the
// temporary directory, always; and, when -postgres (or
// TENANTDESK_BENCH_POSTGRES) names a PostgreSQL server, a fresh database on
// it per phase, created here and dropped on exit.

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
)

// store is one database engine the phases run on.
type store struct {
	name  string // "SQLite" or "PostgreSQL"
	admin string // PostgreSQL: a URL of the server for a role that may create databases; "" for SQLite
}

func (s store) pg() bool { return s.admin != "" }

// tag is the store's name for log files and database names.
func (s store) tag() string { return strings.ToLower(s.name) }

// stores returns the stores of this run: SQLite, and PostgreSQL when named.
func (cfg config) stores() []store {
	out := []store{{name: "SQLite"}}
	if cfg.postgres != "" {
		out = append(out, store{name: "PostgreSQL", admin: cfg.postgres})
	}
	return out
}

// newDB returns the DSN of a new, empty database called name on s: a file
// path in the temporary directory, or a database created on the
// PostgreSQL server (dropped by cleanup).
func (b *bench) newDB(ctx context.Context, s store, name string) (string, error) {
	if !s.pg() {
		return filepath.Join(b.tmp, name+".db"), nil
	}
	u, err := url.Parse(s.admin)
	if err != nil {
		return "", fmt.Errorf("-postgres: %w", err)
	}
	dbName := fmt.Sprintf("benchrun_%d_%s", os.Getpid(), strings.ReplaceAll(name, "-", "_"))
	admin, err := sql.Open("pgx", s.admin)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(cctx, `DROP DATABASE IF EXISTS "`+dbName+`" WITH (FORCE)`); err != nil {
		return "", fmt.Errorf("PostgreSQL %s: %w", sqlstore.DisplayDSN(s.admin), err)
	}
	if _, err := admin.ExecContext(cctx, `CREATE DATABASE "`+dbName+`"`); err != nil {
		return "", fmt.Errorf("PostgreSQL %s: create database: %w", sqlstore.DisplayDSN(s.admin), err)
	}
	b.mu.Lock()
	b.pgDBs = append(b.pgDBs, dbName)
	b.mu.Unlock()
	u.Path = "/" + dbName
	return u.String(), nil
}

// dropDBs drops the PostgreSQL databases newDB created (after the children
// that used them have stopped).
func (b *bench) dropDBs() {
	b.mu.Lock()
	names := b.pgDBs
	b.pgDBs = nil
	b.mu.Unlock()
	if len(names) == 0 {
		return
	}
	if b.cfg.keep {
		logf("kept PostgreSQL databases %s", strings.Join(names, ", "))
		return
	}
	admin, err := sql.Open("pgx", b.cfg.postgres)
	if err != nil {
		logf("drop databases: %v", err)
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, n := range names {
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+n+`" WITH (FORCE)`); err != nil {
			logf("drop database %s: %v", n, err)
		}
	}
}

// dbSize is the size of the database at dsn: the SQLite file, or
// pg_database_size on PostgreSQL.
func dbSize(ctx context.Context, dsn string) int64 {
	if !sqlstore.IsPostgresURL(dsn) {
		return fileSize(dsn)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0
	}
	defer db.Close()
	var n int64
	db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
	return n
}

// storeResult is what the store phases measured on one store.
type storeResult struct {
	store                     store
	users                     *usersResult
	api                       *apiResult
	mixed                     *mixedResult
	userVerdicts, apiVerdicts []string
}

// print writes the notes and verdicts of the store's phases under the table.
func (sr *storeResult) print(cfg config) {
	name := sr.store.name
	if users := sr.users; users != nil {
		s := users.seed
		fmt.Printf("\nUsers tab on %s: %d users in %d customer accounts of %d (accounts and Owners through CreateCustomer as the operator, "+
			"the rest bulk-inserted as the store's InsertUser writes them: name_norm, email_norm, roles customer.user + customer.user.supervisorl1, "+
			"a user.create audit row each; no ANALYZE statistics, as in a real database) seeded in %s (%s database); "+
			"signed in as the Owner of account %d; walking the %d pages with the Next links took %s.\n",
			name, s.users, usersAccounts, usersPerAccount, s.took.Round(100*time.Millisecond), mb(s.size), usersAccountNo, usersDeepPage, ms(users.walk))
		fmt.Printf("\nIssue 3 targets (%s):\n", name)
		for _, v := range sr.userVerdicts {
			fmt.Println("- " + v)
		}
	}
	if api := sr.api; api != nil {
		db := "the Users tab's database above, served anew"
		if api.ownSeed {
			db = fmt.Sprintf("a database seeded as the Users phase seeds it (%d users in %d accounts of %d, %s)",
				api.seed.users, usersAccounts, usersPerAccount, api.seed.took.Round(100*time.Millisecond))
		}
		fmt.Printf("\nREST API on %s: a token of the Owner of account %d (tenant %s) from `tenantdesk token create`, on %s "+
			"with --api-rate 0 (no rate limit, SPEC §6); listing its %d users with the cursor (limit %d) took %s. "+
			"The user creations run last, so the reads saw exactly %d users in the account.\n",
			name, usersAccountNo, api.tenantID, db, usersPerAccount, apiWalkLimit, ms(api.walk), usersPerAccount)
		if api.profile != "" {
			fmt.Printf("CPU profile of the portal during the user creations: %s (go tool pprof -top %s)\n", api.profile, api.profile)
		}
		fmt.Printf("\nIssue 5 targets (%s):\n", name)
		for _, v := range sr.apiVerdicts {
			fmt.Println("- " + v)
		}
	}
}

// printSideBySide prints the figures of every store in one table, each
// beside the reference measured next to it.
func printSideBySide(srs []*storeResult, cfg config) {
	var head, sep strings.Builder
	head.WriteString("| Figure |")
	sep.WriteString("|---|")
	for _, sr := range srs {
		fmt.Fprintf(&head, " %s | ÷ reference |", sr.store.name)
		sep.WriteString("--:|--:|")
	}
	type cell struct{ v, r string }
	var rows []string
	var names []string
	cells := map[string][]cell{}
	add := func(i int, name, v, r string) {
		if _, ok := cells[name]; !ok {
			names = append(names, name)
			cells[name] = make([]cell, len(srs))
		}
		cells[name][i] = cell{v, r}
	}
	for i, sr := range srs {
		if u := sr.users; u != nil && len(u.loads) > 0 {
			l := u.loads[0]
			add(i, "Users tab page 1, req/s (go, -c 32)", fmt.Sprintf("%.0f", l.first.RPS()), ratio(l.first.RPS(), l.refFirst.RPS()))
			add(i, "Users tab page 1, p99 (go)", ms(l.first.P99), ratio(l.first.P99.Seconds(), l.refFirst.P99.Seconds()))
			add(i, fmt.Sprintf("Users tab page %d, req/s (go)", usersDeepPage), fmt.Sprintf("%.0f", l.deep.RPS()), ratio(l.deep.RPS(), l.refDeep.RPS()))
			add(i, "Search (HTMX fragment), req/s (go)", fmt.Sprintf("%.0f", l.searchFrag.RPS()), "—")
			add(i, "Search (HTMX fragment), p50 / p99 (go)", ms(l.searchFrag.P50)+" / "+ms(l.searchFrag.P99), "—")
			add(i, "Users tab page 1, p50 (go, -c 1)", ms(u.seq.first.P50), ratio(u.seq.first.P50.Seconds(), u.seq.refFirst.P50.Seconds()))
		}
		if a := sr.api; a != nil && len(a.loads) > 0 {
			l := a.loads[0]
			add(i, "API GET user by ID, req/s (go)", fmt.Sprintf("%.0f", l.user.RPS()), ratio(l.user.RPS(), l.refUser.RPS()))
			add(i, "API GET user by ID, p99 (go)", ms(l.user.P99), ratio(l.user.P99.Seconds(), l.refUser.P99.Seconds()))
			add(i, "API GET users (50), req/s (go)", fmt.Sprintf("%.0f", l.page.RPS()), ratio(l.page.RPS(), l.refPage.RPS()))
			c := a.create
			ok := "checked"
			if !c.consistent() {
				ok = "**mismatch**"
			}
			add(i, "API POST users, users/s (go)", fmt.Sprintf("%.0f", c.RPS()), "—")
			add(i, "API POST users, p50 / p99 (go)", ms(c.P50)+" / "+ms(c.P99), "—")
			add(i, "API POST users, audit + outbox rows", ok, "—")
		}
		if m := sr.mixed; m != nil {
			m.sideBySide(i, add)
		}
	}
	for _, n := range names {
		var sb strings.Builder
		sb.WriteString("| " + n + " |")
		for _, c := range cells[n] {
			if c.v == "" {
				c.v, c.r = "—", "—"
			}
			fmt.Fprintf(&sb, " %s | %s |", c.v, c.r)
		}
		rows = append(rows, sb.String())
	}
	fmt.Printf("\n### The stores side by side (Go generator, -c %d, %s each; ratios to the reference measured next to each)\n\n", cfg.conc, cfg.dur)
	fmt.Println(head.String())
	fmt.Println(sep.String())
	for _, r := range rows {
		fmt.Println(r)
	}
}

// cli runs the tenantdesk binary with args and returns its standard output.
func (b *bench) cli(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, b.tdBin, args...)
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("tenantdesk %s: %w\n%s", args[0], err, stderr.Bytes())
	}
	return string(out), nil
}
