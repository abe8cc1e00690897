package web

// apiAccessRoutes registers /api/v1/access-requests.
func (s *Server) apiAccessRoutes(api *apiRouter) {}
