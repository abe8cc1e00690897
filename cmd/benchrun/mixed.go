package main

// The mixed workload (issue 15, "Mixed load"): one portal on the demo data,
// loaded for a fixed time on loopback by workers of every kind at once —
// sign-ins (argon2id), Users-tab pages and searches, profile pages, API
// reads and writes, and requests of a partner user impersonating a
// customer after the customer granted the partner's access request — with
// requests per second and p50/p99 per kind, the errors (which must be
// none) and the portal's peak RSS (VmHWM of the child process). The
// reference is loaded right after with the same number of workers on its
// nearest endpoints, for ratios measured in the same run.

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The demo people the mixed load acts as (internal/demo).
const (
	partnerAdminEmail = "elizabeth.bennet@classics.example" // partner Owner, partner.admin: asks for access
	partnerUserEmail  = "caroline.bingley@classics.example" // partner.user: impersonates
	signinEmail       = "huck.finn@fence.example"           // signs in again and again
)

// mixedKind is one kind of request of the mix.
type mixedKind struct {
	name    string
	workers int
	ref     string // the reference endpoint it is compared with ("" for none)
	// next builds the n-th request of worker w; want is the expected status.
	next func(ctx context.Context, w, n int) (*http.Request, int, error)
	// measure, when set, sends the request itself and returns the latency
	// to record (sign-ins: the POST only, not the GET of the form).
	measure func(ctx context.Context, client *http.Client, w, n int) (time.Duration, error)
}

// mixedResult is what the mixed phase measured.
type mixedResult struct {
	store    string
	dur      time.Duration
	kinds    []mixedKindResult
	total    loadResult
	refTotal loadResult
	rssKB    int64 // the portal's VmHWM
	rssBase  int64 // its VmHWM before the load
	refRSSKB int64 // the reference's VmHWM (it served every phase)
	grant    string
}

type mixedKindResult struct {
	name, refName string
	workers       int
	td, ref       loadResult
}

