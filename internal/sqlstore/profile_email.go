package sqlstore

import (
	"context"
	"fmt"
)

// Changing one's email: the link (user_tokens, kind email_change) carries
// the new address in data.

// SetLinkData stores data on the user's unused links of kind. See tenantdesk.ProfileTx.
func (tx *Tx) SetLinkData(ctx context.Context, userID int64, kind, data string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE user_tokens SET data = ? WHERE user_id = ? AND kind = ? AND used_at IS NULL`,
		data, userID, kind); err != nil {
		return fmt.Errorf("store: store link data: %w", err)
	}
	return nil
}
