package sqlite

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// accountStateQuery reads what the account-wide rules need; ?1 is the account.
const accountStateQuery = `SELECT
		(SELECT count(*) FROM user_roles a
			JOIN user_roles c ON c.user_id = a.user_id AND c.role = 'customer.user'
			JOIN users u ON u.id = a.user_id
			WHERE a.account_id = ?1 AND a.role = 'user.admin' AND u.status <> 'disabled'),
		EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id
			WHERE r.account_id = ?1 AND r.role IN ('customer.user.supervisorl3', 'customer.user.supervisorl4', 'customer.user.supervisorl5')
			AND u.status <> 'disabled')`

// accountState reads what the account-wide rules need, inside tx so that
// the check and the change see the same data (one writer at a time).
func (tx *Tx) accountState(ctx context.Context, acc *tenantdesk.Account) (tenantdesk.AccountState, error) {
	return scanAccountState(tx.QueryRowContext(ctx, accountStateQuery, acc.ID), acc)
}

// AccountState reads what the account-wide rules need on the reader pool.
// See tenantdesk.UserLists.
func (db *DB) AccountState(ctx context.Context, acc *tenantdesk.Account) (tenantdesk.AccountState, error) {
	return scanAccountState(db.queryRow(ctx, accountStateQuery, acc.ID), acc)
}

func scanAccountState(row rowScanner, acc *tenantdesk.Account) (tenantdesk.AccountState, error) {
	st := tenantdesk.AccountState{Kind: acc.Kind, EssentialVariant: acc.Settings.EssentialVariant}
	if err := row.Scan(&st.Admins, &st.HasLiveSupervisor); err != nil {
		return st, fmt.Errorf("sqlite: account state: %w", err)
	}
	return st, nil
}

// loadAccount reads an account inside tx.
func (tx *Tx) loadAccount(ctx context.Context, accountID int64) (*tenantdesk.Account, error) {
	return scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+accountFrom+`WHERE a.id = ?`, accountID))
}

// ---- AccountUserService ----

// encodeCursor and decodeCursor carry the keyset position (name key, id).
func encodeCursor(name string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10) + ":" + name))
}

func decodeCursor(c string) (string, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if idStr, name, ok := strings.Cut(string(b), ":"); ok {
			if id, err := strconv.ParseInt(idStr, 10, 64); err == nil {
				return name, id, nil
			}
		}
	}
	return "", 0, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: "Invalid cursor.", Key: "user.error.cursor",
		Fields: []tenantdesk.FieldError{{Field: "cursor", Message: "Invalid cursor."}}}
}

// UserPage returns a page of the account's users ordered by name (keyset
// pagination: page 200 costs what page 1 costs); f.Limit is the page size.
// See tenantdesk.UserLists.
func (db *DB) UserPage(ctx context.Context, acc *tenantdesk.Account, f tenantdesk.UserFilter) (*tenantdesk.UserPage, error) {
	accountID := acc.ID
	var err error
	limit := f.Limit
	if limit <= 0 {
		limit = tenantdesk.DefaultPageSize
	} else if limit > tenantdesk.MaxPageSize {
		limit = tenantdesk.MaxPageSize
	}
	after, afterID := "", int64(0) // the first page: every name sorts after ""
	if f.After != "" {
		if after, afterID, err = decodeCursor(f.After); err != nil {
			return nil, err
		}
	}
	stmts := usersFull
	if f.Brief {
		stmts = usersBrief
	}
	query, args := stmts.list, []any{accountID, after, afterID, limit + 1}
	if prefix := strings.ToLower(strings.TrimSpace(f.Query)); prefix != "" {
		hi := prefix + "\U0010FFFF"
		query, args = stmts.search, []any{accountID, after, afterID, prefix, hi, prefix, hi, limit + 1}
	}
	if f.Status != "" {
		// The status is the statement's last parameter (?5 or ?9).
		query, args = stmts.withStatus[query], append(args, f.Status)
	}
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list users: %w", err)
	}
	defer rows.Close()
	page := &tenantdesk.UserPage{Users: make([]*tenantdesk.User, 0, limit)}
	for rows.Next() {
		u := &tenantdesk.User{AccountID: accountID, TenantID: acc.TenantID}
		var roles string
		if f.Brief {
			err = rows.Scan(&u.ID, &u.DisplayName, &u.Email, &u.Status, &u.IsOwner, &roles)
		} else {
			var created, updated int64
			err = rows.Scan(&u.ID, &u.DisplayName, &u.Email, &u.Status, &u.IsOwner, &roles,
				&u.Phone, &u.JobTitle, &u.Language, &u.TimeZone, &created, &updated)
			u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlite: scan user: %w", err)
		}
		if len(page.Users) == limit {
			prev := page.Users[limit-1]
			page.NextCursor = encodeCursor(normalizeName(prev.DisplayName), prev.ID)
			break
		}
		if roles != "" {
			u.Roles = strings.Split(roles, ",")
		}
		page.Users = append(page.Users, u)
	}
	return page, rows.Err()
}

// usersStatements are the two statements of ListUsers for one set of
// columns, prepared once (fixed texts): the roles come with each row, the
// keyset position (name_norm, id) is always given.
type usersStatements struct {
	list, search string
	// withStatus maps list and search to their variants keeping one
	// status only (the Users tab's status filter).
	withStatus map[string]string
}

var (
	usersBrief = listUsersStatements(`id, display_name, email, status, is_owner, roles`)
	usersFull  = listUsersStatements(`id, display_name, email, status, is_owner, roles,
		phone, job_title, language, time_zone, created_at, updated_at`)
)

func listUsersStatements(columns string) usersStatements {
	from := `SELECT ` + columns + ` FROM users WHERE account_id = ?1`
	st := usersStatements{
		list: from + ` AND (name_norm, id) > (?2, ?3) ORDER BY name_norm, id LIMIT ?4`,
		// The search matches a name prefix OR an email prefix. The unary "+"
		// on name_norm (in the keyset term and the ORDER BY) keeps SQLite from
		// walking the whole name index in order, fetching every row's email
		// until enough match; it unions the two index ranges and sorts the few
		// matches instead: 12 ms down to about 0.3 ms over 10,000 users.
		search: from + ` AND (+name_norm, id) > (?2, ?3)
		AND ((name_norm >= ?4 AND name_norm < ?5) OR (email_norm >= ?6 AND email_norm < ?7))
		ORDER BY +name_norm, id LIMIT ?8`,
	}
	st.withStatus = map[string]string{
		st.list:   strings.Replace(st.list, `ORDER BY`, `AND status = ?5 ORDER BY`, 1),
		st.search: strings.Replace(st.search, `ORDER BY`, `AND status = ?9 ORDER BY`, 1),
	}
	return st
}

func findUserInAccount(ctx context.Context, q querier, accountID, userID int64) (*tenantdesk.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ? AND u.account_id = ?`, userID, accountID))
	if err != nil {
		return nil, err
	}
	return u, loadRoles(ctx, q, u)
}
