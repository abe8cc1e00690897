package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Helpers of the API tests (api_*_test.go, and the devices' API tests):
// tokens made on the operator's behalf, and a client that checks EVERY
// exchange against the served OpenAPI document (kin-openapi, see
// api_openapi_kin_test.go) and fails the test on any deviation.

var (
	docOnce      sync.Once
	docVal       *docValidator
	docErr       error
	docExchanges atomic.Int64 // exchanges validated, for the suite's sanity check
)

// validator returns the document validator, built from the first app's
// GET /api/v1/openapi.json.
func (a *testApp) validator() *docValidator {
	a.t.Helper()
	docOnce.Do(func() {
		res, err := http.Get(a.Server.URL + "/api/v1/openapi.json")
		if err != nil {
			docErr = err
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		docVal, docErr = newDocValidator(b)
	})
	if docErr != nil {
		a.t.Fatalf("OpenAPI document (%s validator): %v", validatorName, docErr)
	}
	return docVal
}

type tokenOption func(*tenantdesk.NewAPIToken)

func readOnly(in *tenantdesk.NewAPIToken) { in.ReadOnly = true }

func expiresIn(d time.Duration, now time.Time) tokenOption {
	return func(in *tenantdesk.NewAPIToken) { in.ExpiresAt = now.Add(d) }
}

// apiToken creates a token for the user with email, as the operator would
// (tenantdesk token create), and returns its secret. A customer-account
// user other than the Owner is first given onboarding.admin when they lack
// it (grantAPIRole), since tokens need it (SPEC §2): the API tests act as
// the demo's people, and the role itself is tested in
// api_tokens_access_test.go.
func (a *testApp) apiToken(email string, opts ...tokenOption) string {
	a.t.Helper()
	a.grantAPIRole(email)
	ctx := tenantdesk.OperatorContext(context.Background())
	u, err := a.DB.FindUserByEmail(ctx, email)
	if err != nil {
		a.t.Fatalf("token for %s: %v", email, err)
	}
	in := tenantdesk.NewAPIToken{Name: "test token"}
	for _, o := range opts {
		o(&in)
	}
	_, secret, err := a.Svc.Tokens.CreateToken(ctx, u.ID, in)
	if err != nil {
		a.t.Fatalf("token for %s: %v", email, err)
	}
	return secret
}

// grantAPIRole gives the user with email onboarding.admin, as the operator
// (through the same rules as every path), when they need it for API tokens
// and lack it: a user of a customer account who is not its Owner and may
// sign in. Anyone else is left as they are.
func (a *testApp) grantAPIRole(email string) {
	a.t.Helper()
	ctx := tenantdesk.OperatorContext(context.Background())
	u, err := a.DB.FindUserByEmail(ctx, email)
	if err != nil {
		a.t.Fatalf("grant onboarding.admin to %s: %v", email, err)
	}
	acc, err := a.DB.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		a.t.Fatal(err)
	}
	if !tenantdesk.NeedsAPIRole(u, acc) || u.HasRole(tenantdesk.RoleOnboardingAdmin) || !u.CanSignIn() {
		return
	}
	add := []string{tenantdesk.RoleOnboardingAdmin}
	if _, err := a.Svc.Users.UpdateUser(ctx, u.AccountID, u.ID, tenantdesk.UserPatch{AddRoles: &add}); err != nil {
		a.t.Fatalf("grant onboarding.admin to %s: %v", email, err)
	}
}

// tenantOf returns the tenant ID of the account of the user with email.
func (a *testApp) tenantOf(email string) string {
	a.t.Helper()
	u, err := a.DB.FindUserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	return u.TenantID
}

// userIDOf returns the ID (as the API writes it) of the user with email.
func (a *testApp) userIDOf(email string) string {
	a.t.Helper()
	u, err := a.DB.FindUserByEmail(context.Background(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	return tenantdesk.FormatUserID(u.ID)
}

// exchange is one request and its response, as the tests saw them.
type exchange struct {
	Method    string
	URL       *url.URL
	ReqHeader http.Header
	ReqBody   []byte
	Status    int
	ResHeader http.Header
	ResBody   []byte
}

// apiClient calls the API with one token (none when empty).
type apiClient struct {
	app   *testApp
	t     testing.TB
	token string
	// Header is sent with every request.
	Header http.Header
	// NoValidate turns the document check off for one client (tests that
	// send what no client should, e.g. a second Content-Type).
	NoValidate bool
}

func (a *testApp) api(token string) *apiClient {
	return &apiClient{app: a, t: a.t, token: token, Header: http.Header{}}
}

// apiRes is an API answer.
type apiRes struct {
	Status int
	Header http.Header
	Body   []byte
	// JSON is the decoded body when it is a JSON object.
	JSON map[string]any
}

// raw is a request body sent exactly as given.
type raw string

// do sends method path with body (nil: none; raw or []byte: as is;
// anything else: JSON-encoded), headers as name, value pairs, and checks
// the exchange against the OpenAPI document.
func (c *apiClient) do(method, path string, body any, headers ...string) *apiRes {
	c.t.Helper()
	var rb []byte
	switch b := body.(type) {
	case nil:
	case raw:
		rb = []byte(b)
	case []byte:
		rb = b
	default:
		var err error
		if rb, err = json.Marshal(b); err != nil {
			c.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, c.app.Server.URL+path, bytes.NewReader(rb))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := &apiRes{Status: res.StatusCode, Header: res.Header, Body: b}
	_ = json.Unmarshal(b, &out.JSON)
	if !c.NoValidate {
		u, _ := url.Parse(path)
		errs := c.app.validator().check(exchange{Method: method, URL: u, ReqHeader: req.Header, ReqBody: rb,
			Status: res.StatusCode, ResHeader: res.Header, ResBody: b})
		docExchanges.Add(1)
		for _, e := range errs {
			c.t.Errorf("OpenAPI (%s): %s\n  request: %s %s %s\n  response: %d %s", validatorName, e, method, path, rb, res.StatusCode, b)
		}
	}
	return out
}

func (c *apiClient) get(path string) *apiRes { c.t.Helper(); return c.do(http.MethodGet, path, nil) }
func (c *apiClient) post(path string, body any, headers ...string) *apiRes {
	c.t.Helper()
	return c.do(http.MethodPost, path, body, headers...)
}
func (c *apiClient) patch(path string, body any) *apiRes {
	c.t.Helper()
	return c.do(http.MethodPatch, path, body)
}
func (c *apiClient) delete(path string) *apiRes {
	c.t.Helper()
	return c.do(http.MethodDelete, path, nil)
}

// str returns a string field of the body ("a.b" for nested ones).
func (r *apiRes) str(field string) string {
	var v any = r.JSON
	for _, k := range strings.Split(field, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// items returns the list body's items.
func (r *apiRes) items() []map[string]any {
	var out []map[string]any
	list, _ := r.JSON["items"].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

// roles returns the "roles" of the body.
func (r *apiRes) roles() []string {
	return rolesOf(r.JSON)
}

func rolesOf(m map[string]any) []string {
	var out []string
	for _, x := range m["roles"].([]any) {
		out = append(out, x.(string))
	}
	return out
}

// fieldErrors returns the problem's errors by field.
func (r *apiRes) fieldErrors() map[string]string {
	out := map[string]string{}
	list, _ := r.JSON["errors"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		out[m["field"].(string)], _ = m["message"].(string)
	}
	return out
}

// expect fails unless the answer has status (and, for problems, code).
func (r *apiRes) expect(t *testing.T, status int, code ...string) *apiRes {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if len(code) > 0 {
		if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("Content-Type %q, want application/problem+json", ct)
		}
		if got := r.str("code"); got != code[0] {
			t.Fatalf("code %q, want %q: %s", got, code[0], r.Body)
		}
		if r.JSON["status"] != float64(status) || r.str("title") == "" || r.str("type") == "" || r.str("detail") == "" {
			t.Fatalf("incomplete problem: %s", r.Body)
		}
	}
	return r
}

// expectField fails unless the problem names field in its errors.
func (r *apiRes) expectField(t *testing.T, field string) {
	t.Helper()
	if _, ok := r.fieldErrors()[field]; !ok {
		t.Fatalf("errors do not name %q: %s", field, r.Body)
	}
}

func hasRole(roles []string, key string) bool {
	for _, r := range roles {
		if r == key {
			return true
		}
	}
	return false
}
