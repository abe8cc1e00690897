package main

// The REST API phase (issue 5, "Figures to report"): on the database of
// 100,000 users in 10 accounts of 10,000 that the Users-tab phase seeds, a
// token of the Owner of account #usersAccountNo (made with `tenantdesk token
// create`, as an operator would) reads single users by ID and the first page
// of the user list through /api/v1, beside the reference's /user?id= and
// /users?offset=0 in the same run; then it creates users through the API for
// the run's duration and checks in SQLite that every new user came with its
// user.create audit row and its activation email in the outbox. The portal
// runs with --api-rate 0: SPEC §6 turns the rate limit off for load
// benchmarks.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

const (
	apiRotateIDs   = 1000                   // user IDs the single-user load rotates through
	apiCreateRoles = "customer.user"        // the created users' one role: website access, so an activation email is queued
	apiWalkLimit   = tenantdesk.MaxPageSize // page size when walking the list for the IDs
)

// apiResult is what the API phase measured.
type apiResult struct {
	seed      *seeded
	ownSeed   bool // seeded here, the Users-tab phase did not run
	tenantID  string
	walk      time.Duration // walking the account's users with the cursor, limit 200
	userBytes [2]int        // TD single-user bodies, min and max
	refUserB  [2]int
	pageBytes int // TD first page of 50
	refPageB  int
	loads     []apiLoads
	create    createResult
	profile   string // CPU profile of the portal during the creations (-pprof)
}

// apiLoads is one generator's figures of the read loads.
type apiLoads struct {
	user, refUser, page, refPage loadResult
}

// createResult is the user-creation load and what SQLite says it wrote.
type createResult struct {
	loadResult        // the measured window: 201s, errors, p50/p99 of POST
	created       int // every 201 of the phase: the check, the warm-up and the window
	users, audits int // new users of the account, new user.create audit rows
	outbox, sent  int // new activation emails in mail_outbox, new user.activation_sent audit rows
	accountUsers  int // users of the account afterwards
	body          int // size of one 201 answer
}

// consistent reports whether every created user came with exactly one
// user.create audit row, one activation email and its audit row.
func (c createResult) consistent() bool {
	return c.users == c.created && c.audits == c.created && c.outbox == c.created && c.sent == c.created
}

// apiUserJSON is the part of the API's user object the phase checks.
type apiUserJSON struct {
	ID            string   `json:"id"`
	DisplayName   string   `json:"displayName"`
	Email         string   `json:"email"`
	Roles         []string `json:"roles"`
	PrimaryTenant string   `json:"primaryTenant"`
	Status        string   `json:"status"`
}

type apiListJSON struct {
	Items      []apiUserJSON `json:"items"`
	NextCursor *string       `json:"nextCursor"`
}

