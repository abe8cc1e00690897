package service

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// verifyCurrentPassword checks the portal password a signed-in user types
// to confirm a sensitive change. A wrong one counts as a failed sign-in of
// the user's email (it is a guess of the same secret, from a session that
// may not be the owner's) and is audited as user.reauth_failed; past the
// sign-in limit it returns ETHROTTLED. Returns ErrWrongCurrentPassword for
// a wrong password.
func (s *Profile) verifyCurrentPassword(ctx context.Context, u *tenantdesk.User, password string) error {
	release, wait, err := s.d.reserveAttempt(ctx, tenantdesk.AttemptSignIn, signInKeys(tenantdesk.NormalizeEmail(u.Email), tenantdesk.ClientIP(ctx))...)
	if err != nil {
		return err
	} else if wait > 0 {
		return throttled("Too many wrong passwords. Try again in %d minutes.", "profile.error.throttled", "Minutes", wait)
	}
	failed := false
	defer func() { release(failed) }()
	hash, err := s.credentialHash(ctx, u.ID, tenantdesk.CredentialPassword)
	if err != nil {
		return err
	}
	ok := false
	if hash != "" && len(password) <= 4*tenantdesk.MaxPasswordLen {
		ok, _ = s.d.Hasher.Verify(hash, password)
	}
	if ok {
		return nil
	}
	failed = true // the reservation is the counted failure
	if err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditReauthFailed,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID)})
	}); err != nil {
		return err
	}
	return tenantdesk.ErrWrongCurrentPassword()
}

// credentialHash returns the user's stored hash of kind, "" when none.
func (s *Profile) credentialHash(ctx context.Context, userID int64, kind string) (string, error) {
	c, err := s.d.Store.FindCredential(ctx, userID, kind)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return c.Hash, nil
}

// withCurrentPassword runs the cheap check first, then verifies the current
// password, and reports both problems at once: a person fixes the form in
// one go, and a wrong current password is counted whatever else is wrong.
func (s *Profile) withCurrentPassword(ctx context.Context, u *tenantdesk.User, current string, check func() error) error {
	checkErr := check()
	if verr := s.verifyCurrentPassword(ctx, u, current); verr != nil {
		if ce, ve := tenantdesk.AsError(checkErr), tenantdesk.AsError(verr); ce != nil && ve != nil && ve.Code == tenantdesk.EINVALID && ce.Code == tenantdesk.EINVALID {
			ve.Fields = append(ve.Fields, ce.Fields...)
		}
		return verr
	}
	return checkErr
}

// ChangePassword sets the actor's new portal password (CheckNewPassword),
// confirmed with the current one; ends every other session of the user
// (not the current one), clears the sign-in failures of their email,
// emails a notice to them and audits user.password_changed. Returns how
// many sessions it ended; EINVALID with field errors (a wrong current
// password: field "currentPassword"), ETHROTTLED past the sign-in limit,
// EUNAUTHORIZED without a signed-in user.
func (s *Profile) ChangePassword(ctx context.Context, currentPassword, newPassword string) (int, error) {
	a, u, err := me(ctx, s.d.Store)
	if err != nil {
		return 0, err
	}
	if err := s.withCurrentPassword(ctx, u, currentPassword, func() error {
		return s.checkNewPassword(ctx, u, newPassword)
	}); err != nil {
		return 0, err
	}
	hash, err := s.d.Hasher.Hash(newPassword) // outside the transaction: it is slow
	if err != nil {
		return 0, err
	}
	var ended int
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if err := tx.SetCredential(ctx, u.ID, tenantdesk.CredentialPassword, hash); err != nil {
			return err
		}
		var err error
		if ended, err = tx.EndOtherSessions(ctx, u.ID, a.SessionID); err != nil {
			return err
		}
		if err := tx.ClearAttempts(ctx, tenantdesk.AttemptSignIn, tenantdesk.NormalizeEmail(u.Email)); err != nil {
			return err
		}
		if err := s.d.queueMail(ctx, tx, u, "", tenantdesk.MailPasswordChangedSelf, tenantdesk.MailData{
			Link: s.d.url("/password/forgot"), At: tx.Now(),
		}); err != nil {
			return err
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditPasswordChanged,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
			After: auditJSON(map[string]any{"otherSessionsEnded": ended})})
	})
	if err != nil {
		return 0, err
	}
	return ended, nil
}

// FTPCredential tells whether the actor has an FTP password and since
// when. Returns EUNAUTHORIZED without a signed-in user.
func (s *Profile) FTPCredential(ctx context.Context) (*tenantdesk.FTPCredential, error) {
	_, u, err := me(ctx, s.d.Store)
	if err != nil {
		return nil, err
	}
	c, err := s.d.Store.FindCredential(ctx, u.ID, tenantdesk.CredentialFTP)
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return &tenantdesk.FTPCredential{}, nil
	} else if err != nil {
		return nil, err
	}
	return &tenantdesk.FTPCredential{Set: !c.UpdatedAt.IsZero(), UpdatedAt: c.UpdatedAt}, nil
}

// SetFTPPassword sets or replaces the actor's FTP password (the portal
// password's policy), confirmed with the portal password; emails a notice
// and audits user.ftp_password_set. The FTP password may not be the portal
// password: it is a separate credential, often typed into less careful
// software. Returns EINVALID with field errors ("currentPassword",
// "password"), ETHROTTLED past the sign-in limit, EUNAUTHORIZED without a
// signed-in user.
func (s *Profile) SetFTPPassword(ctx context.Context, currentPassword, ftpPassword string) error {
	_, u, err := me(ctx, s.d.Store)
	if err != nil {
		return err
	}
	if err := s.withCurrentPassword(ctx, u, currentPassword, func() error {
		return s.checkNewPassword(ctx, u, ftpPassword)
	}); err != nil {
		return err
	}
	// The current password is right, so comparing costs no more guesses.
	if ftpPassword == currentPassword {
		msg := "The FTP password must differ from your portal password."
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Key: "profile.ftp.error.same_as_portal",
			Fields: []tenantdesk.FieldError{{Field: "password", Message: msg, Key: "profile.ftp.error.same_as_portal"}}}
	}
	hash, err := s.d.Hasher.Hash(ftpPassword)
	if err != nil {
		return err
	}
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		_, err := tx.FindCredential(ctx, u.ID, tenantdesk.CredentialFTP)
		replaced := err == nil
		if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			return err
		}
		if err := tx.SetCredential(ctx, u.ID, tenantdesk.CredentialFTP, hash); err != nil {
			return err
		}
		if err := s.d.queueMail(ctx, tx, u, "", tenantdesk.MailFTPPasswordChanged, tenantdesk.MailData{
			Link: s.d.url("/profile/ftp"), At: tx.Now(),
		}); err != nil {
			return err
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditFTPPasswordSet,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
			After: auditJSON(map[string]any{"replaced": replaced})})
	})
}
