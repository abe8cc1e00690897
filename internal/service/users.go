package service

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Users manages the users of an account (tenantdesk.AccountUserService):
// the Users tab and the API. Every change to a user, here and in the other
// services (onboarding, the operator, My profile's email change), goes
// through write, which checks the one rule function and audits.
type Users struct {
	d *Deps
}

var _ tenantdesk.AccountUserService = (*Users)(nil)

// NewUsers returns the users service.
func NewUsers(d *Deps) (*Users, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Users{d: d}, nil
}

// readAccount returns the account for a read-only call: the actor's own
// account as loaded for this request when it is the one asked for (read
// moments ago, in the same request), else a fresh read. A failed read is
// returned as it is: only a missing account is ENOTFOUND.
func readAccount(ctx context.Context, s tenantdesk.StoreReads, accountID int64) (*tenantdesk.Account, error) {
	if a := tenantdesk.ActorFrom(ctx); a != nil && a.Account != nil && a.Account.ID == accountID {
		return a.Account, nil
	}
	return s.FindAccountByID(ctx, accountID)
}

// authorized reads accountID (in tx when given) and checks that the actor
// of ctx has level on it: ENOTFOUND when the account is not theirs to see
// (or does not exist), EFORBIDDEN when the level is too low.
func authorized(ctx context.Context, r tenantdesk.AccountReads, accountID int64, level tenantdesk.AccessLevel) (*tenantdesk.Account, error) {
	acc, err := r.FindAccountByID(ctx, accountID)
	return checkAccess(ctx, acc, err, level)
}

// readAuthorized is authorized for a read-only call: the account as
// readAccount has it (the request's own account when it is the one asked for).
func readAuthorized(ctx context.Context, s tenantdesk.StoreReads, accountID int64, level tenantdesk.AccessLevel) (*tenantdesk.Account, error) {
	acc, err := readAccount(ctx, s, accountID)
	return checkAccess(ctx, acc, err, level)
}

// checkAccess turns the read of an account into the answer of authorized:
// a missing account is ENOTFOUND like one the actor may not see, any other
// failed read stays what it is (never a 404), and the actor's level decides.
func checkAccess(ctx context.Context, acc *tenantdesk.Account, err error, level tenantdesk.AccessLevel) (*tenantdesk.Account, error) {
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Not found.")
	} else if err != nil {
		return nil, err
	}
	if err := tenantdesk.Authorize(tenantdesk.ActorFrom(ctx), acc, level); err != nil {
		return nil, err
	}
	return acc, nil
}

// ListUsers returns a page of the account's users. See tenantdesk.AccountUserService.
func (s *Users) ListUsers(ctx context.Context, accountID int64, f tenantdesk.UserFilter) (*tenantdesk.UserPage, error) {
	acc, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessUserAdmin)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = tenantdesk.DefaultPageSize
	} else if f.Limit > tenantdesk.MaxPageSize {
		f.Limit = tenantdesk.MaxPageSize
	}
	if f.Status != "" && !slices.Contains(tenantdesk.UserStatuses, f.Status) {
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "users.error.status", Message: "Unknown status.",
			Fields: []tenantdesk.FieldError{{Field: "status", Key: "users.error.status", Message: "Unknown status."}}}
	}
	page, err := s.d.Store.UserPage(ctx, acc, f)
	if err != nil || f.After != "" || f.Status != "" || acc.Kind != tenantdesk.AccountCustomer {
		return page, err
	}
	parents, err := s.d.Store.ParentUsers(ctx, acc.ID, s.d.now())
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	for _, p := range parents {
		if !listedParent(p) {
			continue
		}
		if matchesUserQuery(q, p.DisplayName, p.Email) {
			page.Parents = append(page.Parents, p)
		}
	}
	return page, nil
}

// listedParent tells whether a partner user with a live grant is listed
// in the customer's users: only while still partner staff (without a
// partner role they cannot enter, so are not shown).
func listedParent(p *tenantdesk.ParentUser) bool {
	return p.HasRole(tenantdesk.RolePartnerUser) || p.HasRole(tenantdesk.RolePartnerAdmin)
}

