package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The document check itself: it must catch a response that deviates from
// the document, or the suite's "every exchange is valid" means nothing.
func TestOpenAPIValidatorCatchesDeviations(t *testing.T) {
	app := newTestApp(t)
	v := app.validator()
	tenant := app.tenantOf(tom)
	const id = "usaaaaaaaaaaaah" // tenantdesk.FormatUserID(7)
	good := `{"id":"` + id + `","displayName":"Huck Finn","email":"huck.finn@fence.example","roles":["customer.user"],` +
		`"primaryTenant":"` + tenant + `","isParent":false,"isOwner":false,"status":"active",` +
		`"createdAt":"2026-11-21T09:00:00.000Z","updatedAt":"2026-11-21T09:00:00.000Z"}`
	json := http.Header{"Content-Type": {"application/json"}}
	problem := http.Header{"Content-Type": {"application/problem+json"}}
	bearer := http.Header{"Authorization": {"Bearer tdk_x"}}
	get := func(path string, status int, h http.Header, body string) exchange {
		u, _ := url.Parse(path)
		return exchange{Method: "GET", URL: u, ReqHeader: bearer, Status: status, ResHeader: h, ResBody: []byte(body)}
	}
	userPath := usersPath(tenant) + "/" + id
	if errs := v.check(get(userPath, 200, json, good)); len(errs) > 0 {
		t.Fatalf("a valid exchange is refused: %v", errs)
	}
	for name, x := range map[string]exchange{
		"missing field":          get(userPath, 200, json, strings.Replace(good, `"isParent":false,`, "", 1)),
		"extra field":            get(userPath, 200, json, strings.Replace(good, `"isParent":false`, `"isParent":false,"password":"x"`, 1)),
		"wrong type":             get(userPath, 200, json, strings.Replace(good, `"id":"`+id+`"`, `"id":7`, 1)),
		"numeric id":             get(userPath, 200, json, strings.Replace(good, `"id":"`+id+`"`, `"id":"7"`, 1)),
		"numeric id in the path": get(usersPath(tenant)+"/7", 200, json, good),
		"bad enum":               get(userPath, 200, json, strings.Replace(good, `"active"`, `"enabled"`, 1)),
		"bad date-time":          get(userPath, 200, json, strings.Replace(good, `"2026-11-21T09:00:00.000Z"`, `"yesterday"`, 1)),
		"undocumented status":    get(userPath, 418, json, good),
		"wrong content type":     get(userPath, 200, http.Header{"Content-Type": {"text/plain"}}, good),
		"undocumented path":      get("/api/v1/whatever", 200, json, `{}`),
		"problem without code":   get(userPath, 404, problem, `{"type":"about:blank","title":"Not Found","status":404,"detail":"x"}`),
		"undocumented code":      get(userPath, 404, problem, `{"type":"https://x/api-docs","title":"Not Found","status":404,"detail":"x","code":"gone_fishing"}`),
		"429 without retry":      get(userPath, 429, problem, `{"type":"https://x/y","title":"Too Many Requests","status":429,"detail":"x","code":"rate_limited"}`),
		"unknown query accepted": get(userPath+"?verbose=1", 200, json, good),
		"no token accepted": {Method: "GET", URL: &url.URL{Path: userPath}, ReqHeader: http.Header{}, Status: 200,
			ResHeader: json, ResBody: []byte(good)},
		"invalid request accepted": {Method: "POST", URL: &url.URL{Path: usersPath(tenant)},
			ReqHeader: http.Header{"Authorization": {"Bearer x"}, "Content-Type": {"application/json"}},
			ReqBody:   []byte(`{"displayName":"X","roles":[]}`), Status: 201,
			ResHeader: http.Header{"Content-Type": {"application/json"}, "Location": {userPath}},
			ResBody:   []byte(strings.TrimSuffix(good, "}") + `,"autoAssigned":[]}`)},
	} {
		if errs := v.check(x); len(errs) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
}
