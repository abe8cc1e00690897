package service

import "github.com/tenantdesk/tenantdesk/internal/tenantdesk"

// Legacy are the flows still answered by the store, until they move here
// too (the store implements them today).
type Legacy interface {
	profileFlows
}

// All are the services, built together by New; cmd/tenantdesk hands them
// to the web layer (all but Operator, which only the command line gets).
type All struct {
	Users     *Users
	Customers *Customers
	Profile   *Profile
	Operator  *Operator

	Tokens      *Tokens
	Devices     *Devices
	AccountInfo *AccountInfo
	UserMail    *UserMail
	AuditLog    *AuditLog
	Idempotency *Idempotency
}

// New builds every service over d.
func New(d *Deps, legacy Legacy) (*All, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	a := &All{Users: &Users{d: d}, Operator: &Operator{d: d}}
	a.Customers = &Customers{d: d}
	a.Tokens = &Tokens{d: d}
	a.Devices = &Devices{d: d}
	a.AccountInfo = &AccountInfo{d: d}
	a.UserMail = &UserMail{d: d}
	a.AuditLog = &AuditLog{d: d}
	a.Idempotency = &Idempotency{d: d}
	a.Profile = &Profile{profileFlows: legacy, d: d}
	return a, nil
}

var _ tenantdesk.AccountUserService = (*Users)(nil)
