package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// apiMaxBody caps API request bodies (a user or a customer with its
// connection details fits many times over).
const apiMaxBody = 64 << 10

// apiJSON writes v as JSON with status.
func apiJSON(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("api: encode: %w", err)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/json")
	c.Response().WriteHeader(status)
	_, err = c.Response().Write(append(b, '\n'))
	return err
}

// ctxAPIMaxBody, set on a request by a route that takes more (an int, in
// bytes; the user imports), replaces apiMaxBody for it.
const ctxAPIMaxBody = "api_max_body"

// apiBodyLimit is the request's body limit: apiMaxBody unless its route says.
func apiBodyLimit(c echo.Context) int {
	if n, ok := c.Get(ctxAPIMaxBody).(int); ok && n > 0 {
		return n
	}
	return apiMaxBody
}

// readAPIBody reads the request body up to its limit (apiBodyLimit; 413
// beyond) and puts it back so that it can be read again (the idempotency
// fingerprint reads it before the handler does).
func readAPIBody(c echo.Context) ([]byte, error) {
	r := c.Request()
	if r.Body == nil {
		return nil, nil
	}
	limit := apiBodyLimit(c)
	b, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	r.Body.Close()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errBodyTooLarge(limit)
		}
		return nil, fmt.Errorf("api: read body: %w", err)
	}
	if len(b) > limit {
		return nil, errBodyTooLarge(limit)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

func errBodyTooLarge(limit int) error {
	return &tenantdesk.Error{Code: codeBodyTooLarge, Message: fmt.Sprintf("The request body is larger than %d KiB.", limit>>10)}
}

func errMalformed(msg string) error {
	return &tenantdesk.Error{Code: codeMalformedJSON, Message: msg}
}

// decodeJSON decodes the request body into dst (a pointer to a struct)
// strictly: the Content-Type must be JSON, the body valid UTF-8 and one
// JSON object with no unknown fields, field names in their exact case, no
// key twice in an object, no value of the wrong type and no null (except
// fields tagged `api:"nullable"`). Violations are problems naming the
// field: 415, 413, 400 malformed_json or 400 validation_failed.
func decodeJSON(c echo.Context, dst any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	// application/json only, as the OpenAPI document says (a charset
	// parameter is fine): a +json type such as application/problem+json
	// names another format, and the document promises no such body.
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return &tenantdesk.Error{Code: codeUnsupportedMediaType, Message: "Send the body as JSON with \"Content-Type: application/json\"."}
	}
	b, err := readAPIBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return errMalformed("The request body is empty: send a JSON object.")
	}
	if !utf8.Valid(b) {
		return errMalformed("The request body is not valid UTF-8.")
	}
	// encoding/json reads null into a struct as "nothing": the body would
	// pass as an empty object.
	if k := reflect.TypeOf(dst).Elem().Kind(); (k == reflect.Struct || k == reflect.Map) && bytes.TrimSpace(b)[0] != '{' {
		if err := json.Unmarshal(b, new(any)); err != nil {
			return jsonDecodeError(err)
		}
		return errMalformed("The request body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonDecodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errMalformed("The request body holds more than one JSON value: send one object.")
	}
	if err := checkKeys(json.NewDecoder(bytes.NewReader(b)), reflect.TypeOf(dst), ""); err != nil {
		return err
	}
	return checkNulls(b, dst)
}

