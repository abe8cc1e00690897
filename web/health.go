package web

import (
	"context"
	"net/http"
	"path"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/tenantdesk/tenantdesk/static"
)

// handleHealthz answers while the process runs.
func (s *Server) handleHealthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// handleReadyz answers 200 when the database answers, 503 otherwise.
func (s *Server) handleReadyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if s.svc.Ready != nil {
		if err := s.svc.Ready(ctx); err != nil {
			s.log.Warn("not ready", "error", err.Error())
			return c.String(http.StatusServiceUnavailable, "database unavailable")
		}
	}
	return c.String(http.StatusOK, "ready")
}

// handleStatic serves the embedded assets. URLs carry the asset version,
// so a matching version may be cached for a year.
func (s *Server) handleStatic(c echo.Context) error {
	name := path.Clean(c.Param("*"))
	data, err := static.FS.ReadFile(name)
	if err != nil {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	if c.QueryParam("v") == s.assetVersion {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	ctype := "application/octet-stream"
	switch path.Ext(name) {
	case ".css":
		ctype = "text/css; charset=utf-8"
	case ".js":
		ctype = "text/javascript; charset=utf-8"
	}
	return c.Blob(http.StatusOK, ctype, data)
}