// GetParentUser returns one partner staff member the customer's user list
// shows (isParent), to whoever may read that list: the ID a client found in
// the list reads as that entry, not as "not found". See
// tenantdesk.AccountUserService.
func (s *Users) GetParentUser(ctx context.Context, accountID, userID int64) (*tenantdesk.ParentUser, error) {
	acc, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessUserAdmin)
	if err != nil {
		return nil, err
	}
	if acc.Kind == tenantdesk.AccountCustomer {
		parents, err := s.d.Store.ParentUsers(ctx, acc.ID, s.d.now())
		if err != nil {
			return nil, err
		}
		for _, p := range parents {
			if p.ID == userID && listedParent(p) {
				return p, nil
			}
		}
	}
	return nil, tenantdesk.Errorf(tenantdesk.ENOTFOUND, "User not found.")
}

// matchesUserQuery tells whether a user of this name and email is found by
// the lower-cased, trimmed query q as the store's UserPage finds users: ""
// finds everyone, one or two characters the start of the name or email,
// more any part of either.
func matchesUserQuery(q, name, email string) bool {
	if q == "" {
		return true
	}
	name, email = strings.ToLower(strings.TrimSpace(name)), tenantdesk.NormalizeEmail(email)
	if utf8.RuneCountInString(q) < 3 {
		return strings.HasPrefix(name, q) || strings.HasPrefix(email, q)
	}
	return strings.Contains(name, q) || strings.Contains(email, q)
}

// GetUser returns one user of the account. See tenantdesk.AccountUserService.
func (s *Users) GetUser(ctx context.Context, accountID, userID int64) (*tenantdesk.User, error) {
	if _, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessUserAdmin); err != nil {
		return nil, err
	}
	return s.d.Store.FindAccountUser(ctx, accountID, userID)
}

// GetUserActions returns one user of the account with the rule, if any,
// that keeps disabling or deleting them from succeeding now, checked by
// the same rule function the actions run. See tenantdesk.AccountUserService.
func (s *Users) GetUserActions(ctx context.Context, accountID, userID int64) (*tenantdesk.UserActions, error) {
	acc, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessUserAdmin)
	if err != nil {
		return nil, err
	}
	u, err := s.d.Store.FindAccountUser(ctx, accountID, userID)
	if err != nil {
		return nil, err
	}
	st, err := s.d.Store.AccountState(ctx, acc)
	if err != nil {
		return nil, err
	}
	out := &tenantdesk.UserActions{User: u}
	if u.Status != tenantdesk.UserDisabled {
		after := copyUser(u)
		after.Status = tenantdesk.UserDisabled
		out.Disable = tenantdesk.CheckUserChange(st, u, after)
	}
	out.Delete = tenantdesk.CheckUserChange(st, u, nil)
	out.SignOut = signOutRefusal(ctx, u)
	return out, nil
}

// signOutRefusal is why the actor of ctx may not sign u out everywhere
// (EndUserSessions), nil when they may: not themselves (My profile ›
// Active sessions is for that, and keeps the session in use), and not the
// Owner, whom no one else disables either (R5): the Owner ends their own
// sessions, and the operator's command line can end anyone's.
func signOutRefusal(ctx context.Context, u *tenantdesk.User) error {
	a := tenantdesk.ActorFrom(ctx)
	switch {
	case a != nil && a.Operator:
		return nil
	case a != nil && a.User != nil && a.User.ID == u.ID:
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Key: "users.sessions.error.self",
			Message: "To sign yourself out of your other sessions, use My profile › Active sessions."}
	case u.IsOwner:
		return &tenantdesk.Error{Code: tenantdesk.EOwnerImmutable, Key: "users.sessions.error.owner",
			Args:    map[string]any{"Name": u.DisplayName},
			Message: u.DisplayName + " is the account's Owner: only they end their sessions, on My profile › Active sessions."}
	}
	return nil
}

// EndUserSessions signs a user out everywhere and leaves them enabled,
// audited as user.sessions_ended with how many sessions ended (ASVS 5.0
// 7.4.5). Authorized as a change of the user is (managedUser: ENOTFOUND for
// another account's user, EFORBIDDEN without user management rights, so
// partner staff only in support mode); signOutRefusal's errors for the
// Owner and oneself. See tenantdesk.AccountUserService.
func (s *Users) EndUserSessions(ctx context.Context, accountID, userID int64) (int, error) {
	var n int
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, u, err := managedUser(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		if err := signOutRefusal(ctx, u); err != nil {
			return err
		}
		if n, err = tx.EndOtherSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: acc.ID, Action: tenantdesk.AuditUserSessionsEnded,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(u.ID), TargetName: u.DisplayName,
			After: auditJSON(map[string]int{"sessionsEnded": n})})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// CountLicences counts the holders of every licensed role. See tenantdesk.AccountUserService.