// checkKeys walks the JSON value next in dec beside the Go type t it was
// decoded into, and refuses what encoding/json lets through: a key that
// names a field in another letter case ("Email" for "email"), and a key
// given twice in one object (where the last would win), at any depth. The
// body has already decoded, so it is valid JSON. Field paths are dotted
// ("owner.email"), as encoding/json names them.
func checkKeys(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return errMalformed("The request body is not valid JSON.")
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = jsonFields(t)
		}
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return errMalformed("The request body is not valid JSON.")
			}
			key, _ := kt.(string)
			field := key
			if path != "" {
				field = path + "." + key
			}
			if key == "" && path == "" {
				// A problem names the field at fault; a key "" names none.
				return errMalformed("The request body has a member with an empty name: no field has one.")
			}
			if seen[key] {
				return apiFieldError(field, fmt.Sprintf("%s appears more than once: give each field once.", field))
			}
			seen[key] = true
			var elem reflect.Type
			switch {
			case fields != nil:
				var ok bool
				if elem, ok = fields[key]; !ok {
					for name := range fields {
						if strings.EqualFold(name, key) {
							return apiFieldError(field, fmt.Sprintf("Unknown field %q: field names are case-sensitive, did you mean %q?", key, name))
						}
					}
				}
			case t != nil && t.Kind() == reflect.Map:
				elem = t.Elem()
			}
			if err := checkKeys(dec, elem, field); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for dec.More() {
			if err := checkKeys(dec, elem, path); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
	}
	if err != nil {
		return errMalformed("The request body is not valid JSON.")
	}
	return nil
}

// jsonFields returns the JSON names of struct t's fields and their types,
// with the fields of embedded structs promoted as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for n, typ := range jsonFields(ft) {
				if _, ok := out[n]; !ok {
					out[n] = typ
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// jsonDecodeError turns an encoding/json error into a problem naming the field.
func jsonDecodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errMalformed("The request body is not complete JSON.")
	case errors.As(err, &syn):
		return errMalformed(fmt.Sprintf("The request body is not valid JSON (at byte %d).", syn.Offset))
	case errors.As(err, &typ):
		if typ.Field == "" {
			return errMalformed("The request body must be a JSON object.")
		}
		return apiFieldError(typ.Field, fmt.Sprintf("%s %s, not %s.", typ.Field, wantKind(typ.Type), article(typ.Value)))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		if name == "" {
			// A problem names the field at fault; a key "" names none.
			return errMalformed("The request body has a member with an empty name: no field has one.")
		}
		return apiFieldError(name, fmt.Sprintf("Unknown field %q.", name))
	}
	return errMalformed("The request body is not valid JSON.")
}

// wantKind says what a Go type expects in JSON.
func wantKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeOf(json.RawMessage{}) {
		return "must be a JSON value"
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "must be an integer"
	case reflect.Float32, reflect.Float64:
		return "must be a number"
	case reflect.Slice, reflect.Array:
		return "must be an array"
	case reflect.Map, reflect.Struct:
		return "must be an object"
	}
	return "has the wrong type"
}

func article(jsonType string) string {
	switch jsonType {
	case "array", "object":
		return "an " + jsonType
	case "":
		return "this value"
	}
	return "a " + jsonType
}

// checkNulls refuses "field": null at the top level of the body for every
// field of dst not tagged `api:"nullable"`: a PATCH cannot tell null from
// absent, and a create would read it as missing.
func checkNulls(body []byte, dst any) error {
	t := reflect.TypeOf(dst)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil // already decoded into dst; not an object of fields
	}
	var fields []tenantdesk.FieldError
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if raw, ok := top[name]; ok && string(bytes.TrimSpace(raw)) == "null" && f.Tag.Get("api") != "nullable" {
			fields = append(fields, tenantdesk.FieldError{Field: name, Message: name + " must not be null: leave it out instead."})
		}
	}
	if len(fields) > 0 {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	return nil
}

// blankJSONBody reports whether body b of a request whose input is
// optional counts as none: it is empty or white space, sent without a
// Content-Type or as JSON. White space sent as another type is for
// decodeJSON to refuse (415), as any body of that type is.
func blankJSONBody(c echo.Context, b []byte) bool {
	if len(bytes.TrimSpace(b)) > 0 {
		return false
	}
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// requireFields returns EINVALID naming every missing (nil) required field,
// given as name/present pairs in order.
func requireFields(present ...any) error {
	var fields []tenantdesk.FieldError
	for i := 0; i+1 < len(present); i += 2 {
		name, _ := present[i].(string)
		if ok, _ := present[i+1].(bool); !ok {
			fields = append(fields, tenantdesk.FieldError{Field: name, Message: name + " is required."})
		}
	}
	if len(fields) > 0 {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	return nil
}
