package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Personal API tokens (tenantdesk.APITokenService). The secret is returned
// once; api_tokens keeps its SHA-256. A token acts with its user's current
// rights: AuthenticateToken loads the user and account afresh every time.

var _ tenantdesk.APITokenService = (*DB)(nil)

const tokenColumns = `id, user_id, account_id, name, hint, read_only, expires_at, created_at, last_used_at, revoked_at, regenerated_at`

func scanToken(row rowScanner) (*tenantdesk.APIToken, error) {
	t := &tenantdesk.APIToken{}
	var expires, created, used, revoked, regen int64
	err := row.Scan(&t.ID, &t.UserID, &t.AccountID, &t.Name, &t.Hint, &t.ReadOnly, &expires, &created, &used, &revoked, &regen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Token not found.")
	} else if err != nil {
		return nil, fmt.Errorf("sqlite: scan token: %w", err)
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
	t, u, a := &tenantdesk.APIToken{}, &tenantdesk.User{}, &tenantdesk.Account{}
	var expires, created, used, revoked, regen, uCreated, uUpdated, aCreated, aUpdated int64
	var roles string
	err := row.Scan(&t.ID, &t.UserID, &t.AccountID, &t.Name, &t.Hint, &t.ReadOnly, &expires, &created, &used, &revoked, &regen,
		&u.ID, &u.AccountID, &u.TenantID, &u.DisplayName, &u.Email, &u.Status, &u.IsOwner,
		&u.Phone, &u.JobTitle, &u.Language, &u.TimeZone, &uCreated, &uUpdated, &roles,
		&a.ID, &a.TenantID, &a.Kind, &a.ParentID, &a.ParentTenantID, &a.ParentName,
		&a.Name, &a.Reference, &a.Description, &a.ServicePackages, &a.SupportPackage,
		&a.PersonalManagerName, &a.PersonalManagerEmail, &a.PersonalManagerPhone,
		&a.TechnicalManagerName, &a.TechnicalManagerEmail, &a.TechnicalManagerPhone,
		&aCreated, &aUpdated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Token not found.")
	} else if err != nil {
		return nil, nil, nil, fmt.Errorf("sqlite: scan token: %w", err)
	}
	t.ExpiresAt, t.CreatedAt, t.LastUsedAt, t.RevokedAt, t.RegeneratedAt = fromMS(expires), fromMS(created), fromMS(used), fromMS(revoked), fromMS(regen)
	u.CreatedAt, u.UpdatedAt = fromMS(uCreated), fromMS(uUpdated)
	if roles != "" {
		u.Roles = strings.Split(roles, ",")
	}
	a.CreatedAt, a.UpdatedAt = fromMS(aCreated), fromMS(aUpdated)
	return t, u, a, nil
}

// errBadToken is the one answer to every token that does not authenticate,
// so a client learns nothing about which part was wrong.
func errBadToken() error {
	return &tenantdesk.Error{Code: tenantdesk.EUNAUTHORIZED,
		Message: "The API token is not valid: it is malformed, unknown, revoked or expired, or its user is disabled."}
}

// AuthenticateToken checks a secret; see tenantdesk.APITokenService.
func (db *DB) AuthenticateToken(ctx context.Context, secret string) (*tenantdesk.TokenAuth, error) {
	if !auth.ValidAPIToken(secret) {
		return nil, errBadToken()
	}
	// One cached statement reads the token with its user, roles and account
	// as they are now (every request: current rights, current status).
	hash := auth.HashAPIToken(secret)
	ta, err := cachedRead(db, "token:"+string(hash), func() (*tenantdesk.TokenAuth, error) {
		t, u, acc, err := scanTokenAuth(db.queryRow(ctx, tokenAuthQuery, hash))
		if err != nil {
			return nil, err
		}
		return &tenantdesk.TokenAuth{Token: t, User: u, Account: acc}, nil
	})
	var t *tenantdesk.APIToken
	var u *tenantdesk.User
	var acc *tenantdesk.Account
	if ta != nil {
		// Copies: the cached rows stay as read.
		tc, ac := *ta.Token, *ta.Account
		t, u, acc = &tc, copyUser(ta.User), &ac
	}
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, errBadToken()
	} else if err != nil {
		return nil, err
	}
	now := db.Now()
	if !t.Active(now) || u.Status == tenantdesk.UserDisabled || u.AccountID != t.AccountID {
		return nil, errBadToken()
	}
	if !u.CanSignIn() {
		// Website access removed: the token is kept (its user sees it again
		// when access comes back) but does nothing until then.
		return nil, &tenantdesk.Error{Code: tenantdesk.EAPIAccessRequired,
			Message: "This token's user no longer has website access, so the token is refused. Ask an administrator of the account to give the access back."}
	}
	if now.Sub(t.LastUsedAt) >= tenantdesk.TokenLastUsedInterval {
		// At most one write per token and interval: the condition keeps
		// concurrent requests from writing it twice.
		if _, err := db.execWrite(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND last_used_at <= ?`,
			ms(now), t.ID, ms(now.Add(-tenantdesk.TokenLastUsedInterval))); err != nil {
			return nil, fmt.Errorf("sqlite: token last used: %w", err)
		}
		t.LastUsedAt = now.UTC()
	}
	return &tenantdesk.TokenAuth{Token: t, User: u, Account: acc}, nil
}

// authorizeTokenOwner allows the user themselves and the operator; anyone
// else is told the user (and so the token) does not exist.
func authorizeTokenOwner(ctx context.Context, userID int64) error {
	a := tenantdesk.ActorFrom(ctx)
	switch {
	case a == nil:
		return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	case a.Operator, a.User != nil && a.User.ID == userID:
		return nil
	}
	return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Token not found.")
}

// ListTokens returns the user's tokens, newest first.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]*tenantdesk.APIToken, error) {
	if err := authorizeTokenOwner(ctx, userID); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list tokens: %w", err)
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

func tokenFieldError(field, key, msg string) *tenantdesk.Error {
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: key,
		Fields: []tenantdesk.FieldError{{Field: field, Message: msg, Key: key}}}
}

// validateTokenName checks a token name: 1–100 characters of one line.
func validateTokenName(name string) *tenantdesk.Error {
	n := utf8.RuneCountInString(name)
	switch {
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return tokenFieldError("name", "token.error.name_invalid", "The name holds characters that are not allowed.")
	case n == 0:
		return tokenFieldError("name", "token.error.name_required", "Give the token a name, such as the script that uses it.")
	case n > tenantdesk.MaxTokenNameLen:
		return tokenFieldError("name", "token.error.name_too_long", "The name must be at most 100 characters.")
	}
	return nil
}

// tokenExpiry applies the account's maximum lifetime to a requested expiry
// (zero: none): no expiry becomes the maximum, a later one is refused.
func (tx *Tx) tokenExpiry(ctx context.Context, accountID int64, want time.Time) (time.Time, error) {
	sec, err := tx.accountSecurity(ctx, accountID)
	if err != nil {
		return time.Time{}, err
	}
	if !want.IsZero() && !want.After(tx.now) {
		return time.Time{}, tokenFieldError("expiresAt", "token.error.expiry_past", "The expiry date must be in the future.")
	}
	if sec.TokenMaxLifetimeDays > 0 {
		max := tx.now.Add(time.Duration(sec.TokenMaxLifetimeDays) * 24 * time.Hour)
		if want.IsZero() {
			return max, nil
		}
		if want.After(max) {
			e := tokenFieldError("expiresAt", "token.error.expiry_too_late",
				fmt.Sprintf("Tokens of this account may live at most %d days: choose an expiry on or before %s.",
					sec.TokenMaxLifetimeDays, max.Format("2006-01-02")))
			e.Args = map[string]any{"Days": sec.TokenMaxLifetimeDays, "Date": max.Format("2006-01-02")}
			e.Fields[0].Message = e.Message
			return time.Time{}, e
		}
	}
	return want.UTC(), nil
}

// CreateToken creates a token; see tenantdesk.APITokenService.
func (db *DB) CreateToken(ctx context.Context, userID int64, in tenantdesk.NewAPIToken) (*tenantdesk.APIToken, string, error) {
	if err := authorizeTokenOwner(ctx, userID); err != nil {
		return nil, "", err
	}
	in.Name = strings.TrimSpace(in.Name)
	if e := validateTokenName(in.Name); e != nil {
		return nil, "", e
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	u, err := findUser(ctx, tx, `WHERE u.id = ?`, userID)
	if err != nil {
		return nil, "", err
	}
	if u.Status == tenantdesk.UserDisabled {
		return nil, "", &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "token.error.user_disabled",
			Message: "The user is disabled: a token would not work."}
	}
	expires, err := tx.tokenExpiry(ctx, u.AccountID, in.ExpiresAt)
	if err != nil {
		return nil, "", err
	}
	var live int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at = 0 AND (expires_at = 0 OR expires_at > ?)`,
		userID, ms(tx.now)).Scan(&live); err != nil {
		return nil, "", fmt.Errorf("sqlite: count tokens: %w", err)
	}
	if live >= tenantdesk.MaxTokensPerUser {
		return nil, "", &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "token.error.too_many",
			Message: fmt.Sprintf("You have %d active tokens, the most allowed: revoke one you no longer use first.", live)}
	}
	secret := auth.NewAPIToken()
	t := &tenantdesk.APIToken{UserID: u.ID, AccountID: u.AccountID, Name: in.Name, Hint: auth.APITokenHint(secret),
		ReadOnly: in.ReadOnly, ExpiresAt: expires, CreatedAt: tx.now}
	if t.ID, err = tx.newKey(ctx, "api_tokens"); err != nil {
		return nil, "", err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, account_id, name, secret_hash, hint, read_only, created_at, expires_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, t.ID, t.UserID, t.AccountID, t.Name, auth.HashAPIToken(secret), t.Hint, t.ReadOnly, ms(t.CreatedAt), ms(t.ExpiresAt)); err != nil {
		return nil, "", fmt.Errorf("sqlite: create token: %w", err)
	}
	if err := tx.auditToken(ctx, t, tenantdesk.AuditTokenCreate, nil); err != nil {
		return nil, "", err
	}
	if err := tx.Commit(); err != nil {
		return nil, "", fmt.Errorf("sqlite: commit: %w", err)
	}
	return t, secret, nil
}

