package main

// The user-import phase (issue 12: "Importing 10,000 rows takes seconds,
// not minutes"): on a fresh demo database, a token of the demo Owner (made
// with `tenantdesk token create`) posts a CSV file of importRows users to
// POST /api/v1/customers/{tenantId}/user-imports, first with ?dryRun=true
// (every row checked, nothing written), then for real (every valid row
// written in one transaction, each with its user.create audit row and, for
// those with website access, an activation email); SQLite then says what
// was written. The portal runs with --api-rate 0.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// importRows is the size of the import measured: the most one import takes.
const importRows = 10000

// importResult is what the import phase measured.
type importResult struct {
	dryRun, write     time.Duration
	bytes             int // the CSV file
	imported, invalid int
	users, audits     int // new users of the account, their user.create audit rows
	mails             int // activation emails queued by the import
}

// importCSV is a phone-platform export: every user with an extension, one
// in five an ACD agent, one in ten with website access and a supervisor role.
func importCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("displayName,email,extension,roles,acdAgent\n")
	for i := range n {
		roles, agent := "", "no"
		if i%10 == 0 {
			roles = "customer.user;customer.user.supervisorl1"
		}
		if i%5 == 0 {
			agent = "yes"
		}
		fmt.Fprintf(&b, "Imported Person %05d,imported.%05d@bench.example,%d,%s,%s\n", i, i, 10000+i, roles, agent)
	}
	return b.Bytes()
}

// importPhase runs the import figures.
func (b *bench) importPhase(ctx context.Context) (*importResult, error) {
	path := filepath.Join(b.tmp, "import.db")
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf("starting tenantdesk serve --demo --api-rate 0 on %s for the import", addr)
	td, err := b.start(ctx, "tenantdesk-import", b.tdBin, nil, "serve", "--demo", "--db", path, "--addr", addr, "--api-rate", "0")
	if err != nil {
		return nil, err
	}
	defer b.stop(td)
	base := "http://" + addr
	if err := b.waitOK(ctx, td, base+"/healthz", time.Minute); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, b.tdBin, "token", "create", "--db", path, "--email", ownerEmail, "--name", "benchrun-import")
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tenantdesk token create: %w\n%s", err, stderr.Bytes())
	}
	token := strings.TrimSpace(string(out))
	call := func(method, url, contentType string, body []byte, into any) (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		took := time.Since(start)
		if err != nil {
			return 0, err
		}
		if res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%s %s: %d %.300s", method, url, res.StatusCode, raw)
		}
		return took, json.Unmarshal(raw, into)
	}
	var me struct {
		Account struct {
			TenantID string `json:"tenantId"`
		} `json:"account"`
	}
	if _, err := call(http.MethodGet, base+"/api/v1/me", "", nil, &me); err != nil {
		return nil, err
	}
	csv := importCSV(importRows)
	url := base + "/api/v1/customers/" + me.Account.TenantID + "/user-imports"
	var answer struct {
		Imported int `json:"imported"`
		Valid    int `json:"valid"`
		Invalid  int `json:"invalid"`
	}
	r := &importResult{bytes: len(csv)}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	count := func(q string, args ...any) (int, error) {
		var n int
		return n, db.QueryRowContext(ctx, q, args...).Scan(&n)
	}
	usersBefore, err := count(`SELECT count(*) FROM users`)
	if err != nil {
		return nil, err
	}

	logf("importing %d rows (%s of CSV) with ?dryRun=true", importRows, mb(int64(len(csv))))
	if r.dryRun, err = call(http.MethodPost, url+"?dryRun=true", "text/csv", csv, &answer); err != nil {
		return nil, err
	}
	if answer.Valid != importRows || answer.Imported != 0 {
		return nil, fmt.Errorf("dry run: %d valid, %d imported of %d", answer.Valid, answer.Imported, importRows)
	}
	logf("  dry run: %s", ms(r.dryRun))
	logf("importing %d rows", importRows)
	if r.write, err = call(http.MethodPost, url, "text/csv", csv, &answer); err != nil {
		return nil, err
	}
	r.imported, r.invalid = answer.Imported, answer.Invalid
	logf("  import: %s (%d imported)", ms(r.write), r.imported)
	if n, err := count(`SELECT count(*) FROM users`); err != nil {
		return nil, err
	} else {
		r.users = n - usersBefore
	}
	if r.audits, err = count(`SELECT count(*) FROM audit_log WHERE action = 'user.create' AND after_json LIKE '%"source":"import"%'`); err != nil {
		return nil, err
	}
	if r.mails, err = count(`SELECT count(*) FROM mail_outbox WHERE to_addr LIKE 'imported.%@bench.example'`); err != nil {
		return nil, err
	}
	return r, nil
}

// rows adds the phase's rows to the table and returns its verdicts.
func (r *importResult) rows(t *table) []string {
	perSec := func(d time.Duration) string { return fmt.Sprintf("%.0f rows/s", float64(importRows)/d.Seconds()) }
	t.row(fmt.Sprintf("User import, %d rows, dry run (POST …/user-imports?dryRun=true)", importRows), ms(r.dryRun), "—", "—",
		fmt.Sprintf("CSV of %s, every row checked, nothing written; %s", mb(int64(r.bytes)), perSec(r.dryRun)))
	t.row(fmt.Sprintf("User import, %d rows, one transaction (POST …/user-imports)", importRows), ms(r.write), "—", "—",
		fmt.Sprintf("%d users, %d user.create audit rows, %d activation emails written; %s", r.users, r.audits, r.mails, perSec(r.write)))
	verdict := "met"
	if r.write > time.Minute || r.imported != importRows || r.users != importRows || r.audits != importRows || r.mails != importRows/10 {
		verdict = "NOT met"
	}
	return []string{fmt.Sprintf("import %d rows in seconds, not minutes: %s in %s (%d imported, %d users, %d audit rows, %d emails)",
		importRows, verdict, ms(r.write), r.imported, r.users, r.audits, r.mails)}
}
