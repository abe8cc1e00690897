package tenantdesk

import (
	"fmt"
	"math"
)

// A customer's phone-platform connection (POST/PATCH /api/v1/customers,
// the customer page) is a JSON object of details the phone platform needs.
// Any further fields are kept as given; these known ones must have their
// type, so that the OpenAPI document can describe them and a typed client
// can rely on what it reads back.
var connectionFields = []struct {
	name, kind string
}{
	{"platform", "string"}, // the phone platform, e.g. "pbx.example"
	{"host", "string"},     // its host name or address
	{"port", "port"},       // its port, 1–65535
	{"tls", "boolean"},     // whether the connection uses TLS
}

// checkConnectionFields checks the known fields of a decoded connection
// object, naming the first one at fault ("connection.port").
func checkConnectionFields(obj map[string]any) *FieldError {
	for _, f := range connectionFields {
		v, ok := obj[f.name]
		if !ok {
			continue
		}
		field := "connection." + f.name
		switch f.kind {
		case "string":
			if _, ok := v.(string); !ok {
				return &FieldError{Field: field, Message: fmt.Sprintf("connection.%s must be a string.", f.name)}
			}
		case "boolean":
			if _, ok := v.(bool); !ok {
				return &FieldError{Field: field, Message: fmt.Sprintf("connection.%s must be true or false.", f.name)}
			}
		case "port":
			n, ok := v.(float64)
			if !ok || n != math.Trunc(n) || n < 1 || n > 65535 {
				return &FieldError{Field: field, Message: fmt.Sprintf("connection.%s must be a whole number from 1 to 65535.", f.name)}
			}
		}
	}
	return nil
}