func (tx *Tx) auditToken(ctx context.Context, t *tenantdesk.APIToken, action string, extra map[string]any) error {
	after := map[string]any{"name": t.Name, "readOnly": t.ReadOnly, "hint": t.Hint, "userId": tenantdesk.FormatUserID(t.UserID)}
	if !t.ExpiresAt.IsZero() {
		after["expiresAt"] = t.ExpiresAt.Format(time.RFC3339)
	}
	for k, v := range extra {
		after[k] = v
	}
	return tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: t.AccountID, Action: action, TargetType: "token",
		TargetID: tenantdesk.FormatAPITokenID(t.ID), After: auditJSON(after)})
}

// userToken loads one of the user's tokens inside tx.
func (tx *Tx) userToken(ctx context.Context, userID, tokenID int64) (*tenantdesk.APIToken, error) {
	return scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID))
}

// RegenerateToken gives a live token a new secret. The account's maximum
// lifetime applies again, as to a new token: a token without expiry (or a
// later one) gets the maximum. EINVALID for a revoked or expired token.
func (db *DB) RegenerateToken(ctx context.Context, userID, tokenID int64) (*tenantdesk.APIToken, string, error) {
	if err := authorizeTokenOwner(ctx, userID); err != nil {
		return nil, "", err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	t, err := tx.userToken(ctx, userID, tokenID)
	if err != nil {
		return nil, "", err
	}
	if !t.Active(tx.now) {
		return nil, "", &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "token.error.not_active",
			Message: "This token is revoked or expired: create a new token instead."}
	}
	sec, err := tx.accountSecurity(ctx, t.AccountID)
	if err != nil {
		return nil, "", err
	}
	if sec.TokenMaxLifetimeDays > 0 {
		max := tx.now.Add(time.Duration(sec.TokenMaxLifetimeDays) * 24 * time.Hour)
		if t.ExpiresAt.IsZero() || t.ExpiresAt.After(max) {
			t.ExpiresAt = max
		}
	}
	secret := auth.NewAPIToken()
	t.Hint, t.RegeneratedAt = auth.APITokenHint(secret), tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET secret_hash = ?, hint = ?, regenerated_at = ?, expires_at = ? WHERE id = ?`,
		auth.HashAPIToken(secret), t.Hint, ms(tx.now), ms(t.ExpiresAt), t.ID); err != nil {
		return nil, "", fmt.Errorf("sqlite: regenerate token: %w", err)
	}
	if err := tx.auditToken(ctx, t, tenantdesk.AuditTokenRegenerate, nil); err != nil {
		return nil, "", err
	}
	if err := tx.Commit(); err != nil {
		return nil, "", fmt.Errorf("sqlite: commit: %w", err)
	}
	return t, secret, nil
}

// RevokeToken revokes a token; see tenantdesk.APITokenService.
func (db *DB) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	if err := authorizeTokenOwner(ctx, userID); err != nil {
		return err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t, err := tx.userToken(ctx, userID, tokenID)
	if err != nil {
		return err
	}
	if t.Revoked() {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, ms(tx.now), t.ID); err != nil {
		return fmt.Errorf("sqlite: revoke token: %w", err)
	}
	if err := tx.auditToken(ctx, t, tenantdesk.AuditTokenRevoke, nil); err != nil {
		return err
	}
	return tx.Commit()
}
