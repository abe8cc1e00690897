package main

// The harness of the tests that run real `tenantdesk serve` processes
// (crash_test.go, replica_test.go): the binary built once per test
// binary, a child process started and waited for, killed with SIGKILL or
// stopped with SIGTERM, a fake SMTP relay counting deliveries per
// recipient, and an HTTP client for the REST API and the web forms.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// tenantdeskBinary builds ./cmd/tenantdesk once per test binary into a
// temporary directory and returns the executable's path.
func tenantdeskBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tenantdesk-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "tenantdesk")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out.String())
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestMain removes the binary tenantdeskBinary built after the last test.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// runCLI runs the binary with args (and stdin) and returns its standard
// output; a non-zero exit fails the test.
func runCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tenantdeskBinary(t), args...)
	cmd.Env = cleanEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("tenantdesk %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// cleanEnv is the environment of child processes: this one's without
// TENANTDESK_* variables, so that only the flags the test passes count.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TENANTDESK_") {
			env = append(env, kv)
		}
	}
	return env
}

// serveProc is one running `tenantdesk serve`.
type serveProc struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port
	exited chan struct{}
	stdout *lockedBuf
	stderr *lockedBuf
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var runningRe = regexp.MustCompile(`Tenantdesk is running at (http://[0-9.:\[\]]+)`)

// startServeProc starts `tenantdesk serve --addr 127.0.0.1:0 args…` and
// returns once it prints the address it listens on. The test's cleanup
// kills it if it still runs.
func startServeProc(t *testing.T, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(tenantdeskBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	cmd.Env = cleanEnv()
	p := &serveProc{cmd: cmd, exited: make(chan struct{}), stdout: &lockedBuf{}, stderr: &lockedBuf{}}
	outR, outW := io.Pipe()
	cmd.Stdout, cmd.Stderr = outW, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		outW.Close()
		close(p.exited)
	}()
	t.Cleanup(func() { p.kill() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			p.stdout.Write([]byte(line + "\n"))
			if m := runningRe.FindStringSubmatch(line); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	select {
	case p.base = <-found:
		return p
	case <-p.exited:
		t.Fatalf("serve exited before listening: %v\nstdout:\n%s\nstderr:\n%s", cmd.ProcessState, p.stdout, p.stderr)
	case <-time.After(90 * time.Second):
		p.kill()
		t.Fatalf("serve did not start within 90 s\nstdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
	}
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *serveProc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop sends SIGTERM (a graceful shutdown) and waits for the exit.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.kill()
		t.Errorf("serve did not stop within 30 s of SIGTERM\nstderr:\n%s", p.stderr)
	}
}

// smtpSink is a fake SMTP relay for every serve process of a test: it
// accepts any message without TLS or authentication and counts the
// messages delivered to each recipient.
type smtpSink struct {
	ln net.Listener

	mu    sync.Mutex
	count map[string]int // recipient → messages accepted
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, count: map[string]int{}}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(conn)
		}
	}()
	return s
}

func (s *smtpSink) session(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	in := bufio.NewReader(conn)
	say := func(line string) { io.WriteString(conn, line+"\r\n") }
	say("220 sink.example ESMTP")
	var rcpts []string
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO "), strings.HasPrefix(cmd, "HELO "):
			say("250-sink.example")
			say("250 8BITMIME")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			rcpts = nil
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			addr := strings.TrimSpace(strings.TrimSpace(line)[len("RCPT TO:"):])
			if i := strings.IndexByte(addr, ' '); i >= 0 {
				addr = addr[:i]
			}
			rcpts = append(rcpts, strings.ToLower(strings.Trim(addr, "<>")))
			say("250 OK")
		case cmd == "DATA":
			say("354 go ahead")
			for {
				l, err := in.ReadString('\n')
				if err != nil {
					return // cut off mid-message: not accepted
				}
				if l == ".\r\n" {
					break
				}
			}
			// Counted before the answer: a sender killed after this point
			// has had its message delivered.
			s.mu.Lock()
			for _, r := range rcpts {
				s.count[r]++
			}
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default: // RSET, NOOP
			say("250 OK")
		}
	}
}

