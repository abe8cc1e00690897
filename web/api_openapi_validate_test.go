//go:build !kinopenapi

package web_test

// The default validator of API exchanges against the OpenAPI document: a
// compact, strict implementation of the OpenAPI 3.1 / JSON Schema 2020-12
// subset the document uses. It refuses any schema keyword it does not
// implement, so the document cannot silently outgrow it. Building with
// -tags kinopenapi swaps in github.com/getkin/kin-openapi's validator
// (api_openapi_kin_test.go) for the same checks.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const validatorName = "built-in"

type docValidator struct {
	doc    map[string]any
	routes []docRoute
}

type docRoute struct {
	template string
	re       *regexp.Regexp
	names    []string
	item     map[string]any
}

func newDocValidator(docJSON []byte) (*docValidator, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(docJSON))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc["openapi"] != "3.1.0" {
		return nil, fmt.Errorf("openapi is %v, want 3.1.0", doc["openapi"])
	}
	v := &docValidator{doc: doc}
	paths, _ := doc["paths"].(map[string]any)
	var names []string
	for p := range paths {
		names = append(names, p)
	}
	// Templates without parameters first: /customers/x/users beats /customers/{id}.
	sort.Slice(names, func(i, j int) bool {
		ci, cj := strings.Count(names[i], "{"), strings.Count(names[j], "{")
		if ci != cj {
			return ci < cj
		}
		return names[i] < names[j]
	})
	paramRe := regexp.MustCompile(`\{([^}]+)\}`)
	for _, p := range names {
		r := docRoute{template: p, item: paths[p].(map[string]any)}
		var pattern strings.Builder
		pattern.WriteString("^")
		last := 0
		for _, m := range paramRe.FindAllStringSubmatchIndex(p, -1) {
			pattern.WriteString(regexp.QuoteMeta(p[last:m[0]]))
			pattern.WriteString("([^/]+)")
			r.names = append(r.names, p[m[2]:m[3]])
			last = m[1]
		}
		pattern.WriteString(regexp.QuoteMeta(p[last:]) + "$")
		r.re = regexp.MustCompile(pattern.String())
		v.routes = append(v.routes, r)
	}
	// Every schema must use only keywords this validator implements.
	var errs []string
	walkSchemas(doc, func(at string, s map[string]any) {
		for k := range s {
			if !knownKeyword[k] {
				errs = append(errs, fmt.Sprintf("%s: unsupported schema keyword %q", at, k))
			}
		}
	})
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return v, nil
}

var knownKeyword = map[string]bool{
	"$ref": true, "type": true, "properties": true, "required": true, "additionalProperties": true, "items": true,
	"enum": true, "minLength": true, "maxLength": true, "pattern": true, "format": true, "minimum": true, "maximum": true,
	"anyOf": true, "oneOf": true, "allOf": true, "minItems": true, "maxItems": true, "minProperties": true,
	"description": true, "title": true, "examples": true, "default": true, "deprecated": true, "readOnly": true, "writeOnly": true,
	"uniqueItems": true, "const": true,
}

// walkSchemas calls f for every schema object of the document.
func walkSchemas(doc map[string]any, f func(at string, s map[string]any)) {
	var walk func(at string, s any)
	walk = func(at string, s any) {
		m, ok := s.(map[string]any)
		if !ok {
			return
		}
		f(at, m)
		if props, ok := m["properties"].(map[string]any); ok {
			for k, p := range props {
				walk(at+".properties."+k, p)
			}
		}
		if ap, ok := m["additionalProperties"].(map[string]any); ok {
			walk(at+".additionalProperties", ap)
		}
		walk(at+".items", m["items"])
		for _, kw := range []string{"anyOf", "oneOf", "allOf"} {
			for i, x := range asList(m[kw]) {
				walk(fmt.Sprintf("%s.%s[%d]", at, kw, i), x)
			}
		}
	}
	schemas, _ := dig(doc, "components", "schemas").(map[string]any)
	for k, s := range schemas {
		walk("components.schemas."+k, s)
	}
	var visit func(at string, v any)
	visit = func(at string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if k == "schema" {
					walk(at+".schema", x)
					continue
				}
				visit(at+"."+k, x)
			}
		case []any:
			for i, x := range t {
				visit(fmt.Sprintf("%s[%d]", at, i), x)
			}
		}
	}
	visit("paths", doc["paths"])
	visit("components.parameters", dig(doc, "components", "parameters"))
	visit("components.responses", dig(doc, "components", "responses"))
}

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

func asList(v any) []any { l, _ := v.([]any); return l }

func (v *docValidator) resolve(x any) map[string]any {
	m, _ := x.(map[string]any)
	for i := 0; i < 10 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		m, _ = dig(v.doc, parts...).(map[string]any)
	}
	return m
}

