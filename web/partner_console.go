package web

// partnerConsoleRoutes registers Partnerdesk customers, the customer page, disable/enable.
func (s *Server) partnerConsoleRoutes() {}
