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

// Personal API tokens as stored (tenantdesk.TokenReads, TokenTx):
// api_tokens keeps the SHA-256 of each secret, never the secret. The flows
// (who may, expiry policy, audit) are internal/service's Tokens.

const tokenColumns = `id, user_id, account_id, name, hint, read_only, expires_at, created_at, last_used_at, revoked_at, regenerated_at`

func scanToken(row rowScanner) (*tenantdesk.APIToken, error) {
	t := &tenantdesk.APIToken{}
	var expires, created, used, revoked, regen int64
	err := row.Scan(&t.ID, &t.UserID, &t.AccountID, &t.Name, &t.Hint, &t.ReadOnly, &expires, &created, &used, &revoked, &regen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Token not found.")
	} else if err != nil {
		return nil, fmt.Errorf("store: scan token: %w", err)
	}
	t.ExpiresAt, t.CreatedAt, t.LastUsedAt, t.RevokedAt, t.RegeneratedAt = fromMS(expires), fromMS(created), fromMS(used), fromMS(revoked), fromMS(regen)
	return t, nil
}

// tokenAuthQuery reads a token by its hash with its user (and roles) and
// the user's account, with the columns of userWithRoles and FindAccountByID:
// one statement instead of three on every API request.
const tokenAuthQuery = `SELECT t.id, t.user_id, t.account_id, t.name, t.hint, t.read_only, t.expires_at, t.created_at,
	t.last_used_at, t.revoked_at, t.regenerated_at, ` + userColumns + `,
	u.roles, ` +
	accountColumns + ` FROM api_tokens t JOIN users u ON u.id = t.user_id
	JOIN accounts a ON a.id = u.account_id LEFT JOIN accounts p ON p.id = a.parent_id WHERE t.secret_hash = ?`

// scanTokenAuth scans a row of tokenAuthQuery.
func scanTokenAuth(row rowScanner) (*tenantdesk.APIToken, *tenantdesk.User, *tenantdesk.Account, error) {
	t, u := &tenantdesk.APIToken{}, &tenantdesk.User{}
	var expires, created, used, revoked, regen, uCreated, uUpdated int64
	var roles string
	var as accountScan
	err := row.Scan(append([]any{&t.ID, &t.UserID, &t.AccountID, &t.Name, &t.Hint, &t.ReadOnly, &expires, &created, &used, &revoked, &regen,
		&u.ID, &u.AccountID, &u.TenantID, &u.DisplayName, &u.Email, &u.Status, &u.IsOwner,
		&u.Phone, &u.JobTitle, &u.Language, &u.TimeZone, &uCreated, &uUpdated, &roles}, as.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Token not found.")
	} else if err != nil {
		return nil, nil, nil, fmt.Errorf("store: scan token: %w", err)
	}
	t.ExpiresAt, t.CreatedAt, t.LastUsedAt, t.RevokedAt, t.RegeneratedAt = fromMS(expires), fromMS(created), fromMS(used), fromMS(revoked), fromMS(regen)
	u.CreatedAt, u.UpdatedAt = fromMS(uCreated), fromMS(uUpdated)
	if roles != "" {
		u.Roles = strings.Split(roles, ",")
	}
	return t, u, as.account(), nil
}

// FindTokenAuth reads a token by its secret's hash with its user, roles
// and account, in one cached statement (every API request reads it). See
// tenantdesk.TokenReads.
func (db *DB) FindTokenAuth(ctx context.Context, secretHash []byte) (*tenantdesk.TokenAuth, error) {
	ta, err := cachedRead(db, "token:"+string(secretHash), func() (*tenantdesk.TokenAuth, error) {
		t, u, acc, err := scanTokenAuth(db.queryRow(ctx, tokenAuthQuery, secretHash))
		if err != nil {
			return nil, err
		}
		return &tenantdesk.TokenAuth{Token: t, User: u, Account: acc}, nil
	})
	if err != nil {
		return nil, err
	}
	// Copies: the cached rows stay as read.
	tc, ac := *ta.Token, *ta.Account
	return &tenantdesk.TokenAuth{Token: &tc, User: copyUser(ta.User), Account: &ac}, nil
}

// ListUserTokens returns the user's tokens, newest first.
func (db *DB) ListUserTokens(ctx context.Context, userID int64) ([]*tenantdesk.APIToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	defer rows.Close()
	var out []*tenantdesk.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FindUserToken reads one of the user's tokens. See tenantdesk.TokenTx.
func (tx *Tx) FindUserToken(ctx context.Context, userID, tokenID int64) (*tenantdesk.APIToken, error) {
	return scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID))
}

// CountLiveTokens counts the user's unrevoked, unexpired tokens.
func (tx *Tx) CountLiveTokens(ctx context.Context, userID int64) (int, error) {
	var live int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at = 0 AND (expires_at = 0 OR expires_at > ?)`,
		userID, ms(tx.now)).Scan(&live); err != nil {
		return 0, fmt.Errorf("store: count tokens: %w", err)
	}
	return live, nil
}

// InsertToken stores a new token under a never-used key.
func (tx *Tx) InsertToken(ctx context.Context, t *tenantdesk.APIToken, secretHash []byte) error {
	id, err := tx.newKey(ctx, "api_tokens")
	if err != nil {
		return err
	}
	t.ID, t.CreatedAt = id, tx.now
	if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, account_id, name, secret_hash, hint, read_only, created_at, expires_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, t.ID, t.UserID, t.AccountID, t.Name, secretHash, t.Hint, t.ReadOnly, ms(t.CreatedAt), ms(t.ExpiresAt)); err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	return nil
}

// SetTokenSecret stores a token's new secret. See tenantdesk.TokenTx.
func (tx *Tx) SetTokenSecret(ctx context.Context, t *tenantdesk.APIToken, secretHash []byte) error {
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET secret_hash = ?, hint = ?, regenerated_at = ?, expires_at = ? WHERE id = ?`,
		secretHash, t.Hint, ms(t.RegeneratedAt), ms(t.ExpiresAt), t.ID); err != nil {
		return fmt.Errorf("store: regenerate token: %w", err)
	}
	return nil
}

// SetTokenRevoked revokes a token now.
func (tx *Tx) SetTokenRevoked(ctx context.Context, tokenID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, ms(tx.now), tokenID); err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return nil
}

// TouchToken records a token's use unless recorded after staleBefore.
func (tx *Tx) TouchToken(ctx context.Context, tokenID int64, staleBefore time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND last_used_at <= ?`,
		ms(tx.now), tokenID, ms(staleBefore))
	if err != nil {
		return false, fmt.Errorf("store: token last used: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// TokenMaxLifetimeDays reads the account's maximum token lifetime.
func (tx *Tx) TokenMaxLifetimeDays(ctx context.Context, accountID int64) (int, error) {
	sec, err := tx.accountSecurity(ctx, accountID)
	if err != nil {
		return 0, err
	}
	return sec.TokenMaxLifetimeDays, nil
}
