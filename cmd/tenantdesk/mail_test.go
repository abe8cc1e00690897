package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// serveFor starts `tenantdesk serve` with args on a free port, waits for
// /healthz and returns the base URL; the server stops when the test ends.
func serveFor(t *testing.T, args ...string) (string, *syncBuf) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := freeAddr(t)
	var out, errb syncBuf
	done := make(chan error, 1)
	args = append([]string{"serve", "--db", filepath.Join(t.TempDir(), "mail.db"), "--addr", addr, "--log-level", "error"}, args...)
	go func() { done <- run(ctx, args, getenv(nil), nil, &out, &errb) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return "http://" + addr, &out
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no /healthz: %s %s", out.String(), errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestDemoMailboxOnlyInDemoMode(t *testing.T) {
	base, out := serveFor(t, "--demo")
	if got := status(t, base+"/dev/mail"); got != http.StatusOK {
		t.Errorf("demo: /dev/mail status %d", got)
	}
	if !strings.Contains(out.String(), base+"/dev/mail") {
		t.Errorf("the demo mailbox is not announced:\n%s", out.String())
	}
	// SMTP configured, demo off: no mailbox (the relay is never contacted here).
	base, _ = serveFor(t, "--smtp-host", "127.0.0.1", "--smtp-port", "1", "--smtp-from", "desk@example.com")
	if got := status(t, base+"/dev/mail"); got != http.StatusNotFound {
		t.Errorf("SMTP without demo: /dev/mail status %d, want 404", got)
	}
	// Neither: no mailbox either, and the forgot-password page still works.
	base, _ = serveFor(t)
	if got := status(t, base+"/dev/mail"); got != http.StatusNotFound {
		t.Errorf("no SMTP, no demo: /dev/mail status %d, want 404", got)
	}
	if got := status(t, base+"/password/forgot"); got != http.StatusOK {
		t.Errorf("/password/forgot status %d", got)
	}
}

func TestServeRejectsBadMailSettings(t *testing.T) {
	for name, args := range map[string][]string{
		"TLS mode":  {"--smtp-host", "smtp.example.com", "--smtp-from", "desk@example.com", "--smtp-tls", "ssl3"},
		"no sender": {"--smtp-host", "smtp.example.com"},
		"base URL":  {"--base-url", "desk.example.com"},
		"TTL":       {"--reset-ttl", "0s"},
		"UC links":  {"--uc-download-urls", "Windows=dl.example.com/uc.msi"},
	} {
		args = append([]string{"serve", "--db", filepath.Join(t.TempDir(), "bad.db"), "--addr", "127.0.0.1:0"}, args...)
		var out, errb syncBuf
		if err := run(context.Background(), args, getenv(nil), nil, &out, &errb); err == nil {
			t.Errorf("%s: serve started", name)
		}
	}
}

// relay is a fake SMTP relay on loopback for serve: it takes any number of
// sessions without TLS or authentication and records the EHLO names and the
// messages it accepted. With hold, it reports each message's DATA on inData
// and answers it only when hold is closed, as a slow relay does.
type relay struct {
	addr   string
	hold   chan struct{}
	inData chan struct{}

	mu       sync.Mutex
	helos    []string
	accepted []*netmail.Message
	got      chan struct{}
}

func newRelay(t *testing.T, slow bool) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	r := &relay{addr: ln.Addr().String(), inData: make(chan struct{}, 10), got: make(chan struct{}, 10)}
	if slow {
		r.hold = make(chan struct{})
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go r.session(conn)
		}
	}()
	return r
}

func (r *relay) session(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	in := bufio.NewReader(conn)
	say := func(s string) { io.WriteString(conn, s+"\r\n") }
	say("220 relay.example ESMTP")
	for {
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO "), strings.HasPrefix(cmd, "HELO "):
			r.mu.Lock()
			r.helos = append(r.helos, strings.TrimSpace(line)[5:])
			r.mu.Unlock()
			say("250-relay.example")
			say("250 8BITMIME")
		case cmd == "DATA":
			say("354 go ahead")
			var data strings.Builder
			for {
				l, err := in.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			r.inData <- struct{}{}
			if r.hold != nil {
				<-r.hold
			}
			msg, err := netmail.ReadMessage(strings.NewReader(data.String()))
			if err != nil {
				say("554 unparsable")
				continue
			}
			r.mu.Lock()
			r.accepted = append(r.accepted, msg)
			r.mu.Unlock()
			say("250 queued")
			r.got <- struct{}{}
		case cmd == "QUIT":
			say("221 bye")
			return
		default: // MAIL FROM, RCPT TO, RSET, NOOP
			say("250 OK")
		}
	}
}

func (r *relay) args() []string {
	host, port, _ := net.SplitHostPort(r.addr)
	return []string{"--smtp-host", host, "--smtp-port", port, "--smtp-tls", "none", "--smtp-from", "Tenantdesk <desk@example.com>"}
}

// queueActivation prepares the database at path with a partner whose Owner
// has an activation email waiting in the outbox.
func queueActivation(t *testing.T, path string) {
	t.Helper()
	db, ops, op, owner := openWithAcme(t, path, nil)
	defer db.Close()
	if err := ops.QueueActivation(op, owner.ID); err != nil {
		t.Fatal(err)
	}
}

