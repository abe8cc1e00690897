package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Access requests and grants as stored (migrations/0012_access_requests.sql;
// tenantdesk.AccessReads, AccessTx). The state machine and who may do what
// are internal/tenantdesk/access.go and internal/service's. None of these
// reads is cached: a grant ends (revoke, expiry) the moment it is stored.

var (
	_ tenantdesk.AccessReads = (*DB)(nil)
	_ tenantdesk.AccessReads = (*Tx)(nil)
	_ tenantdesk.AccessTx    = (*Tx)(nil)
)

// defaultAccessLimit caps AccessRequests when the query gives no limit.
const defaultAccessLimit = 200

// accessSelect reads requests with their batch, partner and customer.
// Callers add the WHERE clause.
const accessSelect = `SELECT r.id, r.batch_id, r.partner_id, p.name, r.account_id, a.tenant_id, a.name,
	b.name, b.message, r.modes, r.state, r.expires_at, COALESCE(b.requested_by, 0), b.requested_by_name,
	r.answer_message, r.answered_by_name, r.answered_at, r.reminded_at, r.created_at, r.updated_at
	FROM access_requests r
	JOIN access_request_batches b ON b.id = r.batch_id
	JOIN accounts p ON p.id = r.partner_id
	JOIN accounts a ON a.id = r.account_id `

// liveGrant is the condition on r of a grant that lets its users in at ?.
const liveGrant = `r.state = 'granted' AND (r.expires_at IS NULL OR r.expires_at > ?)`

func accessRequestNotFound() error {
	return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Access request not found.")
}

func scanAccessRequest(row rowScanner) (*tenantdesk.AccessRequest, error) {
	r := &tenantdesk.AccessRequest{}
	var modes, state string
	var expires, answered, reminded sql.NullInt64
	var created, updated int64
	err := row.Scan(&r.ID, &r.BatchID, &r.PartnerID, &r.PartnerName, &r.AccountID, &r.AccountTenantID, &r.AccountName,
		&r.Name, &r.Message, &modes, &state, &expires, &r.RequestedByID, &r.RequestedByName,
		&r.AnswerMessage, &r.AnsweredByName, &answered, &reminded, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accessRequestNotFound()
	} else if err != nil {
		return nil, fmt.Errorf("store: scan access request: %w", err)
	}
	if r.Modes, err = parseModes(modes); err != nil {
		return nil, fmt.Errorf("store: access request %d: %w", r.ID, err)
	}
	r.State = tenantdesk.AccessState(state)
	r.ExpiresAt, r.AnsweredAt, r.RemindedAt = fromNullMS(expires), fromNullMS(answered), fromNullMS(reminded)
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return r, nil
}

// parseModes reads the stored comma list of modes.
func parseModes(s string) ([]tenantdesk.AccessMode, error) {
	if s == "" {
		return nil, nil
	}
	modes, ok := tenantdesk.ParseAccessModes(strings.Split(s, ","))
	if !ok {
		return nil, fmt.Errorf("unknown access mode in %q", s)
	}
	return modes, nil
}

// joinModes is the stored form of modes, in the order given.
func joinModes(modes []tenantdesk.AccessMode) string {
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = string(m)
	}
	return strings.Join(names, ",")
}

