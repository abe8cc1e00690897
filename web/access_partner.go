package web

// accessPartnerRoutes registers Partnerdesk › Access requests and My zone.
func (s *Server) accessPartnerRoutes() {}