func (s *Users) CountLicences(ctx context.Context, accountID int64) ([]tenantdesk.LicenceCount, error) {
	if _, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessUserAdmin); err != nil {
		return nil, err
	}
	return s.d.Store.LicenceCounts(ctx, accountID)
}

// InviteUser creates a user: invited, with an activation email when they
// may sign in. See tenantdesk.AccountUserService.
func (s *Users) InviteUser(ctx context.Context, accountID int64, in tenantdesk.NewUser) (*tenantdesk.UserChange, error) {
	var change *tenantdesk.UserChange
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := authorized(ctx, tx, accountID, tenantdesk.AccessUserAdmin)
		if err != nil {
			return err
		}
		u := &tenantdesk.User{DisplayName: in.DisplayName, Email: in.Email, Roles: in.Roles, Status: tenantdesk.UserInvited}
		if change, err = s.d.writeUser(ctx, tx, userWrite{acc: acc, after: u}); err != nil {
			return err
		}
		if u.CanSignIn() {
			return s.d.queueActivation(ctx, tx, u)
		}
		return nil
	})
	return change, err
}

// UpdateUser changes name, email or roles (the whole set, or roles added
// and removed: tenantdesk.PatchRoles, in the same transaction). See
// tenantdesk.AccountUserService.
func (s *Users) UpdateUser(ctx context.Context, accountID, userID int64, p tenantdesk.UserPatch) (*tenantdesk.UserChange, error) {
	var change *tenantdesk.UserChange
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, before, err := managedUser(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		after := copyUser(before)
		if p.DisplayName != nil {
			after.DisplayName = *p.DisplayName
		}
		if p.Email != nil {
			after.Email = *p.Email
		}
		// Roles, or addRoles/removeRoles applied to the roles as stored in
		// this transaction (no read-modify-write race between callers).
		if after.Roles, err = tenantdesk.PatchRoles(before.Roles, p); err != nil {
			return err
		}
		change, err = s.d.writeUser(ctx, tx, userWrite{acc: acc, before: before, after: after})
		return err
	})
	return change, err
}

// SetUserDisabled disables (ending the user's sessions) or enables a user.
// See tenantdesk.AccountUserService.
func (s *Users) SetUserDisabled(ctx context.Context, accountID, userID int64, disabled bool) (*tenantdesk.User, error) {
	var out *tenantdesk.User
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, before, err := managedUser(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		after := copyUser(before)
		if disabled {
			after.Status = tenantdesk.UserDisabled
		} else if before.Status == tenantdesk.UserDisabled {
			// Back to where they were: active if they ever set a password.
			has, err := tx.HasPassword(ctx, userID)
			if err != nil {
				return err
			}
			after.Status = tenantdesk.UserInvited
			if has {
				after.Status = tenantdesk.UserActive
			}
		}
		if after.Status == before.Status {
			out = before
			return nil
		}
		ch, err := s.d.writeUser(ctx, tx, userWrite{acc: acc, before: before, after: after})
		if err == nil {
			out = ch.User
		}
		return err
	})
	return out, err
}

// DeleteUser deletes a user. See tenantdesk.AccountUserService.
func (s *Users) DeleteUser(ctx context.Context, accountID, userID int64) error {
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, before, err := managedUser(ctx, tx, accountID, userID)
		if err != nil {
			return err
		}
		_, err = s.d.writeUser(ctx, tx, userWrite{acc: acc, before: before})
		return err
	})
}

// SendActivationEmail queues a new activation link for an invited user.
// See tenantdesk.AccountUserService; EUserNotInvited for a user who has
// activated (or is disabled), ENoWebsiteAccess for one who may not sign in.
func (s *Users) SendActivationEmail(ctx context.Context, accountID, userID int64) error {
	return s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if _, err := authorized(ctx, tx, accountID, tenantdesk.AccessUserAdmin); err != nil {
			return err
		}
		u, err := tx.FindAccountUser(ctx, accountID, userID)
		if err != nil {
			return err
		}
		if u.Status == tenantdesk.UserInvited && !u.CanSignIn() {
			return &tenantdesk.Error{Code: tenantdesk.ENoWebsiteAccess, Key: "user.error.no_website_access",
				Message: "This user has no website access, so there is nothing to activate."}
		}
		return s.d.queueActivation(ctx, tx, u)
	})
}

