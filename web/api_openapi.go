package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The OpenAPI 3.1 document of the API is merged at start from one JSON
// fragment per area in web/openapi/: core.json holds the document's frame
// (openapi, info, security, the shared schemas, parameters and responses);
// every other fragment adds "paths", "components" and "tags", and lists its
// problem codes under "x-problem-codes" ([{code, status, description}]).
// Merging refuses duplicate paths+methods, components and codes, and
// dangling $refs, so a broken fragment fails every test at once. The
// Problem schema's code enum is generated from all the codes, so a response
// with an undocumented code fails the document validation in the tests.

//go:embed openapi/*.json
var openapiFS embed.FS

// apiState is the API's per-server state.
type apiState struct {
	ipLimiter    *rateLimiter
	tokenLimiter *rateLimiter
	// doc is the merged document, encoded; docModel the decoded one (for the reference page).
	doc      []byte
	docModel map[string]any
}

func newAPIState(cfg Config, now func() time.Time) apiState {
	doc, b, err := openAPIJSON() // api_openapi_export.go
	if err != nil {
		panic("web: OpenAPI document: " + err.Error())
	}
	return apiState{
		ipLimiter:    newRateLimiter(cfg.APIRate, cfg.APIBurst, now),
		tokenLimiter: newRateLimiter(cfg.APIRate, cfg.APIBurst, now),
		doc:          b,
		docModel:     doc,
	}
}

// handleOpenAPI serves the document. It needs no token: it describes the
// API, nothing of anyone's data.
func (s *Server) handleOpenAPI(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentType, "application/json")
	c.Response().Header().Set("Access-Control-Allow-Origin", "*")
	return c.Blob(http.StatusOK, "application/json", s.api.doc)
}

// problemCode is one entry of x-problem-codes.
type problemCode struct {
	Code        string `json:"code"`
	Status      int    `json:"status"`
	Description string `json:"description"`
}

// buildOpenAPI merges the fragments of fsys (openapi/*.json).
func buildOpenAPI(fsys fs.FS) (map[string]any, error) {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Slice(names, func(i, j int) bool {
		// core.json first, the others by name.
		ci, cj := path.Base(names[i]) == "core.json", path.Base(names[j]) == "core.json"
		if ci != cj {
			return ci
		}
		return names[i] < names[j]
	})
	if len(names) == 0 || path.Base(names[0]) != "core.json" {
		return nil, fmt.Errorf("openapi/core.json is missing")
	}
	var doc map[string]any
	var codes []problemCode
	seenCode := map[string]string{}
	for i, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if raw, ok := frag["x-problem-codes"]; ok {
			rb, _ := json.Marshal(raw)
			var pcs []problemCode
			if err := json.Unmarshal(rb, &pcs); err != nil {
				return nil, fmt.Errorf("%s: x-problem-codes: %w", name, err)
			}
			for _, pc := range pcs {
				if pc.Code == "" || pc.Status < 400 || pc.Status > 599 {
					return nil, fmt.Errorf("%s: x-problem-codes: bad entry %+v", name, pc)
				}
				if prev, dup := seenCode[pc.Code]; dup {
					return nil, fmt.Errorf("%s: problem code %q already listed in %s", name, pc.Code, prev)
				}
				seenCode[pc.Code] = name
				codes = append(codes, pc)
			}
			delete(frag, "x-problem-codes")
		}
		if i == 0 {
			doc = frag
			continue
		}
		for key, v := range frag {
			switch key {
			case "paths":
				if err := mergePaths(doc, v, name); err != nil {
					return nil, err
				}
			case "components":
				if err := mergeComponents(doc, v, name); err != nil {
					return nil, err
				}
			case "tags":
				tags, _ := doc["tags"].([]any)
				more, _ := v.([]any)
				doc["tags"] = append(tags, more...)
			default:
				return nil, fmt.Errorf("%s: a fragment may hold paths, components, tags and x-problem-codes, not %q", name, key)
			}
		}
	}
	sort.Slice(codes, func(i, j int) bool {
		if codes[i].Status != codes[j].Status {
			return codes[i].Status < codes[j].Status
		}
		return codes[i].Code < codes[j].Code
	})
	var enum []any
	var listed []any
	for _, pc := range codes {
		enum = append(enum, pc.Code)
		listed = append(listed, map[string]any{"code": pc.Code, "status": pc.Status, "description": pc.Description})
	}
	doc["x-problem-codes"] = listed
	problem, _ := dig(doc, "components", "schemas", "Problem", "properties", "code").(map[string]any)
	if problem == nil {
		return nil, fmt.Errorf("core.json: components.schemas.Problem.properties.code is missing")
	}
	problem["enum"] = enum
	if err := checkRefs(doc, doc, ""); err != nil {
		return nil, err
	}
	return doc, nil
}

func mergePaths(doc map[string]any, v any, name string) error {
	paths, _ := doc["paths"].(map[string]any)
	if paths == nil {
		paths = map[string]any{}
		doc["paths"] = paths
	}
	more, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: paths must be an object", name)
	}
	for p, ops := range more {
		opsMap, ok := ops.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: paths[%s] must be an object", name, p)
		}
		have, _ := paths[p].(map[string]any)
		if have == nil {
			paths[p] = opsMap
			continue
		}
		for m, op := range opsMap {
			if _, dup := have[m]; dup {
				return fmt.Errorf("%s: %s %s is already described", name, strings.ToUpper(m), p)
			}
			have[m] = op
		}
	}
	return nil
}

func mergeComponents(doc map[string]any, v any, name string) error {
	comps, _ := doc["components"].(map[string]any)
	if comps == nil {
		comps = map[string]any{}
		doc["components"] = comps
	}
	more, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: components must be an object", name)
	}
	for kind, entries := range more {
		em, ok := entries.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: components.%s must be an object", name, kind)
		}
		have, _ := comps[kind].(map[string]any)
		if have == nil {
			have = map[string]any{}
			comps[kind] = have
		}
		for k, e := range em {
			if _, dup := have[k]; dup {
				return fmt.Errorf("%s: components.%s.%s is already defined", name, kind, k)
			}
			have[k] = e
		}
	}
	return nil
}

// dig walks nested objects by keys.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// checkRefs fails on a "$ref" that points nowhere in the document.
func checkRefs(doc map[string]any, v any, at string) error {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if k == "$ref" {
				ref, _ := x.(string)
				if resolveRef(doc, ref) == nil {
					return fmt.Errorf("%s: $ref %q points nowhere", at, ref)
				}
				continue
			}
			if err := checkRefs(doc, x, at+"/"+k); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range t {
			if err := checkRefs(doc, x, fmt.Sprintf("%s/%d", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveRef returns the target of a local "#/a/b" reference, or nil.
func resolveRef(doc map[string]any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	parts := strings.Split(rest, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return dig(doc, parts...)
}
