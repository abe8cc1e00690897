package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// checkPasswordFor applies the password policy (tenantdesk.CheckNewPassword)
// to a new password of userID, with the user's email and account name, for
// the flows still on the store: SetPassword (operator, demo), activation
// and reset links. (My profile's portal and FTP passwords are checked by
// internal/service.) Returns ENOTFOUND for an unknown user.
//
// It left profile_password.go with My profile's flows and goes once the
// sign-in and link flows have moved to internal/service too.
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
