package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The store as internal/service uses it (tenantdesk.Store): reads on the
// reader pool, and Update for one write transaction per service call.
// Nothing here decides anything: the flows, rules, audit wording and mail
// texts are the services'.

var (
	_ tenantdesk.Store   = (*DB)(nil)
	_ tenantdesk.StoreTx = (*Tx)(nil)
)

// Update runs fn in one write transaction. See tenantdesk.Store.
func (db *DB) Update(ctx context.Context, fn func(tenantdesk.StoreTx) error) error {
	if db.groups != nil {
		return db.grouped(ctx, fn) // SQLite: groupcommit.go
	}
	return db.run(ctx, db.beginTx, fn)
}

// Record runs fn in one write transaction without the write lock of
// Update on PostgreSQL (beginRowLockTx). See tenantdesk.Store.
//
// Why: a sign-in writes three times (the attempt reserved, its audit row,
// the reservation settled) and none checks a rule; behind the one write
// lock, under load, they queued behind every user creation (make bench's
// mixed load on PostgreSQL: 2 sign-ins/s).
func (db *DB) Record(ctx context.Context, fn func(tenantdesk.StoreTx) error) error {
	if db.groups != nil {
		return db.grouped(ctx, fn) // SQLite: groupcommit.go
	}
	return db.run(ctx, db.beginRowLockTx, fn)
}

// run runs fn in a transaction begin starts, and commits it.
func (db *DB) run(ctx context.Context, begin func(context.Context) (*Tx, error), fn func(tenantdesk.StoreTx) error) error {
	tx, err := begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after a commit, a no-op; on error or panic, the rollback
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	db.afterCommit(ctx, tx)
	return nil
}

// afterCommit does what follows a committed transaction tx: wake the mail
// worker when it queued mail, and log its audit entries.
func (db *DB) afterCommit(ctx context.Context, tx *Tx) {
	if tx.mailQueued {
		db.notifyMail()
	}
	db.logAudit(ctx, tx.audited)
}

// Now is the transaction's time. See tenantdesk.StoreTx.
func (tx *Tx) Now() time.Time { return tx.now }

// FindAccountByID reads an account inside tx.
func (tx *Tx) FindAccountByID(ctx context.Context, id int64) (*tenantdesk.Account, error) {
	return tx.loadAccount(ctx, id)
}

// FindUserByID reads a user inside tx.
func (tx *Tx) FindUserByID(ctx context.Context, id int64) (*tenantdesk.User, error) {
	return findUser(ctx, tx, `WHERE u.id = ?`, id)
}

// FindUserByEmail reads a user by email inside tx.
func (tx *Tx) FindUserByEmail(ctx context.Context, email string) (*tenantdesk.User, error) {
	return findUser(ctx, tx, `WHERE u.email_norm = ?`, tenantdesk.NormalizeEmail(email))
}

// FindAccountUser reads a user of an account inside tx.
func (tx *Tx) FindAccountUser(ctx context.Context, accountID, userID int64) (*tenantdesk.User, error) {
	return findUserInAccount(ctx, tx, accountID, userID)
}

// FindAccountUser reads a user of an account; one cached statement with
// the roles, since GET …/users/{id} of the API is a hot path.
func (db *DB) FindAccountUser(ctx context.Context, accountID, userID int64) (*tenantdesk.User, error) {
	return scanUserWithRoles(db.queryRow(ctx, userWithRoles+`WHERE u.id = ? AND u.account_id = ?`, userID, accountID))
}

// ---- users (tenantdesk.UserTx) ----

// AccountState reads what the account-wide rules need, inside tx so that
// the check and the change see the same data (one writer at a time).
func (tx *Tx) AccountState(ctx context.Context, acc *tenantdesk.Account) (tenantdesk.AccountState, error) {
	return tx.accountState(ctx, acc)
}

