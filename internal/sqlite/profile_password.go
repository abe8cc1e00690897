package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// checkPasswordFor applies the password policy (tenantdesk.CheckNewPassword)
// to a new password of userID, with the user's email and account name.
// Every path that sets a password goes through it: SetPassword (operator,
// demo), activation and reset links, My profile's portal and FTP passwords.
// Returns ENOTFOUND for an unknown user.
func (db *DB) checkPasswordFor(ctx context.Context, userID int64, password string) error {
	var email, accountName string
	err := db.read.QueryRowContext(ctx, `SELECT u.email, a.name FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = ?`,
		userID).Scan(&email, &accountName)
	if errors.Is(err, sql.ErrNoRows) {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
	} else if err != nil {
		return fmt.Errorf("sqlite: password owner: %w", err)
	}
	if e := tenantdesk.CheckNewPassword(password, email, accountName, auth.CommonPasswords()); e != nil {
		return e
	}
	return nil
}

// passwordHash returns the user's stored hash of a credential kind, "" when none.
func passwordHash(ctx context.Context, q querier, userID int64, kind string) (string, error) {
	var hash string
	err := q.QueryRowContext(ctx, `SELECT hash FROM credentials WHERE user_id = ? AND kind = ?`, userID, kind).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("sqlite: load credential: %w", err)
	}
	return hash, nil
}

// verifyCurrentPassword checks the portal password a signed-in user types
// to confirm a sensitive change. A wrong one counts as a failed sign-in of
// the user's email (it is a guess of the same secret, from a session that
// may not be the owner's) and is audited; past the sign-in limit it
// returns ETHROTTLED. Returns ErrWrongCurrentPassword for a wrong password.
func (db *DB) verifyCurrentPassword(ctx context.Context, u *tenantdesk.User, password string) error {
	email, ip := tenantdesk.NormalizeEmail(u.Email), tenantdesk.ClientIP(ctx)
	release, wait, err := db.reserveAttempt(ctx, signInAttempts, email, ip)
	if err != nil {
		return err
	} else if wait > 0 {
		minutes := int((wait + time.Minute - 1) / time.Minute)
		e := tenantdesk.Errorf(tenantdesk.ETHROTTLED, "Too many wrong passwords. Try again in %d minutes.", minutes)
		e.Key, e.Args = "profile.error.throttled", map[string]any{"Minutes": minutes}
		e.RetryAfterSeconds = int((wait + time.Second - 1) / time.Second)
		return e
	}
	failed := false
	defer func() { release(failed) }()
	hash, err := passwordHash(ctx, db.read, u.ID, "password")
	if err != nil {
		return err
	}
	ok := false
	if hash != "" && len(password) <= 4*tenantdesk.MaxPasswordLen {
		ok, _ = db.Hasher.Verify(hash, password)
	}
	if ok {
		return nil
	}
	failed = true // the reservation is the counted failure
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditReauthFailed,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID)}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return tenantdesk.ErrWrongCurrentPassword()
}

// withCurrentPassword runs the cheap check first, then verifies the current
// password, and reports both problems at once: a person fixes the form in
// one go, and a wrong current password is counted whatever else is wrong.
func (db *DB) withCurrentPassword(ctx context.Context, u *tenantdesk.User, current string, check func() error) error {
	checkErr := check()
	if verr := db.verifyCurrentPassword(ctx, u, current); verr != nil {
		if ce, ve := tenantdesk.AsError(checkErr), tenantdesk.AsError(verr); ce != nil && ve != nil && ve.Code == tenantdesk.EINVALID && ce.Code == tenantdesk.EINVALID {
			ve.Fields = append(ve.Fields, ce.Fields...)
		}
		return verr
	}
	return checkErr
}

