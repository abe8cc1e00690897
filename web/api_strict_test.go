package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/web"
)

// Strict decoding, idempotent POSTs and rate limiting: the framework every
// API area shares.

func TestAPIStrictBodies(t *testing.T) {
	app := newTestApp(t)
	api := app.api(app.apiToken(becky))
	path := usersPath(app.tenantOf(tom))
	for _, c := range []struct {
		name   string
		body   any
		ct     string
		status int
		code   string
	}{
		{"invalid UTF-8", raw("{\"displayName\":\"J\xffoe\",\"email\":\"j@fence.example\",\"roles\":[]}"), "", 400, "malformed_json"},
		{"malformed JSON", raw(`{"displayName": "Joe",`), "", 400, "malformed_json"},
		{"not an object", raw(`["Joe"]`), "", 400, "malformed_json"},
		{"two objects", raw(`{"displayName":"A","email":"a@fence.example","roles":[]} {}`), "", 400, "malformed_json"},
		{"empty body", raw(""), "", 400, "malformed_json"},
		{"form instead of JSON", raw("displayName=Joe"), "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
		{"no content type", raw(`{}`), "-", 415, "unsupported_media_type"},
		{"too large", raw(`{"displayName":"` + strings.Repeat("x", 70<<10) + `"}`), "", 413, "body_too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var headers []string
			switch c.ct {
			case "":
			case "-":
				headers = []string{"Content-Type", ""}
			default:
				headers = []string{"Content-Type", c.ct}
			}
			api.do(http.MethodPost, path, c.body, headers...).expect(t, c.status, c.code)
		})
	}
	// A charset parameter is fine; another JSON-based type is not what the
	// document takes (found by FuzzAPIBody).
	api.do(http.MethodPost, path, map[string]any{"displayName": "Joe", "email": "joe@fence.example", "roles": []string{"customer.user"}},
		"Content-Type", "application/json; charset=utf-8").expect(t, http.StatusCreated)
	api.NoValidate = true
	api.do(http.MethodPost, path, map[string]any{"displayName": "Jim", "email": "jim@fence.example", "roles": []string{"customer.user"}},
		"Content-Type", "application/problem+json").expect(t, http.StatusUnsupportedMediaType, "unsupported_media_type")
}

func TestAPIIdempotencyKey(t *testing.T) {
	app := newTestApp(t)
	tok := app.apiToken(becky)
	api := app.api(tok)
	path := usersPath(app.tenantOf(tom))
	body := map[string]any{"displayName": "Amy Lawrence", "email": "amy@fence.example", "roles": []string{"customer.user"}}
	count := func() int {
		return len(api.get(path+"?limit=200").expect(t, http.StatusOK).items())
	}
	before := count()

	first := api.post(path, body, "Idempotency-Key", "onboard-amy-1").expect(t, http.StatusCreated)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatal("the first answer says replayed")
	}
	again := api.post(path, body, "Idempotency-Key", "onboard-amy-1").expect(t, http.StatusCreated)
	if string(again.Body) != string(first.Body) || again.Header.Get("Location") != first.Header.Get("Location") ||
		again.Header.Get("Idempotent-Replayed") != "true" || again.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("replay differs:\n%s %v\n%s %v", first.Body, first.Header, again.Body, again.Header)
	}
	if n := count(); n != before+1 {
		t.Fatalf("%d users after a replay, want %d: a second effect", n, before+1)
	}
	// The same key with another body: 422, nothing done.
	other := map[string]any{"displayName": "Amy L.", "email": "amy2@fence.example", "roles": []string{"customer.user"}}
	api.post(path, other, "Idempotency-Key", "onboard-amy-1").expect(t, http.StatusUnprocessableEntity, "idempotency_key_reused")
	// A refused request is stored too: replaying it gives the same refusal.
	api.post(path, body, "Idempotency-Key", "onboard-amy-2").expect(t, http.StatusConflict, "email_taken")
	api.post(path, body, "Idempotency-Key", "onboard-amy-2").expect(t, http.StatusConflict, "email_taken")
	// Keys are per token: another token's key is its own.
	app.api(app.apiToken(becky)).post(path, other, "Idempotency-Key", "onboard-amy-1").expect(t, http.StatusCreated)
	// A bad key is named.
	api.post(path, other, "Idempotency-Key", strings.Repeat("k", 256)).expect(t, http.StatusBadRequest, "validation_failed").expectField(t, "Idempotency-Key")
	// After 24 hours the key is forgotten: the same request runs again (and meets the existing user).
	app.Clock.Advance(24*time.Hour + time.Millisecond)
	api.post(path, body, "Idempotency-Key", "onboard-amy-1").expect(t, http.StatusConflict, "email_taken")
	if n := count(); n != before+2 {
		t.Fatalf("%d users, want %d", n, before+2)
	}
	// Email POSTs are idempotent too: one email for two requests.
	mails := func() int { m, _ := app.DB.ListMail(context.Background(), 500); return len(m) }
	m0 := mails()
	ucPath := path + "/" + app.userIDOf("sid.sawyer@fence.example") + "/uc-welcome-email"
	api.post(ucPath, nil, "Idempotency-Key", "uc-sid").expect(t, http.StatusAccepted)
	api.post(ucPath, nil, "Idempotency-Key", "uc-sid").expect(t, http.StatusAccepted)
	if mails() != m0+1 {
		t.Fatalf("%d emails for one idempotent request", mails()-m0)
	}
}

