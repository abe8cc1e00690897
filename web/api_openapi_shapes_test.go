package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
)

// The OpenAPI document as a client generator reads it (the CI compiles a
// typed client of the README's onboarding from it: test/openapi-client):
// a server, a described connection that allows further fields, roles
// optional on create, addRoles/removeRoles and existingUserId. Every API
// test's exchanges are validated against the same document.

// TestOpenAPIDocumentForClientGenerators checks the shapes a generated
// client relies on.
func TestOpenAPIDocumentForClientGenerators(t *testing.T) {
	app := newTestApp(t)
	res, err := http.Get(app.Server.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	at := func(keys ...string) any { return jsonAt(doc, keys...) }
	servers, _ := doc["servers"].([]any)
	if len(servers) != 1 || jsonAt(servers[0], "url") != "/" {
		t.Fatalf("servers: %v", doc["servers"])
	}
	conn := at("components", "schemas", "Connection")
	if jsonAt(conn, "type") != "object" || jsonAt(conn, "additionalProperties") != true {
		t.Fatalf("Connection must be an object that allows further fields: %v", conn)
	}
	for field, typ := range map[string]string{"platform": "string", "host": "string", "port": "integer", "tls": "boolean"} {
		if got := jsonAt(conn, "properties", field, "type"); got != typ {
			t.Errorf("Connection.%s: type %v, want %s", field, got, typ)
		}
	}
	for _, schema := range []string{"Customer", "CreatedCustomer", "NewCustomer", "CustomerPatch"} {
		if ref := at("components", "schemas", schema, "properties", "connection", "$ref"); ref != "#/components/schemas/Connection" {
			t.Errorf("%s.connection: %v, want the Connection schema", schema, at("components", "schemas", schema, "properties", "connection"))
		}
	}
	if req, _ := at("components", "schemas", "NewUser", "required").([]any); slices.Contains(req, any("roles")) {
		t.Error("NewUser requires roles")
	}
	for _, f := range []string{"roles", "addRoles", "removeRoles"} {
		if at("components", "schemas", "UserPatch", "properties", f, "type") != "array" {
			t.Errorf("UserPatch.%s is not an array", f)
		}
	}
	if at("components", "schemas", "Problem", "properties", "existingUserId", "type") != "string" {
		t.Error("Problem has no existingUserId")
	}
	codes, _ := at("components", "schemas", "Problem", "properties", "code", "enum").([]any)
	for _, c := range []string{"account_disabled", "api_access_required", "email_taken"} {
		if !slices.Contains(codes, any(c)) {
			t.Errorf("problem code %s is not documented", c)
		}
	}
}

// jsonAt walks nested JSON objects by keys.
func jsonAt(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// TestAPIConnectionFields: the connection's known fields must have their
// documented types (400 naming the field); any other field is kept as
// given, and the answers validate against the document.
func TestAPIConnectionFields(t *testing.T) {
	app := newTestApp(t)
	partner := app.api(app.apiToken(elizabeth))
	conn := map[string]any{"platform": "pbx.example", "host": "pbx.steamboat.example", "port": 5061, "tls": true,
		"trunk": map[string]any{"id": 7}, "region": "us-central"}
	res := partner.post("/api/v1/customers", map[string]any{"name": "St. Petersburg Steamboat Co.", "connection": conn}).
		expect(t, http.StatusCreated)
	want, _ := json.Marshal(conn)
	if got, _ := json.Marshal(res.JSON["connection"]); string(got) != string(want) {
		t.Fatalf("connection %s, want %s", got, want)
	}
	path := "/api/v1/customers/" + res.str("tenantId")
	partner.get(path).expect(t, http.StatusOK)
	for _, c := range []struct {
		conn  map[string]any
		field string
	}{
		{map[string]any{"port": "5061"}, "connection.port"},
		{map[string]any{"port": 70000}, "connection.port"},
		{map[string]any{"port": 50.5}, "connection.port"},
		{map[string]any{"platform": 5}, "connection.platform"},
		{map[string]any{"host": []string{"a"}}, "connection.host"},
		{map[string]any{"tls": "yes"}, "connection.tls"},
	} {
		partner.post("/api/v1/customers", map[string]any{"name": "Bad Connection Co.", "connection": c.conn}).
			expect(t, http.StatusBadRequest, "validation_failed").expectField(t, c.field)
		partner.patch(path, map[string]any{"connection": c.conn}).
			expect(t, http.StatusBadRequest, "validation_failed").expectField(t, c.field)
	}
	partner.patch(path, map[string]any{"connection": map[string]any{"platform": "pbx2.example", "port": 5060, "notes": "moved"}}).
		expect(t, http.StatusOK)
}
