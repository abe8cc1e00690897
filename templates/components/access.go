package components

import (
	"context"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/view"
)

// What every page about access requests (Partnerdesk, About account, My
// zone) shows the same way.

// AccessStateBadge is the badge class of a request's state; the badge's
// text names the state, so colour is never the only signal.
func AccessStateBadge(s tenantdesk.AccessState) string {
	switch s {
	case tenantdesk.AccessPending:
		return "badge badge-yellow"
	case tenantdesk.AccessGranted:
		return "badge badge-green"
	case tenantdesk.AccessDenied, tenantdesk.AccessRevoked:
		return "badge badge-red"
	}
	return "badge badge-gray"
}

// AccessModeNames lists modes by their translated names.
func AccessModeNames(ctx context.Context, modes []tenantdesk.AccessMode) string {
	names := make([]string, 0, len(modes))
	for _, m := range modes {
		names = append(names, view.T(ctx, "access.mode."+string(m)))
	}
	return strings.Join(names, ", ")
}

// EndOfDay reports whether t is midnight in the reader's zone: an expiry
// entered as a date (access ends at the end of the day before).
func EndOfDay(ctx context.Context, t time.Time) bool {
	l := t.In(view.From(ctx).Location)
	return l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 && l.Nanosecond() == 0
}

// ExpiryDay is the last day of access of an end time, in the reader's
// zone, as YYYY-MM-DD (a date field's value): an end at midnight is the
// previous day, its last whole day.
func ExpiryDay(ctx context.Context, t time.Time) string {
	l := t.In(view.From(ctx).Location)
	if EndOfDay(ctx, t) {
		l = l.AddDate(0, 0, -1)
	}
	return l.Format(time.DateOnly)
}