// args are serve's flags for delivering to the sink.
func (s *smtpSink) args() []string {
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	return []string{"--smtp-host", host, "--smtp-port", port, "--smtp-tls", "none",
		"--smtp-from", "Tenantdesk <desk@example.com>", "--base-url", "http://desk.example.test"}
}

// snapshot returns a copy of the counts per recipient.
func (s *smtpSink) snapshot() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.count))
	for k, v := range s.count {
		out[k] = v
	}
	return out
}

// apiCall sends a REST API request with a bearer token and returns the
// status and body; err is a transport error (no answer).
func apiCall(ctx context.Context, hc *http.Client, method, url, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err // the answer was cut off: not acknowledged
	}
	return resp.StatusCode, b, nil
}

// browser is a web client with its own cookies (hosts share cookies
// whatever the port, so one browser signs in on a replica and its session
// cookie goes to every replica on 127.0.0.1).
type browser struct {
	hc *http.Client
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{hc: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// get fetches a page and returns its status, body and the CSRF token in it.
func (b *browser) get(ctx context.Context, u string) (int, string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", "", err
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", "", &url.Error{Op: "read", URL: u, Err: err} // cut off: no answer
	}
	var csrf string
	if m := csrfRe.FindSubmatch(body); m != nil {
		csrf = string(m[1])
	}
	return resp.StatusCode, string(body), csrf, nil
}

// post submits a form with the CSRF token and returns the status, the
// Location header and the body.
func (b *browser) post(ctx context.Context, u, csrf string, form url.Values) (int, string, string, error) {
	form.Set("_csrf", csrf)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.hc.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", "", &url.Error{Op: "read", URL: u, Err: err} // cut off: no answer
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body), nil
}

// signIn signs in with email and password on base; it returns where the
// portal sends the browser next ("/" when no second factor is asked).
func (b *browser) signIn(ctx context.Context, base, email, password string) (string, error) {
	_, _, csrf, err := b.get(ctx, base+"/signin")
	if err != nil {
		return "", err
	}
	st, loc, body, err := b.post(ctx, base+"/signin", csrf, url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return "", err
	}
	if st != http.StatusSeeOther && st != http.StatusFound {
		return "", fmt.Errorf("sign-in of %s: status %d: %.300s", email, st, body)
	}
	return loc, nil
}

var apiTokenRe = regexp.MustCompile(`tdk_[0-9A-Za-z]{49}`)

// createToken creates an API token on My profile › API tokens and returns it.
func (b *browser) createToken(ctx context.Context, base, name string) (string, error) {
	st, _, csrf, err := b.get(ctx, base+"/profile/tokens")
	if err != nil {
		return "", err
	}
	if st != http.StatusOK || csrf == "" {
		return "", fmt.Errorf("API tokens page: status %d", st)
	}
	st, loc, body, err := b.post(ctx, base+"/profile/tokens", csrf, url.Values{"name": {name}})
	if err != nil {
		return "", err
	}
	if st != http.StatusSeeOther || loc == "" {
		return "", fmt.Errorf("create token: status %d: %.300s", st, body)
	}
	// The new secret is shown once, on the page the form redirects to.
	if !strings.HasPrefix(loc, "http") {
		loc = base + loc
	}
	st, body, _, err = b.get(ctx, loc)
	if err != nil {
		return "", err
	}
	tok := apiTokenRe.FindString(body)
	if st != http.StatusOK || tok == "" {
		return "", fmt.Errorf("create token: status %d, no token in the page: %.300s", st, body)
	}
	return tok, nil
}