// mixedPhase runs the mix on a fresh demo database on st.
func (b *bench) mixedPhase(ctx context.Context, st store, refURL string, refPID int) (*mixedResult, error) {
	cfg := b.cfg
	dsn, err := b.newDB(ctx, st, "mixed")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf("starting tenantdesk serve --demo --api-rate 0 on %s for the mixed load (%s)", addr, st.name)
	td, err := b.start(ctx, "tenantdesk-mixed-"+st.tag(), b.tdBin, nil, "serve", "--demo", "--db", dsn, "--addr", addr, "--api-rate", "0")
	if err != nil {
		return nil, err
	}
	defer b.stop(td)
	base := "http://" + addr
	if err := b.waitOK(ctx, td, base+"/healthz", time.Minute); err != nil {
		return nil, err
	}
	pw := map[string]string{}
	for _, e := range []string{ownerEmail, partnerAdminEmail, partnerUserEmail, signinEmail} {
		if pw[e], err = demoPassword(td.logPath, e); err != nil {
			return nil, err
		}
	}
	r := &mixedResult{store: st.name, dur: cfg.mixedDur}

	// The grant: the partner admin asks for access to the customer in both
	// modes, associating the partner user; the customer's Owner grants it.
	// Through the services on the same database, as the pages would.
	tenantID, grantID, err := grantAccess(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("grant: %w", err)
	}
	r.grant = fmt.Sprintf("access request %d granted by the Owner of %s", grantID, tenantID)

	_, ownerCookie, err := signIns(ctx, base, ownerEmail, pw[ownerEmail], 1)
	if err != nil {
		return nil, err
	}
	_, impCookie, err := signIns(ctx, base, partnerUserEmail, pw[partnerUserEmail], 1)
	if err != nil {
		return nil, err
	}
	if err := startImpersonation(ctx, base, impCookie, tenantID, string(tenantdesk.ModeSupport)); err != nil {
		return nil, err
	}
	// Impersonating, the partner user's Users tab is the customer's.
	if err := checkSomeUsers(ctx, base+"/account/users", http.Header{"Cookie": {impCookie}}); err != nil {
		return nil, fmt.Errorf("impersonated Users tab: %w", err)
	}

	// An API token of the Owner.
	token, err := b.tokenCreate(ctx, dsn, ownerEmail, "benchrun-mixed")
	if err != nil {
		return nil, err
	}
	bearer := http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}}
	usersURL := base + apiPrefixPath + "/customers/" + url.PathEscape(tenantID) + "/users"
	var list apiListJSON
	if err := getJSON(ctx, usersURL+"?limit=50", bearer, &list); err != nil {
		return nil, err
	}
	var userURLs []string
	for _, it := range list.Items {
		if err := getJSON(ctx, usersURL+"/"+it.ID, bearer, new(apiUserJSON)); err != nil {
			logf("  the list of %s names %s <%s>, whom GET by ID does not find: %v", tenantID, it.ID, it.Email, err)
			continue
		}
		userURLs = append(userURLs, usersURL+"/"+it.ID)
	}
	if len(userURLs) == 0 {
		return nil, errors.New("mixed: the demo customer has no users in the API")
	}

	owner := http.Header{"Cookie": {ownerCookie}}
	ownerHX := http.Header{"Cookie": {ownerCookie}, "Hx-Request": {"true"}}
	imp := http.Header{"Cookie": {impCookie}}
	searches := []string{"saw", "finn", "polly", "harper", "becky", "fence", "potter", "thatcher"}
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	getReq := func(u string, h http.Header) func(ctx context.Context, w, n int) (*http.Request, int, error) {
		return func(ctx context.Context, w, n int) (*http.Request, int, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err == nil {
				req.Header = h.Clone()
			}
			return req, http.StatusOK, err
		}
	}
	kinds := []mixedKind{
		{name: "Sign-in POST /signin (argon2id)", workers: 2, ref: "",
			measure: func(ctx context.Context, client *http.Client, w, n int) (time.Duration, error) {
				return signInOnce(ctx, client, base, signinEmail, pw[signinEmail])
			}},
		{name: "Users tab page 1 (full page)", workers: 5, ref: "/users?offset=100", next: getReq(base+"/account/users", owner)},
		{name: "Users search (HTMX fragment)", workers: 5, ref: "/users?offset=100",
			next: func(ctx context.Context, w, n int) (*http.Request, int, error) {
				return getReq(base+"/account/users?q="+searches[(w+n)%len(searches)], ownerHX)(ctx, w, n)
			}},
		{name: "Profile page GET /profile", workers: 4, ref: "/hello", next: getReq(base+"/profile", owner)},
		{name: "API GET user by ID", workers: 6, ref: "/user?id=…",
			next: func(ctx context.Context, w, n int) (*http.Request, int, error) {
				return getReq(userURLs[(w*7+n)%len(userURLs)], bearer)(ctx, w, n)
			}},
		{name: "API POST users (create)", workers: 4, ref: "",
			next: func(ctx context.Context, w, n int) (*http.Request, int, error) {
				body := fmt.Sprintf(`{"displayName":"Mixed %d-%d","email":"mixed.%s.w%d.%d@fence.example","roles":["customer.user"]}`, w, n, run, w, n)
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, usersURL, strings.NewReader(body))
				if err == nil {
					req.Header = bearer.Clone()
					req.Header.Set("Content-Type", "application/json")
				}
				return req, http.StatusCreated, err
			}},
		{name: "Impersonated Users tab (partner user in the customer)", workers: 4, ref: "/users?offset=100",
			next: getReq(base+"/account/users", imp)},
	}
	r.rssBase = vmHWM(td.cmd.Process.Pid)
	logf("mixed load for %s on %s: %d kinds, %d workers", cfg.mixedDur, st.name, len(kinds), sumWorkers(kinds))
	tdRes, total, err := runMixed(ctx, kinds, cfg.mixedDur)
	if err != nil {
		return nil, err
	}
	r.total = total
	r.rssKB = vmHWM(td.cmd.Process.Pid)
	// The sessions held: the Owner's and the impersonation.
	if err := checkSomeUsers(ctx, base+"/account/users", imp); err != nil {
		return nil, fmt.Errorf("after the mixed load, impersonated Users tab: %w", err)
	}

	// The reference with the same workers on its nearest endpoints.
	var refKinds []mixedKind
	for _, k := range kinds {
		if k.ref == "" {
			continue
		}
		u := refURL + k.ref
		if k.ref == "/user?id=…" {
			refKinds = append(refKinds, mixedKind{name: k.name, workers: k.workers, ref: k.ref,
				next: func(ctx context.Context, w, n int) (*http.Request, int, error) {
					return getReq(refURL+"/user?id="+strconv.Itoa(4+10*((w*7+n)%1000)), nil)(ctx, w, n)
				}})
			continue
		}
		refKinds = append(refKinds, mixedKind{name: k.name, workers: k.workers, ref: k.ref, next: getReq(u, nil)})
	}
	logf("the reference with the same workers on its endpoints for %s", cfg.mixedDur)
	refRes, refTotal, err := runMixed(ctx, refKinds, cfg.mixedDur)
	if err != nil {
		return nil, err
	}
	r.refTotal = refTotal
	r.refRSSKB = vmHWM(refPID)
	for i, k := range kinds {
		kr := mixedKindResult{name: k.name, refName: k.ref, workers: k.workers, td: tdRes[i]}
		for j, rk := range refKinds {
			if rk.name == k.name {
				kr.ref = refRes[j]
			}
		}
		r.kinds = append(r.kinds, kr)
		logf("  %s: %.0f req/s, p50 %s, p99 %s, %d errors", k.name, kr.td.RPS(), ms(kr.td.P50), ms(kr.td.P99), kr.td.Errors)
	}
	logf("  total %.0f req/s, %d errors; peak RSS %d MB", total.RPS(), total.Errors, r.rssKB/1024)
	return r, nil
}

