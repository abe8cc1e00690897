package layout

// navClass returns the side-menu link classes; full class names only, so
// Tailwind's scanner sees them.
func navClass(active bool) string {
	if active {
		return "sidenav-link sidenav-link-active"
	}
	return "sidenav-link"
}

// ariaCurrent marks the current page's link for assistive technology.
func ariaCurrent(active bool) string {
	if active {
		return "page"
	}
	return "false"
}