// managedUser reads, in tx, the account and one of its users that the
// actor of ctx manages: ENOTFOUND for an account they may not see or a
// user not in it, EFORBIDDEN without user management rights.
func managedUser(ctx context.Context, tx tenantdesk.StoreTx, accountID, userID int64) (*tenantdesk.Account, *tenantdesk.User, error) {
	acc, err := authorized(ctx, tx, accountID, tenantdesk.AccessUserAdmin)
	if err != nil {
		return nil, nil, err
	}
	u, err := tx.FindAccountUser(ctx, accountID, userID)
	if err != nil {
		return nil, nil, err
	}
	return acc, u, nil
}

// ---- the one write path of users ----

// userWrite is one change to one user: a create (before nil), a delete
// (after nil) or an update.
type userWrite struct {
	acc           *tenantdesk.Account
	before, after *tenantdesk.User
	// by is the path the change comes through (R11); ByAdmin unless said.
	by tenantdesk.ChangeBy
	// audit, when set, is written instead of the entry derived from the
	// change (its account, target and licensed flag are filled in).
	audit *tenantdesk.AuditEntry
	// followsAccountChange marks a change that follows from an account-wide
	// one the actor may make (the essential-user variant's conversion,
	// settings.go), not a change of this user they chose: partner staff
	// may then change the Owner's essential-user role too.
	followsAccountChange bool
}

// writeUser is the one way a user is created, changed or deleted, on every
// path: it checks the rule function (CheckUserChange) against the
// account's state in tx, that the email is free across all accounts,
// stores the change, writes its audit entry (R10) and does what follows
// from it in the same transaction: the real-time roll-out (R7), ending the
// sessions of a user who can no longer sign in, releasing softphones whose
// role went, and, when the email changed, ending pending links, telling
// the old address and re-sending an invited user's activation link (R11).
// Callers authorize first.
func (d *Deps) writeUser(ctx context.Context, tx tenantdesk.StoreTx, w userWrite) (*tenantdesk.UserChange, error) {
	before, after := w.before, w.after
	if after != nil {
		after.AccountID, after.TenantID = w.acc.ID, w.acc.TenantID
		after.DisplayName, after.Email = strings.TrimSpace(after.DisplayName), strings.TrimSpace(after.Email)
		after.Roles = tenantdesk.SortedRoles(after.Roles)
		if after.Status == "" {
			after.Status = tenantdesk.UserInvited
		}
		if before == nil { // a new user starts with the account's defaults (Settings tab)
			if after.Language == "" {
				after.Language = w.acc.Settings.DefaultLanguage
			}
			if after.TimeZone == "" {
				after.TimeZone = w.acc.Settings.DefaultTimeZone
			}
		}
	}
	st, err := tx.AccountState(ctx, w.acc)
	if err != nil {
		return nil, err
	}
	st.By = w.by
	if err := tenantdesk.CheckUserChange(st, before, after); err != nil {
		return nil, err
	}
	if before != nil && before.IsOwner && partnerActor(ctx, w.acc) && !w.followsAccountChange {
		return nil, errOwnerPartner()
	}
	emailChanged := after != nil && (before == nil || tenantdesk.NormalizeEmail(after.Email) != tenantdesk.NormalizeEmail(before.Email))
	if emailChanged {
		id, err := tx.EmailUserID(ctx, after.Email)
		if err != nil {
			return nil, err
		}
		if id != 0 && (before == nil || id != before.ID) {
			return nil, d.emailTaken(ctx, tx, w, id)
		}
	}

	var added, removed []string
	switch {
	case before == nil:
		if err := tx.InsertUser(ctx, after); err != nil {
			return nil, err
		}
		added = after.Roles
	case after == nil:
		if err := tx.DeleteUser(ctx, w.acc.ID, before.ID); err != nil {
			return nil, err
		}
		removed = before.Roles
	default:
		if err := tx.UpdateUser(ctx, after); err != nil {
			return nil, err
		}
		added, removed = diffRoles(before.Roles, after.Roles)
		if err := tx.ChangeRoles(ctx, w.acc.ID, before.ID, added, removed); err != nil {
			return nil, err
		}
	}
	if err := auditUserWrite(ctx, tx, w, added, removed); err != nil {
		return nil, err
	}
	if after == nil {
		return nil, nil
	}
	change := &tenantdesk.UserChange{User: after}
	if before != nil {
		if err := d.afterUserUpdate(ctx, tx, before, after, removed, emailChanged); err != nil {
			return nil, err
		}
	}
	if tenantdesk.NeedsRealtimeRollout(st, after) {
		if change.AutoAssigned, err = rolloutRealtime(ctx, tx, w.acc); err != nil {
			return nil, err
		}
		for _, a := range change.AutoAssigned {
			if a.UserID == after.ID {
				after.Roles = tenantdesk.SortedRoles(append(after.Roles, a.Role))
			}
		}
	}
	return change, nil
}

