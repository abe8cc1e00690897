package tenantdesk

import "context"

// Actor is who is acting in a request: the signed-in user and their account,
// and where the request came from. Services read it to authorize and audit.
type Actor struct {
	User    *User
	Account *Account
	IP      string
	// SessionID is the server-side session the request belongs to, "" for API tokens and the CLI.
	SessionID string
	// Operator marks the platform operator (the command line): no user,
	// every account.
	Operator bool
	// Impersonation is set while a partner user works inside a customer
	// account (a web session, re-checked on every request): the actor then
	// acts there with the roles of its mode only, and nowhere else beyond
	// their own profile.
	Impersonation *Impersonation
	// Grants are the live grants of a partner user calling the API with a
	// token: in each granted customer they act with the roles of the
	// grant's modes.
	Grants []Grant
}

// Impersonating reports whether the actor works inside a customer account
// through a grant (a web impersonation).
func (a *Actor) Impersonating() bool { return a != nil && a.Impersonation != nil }

// grantAt returns the live grant of the actor at account id, nil when none.
func (a *Actor) grantAt(id int64) *Grant {
	for i := range a.Grants {
		if a.Grants[i].AccountID == id {
			return &a.Grants[i]
		}
	}
	return nil
}

// modeRoles are the roles the actor has in acc through a grant
// (impersonation or API grant): ok is false when none lets them in.
func (a *Actor) modeRoles(acc *Account) (roles []string, ok bool) {
	if imp := a.Impersonation; imp != nil {
		if imp.Account == nil || imp.Account.ID != acc.ID {
			return nil, false
		}
		return imp.Mode.Roles(), true
	}
	if acc.ParentID != 0 && a.User != nil && acc.ParentID == a.User.AccountID {
		for _, g := range a.Grants { // several live requests may name them: the union
			if g.AccountID == acc.ID {
				for _, m := range g.Modes {
					roles = append(roles, m.Roles()...)
				}
				ok = true
			}
		}
		if ok {
			return roles, true
		}
	}
	return nil, false
}

// OperatorContext returns ctx acting as the platform operator.
func OperatorContext(ctx context.Context) context.Context {
	return WithActor(ctx, &Actor{Operator: true})
}

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, or nil for an anonymous request.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// ClientIP returns the client IP of ctx's actor, or "" when unknown.
func ClientIP(ctx context.Context) string {
	if a := ActorFrom(ctx); a != nil {
		return a.IP
	}
	return ""
}
