package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// insertAudit writes e as it is, naming a target the caller did not name.
func (tx *Tx) insertAudit(ctx context.Context, e *tenantdesk.AuditEntry) error {
	e.CreatedAt = tx.now
	if e.TargetName == "" && e.TargetID != "" {
		name, err := tx.auditTargetName(ctx, e)
		if err != nil {
			return err
		}
		e.TargetName = name
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO audit_log
		(account_id, actor_user_id, actor_name, impersonator_user_id, impersonator_name,
		 actor_account_name, impersonation_mode, on_account_name,
		 action, target_type, target_id, target_name, who_norm, before_json, after_json, licensed, ip, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
		nullInt(e.AccountID), nullInt(e.ActorUserID), e.ActorName,
		nullInt(e.ImpersonatorUserID), e.ImpersonatorName,
		e.ActorAccountName, e.ImpersonationMode, e.OnAccountName,
		e.Action, e.TargetType, e.TargetID, e.TargetName, auditWhoNorm(e.ActorName, e.ImpersonatorName, e.ActorAccountName),
		e.Before, e.After, e.Licensed, e.IP, ms(e.CreatedAt)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	if tx.db.AuditLog != nil {
		tx.audited = append(tx.audited, e)
	}
	return nil
}

// logAudit writes each entry of a committed transaction to db.AuditLog as
// one line, level INFO, message "audit": which entry, when, what, in which
// account, by whom (a user's public ID, or the operator, or nobody signed
// in) and on what. Only identifiers: no names, no before/after (they hold
// emails and settings), no IP (the request log has it), and never secrets
// (entries hold none: counts and flags only). Entries of a rolled-back
// transaction are never logged: Update calls this after the commit.
func (db *DB) logAudit(ctx context.Context, entries []*tenantdesk.AuditEntry) {
	if db.AuditLog == nil {
		return
	}
	for _, e := range entries {
		attrs := []slog.Attr{
			slog.Int64("audit_id", e.ID),
			slog.String("at", e.CreatedAt.UTC().Format(time.RFC3339Nano)),
			slog.String("action", e.Action),
			slog.Int64("account_id", e.AccountID),
			slog.String("actor_kind", auditActorKind(e)),
		}
		if e.ActorUserID != 0 {
			attrs = append(attrs, slog.String("actor_id", tenantdesk.FormatUserID(e.ActorUserID)))
		}
		if e.ImpersonatorUserID != 0 {
			attrs = append(attrs, slog.String("impersonator_id", tenantdesk.FormatUserID(e.ImpersonatorUserID)))
		}
		if e.ImpersonationMode != "" {
			attrs = append(attrs, slog.String("mode", e.ImpersonationMode))
		}
		if e.TargetType != "" || e.TargetID != "" {
			attrs = append(attrs, slog.String("target_type", e.TargetType), slog.String("target_id", e.TargetID))
		}
		db.AuditLog.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
	}
}

// auditActorKind says who acted: a signed-in "user", the "operator" (the
// command line, no user), or "anonymous" (a failed sign-in, an emailed
// link used without a session).
func auditActorKind(e *tenantdesk.AuditEntry) string {
	switch {
	case e.ActorUserID != 0:
		return "user"
	case e.ActorName == tenantdesk.AuditOperatorName:
		return "operator"
	}
	return "anonymous"
}

// auditWhoNorm is what the Who filter searches: both names and the
// actor's account (the partner of an impersonating user), folded, one a
// line.
func auditWhoNorm(actor, impersonator, actorAccount string) string {
	return normalizeName(actor) + "\n" + normalizeName(impersonator) + "\n" + normalizeName(actorAccount)
}

// auditTargetName reads the current name of e's target inside tx, for
// entries whose caller did not name it: written with the change, it is the
// name as it was then. A target that is gone (or of a type without names)
// stays unnamed; callers auditing a delete name the target themselves.
func (tx *Tx) auditTargetName(ctx context.Context, e *tenantdesk.AuditEntry) (string, error) {
	var q string
	var arg any = e.TargetID
	var id int64
	ok := true
	switch e.TargetType {
	case "user":
		q = `SELECT display_name FROM users WHERE id = ?`
		id, ok = tenantdesk.ParseUserID(e.TargetID)
	case "device":
		q = `SELECT name FROM devices WHERE id = ?`
		id, ok = tenantdesk.ParseDeviceID(e.TargetID)
	case "token":
		q = `SELECT name FROM api_tokens WHERE id = ?`
		id, ok = tenantdesk.ParseAPITokenID(e.TargetID)
	case "account":
		q = `SELECT name FROM accounts WHERE tenant_id = ?`
	default:
		return "", nil
	}
	if !ok {
		return "", nil
	}
	if id != 0 {
		arg = id
	}
	var name string
	err := tx.QueryRowContext(ctx, q, arg).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("store: audit target name: %w", err)
	}
	return name, nil
}

// auditColumns are the audit_log columns scanAuditEntry reads, in its order.
const auditColumns = `id, account_id, COALESCE(actor_user_id, 0), actor_name,
		COALESCE(impersonator_user_id, 0), impersonator_name, actor_account_name, impersonation_mode, on_account_name, action, target_type, target_id, target_name,
		before_json, after_json, licensed, ip, created_at`

// ListAudit returns the newest entries of accountID first, at most limit.
func (db *DB) ListAudit(ctx context.Context, accountID int64, limit int) ([]*tenantdesk.AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+`
		FROM audit_log WHERE account_id = ? ORDER BY id DESC LIMIT ?`, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	var out []*tenantdesk.AuditEntry
	for rows.Next() {
		e, err := scanAuditEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// scanAuditEntry reads one audit_log row selected with auditColumns.
func scanAuditEntry(rows interface{ Scan(...any) error }) (*tenantdesk.AuditEntry, error) {
	e := &tenantdesk.AuditEntry{}
	var at int64
	if err := rows.Scan(&e.ID, &e.AccountID, &e.ActorUserID, &e.ActorName, &e.ImpersonatorUserID,
		&e.ImpersonatorName, &e.ActorAccountName, &e.ImpersonationMode, &e.OnAccountName, &e.Action, &e.TargetType, &e.TargetID, &e.TargetName, &e.Before, &e.After,
		&e.Licensed, &e.IP, &at); err != nil {
		return nil, fmt.Errorf("store: scan audit: %w", err)
	}
	e.CreatedAt = fromMS(at)
	return e, nil
}
