package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	} {
		args = append([]string{"serve", "--db", filepath.Join(t.TempDir(), "bad.db"), "--addr", "127.0.0.1:0"}, args...)
		var out, errb syncBuf
		if err := run(context.Background(), args, getenv(nil), nil, &out, &errb); err == nil {
			t.Errorf("%s: serve started", name)
		}
	}
}
