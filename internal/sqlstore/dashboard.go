package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The figures of the home dashboards and the account switcher's search
// (tenantdesk.DashboardReads). Each figure group is one aggregate query
// scoped by the account (or the partner); internal/service's Dashboard
// decides what the actor sees of them.

var _ tenantdesk.DashboardReads = (*DB)(nil)

// liveActivation is the condition on users x that an unused activation link
// that has not expired at ?2 was sent to them.
const liveActivation = `EXISTS (SELECT 1 FROM user_tokens t WHERE t.user_id = x.id AND t.kind = 'activation'
		AND t.used_at IS NULL AND t.expires_at > ?2)`

// customerFiguresQuery reads a customer's figures: ?1 the account, ?2 now,
// ?3 the user whose own 2FA is asked (0: none).
const customerFiguresQuery = `WITH u AS (
		SELECT coalesce(sum(status = 'invited'), 0) AS invited,
			coalesce(sum(status = 'active'), 0) AS active,
			coalesce(sum(status = 'disabled'), 0) AS disabled
		FROM users WHERE account_id = ?1)
	SELECT u.invited, u.active, u.disabled,
		(SELECT count(*) FROM users x WHERE x.account_id = ?1 AND x.status = 'invited' AND ` + liveActivation + `),
		(SELECT count(*) FROM users x WHERE x.account_id = ?1 AND x.status = 'invited'
			AND (x.is_owner = 1 OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = x.id AND r.role = 'customer.user'))
			AND NOT ` + liveActivation + `),
		(SELECT count(*) FROM user_totp t JOIN users x ON x.id = t.user_id
			WHERE t.account_id = ?1 AND t.enabled_at IS NOT NULL AND x.status = 'active'),
		coalesce((SELECT require_2fa FROM account_security WHERE account_id = ?1), 0),
		(SELECT count(*) FROM access_requests r WHERE r.account_id = ?1 AND r.state = 'pending'),
		EXISTS (SELECT 1 FROM user_totp WHERE user_id = ?3 AND account_id = ?1 AND enabled_at IS NOT NULL)
	FROM u`

// CustomerFigures reads a customer account's counts in one query. See
// tenantdesk.DashboardReads.
func (db *DB) CustomerFigures(ctx context.Context, accountID, userID int64, now time.Time) (tenantdesk.CustomerFigures, error) {
	var f tenantdesk.CustomerFigures
	err := db.read.QueryRowContext(ctx, customerFiguresQuery, accountID, ms(now), userID).Scan(
		&f.Users.Invited, &f.Users.Active, &f.Users.Disabled, &f.InvitationsLive, &f.InvitationsExpired,
		&f.ActiveWithTOTP, &f.Require2FA, &f.PendingRequests, &f.OwnTOTP)
	if err != nil {
		return f, fmt.Errorf("store: customer figures: %w", err)
	}
	return f, nil
}

// namingUser restricts requests r to those naming the user ?2 unless it is 0.
const namingUser = `(CAST(?2 AS BIGINT) = 0 OR r.id IN (SELECT request_id FROM access_request_users WHERE user_id = ?2))`

// partnerFiguresQuery reads a partner's figures: ?1 the partner, ?2 the
// user whose requests are counted (0: all), ?3 now, ?4 the horizon of
// grants expiring soon. The status is the customer list's
// (customerStatusRank, customer_console.go), so the figures match the
// list they link to.
const partnerFiguresQuery = `WITH c AS (
		SELECT ` + customerStatusRank + ` AS st
		FROM accounts a WHERE a.parent_id = ?1 AND a.kind = 'customer')
	SELECT coalesce(sum(st = 0), 0), coalesce(sum(st = 1), 0), coalesce(sum(st = 2), 0),
		(SELECT count(*) FROM access_requests r WHERE r.partner_id = ?1 AND r.state = 'pending' AND ` + namingUser + `),
		(SELECT count(*) FROM access_requests r WHERE r.partner_id = ?1 AND r.state = 'granted'
			AND r.expires_at > ?3 AND r.expires_at <= ?4 AND ` + namingUser + `)
	FROM c`

