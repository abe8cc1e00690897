package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Fuzz targets of the web layer's own decoders (issue 15): the strict JSON
// decoder of every API body, the date fields of forms, the API's page
// parameters. fuzz_test.go drives the same through the real server.

// apiBodyTypes are the types every API handler decodes a body into, by
// the route that takes it.
var apiBodyTypes = []func() any{
	func() any { return new(apiCustomerInput) },       // POST /customers
	func() any { return new(apiCustomerPatch) },       // PATCH /customers/{tenantId}
	func() any { return new(apiUserInput) },           // POST …/users
	func() any { return new(apiUserPatchInput) },      // PATCH …/users/{userId}
	func() any { return new(apiDeviceBody) },          // POST, PATCH …/devices
	func() any { return new(apiSoftphonesBody) },      // PUT …/users/{userId}/devices
	func() any { return new(apiImportInput) },         // POST …/user-imports
	func() any { return new(apiNewAccessRequest) },    // POST /access-requests
	func() any { return new(apiAccessPatch) },         // PATCH /access-requests/{requestId}
	func() any { return new(apiAccessGrant) },         // POST …/grant
	func() any { return new(apiAccessMessage) },       // POST …/withdraw, deny, revoke
	func() any { return new(ftpAuthRequest) },         // POST /api/v1/ftp/auth
	func() any { return new(struct{}) },               // POST …/activation-email
	func() any { return new(map[string]any) },         // not a struct
	func() any { return new([]apiAccessAssociation) }, // not an object at all
}

