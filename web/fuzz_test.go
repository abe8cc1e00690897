package web_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Fuzz targets through the real server (issue 15): the real echo server
// over a real SQLite file with the demo data, called over loopback as a
// client would. Whatever the body, query or form, the answer is never a
// 5xx: the API answers problem+json with a code (and the fields at fault),
// every exchange matches the OpenAPI document (a request the server
// accepts is one the document allows), and pages answer with a page or a
// redirect. fuzz_internal_test.go fuzzes the decoders themselves.
//
// Fuzzing writes: a body that is valid creates users, devices, requests…
// in the worker's database. The properties hold in every state.

// fuzzAPI is the app and what the API targets call with.
type fuzzAPI struct {
	app     *testApp
	eliz    string // partner.admin of Classics, Inc. (tokens)
	tom     string // Owner of Tom Sawyer Fence Painting Co.
	fence   string // its tenant ID
	huck    string // a user of it
	sid     string // a user with softphones
	device  string // a device of it
	request string // an access request from Classics to it
	doc     *docValidator
}

func newFuzzAPI(f *testing.F) *fuzzAPI {
	app := newTestApp(f, withFTPSecret)
	fz := &fuzzAPI{app: app, eliz: app.apiToken(elizabeth), tom: app.apiToken(tom), fence: app.tenantOf(tom),
		huck: app.userIDOf(huck), sid: app.userIDOf(sid)}
	fz.doc = app.validator()
	res := app.api(fz.tom).get(devicesPath(fz.fence) + "?limit=1")
	if res.Status != http.StatusOK || len(res.items()) != 1 {
		f.Fatalf("devices: %d %s", res.Status, res.Body)
	}
	fz.device, _ = res.items()[0]["id"].(string)
	res = app.api(fz.eliz).post(accessPath, seed002Request(app, "fuzz"))
	if res.Status != http.StatusCreated {
		f.Fatalf("access request: %d %s", res.Status, res.Body)
	}
	items, _ := res.JSON["items"].([]any)
	for _, it := range items {
		if m, _ := it.(map[string]any); m["customer"].(map[string]any)["tenantId"] == fz.fence {
			fz.request, _ = m["id"].(string)
		}
	}
	if fz.request == "" {
		f.Fatalf("access request: no request to %s in %s", fz.fence, res.Body)
	}
	return fz
}

// call sends one request and checks the answer: never 5xx; a 4xx is a
// problem+json naming a code, its status and the fields at fault; a
// success is JSON (or empty); and the exchange matches the document.
func (fz *fuzzAPI) call(t *testing.T, method, path, token, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, fz.app.Server.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Skip() // not a request a client can send (the path is the fuzzer's)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 {
		t.Fatalf("%s %s %q: %d %s", method, path, body, res.StatusCode, b)
	}
	var obj map[string]any
	ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	switch {
	case res.StatusCode >= 400:
		if ct != "application/problem+json" || json.Unmarshal(b, &obj) != nil {
			t.Fatalf("%s %s %q: %d %s %s, want problem+json", method, path, body, res.StatusCode, ct, b)
		}
		if code, _ := obj["code"].(string); code == "" || code == "internal_error" || obj["status"] != float64(res.StatusCode) {
			t.Fatalf("%s %s %q: %d %s", method, path, body, res.StatusCode, b)
		}
		errs, _ := obj["errors"].([]any)
		for _, e := range errs {
			if m, _ := e.(map[string]any); m["field"] == "" || m["message"] == "" {
				t.Fatalf("%s %s %q: %d %s: an error without field or message", method, path, body, res.StatusCode, b)
			}
		}
	case res.StatusCode != http.StatusNoContent:
		if ct != "application/json" || json.Unmarshal(b, &obj) != nil {
			t.Fatalf("%s %s %q: %d %s %s, want JSON", method, path, body, res.StatusCode, ct, b)
		}
	}
	u, _ := url.Parse(path)
	docBody := body
	if len(bytes.TrimSpace(body)) == 0 && res.StatusCode < 400 {
		// The POSTs without input take white space as no body (a client
		// that sends "\n"); the document says "no body", which it is.
		docBody = nil
	}
	for _, e := range fz.doc.check(exchange{Method: method, URL: u, ReqHeader: req.Header, ReqBody: docBody,
		Status: res.StatusCode, ResHeader: res.Header, ResBody: b}) {
		if strings.Contains(e, "undocumented query parameter") {
			continue // the API ignores query parameters it does not know, as HTTP APIs do
		}
		t.Errorf("OpenAPI: %s\n  request: %s %s %q\n  response: %d %s", e, method, path, body, res.StatusCode, b)
	}
	return res.StatusCode, obj
}

