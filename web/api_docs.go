package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/templates/pages/apidocs"
)

// The API reference page (/api-docs) is rendered from the same merged
// OpenAPI document the API serves, so it cannot drift from it.

func (s *Server) handleAPIDocs(c echo.Context) error {
	return render(c, http.StatusOK, apidocs.Page(apiDocsView(s.api.docModel)))
}

var methodOrder = []string{"get", "post", "put", "patch", "delete"}

// apiDocsView turns the document into the page's view model.
func apiDocsView(doc map[string]any) apidocs.View {
	info, _ := doc["info"].(map[string]any)
	v := apidocs.View{Title: str2(info["title"]), Version: str2(info["version"])}
	for _, p := range strings.Split(str2(info["description"]), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Description = append(v.Description, p)
		}
	}
	tagDesc := map[string]string{}
	var tagOrder []string
	for _, t := range asSlice(doc["tags"]) {
		tm, _ := t.(map[string]any)
		name := str2(tm["name"])
		tagDesc[name] = str2(tm["description"])
		tagOrder = append(tagOrder, name)
	}
	groups := map[string]*apidocs.Group{}
	paths, _ := doc["paths"].(map[string]any)
	pathNames := make([]string, 0, len(paths))
	for p := range paths {
		pathNames = append(pathNames, p)
	}
	sort.Strings(pathNames)
	for _, p := range pathNames {
		ops, _ := paths[p].(map[string]any)
		for _, m := range methodOrder {
			o, ok := ops[m].(map[string]any)
			if !ok {
				continue
			}
			op := apidocs.Op{ID: str2(o["operationId"]), Method: strings.ToUpper(m), Path: p,
				Summary: str2(o["summary"]), Description: str2(o["description"])}
			if sec, ok := o["security"].([]any); ok && len(sec) == 0 {
				op.Public = true
			}
			if op.ID == "" {
				op.ID = strings.ToLower(m) + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(p)
			}
			for _, pr := range asSlice(o["parameters"]) {
				pm := deref(doc, pr)
				op.Params = append(op.Params, apidocs.Param{Name: str2(pm["name"]), In: str2(pm["in"]),
					Type: schemaType(doc, pm["schema"]), Required: pm["required"] == true, Description: str2(pm["description"])})
			}
			if rb, ok := o["requestBody"].(map[string]any); ok {
				op.Body = refName(dig(rb, "content", "application/json", "schema"))
			}
			res, _ := o["responses"].(map[string]any)
			codes := make([]string, 0, len(res))
			for code := range res {
				codes = append(codes, code)
			}
			sort.Strings(codes)
			for _, code := range codes {
				r := deref(doc, res[code])
				resp := apidocs.Response{Status: code, Description: str2(r["description"])}
				if content, ok := r["content"].(map[string]any); ok {
					for _, ct := range []string{"application/json", "application/problem+json"} {
						if sc := dig(content, ct, "schema"); sc != nil {
							resp.Schema = refName(sc)
						}
					}
				}
				op.Responses = append(op.Responses, resp)
			}
			tag := "API"
			if tags := asSlice(o["tags"]); len(tags) > 0 {
				tag = str2(tags[0])
			}
			g := groups[tag]
			if g == nil {
				g = &apidocs.Group{Tag: tag, Description: tagDesc[tag]}
				groups[tag] = g
				if _, known := tagDesc[tag]; !known {
					tagOrder = append(tagOrder, tag)
				}
			}
			g.Ops = append(g.Ops, op)
		}
	}
	for _, t := range tagOrder {
		if g := groups[t]; g != nil {
			v.Groups = append(v.Groups, *g)
			delete(groups, t)
		}
	}
	schemas, _ := dig(doc, "components", "schemas").(map[string]any)
	names := make([]string, 0, len(schemas))
	for n := range schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sm, _ := schemas[n].(map[string]any)
		sc := apidocs.Schema{Name: n, Description: str2(sm["description"])}
		required := map[string]bool{}
		for _, r := range asSlice(sm["required"]) {
			required[str2(r)] = true
		}
		props, _ := sm["properties"].(map[string]any)
		var order []string
		for k := range props {
			order = append(order, k)
		}
		// Required fields first, then by name: stable and readable.
		sort.Slice(order, func(i, j int) bool {
			if required[order[i]] != required[order[j]] {
				return required[order[i]]
			}
			return order[i] < order[j]
		})
		for _, k := range order {
			pm, _ := props[k].(map[string]any)
			sc.Props = append(sc.Props, apidocs.Prop{Name: k, Type: schemaType(doc, pm), Ref: firstRef(pm),
				Required: required[k], Description: str2(pm["description"])})
		}
		if len(sc.Props) == 0 && sc.Description == "" {
			sc.Description = schemaType(doc, sm)
		}
		v.Schemas = append(v.Schemas, sc)
	}
	for _, pc := range asSlice(doc["x-problem-codes"]) {
		m, _ := pc.(map[string]any)
		status, _ := m["status"].(float64)
		if status == 0 {
			if n, ok := m["status"].(int); ok {
				status = float64(n)
			}
		}
		v.Problems = append(v.Problems, apidocs.Problem{Code: str2(m["code"]), Status: int(status), Description: str2(m["description"])})
	}
	return v
}