// EmailUserID returns the ID of the user who has email, 0 when nobody has.
func (tx *Tx) EmailUserID(ctx context.Context, email string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email_norm = ?`, tenantdesk.NormalizeEmail(email)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("store: check email: %w", err)
	}
	return id, nil
}

// InsertUser stores a new user and its roles under a never-used key.
//
// The key is not looked up first (as Tx.newKey does for other tables): the
// INSERT does nothing on a clash with any unique key (ON CONFLICT DO
// NOTHING, on both stores), and only then does InsertUser find out which —
// a taken email (the services check it before; another process may have
// written it since) or a taken key (two processes in the same millisecond
// with the same random bits), drawing a new key. One statement fewer per
// user created.
func (tx *Tx) InsertUser(ctx context.Context, u *tenantdesk.User) error {
	keys := tx.keySource()
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	for attempt := 0; ; attempt++ {
		if attempt == 10 {
			return fmt.Errorf("store: no free key in users")
		}
		u.ID = keys.next()
		res, err := tx.ExecContext(ctx, `INSERT INTO users (id, account_id, display_name, name_norm, email, email_norm, status, is_owner,
			phone, job_title, language, time_zone, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`,
			u.ID, u.AccountID, u.DisplayName, normalizeName(u.DisplayName), u.Email, tenantdesk.NormalizeEmail(u.Email), u.Status, u.IsOwner,
			u.Phone, u.JobTitle, u.Language, u.TimeZone, ms(u.CreatedAt), ms(u.UpdatedAt))
		if err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: create user: %w", err)
		} else if n == 1 {
			break
		}
		if id, err := tx.EmailUserID(ctx, u.Email); err != nil {
			return err
		} else if id != 0 {
			u.ID = 0
			msg := "A user with this email already exists."
			return &tenantdesk.Error{Code: tenantdesk.EEmailTaken, Message: msg, Key: "user.error.email_taken",
				Fields: []tenantdesk.FieldError{{Field: "email", Message: msg, Key: "user.error.email_taken"}}}
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = ?`, u.ID).Scan(&taken); err != nil {
			return fmt.Errorf("store: check key: %w", err)
		}
		if taken == 0 { // neither the email nor the key: another unique rule (one Owner per account)
			u.ID = 0
			return fmt.Errorf("store: create user: refused by a unique index of users (a second Owner?)")
		}
	}
	// The roles without ChangeRoles' touch of updated_at, which the new row
	// already holds: one statement fewer per user created.
	for _, r := range u.Roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, account_id, role) VALUES (?, ?, ?)`, u.ID, u.AccountID, r); err != nil {
			return fmt.Errorf("store: add role: %w", err)
		}
	}
	return nil
}

// UpdateUser stores u's fields but roles and the Owner flag.
func (tx *Tx) UpdateUser(ctx context.Context, u *tenantdesk.User) error {
	u.UpdatedAt = tx.now
	res, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, name_norm = ?, email = ?, email_norm = ?, status = ?,
		phone = ?, job_title = ?, language = ?, time_zone = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
		u.DisplayName, normalizeName(u.DisplayName), u.Email, tenantdesk.NormalizeEmail(u.Email), u.Status,
		u.Phone, u.JobTitle, u.Language, u.TimeZone, ms(u.UpdatedAt), u.ID, u.AccountID)
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
	}
	return nil
}

// ChangeRoles adds and removes roles of a user of accountID.
func (tx *Tx) ChangeRoles(ctx context.Context, accountID, userID int64, add, remove []string) error {
	for _, r := range add {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, account_id, role) VALUES (?, ?, ?)`, userID, accountID, r); err != nil {
			return fmt.Errorf("store: add role: %w", err)
		}
	}
	for _, r := range remove {
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = ? AND account_id = ? AND role = ?`, userID, accountID, r); err != nil {
			return fmt.Errorf("store: remove role: %w", err)
		}
	}
	if len(add) > 0 || len(remove) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET updated_at = ? WHERE id = ? AND account_id = ?`, ms(tx.now), userID, accountID); err != nil {
			return fmt.Errorf("store: touch user: %w", err)
		}
	}
	return nil
}

// DeleteUser deletes a user of accountID; roles, credentials, sessions,
// links and tokens go with it (ON DELETE CASCADE).
func (tx *Tx) DeleteUser(ctx context.Context, accountID, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ? AND account_id = ?`, userID, accountID); err != nil {
		return fmt.Errorf("store: delete user: %w", err)
	}
	return nil
}

// HasPassword reports whether the user has a portal password.
func (tx *Tx) HasPassword(ctx context.Context, userID int64) (bool, error) {
	var has bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM credentials WHERE user_id = ? AND kind = 'password')`, userID).Scan(&has); err != nil {
		return false, fmt.Errorf("store: has password: %w", err)
	}
	return has, nil
}

// UsersMissingRole lists the account's holders of has who lack lacks.
func (tx *Tx) UsersMissingRole(ctx context.Context, accountID int64, has, lacks string) ([]tenantdesk.AutoAssignment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.display_name FROM user_roles p JOIN users u ON u.id = p.user_id
		WHERE p.account_id = ? AND p.role = ?
		AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = p.user_id AND r.role = ?)
		ORDER BY u.name_norm, u.id`, accountID, has, lacks)
	if err != nil {
		return nil, fmt.Errorf("store: role holders: %w", err)
	}
	defer rows.Close()
	var out []tenantdesk.AutoAssignment
	for rows.Next() {
		a := tenantdesk.AutoAssignment{Role: lacks}
		if err := rows.Scan(&a.UserID, &a.DisplayName); err != nil {
			return nil, fmt.Errorf("store: scan role holder: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetOwner makes userID the Owner of accountID and returns the former one.
func (tx *Tx) SetOwner(ctx context.Context, accountID, userID int64) (int64, error) {
	var formerID int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE account_id = ? AND is_owner = 1`, accountID).Scan(&formerID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: former owner: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET is_owner = 0, updated_at = ? WHERE account_id = ? AND is_owner = 1`, ms(tx.now), accountID); err != nil {
		return 0, fmt.Errorf("store: former owner: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET is_owner = 1, updated_at = ? WHERE id = ? AND account_id = ?`, ms(tx.now), userID, accountID); err != nil {
		return 0, fmt.Errorf("store: new owner: %w", err)
	}
	return formerID, nil
}

