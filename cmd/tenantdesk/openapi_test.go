package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

// TestOpenAPICommand: `tenantdesk openapi` prints the served document.
func TestOpenAPICommand(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"openapi"}, func(string) string { return "" }, nil, &out, &errb); err != nil {
		t.Fatalf("%v %s", err, errb.String())
	}
	var doc struct {
		OpenAPI string           `json:"openapi"`
		Servers []map[string]any `json:"servers"`
		Paths   map[string]any   `json:"paths"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Paths["/api/v1/customers/{tenantId}/users"] == nil {
		t.Fatalf("document: openapi %q, servers %v, %d paths", doc.OpenAPI, doc.Servers, len(doc.Paths))
	}
}
