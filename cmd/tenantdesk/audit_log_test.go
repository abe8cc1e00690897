package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/testdb"
)

// TestServeForwardsAuditEntries: serve writes every audit entry it commits
// as one "audit" line on stderr (ASVS 5.0 16.4.3), with IDs and no names;
// the demo fixtures' entries are not among them.
func TestServeForwardsAuditEntries(t *testing.T) {
	dsn := testdb.DSN(t)
	runCLI(t, "", "partner", "create", "--db", dsn, "--name", "Audit Partner", "--owner-email", "ada@audit.example", "--owner-name", "Ada Audit")
	token := strings.TrimSpace(runCLI(t, "", "token", "create", "--db", dsn, "--email", "ada@audit.example", "--name", "audit lines"))
	p := startServeProc(t, "--db", dsn, "--log-level", "info", "--api-rate", "0")
	hc := &http.Client{Timeout: 30 * time.Second}
	st, body, err := apiCall(context.Background(), hc, "POST", p.base+"/api/v1/customers", token, map[string]any{
		"name": "Ledger Lane Bakery", "connection": map[string]any{"platform": "pbx.example", "host": "pbx.ledger.example", "port": 5061}})
	if err != nil || st != http.StatusCreated {
		t.Fatalf("create customer: %d %v %s", st, err, body)
	}
	var c struct{ TenantID string }
	json.Unmarshal(body, &c)
	// The line is written after the commit, before the answer; stderr
	// reaches the test through a pipe, so it may come a moment later.
	var line string
	for deadline := time.Now().Add(10 * time.Second); line == "" && time.Now().Before(deadline); {
		for _, l := range strings.Split(p.stderr.String(), "\n") {
			if strings.Contains(l, "msg=audit") && strings.Contains(l, "action=account.create") && strings.Contains(l, "target_id="+c.TenantID) {
				line = l
			}
		}
		if line == "" {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if line == "" {
		t.Fatalf("no audit line for the new customer %s on stderr:\n%s", c.TenantID, p.stderr)
	}
	if !strings.Contains(line, "level=INFO") || !strings.Contains(line, "actor_kind=user") || strings.Contains(line, "Ledger") || strings.Contains(line, "Ada") {
		t.Errorf("audit line: %s", line)
	}

	// make run: the demo data is loaded without a line per fixture.
	if stderr := serveUntilHealthy(t, []string{"--db", filepath.Join(t.TempDir(), "demo.db"), "--demo"}, nil); strings.Contains(stderr, "msg=audit") {
		t.Errorf("the demo fixtures were logged as audit lines:\n%.600s", stderr)
	}
}