func TestAPIIdempotencyConcurrent(t *testing.T) {
	// Many requests with one key at once: exactly one user is created; the
	// others replay its answer or are told the key is in use.
	app := newTestApp(t)
	tok := app.apiToken(becky)
	path := usersPath(app.tenantOf(tom))
	body := map[string]any{"displayName": "Eve Racer", "email": "eve@fence.example", "roles": []string{"customer.user"}}
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := &apiClient{app: app, t: t, token: tok, Header: http.Header{}, NoValidate: true}
			statuses[i] = c.post(path, body, "Idempotency-Key", "race").Status
		}(i)
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Fatalf("status %d in %v", s, statuses)
		}
	}
	list := app.api(tok).get(path+"?q=eve").expect(t, http.StatusOK)
	if len(list.items()) != 1 || created == 0 {
		t.Fatalf("%d users named Eve, statuses %v", len(list.items()), statuses)
	}
}

func TestAPIRateLimit(t *testing.T) {
	app := newTestApp(t, func(c *web.Config) {
		c.APIRate, c.APIBurst = 1, 2
		_, n, _ := net.ParseCIDR("127.0.0.1/32")
		c.TrustedProxies = append(c.TrustedProxies, n)
	})
	tok := app.apiToken(becky)
	from := func(ip string) *apiClient {
		c := app.api(tok)
		c.Header.Set("X-Forwarded-For", ip)
		return c
	}
	// Per token: two requests from one IP use the burst; a third from a
	// fresh IP is still over the token's limit.
	from("203.0.113.1").get("/api/v1/me").expect(t, http.StatusOK)
	from("203.0.113.1").get("/api/v1/me").expect(t, http.StatusOK)
	res := from("203.0.113.2").get("/api/v1/me").expect(t, http.StatusTooManyRequests, "rate_limited")
	if res.Header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", res.Header.Get("Retry-After"))
	}
	// Per IP: another token from the first IP is over that IP's limit, even
	// without a valid token (guessing is limited too).
	other := app.api(app.apiToken(tom))
	other.Header.Set("X-Forwarded-For", "203.0.113.1")
	other.get("/api/v1/me").expect(t, http.StatusTooManyRequests, "rate_limited")
	anon := app.api("")
	anon.Header.Set("X-Forwarded-For", "203.0.113.1")
	anon.get("/api/v1/me").expect(t, http.StatusTooManyRequests, "rate_limited")
	// Another IP and another token: fine. Time refills the buckets.
	other.Header.Set("X-Forwarded-For", "203.0.113.3")
	other.get("/api/v1/me").expect(t, http.StatusOK)
	app.Clock.Advance(2 * time.Second)
	from("203.0.113.1").get("/api/v1/me").expect(t, http.StatusOK)
	// The pages are not limited by the API's limit.
	c := app.client()
	for i := 0; i < 5; i++ {
		if r := c.get("/signin"); r.StatusCode != http.StatusOK {
			t.Fatalf("sign-in page: %d", r.StatusCode)
		}
	}
	// Without a rate (the default of tests, and --api-rate 0): no limit.
	free := newTestApp(t)
	api := free.api(free.apiToken(becky))
	for i := 0; i < 50; i++ {
		if r := api.get("/api/v1/me"); r.Status != http.StatusOK {
			t.Fatal(fmt.Sprint("request ", i, ": ", r.Status))
		}
	}
}
