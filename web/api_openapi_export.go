package web

import "encoding/json"

// openAPIJSON builds the merged OpenAPI document and its encoding, as
// GET /api/v1/openapi.json serves it.
func openAPIJSON() (map[string]any, []byte, error) {
	doc, err := buildOpenAPI(openapiFS)
	if err != nil {
		return nil, nil, err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	return doc, b, nil
}

// OpenAPIDocument returns the OpenAPI 3.1 document of the REST API exactly
// as the server serves it (the document does not depend on configuration),
// for tools that read it from a file: `tenantdesk openapi`, which CI lints
// and generates a typed client from (make openapi-check).
func OpenAPIDocument() ([]byte, error) {
	_, b, err := openAPIJSON()
	return b, err
}