// afterUserUpdate does what follows from an update, in tx.
func (d *Deps) afterUserUpdate(ctx context.Context, tx tenantdesk.StoreTx, before, after *tenantdesk.User, removed []string, emailChanged bool) error {
	if (before.CanSignIn() && !after.CanSignIn()) || (before.Status != tenantdesk.UserDisabled && after.Status == tenantdesk.UserDisabled) {
		// Website access removed or the user disabled: signed out everywhere
		// at once, not at the idle timeout (their API tokens are refused too).
		if err := tx.EndUserSessions(ctx, before.ID); err != nil {
			return err
		}
	}
	if slices.Contains(removed, tenantdesk.RoleSoftphone) {
		released, err := tx.ReleaseSoftphones(ctx, after.AccountID, after.ID)
		if err != nil {
			return err
		}
		if len(released) > 0 {
			a := softphoneAudit(nil)
			a["reason"] = "role customer.user.uc.softphone removed"
			if err := audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: after.AccountID, Action: tenantdesk.AuditUserSoftphone,
				TargetType: "user", TargetID: tenantdesk.FormatUserID(after.ID), TargetName: after.DisplayName,
				Before: auditJSON(softphoneAudit(released)), After: auditJSON(a)}); err != nil {
				return err
			}
		}
	}
	if emailChanged {
		return d.afterEmailChange(ctx, tx, after, before.Email)
	}
	return nil
}

// partnerActor reports whether the actor of ctx is partner staff working in
// customer acc (impersonating, through a grant, or legacy access).
func partnerActor(ctx context.Context, acc *tenantdesk.Account) bool {
	a := tenantdesk.ActorFrom(ctx)
	return a != nil && !a.Operator && a.User != nil && a.User.AccountID != acc.ID
}

// errOwnerPartner: partner staff never change a customer's Owner (SPEC §4).
func errOwnerPartner() error {
	msg := "Partner staff cannot change the account Owner."
	return &tenantdesk.Error{Code: tenantdesk.EOwnerImmutable, Key: "access.error.owner", Message: msg}
}

// afterEmailChange does, in tx, what every change of a user's email does
// whoever makes it (R11): the user's pending links (activation, password
// reset, email change) stop working, since they were sent to the old
// address or asked for another one; the old address is told; and an
// invited user who may sign in gets a new activation link at the new one.
func (d *Deps) afterEmailChange(ctx context.Context, tx tenantdesk.StoreTx, u *tenantdesk.User, oldEmail string) error {
	if err := tx.EndPendingLinks(ctx, u.ID); err != nil {
		return err
	}
	if err := d.queueMail(ctx, tx, u, oldEmail, tenantdesk.MailEmailChanged,
		tenantdesk.MailData{Link: d.url("/signin"), At: tx.Now(), Email: u.Email}); err != nil {
		return err
	}
	if u.Status == tenantdesk.UserInvited && u.CanSignIn() {
		return d.queueActivation(ctx, tx, u)
	}
	return nil
}

