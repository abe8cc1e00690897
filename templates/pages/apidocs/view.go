// Package apidocs is the portal's API reference page, rendered from the
// OpenAPI document the API serves (web/api_docs.go builds the view).
package apidocs

import "strings"

// View is the whole reference.
type View struct {
	Title       string
	Version     string
	Description []string // paragraphs
	Groups      []Group
	Schemas     []Schema
	Problems    []Problem
}

// Group is the operations of one tag.
type Group struct {
	Tag         string
	Description string
	Ops         []Op
}

// Op is one endpoint and method.
type Op struct {
	ID          string
	Method      string
	Path        string
	Summary     string
	Description string
	Public      bool // needs no token
	Params      []Param
	Body        string // the request body's schema name, "" when none
	Responses   []Response
}

// Param is one parameter.
type Param struct {
	Name        string
	In          string
	Type        string
	Required    bool
	Description string
}

// Response is one documented answer.
type Response struct {
	Status      string
	Description string
	Schema      string // schema name or type, "" when no body
}

// Schema is one named schema.
type Schema struct {
	Name        string
	Description string
	Props       []Prop
}

// Prop is one property of a schema.
type Prop struct {
	Name        string
	Type        string
	Ref         string // the schema a $ref property points at, for a link
	Required    bool
	Description string
}

// Problem is one problem code.
type Problem struct {
	Code        string
	Status      int
	Description string
}

// tagID is the id of a tag's section heading: "tag-" and the tag in lower
// case with dashes for spaces ("User imports" → tag-user-imports), as an id
// may hold no space.
func tagID(tag string) string {
	return "tag-" + strings.ReplaceAll(strings.ToLower(strings.TrimSpace(tag)), " ", "-")
}