// apiBodyRoute is one route that takes a body, with who calls it.
type apiBodyRoute struct {
	method, path string
	eliz         bool // the partner admin's token, else Tom's
}

func (fz *fuzzAPI) bodyRoutes() []apiBodyRoute {
	cust := "/api/v1/customers/" + fz.fence
	req := accessPath + "/" + fz.request
	return []apiBodyRoute{
		{http.MethodPost, "/api/v1/customers", true},
		{http.MethodPatch, cust, true},
		{http.MethodPost, cust + "/users", false},
		{http.MethodPatch, cust + "/users/" + fz.huck, false},
		{http.MethodPost, cust + "/devices", false},
		{http.MethodPatch, cust + "/devices/" + fz.device, false},
		{http.MethodPut, cust + "/users/" + fz.sid + "/devices", false},
		{http.MethodPost, cust + "/user-imports?dryRun=true", false},
		{http.MethodPost, cust + "/user-imports", false},
		{http.MethodPost, accessPath, true},
		{http.MethodPatch, req, true},
		{http.MethodPost, req + "/grant", false},
		{http.MethodPost, req + "/deny", false},
		{http.MethodPost, req + "/withdraw", true},
		{http.MethodPost, req + "/revoke", false},
		{http.MethodPost, cust + "/users/" + fz.huck + "/activation-email", false},
		{http.MethodPost, cust + "/users/" + fz.sid + "/uc-welcome-email", false},
	}
}

var fuzzContentTypes = []string{"application/json", "application/json; charset=utf-8", "application/problem+json", "text/csv",
	"text/plain", "", "application/x-www-form-urlencoded", "application/json; charset=latin1", "multipart/form-data; boundary=x"}

// FuzzAPIBody sends any body to every API route that takes one, with the
// token of someone who may call it: 2xx, or 4xx problem+json, never 5xx.
func FuzzAPIBody(f *testing.F) {
	for i, body := range []string{
		`{"name":"Mill Pond Ltd","owner":{"displayName":"Ann Mill","email":"ann@mill.example"}}`,
		`{"reference":"FENCE-2","connection":{"sip":{"host":"pbx.fence.example"}}}`,
		`{"displayName":"Ben Rogers","email":"ben.rogers@fence.example","roles":["customer.user"]}`,
		`{"addRoles":["customer.user.supervisorl1"],"removeRoles":["customer.user.supervisorl3"]}`,
		`{"name":"Hall phone","kind":"deskphone","extension":"209","macAddress":"00:11:22:33:44:55"}`,
		`{"extension":"2"}`,
		`{"softphones":[]}`,
		`{"rows":[{"displayName":"Amy Lawrence","email":"amy@fence.example","roles":["customer.user"],"acdAgent":false}]}`,
		"displayName,email,roles\nJoe Harper Jr,joe.jr@fence.example,customer.user\n",
		`{"name":"fuzz-2","modes":["support"],"associations":[]}`,
		`{"expiresAt":"2027-01-31T00:00:00Z"}`,
		`{"modes":["support","configure"],"expiresAt":null,"message":"ok"}`,
		`{"message":"no thanks"}`,
		``,
		`{}`,
	} {
		f.Add(uint8(i), uint8(0), []byte(body))
	}
	f.Add(uint8(8), uint8(3), []byte("displayName,email\nX,x@fence.example\n"))
	f.Add(uint8(2), uint8(5), []byte(`{"displayName":"A","email":"a@fence.example"}`))
	f.Add(uint8(2), uint8(0), []byte(`null`))
	f.Add(uint8(0), uint8(0), []byte(`{"":1}`))
	f.Add(uint8(3), uint8(0), []byte(`{"roles":["customer.user"],"roles":[]}`))
	f.Add(uint8(0), uint8(0), []byte(`{"name":"x","connection":"sip"}`))
	f.Add(uint8(9), uint8(0), []byte(`{"name":"bad name!","associations":[{"userIds":["nope"],"customerIds":["nope"]}]}`))
	f.Add(uint8(16), uint8(0), []byte(" \n"))
	f.Add(uint8(15), uint8(5), []byte(" "))
	f.Add(uint8(13), uint8(3), []byte("\t"))
	fz := newFuzzAPI(f)
	routes := fz.bodyRoutes()
	f.Fuzz(func(t *testing.T, which, ct uint8, body []byte) {
		r := routes[int(which)%len(routes)]
		token := fz.tom
		if r.eliz {
			token = fz.eliz
		}
		fz.call(t, r.method, r.path, token, fuzzContentTypes[int(ct)%len(fuzzContentTypes)], body)
	})
}

