// Package servicetest builds the services over a store for tests of other
// packages (the store's own tests, the mail worker's, the web layer's), so
// that they arrange accounts and users the one way the product does.
package servicetest

import (
	"context"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/i18n"
	"github.com/tenantdesk/tenantdesk/internal/mail"
	"github.com/tenantdesk/tenantdesk/internal/service"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Deps returns service dependencies over store with the real mail renderer
// and a cheap argon2id hasher.
func Deps(t testing.TB, store tenantdesk.Store) *service.Deps {
	t.Helper()
	bundle, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return &service.Deps{Store: store, Mail: mail.NewRenderer(bundle), Hasher: CheapHasher()}
}

// CheapHasher is argon2id at test costs (verifies any argon2id hash).
func CheapHasher() tenantdesk.PasswordHasher {
	return auth.NewArgon2id(auth.Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}, 2)
}

// Ops are the operator's operations over a store; they always act as the
// platform operator, whatever the context says.
type Ops struct{ O *service.Operator }

// NewOps returns the operator's operations over store; emailed links
// are relative.
func NewOps(t testing.TB, store tenantdesk.Store) Ops {
	t.Helper()
	return NewOpsAt(t, store, "")
}

// NewOpsAt returns the operator's operations over store; emailed links
// start with baseURL.
func NewOpsAt(t testing.TB, store tenantdesk.Store, baseURL string) Ops {
	t.Helper()
	d := Deps(t, store)
	d.BaseURL = baseURL
	o, err := service.NewOperator(d)
	if err != nil {
		t.Fatal(err)
	}
	return Ops{o}
}

// CreatePartner creates a partner with its Owner.
func (p Ops) CreatePartner(ctx context.Context, in tenantdesk.CreatePartnerInput) (*tenantdesk.Account, *tenantdesk.User, error) {
	return p.O.CreatePartner(tenantdesk.OperatorContext(ctx), in)
}

// CreateCustomer creates a customer, optionally with an Owner.
func (p Ops) CreateCustomer(ctx context.Context, a *tenantdesk.Account, owner *tenantdesk.User) error {
	return p.O.CreateCustomer(tenantdesk.OperatorContext(ctx), a, owner)
}

// CreateUser creates a user without an invitation email.
func (p Ops) CreateUser(ctx context.Context, u *tenantdesk.User) error {
	return p.O.CreateUser(tenantdesk.OperatorContext(ctx), u)
}

// QueueActivation emails a new activation link to an invited user.
func (p Ops) QueueActivation(ctx context.Context, userID int64) error {
	return p.O.QueueActivation(tenantdesk.OperatorContext(ctx), userID)
}

// SetPassword sets a user's portal password (an invited user becomes active).
func (p Ops) SetPassword(ctx context.Context, userID int64, password string) error {
	return p.O.SetPassword(tenantdesk.OperatorContext(ctx), userID, password)
}

// NewAuth returns the sign-in service over store, checking passwords with
// hasher; steps says whether a second factor is owed (the store, until
// that flow moves to a service).
func NewAuth(t testing.TB, store tenantdesk.Store, hasher tenantdesk.PasswordHasher, steps interface {
	SecondFactorStep(ctx context.Context, userID int64) (string, error)
}) *service.Auth {
	t.Helper()
	d := Deps(t, store)
	d.Hasher = hasher
	a, err := service.NewAuth(d, steps)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// NewLinks returns the emailed-links service over store; links start with baseURL.
func NewLinks(t testing.TB, store tenantdesk.Store, baseURL string) *service.Links {
	t.Helper()
	d := Deps(t, store)
	d.BaseURL = baseURL
	l, err := service.NewLinks(d)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// NewUsers returns the users service over store.
func NewUsers(t testing.TB, store tenantdesk.Store) *service.Users {
	t.Helper()
	u, err := service.NewUsers(Deps(t, store))
	if err != nil {
		t.Fatal(err)
	}
	return u
}
