package service

import "github.com/tenantdesk/tenantdesk/internal/tenantdesk"

// Legacy are the flows still answered by the store, until they move here
// too (the store implements them today).
type Legacy interface {
	customerReads
}

// All are the services, built together by New; cmd/tenantdesk hands them
// to the web layer (all but Operator, which only the command line gets).
type All struct {
	Users     *Users
	Customers *Customers
	Profile   *Profile
	FTPAuth   *FTPAuth
	Operator  *Operator
	TwoFactor *TwoFactor
	Security  *Security
}

// New builds every service over d; d needs a Hasher.
func New(d *Deps, legacy Legacy) (*All, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Hasher == nil {
		return nil, errNoHasher
	}
	a := &All{Users: &Users{d: d}, Operator: &Operator{d: d}}
	a.Customers = &Customers{customerReads: legacy, d: d}
	a.Profile = &Profile{d: d}
	a.FTPAuth = newFTPAuth(d)
	a.TwoFactor = &TwoFactor{d: d}
	a.Security = &Security{d: d}
	return a, nil
}

var _ tenantdesk.AccountUserService = (*Users)(nil)
