package web

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
)

// render renders a templ component into a buffer first, so a failing
// template becomes a clean 500 page rather than half a page.
// The buffers are pooled: a Users-tab page is about 30 KB, and growing a
// fresh buffer to that size on every request was a tenth of its CPU time.
func render(c echo.Context, status int, cmp templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledRender {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := cmp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

// maxPooledRender keeps the odd huge page (a long audit log) from pinning
// its buffer in the pool.
const maxPooledRender = 256 << 10

// isHTMX reports whether a request wants a fragment: an HTMX request that
// is neither boosted nor a history restore (those need the full page).
func isHTMX(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true" && h.Get("HX-History-Restore-Request") != "true"
}

// redirectAfterPost sends the browser on after a successful form post:
// HX-Redirect for HTMX, 303 See Other otherwise.
func redirectAfterPost(c echo.Context, target string) error {
	if c.Request().Header.Get("HX-Request") == "true" {
		c.Response().Header().Set("HX-Redirect", target)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, target)
}
