package sqlite

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Backup writes a consistent copy of the whole database to path (SQLite's
// VACUUM INTO: a compact snapshot, taken while the portal keeps serving).
// It refuses to overwrite an existing file.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return tenantdesk.Errorf(tenantdesk.ECONFLICT, "%s exists already; choose a new file name.", path)
	}
	// On the writer: the readers are query_only, which VACUUM INTO refuses.
	// Writes wait while the snapshot is written.
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}

const auditOwnerTransfer = "account.owner_transfer"

// TransferOwnership makes the user with email the Owner of the account with
// tenantID (the platform operator's command). The new Owner gets every
// permission role of the account (R5); the former Owner stays a user with
// the roles they had. Returns ENOTFOUND for an unknown account, or a user
// that is not in that account, and EINVALID for a disabled user.
func (db *DB) TransferOwnership(ctx context.Context, tenantID, email string) (*tenantdesk.User, error) {
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var accountID int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE tenant_id = ?`, tenantID).Scan(&accountID); err != nil {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "No account has tenant ID %s.", tenantID)
	}
	acc, err := tx.authorizedAccount(ctx, accountID, tenantdesk.AccessUserAdmin)
	if err != nil {
		return nil, err
	}
	if a := tenantdesk.ActorFrom(ctx); a == nil || !a.Operator {
		return nil, tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "Only the platform operator transfers ownership.")
	}
	u, err := findUser(ctx, tx, `WHERE u.email_norm = ?`, tenantdesk.NormalizeEmail(email))
	if err != nil || u.AccountID != acc.ID {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "%s is not a user of %s.", email, acc.Name)
	}
	if u.Status == tenantdesk.UserDisabled {
		return nil, tenantdesk.Errorf(tenantdesk.EINVALID, "%s is disabled; enable the user first.", email)
	}
	if u.IsOwner {
		return u, tx.Commit()
	}
	var formerID int64
	_ = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE account_id = ? AND is_owner = 1`, acc.ID).Scan(&formerID)
	if _, err := tx.ExecContext(ctx, `UPDATE users SET is_owner = 0, updated_at = ? WHERE account_id = ? AND is_owner = 1`, ms(tx.now), acc.ID); err != nil {
		return nil, fmt.Errorf("sqlite: former owner: %w", err)
	}
	roles := tenantdesk.PartnerOwnerRoles
	if !acc.IsPartner() {
		roles = tenantdesk.CustomerOwnerRoles()
	}
	added, _ := diffRoles(u.Roles, tenantdesk.SortedRoles(append(append([]string(nil), u.Roles...), roles...)))
	if err := tx.addRoles(ctx, u, added); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET is_owner = 1, updated_at = ? WHERE id = ?`, ms(tx.now), u.ID); err != nil {
		return nil, fmt.Errorf("sqlite: new owner: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: acc.ID, Action: auditOwnerTransfer, TargetType: "user",
		TargetID: tenantdesk.FormatUserID(u.ID), Before: auditJSON(map[string]any{"ownerUserId": formerOwner(formerID)}),
		After: auditJSON(map[string]any{"ownerUserId": tenantdesk.FormatUserID(u.ID), "email": u.Email, "addedRoles": added}), Licensed: anyLicensed(added)}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	return findUser(ctx, db.read, `WHERE u.id = ?`, u.ID)
}

// ChangeUserEmail changes the email of the user with email to newEmail on
// the platform operator's behalf (tenantdesk user email), for any user,
// the Owner included (R11). Like every email change, it ends the user's
// pending links, tells the old address, and sends an invited user a new
// activation link. Returns ENOTFOUND for an unknown user, EFORBIDDEN
// unless the actor is the operator, EINVALID for a bad address and
// EEmailTaken when another user has it.
func (db *DB) ChangeUserEmail(ctx context.Context, email, newEmail string) (*tenantdesk.User, error) {
	if a := tenantdesk.ActorFrom(ctx); a == nil || !a.Operator {
		return nil, tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "Only the platform operator changes another user's email.")
	}
	tx, err := db.beginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := findUser(ctx, tx, `WHERE u.email_norm = ?`, tenantdesk.NormalizeEmail(email))
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "No user has the email %s.", email)
	} else if err != nil {
		return nil, err
	}
	acc, err := tx.loadAccount(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	st, err := tx.accountState(ctx, acc)
	if err != nil {
		return nil, err
	}
	st.By = tenantdesk.ByOperator
	after := *u
	after.Email = strings.TrimSpace(newEmail)
	if err := tenantdesk.CheckUserChange(st, u, &after); err != nil {
		return nil, err
	}
	if tenantdesk.NormalizeEmail(after.Email) == tenantdesk.NormalizeEmail(u.Email) {
		return u, tx.Commit()
	}
	if err := tx.checkEmailFree(ctx, after.Email, u.ID); err != nil {
		return nil, err
	}
	after.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE users SET email = ?, email_norm = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
		after.Email, tenantdesk.NormalizeEmail(after.Email), ms(tx.now), u.ID, u.AccountID); err != nil {
		return nil, fmt.Errorf("sqlite: change email: %w", err)
	}
	if err := tx.audit(ctx, &tenantdesk.AuditEntry{AccountID: u.AccountID, Action: tenantdesk.AuditEmailChanged,
		TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID),
		Before: auditJSON(map[string]string{"email": u.Email}), After: auditJSON(map[string]string{"email": after.Email})}); err != nil {
		return nil, err
	}
	if err := tx.afterEmailChange(ctx, &after, u.Email); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: commit: %w", err)
	}
	db.notifyMail()
	return &after, nil
}

// formerOwner is the public ID of the account's former Owner for the audit
// entry, "" when it had none.
func formerOwner(id int64) string {
	if id == 0 {
		return ""
	}
	return tenantdesk.FormatUserID(id)
}
