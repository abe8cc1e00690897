package layout

import (
	"context"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// timeLeft says how long an impersonation's grant still runs: days, hours
// or minutes (rounded down, at least one minute), or that it runs until
// revoked.
func timeLeft(ctx context.Context, imp *tenantdesk.Impersonation) string {
	if imp.ExpiresAt == nil {
		return view.T(ctx, "impersonation.banner.no_expiry")
	}
	left := imp.ExpiresAt.Sub(view.From(ctx).Now)
	switch {
	case left >= 48*time.Hour:
		return view.N(ctx, "impersonation.banner.days_left", int(left/(24*time.Hour)))
	case left >= 2*time.Hour:
		return view.N(ctx, "impersonation.banner.hours_left", int(left/time.Hour))
	}
	return view.N(ctx, "impersonation.banner.minutes_left", max(int(left/time.Minute), 1))
}

// isPartnerAdmin reports whether the signed-in user is a partner.admin in
// their partner account (Partnerdesk's access requests are theirs).
func isPartnerAdmin(ctx context.Context) bool {
	v := view.From(ctx)
	return v.User != nil && v.Account != nil && v.Account.IsPartner() && v.User.HasRole(tenantdesk.RolePartnerAdmin)
}