// apiPhase runs the API figures. seed is the Users-tab phase's database, or
// nil when that phase did not run (then it seeds its own the same way).
func (b *bench) apiPhase(ctx context.Context, st store, refURL, wrk string, seed *seeded) (*apiResult, error) {
	cfg := b.cfg
	r := &apiResult{seed: seed}
	if r.seed == nil {
		path, err := b.newDB(ctx, st, "api")
		if err != nil {
			return nil, err
		}
		logf("seeding %d accounts of %d users into %s", usersAccounts, usersPerAccount, sqlstore.DisplayDSN(path))
		r.ownSeed = true
		if r.seed, err = seedUsers(ctx, path); err != nil {
			return nil, err
		}
		logf("  seeded %d users in %s (%s)", r.seed.users, r.seed.took.Round(time.Millisecond), mb(r.seed.size))
	}
	path := r.seed.path

	// A token of the account's Owner, through the CLI.
	cmd := exec.CommandContext(ctx, b.tdBin, "token", "create", "--db", path, "--email", r.seed.ownerEmail, "--name", "benchrun")
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tenantdesk token create: %w\n%s", err, stderr.Bytes())
	}
	token := strings.TrimSpace(string(out))
	if !strings.HasPrefix(token, "tdk_") {
		return nil, fmt.Errorf("tenantdesk token create printed %q, want a tdk_ token", token)
	}

	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf("starting tenantdesk serve --api-rate 0 on the seeded %s database on %s", st.name, addr)
	var env []string
	pprofAddr := ""
	if cfg.pprof != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		env = append(env, "TENANTDESK_BENCH_PPROF="+pprofAddr)
	}
	td, err := b.startEnv(ctx, "tenantdesk-api-"+st.tag(), b.tdBin, env, nil, "serve", "--db", path, "--addr", addr, "--api-rate", "0")
	if err != nil {
		return nil, err
	}
	defer b.stop(td)
	base := "http://" + addr
	if err := b.waitOK(ctx, td, base+"/healthz", time.Minute); err != nil {
		return nil, err
	}
	header := http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}}

	// The token's account: the tenant ID of account #usersAccountNo.
	var me struct {
		User    apiUserJSON `json:"user"`
		Account struct {
			TenantID string `json:"tenantId"`
			Kind     string `json:"kind"`
		} `json:"account"`
	}
	if err := getJSON(ctx, base+apiPrefixPath+"/me", header, &me); err != nil {
		return nil, err
	}
	if me.Account.TenantID == "" || !strings.EqualFold(me.User.Email, r.seed.ownerEmail) {
		return nil, fmt.Errorf("GET /api/v1/me: user %q, tenant %q; want %s and a tenant ID", me.User.Email, me.Account.TenantID, r.seed.ownerEmail)
	}
	r.tenantID = me.Account.TenantID
	usersURL := base + apiPrefixPath + "/customers/" + url.PathEscape(r.tenantID) + "/users"

	// Every user of the account through the cursor (which also checks that
	// the pages cover it exactly once); 1,000 of them, evenly spread, are
	// the IDs the single-user load rotates through.
	t0 := time.Now()
	ids, err := walkAPIUsers(ctx, usersURL, header)
	if err != nil {
		return nil, err
	}
	r.walk = time.Since(t0)
	logf("  walked %d users with the cursor (limit %d) in %s", len(ids), apiWalkLimit, r.walk.Round(time.Millisecond))
	if len(ids) != usersPerAccount {
		return nil, fmt.Errorf("API list: %d users in account %d, want %d", len(ids), usersAccountNo, usersPerAccount)
	}
	slices.Sort(ids)
	var userURLs []string
	r.userBytes[0] = 1 << 30
	for i := range apiRotateIDs {
		id := ids[i*len(ids)/apiRotateIDs]
		u := usersURL + "/" + tenantdesk.FormatUserID(id)
		var got apiUserJSON
		n, err := getJSONSize(ctx, u, header, &got)
		if err != nil {
			return nil, err
		}
		if got.ID != tenantdesk.FormatUserID(id) || got.PrimaryTenant != r.tenantID || got.Email == "" || len(got.Roles) == 0 {
			return nil, fmt.Errorf("GET %s: id %q, primaryTenant %q, email %q, roles %v", u, got.ID, got.PrimaryTenant, got.Email, got.Roles)
		}
		r.userBytes = [2]int{min(r.userBytes[0], n), max(r.userBytes[1], n)}
		userURLs = append(userURLs, u)
	}

	// The reference's users of account 3 are ids ≡ 4 (mod 10): the same
	// 1,000 evenly spread.
	var refUserURLs []string
	r.refUserB[0] = 1 << 30
	for i := range apiRotateIDs {
		id := 4 + 10*(i*usersPerAccount/apiRotateIDs)
		u := refURL + "/user?id=" + strconv.Itoa(id)
		var got struct{ ID int64 }
		n, err := getJSONSize(ctx, u, nil, &got)
		if err != nil {
			return nil, err
		}
		if got.ID != int64(id) {
			return nil, fmt.Errorf("GET %s: ID %d", u, got.ID)
		}
		r.refUserB = [2]int{min(r.refUserB[0], n), max(r.refUserB[1], n)}
		refUserURLs = append(refUserURLs, u)
	}

	pageURL := usersURL + "?limit=" + strconv.Itoa(usersPageSize)
	var page apiListJSON
	if r.pageBytes, err = getJSONSize(ctx, pageURL, header, &page); err != nil {
		return nil, err
	}
	if len(page.Items) != usersPageSize || page.NextCursor == nil {
		return nil, fmt.Errorf("GET %s: %d items, next cursor %v; want %d and a cursor", pageURL, len(page.Items), page.NextCursor != nil, usersPageSize)
	}
	refPageURL := refURL + "/users?offset=0"
	if r.refPageB, err = checkRefPage(ctx, refPageURL); err != nil {
		return nil, err
	}

	// Reads: the Go generator, then wrk, TD and reference back to back.
	type job struct {
		what   string
		urls   []string
		header http.Header
		out    *loadResult
	}
	var gl apiLoads
	for _, j := range []job{
		{fmt.Sprintf("API GET …/users/{userId}, %d IDs", len(userURLs)), userURLs, header, &gl.user},
		{fmt.Sprintf("reference /user?id=…, %d IDs", len(refUserURLs)), refUserURLs, nil, &gl.refUser},
		{"API GET …/users?limit=50", []string{pageURL}, header, &gl.page},
		{"reference /users?offset=0", []string{refPageURL}, nil, &gl.refPage},
	} {
		logf("loading %s for %s with %d connections (Go generator)", j.what, cfg.dur, cfg.conc)
		if *j.out, err = runLoad(ctx, j.urls, j.header, cfg.conc, cfg.dur); err != nil {
			return nil, fmt.Errorf("load %s: %w", j.what, err)
		}
		logf("  %.0f req/s, p50 %s, p99 %s", j.out.RPS(), ms(j.out.P50), ms(j.out.P99))
	}
	r.loads = append(r.loads, gl)
	if wrk != "" {
		var wl apiLoads
		userScript, refScript := filepath.Join(b.tmp, "api-user.lua"), filepath.Join(b.tmp, "ref-user.lua")
		if err := writeWrkScript(userScript, base, userURLs); err != nil {
			return nil, err
		}
		if err := writeWrkScript(refScript, refURL, refUserURLs); err != nil {
			return nil, err
		}
		auth := []string{"Authorization: " + header.Get("Authorization"), "Accept: application/json"}
		for _, j := range []struct {
			what, url, script string
			headers           []string
			out               *loadResult
		}{
			{"API GET …/users/{userId}", base + "/", userScript, auth, &wl.user},
			{"reference /user?id=…", refURL + "/", refScript, nil, &wl.refUser},
			{"API GET …/users?limit=50", pageURL, "", auth, &wl.page},
			{"reference /users?offset=0", refPageURL, "", nil, &wl.refPage},
		} {
			logf("loading %s with wrk -t1 -c%d -d%s", j.what, cfg.conc, cfg.dur)
			if *j.out, err = runWrk(ctx, wrk, j.url, j.headers, j.script, cfg.conc, cfg.dur); err != nil {
				return nil, err
			}
			logf("  %.0f req/s, p50 %s, p99 %s", j.out.RPS(), ms(j.out.P50), ms(j.out.P99))
		}
		r.loads = append(r.loads, wl)
	}
	// The token still works (wrk would count a 401 as an error, but say so plainly).
	if err := getJSON(ctx, userURLs[0], header, new(apiUserJSON)); err != nil {
		return nil, fmt.Errorf("after the load: %w", err)
	}

	// Writes: users created through the API, with their audit and outbox rows.
	before, err := countWrites(ctx, path, r.seed.accountID)
	if err != nil {
		return nil, err
	}
	logf("creating users with POST …/users for %s with %d connections (Go generator)", cfg.dur, cfg.conc)
	profDone := make(chan error, 1)
	if pprofAddr != "" {
		r.profile = filepath.Join(cfg.pprof, "create-"+st.tag()+".pprof")
		go func() { profDone <- fetchProfile(ctx, pprofAddr, r.profile, cfg.dur) }()
	}
	if r.create, err = runCreates(ctx, usersURL, header, cfg.conc, cfg.dur); err != nil {
		return nil, err
	}
	if pprofAddr != "" {
		if err := <-profDone; err != nil {
			return nil, err
		}
		logf("  CPU profile of the creations: %s", r.profile)
	}
	after, err := countWrites(ctx, path, r.seed.accountID)
	if err != nil {
		return nil, err
	}
	c := &r.create
	c.users, c.audits, c.outbox, c.sent = after[0]-before[0], after[1]-before[1], after[2]-before[2], after[3]-before[3]
	c.accountUsers = after[0]
	logf("  %.0f users/s, p50 %s, p99 %s; %d created: %d users, %d user.create audit rows, %d activation emails, %d user.activation_sent rows",
		c.RPS(), ms(c.P50), ms(c.P99), c.created, c.users, c.audits, c.outbox, c.sent)
	return r, nil
}

