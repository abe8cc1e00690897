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
	// Imports (partner_onboarding.go, api_import.go) take whole files: a
	// larger limit of their own, applied before anything reads the body.
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: s.cfg.BodyLimit,
		Skipper: largeBodyRoute}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: importBodyLimit,
		Skipper: func(c echo.Context) bool { return !largeBodyRoute(c) }}))

	// Machine endpoints: no session, no CSRF.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/static/*", s.handleStatic)
	e.GET("/favicon.ico", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })

	// REST API v1 (SPEC §5; api.go): bearer tokens, no session, no CSRF;
	// the group authenticates, rate-limits, refuses writes with read-only
	// tokens and replays Idempotency-Key POSTs. The document needs no token.
	e.GET(apiPrefix+"/openapi.json", s.handleOpenAPI, s.apiLimitIP)
	api := s.apiGroup()
	api.GET("/me", s.handleAPIMe)
	api.GET("/customers", s.handleAPIListCustomers)
	api.POST("/customers", s.handleAPICreateCustomer)
	api.GET("/customers/:tenantId", s.handleAPIGetCustomer)
	api.PATCH("/customers/:tenantId", s.handleAPIUpdateCustomer)
	api.GET("/customers/:tenantId/users", s.handleAPIListUsers)
	api.POST("/customers/:tenantId/users", s.handleAPICreateUser)
	api.GET("/customers/:tenantId/users/:userId", s.handleAPIGetUser)
	api.PATCH("/customers/:tenantId/users/:userId", s.handleAPIUpdateUser)
	api.DELETE("/customers/:tenantId/users/:userId", s.handleAPIDeleteUser)
	api.POST("/customers/:tenantId/users/:userId/activation-email", s.handleAPIActivationEmail)
	api.POST("/customers/:tenantId/users/:userId/uc-welcome-email", s.handleAPIUCWelcomeEmail)
	api.GET("/customers/:tenantId/devices", s.handleAPIListDevices) // api_devices.go
	api.POST("/customers/:tenantId/devices", s.handleAPICreateDevice)
	api.GET("/customers/:tenantId/devices/:deviceId", s.handleAPIGetDevice)
	api.PATCH("/customers/:tenantId/devices/:deviceId", s.handleAPIUpdateDevice)
	api.DELETE("/customers/:tenantId/devices/:deviceId", s.handleAPIDeleteDevice)
	api.PUT("/customers/:tenantId/users/:userId/devices", s.handleAPISetUserDevices)
	s.apiAccessRoutes(api) // api_access.go
	s.apiImportRoutes(api) // api_import.go

	// Pages: session, CSRF and the view state. Registered with e.Use (with
	// a skipper for the machine endpoints) so that 404 and 405 pages, which
	// match no route, are translated and laid out too.
	e.Use(s.loadSession, s.csrf, s.viewState)

	e.GET("/signin", s.handleSignInPage)
	e.POST("/signin", s.handleSignIn)
	e.POST("/signout", s.handleSignOut)
	// The sign-in's second factor, and the set-up it needs first when the
	// account requires 2FA (twofactor.go): reachable only with the pending
	// state a correct password leaves in the session.
	e.GET("/signin/2fa", s.handleSecondFactorPage)
	e.POST("/signin/2fa", s.handleSecondFactor)
	e.GET("/signin/2fa/setup", s.handleEnrolPage)
	e.POST("/signin/2fa/setup", s.handleEnrol)
	e.POST("/signin/2fa/setup/new", s.handleEnrolNew)

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
	s.impersonationRoutes()  // impersonation.go
	s.accessPartnerRoutes()  // access_partner.go: Partnerdesk › Access requests, My zone
	s.accessCustomerRoutes() // access_customer.go: About account › Access requests
	s.partnerConsoleRoutes() // partner_console.go: Partnerdesk customers, customer page, disable/enable
	s.settingsRoutes()       // account_settings.go: About account › Settings, a customer's settings in Partnerdesk
	s.onboardingRoutes()     // partner_onboarding.go, account_import.go: the wizard, user import
	s.switcherRoutes()       // switcher.go: the top bar's account switcher

	// About account: Users tab (account_users.go).
	e.GET("/account/users", s.handleUsers, s.requireUser)
	e.GET("/account/users/new", s.handleNewUser, s.requireUser)
	e.POST("/account/users", s.handleCreateUser, s.requireUser)
	e.GET("/account/users/:id", s.handleEditUser, s.requireUser)
	e.POST("/account/users/:id", s.handleUpdateUser, s.requireUser)
	e.GET("/account/users/:id/disable", s.handleConfirm("disable"), s.requireUser)
	e.POST("/account/users/:id/disable", s.handleDisableUser, s.requireUser)
	e.POST("/account/users/:id/enable", s.handleEnableUser, s.requireUser)
	e.GET("/account/users/:id/signout", s.handleConfirm("signout"), s.requireUser)
	e.POST("/account/users/:id/signout", s.handleEndUserSessions, s.requireUser)
	e.GET("/account/users/:id/delete", s.handleConfirm("delete"), s.requireUser)
	e.POST("/account/users/:id/delete", s.handleDeleteUser, s.requireUser)
	e.POST("/account/users/:id/activation-email", s.handleResendActivation, s.requireUser)
	e.GET("/account/users/:id/roles", s.handleRoleEditorRow, s.requireUser)
	e.POST("/account/users/:id/roles", s.handleSaveRoles, s.requireUser)
	e.GET("/account/users/:id/row", s.handleUserRow, s.requireUser)

	// About account: Devices tab and a user's softphones (account_devices.go).
	e.GET("/account/devices", s.handleDevices, s.requireUser)
	e.GET("/account/devices/new", s.handleNewDevice, s.requireUser)
	e.POST("/account/devices", s.handleCreateDevice, s.requireUser)
	e.GET("/account/devices/:id", s.handleDevice, s.requireUser)
	e.POST("/account/devices/:id", s.handleUpdateDevice, s.requireUser)
	e.POST("/account/devices/:id/assignment", s.handleAssignDevice, s.requireUser)
	e.GET("/account/devices/:id/delete", s.handleConfirmDeleteDevice, s.requireUser)
	e.POST("/account/devices/:id/delete", s.handleDeleteDevice, s.requireUser)
	e.GET("/account/users/:id/softphones", s.handleUserSoftphones, s.requireUser)
	e.POST("/account/users/:id/softphones", s.handleSetUserSoftphones, s.requireUser)

	// About account: General information, Licenses, Audit log and its CSV
	// export (account.go, account_audit.go); Partnerdesk's customers, the
	// customer page and a customer's status (partner_console.go), the
	// partner's edit of a customer's general information
	// (partner_customers.go). The services authorize every call.
	e.GET("/account", s.handleAccountGeneral, s.requireUser)
	e.GET("/account/licenses", s.handleAccountLicences, s.requireUser)
	e.GET("/account/audit", s.handleAccountAudit, s.requireUser)
	e.GET("/account/audit.csv", s.handleAccountAuditCSV, s.requireUser)
	e.GET("/partner/customers/:tenantId/general", s.handleCustomerGeneral, s.requireUser)
	e.POST("/partner/customers/:tenantId/general", s.handleUpdateCustomerGeneral, s.requireUser)

	// About account › Security (account_security.go) and My profile › Two-factor
	// authentication (twofactor.go).
	e.GET("/account/security", s.handleAccountSecurity, s.requireUser)
	e.POST("/account/security", s.handleUpdateAccountSecurity, s.requireUser)
	e.GET("/profile/2fa", s.handleTwoFactorPage, s.requireUser)
	e.POST("/profile/2fa/setup", s.handleTwoFactorSetup, s.requireUser)
	e.POST("/profile/2fa/cancel", s.handleTwoFactorCancel, s.requireUser)
	e.POST("/profile/2fa/confirm", s.handleTwoFactorConfirm, s.requireUser)
	e.POST("/profile/2fa/recovery-codes", s.handleRegenerateRecoveryCodes, s.requireUser)
	e.POST("/profile/2fa/disable", s.handleDisableTwoFactor, s.requireUser)

	// My profile › API tokens (profile_tokens.go) and the API reference
	// rendered from the OpenAPI document (api_docs.go).
	e.GET("/profile/tokens", s.handleTokens, s.requireUser)
	e.POST("/profile/tokens", s.handleCreateToken, s.requireUser)
	e.GET("/profile/tokens/:id/regenerate", s.handleConfirmToken("regenerate"), s.requireUser)
	e.POST("/profile/tokens/:id/regenerate", s.handleRegenerateToken, s.requireUser)
	e.GET("/profile/tokens/:id/revoke", s.handleConfirmToken("revoke"), s.requireUser)
	e.POST("/profile/tokens/:id/revoke", s.handleRevokeToken, s.requireUser)
	e.GET("/api-docs", s.handleAPIDocs, s.requireUser)

	// My profile (profile*.go): the signed-in user's own data; the services
	// act on the actor only. The email confirmation link needs no session:
	// it proves the new mailbox. The FTP server's login check is a machine
	// endpoint with a shared secret of its own (api_ftp.go).
	e.GET("/profile", s.handleProfilePersonal, s.requireUser)
	e.POST("/profile", s.handleUpdatePersonal, s.requireUser)
	e.POST("/profile/email", s.handleRequestEmailChange, s.requireUser)
	e.GET("/profile/email/confirm", s.handleEmailConfirmPage)
	e.POST("/profile/email/confirm", s.handleEmailConfirm)
	e.GET("/profile/email/confirmed", s.handleEmailConfirmed)
	e.GET("/profile/rights", s.handleProfileRights, s.requireUser)
	e.GET("/profile/preferences", s.handleProfilePreferences, s.requireUser)
	e.POST("/profile/preferences", s.handleUpdatePreferences, s.requireUser)
	e.GET("/profile/password", s.handleProfilePassword, s.requireUser)
	e.POST("/profile/password", s.handleChangePassword, s.requireUser)
	e.GET("/profile/ftp", s.handleProfileFTP, s.requireUser)
	e.POST("/profile/ftp", s.handleSetFTPPassword, s.requireUser)
	e.GET("/profile/sessions", s.handleProfileSessions, s.requireUser)
	e.GET("/profile/sessions/:handle/signout", s.handleConfirmEndSession, s.requireUser)
	e.POST("/profile/sessions/:handle/signout", s.handleEndSession, s.requireUser)
	e.GET("/profile/sessions/signout-others", s.handleConfirmEndOthers, s.requireUser)
	e.POST("/profile/sessions/signout-others", s.handleEndOtherSessions, s.requireUser)
	e.POST("/api/v1/ftp/auth", s.handleFTPAuth)
}
