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

	// Emailed single-use links and "Forgot password" (links.go); the demo
	// mailbox exists only when configured (devmail.go).
	e.GET("/activate", s.handleActivatePage)
	e.POST("/activate", s.handleActivate)
	e.POST("/activate/resend", s.handleActivateResend)
	e.GET("/password/forgot", s.handleForgotPage)
	e.POST("/password/forgot", s.handleForgot)
	e.GET("/password/reset", s.handleResetPage)
	e.POST("/password/reset", s.handleReset)
	e.POST("/password/reset/resend", s.handleResetResend)
	if s.cfg.DevMailbox {
		e.GET("/dev/mail", s.handleDevMail)
	}

	// Signed-in pages take requireUser per route: an echo Group would add a
	// catch-all route and turn every unknown URL into a sign-in redirect.
	e.GET("/", s.handleHome, s.requireUser)

	// About account: Users tab (account_users.go).
	e.GET("/account/users", s.handleUsers, s.requireUser)
	e.GET("/account/users/new", s.handleNewUser, s.requireUser)
	e.POST("/account/users", s.handleCreateUser, s.requireUser)
	e.GET("/account/users/:id", s.handleEditUser, s.requireUser)
	e.POST("/account/users/:id", s.handleUpdateUser, s.requireUser)
	e.GET("/account/users/:id/disable", s.handleConfirm("disable"), s.requireUser)
	e.POST("/account/users/:id/disable", s.handleDisableUser, s.requireUser)
	e.POST("/account/users/:id/enable", s.handleEnableUser, s.requireUser)
	e.GET("/account/users/:id/delete", s.handleConfirm("delete"), s.requireUser)
	e.POST("/account/users/:id/delete", s.handleDeleteUser, s.requireUser)
	e.POST("/account/users/:id/activation-email", s.handleResendActivation, s.requireUser)

	// About account: General information, Licenses, Audit log and its CSV
	// export (account.go, account_audit.go); Partnerdesk's customer list and
	// the partner's edit of a customer's general information
	// (partner_customers.go). The services authorize every call.
	e.GET("/account", s.handleAccountGeneral, s.requireUser)
	e.GET("/account/licenses", s.handleAccountLicences, s.requireUser)
	e.GET("/account/audit", s.handleAccountAudit, s.requireUser)
	e.GET("/account/audit.csv", s.handleAccountAuditCSV, s.requireUser)
	e.GET("/partner/customers", s.handlePartnerCustomers, s.requireUser)
	e.GET("/partner/customers/:tenantId/general", s.handleCustomerGeneral, s.requireUser)
	e.POST("/partner/customers/:tenantId/general", s.handleUpdateCustomerGeneral, s.requireUser)
}
