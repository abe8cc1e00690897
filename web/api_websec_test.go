package web_test

// Issue 9, the API: the problem type URL, strict JSON keys, Idempotency-Key
// after a panic.

import (
	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/web"
	"net/http"
	"strings"
	"testing"
)

func TestAPIProblemTypeFromBaseURL(t *testing.T) {
	app := newTestApp(t, func(c *web.Config) { c.BaseURL = "https://desk.example.com/" })
	for _, host := range []string{"evil.example", "evil.example:8443"} {
		req, _ := http.NewRequest(http.MethodGet, app.Server.URL+"/api/v1/me", nil)
		req.Host = host
		res := app.client().do(req)
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", res.StatusCode)
		}
		if !strings.Contains(res.Body, `"type":"https://desk.example.com/api-docs#problem-unauthorized"`) {
			t.Errorf("Host %s: problem %s", host, res.Body)
		}
		if strings.Contains(res.Body, "evil") {
			t.Errorf("the Host header reached the problem: %s", res.Body)
		}
	}
}

func TestAPIJSONKeysExactAndUnique(t *testing.T) {
	app := newTestApp(t)
	api := app.api(app.apiToken(becky))
	path := usersPath(app.tenantOf(tom))
	userPath := path + "/" + app.userIDOf(huck)
	customers := app.api(app.apiToken(elizabeth))
	for _, tc := range []struct {
		name, method, path, body, field string
	}{
		{"upper-case key", http.MethodPost, path, `{"DisplayName":"Amy","email":"amy@fence.example","roles":["customer.user"]}`, "DisplayName"},
		{"mixed-case key", http.MethodPatch, userPath, `{"displayname":"Huck"}`, "displayname"},
		{"duplicate key", http.MethodPost, path, `{"displayName":"Amy","email":"amy@fence.example","email":"eve@fence.example","roles":["customer.user"]}`, "email"},
		{"duplicate after case folding", http.MethodPatch, userPath, `{"displayName":"A","DISPLAYNAME":"B"}`, "DISPLAYNAME"},
		{"nested case", http.MethodPost, "/api/v1/customers", `{"name":"N","owner":{"displayName":"O","EMAIL":"o@n.example"}}`, "owner.EMAIL"},
		{"nested duplicate", http.MethodPost, "/api/v1/customers", `{"name":"N","connection":{"host":"a","host":"b"}}`, "connection.host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := api
			if strings.HasPrefix(tc.path, "/api/v1/customers") && !strings.Contains(tc.path, "/users") {
				cl = customers
			}
			res := cl.do(tc.method, tc.path, raw(tc.body))
			res.expect(t, http.StatusBadRequest, "validation_failed")
			res.expectField(t, tc.field)
		})
	}
	// Exact keys still work.
	api.patch(userPath, map[string]any{"displayName": "Huckleberry Finn"}).expect(t, http.StatusOK)
}

func TestIdempotencyKeyReleasedWhenHandlerPanics(t *testing.T) {
	app := newTestApp(t)
	calls := 0
	app.Handler.AddAPIRouteForTest(http.MethodPost, "/panic-once", func(c echo.Context) error {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return c.JSON(http.StatusCreated, map[string]string{"ok": "yes"})
	})
	api := app.api(app.apiToken(becky))
	api.NoValidate = true // not a documented endpoint
	api.post("/api/v1/panic-once", map[string]any{}, "Idempotency-Key", "k-1").expect(t, http.StatusInternalServerError, "internal_error")
	res := api.post("/api/v1/panic-once", map[string]any{}, "Idempotency-Key", "k-1")
	res.expect(t, http.StatusCreated)
	if calls != 2 {
		t.Fatalf("handler ran %d times", calls)
	}
	// Stored now: a third try replays.
	if res := api.post("/api/v1/panic-once", map[string]any{}, "Idempotency-Key", "k-1"); res.Status != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %v", res.Status, res.Header)
	}
}
