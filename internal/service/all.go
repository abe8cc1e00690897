package service

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
	Settings  *Settings // a customer's settings (settings.go)
	Auth      *Auth
	Links     *Links

	Tokens      *Tokens
	Devices     *Devices
	AccountInfo *AccountInfo
	UserMail    *UserMail
	AuditLog    *AuditLog
	Idempotency *Idempotency
	Access      *Access
	Imports     *Imports   // user imports (import.go)
	Dashboard   *Dashboard // home dashboards, account switcher (dashboard.go)
}

// New builds every service over d; d needs a Hasher.
func New(d *Deps) (*All, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Hasher == nil {
		return nil, errNoHasher
	}
	a := &All{Users: &Users{d: d}, Operator: &Operator{d: d}}
	a.Customers = &Customers{d: d}
	a.Profile = &Profile{d: d}
	a.FTPAuth = newFTPAuth(d)
	a.TwoFactor = &TwoFactor{d: d}
	a.Security = &Security{d: d}
	a.Settings = &Settings{d: d}
	a.Tokens = &Tokens{d: d}
	a.Devices = &Devices{d: d}
	a.AccountInfo = &AccountInfo{d: d}
	a.UserMail = &UserMail{d: d}
	a.AuditLog = &AuditLog{d: d}
	a.Idempotency = &Idempotency{d: d}
	a.Access = &Access{d: d}
	a.Imports = &Imports{d: d}
	a.Dashboard = &Dashboard{d: d}
	var err error
	if a.Auth, err = NewAuth(d, a.TwoFactor); err != nil { // the sign-in asks the 2FA service for the next step
		return nil, err
	}
	if a.Links, err = NewLinks(d); err != nil {
		return nil, err
	}
	return a, nil
}