func str2(v any) string {
	s, _ := v.(string)
	return s
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// deref follows a local $ref once.
func deref(doc map[string]any, v any) map[string]any {
	m, _ := v.(map[string]any)
	if r, ok := m["$ref"].(string); ok {
		t, _ := resolveRef(doc, r).(map[string]any)
		return t
	}
	return m
}

func refName(v any) string {
	m, _ := v.(map[string]any)
	if r, ok := m["$ref"].(string); ok {
		return r[strings.LastIndexByte(r, '/')+1:]
	}
	return ""
}

// firstRef is the schema a property refers to (directly, as array items or in anyOf).
func firstRef(m map[string]any) string {
	if n := refName(m); n != "" {
		return n
	}
	if items, ok := m["items"].(map[string]any); ok {
		return refName(items)
	}
	for _, alt := range asSlice(m["anyOf"]) {
		if n := refName(alt); n != "" {
			return n
		}
	}
	return ""
}

// schemaType says a schema's type in a few words: "string (date-time)",
// "array of User", "User or null", "one of: a, b".
func schemaType(doc map[string]any, v any) string {
	m, _ := v.(map[string]any)
	if m == nil {
		return ""
	}
	if n := refName(m); n != "" {
		return n
	}
	if alts := asSlice(m["anyOf"]); len(alts) > 0 {
		var parts []string
		for _, a := range alts {
			parts = append(parts, schemaType(doc, a))
		}
		return strings.Join(parts, " or ")
	}
	var types []string
	switch t := m["type"].(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			types = append(types, str2(x))
		}
	}
	for i, t := range types {
		switch t {
		case "array":
			types[i] = "array of " + schemaType(doc, m["items"])
		case "string", "integer", "number":
			var extra []string
			if f := str2(m["format"]); f != "" {
				extra = append(extra, f)
			}
			if mx, ok := m["maxLength"].(float64); ok {
				extra = append(extra, "≤ "+strconv.Itoa(int(mx))+" chars")
			}
			if mn, ok := m["minimum"].(float64); ok {
				if mx, ok := m["maximum"].(float64); ok {
					extra = append(extra, fmt.Sprintf("%d–%d", int(mn), int(mx)))
				}
			}
			if len(extra) > 0 {
				types[i] = t + " (" + strings.Join(extra, ", ") + ")"
			}
		}
	}
	out := strings.Join(types, " or ")
	if enum := asSlice(m["enum"]); len(enum) > 0 && len(enum) <= 12 {
		var vals []string
		for _, e := range enum {
			vals = append(vals, fmt.Sprint(e))
		}
		out += ": " + strings.Join(vals, ", ")
	}
	return out
}
