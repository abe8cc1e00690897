package web_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestHEADAnswersWhereGETDoes(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.mustSignIn(tom)
	href, _ := c.get("/profile").Doc.Find(`link[rel="stylesheet"]`).Attr("href")
	token := app.apiToken(tom)
	anon := app.client()
	for _, tc := range []struct {
		path   string
		c      *client
		bearer bool
	}{
		{"/healthz", anon, false},
		{"/readyz", anon, false},
		{href, anon, false},
		{"/favicon.ico", anon, false},
		{"/api/v1/openapi.json", anon, false},
		{"/api/v1/me", anon, true},
		{"/api/v1/me", anon, false}, // 401 problem
		{"/signin", anon, false},
		{"/", anon, false}, // redirect to sign-in
		{"/", c, false},
		{"/profile", c, false},
		{"/account/users", c, false},
		{"/no-such-page", c, false},
		{"/signout", c, false}, // POST only: 405 both ways
	} {
		send := func(method string) *response {
			req, _ := http.NewRequest(method, app.Server.URL+tc.path, nil)
			if tc.bearer {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			return tc.c.do(req)
		}
		get, head := send(http.MethodGet), send(http.MethodHead)
		name := tc.path
		if tc.bearer {
			name += " (token)"
		}
		if head.StatusCode != get.StatusCode {
			t.Errorf("HEAD %s: status %d, GET %d", name, head.StatusCode, get.StatusCode)
			continue
		}
		if head.Body != "" {
			t.Errorf("HEAD %s: a body of %d bytes", name, len(head.Body))
		}
		for _, h := range []string{"Content-Type", "Location", "Allow", "Cache-Control", "Content-Security-Policy", "WWW-Authenticate"} {
			if head.Header.Get(h) != get.Header.Get(h) {
				t.Errorf("HEAD %s: %s %q, GET %q", name, h, head.Header.Get(h), get.Header.Get(h))
			}
		}
	}
	if res := send405(app, c, "/healthz"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /healthz: %d", res.StatusCode)
	}
}

func send405(app *testApp, c *client, path string) *response {
	req, _ := http.NewRequest(http.MethodDelete, app.Server.URL+path, nil)
	return c.do(req)
}

// rawHEAD sends HEAD path over a bare connection and returns all bytes the
// server sent back: the Go client would hide a body sent against the rules.
func rawHEAD(t *testing.T, app *testApp, path string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(app.Server.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "HEAD %s HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n", path)
	b, _ := io.ReadAll(conn)
	return string(b)
}

func TestHEADSendsNoBody(t *testing.T) {
	app := newTestApp(t)
	for _, path := range []string{"/healthz", "/signin", "/api/v1/openapi.json", "/api/v1/me"} {
		got := rawHEAD(t, app, path)
		head, body, _ := strings.Cut(got, "\r\n\r\n")
		if !strings.HasPrefix(head, "HTTP/1.1 ") || body != "" {
			t.Errorf("HEAD %s: %q then a body of %d bytes", path, head, len(body))
		}
	}
	// A small body's length is announced as for GET.
	get := app.client().get("/healthz")
	if !strings.Contains(rawHEAD(t, app, "/healthz"), fmt.Sprintf("Content-Length: %d\r\n", len(get.Body))) {
		t.Errorf("HEAD /healthz lacks Content-Length %d", len(get.Body))
	}
}
