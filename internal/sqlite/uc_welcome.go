package sqlite

import (
	"context"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The UC welcome email (tenantdesk.UserMailService): sent on an
// administrator's request to a user of the UC client (customer.user.uc),
// queued in the outbox in the same transaction as its audit record.

var _ tenantdesk.UserMailService = (*DB)(nil)

// SendUCWelcomeEmail queues the UC welcome email; see tenantdesk.UserMailService.
func (db *DB) SendUCWelcomeEmail(ctx context.Context, accountID, userID int64) error {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.authorizedAccount(ctx, accountID, tenantdesk.AccessUserAdmin); err != nil {
		return err
	}
	u, err := findUserInAccount(ctx, tx, accountID, userID)
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
	d := tenantdesk.MailData{Name: u.DisplayName, Link: tx.db.Mail.url("/")}
	subject, body, err := renderUCWelcome(tx.db.Mail, u.Language, d)
	if err != nil {
		return err
	}
	if err := tx.enqueueMail(ctx, &tenantdesk.MailMessage{AccountID: u.AccountID, To: u.Email, Subject: subject, BodyText: body,
		Kind: tenantdesk.MailUCWelcome}); err != nil {
		return err
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditUCWelcomeSent, TargetType: "user",
		TargetID: tenantdesk.FormatUserID(u.ID), After: auditJSON(map[string]any{"to": u.Email})}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return nil
}

// renderUCWelcome renders the email with the configured renderer, or in
// plain English for tools and tests without one.
func renderUCWelcome(c MailConfig, lang string, d tenantdesk.MailData) (string, string, error) {
	if c.Renderer != nil {
		return c.Renderer.RenderMail(tenantdesk.MailUCWelcome, lang, d)
	}
	return "Welcome to the Tenantdesk UC client",
		fmt.Sprintf("Hello %s,\n\nyou can now use the UC client of Tenantdesk. Sign in with your portal email and password; the portal is here:\n\n%s\n", d.Name, d.Link), nil
}
