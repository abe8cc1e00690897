package main

import (
	"flag"
	"io"

	"github.com/tenantdesk/tenantdesk/web"
)

// runOpenAPI prints the REST API's OpenAPI document, as the server serves
// it at /api/v1/openapi.json, for tools that read a file (make
// openapi-check lints it and compiles a typed client from it). It needs no
// database.
func runOpenAPI(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := web.OpenAPIDocument()
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(b, '\n'))
	return err
}
