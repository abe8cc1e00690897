package service

import "github.com/tenantdesk/tenantdesk/internal/tenantdesk"

// Legacy are the flows still answered by the store, until they move here
// too (the store implements them today).
type Legacy interface {
	customerReads
	profileFlows
	secondFactorSteps
}

// All are the services, built together by New; cmd/tenantdesk hands them
// to the web layer (all but Operator, which only the command line gets).
type All struct {
	Users     *Users
	Customers *Customers
	Profile   *Profile
	Operator  *Operator
	Auth      *Auth
	Links     *Links
}

// New builds every service over d.
func New(d *Deps, legacy Legacy) (*All, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	a := &All{Users: &Users{d: d}, Operator: &Operator{d: d}}
	a.Customers = &Customers{customerReads: legacy, d: d}
	a.Profile = &Profile{profileFlows: legacy, d: d}
	var err error
	if a.Auth, err = NewAuth(d, legacy); err != nil {
		return nil, err
	}
	if a.Links, err = NewLinks(d); err != nil {
		return nil, err
	}
	return a, nil
}

var _ tenantdesk.AccountUserService = (*Users)(nil)
