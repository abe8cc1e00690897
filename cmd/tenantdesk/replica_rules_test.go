package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/internal/testdb"
)

// TestReplicasKeepTheRules races two `tenantdesk serve` processes on one
// PostgreSQL database over the rules that are checked before a write: each
// round sends the two conflicting changes at once, one to each replica.
//   - "at least one user admin" (R4): a customer has exactly two user
//     admins and each replica takes the role from a different one. Exactly
//     one change may succeed, the other is 422 last_user_admin, and the
//     account never has no user admin.
//   - "an email exists in one account only": each replica creates a user
//     with the same new email in a different customer. Exactly one is 201,
//     the other 409 email_taken (never a 500), and one row exists.
//
// A replica checks a rule inside its write transaction, which first takes
// the database-wide write lock (sqlstore's beginTx): without it both
// replicas could read "two admins" and each remove one.
func TestReplicasKeepTheRules(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("replicas share a PostgreSQL database: run with TENANTDESK_TEST_STORE=postgres and TENANTDESK_TEST_POSTGRES")
	}
	dsn := testdb.DSN(t)
	const ownerEmail = "rita@rules.example"
	runCLI(t, "", "partner", "create", "--db", dsn, "--name", "Rules Partner", "--owner-email", ownerEmail, "--owner-name", "Rita Rules")
	token := strings.TrimSpace(runCLI(t, "", "token", "create", "--db", dsn, "--email", ownerEmail, "--name", "rule racers"))
	secretKey, sessionKey := hex.EncodeToString(auth.RandomBytes(32)), hex.EncodeToString(auth.RandomBytes(32))
	args := []string{"--db", dsn, "--secret-key", secretKey, "--session-keys", sessionKey, "--api-rate", "0", "--hash-concurrency", "1"}
	reps := [2]*serveProc{startServeProc(t, args...), startServeProc(t, args...)}
	ctx := context.Background()
	hc := &http.Client{Timeout: 30 * time.Second}
	call := func(rep int, method, path string, body any) (int, string, []byte) {
		t.Helper()
		st, b, err := apiCall(ctx, hc, method, reps[rep].base+path, token, body)
		if err != nil {
			t.Fatalf("%s %s on replica %d: %v", method, path, rep, err)
		}
		var p struct{ Code string }
		json.Unmarshal(b, &p)
		return st, p.Code, b
	}
	customer := func(name string) string {
		st, _, b := call(0, "POST", "/api/v1/customers", map[string]any{"name": name,
			"connection": map[string]any{"platform": "pbx.example", "host": "pbx.rules.example", "port": 5061}})
		if st != http.StatusCreated {
			t.Fatalf("create customer %s: %d %s", name, st, b)
		}
		var c struct{ TenantID string }
		json.Unmarshal(b, &c)
		return "/api/v1/customers/" + c.TenantID + "/users"
	}
	createUser := func(rep int, users, name, email string, roles []string) (int, string, string) {
		st, code, b := call(rep, "POST", users, map[string]any{"displayName": name, "email": email, "roles": roles})
		if st != http.StatusCreated && st != http.StatusConflict {
			t.Errorf("create %s on replica %d: %d %s", email, rep, st, b)
		}
		var u struct{ ID string }
		json.Unmarshal(b, &u)
		return st, code, u.ID
	}
	// race sends f(0) and f(1) to the two replicas at the same moment.
	race := func(f func(rep int)) {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for rep := range 2 {
			wg.Go(func() {
				<-start
				f(rep)
			})
		}
		close(start)
		wg.Wait()
	}
	raw, err := sqlstore.OpenRaw(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	const rounds = 25

	// The last user admin.
	fleet := customer("Rules Fleet")
	admins := [2]string{}
	for i := range admins {
		st, _, id := createUser(0, fleet, fmt.Sprintf("Admin %d", i), fmt.Sprintf("admin%d@fleet.example", i), []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleUserAdmin})
		if st != http.StatusCreated {
			t.Fatalf("create admin %d: %d", i, st)
		}
		admins[i] = id
	}
	var wonBy [2]int
	for round := range rounds {
		var mu sync.Mutex
		answers := map[int]string{}
		race(func(rep int) {
			st, code, b := call(rep, "PATCH", fleet+"/"+admins[rep], map[string]any{"removeRoles": []string{tenantdesk.RoleUserAdmin}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case st == http.StatusOK:
				answers[rep] = "kept"
			case st == http.StatusUnprocessableEntity && code == tenantdesk.ELastUserAdmin:
				answers[rep] = "refused"
			default:
				t.Errorf("round %d, replica %d: %d %s", round, rep, st, b)
			}
		})
		var left int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id
			JOIN accounts a ON a.id = u.account_id WHERE r.role = ? AND a.name = ?`, tenantdesk.RoleUserAdmin, "Rules Fleet").Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 1 || len(answers) != 2 || answers[0] == answers[1] {
			t.Fatalf("round %d: answers %v, %d user admins left (want one change kept, one refused, one admin)", round, answers, left)
		}
		// The role back to whoever lost it, for the next round.
		for rep, a := range answers {
			if a == "kept" {
				wonBy[rep]++
				if st, _, b := call(rep, "PATCH", fleet+"/"+admins[rep], map[string]any{"addRoles": []string{tenantdesk.RoleUserAdmin}}); st != http.StatusOK {
					t.Fatalf("round %d: give the role back: %d %s", round, st, b)
				}
			}
		}
	}
	t.Logf("last user admin: %d rounds, the change kept on replica 0 %d times, on replica 1 %d times", rounds, wonBy[0], wonBy[1])

	// One email, one account.
	east, west := customer("Rules East"), customer("Rules West")
	for round := range rounds {
		email := fmt.Sprintf("twin%d@rules.example", round)
		var mu sync.Mutex
		answers := map[int]int{}
		race(func(rep int) {
			users := [2]string{east, west}[rep]
			st, code, _ := createUser(rep, users, fmt.Sprintf("Twin %d-%d", round, rep), email, []string{tenantdesk.RoleCustomerUser, tenantdesk.RoleUserAdmin})
			mu.Lock()
			defer mu.Unlock()
			answers[rep] = st
			if st == http.StatusConflict && code != tenantdesk.EEmailTaken {
				t.Errorf("round %d, replica %d: 409 with code %q", round, rep, code)
			}
		})
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email_norm = ?`, email).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 || answers[0]+answers[1] != http.StatusCreated+http.StatusConflict {
			t.Fatalf("round %d: answers %v, %d users with %s (want one 201, one 409, one user)", round, answers, n, email)
		}
	}
}
