package main

import (
	"strconv"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/sitepages"
)

// The pages, their viewers and the walk over them are internal/sitepages',
// shared with the accessibility checks of the browser tests in web.
type (
	page   = sitepages.Page
	viewer = sitepages.Viewer
)

// fileName is the PNG's name: route, viewer, width and theme, e.g.
// account_users_id__owner__375__dark.png ("home" for /).
func fileName(route string, v viewer, width int, theme string, variant string) string {
	name := strings.Trim(route, "/")
	name = strings.NewReplacer("/", "_", ":", "", ".", "-", "*", "all").Replace(name)
	if name == "" {
		name = "home"
	}
	if variant != "" {
		name += "-" + variant
	}
	return name + "__" + v.Name + "__" + strconv.Itoa(width) + "__" + theme + ".png"
}
