package service

import (
	"context"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// profileFlows are the My profile flows still answered by the store.
type profileFlows interface {
	UpdatePersonalData(ctx context.Context, in tenantdesk.PersonalData) (*tenantdesk.User, error)
	RequestEmailChange(ctx context.Context, newEmail, currentPassword string) (time.Duration, error)
	CheckEmailChange(ctx context.Context, token string) (*tenantdesk.User, string, error)
	MyRights(ctx context.Context) (*tenantdesk.Rights, error)
	SetPreferences(ctx context.Context, p tenantdesk.Preferences) (*tenantdesk.User, error)
	ChangePassword(ctx context.Context, currentPassword, newPassword string) (int, error)
	FTPCredential(ctx context.Context) (*tenantdesk.FTPCredential, error)
	SetFTPPassword(ctx context.Context, currentPassword, ftpPassword string) error
	ListSessions(ctx context.Context) ([]*tenantdesk.SessionInfo, error)
	EndSession(ctx context.Context, handle string) error
	EndOtherSessions(ctx context.Context) (int, error)
}

// Profile is My profile (tenantdesk.ProfileService).
type Profile struct {
	profileFlows
	d *Deps
}

var _ tenantdesk.ProfileService = (*Profile)(nil)

// NewProfile returns the profile service; flows answers what has not moved
// here yet.
func NewProfile(d *Deps, flows profileFlows) (*Profile, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Profile{profileFlows: flows, d: d}, nil
}

// maxLinkTokenLen bounds what is hashed and looked up; real tokens are 43 characters.
const maxLinkTokenLen = 128

// ConfirmEmailChange changes the email through the link mailed to the new
// address, under the one rule function as the user themselves (R11). See
// tenantdesk.ProfileService: ErrLinkInvalid for an unknown, used or
// replaced link (or a disabled user, or one who has the address already),
// ErrLinkExpired past its expiry, EEmailTaken when the address was taken
// since the request.
func (s *Profile) ConfirmEmailChange(ctx context.Context, token string) (*tenantdesk.User, error) {
	if token == "" || len(token) > maxLinkTokenLen {
		return nil, tenantdesk.ErrLinkInvalid()
	}
	var out *tenantdesk.User
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		hash := LinkTokenHash(token)
		l, err := tx.FindLink(ctx, tenantdesk.LinkEmailChange, hash)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND || (err == nil && (!l.UsedAt.IsZero() || l.Data == "")) {
			return tenantdesk.ErrLinkInvalid()
		} else if err != nil {
			return err
		}
		u, err := tx.FindUserByID(ctx, l.UserID)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			return tenantdesk.ErrLinkInvalid()
		} else if err != nil {
			return err
		}
		if u.Status == tenantdesk.UserDisabled || tenantdesk.NormalizeEmail(u.Email) == tenantdesk.NormalizeEmail(l.Data) {
			return tenantdesk.ErrLinkInvalid()
		}
		if !tx.Now().Before(l.ExpiresAt) {
			return tenantdesk.ErrLinkExpired()
		}
		acc, err := tx.FindAccountByID(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if err := tx.UseLink(ctx, hash); err != nil {
			return err
		}
		after := copyUser(u)
		after.Email = l.Data
		e := &tenantdesk.AuditEntry{Action: tenantdesk.AuditEmailChanged,
			Before: auditJSON(map[string]string{"email": u.Email}), After: auditJSON(map[string]string{"email": l.Data})}
		if a := tenantdesk.ActorFrom(ctx); a == nil || a.User == nil || a.User.ID != u.ID {
			// Opened without the user's session: the link's holder is the user.
			e.ActorUserID, e.ActorName = u.ID, u.DisplayName
		}
		ch, err := s.d.writeUser(ctx, tx, userWrite{acc: acc, before: u, after: after, by: tenantdesk.BySelf, audit: e})
		if err == nil {
			out = ch.User
		}
		return err
	})
	return out, err
}
