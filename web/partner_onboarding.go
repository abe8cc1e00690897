package web

// onboardingRoutes registers the onboarding wizard and user import pages.
func (s *Server) onboardingRoutes() {}