// ChangePassword sets the actor's new portal password and signs out their
// other sessions. See tenantdesk.ProfileService.
func (db *DB) ChangePassword(ctx context.Context, currentPassword, newPassword string) (int, error) {
	a, u, err := me(ctx, db.read)
	if err != nil {
		return 0, err
	}
	if err := db.withCurrentPassword(ctx, u, currentPassword, func() error {
		return db.checkPasswordFor(ctx, u.ID, newPassword)
	}); err != nil {
		return 0, err
	}
	hash, err := db.Hasher.Hash(newPassword) // outside the transaction: it is slow
	if err != nil {
		return 0, err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if err := tx.setPasswordHash(ctx, u.ID, hash); err != nil {
		return 0, err
	}
	ended, err := tx.endOtherSessions(ctx, u.ID, a.SessionID)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE email_norm = ?`, tenantdesk.NormalizeEmail(u.Email)); err != nil {
		return 0, fmt.Errorf("sqlite: clear failures: %w", err)
	}
	if err := tx.queueProfileMail(ctx, u, "", tenantdesk.MailPasswordChangedSelf, tenantdesk.MailData{
		Link: tx.db.Mail.url("/password/forgot"), At: tx.now,
	}); err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditPasswordChanged,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
		After: auditJSON(map[string]any{"otherSessionsEnded": ended})}); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return ended, nil
}

// FTPCredential tells whether the actor has an FTP password. See
// tenantdesk.ProfileService.
func (db *DB) FTPCredential(ctx context.Context) (*tenantdesk.FTPCredential, error) {
	_, u, err := me(ctx, db.read)
	if err != nil {
		return nil, err
	}
	at, err := credentialUpdatedAt(ctx, db.read, u.ID, "ftp")
	if err != nil {
		return nil, err
	}
	return &tenantdesk.FTPCredential{Set: !at.IsZero(), UpdatedAt: at}, nil
}

// SetFTPPassword sets or replaces the actor's FTP password, confirmed with
// the portal password. The FTP password may not be the portal password: it
// is a separate credential, often typed into less careful software. See
// tenantdesk.ProfileService.
func (db *DB) SetFTPPassword(ctx context.Context, currentPassword, ftpPassword string) error {
	_, u, err := me(ctx, db.read)
	if err != nil {
		return err
	}
	if err := db.withCurrentPassword(ctx, u, currentPassword, func() error {
		return db.checkPasswordFor(ctx, u.ID, ftpPassword)
	}); err != nil {
		return err
	}
	// The current password is right, so comparing costs no more guesses.
	if ftpPassword == currentPassword {
		msg := "The FTP password must differ from your portal password."
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "profile.ftp.error.same_as_portal",
			Fields: []tenantdesk.FieldError{{Field: "password", Message: msg, Key: "profile.ftp.error.same_as_portal"}}}
	}
	hash, err := db.Hasher.Hash(ftpPassword)
	if err != nil {
		return err
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	before, err := credentialUpdatedAt(ctx, tx, u.ID, "ftp")
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO credentials (user_id, kind, hash, updated_at) VALUES (?, 'ftp', ?, ?)
		ON CONFLICT (user_id, kind) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
		u.ID, hash, ms(tx.now)); err != nil {
		return fmt.Errorf("sqlite: set ftp password: %w", err)
	}
	if err := tx.queueProfileMail(ctx, u, "", tenantdesk.MailFTPPasswordChanged, tenantdesk.MailData{
		Link: tx.db.Mail.url("/profile/ftp"), At: tx.now,
	}); err != nil {
		return err
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditFTPPasswordSet,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
		After: auditJSON(map[string]any{"replaced": !before.IsZero()})}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return nil
}

// ftpKey puts FTP login failures in a key space of their own in the
// sign-in throttle table: FTP guesses never lock the portal sign-in, nor
// the other way round.
func ftpKey(s string) string {
	if s == "" {
		return ""
	}
	return "ftp:" + s
}

// errFTPAuth is the one answer to every failed FTP login.
func errFTPAuth() error {
	return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Incorrect username or password.")
}

// FTPAuth checks an FTP login. See tenantdesk.FTPAuthService.
func (db *DB) FTPAuth(ctx context.Context, in tenantdesk.FTPAuthInput) (*tenantdesk.FTPAuthResult, error) {
	email := tenantdesk.NormalizeEmail(in.Username)
	if len(email) > tenantdesk.MaxEmailLen {
		email = email[:tenantdesk.MaxEmailLen]
	}
	release, wait, err := db.reserveAttempt(ctx, signInAttempts, ftpKey(email), ftpKey(in.ClientIP))
	if err != nil {
		return nil, err
	} else if wait > 0 {
		e := tenantdesk.Errorf(tenantdesk.ETHROTTLED, "Too many failed FTP logins. Try again later.")
		e.RetryAfterSeconds = int((wait + time.Second - 1) / time.Second)
		if err := db.auditFTP(ctx, nil, email, in.ClientIP, "throttled"); err != nil {
			return nil, err
		}
		return nil, e
	}
	// The reservation stays a failure only for a wrong password (or an
	// unknown user); any other outcome releases it.
	failed := false
	defer func() { release(failed) }()
	u, err := db.FindUserByEmail(ctx, email)
	if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		return nil, err
	}
	hash := ""
	if u != nil {
		if hash, err = passwordHash(ctx, db.read, u.ID, "ftp"); err != nil {
			return nil, err
		}
	}
	ok := false
	if hash != "" && len(in.Password) <= 4*tenantdesk.MaxPasswordLen {
		ok, _ = db.Hasher.Verify(hash, in.Password)
	} else {
		db.Hasher.Verify(db.dummy(), in.Password) // the same cost whether or not the user exists
	}
	switch {
	case !ok:
		failed = true
		reason := "wrong_password"
		if u == nil {
			reason = "unknown_user"
		} else if hash == "" {
			reason = "no_ftp_password"
		}
		if err := db.auditFTP(ctx, u, email, in.ClientIP, reason); err != nil {
			return nil, err
		}
		return nil, errFTPAuth()
	case u.Status != tenantdesk.UserActive:
		if err := db.auditFTP(ctx, u, email, in.ClientIP, "user_"+u.Status); err != nil {
			return nil, err
		}
		return nil, errFTPAuth()
	}
	if err := db.auditFTP(ctx, u, email, in.ClientIP, ""); err != nil {
		return nil, err
	}
	return &tenantdesk.FTPAuthResult{UserID: u.ID, TenantID: u.TenantID, HomeFolder: tenantdesk.FTPHomeFolder(u.TenantID)}, nil
}

// auditFTP records an FTP login outcome (reason "" = success); a success
// clears the user's FTP failures. (A failed login was counted when it was
// reserved, FTPAuth.)
func (db *DB) auditFTP(ctx context.Context, u *tenantdesk.User, email, clientIP, reason string) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	e := &tenantdesk.AuditEntry{Action: tenantdesk.AuditFTPAuth, ActorName: email, IP: clientIP}
	if reason != "" {
		e.Action = tenantdesk.AuditFTPAuthFailed
		e.After = auditJSON(map[string]string{"reason": reason})
	}
	if u != nil {
		e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
		if reason == "" {
			e.ActorUserID, e.ActorName = u.ID, u.DisplayName
		}
	}
	if err := tx.audit(ctx, e); err != nil {
		return err
	}
	if reason == "" {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE email_norm = ?`, ftpKey(email)); err != nil {
			return fmt.Errorf("sqlite: clear ftp failures: %w", err)
		}
	}
	return tx.Commit()
}