// PartnerFigures reads a partner's counts in one query. See
// tenantdesk.DashboardReads.
func (db *DB) PartnerFigures(ctx context.Context, partnerID, userID int64, now, until time.Time) (tenantdesk.PartnerFigures, error) {
	var f tenantdesk.PartnerFigures
	err := db.read.QueryRowContext(ctx, partnerFiguresQuery, partnerID, userID, ms(now), ms(until)).Scan(
		&f.Customers.PendingOnboarding, &f.Customers.Active, &f.Customers.Disabled, &f.PendingRequests, &f.ExpiringGrants)
	if err != nil {
		return f, fmt.Errorf("store: partner figures: %w", err)
	}
	return f, nil
}

// PendingOnboardings lists the partner's customers pending onboarding,
// created first first, with their invited user admins counted. See
// tenantdesk.DashboardReads.
func (db *DB) PendingOnboardings(ctx context.Context, partnerID int64, limit int) ([]tenantdesk.OnboardingSummary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.tenant_id, a.name, a.reference, a.created_at,
		(SELECT count(*) FROM user_roles ra
			JOIN user_roles rc ON rc.user_id = ra.user_id AND rc.role = 'customer.user'
			JOIN users au ON au.id = ra.user_id
			WHERE ra.account_id = a.id AND ra.role = 'user.admin' AND au.status = 'invited')
		FROM accounts a WHERE a.parent_id = ? AND a.kind = 'customer' AND a.disabled_at IS NULL AND NOT `+consoleActiveAdmin+`
		ORDER BY a.created_at, a.id LIMIT ?`, partnerID, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("store: pending onboardings: %w", err)
	}
	defer rows.Close()
	var out []tenantdesk.OnboardingSummary
	for rows.Next() {
		var o tenantdesk.OnboardingSummary
		var created int64
		if err := rows.Scan(&o.ID, &o.TenantID, &o.Name, &o.Reference, &created, &o.AdminsInvited); err != nil {
			return nil, fmt.Errorf("store: scan pending onboarding: %w", err)
		}
		o.CreatedAt = fromMS(created)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending onboardings: %w", err)
	}
	return out, nil
}

// ExpiringGrants lists the partner's live grants ending in (now, until],
// soonest first. See tenantdesk.DashboardReads.
func (db *DB) ExpiringGrants(ctx context.Context, partnerID, userID int64, now, until time.Time, limit int) ([]*tenantdesk.AccessRequest, error) {
	return queryAccessRequests(ctx, db.read, accessSelect+`WHERE r.partner_id = ?1 AND r.state = 'granted'
		AND r.expires_at > ?3 AND r.expires_at <= ?4 AND `+namingUser+` ORDER BY r.expires_at, r.id LIMIT ?5`,
		partnerID, userID, ms(now), ms(until), max(limit, 1))
}

// MatchCustomers finds the partner's customers whose name, reference or
// tenant ID contains query (any case, any script), by name, at most limit.
// See tenantdesk.DashboardReads.
func (db *DB) MatchCustomers(ctx context.Context, partnerID int64, query string, limit int) ([]tenantdesk.CustomerMatch, error) {
	if strings.TrimSpace(query) == "" {
		return nil, nil
	}
	// The customer list's own search (customer_console.go), so the
	// switcher and the list always find the same customers.
	page, err := db.CustomerPage(ctx, partnerID, tenantdesk.CustomerFilter{Query: query, Limit: max(limit, 1)})
	if err != nil {
		return nil, err
	}
	out := make([]tenantdesk.CustomerMatch, 0, len(page.Customers))
	for _, c := range page.Customers {
		out = append(out, tenantdesk.CustomerMatch{ID: c.ID, TenantID: c.TenantID, Name: c.Name, Reference: c.Reference,
			Disabled: c.Status == tenantdesk.CustomerDisabled})
	}
	return out, nil
}
