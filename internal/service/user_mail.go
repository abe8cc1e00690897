package service

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// UserMail sends the emails an administrator triggers besides activation
// (tenantdesk.UserMailService): the UC welcome email, to a user of the UC
// client (customer.user.uc), queued in the outbox in the same transaction
// as its audit record.
type UserMail struct {
	d *Deps
}

var _ tenantdesk.UserMailService = (*UserMail)(nil)

// NewUserMail returns the user mail service.
func NewUserMail(d *Deps) (*UserMail, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &UserMail{d: d}, nil
}

// SendUCWelcomeEmail queues the UC welcome email to a user of the account,
// audited as user.uc_welcome_sent. Needs AccessUserAdmin; ENOTFOUND for a
// user not in the account, EUserDisabled for a disabled user,
// EUCRoleRequired when the user lacks customer.user.uc.
func (s *UserMail) SendUCWelcomeEmail(ctx context.Context, accountID, userID int64) error {
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := tx.FindAccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, tenantdesk.AccessUserAdmin); err != nil {
			return err
		}
		u, err := tx.FindAccountUser(ctx, accountID, userID)
		if err != nil {
			return err
		}
		switch {
		case u.Status == tenantdesk.UserDisabled:
			return &tenantdesk.Error{Code: tenantdesk.EUserDisabled, Key: "api.error.user_disabled",
				Message: "This user is disabled: no email is sent to disabled users."}
		case !u.HasRole(tenantdesk.RoleUC):
			return &tenantdesk.Error{Code: tenantdesk.EUCRoleRequired, Key: "api.error.uc_role_required",
				Message: "The UC welcome email is for users of the UC client: give the user the role \"customer.user.uc\" first."}
		}
		if err := s.d.queueMail(ctx, tx, u, "", tenantdesk.MailUCWelcome, tenantdesk.MailData{Link: s.d.url("/"), Downloads: s.d.UCDownloads}); err != nil {
			return err
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditUCWelcomeSent, TargetType: "user",
			TargetID: tenantdesk.FormatUserID(u.ID), After: auditJSON(map[string]any{"to": u.Email})})
	})
}
