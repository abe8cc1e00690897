package sqlstore

import (
	"context"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The general information of accounts as stored (tenantdesk.GeneralInfoTx);
// a partner's list of customers is in customer_console.go. The flows are
// internal/service's AccountInfo.

// SetGeneralInfo stores an account's general information. See tenantdesk.GeneralInfoTx.
func (tx *Tx) SetGeneralInfo(ctx context.Context, accountID int64, in tenantdesk.GeneralInfo) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET name = ?, reference = ?, description = ?,
		service_packages = ?, support_package = ?,
		personal_manager_name = ?, personal_manager_email = ?, personal_manager_phone = ?,
		technical_manager_name = ?, technical_manager_email = ?, technical_manager_phone = ?,
		updated_at = ? WHERE id = ?`,
		in.Name, in.Reference, in.Description, in.ServicePackages, in.SupportPackage,
		in.PersonalManagerName, in.PersonalManagerEmail, in.PersonalManagerPhone,
		in.TechnicalManagerName, in.TechnicalManagerEmail, in.TechnicalManagerPhone,
		ms(tx.now), accountID); err != nil {
		return fmt.Errorf("store: update account: %w", err)
	}
	return nil
}