// openWithAcme opens the database at path (migrating it) on the clock now
// (nil: the real one) and creates the partner Acme with its Owner Olga
// through the operator's service; the caller closes db.
func openWithAcme(t *testing.T, path string, now func() time.Time) (*sqlstore.DB, *service.Operator, context.Context, *tenantdesk.User) {
	t.Helper()
	ctx := context.Background()
	db, err := openDB(ctx, path, 1)
	if err != nil {
		t.Fatal(err)
	}
	if now != nil {
		db.Now = now
	}
	ops, err := operatorService(db, "")
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	op := tenantdesk.OperatorContext(ctx)
	_, owner, err := ops.CreatePartner(op, tenantdesk.CreatePartnerInput{Name: "Acme", OwnerName: "Olga", OwnerEmail: "olga@acme.example"})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db, ops, op, owner
}

// startServe runs `tenantdesk serve` on the database at path with env and
// args until stop is called, which returns serve's error; exited is closed
// when serve returns, by itself or stopped.
func startServe(t *testing.T, path string, env map[string]string, args ...string) (stop func() error, exited <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuf
	done := make(chan struct{})
	var err error
	args = append([]string{"serve", "--db", path, "--addr", freeAddr(t), "--log-level", "error"}, args...)
	go func() {
		err = run(ctx, args, getenv(env), nil, &out, &errb)
		close(done)
	}()
	stop = func() error {
		cancel()
		<-done
		return err
	}
	t.Cleanup(func() { stop() })
	return stop, done
}

// Relays that want a fully qualified name refuse "EHLO vm": the portal
// introduces itself by the host of --base-url, or by --smtp-helo, uses the
// same domain in Message-IDs, and does not name its mail library.
func TestServeMailNamesThePortal(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"from --base-url", nil, []string{"--base-url", "https://Desk.Example.com:8443/portal"}, "Desk.Example.com"},
		{"--smtp-helo", nil, []string{"--base-url", "https://desk.example.com", "--smtp-helo", "mail.example.net"}, "mail.example.net"},
		{"TENANTDESK_SMTP_HELO", map[string]string{"TENANTDESK_SMTP_HELO": "out.example.org"}, []string{"--base-url", "https://desk.example.com"}, "out.example.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRelay(t, false)
			path := filepath.Join(t.TempDir(), "helo.db")
			queueActivation(t, path)
			stop, exited := startServe(t, path, tc.env, append(r.args(), tc.args...)...)
			select {
			case <-r.got:
			case <-exited:
				t.Fatalf("serve: %v", stop())
			case <-time.After(20 * time.Second):
				t.Fatal("the relay received no message")
			}
			if err := stop(); err != nil {
				t.Fatalf("serve: %v", err)
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			if len(r.helos) != 1 || r.helos[0] != tc.want {
				t.Errorf("EHLO %q, want %q", r.helos, tc.want)
			}
			msg := r.accepted[0]
			if id := msg.Header.Get("Message-ID"); !strings.HasSuffix(id, "@"+tc.want+">") {
				t.Errorf("Message-ID %q, want <…@%s>", id, tc.want)
			}
			for _, h := range []string{"X-Mailer", "User-Agent"} {
				if v := msg.Header.Get(h); v != "" {
					t.Errorf("%s: %q", h, v)
				}
			}
		})
	}
}

func TestServeRejectsBadHELO(t *testing.T) {
	r := newRelay(t, false)
	args := append([]string{"serve", "--db", filepath.Join(t.TempDir(), "bad.db"), "--addr", "127.0.0.1:0",
		"--base-url", "https://desk.example.com", "--smtp-helo", "desk example"}, r.args()...)
	var out, errb syncBuf
	if err := run(context.Background(), args, getenv(nil), nil, &out, &errb); err == nil || !strings.Contains(err.Error(), "desk example") {
		t.Errorf("serve with --smtp-helo %q: %v", "desk example", err)
	}
}

// A message the relay is still taking when the portal is told to stop is
// recorded as sent before the database closes: otherwise it stays claimed,
// and after the lease a restarted portal delivers it a second time.
func TestServeShutdownFinishesTheMessageInFlight(t *testing.T) {
	r := newRelay(t, true)
	path := filepath.Join(t.TempDir(), "stop.db")
	queueActivation(t, path)
	stop, exited := startServe(t, path, nil, append(r.args(), "--base-url", "https://desk.example.com")...)
	select {
	case <-r.inData:
	case <-exited:
		t.Fatalf("serve: %v", stop())
	case <-time.After(20 * time.Second):
		t.Fatal("the relay received no message")
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// serve waits for the relay's answer: it may not return before it.
	select {
	case <-exited:
		t.Error("serve returned while the relay was still taking the message")
	case <-time.After(300 * time.Millisecond):
	}
	close(r.hold)
	if err := <-stopped; err != nil {
		t.Fatalf("serve: %v", err)
	}

	db, err := openDB(context.Background(), path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msgs, err := db.ListMail(context.Background(), 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox: %d messages, %v", len(msgs), err)
	}
	if m := msgs[0]; m.SentAt.IsZero() || m.Attempts != 1 || m.LastError != "" {
		t.Errorf("after shutdown the message is not recorded as sent (it would go out again after the lease): sent %v, attempts %d, error %q",
			m.SentAt, m.Attempts, m.LastError)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.accepted) != 1 {
		t.Errorf("the relay accepted %d messages, want 1", len(r.accepted))
	}
}
