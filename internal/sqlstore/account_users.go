package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
		return st, fmt.Errorf("store: account state: %w", err)
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
	stmts := usersFull[db.dialect]
	if f.Brief {
		stmts = usersBrief[db.dialect]
	}
	query, args := stmts.list, []any{accountID, after, afterID, limit + 1}
	if q := strings.ToLower(searchText(f.Query)); utf8.RuneCountInString(q) >= 3 {
		// Any part of the name or email, through users_search (trigrams):
		// few matches in the account are read by ID and sorted, many are
		// found walking the name index in order (see usersStatements).
		ids, err := db.searchMatches(ctx, accountID, q)
		if err != nil {
			return nil, err
		}
		query, args = stmts.fewMatches, []any{accountID, after, afterID, limit + 1, q, ids}
		if ids == "" {
			query, args = stmts.manyMatches, []any{accountID, after, afterID, limit + 1, q}
		}
	} else if q != "" {
		// One or two characters (trigrams need three): the start of the
		// name or of the email.
		hi := q + "\U0010FFFF"
		query, args = stmts.prefix, []any{accountID, after, afterID, q, hi, q, hi, limit + 1}
	}
	if f.Status != "" {
		// The status is the statement's last parameter.
		query, args = stmts.withStatus[query], append(args, f.Status)
	}
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
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
			return nil, fmt.Errorf("store: scan user: %w", err)
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

// usersStatements are the statements of ListUsers for one set of columns,
// prepared once (fixed texts): the roles come with each row, the keyset
// position (name_norm, id) is always given.
type usersStatements struct {
	list, prefix, fewMatches, manyMatches string
	// withStatus maps each statement to its variant keeping one status
	// only (the Users tab's status filter): the status is its last
	// parameter.
	withStatus map[string]string
}

// usersBrief and usersFull are the statements by dialect.
var (
	usersBrief = usersStatementsByDialect(`id, display_name, email, status, is_owner, roles`)
	usersFull  = usersStatementsByDialect(`id, display_name, email, status, is_owner, roles,
		phone, job_title, language, time_zone, created_at, updated_at`)
)

func usersStatementsByDialect(columns string) [2]usersStatements {
	return [2]usersStatements{
		dialectSQLite:   listUsersStatements(columns, false),
		dialectPostgres: listUsersStatements(columns, true),
	}
}

// searchFewMatches is how many matches in the account a search reads by ID
// and sorts (fewMatches); with more, walking the name index in order finds a
// page after reading at most about pageSize × users ÷ searchFewMatches rows
// (manyMatches): about 1,000 rows of an account of 10,000 for a page of 50.
const searchFewMatches = 500

// searchMatches returns the keys of the users of the account that the
// search index finds for q (lower-cased, 3 characters or more) as a JSON
// array, or "" when it finds searchFewMatches or more: the index is read
// once, and only up to there. On SQLite the keys are users.search_id
// (migrations/sqlite/0015), on PostgreSQL users.id; fewMatches reads the
// users by them.
//
// SQLite's users_search (FTS5, trigram tokenizer, detail=none) holds only
// which users have each trigram: the query asks for every trigram of q
// (ftsTrigrams) within the account's range of search_id, which finds every
// user whose name or email holds q and possibly a few more (trigrams spread
// over both, or out of order); the list statements keep exactly those that
// hold q (instr).
func (db *DB) searchMatches(ctx context.Context, accountID int64, q string) (string, error) {
	query := `SELECT json_group_array(rowid), count(*) FROM
		(SELECT rowid FROM users_search WHERE users_search MATCH ?1 AND rowid > ?3 AND rowid < ?4 LIMIT ?2)`
	args := []any{ftsTrigrams(q), searchFewMatches, accountID << searchIDShift, (accountID + 1) << searchIDShift}
	if db.dialect == dialectPostgres {
		// The trigram (pg_trgm) indexes of name_norm and email_norm
		// answer LIKE '%…%'; the account is checked on the rows found.
		query = `SELECT coalesce(json_agg(id)::text, '[]'), count(*) FROM
			(SELECT id FROM users WHERE (name_norm LIKE ?1 OR email_norm LIKE ?1) AND account_id = ?3 LIMIT ?2) m`
		args = []any{"%" + likeEscaper.Replace(q) + "%", searchFewMatches, accountID}
	}
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return "", err
	}
	var ids string
	var n int
	if err := st.QueryRowContext(ctx, args...).Scan(&ids, &n); err != nil {
		return "", fmt.Errorf("store: search users: %w", err)
	}
	if n >= searchFewMatches {
		return "", nil
	}
	return ids, nil
}

// searchIDShift: a user's users.search_id is (account_id << searchIDShift)
// + n on SQLite (migrations/sqlite/0015_user_search_by_account.sql).
const searchIDShift = 40

