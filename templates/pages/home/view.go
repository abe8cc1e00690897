package home

import (
	"strconv"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Greeting is the page heading: the translated welcome split around the
// person's name, so the name can be marked up on its own.
type Greeting struct {
	Before, Name, After string
}

// CustomerView is a customer account's home: its dashboard as the handler
// computed it, with the texts that need the request's language.
type CustomerView struct {
	Greeting
	D *tenantdesk.CustomerDashboard
	// Licences are the licensed roles held, most held first (at most a few).
	Licences []Figure
	// MoreLicences counts the licensed roles held that Licences leaves out.
	MoreLicences int
	// Audit are the newest audit entries, formatted.
	Audit []AuditLine
	// CanReadDevices: the Devices tab is the actor's (a quick link).
	CanReadDevices bool
	// Impersonating: a partner user works inside the account.
	Impersonating bool
}

// Figure is a labelled number.
type Figure struct {
	Label string
	Value int
}

// AuditLine is one audit entry on the home page.
type AuditLine struct {
	When    string // in the viewer's zone
	WhenISO string
	Actor   string
	Action  string // translated
	Target  string
}

// PartnerView is the home of partner staff.
type PartnerView struct {
	Greeting
	D *tenantdesk.PartnerDashboard
	// CanCreate: the actor may create customers (partner.admin).
	CanCreate   bool
	Onboardings []OnboardingLine
	Pending     []RequestLine
	Expiring    []RequestLine
}

// OnboardingLine is a customer pending onboarding.
type OnboardingLine struct {
	Name, Reference, URL string
	Created, CreatedISO  string
	// AdminsInvited counts the admins who have not set a password yet.
	AdminsInvited int
}

// RequestLine is an access request (pending) or a grant (expiring).
type RequestLine struct {
	Name     string
	Customer string
	People   string
	URL      string
	// When is the date sent (pending) or the end (expiring), formatted.
	When string
}

// Statuses of the figures' links (?status= of the lists they open).
const (
	StatusPendingOnboarding = string(tenantdesk.CustomerPendingOnboarding)
	StatusActive            = string(tenantdesk.CustomerActive)
	StatusDisabled          = string(tenantdesk.CustomerDisabled)
)