// apiPrefixPath is where the API lives (web.apiPrefix).
const apiPrefixPath = "/api/v1"

// checkClient sends the checks of the phases: one request at a time, with
// time to spare on a loaded machine (pollClient gives up after a second).
var checkClient = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}

// getJSON GETs url and decodes a 200 application/json answer into v.
func getJSON(ctx context.Context, url string, header http.Header, v any) error {
	_, err := getJSONSize(ctx, url, header, v)
	return err
}

// getJSONSize is getJSON that also returns the size of the body.
func getJSONSize(ctx context.Context, url string, header http.Header, v any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header = header.Clone()
	resp, err := checkClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "application/json") {
		return 0, fmt.Errorf("GET %s: status %d, %s; want 200 JSON: %.300s", url, resp.StatusCode, ct, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return 0, fmt.Errorf("GET %s: %w", url, err)
	}
	return len(body), nil
}

// walkAPIUsers lists every user of the account with the cursor and returns
// their IDs, checking that none appears twice.
func walkAPIUsers(ctx context.Context, usersURL string, header http.Header) ([]int64, error) {
	var ids []int64
	seen := map[string]bool{}
	cursor := ""
	for page := 1; ; page++ {
		u := usersURL + "?limit=" + strconv.Itoa(apiWalkLimit)
		if cursor != "" {
			u += "&cursor=" + url.QueryEscape(cursor)
		}
		var list apiListJSON
		if err := getJSON(ctx, u, header, &list); err != nil {
			return nil, err
		}
		for _, it := range list.Items {
			if seen[it.ID] {
				return nil, fmt.Errorf("API list: page %d: user %s seen on an earlier page", page, it.ID)
			}
			seen[it.ID] = true
			id, ok := tenantdesk.ParseUserID(it.ID)
			if !ok {
				return nil, fmt.Errorf("API list: page %d: id %q", page, it.ID)
			}
			ids = append(ids, id)
		}
		if list.NextCursor == nil {
			return ids, nil
		}
		if len(list.Items) != apiWalkLimit {
			return nil, fmt.Errorf("API list: page %d: %d items and a next cursor", page, len(list.Items))
		}
		cursor = *list.NextCursor
	}
}

