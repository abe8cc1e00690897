package service

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Tokens are personal API tokens (tenantdesk.APITokenService). The secret
// is returned once; the store keeps its SHA-256. A token acts with its
// user's current rights: AuthenticateToken reads the user and account as
// they are now on every request.
type Tokens struct {
	d *Deps
}

var _ tenantdesk.APITokenService = (*Tokens)(nil)

// NewTokens returns the API tokens service.
func NewTokens(d *Deps) (*Tokens, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Tokens{d: d}, nil
}

// errBadToken is the one answer to every token that does not authenticate,
// so a client learns nothing about which part was wrong.
func errBadToken() error {
	return &tenantdesk.Error{Code: tenantdesk.EUNAUTHORIZED,
		Message: "The API token is not valid: it is malformed, unknown, revoked or expired, or its user is disabled."}
}

// AuthenticateToken checks a secret and returns the token with its user and
// account as they are now. EUNAUTHORIZED for a malformed, unknown, revoked
// or expired token and for a disabled or deleted user; EAccountDisabled
// when the user's account is disabled; EAPIAccessRequired when the user may
// no longer sign in or, in a customer account, does not hold
// onboarding.admin (tenantdesk.CheckAPIAccess). The last use is recorded at
// most once per tenantdesk.TokenLastUsedInterval. See
// tenantdesk.APITokenService.
func (s *Tokens) AuthenticateToken(ctx context.Context, secret string) (*tenantdesk.TokenAuth, error) {
	if !auth.ValidAPIToken(secret) {
		return nil, errBadToken()
	}
	ta, err := s.d.Store.FindTokenAuth(ctx, auth.HashAPIToken(secret))
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, errBadToken()
	} else if err != nil {
		return nil, err
	}
	t, u := ta.Token, ta.User
	now := s.d.now()
	if !t.Active(now) || u.Status == tenantdesk.UserDisabled || u.AccountID != t.AccountID {
		return nil, errBadToken()
	}
	if err := tenantdesk.CheckAPIAccess(u, ta.Account); err != nil {
		// Account disabled, website access or onboarding.admin removed: the
		// token is kept (its user sees it again when access comes back) but
		// does nothing until then.
		return nil, err
	}
	if now.Sub(t.LastUsedAt) >= tenantdesk.TokenLastUsedInterval {
		// At most one write per token and interval: TouchToken's condition
		// keeps concurrent requests from writing it twice.
		if err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
			_, err := tx.TouchToken(ctx, t.ID, tx.Now().Add(-tenantdesk.TokenLastUsedInterval))
			now = tx.Now()
			return err
		}); err != nil {
			return nil, err
		}
		t.LastUsedAt = now.UTC()
	}
	return ta, nil
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

// authorizeTokenWrite is authorizeTokenOwner for making a secret: never
// while impersonating a customer (SPEC §4: the impersonation cannot
// outlive the session, and a token would).
func authorizeTokenWrite(ctx context.Context, userID int64) error {
	if tenantdesk.ActorFrom(ctx).Impersonating() {
		return errImpersonating()
	}
	return authorizeTokenOwner(ctx, userID)
}