// queryAccessRequests runs an accessSelect query and loads the users of
// every request it returns with one more query per few hundred requests.
func queryAccessRequests(ctx context.Context, q querier, query string, args ...any) ([]*tenantdesk.AccessRequest, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list access requests: %w", err)
	}
	var out []*tenantdesk.AccessRequest
	for rows.Next() {
		r, err := scanAccessRequest(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("store: list access requests: %w", err)
	}
	if err := loadAccessUsers(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// accessUsersChunk bounds the IN list of loadAccessUsers (SQLite's
// variable limit is far above it).
const accessUsersChunk = 500

// loadAccessUsers fills the Users of rs, by name.
func loadAccessUsers(ctx context.Context, q querier, rs []*tenantdesk.AccessRequest) error {
	byID := make(map[int64]*tenantdesk.AccessRequest, len(rs))
	for _, r := range rs {
		byID[r.ID] = r
		r.Users = nil
	}
	for start := 0; start < len(rs); start += accessUsersChunk {
		chunk := rs[start:min(start+accessUsersChunk, len(rs))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r.ID
		}
		rows, err := q.QueryContext(ctx, `SELECT ru.request_id, u.id, u.display_name, u.email
			FROM access_request_users ru JOIN users u ON u.id = ru.user_id
			WHERE ru.request_id IN (`+placeholders(len(chunk))+`) ORDER BY u.name_norm, u.id`, args...)
		if err != nil {
			return fmt.Errorf("store: access request users: %w", err)
		}
		for rows.Next() {
			var requestID int64
			var u tenantdesk.AccessRequestUser
			if err := rows.Scan(&requestID, &u.UserID, &u.DisplayName, &u.Email); err != nil {
				rows.Close()
				return fmt.Errorf("store: scan access request user: %w", err)
			}
			if r := byID[requestID]; r != nil {
				r.Users = append(r.Users, u)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: access request users: %w", err)
		}
	}
	return nil
}

// scanWithExtras scans a row whose columns are those of a scanner's
// target followed by extra ones (scanWithExtra for several).
type scanWithExtras struct {
	row   rowScanner
	extra []any
}

func (s scanWithExtras) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// placeholders returns "?,?,…" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

func findAccessRequest(ctx context.Context, q querier, id int64) (*tenantdesk.AccessRequest, error) {
	r, err := scanAccessRequest(q.QueryRowContext(ctx, accessSelect+`WHERE r.id = ?`, id))
	if err != nil {
		return nil, err
	}
	if err := loadAccessUsers(ctx, q, []*tenantdesk.AccessRequest{r}); err != nil {
		return nil, err
	}
	return r, nil
}

func listAccessRequests(ctx context.Context, q querier, aq tenantdesk.AccessRequestQuery) ([]*tenantdesk.AccessRequest, error) {
	var where string
	var args []any
	set := 0
	if aq.PartnerID != 0 {
		set++
		where, args = `WHERE r.partner_id = ?`, []any{aq.PartnerID}
	}
	if aq.AccountID != 0 {
		set++
		where, args = `WHERE r.account_id = ?`, []any{aq.AccountID}
	}
	if aq.UserID != 0 {
		set++
		where, args = `WHERE r.id IN (SELECT request_id FROM access_request_users WHERE user_id = ?)`, []any{aq.UserID}
	}
	if set != 1 {
		return nil, fmt.Errorf("store: access requests: give exactly one of partner, account and user (%d given)", set)
	}
	if aq.State != "" {
		where += ` AND r.state = ?`
		args = append(args, string(aq.State))
	}
	limit := aq.Limit
	if limit <= 0 {
		limit = defaultAccessLimit
	}
	args = append(args, limit)
	return queryAccessRequests(ctx, q, accessSelect+where+` ORDER BY r.id DESC LIMIT ?`, args...)
}

func liveGrants(ctx context.Context, q querier, userID, accountID int64, now time.Time) ([]tenantdesk.Grant, error) {
	query := `SELECT r.id, r.account_id, a.name, r.modes, r.expires_at FROM access_requests r
		JOIN access_request_users ru ON ru.request_id = r.id AND ru.user_id = ?
		JOIN accounts a ON a.id = r.account_id
		WHERE ` + liveGrant
	args := []any{userID, ms(now)}
	if accountID != 0 {
		query += ` AND r.account_id = ?`
		args = append(args, accountID)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: live grants: %w", err)
	}
	defer rows.Close()
	var out []tenantdesk.Grant
	for rows.Next() {
		var g tenantdesk.Grant
		var modes string
		var expires sql.NullInt64
		if err := rows.Scan(&g.RequestID, &g.AccountID, &g.AccountName, &modes, &expires); err != nil {
			return nil, fmt.Errorf("store: scan grant: %w", err)
		}
		if g.Modes, err = parseModes(modes); err != nil {
			return nil, fmt.Errorf("store: access request %d: %w", g.RequestID, err)
		}
		g.ExpiresAt = fromNullMS(expires)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: live grants: %w", err)
	}
	return out, nil
}

// parentUsersQuery reads the enabled partner users named in live grants at
// an account (?1, at ?2), each once: the user with roles as userWithRoles
// reads them, whether one of their grants has no expiry, and the latest.
const parentUsersQuery = `SELECT ` + userColumns + `, u.roles,
	max(CASE WHEN r.expires_at IS NULL THEN 1 ELSE 0 END), max(r.expires_at)
	FROM access_requests r
	JOIN access_request_users ru ON ru.request_id = r.id
	JOIN users u ON u.id = ru.user_id AND u.account_id = r.partner_id
	JOIN accounts a ON a.id = u.account_id
	WHERE r.account_id = ?1 AND r.state = 'granted' AND (r.expires_at IS NULL OR r.expires_at > ?2)
	AND u.status <> 'disabled'
	GROUP BY u.id, a.id ORDER BY u.name_norm, u.id`

func parentUsers(ctx context.Context, q querier, accountID int64, now time.Time) ([]*tenantdesk.ParentUser, error) {
	rows, err := q.QueryContext(ctx, parentUsersQuery, accountID, ms(now))
	if err != nil {
		return nil, fmt.Errorf("store: parent users: %w", err)
	}
	defer rows.Close()
	var out []*tenantdesk.ParentUser
	for rows.Next() {
		var unlimited bool
		var latest sql.NullInt64
		u, err := scanUserWithRoles(scanWithExtras{rows, []any{&unlimited, &latest}})
		if err != nil {
			return nil, err
		}
		p := &tenantdesk.ParentUser{User: *u}
		if !unlimited {
			p.GrantExpiresAt = fromNullMS(latest)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: parent users: %w", err)
	}
	return out, nil
}

func usersWithAnyRole(ctx context.Context, q querier, accountID int64, roles []string) ([]*tenantdesk.User, error) {
	query := userWithRoles + `WHERE u.account_id = ? AND u.status <> 'disabled' AND (u.is_owner = 1`
	args := []any{accountID}
	if len(roles) > 0 {
		query += ` OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.account_id = u.account_id
			AND r.role IN (` + placeholders(len(roles)) + `))`
		for _, r := range roles {
			args = append(args, r)
		}
	}
	rows, err := q.QueryContext(ctx, query+`) ORDER BY u.name_norm, u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: users with roles: %w", err)
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
		return nil, fmt.Errorf("store: users with roles: %w", err)
	}
	return out, nil
}

// FindAccessRequest reads a request with its users. See tenantdesk.AccessReads.
func (db *DB) FindAccessRequest(ctx context.Context, id int64) (*tenantdesk.AccessRequest, error) {
	return findAccessRequest(ctx, db.read, id)
}

// FindAccessRequest reads a request with its users inside tx.
func (tx *Tx) FindAccessRequest(ctx context.Context, id int64) (*tenantdesk.AccessRequest, error) {
	return findAccessRequest(ctx, tx, id)
}

// AccessRequests lists requests, newest first. See tenantdesk.AccessReads.
func (db *DB) AccessRequests(ctx context.Context, q tenantdesk.AccessRequestQuery) ([]*tenantdesk.AccessRequest, error) {
	return listAccessRequests(ctx, db.read, q)
}

// AccessRequests lists requests, newest first, inside tx.
func (tx *Tx) AccessRequests(ctx context.Context, q tenantdesk.AccessRequestQuery) ([]*tenantdesk.AccessRequest, error) {
	return listAccessRequests(ctx, tx, q)
}

// LiveGrants returns the user's live grants. See tenantdesk.AccessReads.
func (db *DB) LiveGrants(ctx context.Context, userID, accountID int64, now time.Time) ([]tenantdesk.Grant, error) {
	return liveGrants(ctx, db.read, userID, accountID, now)
}

// LiveGrants returns the user's live grants inside tx.
func (tx *Tx) LiveGrants(ctx context.Context, userID, accountID int64, now time.Time) ([]tenantdesk.Grant, error) {
	return liveGrants(ctx, tx, userID, accountID, now)
}

// ParentUsers returns the partner users with a live grant at the account.
// See tenantdesk.AccessReads.
func (db *DB) ParentUsers(ctx context.Context, accountID int64, now time.Time) ([]*tenantdesk.ParentUser, error) {
	return parentUsers(ctx, cachedReads{db}, accountID, now) // on every Users tab page and search
}

// ParentUsers returns the partner users with a live grant at the account, inside tx.
func (tx *Tx) ParentUsers(ctx context.Context, accountID int64, now time.Time) ([]*tenantdesk.ParentUser, error) {
	return parentUsers(ctx, tx, accountID, now)
}

// UsersWithAnyRole returns the account's enabled Owner and holders of any
// of roles. See tenantdesk.AccessReads.
func (db *DB) UsersWithAnyRole(ctx context.Context, accountID int64, roles []string) ([]*tenantdesk.User, error) {
	return usersWithAnyRole(ctx, db.read, accountID, roles)
}

// UsersWithAnyRole returns the account's enabled Owner and holders of any
// of roles, inside tx.
func (tx *Tx) UsersWithAnyRole(ctx context.Context, accountID int64, roles []string) ([]*tenantdesk.User, error) {
	return usersWithAnyRole(ctx, tx, accountID, roles)
}

// InsertAccessRequests stores one batch and its per-customer requests. See
// tenantdesk.AccessTx.
func (tx *Tx) InsertAccessRequests(ctx context.Context, rs []*tenantdesk.AccessRequest) error {
	if len(rs) == 0 {
		return nil
	}
	first := rs[0]
	var batchID int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO access_request_batches (partner_id, name, message, requested_by, requested_by_name, created_at)
		VALUES (?,?,?,?,?,?) RETURNING id`, first.PartnerID, first.Name, first.Message, nullInt(first.RequestedByID), first.RequestedByName, ms(tx.now)).
		Scan(&batchID); err != nil {
		return fmt.Errorf("store: create access request batch: %w", err)
	}
	for _, r := range rs {
		id, err := tx.newKey(ctx, "access_requests")
		if err != nil {
			return err
		}
		r.ID, r.BatchID, r.CreatedAt, r.UpdatedAt = id, batchID, tx.now, tx.now
		if _, err := tx.ExecContext(ctx, `INSERT INTO access_requests (id, batch_id, partner_id, account_id, modes, state, expires_at,
			answer_message, answered_by_name, answered_at, reminded_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			r.ID, r.BatchID, r.PartnerID, r.AccountID, joinModes(r.Modes), string(r.State), nullMS(r.ExpiresAt),
			r.AnswerMessage, r.AnsweredByName, nullMS(r.AnsweredAt), nullMS(r.RemindedAt), ms(tx.now), ms(tx.now)); err != nil {
			return fmt.Errorf("store: create access request: %w", err)
		}
		for _, u := range r.Users {
			if _, err := tx.ExecContext(ctx, `INSERT INTO access_request_users (request_id, user_id) VALUES (?, ?)`, r.ID, u.UserID); err != nil {
				return fmt.Errorf("store: name access request user: %w", err)
			}
		}
	}
	return nil
}

// UpdateAccessRequest stores r's state, expiry, answer and reminder. See
// tenantdesk.AccessTx.
func (tx *Tx) UpdateAccessRequest(ctx context.Context, r *tenantdesk.AccessRequest) error {
	res, err := tx.ExecContext(ctx, `UPDATE access_requests SET state = ?, expires_at = ?, answer_message = ?, answered_by_name = ?,
		answered_at = ?, reminded_at = ?, updated_at = ? WHERE id = ?`,
		string(r.State), nullMS(r.ExpiresAt), r.AnswerMessage, r.AnsweredByName, nullMS(r.AnsweredAt), nullMS(r.RemindedAt),
		ms(tx.now), r.ID)
	if err != nil {
		return fmt.Errorf("store: update access request: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: update access request: %w", err)
	} else if n == 0 {
		return accessRequestNotFound()
	}
	r.UpdatedAt = tx.now
	return nil
}

// MarkFirstGrant records the account's first grant, once. The cached
// account read is dropped when the transaction commits (Tx.Commit).
func (tx *Tx) MarkFirstGrant(ctx context.Context, accountID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET first_grant_at = ? WHERE id = ? AND first_grant_at IS NULL`,
		ms(tx.now), accountID); err != nil {
		return fmt.Errorf("store: mark first grant: %w", err)
	}
	return nil
}

// DueExpiryReminders returns the live grants expiring in (now, until]
// whose reminder was not sent, soonest first. See tenantdesk.AccessTx.
func (tx *Tx) DueExpiryReminders(ctx context.Context, now, until time.Time) ([]*tenantdesk.AccessRequest, error) {
	return queryAccessRequests(ctx, tx, accessSelect+`WHERE r.state = 'granted' AND r.reminded_at IS NULL
		AND r.expires_at > ? AND r.expires_at <= ? ORDER BY r.expires_at, r.id`, ms(now), ms(until))
}