// ftsTrigrams returns the FTS5 query that asks for every trigram of s (3
// characters or more): "abc" AND "bcd" AND …, each quoted as a phrase of
// one token. A trigram is three Unicode code points, as the trigram
// tokenizer reads them (it folds their case itself).
func ftsTrigrams(s string) string {
	r := []rune(s)
	var sb strings.Builder
	seen := make(map[string]bool, len(r))
	for i := 0; i+3 <= len(r); i++ {
		t := string(r[i : i+3])
		if seen[t] {
			continue
		}
		seen[t] = true
		if sb.Len() > 0 {
			sb.WriteString(" AND ")
		}
		sb.WriteString(ftsPhrase(t))
	}
	return sb.String()
}

// ftsPhrase quotes s as one FTS5 phrase: with the trigram tokenizer it
// matches s anywhere in a column, case-insensitively.
func ftsPhrase(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// searchText is what a search looks for: the query without control
// characters, which no name or email holds (the validators refuse them)
// and which FTS5 cannot take inside a phrase (a NUL ends its string: a
// syntax error, found by FuzzAPIQuery), trimmed.
func searchText(q string) string {
	if strings.IndexFunc(q, unicode.IsControl) >= 0 {
		q = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return -1
			}
			return r
		}, q)
	}
	return strings.TrimSpace(q)
}

// likeEscaper quotes LIKE's wildcards (PostgreSQL's default escape is "\").
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// listUsersStatements returns the statements for columns; pg gives them in
// PostgreSQL's words (no unary "+", whose only use here is steering
// SQLite's planner; the IDs of a search as a JSON array read with
// json_array_elements_text).
func listUsersStatements(columns string, pg bool) usersStatements {
	from := `SELECT ` + columns + ` FROM users WHERE account_id = ?1`
	st := usersStatements{
		list: from + ` AND (name_norm, id) > (?2, ?3) ORDER BY name_norm, id LIMIT ?4`,
		// A query of one or two characters matches a name prefix OR an
		// email prefix (trigrams need three). The unary "+" on name_norm
		// (in the keyset term and the ORDER BY) keeps SQLite from walking
		// the whole name index in order, fetching every row's email until
		// enough match; it unions the two index ranges and sorts the few
		// matches instead: 12 ms down to about 0.3 ms over 10,000 users.
		prefix: from + ` AND (+name_norm, id) > (?2, ?3)
		AND ((name_norm >= ?4 AND name_norm < ?5) OR (email_norm >= ?6 AND email_norm < ?7))
		ORDER BY +name_norm, id LIMIT ?8`,
		// Longer queries match any part: ?5 is the lower-cased text. With
		// few matches, read them by key and sort them ("+" keeps SQLite off
		// the name index); ?6 is the JSON array of their search_id on
		// SQLite, of their IDs on PostgreSQL (searchMatches).
		// instr keeps exactly the users whose name_norm or email_norm holds
		// the text (the trigram index also folds what Go does not) ...
		fewMatches: `SELECT ` + columns + ` FROM users WHERE search_id IN (SELECT value FROM json_each(?6))
		AND +account_id = ?1 AND (+name_norm, id) > (?2, ?3)
		AND (instr(name_norm, ?5) > 0 OR instr(email_norm, ?5) > 0)
		ORDER BY +name_norm, id LIMIT ?4`,
		// ... with many, walk the name index in order and test each row:
		// a match comes every few rows.
		manyMatches: from + ` AND (name_norm, id) > (?2, ?3)
		AND (instr(name_norm, ?5) > 0 OR instr(email_norm, ?5) > 0)
		ORDER BY name_norm, id LIMIT ?4`,
	}
	if pg {
		unplus := strings.NewReplacer("+name_norm", "name_norm", "+account_id", "account_id",
			"search_id IN (SELECT value FROM json_each(?6))", "id IN (SELECT value::bigint FROM json_array_elements_text(CAST(?6 AS json)))")
		st.list, st.prefix = unplus.Replace(st.list), unplus.Replace(st.prefix)
		st.fewMatches, st.manyMatches = unplus.Replace(st.fewMatches), unplus.Replace(st.manyMatches)
	}
	st.withStatus = map[string]string{
		st.list:        strings.Replace(st.list, `ORDER BY`, `AND status = ?5 ORDER BY`, 1),
		st.prefix:      strings.Replace(st.prefix, `ORDER BY`, `AND status = ?9 ORDER BY`, 1),
		st.fewMatches:  strings.Replace(st.fewMatches, `ORDER BY`, `AND status = ?7 ORDER BY`, 1),
		st.manyMatches: strings.Replace(st.manyMatches, `ORDER BY`, `AND status = ?6 ORDER BY`, 1),
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
