package tenantdesk

import (
	"context"
	"time"
)

// Page sizes of the audit log.
const (
	AuditPageSize    = 50
	MaxAuditPageSize = 1000
)

// AuditActions lists the audit actions people can filter by, in the order
// the filter offers them. Actions not listed still show (by their key).
// Other areas' actions are spelled out here so this list does not depend on
// where they are declared.
var AuditActions = []string{
	AuditSignIn, AuditSignInFailed, AuditSignOut,
	AuditAccountCreate, AuditAccountUpdate,
	AuditUserCreate, "user.update", "user.auto_role", "user.disable", "user.enable", "user.delete", AuditUserSessionsEnded,
	"user.activation_sent", "user.activated", AuditPasswordSet, AuditUserImport,
	"user.password_reset_requested", "user.password_reset",
	// Two-factor authentication and the Security tab (twofactor.go, security.go).
	"auth.signin_password", "auth.2fa_failed", "user.2fa_enabled", "user.2fa_disabled",
	"user.2fa_recovery_regenerated", "user.2fa_reset", "account.security_update",
	// The Settings tab (settings.go).
	AuditSettingsUpdate,
	// My profile (profile.go).
	"user.profile_update", "user.preferences_update", "user.email_change_requested", "user.email_changed",
	"user.password_changed", "user.reauth_failed", "user.ftp_password_set", "ftp.auth", "ftp.auth_failed",
	"user.session_ended", "user.other_sessions_ended",
	// API tokens, customers and devices (api, devices.go).
	"token.create", "token.regenerate", "token.revoke", "customer.create", "customer.disable", "customer.enable", "user.uc_welcome_sent",
	"device.create", "device.update", "device.delete", "user.softphones",
	// The operator's command line.
	"account.owner_transfer",
	// Access requests and impersonation (access.go).
	"access.request", "access.grant", "access.deny", "access.revoke", "access.withdraw", "access.expiry_change",
	"access.impersonation_start", "access.impersonation_end",
}

// AuditFilter selects a page of an account's audit log, newest first.
type AuditFilter struct {
	// Action keeps only entries with this action key; "" keeps all.
	Action string
	// Actor keeps only entries whose actor or impersonator, named as they
	// were when the entry was written, has a name containing it,
	// case-insensitively (so deleted users are found too); "" keeps all.
	Actor string
	// Since and Until bound the entries' time: Since <= CreatedAt < Until.
	// Zero values leave that side open.
	Since, Until time.Time
	// LicensedOnly keeps only licensed (billable) changes.
	LicensedOnly bool
	// Before is the cursor: only entries with an ID below it (AuditPage.Next); 0 for the newest.
	Before int64
	// Limit is the page size, 1–1000; 0 means 50.
	Limit int
}

// AuditPage is one page of an audit log. Next is the cursor of the next
// (older) page, 0 on the last page.
type AuditPage struct {
	Entries []*AuditEntry
	Next    int64
}

// AuditQueryService reads an account's audit log with filters.
type AuditQueryService interface {
	// QueryAudit returns a page of the account's audit log, newest first.
	// Needs AccessUserAdmin: EFORBIDDEN for other members of the account,
	// ENOTFOUND for an account the actor may not see.
	QueryAudit(ctx context.Context, accountID int64, f AuditFilter) (*AuditPage, error)
}
