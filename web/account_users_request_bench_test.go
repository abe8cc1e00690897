package web_test

// BenchmarkUsersTabRequest is one whole Users-tab request through the real
// echo server (middleware, session, CSRF, query, page), without the
// network, for an account of 10,000 users: the in-process counterpart of
// cmd/benchrun's load figures, and the one to profile:
//
//	go test -run '^$' -bench UsersTabRequest -benchmem -cpuprofile cpu.out ./web/

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
)

func BenchmarkUsersTabRequest(b *testing.B) {
	app := newTestApp(b)
	const owner = "elizabeth.bennet@classics.example"
	// 9,999 more users in the Owner's account, written in one statement
	// with keys as the store assigns them (sqlstore.NewKey); the triggers of
	// migration 0008 fill users.roles from user_roles.
	keys := make([]int64, 9999)
	for i := range keys {
		keys[i] = sqlstore.NewKey()
	}
	keysJSON, _ := json.Marshal(keys)
	app.exec(`WITH n(i, id) AS (SELECT key + 1, value FROM json_each(?))
		INSERT INTO users (id, account_id, display_name, name_norm, email, email_norm, status, created_at, updated_at)
		SELECT n.id, u.account_id, 'Bulk User ' || printf('%05d', i), 'bulk user ' || printf('%05d', i),
			'bulk' || i || '@classics.example', 'bulk' || i || '@classics.example', 'invited', 0, 0
		FROM n, users u WHERE u.email_norm = ?`, string(keysJSON), owner)
	app.exec(`INSERT INTO user_roles (user_id, account_id, role)
		SELECT id, account_id, r.role FROM users, (SELECT 'customer.user' AS role UNION ALL SELECT 'customer.user.supervisorl1') r
		WHERE email_norm LIKE 'bulk%@classics.example'`)

	c := app.client()
	c.mustSignIn(owner)
	u, _ := url.Parse(app.Server.URL)
	var cookies []string
	for _, ck := range c.http.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	cookie := strings.Join(cookies, "; ")

	for _, tc := range []struct{ name, path string }{
		{"page-1", "/account/users"},
		{"search", "/account/users?q=bulk+user+012"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodGet, tc.path, nil)
					req.Header.Set("Cookie", cookie)
					rec := httptest.NewRecorder()
					app.Handler.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Bulk User") {
						b.Fatalf("GET %s: %d", tc.path, rec.Code)
					}
				}
			})
		})
	}
}
