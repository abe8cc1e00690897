package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"modernc.org/sqlite"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Partnerdesk's customer console as stored (tenantdesk.CustomerLists,
// CustomerStatusTx): the customer list with status, counts and partner
// access in one query per page, a customer's users at a glance, and a
// customer's disabled status. The flows are internal/service's AccountInfo.

// foldFunc is the SQL function that case-folds text (Unicode, not only
// ASCII as NOCASE and LIKE do), so that a search for "ёлка" finds "Ёлка".
const foldFunc = "tenantdesk_fold"

func init() {
	if err := sqlite.RegisterDeterministicScalarFunction(foldFunc, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return foldSearch(v), nil
		case []byte:
			return foldSearch(string(v)), nil
		case nil:
			return "", nil
		}
		return fmt.Sprint(args[0]), nil
	}); err != nil {
		panic(err)
	}
}

// foldSearch is the search key of a text: Unicode case folding.
func foldSearch(s string) string { return cases.Fold().String(s) }

// consoleActiveAdmin is true for the account a (an alias in the query) when one
// of its users who has activated (set a password) is a user admin: its
// Owner, or a holder of user.admin and customer.user (CustomerStatusOf).
const consoleActiveAdmin = `(EXISTS (SELECT 1 FROM users o WHERE o.account_id = a.id AND o.is_owner = 1 AND o.status = 'active')
	OR EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id
		WHERE r.account_id = a.id AND r.role = 'user.admin' AND u.status = 'active'
		AND EXISTS (SELECT 1 FROM user_roles c WHERE c.user_id = u.id AND c.role = 'customer.user')))`

// customerStatusRank orders the statuses: 0 pending onboarding, 1 active, 2 disabled.
const customerStatusRank = `(CASE WHEN a.disabled_at IS NOT NULL THEN 2 WHEN ` + consoleActiveAdmin + ` THEN 1 ELSE 0 END)`

var customerRankStatus = []tenantdesk.CustomerStatus{tenantdesk.CustomerPendingOnboarding, tenantdesk.CustomerActive, tenantdesk.CustomerDisabled}

func customerStatusRankOf(s tenantdesk.CustomerStatus) int {
	for i, st := range customerRankStatus {
		if st == s {
			return i
		}
	}
	return -1
}

// licensedRoleList is the SQL list of the catalogue's licensed roles. Role
// keys are the catalogue's constants (letters, digits and dots).
func licensedRoleList() string {
	var keys []string
	for _, r := range tenantdesk.Catalogue {
		if r.Licensed && strings.Trim(r.Key, "abcdefghijklmnopqrstuvwxyz0123456789._") == "" {
			keys = append(keys, "'"+r.Key+"'")
		}
	}
	if len(keys) == 0 {
		return "''"
	}
	return strings.Join(keys, ",")
}

// customerRowColumns are a CustomerSummary of the account a; its one
// parameter is the time now (for live grants).
func customerRowColumns() string {
	return `a.id, a.tenant_id, a.name, a.reference, a.created_at, a.first_grant_at IS NULL, ` + customerStatusRank + ` AS st,
	(SELECT count(*) FROM users u WHERE u.account_id = a.id),
	(SELECT count(*) FROM user_roles r JOIN users u ON u.id = r.user_id
		WHERE r.account_id = a.id AND r.role IN (` + licensedRoleList() + `) AND u.status <> 'disabled'),
	(SELECT count(DISTINCT ru.user_id) FROM access_requests r
		JOIN access_request_users ru ON ru.request_id = r.id
		JOIN users u ON u.id = ru.user_id AND u.account_id = r.partner_id
		WHERE r.account_id = a.id AND r.partner_id = a.parent_id AND ` + liveGrant + ` AND u.status <> 'disabled'),
	(SELECT count(*) FROM access_requests r WHERE r.account_id = a.id AND r.partner_id = a.parent_id AND r.state = 'pending')`
}

