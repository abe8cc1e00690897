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