// ListTokens returns the user's tokens, newest first; ENOTFOUND for
// another user's (but the operator's). See tenantdesk.APITokenService.
func (s *Tokens) ListTokens(ctx context.Context, userID int64) ([]*tenantdesk.APIToken, error) {
	if err := authorizeTokenOwner(ctx, userID); err != nil {
		return nil, err
	}
	return s.d.Store.ListUserTokens(ctx, userID)
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

// maxTokenExpiry returns the latest expiry the account allows a token made
// now (zero: no maximum).
func maxTokenExpiry(ctx context.Context, tx tenantdesk.StoreTx, accountID int64) (time.Time, int, error) {
	days, err := tx.TokenMaxLifetimeDays(ctx, accountID)
	if err != nil || days <= 0 {
		return time.Time{}, 0, err
	}
	return tx.Now().Add(time.Duration(days) * 24 * time.Hour), days, nil
}

// tokenExpiry applies the account's maximum lifetime to a requested expiry
// (zero: none): no expiry becomes the maximum, a later one is refused.
func tokenExpiry(ctx context.Context, tx tenantdesk.StoreTx, accountID int64, want time.Time) (time.Time, error) {
	max, days, err := maxTokenExpiry(ctx, tx, accountID)
	if err != nil {
		return time.Time{}, err
	}
	if !want.IsZero() && !want.After(tx.Now()) {
		return time.Time{}, tokenFieldError("expiresAt", "token.error.expiry_past", "The expiry date must be in the future.")
	}
	if days > 0 {
		if want.IsZero() {
			return max, nil
		}
		if want.After(max) {
			e := tokenFieldError("expiresAt", "token.error.expiry_too_late",
				fmt.Sprintf("Tokens of this account may live at most %d days: choose an expiry on or before %s.",
					days, max.Format("2006-01-02")))
			e.Args = map[string]any{"Days": days, "Date": max.Format("2006-01-02")}
			e.Fields[0].Message = e.Message
			return time.Time{}, e
		}
	}
	return want.UTC(), nil
}

// CreateToken creates a token for the user and returns it with its secret,
// audited as token.create. ENOTFOUND for another user (but for the
// operator), EINVALID for a bad name, an expiry in the past or beyond the
// account's maximum lifetime (field "expiresAt"), a disabled user or too
// many live tokens; EAPIAccessRequired or EAccountDisabled when the user
// may not use tokens (tenantdesk.CheckAPIAccess: in a customer account,
// onboarding.admin is needed). See tenantdesk.APITokenService.
func (s *Tokens) CreateToken(ctx context.Context, userID int64, in tenantdesk.NewAPIToken) (*tenantdesk.APIToken, string, error) {
	if err := authorizeTokenWrite(ctx, userID); err != nil {
		return nil, "", err
	}
	in.Name = strings.TrimSpace(in.Name)
	if e := validateTokenName(in.Name); e != nil {
		return nil, "", e
	}
	var t *tenantdesk.APIToken
	var secret string
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := tx.FindUserByID(ctx, userID)
		if err != nil {
			return err
		}
		if u.Status == tenantdesk.UserDisabled {
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "token.error.user_disabled",
				Message: "The user is disabled: a token would not work."}
		}
		if err := checkTokenUser(ctx, tx, u); err != nil {
			return err
		}
		expires, err := tokenExpiry(ctx, tx, u.AccountID, in.ExpiresAt)
		if err != nil {
			return err
		}
		live, err := tx.CountLiveTokens(ctx, userID)
		if err != nil {
			return err
		}
		if live >= tenantdesk.MaxTokensPerUser {
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "token.error.too_many",
				Message: fmt.Sprintf("You have %d active tokens, the most allowed: revoke one you no longer use first.", live)}
		}
		secret = auth.NewAPIToken()
		t = &tenantdesk.APIToken{UserID: u.ID, AccountID: u.AccountID, Name: in.Name, Hint: auth.APITokenHint(secret),
			ReadOnly: in.ReadOnly, ExpiresAt: expires}
		if err := tx.InsertToken(ctx, t, auth.HashAPIToken(secret)); err != nil {
			return err
		}
		return auditToken(ctx, tx, t, tenantdesk.AuditTokenCreate)
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// checkTokenUser refuses a new secret (create, regenerate) for a user who
// could not use it: tenantdesk.CheckAPIAccess on the user and account as
// they are in tx.
func checkTokenUser(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User) error {
	acc, err := tx.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return err
	}
	return tenantdesk.CheckAPIAccess(u, acc)
}

// auditToken writes the token's entry in its account's log.
func auditToken(ctx context.Context, tx tenantdesk.StoreTx, t *tenantdesk.APIToken, action string) error {
	after := map[string]any{"name": t.Name, "readOnly": t.ReadOnly, "hint": t.Hint, "userId": tenantdesk.FormatUserID(t.UserID)}
	if !t.ExpiresAt.IsZero() {
		after["expiresAt"] = t.ExpiresAt.Format(time.RFC3339)
	}
	return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: t.AccountID, Action: action, TargetType: "token",
		TargetID: tenantdesk.FormatAPITokenID(t.ID), After: auditJSON(after)})
}

// RegenerateToken gives a live token a new secret, audited as
// token.regenerate. The account's maximum lifetime applies again, as to a
// new token: a token without expiry (or a later one) gets the maximum.
// ENOTFOUND for another user's token, EINVALID for a revoked or expired
// one, EAPIAccessRequired or EAccountDisabled as CreateToken.
func (s *Tokens) RegenerateToken(ctx context.Context, userID, tokenID int64) (*tenantdesk.APIToken, string, error) {
	if err := authorizeTokenWrite(ctx, userID); err != nil {
		return nil, "", err
	}
	var t *tenantdesk.APIToken
	var secret string
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		var err error
		if t, err = tx.FindUserToken(ctx, userID, tokenID); err != nil {
			return err
		}
		if !t.Active(tx.Now()) {
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "token.error.not_active",
				Message: "This token is revoked or expired: create a new token instead."}
		}
		u, err := tx.FindUserByID(ctx, userID)
		if err != nil {
			return err
		}
		if err := checkTokenUser(ctx, tx, u); err != nil {
			return err
		}
		max, _, err := maxTokenExpiry(ctx, tx, t.AccountID)
		if err != nil {
			return err
		}
		if !max.IsZero() && (t.ExpiresAt.IsZero() || t.ExpiresAt.After(max)) {
			t.ExpiresAt = max
		}
		secret = auth.NewAPIToken()
		t.Hint, t.RegeneratedAt = auth.APITokenHint(secret), tx.Now()
		if err := tx.SetTokenSecret(ctx, t, auth.HashAPIToken(secret)); err != nil {
			return err
		}
		return auditToken(ctx, tx, t, tenantdesk.AuditTokenRegenerate)
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// RevokeToken revokes a token for good, audited as token.revoke; revoking
// a revoked token is a no-op. ENOTFOUND for another user's token.
func (s *Tokens) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	if err := authorizeTokenOwner(ctx, userID); err != nil {
		return err
	}
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		t, err := tx.FindUserToken(ctx, userID, tokenID)
		if err != nil {
			return err
		}
		if t.Revoked() {
			return nil
		}
		if err := tx.SetTokenRevoked(ctx, t.ID); err != nil {
			return err
		}
		return auditToken(ctx, tx, t, tenantdesk.AuditTokenRevoke)
	})
}
