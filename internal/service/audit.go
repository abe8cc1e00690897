package service

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// operatorName names the platform operator (the command line) in the log.
const operatorName = tenantdesk.AuditOperatorName

// audit writes e in tx (R10) with the actor of ctx: who acted and from
// which IP, unless e names them. Partner staff acting in a customer are
// named with their account; when they act through a grant (an
// impersonation, or the API with a live grant) the entry also says the
// mode, and a copy goes to their partner's log naming the customer
// (SPEC §4: both accounts, both identities).
func audit(ctx context.Context, tx tenantdesk.StoreTx, e *tenantdesk.AuditEntry) error {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil || a.User == nil || a.Account == nil || e.AccountID == 0 || e.AccountID == a.User.AccountID ||
		(e.ActorUserID != 0 && e.ActorUserID != a.User.ID) {
		return writeAudit(ctx, tx, e)
	}
	if e.ActorAccountName == "" {
		e.ActorAccountName = a.Account.Name
	}
	onAccount := ""
	if imp := a.Impersonation; imp != nil && imp.Account != nil && imp.Account.ID == e.AccountID {
		e.ImpersonationMode, onAccount = string(imp.Mode), imp.Account.Name
	} else {
		for _, g := range a.Grants {
			if g.AccountID == e.AccountID {
				modes := make([]string, 0, len(g.Modes))
				for _, m := range g.Modes {
					modes = append(modes, string(m))
				}
				e.ImpersonationMode, onAccount = strings.Join(modes, "+"), g.AccountName
			}
		}
	}
	if err := writeAudit(ctx, tx, e); err != nil || e.ImpersonationMode == "" {
		return err
	}
	cp := *e
	cp.ID, cp.AccountID, cp.ActorAccountName, cp.OnAccountName, cp.Licensed = 0, a.User.AccountID, "", onAccount, false
	return writeAudit(ctx, tx, &cp)
}

// writeAudit writes e as it is, with the actor of ctx and its IP unless e
// names them (the platform operator when there is no user).
func writeAudit(ctx context.Context, tx tenantdesk.StoreTx, e *tenantdesk.AuditEntry) error {
	if a := tenantdesk.ActorFrom(ctx); a != nil {
		if e.ActorUserID == 0 && a.User != nil {
			e.ActorUserID, e.ActorName = a.User.ID, a.User.DisplayName
		}
		if e.IP == "" {
			e.IP = a.IP
		}
	}
	if e.ActorUserID == 0 && e.ActorName == "" {
		e.ActorName = operatorName
	}
	return tx.InsertAudit(ctx, e)
}

// auditJSON encodes v for an entry's before/after.
func auditJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// anyLicensed reports whether a change of roles is billable.
func anyLicensed(roles []string) bool {
	for _, r := range roles {
		if role := tenantdesk.LookupRole(r); role != nil && role.Licensed {
			return true
		}
	}
	return false
}

// failReason says why a check of a secret failed, as its audit entry
// records it ("reason" in the entry's after). One type, so that a typo is
// a compile error rather than a new reason nobody filters on.
type failReason string

// The reasons a password, code or login check fails.
const (
	reasonThrottled       failReason = "throttled"
	reasonWrongPassword   failReason = "wrong_password"
	reasonUnknownEmail    failReason = "unknown_email"
	reasonUnknownUser     failReason = "unknown_user"
	reasonNoPassword      failReason = "no_password"
	reasonNoFTPPassword   failReason = "no_ftp_password"
	reasonDisabled        failReason = "disabled"
	reasonUserDisabled    failReason = "user_disabled"
	reasonNoWebsiteAccess failReason = "no_website_access"
	reasonWrongCode       failReason = "wrong_code"
	reasonReplayedCode    failReason = "replayed_code"
	reasonWrongRecovery   failReason = "wrong_recovery_code" // wrong, or used already
)
