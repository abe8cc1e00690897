package web

// apiImportRoutes registers POST /api/v1/customers/{tenantId}/user-imports.
func (s *Server) apiImportRoutes(api *apiRouter) {}
