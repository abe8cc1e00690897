package web_test

// Every request and response of the API tests is checked against the served
// OpenAPI document with github.com/getkin/kin-openapi (OpenAPI 3.1 with its
// JSON Schema 2020-12 validator), so the document stays true.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"
)

const validatorName = "kin-openapi"

type docValidator struct {
	doc    *openapi3.T
	router routers.Router
}

func newDocValidator(docJSON []byte) (*docValidator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(docJSON)
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("document invalid: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("not OpenAPI 3.1: %s", doc.OpenAPI)
	}
	router, err := legacyrouter.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &docValidator{doc: doc, router: router}, nil
}

// bearerOnly accepts any request that carries a bearer token: the server
// checks the token itself; the document says one is needed.
func bearerOnly(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return fmt.Errorf("no bearer token")
	}
	return nil
}

func (v *docValidator) check(x exchange) []string {
	var errs []string
	ctx := context.Background()
	// The path alone: the document's server is relative ("/", the portal
	// that serves it), which kin-openapi matches against a relative URL.
	u := url.URL{Path: x.URL.Path, RawPath: x.URL.RawPath, RawQuery: x.URL.RawQuery}
	req, _ := http.NewRequest(x.Method, u.String(), bytes.NewReader(x.ReqBody))
	req.Host = "localhost"
	req.Header = x.ReqHeader.Clone()
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		if x.Status == http.StatusNotFound || x.Status == http.StatusMethodNotAllowed {
			if e := v.problemBody(x); e != nil {
				errs = append(errs, e.Error())
			}
			return errs
		}
		return append(errs, fmt.Sprintf("%s %s: %v (status %d)", x.Method, x.URL.Path, err, x.Status))
	}
	opts := &openapi3filter.Options{AuthenticationFunc: bearerOnly, IncludeResponseStatus: true, MultiError: true,
		RejectWhenRequestBodyNotSpecified: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if x.Status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			errs = append(errs, fmt.Sprintf("%s %s request: %v", x.Method, route.Path, err))
		}
		known := map[string]bool{}
		for _, p := range route.Operation.Parameters {
			if p.Value.In == "query" {
				known[p.Value.Name] = true
			}
		}
		for name := range x.URL.Query() {
			if !known[name] {
				errs = append(errs, fmt.Sprintf("%s %s: undocumented query parameter %s", x.Method, route.Path, name))
			}
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.Status, Header: x.ResHeader, Options: opts}
	out.SetBodyBytes(x.ResBody)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		errs = append(errs, fmt.Sprintf("%s %s %d response: %v", x.Method, route.Path, x.Status, err))
	}
	// Documented required response headers (kin-openapi checks their
	// schema when present; presence is checked here).
	if r := route.Operation.Responses.Status(x.Status); r != nil && r.Value != nil {
		for name, h := range r.Value.Headers {
			if h.Value != nil && h.Value.Required && x.ResHeader.Get(name) == "" {
				errs = append(errs, fmt.Sprintf("%s %s %d: header %s missing", x.Method, route.Path, x.Status, name))
			}
		}
	}
	return errs
}

// problemBody checks an answer to an undocumented path or method: a Problem.
func (v *docValidator) problemBody(x exchange) error {
	if ct := x.ResHeader.Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Errorf("%s %s: Content-Type %q, want application/problem+json", x.Method, x.URL.Path, ct)
	}
	var val any
	if err := json.NewDecoder(io.NopCloser(bytes.NewReader(x.ResBody))).Decode(&val); err != nil {
		return err
	}
	return v.doc.Components.Schemas["Problem"].Value.VisitJSON(val, openapi3.EnableJSONSchema2020())
}
