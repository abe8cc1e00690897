package web

// switcherRoutes registers the account switcher.
func (s *Server) switcherRoutes() {}
