package service

import (
	"context"
	"sync"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// FTPAuth checks FTP logins for the account's FTP/SFTP server
// (tenantdesk.FTPAuthService) against the FTP password set on My profile.
type FTPAuth struct {
	d *Deps
	// dummy is a hash of no one's password, verified for unknown users so
	// that a login costs the same whether or not the user exists.
	dummy func() string
}

var _ tenantdesk.FTPAuthService = (*FTPAuth)(nil)

// NewFTPAuth returns the FTP login service; d needs a Hasher.
func NewFTPAuth(d *Deps) (*FTPAuth, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Hasher == nil {
		return nil, errNoHasher
	}
	return newFTPAuth(d), nil
}

func newFTPAuth(d *Deps) *FTPAuth {
	return &FTPAuth{d: d, dummy: sync.OnceValue(func() string {
		h, _ := d.Hasher.Hash("tenantdesk-dummy-password")
		return h
	})}
}

// ftpKey puts FTP login failures in a key space of their own in the
// sign-in throttle: FTP guesses never lock the portal sign-in, nor the
// other way round.
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

// FTPAuth checks an FTP login: the user's email and FTP password. Returns
// EUNAUTHORIZED with one generic message for an unknown user, a wrong
// password, a user without an FTP password, a user who is not active and
// a user of a disabled account;
// ETHROTTLED after too many failures for the username or the client IP
// (the sign-in limits, under keys of their own). Every outcome is audited
// (ftp.auth, ftp.auth_failed with the reason); only a wrong password or
// an unknown user counts as a failure, and a success clears the
// username's failures.
func (s *FTPAuth) FTPAuth(ctx context.Context, in tenantdesk.FTPAuthInput) (*tenantdesk.FTPAuthResult, error) {
	email := tenantdesk.NormalizeEmail(in.Username)
	if len(email) > tenantdesk.MaxEmailLen {
		email = email[:tenantdesk.MaxEmailLen]
	}
	release, wait, err := s.d.reserveAttempt(ctx, tenantdesk.AttemptSignIn, signInKeys(ftpKey(email), ftpKey(in.ClientIP))...)
	if err != nil {
		return nil, err
	} else if wait > 0 {
		e := tenantdesk.Errorf(tenantdesk.ETHROTTLED, "Too many failed FTP logins. Try again later.")
		e.RetryAfterSeconds = retryAfter(wait)
		if err := s.audit(ctx, nil, email, in.ClientIP, reasonThrottled); err != nil {
			return nil, err
		}
		return nil, e
	}
	// The reservation stays a failure only for a wrong password (or an
	// unknown user); any other outcome releases it.
	failed := false
	defer func() { release(failed) }()
	u, err := s.d.Store.FindUserByEmail(ctx, email)
	if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		return nil, err
	}
	hash := ""
	if u != nil {
		c, err := s.d.Store.FindCredential(ctx, u.ID, tenantdesk.CredentialFTP)
		if err == nil {
			hash = c.Hash
		} else if tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
			return nil, err
		}
	}
	ok := false
	if hash != "" && len(in.Password) <= 4*tenantdesk.MaxPasswordLen {
		ok, _ = s.d.Hasher.Verify(hash, in.Password)
	} else {
		s.d.Hasher.Verify(s.dummy(), in.Password) // the same cost whether or not the user exists
	}
	switch {
	case !ok:
		failed = true
		reason := reasonWrongPassword
		if u == nil {
			reason = reasonUnknownUser
		} else if hash == "" {
			reason = reasonNoFTPPassword
		}
		if err := s.audit(ctx, u, email, in.ClientIP, reason); err != nil {
			return nil, err
		}
		return nil, errFTPAuth()
	case u.Status != tenantdesk.UserActive:
		if err := s.audit(ctx, u, email, in.ClientIP, failReason("user_"+u.Status)); err != nil {
			return nil, err
		}
		return nil, errFTPAuth()
	}
	if acc, err := s.d.Store.FindAccountByID(ctx, u.AccountID); err != nil {
		return nil, err
	} else if acc.Disabled() { // by its partner or the operator (customer_status.go)
		if err := s.audit(ctx, u, email, in.ClientIP, reasonAccountDisabled); err != nil {
			return nil, err
		}
		return nil, errFTPAuth()
	}
	if err := s.audit(ctx, u, email, in.ClientIP, ""); err != nil {
		return nil, err
	}
	return &tenantdesk.FTPAuthResult{UserID: u.ID, TenantID: u.TenantID, HomeFolder: tenantdesk.FTPHomeFolder(u.TenantID)}, nil
}

// audit records an FTP login outcome (reason "" = success) as ftp.auth or
// ftp.auth_failed; a success clears the username's FTP failures. (A failed
// login was counted when it was reserved.)
func (s *FTPAuth) audit(ctx context.Context, u *tenantdesk.User, email, clientIP string, reason failReason) error {
	return s.d.Store.Record(ctx, func(tx tenantdesk.StoreTx) error {
		e := &tenantdesk.AuditEntry{Action: tenantdesk.AuditFTPAuth, ActorName: email, IP: clientIP}
		if reason != "" {
			e.Action = tenantdesk.AuditFTPAuthFailed
			e.After = auditJSON(map[string]string{"reason": string(reason)})
		}
		if u != nil {
			e.AccountID, e.TargetType, e.TargetID = u.AccountID, "user", tenantdesk.FormatUserID(u.ID)
			if reason == "" {
				e.ActorUserID, e.ActorName = u.ID, u.DisplayName
			}
		}
		if err := audit(ctx, tx, e); err != nil {
			return err
		}
		if reason == "" {
			return tx.ClearAttempts(ctx, tenantdesk.AttemptSignIn, ftpKey(email))
		}
		return nil
	})
}