// ---- audit, mail, links, sessions, devices ----

// InsertAudit writes one audit record. See tenantdesk.AuditTx.
func (tx *Tx) InsertAudit(ctx context.Context, e *tenantdesk.AuditEntry) error {
	return tx.insertAudit(ctx, e)
}

// EnqueueMail writes m to the outbox, due at once.
func (tx *Tx) EnqueueMail(ctx context.Context, m *tenantdesk.MailMessage) error {
	return tx.enqueueMail(ctx, m)
}

// ReplaceLink stores a new link of kind for the user, ending older ones.
func (tx *Tx) ReplaceLink(ctx context.Context, userID int64, kind string, hash []byte, expires time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_tokens WHERE user_id = ? AND kind = ?`, userID, kind); err != nil {
		return fmt.Errorf("store: replace links: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_tokens (token_hash, user_id, kind, created_at, expires_at) VALUES (?,?,?,?,?)`,
		hash, userID, kind, ms(tx.now), ms(expires)); err != nil {
		return fmt.Errorf("store: issue link: %w", err)
	}
	return nil
}

// EndPendingLinks deletes every unused link of the user.
func (tx *Tx) EndPendingLinks(ctx context.Context, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_tokens WHERE user_id = ? AND used_at IS NULL`, userID); err != nil {
		return fmt.Errorf("store: end pending links: %w", err)
	}
	return nil
}

// EndUserSessions deletes every session of the user.
func (tx *Tx) EndUserSessions(ctx context.Context, userID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	return nil
}

// EndAllSessions deletes every session. See tenantdesk.SessionTx. The
// DELETE says whose rows it took (RETURNING), so a session written
// meanwhile is either counted and ended or not touched.
func (tx *Tx) EndAllSessions(ctx context.Context) ([]tenantdesk.EndedSessions, int, error) {
	rows, err := tx.QueryContext(ctx, `DELETE FROM sessions RETURNING user_id`)
	if err != nil {
		return nil, 0, fmt.Errorf("store: end all sessions: %w", err)
	}
	defer rows.Close()
	byUser := map[int64]int{}
	anonymous := 0
	for rows.Next() {
		var uid sql.NullInt64
		if err := rows.Scan(&uid); err != nil {
			return nil, 0, fmt.Errorf("store: end all sessions: %w", err)
		}
		if uid.Valid {
			byUser[uid.Int64]++
		} else {
			anonymous++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: end all sessions: %w", err)
	}
	rows.Close()
	ended := make([]tenantdesk.EndedSessions, 0, len(byUser))
	for uid, n := range byUser {
		u, err := tx.FindUserByID(ctx, uid)
		if err != nil {
			return nil, 0, err
		}
		ended = append(ended, tenantdesk.EndedSessions{UserID: uid, AccountID: u.AccountID, Sessions: n})
	}
	slices.SortFunc(ended, func(a, b tenantdesk.EndedSessions) int { return cmp.Compare(a.UserID, b.UserID) })
	return ended, anonymous, nil
}

// ReleaseSoftphones unassigns the user's softphones and returns them.
func (tx *Tx) ReleaseSoftphones(ctx context.Context, accountID, userID int64) ([]*tenantdesk.Device, error) {
	current, err := userSoftphones(ctx, tx, accountID, userID)
	if err != nil || len(current) == 0 {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM softphone_assignments WHERE user_id = ? AND account_id = ?`, userID, accountID); err != nil {
		return nil, fmt.Errorf("store: release softphones: %w", err)
	}
	return current, nil
}

// UseLink marks a link used. See tenantdesk.LinkTx.
func (tx *Tx) UseLink(ctx context.Context, hash []byte) error {
	if _, err := tx.ExecContext(ctx, `UPDATE user_tokens SET used_at = ? WHERE token_hash = ?`, ms(tx.now), hash); err != nil {
		return fmt.Errorf("store: use link: %w", err)
	}
	return nil
}

// CurrentTime is the store's clock outside a transaction. See tenantdesk.StoreClock.
func (db *DB) CurrentTime() time.Time { return db.Now() }
