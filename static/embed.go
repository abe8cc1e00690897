// Package static holds the browser assets of Tenantdesk.
//
// The whole static tree the server needs (the compiled Tailwind stylesheet,
// the vendored htmx build and the small CSP-safe app script) is embedded
// (the embed directive below), so one self-contained binary serves everything and no files have
// to be deployed next to it.
//
// static/css/app.css is generated; rebuild it after changing templates,
// tailwind.config.js or static/css/input.css with:
//
//	npm run css
//
// which runs: npx tailwindcss -i static/css/input.css -o static/css/app.css --minify
package static

import "embed"

// FS contains css/app.css, js/htmx.min.js, js/app.js and js/switcher.js at those paths
// (e.g. FS.Open("css/app.css")); serve it under a prefix such as /static/.
//
//go:embed css/app.css js/htmx.min.js js/app.js js/switcher.js
var FS embed.FS

// HtmxVersion is the htmx.org release vendored as js/htmx.min.js (pinned in
// package.json). Useful for cache-busting URLs.
const HtmxVersion = "2.0.11"
