package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/internal/testdb"
)

// revokeBound is how long after a token's revocation every replica may
// still accept it: the read cache keeps a row at most 1 s after another
// replica changed it (sqlstore's readCacheTTL, stated in the README), plus
// a margin for the polling and the machine's load.
const revokeBound = 1500 * time.Millisecond

var totpSecretRe = regexp.MustCompile(`data-testid="totp-secret"[^>]*>([^<]+)<`)

// TestReplicas is issue 14's replica test: three `tenantdesk serve`
// processes on one PostgreSQL database, sharing the keys a deployment
// shares (--secret-key, --session-keys) and one SMTP relay. A client
// spreads seed 001's onboarding through the REST API and Users-tab edits
// through the web forms across them; one replica is killed with SIGKILL
// mid-way. Afterwards every acknowledged write is in the database with
// its audit row, no email went out twice, a session made with 2FA on one
// replica works on the others, and a revoked token is refused by all
// within revokeBound.
//
// It needs PostgreSQL: run with TENANTDESK_TEST_STORE=postgres (make test
// does, with -short, when TENANTDESK_TEST_POSTGRES is set).
func TestReplicas(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("replicas share a PostgreSQL database: run with TENANTDESK_TEST_STORE=postgres and TENANTDESK_TEST_POSTGRES")
	}
	started := time.Now()
	dsn := testdb.DSN(t)
	sink := newSMTPSink(t)
	const ownerEmail, password = "olga@replica.example", "replica-test-password-9Z"
	runCLI(t, "", "partner", "create", "--db", dsn, "--name", "Replica Partner", "--owner-email", ownerEmail, "--owner-name", "Olga Replica")
	runCLI(t, password+"\n", "user", "passwd", "--db", dsn, "--email", ownerEmail)
	apiToken := strings.TrimSpace(runCLI(t, "", "token", "create", "--db", dsn, "--email", ownerEmail, "--name", "replica clients"))

	// What every replica of a deployment shares besides the database: the
	// key encrypting TOTP secrets and the session signing keys.
	secretKey, sessionKey := hex.EncodeToString(auth.RandomBytes(32)), hex.EncodeToString(auth.RandomBytes(32))
	args := append([]string{"--db", dsn, "--secret-key", secretKey, "--session-keys", sessionKey,
		"--api-rate", "0", "--hash-concurrency", "1", "--mail-lease", "5s"}, sink.args()...)
	reps := make([]*serveProc, 3)
	for i := range reps {
		reps[i] = startServeProc(t, args...)
	}
	var killed atomic.Bool
	// live returns the replicas still running, for the client to spread
	// its requests over; before the kill, all three.
	live := func() []*serveProc {
		if killed.Load() {
			return reps[:2]
		}
		return reps
	}
	var rr atomic.Uint64
	next := func() string {
		l := live()
		return l[rr.Add(1)%uint64(len(l))].base
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	ctx := context.Background()
	raw, err := sqlstore.OpenRaw(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	// Seed 001, step 1 and 2: the customer, then its first user admin.
	st, body, err := apiCall(ctx, hc, "POST", next()+"/api/v1/customers", apiToken, map[string]any{
		"name": "St. Petersburg Steamboat Co.", "reference": "SPS-42",
		"connection": map[string]any{"platform": "pbx.example", "host": "pbx.steamboat.example", "port": 5061}})
	if err != nil || st != http.StatusCreated {
		t.Fatalf("create customer: %d %v %s", st, err, body)
	}
	var cust struct{ TenantID string }
	json.Unmarshal(body, &cust)
	usersPath := "/api/v1/customers/" + cust.TenantID + "/users"
	st, body, err = apiCall(ctx, hc, "POST", next()+usersPath, apiToken, map[string]any{
		"displayName": "Captain Bixby", "email": "bixby@steamboat.example", "roles": []string{"user.admin", "customer.user"}})
	if err != nil || st != http.StatusCreated {
		t.Fatalf("create the first admin: %d %v %s", st, err, body)
	}

	led := &crashLedger{users: map[string]*crashUser{}, tokens: map[string]string{}}
	type webUser struct {
		name    string
		maybe   []string
		created bool
	}
	webUsers := map[string]*webUser{}
	const perClient = 30
	var acked atomic.Int64
	killAt := int64(3*perClient) / 2 // mid-way through the API clients' writes
	var killOnce sync.Once
	var extra map[string]int // mailExtra right after the kill
	maybeKill := func() {
		if acked.Add(1) >= killAt {
			killOnce.Do(func() {
				reps[2].kill()
				killed.Store(true)
				extra = mailExtra(t, raw, sink)
			})
		}
	}

	// Seed 001, steps 3 to 5 by three API clients: users with roles,
	// PATCHes (display names, addRoles), activation and UC welcome emails,
	// spread round-robin over the live replicas.
	var wg sync.WaitGroup
	for c := range 3 {
		wg.Go(func() {
			var mine []string
			for n := range perClient {
				base := next()
				if len(mine) == 0 || n%2 == 0 {
					email := fmt.Sprintf("r%d-%d@steamboat.example", c, n)
					u := &crashUser{name: fmt.Sprintf("Deckhand %d-%d", c, n)}
					led.mu.Lock()
					led.users[email] = u
					led.mu.Unlock()
					st, body, err := apiCall(ctx, hc, "POST", base+usersPath, apiToken, map[string]any{
						"displayName": u.name, "email": email, "roles": []string{"customer.user", "customer.user.pbx", "customer.user.uc"}})
					led.mu.Lock()
					if err == nil && st == http.StatusCreated {
						var got struct{ ID string }
						json.Unmarshal(body, &got)
						u.id, u.createdOK = got.ID, true
						led.writes++
						mine = append(mine, email)
					} else {
						led.unacked++
						if err == nil {
							led.refused = append(led.refused, fmt.Sprintf("create %s on %s: %d %s", email, base, st, body))
						} else if base != reps[2].base {
							led.refused = append(led.refused, fmt.Sprintf("create %s on the live %s: %v", email, base, err))
						}
					}
					led.mu.Unlock()
					if err == nil {
						maybeKill()
					}
					continue
				}
				email := mine[n%len(mine)]
				led.mu.Lock()
				u := led.users[email]
				led.mu.Unlock()
				method, path, newName := "PATCH", base+usersPath+"/"+u.id, ""
				var payload any
				switch n % 6 {
				case 1:
					newName = fmt.Sprintf("Pilot %d-%d", c, n)
					payload = map[string]any{"displayName": newName}
				case 3:
					payload = map[string]any{"addRoles": []string{"customer.user.acd"}}
				default:
					method, path = "POST", path+"/uc-welcome-email"
				}
				led.mu.Lock()
				if newName != "" {
					u.maybe = append(u.maybe, newName)
				}
				led.mu.Unlock()
				st, body, err := apiCall(ctx, hc, method, path, apiToken, payload)
				led.mu.Lock()
				if err == nil && st/100 == 2 {
					switch {
					case newName != "":
						u.name, u.maybe = newName, nil
						u.ackEdits++
					case method == "PATCH" && !u.acd:
						u.acd = true
						u.ackEdits++
					}
					led.writes++
				} else {
					led.unacked++
					if err == nil {
						led.refused = append(led.refused, fmt.Sprintf("%s %s: %d %s", method, path, st, body))
					} else if base != reps[2].base {
						led.refused = append(led.refused, fmt.Sprintf("%s %s on a live replica: %v", method, path, err))
					}
				}
				led.mu.Unlock()
				if err == nil {
					maybeKill()
				}
			}
		})
	}

	// The Users tab through the web forms, with CSRF: the partner's Owner
	// invites partner users and renames them, on whichever replica is next.
	owner := newBrowser()
	if _, err := owner.signIn(ctx, next(), ownerEmail, password); err != nil {
		t.Fatal(err)
	}
	var webErrs []string
	wg.Go(func() {
		_, _, csrf, err := owner.get(ctx, next()+"/account/users")
		if err != nil || csrf == "" {
			webErrs = append(webErrs, fmt.Sprintf("Users tab: %v (no CSRF token)", err))
			return
		}
		for n := range 10 {
			email := fmt.Sprintf("staff-%d@replica.example", n)
			w := &webUser{name: fmt.Sprintf("Staff %d", n)}
			led.mu.Lock()
			webUsers[email] = w
			led.mu.Unlock()
			base := next()
			st, loc, body, err := owner.post(ctx, base+"/account/users", csrf, url.Values{
				"displayName": {w.name}, "email": {email}, "roles": {tenantdesk.RolePartnerUser}})
			if err != nil {
				if base != reps[2].base {
					webErrs = append(webErrs, fmt.Sprintf("invite %s on the live %s: %v", email, base, err))
				}
				continue // the replica was killed mid-request: not acknowledged
			}
			if st != http.StatusSeeOther || loc != "/account/users" {
				webErrs = append(webErrs, fmt.Sprintf("invite %s on %s: %d %s %.300s", email, base, st, loc, body))
				continue
			}
			led.mu.Lock()
			w.created = true
			led.writes++
			led.mu.Unlock()
			var id int64
			if err := raw.QueryRow(`SELECT id FROM users WHERE email_norm = ?`, email).Scan(&id); err != nil {
				webErrs = append(webErrs, fmt.Sprintf("invited %s: %v", email, err))
				continue
			}
			newName := w.name + " (renamed)"
			w.maybe = append(w.maybe, newName)
			base = next()
			st, loc, body, err = owner.post(ctx, base+"/account/users/"+tenantdesk.FormatUserID(id), csrf, url.Values{
				"displayName": {newName}, "email": {email}, "roles": {tenantdesk.RolePartnerUser}})
			if err != nil {
				if base != reps[2].base {
					webErrs = append(webErrs, fmt.Sprintf("rename %s on the live %s: %v", email, base, err))
				}
				continue
			}
			if st != http.StatusSeeOther {
				webErrs = append(webErrs, fmt.Sprintf("rename %s on %s: %d %s %.300s", email, base, st, loc, body))
				continue
			}
			led.mu.Lock()
			w.name, w.maybe = newName, nil
			led.writes++
			led.mu.Unlock()
		}
	})
	wg.Wait()
	if !killed.Load() {
		t.Fatalf("the replica was never killed: %d writes acknowledged, kill at %d", acked.Load(), killAt)
	}
	for _, e := range webErrs {
		t.Error(e)
	}
	for _, r := range led.refused {
		t.Errorf("refused: %s", r)
	}

	// Every acknowledged write is in the database, with its audit row and,
	// for each invitation, its outbox row.
	lost, checked := 0, 0
	for email, u := range led.users {
		var id int64
		var name string
		err := raw.QueryRow(`SELECT id, display_name FROM users WHERE email_norm = ?`, email).Scan(&id, &name)
		if err != nil {
			if u.createdOK {
				lost++
				t.Errorf("acknowledged user %s: no row: %v", email, err)
			}
			continue
		}
		if !u.createdOK {
			continue
		}
		checked++
		if tenantdesk.FormatUserID(id) != u.id {
			t.Errorf("user %s: ID %s, acknowledged %s", email, tenantdesk.FormatUserID(id), u.id)
		}
		if name != u.name && !slices.Contains(u.maybe, name) {
			lost++
			t.Errorf("user %s: display name %q, acknowledged %q", email, name, u.name)
		}
		var acd, creates, updates, invites int
		raw.QueryRow(`SELECT count(*) FROM user_roles WHERE user_id = ? AND role = 'customer.user.acd'`, id).Scan(&acd)
		if u.acd && acd != 1 {
			lost++
			t.Errorf("user %s: customer.user.acd acknowledged, not in user_roles", email)
		}
		raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'user.create' AND target_id = ?`, u.id).Scan(&creates)
		raw.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'user.update' AND target_id = ?`, u.id).Scan(&updates)
		raw.QueryRow(`SELECT count(*) FROM mail_outbox WHERE to_addr = ? AND kind = ?`, email, tenantdesk.MailActivation).Scan(&invites)
		if creates != 1 || updates < u.ackEdits || invites != 1 {
			t.Errorf("user %s: %d user.create and %d user.update audit rows (%d edits acknowledged), %d invitations",
				email, creates, updates, u.ackEdits, invites)
		}
	}
	for email, w := range webUsers {
		if !w.created {
			continue
		}
		checked++
		var name string
		if err := raw.QueryRow(`SELECT display_name FROM users WHERE email_norm = ?`, email).Scan(&name); err != nil ||
			(name != w.name && !slices.Contains(w.maybe, name)) {
			lost++
			t.Errorf("web-invited user %s: %q %v, acknowledged %q", email, name, err, w.name)
		}
	}
	t.Logf("replica writes: %d acknowledged (%d users checked), %d unanswered, %d lost; replica 3 killed after %d",
		led.writes, checked, led.unacked, lost, killAt)

	// A session made with 2FA on one replica works on the others. The
	// Owner turns 2FA on (replica 1), then signs in afresh on replica 2
	// with password and code; that session then serves pages on replica 1.
	r0, r1 := reps[0].base, reps[1].base
	_, _, csrf, err := owner.get(ctx, r0+"/profile/2fa")
	if err != nil || csrf == "" {
		t.Fatalf("2FA page: %v", err)
	}
	// Setting up asks for the current password.
	if st, _, body, err := owner.post(ctx, r0+"/profile/2fa/setup", csrf, url.Values{"password": {password}}); err != nil || st != http.StatusSeeOther {
		t.Fatalf("2FA setup: %d %v %.300s", st, err, body)
	}
	_, page, csrf, err := owner.get(ctx, r1+"/profile/2fa")
	m := totpSecretRe.FindStringSubmatch(page)
	if err != nil || m == nil {
		t.Fatalf("2FA setup page on the second replica: %v, no secret shown", err)
	}
	secret := strings.ReplaceAll(strings.TrimSpace(m[1]), " ", "")
	code, _ := auth.TOTPCode(secret, time.Now())
	if st, _, body, err := owner.post(ctx, r1+"/profile/2fa/confirm", csrf, url.Values{"code": {code}}); err != nil || st != http.StatusOK ||
		!strings.Contains(body, "recovery") {
		t.Fatalf("2FA confirm: %d %v %.300s", st, err, body)
	}
	second := newBrowser()
	loc, err := second.signIn(ctx, r0, ownerEmail, password)
	if err != nil || loc != "/signin/2fa" {
		t.Fatalf("sign-in with 2FA on: sent to %q, %v", loc, err)
	}
	_, _, csrf, err = second.get(ctx, r0+"/signin/2fa")
	if err != nil || csrf == "" {
		t.Fatalf("second-factor page: %v", err)
	}
	// The next step's code: the confirmation used this step's, and a step
	// is accepted only once (replay protection); the next is within the
	// accepted skew.
	code, _ = auth.TOTPCode(secret, time.Now().Add(auth.TOTPPeriod*time.Second))
	st, loc, page, err = second.post(ctx, r0+"/signin/2fa", csrf, url.Values{"code": {code}})
	if err != nil || st != http.StatusSeeOther || strings.HasPrefix(loc, "/signin") {
		t.Fatalf("second factor: %d %q %v %.300s", st, loc, err, page)
	}
	for _, base := range []string{r1, r0} {
		st, _, _, err := second.get(ctx, base+"/profile/tokens")
		if err != nil || st != http.StatusOK {
			t.Errorf("the 2FA session made on %s, on %s: status %d %v", r0, base, st, err)
		}
	}

	// A revoked token is refused by every replica within revokeBound. It
	// is made on one replica, used on both (so both have read it), and
	// revoked on the other.
	tok, err := second.createToken(ctx, r1, "revoke me")
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{r0, r1} {
		if st, _, err := apiCall(ctx, hc, "GET", base+"/api/v1/me", tok, nil); err != nil || st != http.StatusOK {
			t.Fatalf("new token on %s: %d %v", base, st, err)
		}
	}
	var tokID int64
	if err := raw.QueryRow(`SELECT id FROM api_tokens WHERE secret_hash = ?`, auth.HashAPIToken(tok)).Scan(&tokID); err != nil {
		t.Fatal(err)
	}
	_, _, csrf, _ = second.get(ctx, r0+"/profile/tokens")
	st, _, page, err = second.post(ctx, r0+"/profile/tokens/"+tenantdesk.FormatAPITokenID(tokID)+"/revoke", csrf, url.Values{})
	if err != nil || st != http.StatusSeeOther {
		t.Fatalf("revoke: %d %v %.300s", st, err, page)
	}
	revoked := time.Now()
	var worst time.Duration
	for _, base := range []string{r0, r1} {
		for {
			// A request sent later than the bound after the revocation
			// must be refused (when it is answered does not matter).
			since := time.Since(revoked)
			st, _, err := apiCall(ctx, hc, "GET", base+"/api/v1/me", tok, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st == http.StatusUnauthorized {
				worst = max(worst, since)
				break
			}
			if st != http.StatusOK || since > revokeBound {
				t.Fatalf("revoked token on %s, sent %v after the revocation: status %d (bound %v)", base, since.Round(time.Millisecond), st, revokeBound)
			}
			time.Sleep(20 * time.Millisecond) // polling for the refusal
		}
	}
	t.Logf("revoked token refused by every live replica %v after the revocation (bound %v)", worst.Round(time.Millisecond), revokeBound)

	// Every email is delivered, once, or twice when the relay accepted it
	// from the killed replica before it recorded it sent (the surviving
	// replicas send the killed one's claims when their lease ends).
	mails, dups := checkMailFinal(t, raw, sink, extra, false)
	if dups > 1 {
		t.Errorf("%d emails delivered twice; the one kill can leave at most one accepted but not recorded", dups)
	}
	for _, r := range reps[:2] {
		r.stop(t)
	}
	t.Logf("emails: %d, all delivered, %d twice (accepted from the killed replica before it recorded them); replica test took %v",
		mails, dups, time.Since(started).Round(time.Millisecond))
}
