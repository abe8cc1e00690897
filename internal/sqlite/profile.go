package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// My profile (tenantdesk.ProfileService): personal data, rights and
// preferences here; passwords in profile_password.go, the email change in
// profile_email.go, sessions in profile_sessions.go.

var (
	_ tenantdesk.FTPAuthService = (*DB)(nil)
)

// profileActor returns the signed-in actor of ctx, or EUNAUTHORIZED: My
// profile is always the actor's own.
func profileActor(ctx context.Context) (*tenantdesk.Actor, error) {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil || a.User == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	return a, nil
}

// me re-reads the actor's user inside q (a transaction or the reader pool).
func me(ctx context.Context, q querier) (*tenantdesk.Actor, *tenantdesk.User, error) {
	a, err := profileActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, err := findUser(ctx, q, `WHERE u.id = ?`, a.User.ID)
	if err != nil {
		return nil, nil, err
	}
	return a, u, nil
}

// UpdatePersonalData changes the actor's display name, phone and job title.
// See tenantdesk.ProfileService.
func (db *DB) UpdatePersonalData(ctx context.Context, in tenantdesk.PersonalData) (*tenantdesk.User, error) {
	in, verr := tenantdesk.ValidatePersonalData(in)
	if verr != nil {
		return nil, verr
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	_, u, err := me(ctx, tx)
	if err != nil {
		return nil, err
	}
	before, after := map[string]any{}, map[string]any{}
	for _, f := range []struct {
		name     string
		old, new string
	}{{"displayName", u.DisplayName, in.DisplayName}, {"phone", u.Phone, in.Phone}, {"jobTitle", u.JobTitle, in.JobTitle}} {
		if f.old != f.new {
			before[f.name], after[f.name] = f.old, f.new
		}
	}
	if len(after) == 0 {
		return u, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name = ?, name_norm = ?, phone = ?, job_title = ?, updated_at = ?
		WHERE id = ? AND account_id = ?`, in.DisplayName, normalizeName(in.DisplayName), in.Phone, in.JobTitle, ms(tx.now),
		u.ID, u.AccountID); err != nil {
		return nil, fmt.Errorf("sqlite: update profile: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditProfileUpdate,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID), Before: auditJSON(before), After: auditJSON(after)}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	u.DisplayName, u.Phone, u.JobTitle, u.UpdatedAt = in.DisplayName, in.Phone, in.JobTitle, tx.now
	return u, nil
}

// MyRights returns the actor's roles and who in their account can change
// them. See tenantdesk.ProfileService.
func (db *DB) MyRights(ctx context.Context) (*tenantdesk.Rights, error) {
	a, u, err := me(ctx, db.read)
	if err != nil {
		return nil, err
	}
	acc, err := db.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	if err := tenantdesk.Authorize(a, acc, tenantdesk.AccessMember); err != nil {
		return nil, err
	}
	// The Owner and the enabled holders of user.admin + customer.user (R9),
	// of the actor's own account only.
	rows, err := db.read.QueryContext(ctx, `SELECT u.display_name, u.is_owner FROM users u
		WHERE u.account_id = ?1 AND u.status <> 'disabled' AND (u.is_owner = 1 OR (
			EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'user.admin') AND
			EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'customer.user')))
		ORDER BY u.is_owner DESC, u.name_norm, u.id LIMIT 200`, u.AccountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: account managers: %w", err)
	}
	defer rows.Close()
	r := &tenantdesk.Rights{User: u}
	for rows.Next() {
		var m tenantdesk.Manager
		if err := rows.Scan(&m.DisplayName, &m.IsOwner); err != nil {
			return nil, fmt.Errorf("sqlite: scan manager: %w", err)
		}
		r.Managers = append(r.Managers, m)
	}
	return r, rows.Err()
}

// SetPreferences changes the actor's interface language and time zone.
// See tenantdesk.ProfileService.
func (db *DB) SetPreferences(ctx context.Context, p tenantdesk.Preferences) (*tenantdesk.User, error) {
	if err := tenantdesk.ValidatePreferences(p); err != nil {
		return nil, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	_, u, err := me(ctx, tx)
	if err != nil {
		return nil, err
	}
	if u.Language == p.Language && u.TimeZone == p.TimeZone {
		return u, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET language = ?, time_zone = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
		p.Language, p.TimeZone, ms(tx.now), u.ID, u.AccountID); err != nil {
		return nil, fmt.Errorf("sqlite: set preferences: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditPreferencesUpdate,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
		Before: auditJSON(map[string]string{"language": u.Language, "timeZone": u.TimeZone}),
		After:  auditJSON(map[string]string{"language": p.Language, "timeZone": p.TimeZone})}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	u.Language, u.TimeZone, u.UpdatedAt = p.Language, p.TimeZone, tx.now
	return u, nil
}

// queueProfileMail renders a My profile email for u in u's language and
// queues it to `to` (u's address unless the mail goes elsewhere, as the
// confirmation of a new address does).
func (tx *Tx) queueProfileMail(ctx context.Context, u *tenantdesk.User, to, kind string, d tenantdesk.MailData) error {
	d.Name = u.DisplayName
	var subject, body string
	var err error
	if tx.db.Mail.Renderer != nil {
		subject, body, err = tx.db.Mail.Renderer.RenderMail(kind, u.Language, d)
	} else {
		subject, body, err = profileFallbackMail(kind, d)
	}
	if err != nil {
		return fmt.Errorf("sqlite: render %s mail: %w", kind, err)
	}
	if to == "" {
		to = u.Email
	}
	return tx.enqueueMail(ctx, &tenantdesk.MailMessage{AccountID: u.AccountID, To: to, Subject: subject, BodyText: body, Kind: kind})
}

// profileFallbackMail is the English text used when no renderer is
// configured (tools and tests that do not wire internal/mail).
func profileFallbackMail(kind string, d tenantdesk.MailData) (string, string, error) {
	at := d.At.UTC().Format("2006-01-02 15:04") + " UTC"
	switch kind {
	case tenantdesk.MailEmailChange:
		return "Confirm your new Tenantdesk email address",
			fmt.Sprintf("Hello %s,\n\nconfirm %s as your new Tenantdesk email address:\n\n%s\n\nThe link works once and expires in %s.\n", d.Name, d.Email, d.Link, humanTTL(d.TTL)), nil
	case tenantdesk.MailEmailChanged:
		return "Your Tenantdesk email address was changed",
			fmt.Sprintf("Hello %s,\n\nyour Tenantdesk email address was changed at %s to %s.\nIf this was not you, tell an administrator of your account: %s\n", d.Name, at, d.Email, d.Link), nil
	case tenantdesk.MailPasswordChangedSelf:
		return "Your Tenantdesk password was changed",
			fmt.Sprintf("Hello %s,\n\nyour Tenantdesk password was changed at %s and your other sessions were signed out.\nIf this was not you, reset it at once: %s\n", d.Name, at, d.Link), nil
	case tenantdesk.MailFTPPasswordChanged:
		return "Your Tenantdesk FTP password was set",
			fmt.Sprintf("Hello %s,\n\na new FTP password was set for your Tenantdesk account at %s.\nIf this was not you, act at once: %s\n", d.Name, at, d.Link), nil
	}
	return "", "", fmt.Errorf("sqlite: no mail template %q", kind)
}

// credentialUpdatedAt returns when the user's credential of kind was last
// set, or the zero time when there is none.
func credentialUpdatedAt(ctx context.Context, q querier, userID int64, kind string) (time.Time, error) {
	var at int64
	err := q.QueryRowContext(ctx, `SELECT updated_at FROM credentials WHERE user_id = ? AND kind = ?`, userID, kind).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	} else if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: credential: %w", err)
	}
	return fromMS(at), nil
}
