package profile

import (
	"context"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// TokensView is the API tokens tab: the user's tokens, the form for a new
// one and, on the page right after creating or regenerating a token, its
// secret (shown this once only).
type TokensView struct {
	Flash  []string
	Tokens []TokenRow
	// New is the token just created or regenerated, with its secret; nil otherwise.
	New       *tenantdesk.APIToken
	NewSecret string
	// Form input kept after a failed create.
	Name     string
	Expires  string // YYYY-MM-DD
	ReadOnly bool
	Form     Form
	// MaxDays is the account's maximum token lifetime (0: none), MaxDate
	// the latest expiry date allowed today (YYYY-MM-DD, "" without a maximum).
	MaxDays int
	MaxDate string
	// MinDate is the earliest expiry date (tomorrow, in the user's zone).
	MinDate string
	Now     time.Time
	// NoAccess, when set, says why the user may neither create nor use
	// tokens (in a customer account: without onboarding.admin): the tab
	// shows it instead of the form, and their tokens cannot be regenerated.
	NoAccess string
}

// TokenRow is one token of the list.
type TokenRow struct {
	Token *tenantdesk.APIToken
	// Status is "active", "expired" or "revoked".
	Status string
}

// TokenConfirmView asks before regenerating or revoking a token.
type TokenConfirmView struct {
	Token  *tenantdesk.APIToken
	Action string // "regenerate" or "revoke"
}

// expiresHint is the hint of the expiry date: the account's maximum
// lifetime, when it has one.
func (v TokensView) expiresHint(ctx context.Context) string {
	if v.MaxDays > 0 {
		return view.N(ctx, "token.form.expires_hint_max", v.MaxDays)
	}
	return view.T(ctx, "token.form.expires_hint")
}
