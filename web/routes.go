package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the whole route table.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.recoverPanics)
	e.Use(middleware.RequestID())
	e.Use(s.requestLogger())
	e.Use(s.securityHeaders)
	e.Use(middleware.BodyLimit(s.cfg.BodyLimit))

	// Machine endpoints: no session, no CSRF.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/static/*", s.handleStatic)
	e.GET("/favicon.ico", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })

	// Pages: session, CSRF and the view state. Registered with e.Use (with
	// a skipper for the machine endpoints) so that 404 and 405 pages, which
	// match no route, are translated and laid out too.
	e.Use(s.loadSession, s.csrf(), s.viewState)

	e.GET("/signin", s.handleSignInPage)
	e.POST("/signin", s.handleSignIn)
	e.POST("/signout", s.handleSignOut)

	// Signed-in pages take requireUser per route: an echo Group would add a
	// catch-all route and turn every unknown URL into a sign-in redirect.
	e.GET("/", s.handleHome, s.requireUser)
}
