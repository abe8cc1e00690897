package tenantdesk

import (
	"context"
	"time"
)

// Audit actions recorded by the foundation; later areas add their own.
const (
	AuditSignIn        = "auth.signin"
	AuditSignInFailed  = "auth.signin_failed"
	AuditSignOut       = "auth.signout"
	AuditAccountCreate = "account.create"
	AuditUserCreate    = "user.create"
	AuditUserUpdate    = "user.update"
	AuditUserDelete    = "user.delete"
	AuditUserDisable   = "user.disable"
	AuditUserEnable    = "user.enable"
	// AuditUserSessionsEnded: a user admin or the operator signed a user
	// out everywhere, leaving the user enabled (ASVS 5.0 7.4.5).
	AuditUserSessionsEnded = "user.sessions_ended"
	AuditUserAutoRole      = "user.auto_role"
	AuditOwnerTransfer     = "account.owner_transfer"
	AuditPasswordSet       = "user.password_set"
)

// AuditOperatorName is the actor name stored for the platform operator
// (the command line): a stable value, translated where the log is shown.
const AuditOperatorName = "Platform operator"

// AuditEntry is one row of an account's audit log (R10).
type AuditEntry struct {
	ID        int64
	AccountID int64
	// ActorUserID is 0 for the platform operator (CLI) and for anonymous
	// actions such as a failed sign-in with an unknown email.
	ActorUserID int64
	ActorName   string
	// ImpersonatorUserID and ImpersonatorName are set when a partner user
	// acts on the customer's behalf.
	ImpersonatorUserID int64
	ImpersonatorName   string
	// ActorAccountName names the actor's account when it is not the log's
	// own: the partner of an impersonating user, the customer whose user
	// answered a request (in the partner's copy).
	ActorAccountName string
	// ImpersonationMode is set on every action taken while impersonating
	// ("support" or "configure").
	ImpersonationMode string
	// OnAccountName, in a partner's copy of an impersonated action, names
	// the customer it was taken in.
	OnAccountName string
	Action        string
	TargetType    string
	TargetID      string
	// TargetName names the target as it was when the entry was written
	// (a user's display name, a device's or token's name, an account's
	// name), so the entry still says whom it was about after a rename or
	// a delete.
	TargetName string
	Before     string // JSON, "" when not applicable
	After      string // JSON, "" when not applicable
	Licensed   bool   // a billable change
	IP         string
	CreatedAt  time.Time
}

// AuditService reads an account's audit log.
type AuditService interface {
	// ListAudit returns the newest entries of accountID first, at most limit.
	ListAudit(ctx context.Context, accountID int64, limit int) ([]*AuditEntry, error)
}