// FuzzAPIQuery sends any query string and any cursor to every list: the
// cursor (decoded by the store), limit, search and filters are a page or
// a 400 on the field at fault.
func FuzzAPIQuery(f *testing.F) {
	for i := range 6 {
		f.Add(uint8(i), "limit=2", "")
		f.Add(uint8(i), "limit=0&q=%00", "bm9wZQ")
	}
	f.Add(uint8(1), "q=sawyer&limit=1", "MTpUb20")
	f.Add(uint8(0), "status=disabled&sort=created", "Yzo5OTk5OTk5OTk5OTk5OTk5OTk5OTk6MQ")
	f.Add(uint8(0), "sort=status", "czoxOjk5OlRvbQ")
	f.Add(uint8(2), "kind=softphone", "-1:x")
	f.Add(uint8(3), "state=granted", "%%%")
	f.Add(uint8(4), "", "OTIyMzM3MjAzNjg1NDc3NTgwNzp4")
	fz := newFuzzAPI(f)
	cust := "/api/v1/customers/" + fz.fence
	lists := []struct {
		path  string
		token string
	}{
		{"/api/v1/customers", fz.eliz},
		{cust + "/users", fz.tom},
		{cust + "/devices", fz.tom},
		{accessPath, fz.tom},
		{accessPath, fz.eliz},
		{cust + "/users", fz.eliz},
	}
	// A real cursor of each list, for the fuzzer to mutate.
	for _, l := range lists {
		c := fz.app.api(l.token)
		c.NoValidate = true // the access requests' list takes no limit
		res := c.get(l.path + "?limit=1")
		if c, _ := res.JSON["nextCursor"].(string); c != "" {
			f.Add(uint8(0), "limit=1", c)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, query, cursor string) {
		l := lists[int(which)%len(lists)]
		q := queryBytes(query)
		if cursor != "" {
			if q != "" {
				q += "&"
			}
			q += "cursor=" + url.QueryEscape(cursor)
		}
		status, obj := fz.call(t, http.MethodGet, l.path+"?"+q, l.token, "", nil)
		switch status {
		case http.StatusOK:
			if _, ok := obj["items"].([]any); !ok {
				t.Fatalf("GET %s?%s: 200 without items: %v", l.path, q, obj)
			}
		case http.StatusBadRequest:
			errs, _ := obj["errors"].([]any)
			if len(errs) == 0 {
				t.Fatalf("GET %s?%s: 400 names no parameter: %v", l.path, q, obj)
			}
		default:
			t.Fatalf("GET %s?%s: %d %v", l.path, q, status, obj)
		}
	})
}

// FuzzAPIToken sends any Authorization header: 401 problem+json with a
// WWW-Authenticate challenge for everything but a live token's.
func FuzzAPIAuthorization(f *testing.F) {
	f.Add("Bearer tdk_0000000000000000000000000000000000000000000000000")
	f.Add("bearer  ")
	f.Add("Basic dG9tOnNhd3llcg==")
	f.Add("Bearer tdk_" + strings.Repeat("z", 60))
	f.Add("")
	fz := newFuzzAPI(f)
	f.Add("Bearer " + fz.tom)
	f.Add("Bearer  " + fz.tom + " ")
	f.Add("BEARER " + strings.ToLower(fz.tom))
	f.Fuzz(func(t *testing.T, header string) {
		req, err := http.NewRequest(http.MethodGet, fz.app.Server.URL+"/api/v1/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header["Authorization"] = []string{header}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return // a header no HTTP/1.1 request can carry (a line break, say): the client refuses it
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusOK:
			if !strings.Contains(header, fz.tom) {
				t.Fatalf("Authorization %q: 200 %s", header, b)
			}
		case http.StatusUnauthorized:
			if res.Header.Get("WWW-Authenticate") == "" || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("Authorization %q: 401 without a challenge or problem: %v %s", header, res.Header, b)
			}
		default:
			t.Fatalf("Authorization %q: %d %s", header, res.StatusCode, b)
		}
	})
}

// fuzzPages are the signed-in people of the form targets and their forms.
type fuzzPages struct {
	app  *testApp
	tom  *client
	eliz *client
}