// mailCounts returns, per recipient (lower case), the outbox's rows and
// those marked sent.
func mailCounts(t *testing.T, raw *sqlstore.RawDB) (rows, sent map[string]int) {
	t.Helper()
	rs, err := raw.Query(`SELECT lower(to_addr), sent_at IS NOT NULL FROM mail_outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	rows, sent = map[string]int{}, map[string]int{}
	for rs.Next() {
		var to string
		var isSent bool
		if err := rs.Scan(&to, &isSent); err != nil {
			t.Fatal(err)
		}
		rows[to]++
		if isSent {
			sent[to]++
		}
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, sent
}

// mailExtra is taken right after a process was killed: per recipient, the
// deliveries the outbox does not record as sent. They are the messages the
// relay accepted from the killed process before it could record them
// (each goes out again when its claim's lease ends: delivery is at least
// once), and, with other replicas running, messages they are sending at
// that moment. A row marked sent that was never delivered fails the test.
func mailExtra(t *testing.T, raw *sqlstore.RawDB, sink *smtpSink) map[string]int {
	t.Helper()
	_, sent := mailCounts(t, raw)
	deliveries := sink.snapshot() // after the outbox: a delivery recorded sent is already counted
	extra := map[string]int{}
	for addr, n := range sent {
		if deliveries[addr] < n {
			t.Errorf("%s: %d emails marked sent, %d delivered", addr, n, deliveries[addr])
		}
	}
	for addr, d := range deliveries {
		if d > sent[addr] {
			extra[addr] = d - sent[addr]
		}
	}
	return extra
}

// checkMailFinal waits (up to 60 s) until every email in the outbox is
// sent, then checks each recipient's deliveries against its rows: none
// lost, and none twice beyond extra, what mailExtra saw after the last
// kill (exactly that many with exact, when a single process was running;
// at most, with replicas sending beside the killed one). It returns the
// rows and the duplicates the kills caused.
func checkMailFinal(t *testing.T, raw *sqlstore.RawDB, sink *smtpSink, extra map[string]int, exact bool) (total, dups int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var unsent int
		if err := raw.QueryRow(`SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL`).Scan(&unsent); err != nil {
			t.Fatal(err)
		}
		if unsent == 0 {
			break
		}
		if time.Now().After(deadline) {
			var lastErr string
			raw.QueryRow(`SELECT last_error FROM mail_outbox WHERE sent_at IS NULL LIMIT 1`).Scan(&lastErr)
			t.Fatalf("%d emails still unsent after 60 s (e.g. %q)", unsent, lastErr)
		}
		time.Sleep(50 * time.Millisecond) // polling the outbox
	}
	rows, _ := mailCounts(t, raw)
	deliveries := sink.snapshot()
	for addr, n := range rows {
		total += n
		d := deliveries[addr]
		switch {
		case d < n:
			t.Errorf("%s: %d emails, %d delivered", addr, n, d)
		case exact && d != n+extra[addr], !exact && d > n+extra[addr]:
			t.Errorf("%s: %d emails delivered %d times; %d accepted from a killed process before it recorded them", addr, n, d, extra[addr])
		}
		dups += max(d-n, 0)
	}
	for addr, d := range deliveries {
		if rows[addr] == 0 {
			t.Errorf("%s: %d deliveries, no outbox row", addr, d)
		}
	}
	return total, dups
}

// revokeToken revokes the API token with the public ID id on My profile ›
// API tokens.
func (b *browser) revokeToken(ctx context.Context, base, id string) error {
	_, _, csrf, err := b.get(ctx, base+"/profile/tokens")
	if err != nil {
		return err
	}
	st, _, body, err := b.post(ctx, base+"/profile/tokens/"+id+"/revoke", csrf, url.Values{})
	if err != nil {
		return err
	}
	if st != http.StatusSeeOther {
		return fmt.Errorf("revoke token %s: status %d: %.300s", id, st, body)
	}
	return nil
}

// isTransportError reports whether err is a request that got no answer
// (the server was killed), rather than an unexpected answer.
func isTransportError(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue)
}