// auditUserWrite writes the entry of a user write: w.audit when given,
// else user.create, user.delete, user.disable / user.enable for a status
// change, or user.update with what changed (nothing changed: no entry).
func auditUserWrite(ctx context.Context, tx tenantdesk.StoreTx, w userWrite, added, removed []string) error {
	before, after := w.before, w.after
	e := w.audit
	subject := after
	if subject == nil {
		subject = before
	}
	if e == nil {
		e = &tenantdesk.AuditEntry{}
		switch {
		case before == nil:
			e.Action = tenantdesk.AuditUserCreate
			e.After = auditJSON(map[string]any{"displayName": after.DisplayName, "email": after.Email, "roles": after.Roles,
				"owner": after.IsOwner, "status": after.Status})
			e.Licensed = anyLicensed(after.Roles)
		case after == nil:
			e.Action = tenantdesk.AuditUserDelete
			e.Before = auditJSON(map[string]any{"displayName": before.DisplayName, "email": before.Email, "roles": before.Roles,
				"status": before.Status})
			e.Licensed = anyLicensed(before.Roles)
		case before.Status != after.Status && (before.Status == tenantdesk.UserDisabled || after.Status == tenantdesk.UserDisabled):
			e.Action = tenantdesk.AuditUserEnable
			if after.Status == tenantdesk.UserDisabled {
				e.Action = tenantdesk.AuditUserDisable
			}
			e.Before = auditJSON(map[string]any{"status": before.Status})
			e.After = auditJSON(map[string]any{"status": after.Status})
			e.Licensed = anyLicensed(before.Roles)
		default:
			b, a := map[string]any{}, map[string]any{}
			if after.DisplayName != before.DisplayName {
				b["displayName"], a["displayName"] = before.DisplayName, after.DisplayName
			}
			if after.Email != before.Email {
				b["email"], a["email"] = before.Email, after.Email
			}
			if len(added) > 0 || len(removed) > 0 {
				b["roles"], a["roles"] = before.Roles, after.Roles
			}
			if len(a) == 0 {
				return nil
			}
			e.Action, e.Before, e.After = tenantdesk.AuditUserUpdate, auditJSON(b), auditJSON(a)
			e.Licensed = anyLicensed(added) || anyLicensed(removed)
		}
	}
	e.AccountID, e.TargetType, e.TargetID, e.TargetName = w.acc.ID, "user", tenantdesk.FormatUserID(subject.ID), subject.DisplayName
	return audit(ctx, tx, e)
}

// rolloutRealtime gives customer.user.pbx.realtime to every holder of the
// account's essential-user role (customer.user.pbx, or
// customer.user.uc.essential in the UK variant) who lacks it (R7),
// auditing each as a licensed change, and returns who received it.
func rolloutRealtime(ctx context.Context, tx tenantdesk.StoreTx, acc *tenantdesk.Account) ([]tenantdesk.AutoAssignment, error) {
	accountID := acc.ID
	out, err := tx.UsersMissingRole(ctx, accountID, acc.Settings.EssentialRole(), tenantdesk.RolePBXRealtime)
	if err != nil {
		return nil, err
	}
	for _, a := range out {
		if err := tx.ChangeRoles(ctx, accountID, a.UserID, []string{a.Role}, nil); err != nil {
			return nil, err
		}
		if err := audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: accountID, Action: tenantdesk.AuditUserAutoRole,
			TargetType: "user", TargetID: tenantdesk.FormatUserID(a.UserID), TargetName: a.DisplayName,
			After:    auditJSON(map[string]any{"added": []string{a.Role}, "reason": "first supervisorl3 or higher in the account"}),
			Licensed: true}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// emailTaken is the email_taken error of a write to w.acc, naming the user
// who has the email (ExistingUserID) when they are in w.acc and the change
// is an admin's or the operator's, who manage that account's users: the
// client can then PATCH them (SPEC §5). A user of any other account is
// never named.
func (d *Deps) emailTaken(ctx context.Context, tx tenantdesk.StoreTx, w userWrite, existingID int64) error {
	e := errEmailTaken()
	if w.by == tenantdesk.BySelf {
		return e
	}
	switch _, err := tx.FindAccountUser(ctx, w.acc.ID, existingID); {
	case err == nil:
		e.ExistingUserID = existingID
	case tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND:
		return err
	}
	return e
}

func errEmailTaken() *tenantdesk.Error {
	msg := "A user with this email already exists."
	return &tenantdesk.Error{Code: tenantdesk.EEmailTaken, Message: msg, Key: "user.error.email_taken",
		Fields: []tenantdesk.FieldError{{Field: "email", Message: msg, Key: "user.error.email_taken"}}}
}

// diffRoles returns the roles in after but not before, and the reverse.
func diffRoles(before, after []string) (added, removed []string) {
	for _, r := range after {
		if !slices.Contains(before, r) {
			added = append(added, r)
		}
	}
	for _, r := range before {
		if !slices.Contains(after, r) {
			removed = append(removed, r)
		}
	}
	return added, removed
}

// copyUser returns a copy whose roles can change without touching u's.
func copyUser(u *tenantdesk.User) *tenantdesk.User {
	c := *u
	c.Roles = append([]string(nil), u.Roles...)
	return &c
}

// softphoneAudit is how a user's set of softphones appears in the log.
func softphoneAudit(devices []*tenantdesk.Device) map[string]any {
	ids, names := []string{}, []string{}
	for _, d := range devices {
		ids = append(ids, tenantdesk.FormatDeviceID(d.ID))
		names = append(names, d.Name)
	}
	return map[string]any{"softphoneIds": ids, "softphones": names}
}