// check returns every way the exchange deviates from the document. The
// request is checked when the server accepted it (status < 400): what the
// server accepts must be documented; a refused request is expected to
// deviate, and then only its answer is checked.
func (v *docValidator) check(x exchange) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	var route *docRoute
	var params map[string]string
	for i := range v.routes {
		if m := v.routes[i].re.FindStringSubmatch(x.URL.Path); m != nil {
			route = &v.routes[i]
			params = map[string]string{}
			for j, n := range route.names {
				params[n], _ = url.PathUnescape(m[j+1])
			}
			break
		}
	}
	if route == nil {
		if x.Status == http.StatusNotFound || x.Status == http.StatusMethodNotAllowed {
			v.checkBody(fail, "undocumented path", x, v.problemContent())
			return errs
		}
		fail("%s %s: path not in the document (status %d)", x.Method, x.URL.Path, x.Status)
		return errs
	}
	op, _ := route.item[strings.ToLower(x.Method)].(map[string]any)
	if op == nil {
		if x.Status == http.StatusMethodNotAllowed || x.Status == http.StatusNotFound {
			v.checkBody(fail, "undocumented method", x, v.problemContent())
			return errs
		}
		fail("%s %s: method not documented (status %d)", x.Method, route.template, x.Status)
		return errs
	}
	where := x.Method + " " + route.template
	// Response.
	responses, _ := op["responses"].(map[string]any)
	resp := v.resolve(responses[strconv.Itoa(x.Status)])
	if resp == nil {
		resp = v.resolve(responses["default"])
	}
	if resp == nil {
		fail("%s: status %d not documented", where, x.Status)
	} else {
		for name, h := range mapOf(resp["headers"]) {
			hm := v.resolve(h)
			val := x.ResHeader.Get(name)
			if val == "" {
				if hm["required"] == true {
					fail("%s %d: header %s missing", where, x.Status, name)
				}
				continue
			}
			for _, e := range v.validate(v.resolve(hm["schema"]), val, "header "+name) {
				fail("%s %d: %s", where, x.Status, e)
			}
		}
		content := mapOf(resp["content"])
		if len(content) == 0 {
			if len(bytes.TrimSpace(x.ResBody)) > 0 {
				fail("%s %d: a body where none is documented: %s", where, x.Status, x.ResBody)
			}
		} else {
			v.checkBody(fail, where+" "+strconv.Itoa(x.Status), x, content)
		}
	}
	if x.Status >= 400 {
		return errs
	}
	// Request (accepted by the server: it must be documented).
	security := v.doc["security"]
	if s, ok := op["security"]; ok {
		security = s
	}
	if len(asList(security)) > 0 && !strings.HasPrefix(x.ReqHeader.Get("Authorization"), "Bearer ") {
		fail("%s: accepted without a bearer token although the document requires one", where)
	}
	var allParams []any
	allParams = append(allParams, asList(route.item["parameters"])...)
	allParams = append(allParams, asList(op["parameters"])...)
	known := map[string]bool{}
	for _, p := range allParams {
		pm := v.resolve(p)
		name, in := pm["name"].(string), pm["in"].(string)
		var val string
		var present bool
		switch in {
		case "path":
			val, present = params[name]
		case "query":
			known[name] = true
			if vals, ok := x.URL.Query()[name]; ok {
				val, present = vals[0], true
			}
		case "header":
			val = x.ReqHeader.Get(name)
			present = val != ""
		}
		if !present {
			if pm["required"] == true {
				fail("%s: required %s parameter %s missing", where, in, name)
			}
			continue
		}
		schema := v.resolve(pm["schema"])
		var value any = val
		if t, _ := schema["type"].(string); t == "integer" || t == "number" {
			if n, err := strconv.ParseFloat(val, 64); err == nil {
				value = json.Number(strconv.FormatFloat(n, 'f', -1, 64))
			}
		}
		for _, e := range v.validate(schema, value, in+" parameter "+name) {
			fail("%s: %s", where, e)
		}
	}
	for name := range x.URL.Query() {
		if !known[name] {
			fail("%s: undocumented query parameter %s", where, name)
		}
	}
	for _, name := range route.names {
		found := false
		for _, p := range allParams {
			if pm := v.resolve(p); pm["in"] == "path" && pm["name"] == name {
				found = true
			}
		}
		if !found {
			fail("%s: path parameter %s not described", where, name)
		}
	}
	rb := v.resolve(op["requestBody"])
	body := bytes.TrimSpace(x.ReqBody)
	switch {
	case rb == nil && len(body) > 0:
		fail("%s: a request body where none is documented", where)
	case rb != nil && len(body) == 0:
		if rb["required"] == true {
			fail("%s: the documented request body is missing", where)
		}
	case rb != nil:
		mt, _, _ := mime.ParseMediaType(x.ReqHeader.Get("Content-Type"))
		media := v.resolve(mapOf(rb["content"])[mt])
		if media == nil {
			fail("%s: request Content-Type %q not documented", where, mt)
			break
		}
		var val any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&val); err != nil {
			fail("%s: request body is not JSON: %v", where, err)
			break
		}
		for _, e := range v.validate(v.resolve(media["schema"]), val, "request body") {
			fail("%s: %s", where, e)
		}
	}
	return errs
}

func (v *docValidator) problemContent() map[string]any {
	return mapOf(dig(v.doc, "components", "responses", "NotFound", "content"))
}