func scanCustomerRow(row rowScanner) (*tenantdesk.CustomerSummary, error) {
	var c tenantdesk.CustomerSummary
	var created int64
	var rank int
	err := row.Scan(&c.ID, &c.TenantID, &c.Name, &c.Reference, &created, &c.LegacyAccess, &rank,
		&c.Users, &c.Licences, &c.GrantedStaff, &c.PendingRequests)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: scan customer: %w", err)
	}
	c.CreatedAt = fromMS(created)
	if rank >= 0 && rank < len(customerRankStatus) {
		c.Status = customerRankStatus[rank]
	}
	return &c, nil
}

// CustomerPage returns a page of the partner's customers in f.Sort's order
// with keyset pagination, in one statement: the page's keys are chosen
// first (walking the accounts_parent index for the name order), then the
// counts are read for those rows only. See tenantdesk.CustomerLists.
func (db *DB) CustomerPage(ctx context.Context, partnerID int64, f tenantdesk.CustomerFilter) (*tenantdesk.CustomerPage, error) {
	limit := max(f.Limit, 1)
	sort := f.Sort
	if sort == "" {
		sort = tenantdesk.SortByName
	}
	needRank := f.Status != "" || sort == tenantdesk.SortByStatus
	// The partner's own account ID scopes the query: a partner sees its
	// customers only. NOCASE orders like lower(name) (both fold ASCII
	// only) and lets SQLite walk the accounts_parent index.
	base := `SELECT a.id, a.name, a.created_at`
	if needRank {
		base += `, ` + customerStatusRank + ` AS st`
	}
	base += ` FROM accounts a WHERE a.parent_id = ? AND a.kind = 'customer'`
	args := []any{partnerID}
	if q := foldSearch(searchText(f.Query)); q != "" {
		base += ` AND (instr(` + foldFunc + `(a.name), ?) > 0 OR instr(` + foldFunc + `(a.reference), ?) > 0 OR instr(` + foldFunc + `(a.tenant_id), ?) > 0)`
		args = append(args, q, q, q)
	}
	page := `SELECT * FROM (` + base + `) b WHERE 1 = 1`
	if f.Status != "" {
		rank := customerStatusRankOf(f.Status)
		if rank < 0 {
			return nil, invalidCustomerFilter("status", "Unknown status.")
		}
		page += ` AND b.st = ?`
		args = append(args, rank)
	}
	if f.After != "" {
		cur, ok := decodeCustomerCursor(f.After)
		if !ok || cur.sort != sort {
			return nil, invalidCustomerFilter("cursor", "The page cursor is not valid.")
		}
		switch sort {
		case tenantdesk.SortByCreated:
			page += ` AND (b.created_at < ? OR (b.created_at = ? AND b.id < ?))`
			args = append(args, cur.created, cur.created, cur.id)
		case tenantdesk.SortByStatus:
			page += ` AND (b.st > ? OR (b.st = ? AND (b.name COLLATE NOCASE > ? OR (b.name COLLATE NOCASE = ? AND b.id > ?))))`
			args = append(args, cur.rank, cur.rank, cur.name, cur.name, cur.id)
		default:
			page += ` AND (b.name COLLATE NOCASE > ? OR (b.name COLLATE NOCASE = ? AND b.id > ?))`
			args = append(args, cur.name, cur.name, cur.id)
		}
	}
	var order, outerOrder string
	switch sort {
	case tenantdesk.SortByCreated:
		order, outerOrder = `b.created_at DESC, b.id DESC`, `a.created_at DESC, a.id DESC`
	case tenantdesk.SortByStatus:
		order, outerOrder = `b.st, b.name COLLATE NOCASE, b.id`, `st, a.name COLLATE NOCASE, a.id`
	case tenantdesk.SortByName:
		order, outerOrder = `b.name COLLATE NOCASE, b.id`, `a.name COLLATE NOCASE, a.id`
	default:
		return nil, invalidCustomerFilter("sort", "Unknown order.")
	}
	page += ` ORDER BY ` + order + ` LIMIT ?`
	args = append(args, limit+1)
	q := `WITH page AS MATERIALIZED (` + page + `) SELECT ` + customerRowColumns() +
		` FROM page p JOIN accounts a ON a.id = p.id ORDER BY ` + outerOrder
	args = append(args, ms(db.Now()))
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	defer rows.Close()
	out := &tenantdesk.CustomerPage{}
	for rows.Next() {
		c, err := scanCustomerRow(rows)
		if err != nil {
			return nil, err
		}
		out.Customers = append(out.Customers, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	if len(out.Customers) > limit {
		out.Customers = out.Customers[:limit]
		out.NextCursor = encodeCustomerCursor(sort, out.Customers[limit-1])
	}
	return out, nil
}

func invalidCustomerFilter(field, msg string) error {
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Fields: []tenantdesk.FieldError{{Field: field, Message: msg}}}
}

// CustomerRow returns one customer's row of the list. See tenantdesk.CustomerLists.
func (db *DB) CustomerRow(ctx context.Context, partnerID, accountID int64) (*tenantdesk.CustomerSummary, error) {
	return scanCustomerRow(db.read.QueryRowContext(ctx, `SELECT `+customerRowColumns()+
		` FROM accounts a WHERE a.id = ? AND a.parent_id = ? AND a.kind = 'customer'`, ms(db.Now()), accountID, partnerID))
}

// customerCursor is a keyset position of one of the orders.
type customerCursor struct {
	sort    tenantdesk.CustomerSort
	id      int64
	name    string
	created int64
	rank    int
}

// encodeCustomerCursor makes the opaque, URL-safe cursor after c:
// "n:<id>:<name>", "c:<id>:<created ms>" or "s:<id>:<rank>:<name>".
func encodeCustomerCursor(sort tenantdesk.CustomerSort, c tenantdesk.CustomerSummary) string {
	id := strconv.FormatInt(c.ID, 10)
	var s string
	switch sort {
	case tenantdesk.SortByCreated:
		s = "c:" + id + ":" + strconv.FormatInt(ms(c.CreatedAt), 10)
	case tenantdesk.SortByStatus:
		s = "s:" + id + ":" + strconv.Itoa(customerStatusRankOf(c.Status)) + ":" + c.Name
	default:
		s = "n:" + id + ":" + c.Name
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeCustomerCursor(s string) (customerCursor, bool) {
	var c customerCursor
	if len(s) > 1024 {
		return c, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, false
	}
	kind, rest, ok := strings.Cut(string(b), ":")
	if !ok {
		return c, false
	}
	if kind != "n" && kind != "c" && kind != "s" {
		// The name order's cursor before there were others: "<id>:<name>".
		kind, rest = "n", string(b)
	}
	idPart, rest, ok := strings.Cut(rest, ":")
	if !ok {
		return c, false
	}
	if c.id, err = strconv.ParseInt(idPart, 10, 64); err != nil || c.id <= 0 {
		return c, false
	}
	switch kind {
	case "c":
		c.sort = tenantdesk.SortByCreated
		if c.created, err = strconv.ParseInt(rest, 10, 64); err != nil {
			return c, false
		}
	case "s":
		c.sort = tenantdesk.SortByStatus
		rank, name, ok := strings.Cut(rest, ":")
		if !ok {
			return c, false
		}
		if c.rank, err = strconv.Atoi(rank); err != nil || c.rank < 0 || c.rank >= len(customerRankStatus) {
			return c, false
		}
		c.name = name
	default:
		c.sort, c.name = tenantdesk.SortByName, rest
	}
	return c, true
}

// glanceUserAdmin is true for a user u (an alias) who is a user admin: the
// Owner, or a holder of user.admin and customer.user.
const glanceUserAdmin = `(u.is_owner = 1 OR (EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'user.admin')
	AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'customer.user')))`

// CustomerUsersGlance counts the account's users and user admins by status.
// See tenantdesk.CustomerLists.
func (db *DB) CustomerUsersGlance(ctx context.Context, accountID int64) (*tenantdesk.CustomerUsersGlance, error) {
	g := &tenantdesk.CustomerUsersGlance{}
	// "May sign in" is User.CanSignIn: the Owner and holders of
	// customer.user (partner roles are not given in customer accounts).
	err := db.read.QueryRowContext(ctx, `SELECT count(*),
		coalesce(sum(u.status = 'invited'), 0), coalesce(sum(u.status = 'active'), 0), coalesce(sum(u.status = 'disabled'), 0),
		coalesce(sum(u.status = 'invited' AND `+glanceUserAdmin+`), 0),
		coalesce(sum(u.status = 'active' AND `+glanceUserAdmin+`), 0),
		coalesce(sum(u.status = 'invited' AND (u.is_owner = 1 OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id
			AND r.role IN ('customer.user', 'partner.user', 'partner.admin')))), 0)
		FROM users u WHERE u.account_id = ?`, accountID).Scan(
		&g.Total, &g.Invited, &g.Active, &g.Disabled, &g.AdminsInvited, &g.AdminsActive, &g.ActivationPending)
	if err != nil {
		return nil, fmt.Errorf("store: customer users: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, userWithRoles+`WHERE u.account_id = ? AND u.status <> 'disabled' AND `+glanceUserAdmin+`
		ORDER BY u.name_norm, u.id LIMIT ?`, accountID, tenantdesk.MaxGlanceAdmins)
	if err != nil {
		return nil, fmt.Errorf("store: customer admins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUserWithRoles(rows)
		if err != nil {
			return nil, err
		}
		g.Admins = append(g.Admins, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: customer admins: %w", err)
	}
	return g, nil
}

// SetAccountDisabled stores the account's disabled time. See tenantdesk.CustomerStatusTx.
func (tx *Tx) SetAccountDisabled(ctx context.Context, accountID int64, at *time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET disabled_at = ?, updated_at = ? WHERE id = ?`,
		nullMS(at), ms(tx.now), accountID); err != nil {
		return fmt.Errorf("store: set account disabled: %w", err)
	}
	return nil
}

// EndAccountSessions deletes the sessions of every user of the account.
// See tenantdesk.CustomerStatusTx.
func (tx *Tx) EndAccountSessions(ctx context.Context, accountID int64) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE account_id = ?)`, accountID)
	if err != nil {
		return 0, fmt.Errorf("store: end account sessions: %w", err)
	}
	return res.RowsAffected()
}

// InvitedUsers returns the account's invited users by name. See tenantdesk.CustomerStatusTx.
func (tx *Tx) InvitedUsers(ctx context.Context, accountID int64) ([]*tenantdesk.User, error) {
	rows, err := tx.QueryContext(ctx, userWithRoles+`WHERE u.account_id = ? AND u.status = 'invited' ORDER BY u.name_norm, u.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: invited users: %w", err)
	}
	defer rows.Close()
	var out []*tenantdesk.User
	for rows.Next() {
		u, err := scanUserWithRoles(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: invited users: %w", err)
	}
	return out, nil
}

// CustomerStatus returns a customer's status. See tenantdesk.CustomerReads.
func (db *DB) CustomerStatus(ctx context.Context, accountID int64) (tenantdesk.CustomerStatus, error) {
	return customerStatus(ctx, db.read, accountID)
}

// CustomerStatus returns a customer's status inside tx.
func (tx *Tx) CustomerStatus(ctx context.Context, accountID int64) (tenantdesk.CustomerStatus, error) {
	return customerStatus(ctx, tx, accountID)
}

func customerStatus(ctx context.Context, q querier, accountID int64) (tenantdesk.CustomerStatus, error) {
	var rank int
	err := q.QueryRowContext(ctx, `SELECT `+customerStatusRank+` FROM accounts a WHERE a.id = ?`, accountID).Scan(&rank)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Account not found.")
	} else if err != nil {
		return "", fmt.Errorf("store: customer status: %w", err)
	}
	return customerRankStatus[rank], nil
}
