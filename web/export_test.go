package web

import "github.com/labstack/echo/v4"

// AddAPIRouteForTest registers h under /api/v1 behind the API's middleware
// (authentication, rate limits, read-only tokens, Idempotency-Key), so a
// test can drive the framework with a handler no real endpoint has (one
// that panics, say).
func (s *Server) AddAPIRouteForTest(method, path string, h echo.HandlerFunc) {
	s.apiGroup().add(method, path, h, nil)
}