// FuzzDecodeJSON: every body is decoded into one of the API's body types
// or refused with a *tenantdesk.Error that the problem table turns into a
// 4xx (never a 500), field errors naming their field. What is accepted is
// one JSON object whose top-level keys are the type's fields, each once,
// in their exact case; and the decoded value, encoded and decoded again,
// is the same value (decode → encode round trip).
func FuzzDecodeJSON(f *testing.F) {
	for i, body := range []string{
		`{"name":"Mill Pond Ltd","reference":"MP-1","connection":{"sip":{"host":"pbx.example"}},"owner":{"displayName":"Ann","email":"ann@mill.example"}}`,
		`{"name":"x","owner":null}`,
		`{"displayName":"Tom","email":"tom@fence.example","roles":["customer.user"]}`,
		`{"roles":["customer.user"],"addRoles":["user.admin"]}`,
		`{"name":"Desk","kind":"deskphone","extension":"201","macAddress":"aa:bb:cc:dd:ee:ff"}`,
		`{"softphones":["dvaaaaaaaaaaaab"]}`,
		`{"rows":[{"displayName":"A","email":"a@b.co","roles":["customer.user"],"acdAgent":true}],"dryRun":true}`,
		`{"name":"support","modes":["support"],"expiresAt":"2026-12-31T17:00:00Z","associations":[{"userIds":["usaaaaaaaaaaaab"],"customerIds":["t1"]}]}`,
		`{"expiresAt":null}`,
		`{"expiresAt":"2027-01-01T00:00:00Z","message":"ok"}`,
		`{"message":"no"}`,
		`{"username":"u","password":"p","clientIp":"192.0.2.1"}`,
		`{}`,
		`{"a":1}`,
		`[]`,
	} {
		f.Add(uint8(i), []byte(body))
	}
	f.Add(uint8(0), []byte(`{"name":"a","name":"b"}`))
	f.Add(uint8(2), []byte(`{"Email":"tom@fence.example"}`))
	f.Add(uint8(2), []byte(`{"email":"x"} {"email":"y"}`))
	f.Add(uint8(2), []byte(`{"email":null}`))
	f.Add(uint8(2), []byte(`{"roles":"customer.user"}`))
	f.Add(uint8(7), []byte(`{"associations":[{"userIds":["a"],"userIds":["b"]}]}`))
	f.Add(uint8(7), []byte(`{"associations":[{"UserIds":["a"]}]}`))
	f.Add(uint8(6), []byte(`{"rows":[{"acdAgent":"yes"}]}`))
	f.Add(uint8(3), []byte("{\"displayName\":\"\xff\"}"))
	f.Add(uint8(3), []byte(`{"displayName":"\ud800"}`))
	f.Add(uint8(0), []byte(`{"connection":[1,2]}`))
	f.Add(uint8(4), []byte(`{"name":1e999}`))
	f.Add(uint8(12), []byte(` `))
	f.Add(uint8(12), []byte(`null`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		newDst := apiBodyTypes[int(which)%len(apiBodyTypes)]
		dst := newDst()
		err := decodeForFuzz(body, dst)
		if err != nil {
			var e *tenantdesk.Error
			if !errors.As(err, &e) {
				t.Fatalf("decodeJSON(%q): %T %v, want a *tenantdesk.Error", body, err, err)
			}
			p := apiProblemOf(err)
			if p.Status < 400 || p.Status > 499 || p.Code == "" || p.Detail == "" {
				t.Fatalf("decodeJSON(%q) = %+v: problem %+v, want a 4xx with a code", body, e, p)
			}
			switch e.Code {
			case codeMalformedJSON, codeBodyTooLarge, codeUnsupportedMediaType:
			case tenantdesk.EINVALID:
				if len(e.Fields) == 0 {
					t.Fatalf("decodeJSON(%q) = %+v: EINVALID names no field", body, e)
				}
			default:
				t.Fatalf("decodeJSON(%q) = %+v: code %q", body, e, e.Code)
			}
			for _, fe := range e.Fields {
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("decodeJSON(%q) = %+v: field error %+v", body, e, fe)
				}
			}
			return
		}
		// Accepted: one object, known keys in their case, each once.
		if reflect.TypeOf(dst).Elem().Kind() == reflect.Struct {
			fields := jsonFields(reflect.TypeOf(dst).Elem())
			dec := json.NewDecoder(bytes.NewReader(body))
			if tok, _ := dec.Token(); tok != json.Delim('{') {
				t.Fatalf("decodeJSON accepts %q, which is not an object", body)
			}
			seen := map[string]bool{}
			for dec.More() {
				k, _ := dec.Token()
				key, _ := k.(string)
				if _, ok := fields[key]; !ok || seen[key] {
					t.Fatalf("decodeJSON accepts %q with key %q (unknown, miscased or repeated)", body, key)
				}
				seen[key] = true
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Round trip: encode, leave out the top-level nulls of absent
		// fields (a body must leave them out), decode again.
		enc, err := json.Marshal(dst)
		if err != nil {
			t.Fatalf("decoded %q, cannot encode %#v: %v", body, dst, err)
		}
		enc = dropTopNulls(t, enc, dst)
		again := newDst()
		if err := decodeForFuzz(enc, again); err != nil {
			t.Fatalf("decoded %q, encoded as %s, which does not decode: %v", body, enc, err)
		}
		if enc2, _ := json.Marshal(again); !bytes.Equal(dropTopNulls(t, enc2, again), enc) {
			t.Fatalf("round trip of %q: %s then %s", body, enc, enc2)
		}
	})
}

// decodeForFuzz runs decodeJSON on body as an API request would.
func decodeForFuzz(body []byte, dst any) error {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/x", bytes.NewReader(body))
	req.Header.Set(echo.HeaderContentType, "application/json; charset=utf-8")
	c := echo.New().NewContext(req, httptest.NewRecorder())
	return decodeJSON(c, dst)
}

// dropTopNulls removes the top-level "field": null members of enc for the
// fields of dst's type that refuse null (absent pointers encode as null).
func dropTopNulls(t *testing.T, enc []byte, dst any) []byte {
	typ := reflect.TypeOf(dst).Elem()
	if typ.Kind() != reflect.Struct {
		return enc
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(enc, &top); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < typ.NumField(); i++ {
		fd := typ.Field(i)
		name, _, _ := strings.Cut(fd.Tag.Get("json"), ",")
		if raw, ok := top[name]; ok && string(raw) == "null" && fd.Tag.Get("api") != "nullable" {
			delete(top, name)
		}
	}
	out, err := json.Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzFormDates: a form's date field (an API token's expiry, an access
// request's or a grant's end) is empty, or a calendar date read in the
// reader's zone: the expiry is that day's start, the end of access the
// next day's start, and both format back to the dates typed.
func FuzzFormDates(f *testing.F) {
	for _, s := range []string{"2026-12-31", " 2026-02-28 ", "2026-02-30", "", "31.12.2026", "2026-1-5", "0000-01-01", "9999-12-31",
		"2026-03-29", "2026-09-06", "2026-12-31T00:00:00Z", "2020-03-28", "2020-03-29", "2020-09-05", "2020-11-01"} {
		f.Add(s, uint16(0))
		f.Add(s, uint16(300))
	}
	f.Fuzz(func(t *testing.T, date string, zone uint16) {
		loc, err := time.LoadLocation(tenantdesk.TimeZones[int(zone)%len(tenantdesk.TimeZones)])
		if err != nil {
			t.Fatal(err)
		}
		trimmed := strings.TrimSpace(date)
		d, ok := parseExpiryDate(date, loc)
		end, endOK := parseEndOfDay(date, loc)
		if ok != endOK {
			t.Fatalf("parseExpiryDate(%q) ok=%v but parseEndOfDay ok=%v", date, ok, endOK)
		}
		_, incomingErr := incomingExpiry(date, false, loc)
		if !ok {
			e := tenantdesk.AsError(incomingErr)
			if e == nil || e.Code != tenantdesk.EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "expiresAt" || e.Key == "" {
				t.Fatalf("incomingExpiry(%q) = %v, want EINVALID on expiresAt", date, incomingErr)
			}
			return
		}
		if trimmed == "" {
			if !d.IsZero() || end != nil {
				t.Fatalf("an empty date gives %v, %v", d, end)
			}
			return
		}
		if incomingErr != nil {
			t.Fatalf("incomingExpiry(%q) = %v for a date parseEndOfDay reads", date, incomingErr)
		}
		if got := d.In(loc).Format(time.DateOnly); got != trimmed {
			t.Fatalf("parseExpiryDate(%q) in %s = %v, which is on %s", date, loc, d, got)
		}
		// Each is the first instant of its day: a moment earlier is the
		// day before (where clocks jump at midnight, the jump).
		for _, x := range []time.Time{d, *end} {
			if x.In(loc).Add(-time.Nanosecond).Format(time.DateOnly) == x.In(loc).Format(time.DateOnly) {
				t.Fatalf("%q in %s: %v is not the first instant of its day", date, loc, x.In(loc))
			}
		}
		if !end.After(d) {
			t.Fatalf("parseEndOfDay(%q) in %s = %v, not after the day's start %v", date, loc, end, d)
		}
		next, _ := time.Parse(time.DateOnly, trimmed)
		if got, want := end.In(loc).Format(time.DateOnly), next.AddDate(0, 0, 1).Format(time.DateOnly); got != want {
			t.Fatalf("parseEndOfDay(%q) in %s = %v, which is on %s, not the next day %s", date, loc, end, got, want)
		}
	})
}

// FuzzAPIPageParams: ?limit= is 1–200 or a 400 on field limit, ?cursor= is
// passed on (the services check it) unless longer than 1 KiB.
func FuzzAPIPageParams(f *testing.F) {
	f.Add("limit=20&cursor=abc")
	f.Add("limit=0")
	f.Add("limit=201")
	f.Add("limit=%2B5")
	f.Add("limit=5&limit=x")
	f.Add("cursor=" + strings.Repeat("a", 1025))
	f.Add("limit=99999999999999999999")
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/customers", nil)
		req.URL.RawQuery = query
		c := echo.New().NewContext(req, httptest.NewRecorder())
		p, err := apiPageParams(c)
		if err != nil {
			e := tenantdesk.AsError(err)
			if e == nil || e.Code != tenantdesk.EINVALID || len(e.Fields) != 1 || (e.Fields[0].Field != "limit" && e.Fields[0].Field != "cursor") {
				t.Fatalf("apiPageParams(%q) = %v", query, err)
			}
			if apiProblemOf(err).Status != http.StatusBadRequest {
				t.Fatalf("apiPageParams(%q): status %d", query, apiProblemOf(err).Status)
			}
			return
		}
		if p.Limit < 1 || p.Limit > tenantdesk.MaxPageSize || len(p.Cursor) > 1024 || p.Cursor != c.QueryParam("cursor") {
			t.Fatalf("apiPageParams(%q) = %+v", query, p)
		}
	})
}
