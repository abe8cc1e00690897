package web

// settingsRoutes registers About account › Settings and a customer's settings in Partnerdesk.
func (s *Server) settingsRoutes() {}