func (v *docValidator) checkBody(fail func(string, ...any), where string, x exchange, content map[string]any) {
	mt, _, _ := mime.ParseMediaType(x.ResHeader.Get("Content-Type"))
	media := v.resolve(content[mt])
	if media == nil {
		fail("%s: response Content-Type %q not documented", where, x.ResHeader.Get("Content-Type"))
		return
	}
	var val any
	dec := json.NewDecoder(bytes.NewReader(x.ResBody))
	dec.UseNumber()
	if err := dec.Decode(&val); err != nil {
		fail("%s: response body is not JSON: %v", where, err)
		return
	}
	for _, e := range v.validate(v.resolve(media["schema"]), val, "response body") {
		fail("%s: %s", where, e)
	}
}

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }

// validate checks a JSON value against a schema and returns the violations.
func (v *docValidator) validate(schema map[string]any, val any, at string) []string {
	if schema == nil {
		return nil
	}
	if _, ok := schema["$ref"]; ok {
		return v.validate(v.resolve(schema), val, at)
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if t, ok := schema["type"]; ok {
		var types []string
		switch tt := t.(type) {
		case string:
			types = []string{tt}
		case []any:
			for _, x := range tt {
				types = append(types, x.(string))
			}
		}
		match := false
		for _, t := range types {
			if jsonTypeIs(val, t) {
				match = true
			}
		}
		if !match {
			fail("is %s, want %s", jsonTypeOf(val), strings.Join(types, " or "))
			return errs
		}
	}
	if enum := asList(schema["enum"]); len(enum) > 0 {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(val) && jsonTypeOf(e) == jsonTypeOf(val) {
				found = true
			}
		}
		if !found {
			fail("%v is not one of %v", val, enum)
		}
	}
	if c, ok := schema["const"]; ok && fmt.Sprint(c) != fmt.Sprint(val) {
		fail("%v is not %v", val, c)
	}
	switch tv := val.(type) {
	case string:
		n := utf8.RuneCountInString(tv)
		if m, ok := num(schema["minLength"]); ok && float64(n) < m {
			fail("%d characters, fewer than %v", n, m)
		}
		if m, ok := num(schema["maxLength"]); ok && float64(n) > m {
			fail("%d characters, more than %v", n, m)
		}
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(tv) {
			fail("%q does not match %s", tv, p)
		}
		switch schema["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, tv); err != nil {
				fail("%q is not an RFC 3339 date-time", tv)
			}
		case "email":
			if a, err := mail.ParseAddress(tv); err != nil || a.Address != tv {
				fail("%q is not an email address", tv)
			}
		case "uri":
			if u, err := url.Parse(tv); err != nil || u.Scheme == "" {
				fail("%q is not an absolute URI", tv)
			}
		}
	case json.Number:
		f, _ := tv.Float64()
		if m, ok := num(schema["minimum"]); ok && f < m {
			fail("%v is less than %v", f, m)
		}
		if m, ok := num(schema["maximum"]); ok && f > m {
			fail("%v is more than %v", f, m)
		}
	case []any:
		if m, ok := num(schema["minItems"]); ok && float64(len(tv)) < m {
			fail("%d items, fewer than %v", len(tv), m)
		}
		if m, ok := num(schema["maxItems"]); ok && float64(len(tv)) > m {
			fail("%d items, more than %v", len(tv), m)
		}
		if items := mapOf(schema["items"]); items != nil {
			for i, x := range tv {
				errs = append(errs, v.validate(items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case map[string]any:
		props := mapOf(schema["properties"])
		for _, r := range asList(schema["required"]) {
			if _, ok := tv[r.(string)]; !ok {
				fail("required property %q missing", r)
			}
		}
		if m, ok := num(schema["minProperties"]); ok && float64(len(tv)) < m {
			fail("%d properties, fewer than %v", len(tv), m)
		}
		keys := make([]string, 0, len(tv))
		for k := range tv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps := mapOf(props[k]); ps != nil {
				errs = append(errs, v.validate(ps, tv[k], at+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					fail("property %q is not documented", k)
				}
			case map[string]any:
				errs = append(errs, v.validate(ap, tv[k], at+"."+k)...)
			}
		}
	}
	for _, s := range asList(schema["allOf"]) {
		errs = append(errs, v.validate(mapOf(s), val, at)...)
	}
	if alts := asList(schema["anyOf"]); len(alts) > 0 {
		ok := false
		for _, s := range alts {
			if len(v.validate(mapOf(s), val, at)) == 0 {
				ok = true
				break
			}
		}
		if !ok {
			fail("matches none of anyOf")
		}
	}
	if alts := asList(schema["oneOf"]); len(alts) > 0 {
		n := 0
		for _, s := range alts {
			if len(v.validate(mapOf(s), val, at)) == 0 {
				n++
			}
		}
		if n != 1 {
			fail("matches %d of oneOf, want exactly 1", n)
		}
	}
	return errs
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}

func jsonTypeOf(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if _, err := t.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonTypeIs(v any, t string) bool {
	got := jsonTypeOf(v)
	return got == t || (t == "number" && got == "integer")
}
