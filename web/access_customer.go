package web

// accessCustomerRoutes registers About account › Access requests.
func (s *Server) accessCustomerRoutes() {}
