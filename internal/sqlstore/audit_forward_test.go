package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore/storetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			panic(line)
		}
		out = append(out, m)
	}
	return out
}

// TestAuditEntriesAreLoggedAfterTheCommit: every audit entry of a committed
// transaction becomes one INFO line "audit" with identifiers only (ASVS 5.0
// 16.4.3: the audit log leaves with the rest of the log); a rolled-back
// transaction logs nothing, and without AuditLog nothing is logged at all.
func TestAuditEntriesAreLoggedAfterTheCommit(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t)
	acc := storetest.Arrange(t, db)
	var buf lockedBuffer
	db.AuditLog = slog.New(slog.NewJSONHandler(&buf, nil))

	const secretish = "s3cret-token-material"
	entry := func(action string) *tenantdesk.AuditEntry {
		return &tenantdesk.AuditEntry{AccountID: acc.C1.ID, ActorUserID: acc.Admin1.ID, ActorName: acc.Admin1.DisplayName,
			Action: action, TargetType: "user", TargetID: tenantdesk.FormatUserID(acc.Member1.ID),
			Before: `{"email":"` + acc.Member1.Email + `"}`, After: `{"note":"` + secretish + `"}`, IP: "203.0.113.9"}
	}

	// Rolled back: the entry was inserted, then the transaction failed.
	boom := errors.New("boom")
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if err := tx.InsertAudit(ctx, entry(tenantdesk.AuditUserUpdate)); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("update: %v", err)
	}
	if got := buf.lines(); len(got) != 0 {
		t.Fatalf("a rolled-back entry was logged: %v", got)
	}

	// Committed: two entries, two lines, in order.
	var ids []int64
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		for _, a := range []string{tenantdesk.AuditUserDisable, tenantdesk.AuditUserEnable} {
			e := entry(a)
			if err := tx.InsertAudit(ctx, e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	lines := buf.lines()
	if len(lines) != 2 {
		t.Fatalf("%d lines after a commit of two entries, want 2: %v", len(lines), lines)
	}
	for i, l := range lines {
		want := map[string]any{"level": "INFO", "msg": "audit", "action": []string{tenantdesk.AuditUserDisable, tenantdesk.AuditUserEnable}[i],
			"account_id": float64(acc.C1.ID), "actor_kind": "user", "actor_id": tenantdesk.FormatUserID(acc.Admin1.ID),
			"target_type": "user", "target_id": tenantdesk.FormatUserID(acc.Member1.ID), "audit_id": float64(ids[i])}
		for k, v := range want {
			if l[k] != v {
				t.Errorf("line %d: %s = %v, want %v (%v)", i, k, l[k], v, l)
			}
		}
		if at, _ := l["at"].(string); !strings.HasSuffix(at, "Z") {
			t.Errorf("line %d: time %q, want UTC", i, at)
		}
	}
	raw, _ := json.Marshal(lines)
	for _, leak := range []string{secretish, acc.Member1.Email, acc.Admin1.DisplayName, "203.0.113.9"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the audit line carries %q: %s", leak, raw)
		}
	}

	// The operator (no user) is named as such.
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return tx.InsertAudit(ctx, &tenantdesk.AuditEntry{AccountID: acc.C1.ID, ActorName: tenantdesk.AuditOperatorName, Action: tenantdesk.AuditUserUpdate})
	}); err != nil {
		t.Fatal(err)
	}
	if l := buf.lines(); len(l) != 3 || l[2]["actor_kind"] != "operator" || l[2]["actor_id"] != nil {
		t.Errorf("operator line: %v", l[len(l)-1])
	}

	// Without a logger nothing is collected or written.
	db.AuditLog = nil
	if err := db.Update(ctx, func(tx tenantdesk.StoreTx) error { return tx.InsertAudit(ctx, entry(tenantdesk.AuditUserUpdate)) }); err != nil {
		t.Fatal(err)
	}
	if l := buf.lines(); len(l) != 3 {
		t.Errorf("%d lines without a logger", len(l))
	}
}