// FuzzForm posts any form to the forms that parse people's input (the
// invite and user forms, the role editor, personal data, preferences with
// the time zone, API tokens, 2FA codes, the import preview, the partner's
// access request and customer forms) and gets any page with any query
// (searches and cursors of the lists): a page or a redirect, never a 5xx.
func FuzzForm(f *testing.F) {
	seeds := []struct {
		which uint8
		form  string
	}{
		{0, "displayName=Ben+Rogers&email=ben%40fence.example&roles=customer.user&roles=customer.user.pbx"},
		{0, "displayName=&email=not-an-email&roles=no.such.role"},
		{1, "roles=customer.user&roles=customer.user.supervisorl1&roles=customer.user.supervisorl3"},
		{1, "roles=&roles=customer.user"},
		{2, "displayName=Huckleberry+Finn&email=huck%40fence.example&roles=customer.user"},
		{3, "displayName=Tom+Sawyer&phone=%2B1+555&jobTitle=Painter"},
		{4, "language=de&timeZone=Europe%2FBerlin"},
		{4, "language=xx-YY&timeZone=Mars%2FOlympus"},
		{5, "name=deploy&expiresAt=2027-01-31&readOnly=on"},
		{5, "name=&expiresAt=31.01.2027"},
		{6, "code=123+456"},
		{6, "code=abcd-efgh-jkmn-pqrs"},
		{7, "text=displayName%2Cemail%0AAmy%2Camy%40fence.example%0A"},
		{8, "name=fuzz-form&modes=support&expiresAt=2027-01-31&users.0=x&customers.0=y"},
		{9, "name=Tom+Sawyer+Fence+Painting+Co.&reference=TS-1&description=Fences"},
		{10, "q=saw&after=MTpUb20"},
		{11, "after=%ff%fe&action=user.create"},
		{12, "q=%25&status=disabled&sort=status&after=czoxOjk5OlRvbQ"},
	}
	for _, s := range seeds {
		f.Add(s.which, s.form)
	}
	app := newTestApp(f)
	p := &fuzzPages{app: app, tom: app.client(), eliz: app.client()}
	p.tom.mustSignIn(tom)
	p.eliz.mustSignIn(elizabeth)
	huckID := mustUserKey(f, app, huck)
	// The pending 2FA set-up whose confirmation takes a code.
	if res := p.tom.post("/profile/2fa/setup", nil); res.StatusCode >= 400 {
		f.Fatalf("2FA setup: %d", res.StatusCode)
	}
	p.tom.get("/")
	p.eliz.get("/")
	forms := []struct {
		path string
		eliz bool
		get  bool
	}{
		{"/account/users", false, false},
		{"/account/users/" + huckID + "/roles", false, false},
		{"/account/users/" + huckID, false, false},
		{"/profile", false, false},
		{"/profile/preferences", false, false},
		{"/profile/tokens", false, false},
		{"/profile/2fa/confirm", false, false},
		{"/account/users/import/preview", false, false},
		{"/partner/access-requests", true, false},
		{"/partner/customers/" + app.tenantOf(tom) + "/general", true, false},
		{"/account/users", false, true},
		{"/account/audit", false, true},
		{"/partner/customers", true, true},
	}
	f.Fuzz(func(t *testing.T, which uint8, form string) {
		fm := forms[int(which)%len(forms)]
		c := p.tom
		if fm.eliz {
			c = p.eliz
		}
		var req *http.Request
		if fm.get {
			req, _ = http.NewRequest(http.MethodGet, app.Server.URL+fm.path+"?"+queryBytes(form), nil)
		} else {
			// The fuzzed form first: its values win where it repeats a
			// name, except the CSRF token, which is read from the header.
			req, _ = http.NewRequest(http.MethodPost, app.Server.URL+fm.path, strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
		if req == nil {
			t.Skip()
		}
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case res.StatusCode >= 500:
			t.Fatalf("%s %s %q: %d %s", req.Method, fm.path, form, res.StatusCode, b)
		case res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized:
			t.Fatalf("%s %s %q: %d: the signed-in session or its CSRF token was refused", req.Method, fm.path, form, res.StatusCode)
		case res.StatusCode >= 300 && res.StatusCode < 400:
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "/signin") || strings.HasPrefix(loc, "//") {
				t.Fatalf("%s %s %q: %d to %q", req.Method, fm.path, form, res.StatusCode, loc)
			}
		case !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"):
			t.Fatalf("%s %s %q: %d %s", req.Method, fm.path, form, res.StatusCode, res.Header.Get("Content-Type"))
		}
	})
}

// queryBytes percent-encodes the bytes of q that a browser would not send
// as they are in a query (controls, spaces, '#', non-ASCII): the request
// line would be malformed, which Go's HTTP server refuses before any
// handler sees it.
func queryBytes(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// mustUserKey returns the user ID the pages use for the user with email.
func mustUserKey(f *testing.F, app *testApp, email string) string {
	u, err := app.DB.FindUserByEmail(context.Background(), email)
	if err != nil {
		f.Fatal(err)
	}
	return tenantdesk.FormatUserID(u.ID)
}