// countWrites returns the account's users, user.create audit rows,
// activation emails in the outbox and user.activation_sent audit rows.
func countWrites(ctx context.Context, dsn string, accountID int64) ([4]int, error) {
	var n [4]int
	db, err := sqlstore.OpenRaw(dsn)
	if err != nil {
		return n, err
	}
	defer db.Close()
	err = db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM users WHERE account_id = ?1),
		(SELECT count(*) FROM audit_log WHERE account_id = ?1 AND action = ?2),
		(SELECT count(*) FROM mail_outbox WHERE account_id = ?1 AND kind = ?3),
		(SELECT count(*) FROM audit_log WHERE account_id = ?1 AND action = ?4)`,
		accountID, tenantdesk.AuditUserCreate, tenantdesk.MailActivation, tenantdesk.AuditActivationSent).Scan(&n[0], &n[1], &n[2], &n[3])
	if err != nil {
		return n, fmt.Errorf("count writes: %w", err)
	}
	return n, nil
}

// fetchProfile saves a CPU profile of the portal (built with -tags
// benchpprof) taken over d, a little less than the load it profiles.
func fetchProfile(ctx context.Context, addr, path string, d time.Duration) error {
	secs := max(1, int(d/time.Second)-1)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs), nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: d + time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("CPU profile: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("CPU profile: status %d, %v", resp.StatusCode, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o644)
}

// runCreates POSTs new users (unique emails) to usersURL from conc workers:
// one checked request, one unmeasured warm-up request per worker (so the
// connections are open), then every worker creates users one after another
// until dur has passed. Requests in flight at the end are not cancelled —
// a cancelled POST may or may not have committed, and the database check
// needs every outcome — so the window ends when the last one answers, and
// users/s is the 201s of the window divided by its length.
func runCreates(ctx context.Context, usersURL string, header http.Header, conc int, dur time.Duration) (createResult, error) {
	client := newLoadClient(conc)
	defer client.CloseIdleConnections()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	var mu sync.Mutex
	created := 0
	post := func(worker, n int) (time.Duration, []byte, error) {
		body := fmt.Sprintf(`{"displayName":"API Bench %d-%d","email":"api.%s.w%d.%d@bench%02d.example","roles":[%q]}`,
			worker, n, run, worker, n, usersAccountNo, apiCreateRoles)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, usersURL, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header = header.Clone()
		req.Header.Set("Content-Type", "application/json")
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		out, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		lat := time.Since(t0)
		if err != nil {
			return 0, nil, err
		}
		if resp.StatusCode != http.StatusCreated {
			return 0, nil, fmt.Errorf("POST %s: status %d: %.200s", usersURL, resp.StatusCode, out)
		}
		mu.Lock()
		created++
		mu.Unlock()
		return lat, out, nil
	}

	// One checked answer.
	res := createResult{}
	_, body, err := post(-1, 0)
	if err != nil {
		return res, err
	}
	var u apiUserJSON
	if err := json.Unmarshal(body, &u); err != nil {
		return res, fmt.Errorf("POST %s: %w", usersURL, err)
	}
	if u.ID == "" || u.Status != tenantdesk.UserInvited || !slices.Equal(u.Roles, []string{apiCreateRoles}) {
		return res, fmt.Errorf("POST %s: id %q, status %q, roles %v; want an invited customer.user", usersURL, u.ID, u.Status, u.Roles)
	}
	res.body = len(body)

	// Warm-up: open every connection.
	var wg sync.WaitGroup
	warmErr := make([]error, conc)
	for i := range conc {
		wg.Go(func() { _, _, warmErr[i] = post(i, 0) })
	}
	wg.Wait()
	if err := errors.Join(warmErr...); err != nil {
		return res, fmt.Errorf("warm-up: %w", err)
	}

	type workerResult struct {
		lat    []time.Duration
		errors int
		first  error
	}
	results := make([]workerResult, conc)
	start := time.Now()
	deadline := start.Add(dur)
	for i := range conc {
		wg.Go(func() {
			w := &results[i]
			for n := 1; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				lat, _, err := post(i, n)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					w.errors++
					if w.first == nil {
						w.first = err
					}
					continue
				}
				w.lat = append(w.lat, lat)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	res.loadResult = loadResult{Generator: "go", Elapsed: elapsed}
	var all []time.Duration
	for _, w := range results {
		all = append(all, w.lat...)
		res.Errors += w.errors
		if w.first != nil && res.FirstErr == "" {
			res.FirstErr = w.first.Error()
		}
	}
	slices.Sort(all)
	res.Requests = len(all)
	res.P50, res.P99 = percentile(all, 50), percentile(all, 99)
	res.created = created
	return res, nil
}

// rows adds the phase's rows to the table and returns the targets' verdicts.
func (r *apiResult) rows(t *table, cfg config) []string {
	metOr := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	var verdicts []string
	for _, l := range r.loads {
		gen := "Go generator (in-process)"
		if l.user.Generator == "wrk" {
			gen = "wrk -t1 (-H Authorization; a Lua script rotates the user paths)"
		}
		g := " (" + l.user.Generator + ")"
		run := fmt.Sprintf("%s, -c %d, %s", gen, cfg.conc, cfg.dur)
		user := l.user.RPS() / l.refUser.RPS()
		page := l.page.RPS() / l.refPage.RPS()
		t.row("API GET user by ID, req/s"+g, fmt.Sprintf("%.0f", l.user.RPS()), fmt.Sprintf("%.0f", l.refUser.RPS()), ratio(l.user.RPS(), l.refUser.RPS()),
			fmt.Sprintf("%s; TD GET /api/v1/customers/{tenantId}/users/{userId} with the Owner's bearer token (checked on every request), "+
				"%d IDs of account %d rotated (%d–%d B JSON); reference /user?id=… (%d IDs of its account 3, %d–%d B); target ≥ 0.50×: %s",
				run, apiRotateIDs, usersAccountNo, r.userBytes[0], r.userBytes[1], apiRotateIDs, r.refUserB[0], r.refUserB[1], metOr(user >= 0.5))+
				errNote(l.user, l.refUser))
		t.row("API GET user by ID, p50 / p99"+g, ms(l.user.P50)+" / "+ms(l.user.P99), ms(l.refUser.P50)+" / "+ms(l.refUser.P99),
			ratio(l.user.P99.Seconds(), l.refUser.P99.Seconds()), "ratio of p99")
		t.row("API GET users, first page of 50, req/s"+g, fmt.Sprintf("%.0f", l.page.RPS()), fmt.Sprintf("%.0f", l.refPage.RPS()), ratio(l.page.RPS(), l.refPage.RPS()),
			fmt.Sprintf("%s; TD GET /api/v1/customers/{tenantId}/users?limit=50 (10,000 users in the account, 100,000 in the DB; %d B JSON with nextCursor); "+
				"reference /users?offset=0 (%d B HTML); target ≥ 0.60×: %s", run, r.pageBytes, r.refPageB, metOr(page >= 0.6))+errNote(l.page, l.refPage))
		t.row("API GET users, first page of 50, p50 / p99"+g, ms(l.page.P50)+" / "+ms(l.page.P99), ms(l.refPage.P50)+" / "+ms(l.refPage.P99),
			ratio(l.page.P99.Seconds(), l.refPage.P99.Seconds()), "ratio of p99")
		verdicts = append(verdicts, fmt.Sprintf("%s: API single user ≥ 0.5× reference /user — %.2f× (%s); API first page ≥ 0.6× reference /users — %.2f× (%s)",
			gen, user, metOr(user >= 0.5), page, metOr(page >= 0.6)))
	}
	c := r.create
	check := fmt.Sprintf("The database afterwards: %d new users, %d user.create audit rows, %d activation emails in mail_outbox, %d user.activation_sent audit rows for %d 201s",
		c.users, c.audits, c.outbox, c.sent, c.created)
	if c.consistent() {
		check += " (all equal)"
	} else {
		check += " (**mismatch**)"
	}
	t.row("API POST users, users/s (go)", fmt.Sprintf("%.0f", c.RPS()), "—", "—",
		fmt.Sprintf("Go generator (in-process), -c %d, %s plus the requests in flight at its end (%s window); POST /api/v1/customers/{tenantId}/users, "+
			"unique emails, roles [%q] (%d B 201 answers); %d created in the window; %s; account now %d users; target ≥ 1,000/s: %s",
			cfg.conc, cfg.dur, c.Elapsed.Round(time.Millisecond), apiCreateRoles, c.body, c.Requests, check, c.accountUsers, metOr(c.RPS() >= 1000))+errNote(c.loadResult))
	t.row("API POST users, p50 / p99 (go)", ms(c.P50)+" / "+ms(c.P99), "—", "—", "one user, its roles, audit rows, activation link and outbox row per transaction")
	verdicts = append(verdicts, fmt.Sprintf("Go generator: creating users through the API ≥ 1,000/s — %.0f/s, p99 %s (%s); audit and outbox rows: %s",
		c.RPS(), ms(c.P99), metOr(c.RPS() >= 1000), map[bool]string{true: "one each per user", false: "**mismatch**: " + check}[c.consistent()]))
	return verdicts
}