func sumWorkers(ks []mixedKind) int {
	n := 0
	for _, k := range ks {
		n += k.workers
	}
	return n
}

// runMixed runs every kind's workers at once for dur (after one unmeasured
// request each) and returns each kind's figures and the total.
func runMixed(ctx context.Context, kinds []mixedKind, dur time.Duration) ([]loadResult, loadResult, error) {
	client := newLoadClient(sumWorkers(kinds))
	defer client.CloseIdleConnections()
	do := func(ctx context.Context, k mixedKind, w, n int) (time.Duration, error) {
		if k.measure != nil {
			return k.measure(ctx, client, w, n)
		}
		req, want, err := k.next(ctx, w, n)
		if err != nil {
			return 0, err
		}
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat := time.Since(t0)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != want {
			return 0, fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, want)
		}
		return lat, nil
	}
	type worker struct {
		kind   int
		lat    []time.Duration
		errors int
		first  error
	}
	var ws []*worker
	for i, k := range kinds {
		for range k.workers {
			ws = append(ws, &worker{kind: i})
		}
	}
	var wg sync.WaitGroup
	warm := make([]error, len(ws))
	for i, w := range ws {
		wg.Go(func() { _, warm[i] = do(ctx, kinds[w.kind], i, 0) })
	}
	wg.Wait()
	if err := errors.Join(warm...); err != nil {
		return nil, loadResult{}, fmt.Errorf("mixed warm-up: %w", err)
	}
	wctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	start := time.Now()
	for i, w := range ws {
		wg.Go(func() {
			for n := 1; wctx.Err() == nil; n++ {
				lat, err := do(wctx, kinds[w.kind], i, n)
				switch {
				case err == nil:
					w.lat = append(w.lat, lat)
				case wctx.Err() != nil:
				default:
					w.errors++
					if w.first == nil {
						w.first = err
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, loadResult{}, err
	}
	out := make([]loadResult, len(kinds))
	var all []time.Duration
	total := loadResult{Generator: "go", Elapsed: elapsed}
	for i := range kinds {
		res := loadResult{Generator: "go", Elapsed: elapsed}
		var lat []time.Duration
		for _, w := range ws {
			if w.kind != i {
				continue
			}
			lat = append(lat, w.lat...)
			res.Errors += w.errors
			if w.first != nil && res.FirstErr == "" {
				res.FirstErr = w.first.Error()
			}
		}
		slices.Sort(lat)
		res.Requests = len(lat)
		res.P50, res.P99 = percentile(lat, 50), percentile(lat, 99)
		out[i] = res
		all = append(all, lat...)
		total.Errors += res.Errors
		if total.FirstErr == "" {
			total.FirstErr = res.FirstErr
		}
	}
	slices.Sort(all)
	total.Requests = len(all)
	total.P50, total.P99 = percentile(all, 50), percentile(all, 99)
	return out, total, nil
}

// signInOnce signs in as a new visitor (GET /signin for the CSRF cookie
// and field, then POST /signin) and returns the time of the POST.
func signInOnce(ctx context.Context, client *http.Client, base, email, password string) (time.Duration, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/signin", nil)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	var csrfCookie string
	for _, c := range resp.Cookies() {
		if c.Name == "td_csrf" {
			csrfCookie = c.Value
		}
	}
	m := valueAttr.FindSubmatch(csrfInput.Find(body))
	if resp.StatusCode != http.StatusOK || m == nil || csrfCookie == "" {
		return 0, fmt.Errorf("GET /signin: status %d, no CSRF cookie or field", resp.StatusCode)
	}
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {html.UnescapeString(string(m[1]))}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "td_csrf="+csrfCookie)
	t0 := time.Now()
	resp, err = client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	lat := time.Since(t0)
	session := false
	for _, c := range resp.Cookies() {
		session = session || (c.Name == "td_session" && c.Value != "")
	}
	if resp.StatusCode != http.StatusSeeOther || !session {
		return 0, fmt.Errorf("POST /signin: status %d (want 303 with a td_session cookie)", resp.StatusCode)
	}
	return lat, nil
}

// grantAccess has the demo partner's admin ask for access to the demo
// customer (both modes, the partner user associated) and the customer's
// Owner grant it, through the services on dsn. It returns the customer's
// tenant ID and the request's ID.
func grantAccess(ctx context.Context, dsn string) (string, int64, error) {
	db, err := sqlstore.Open(dsn)
	if err != nil {
		return "", 0, err
	}
	defer db.Close()
	db.Hasher = auth.NewArgon2id(auth.OWASPParams, 1)
	bundle, err := i18n.New()
	if err != nil {
		return "", 0, err
	}
	svc, err := service.New(&service.Deps{Store: db, Mail: mail.NewRenderer(bundle), Now: db.Now, Hasher: db.Hasher})
	if err != nil {
		return "", 0, err
	}
	as := func(email string) (context.Context, *tenantdesk.User, *tenantdesk.Account, error) {
		u, err := db.FindUserByEmail(ctx, email)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", email, err)
		}
		acc, err := db.FindAccountByID(ctx, u.AccountID)
		if err != nil {
			return nil, nil, nil, err
		}
		return tenantdesk.WithActor(ctx, &tenantdesk.Actor{User: u, Account: acc, IP: "127.0.0.1"}), u, acc, nil
	}
	adminCtx, _, _, err := as(partnerAdminEmail)
	if err != nil {
		return "", 0, err
	}
	_, staff, _, err := as(partnerUserEmail)
	if err != nil {
		return "", 0, err
	}
	ownerCtx, _, customer, err := as(ownerEmail)
	if err != nil {
		return "", 0, err
	}
	reqs, err := svc.Access.CreateAccessRequests(adminCtx, tenantdesk.NewAccessRequest{
		Name: "mixed-load-benchmark", Message: "benchrun",
		Associations: []tenantdesk.AccessAssociation{{UserIDs: []int64{staff.ID}, AccountIDs: []int64{customer.ID}}}})
	if err != nil {
		return "", 0, fmt.Errorf("access request: %w", err)
	}
	if len(reqs) != 1 {
		return "", 0, fmt.Errorf("access request: %d requests, want 1", len(reqs))
	}
	if _, err := svc.Access.Grant(ownerCtx, reqs[0].ID, tenantdesk.AccessAnswer{Message: "granted by benchrun"}); err != nil {
		return "", 0, fmt.Errorf("grant: %w", err)
	}
	return customer.TenantID, reqs[0].ID, nil
}

// confirmForm finds the CSRF field of the impersonation's confirmation.
var csrfAny = regexp.MustCompile(`name="_csrf"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="_csrf"`)

// startImpersonation starts the impersonation of the customer tenantID in
// mode with the session of cookie: the confirmation page, then its POST.
func startImpersonation(ctx context.Context, base, cookie, tenantID, mode string) error {
	path := "/impersonate/" + tenantID + "/" + mode
	status, body, err := get(ctx, base+path, http.Header{"Cookie": {cookie}})
	if err != nil {
		return err
	}
	m := csrfAny.FindSubmatch(body)
	if status != http.StatusOK || m == nil {
		return fmt.Errorf("GET %s: status %d, CSRF field found %t", path, status, m != nil)
	}
	tok := string(m[1]) + string(m[2])
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(url.Values{"_csrf": {html.UnescapeString(tok)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	resp, err := newLoadClient(1).Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST %s: status %d, want 303", path, resp.StatusCode)
	}
	return nil
}

// vmHWM is the peak resident set size of process pid in kB, from
// /proc/<pid>/status (0 when it cannot be read).
func vmHWM(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// rows adds the phase's rows to the table.
func (m *mixedResult) rows(t *table, cfg config) {
	for _, k := range m.kinds {
		refRPS, rat, refLat := "—", "—", "—"
		if k.refName != "" {
			refRPS = fmt.Sprintf("%.0f", k.ref.RPS())
			rat = ratio(k.td.RPS(), k.ref.RPS())
			refLat = ms(k.ref.P50) + " / " + ms(k.ref.P99)
		}
		how := fmt.Sprintf("%d workers; p50 / p99 %s (reference %s); errors %d", k.workers, ms(k.td.P50)+" / "+ms(k.td.P99), refLat, k.td.Errors)
		if k.refName != "" {
			how += "; reference " + k.refName
		}
		t.row("Mixed: "+k.name+", req/s — "+m.store, fmt.Sprintf("%.0f", k.td.RPS()), refRPS, rat, how+errNote(k.td))
	}
	t.row("Mixed: all kinds, req/s — "+m.store, fmt.Sprintf("%.0f", m.total.RPS()), fmt.Sprintf("%.0f", m.refTotal.RPS()), "—",
		fmt.Sprintf("%s on loopback; p50 / p99 %s / %s; %d errors (must be 0); the reference ran only the kinds it has an endpoint for; %s",
			m.dur, ms(m.total.P50), ms(m.total.P99), m.total.Errors, m.grant)+errNote(m.total))
	t.row("Mixed: peak RSS of the portal — "+m.store, fmt.Sprintf("%.0f MB", float64(m.rssKB)/1024), fmt.Sprintf("%.0f MB", float64(m.refRSSKB)/1024),
		ratio(float64(m.rssKB), float64(m.refRSSKB)),
		fmt.Sprintf("VmHWM of the server process from /proc/<pid>/status after the load (%.0f MB before it); the reference's VmHWM covers its whole run with 100,000 users; on PostgreSQL the database server's memory is not counted",
			float64(m.rssBase)/1024))
}

// sideBySide adds the mix to the stores' side-by-side table.
func (m *mixedResult) sideBySide(i int, add func(int, string, string, string)) {
	for _, k := range m.kinds {
		r := "—"
		if k.refName != "" {
			r = ratio(k.td.RPS(), k.ref.RPS())
		}
		add(i, "Mixed: "+k.name+", req/s · p50 / p99", fmt.Sprintf("%.0f · %s / %s", k.td.RPS(), ms(k.td.P50), ms(k.td.P99)), r)
	}
	add(i, "Mixed: all, req/s · errors", fmt.Sprintf("%.0f · %d", m.total.RPS(), m.total.Errors), "—")
	add(i, "Mixed: peak RSS of the portal", fmt.Sprintf("%.0f MB", float64(m.rssKB)/1024), ratio(float64(m.rssKB), float64(m.refRSSKB)))
}

// tokenCreate makes an API token of email with the CLI.
func (b *bench) tokenCreate(ctx context.Context, dsn, email, name string) (string, error) {
	out, err := b.cli(ctx, "token", "create", "--db", dsn, "--email", email, "--name", name)
	if err != nil {
		return "", err
	}
	token := strings.TrimSpace(out)
	if !strings.HasPrefix(token, "tdk_") {
		return "", fmt.Errorf("tenantdesk token create printed %q, want a tdk_ token", token)
	}
	return token, nil
}

// checkSomeUsers makes sure url answers 200 with user rows (a session that
// ended would be a redirect to /signin).
func checkSomeUsers(ctx context.Context, url string, header http.Header) error {
	status, body, err := get(ctx, url, header)
	if err != nil {
		return err
	}
	if ids, _ := pageRows(body); status != http.StatusOK || len(ids) == 0 {
		return fmt.Errorf("GET %s: status %d, %d rows; want 200 with user rows", url, status, len(ids))
	}
	return nil
}
