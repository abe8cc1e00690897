package service

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/auth"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Profile is My profile (tenantdesk.ProfileService): what a signed-in user
// changes about themselves, always the actor's own user. Passwords in
// profile_password.go, the email change in profile_email.go, sessions in
// profile_sessions.go.
type Profile struct {
	d *Deps
}

var _ tenantdesk.ProfileService = (*Profile)(nil)

// NewProfile returns the profile service; d needs a Hasher.
func NewProfile(d *Deps) (*Profile, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Hasher == nil {
		return nil, errNoHasher
	}
	return &Profile{d: d}, nil
}

// profileActor returns the signed-in actor of ctx, or EUNAUTHORIZED: My
// profile is always the actor's own.
func profileActor(ctx context.Context) (*tenantdesk.Actor, error) {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil || a.User == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	return a, nil
}

// me re-reads the actor's user through r (a transaction or the store's
// reads): EUNAUTHORIZED without one, ENOTFOUND when it is gone.
func me(ctx context.Context, r tenantdesk.UserReads) (*tenantdesk.Actor, *tenantdesk.User, error) {
	a, err := profileActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, err := r.FindUserByID(ctx, a.User.ID)
	if err != nil {
		return nil, nil, err
	}
	return a, u, nil
}

// writeSelf stores next, the actor's user u with profile fields changed,
// through the one user write path as the user themselves (BySelf),
// audited as e instead of user.update. The fields were checked by their
// own validation first (ValidatePersonalData, ValidatePreferences; the
// display name rule is in both); the rule function then sees the user's
// roles, status and email unchanged.
func (s *Profile) writeSelf(ctx context.Context, tx tenantdesk.StoreTx, u, next *tenantdesk.User, e *tenantdesk.AuditEntry) (*tenantdesk.User, error) {
	acc, err := tx.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	ch, err := s.d.writeUser(ctx, tx, userWrite{acc: acc, before: u, after: next, by: tenantdesk.BySelf, audit: e})
	if err != nil {
		return nil, err
	}
	return ch.User, nil
}

// UpdatePersonalData changes the actor's display name (R8), phone and job
// title, audited as user.profile_update with what changed (nothing
// changed: no write). Returns EINVALID with field errors, EUNAUTHORIZED
// without a signed-in user.
func (s *Profile) UpdatePersonalData(ctx context.Context, in tenantdesk.PersonalData) (*tenantdesk.User, error) {
	in, verr := tenantdesk.ValidatePersonalData(in)
	if verr != nil {
		return nil, verr
	}
	var out *tenantdesk.User
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		_, u, err := me(ctx, tx)
		if err != nil {
			return err
		}
		before, after := map[string]any{}, map[string]any{}
		for _, f := range []struct {
			name     string
			old, new string
		}{{"displayName", u.DisplayName, in.DisplayName}, {"phone", u.Phone, in.Phone}, {"jobTitle", u.JobTitle, in.JobTitle}} {
			if f.old != f.new {
				before[f.name], after[f.name] = f.old, f.new
			}
		}
		if len(after) == 0 {
			out = u
			return nil
		}
		next := copyUser(u)
		next.DisplayName, next.Phone, next.JobTitle = in.DisplayName, in.Phone, in.JobTitle
		out, err = s.writeSelf(ctx, tx, u, next, &tenantdesk.AuditEntry{Action: tenantdesk.AuditProfileUpdate,
			Before: auditJSON(before), After: auditJSON(after)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// managerRoles are the roles that, held together by an enabled user, make
// them a user admin who can change others' roles (R9), besides the Owner.
var managerRoles = []string{tenantdesk.RoleUserAdmin, tenantdesk.RoleCustomerUser}

// maxManagers bounds the My rights tab's list of managers.
const maxManagers = 200

// MyRights returns the actor's roles and who else in their account can
// change them: the Owner and the enabled user admins, Owner first, then by
// name; nobody for the Owner, whose permissions nobody can reduce (R5).
// Returns EUNAUTHORIZED without a signed-in user, and the error of
// tenantdesk.Authorize when the actor is not a member of their user's
// account.
func (s *Profile) MyRights(ctx context.Context) (*tenantdesk.Rights, error) {
	a, u, err := me(ctx, s.d.Store)
	if err != nil {
		return nil, err
	}
	acc, err := s.d.Store.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	if err := tenantdesk.Authorize(a, acc, tenantdesk.AccessMember); err != nil {
		return nil, err
	}
	r := &tenantdesk.Rights{User: u, ManagesUsers: tenantdesk.IsUserAdmin(u)}
	if u.IsOwner {
		return r, nil
	}
	managers, err := s.d.Store.ListManagers(ctx, u.AccountID, managerRoles, maxManagers+1)
	if err != nil {
		return nil, err
	}
	for _, m := range managers {
		if m.UserID != u.ID && len(r.Managers) < maxManagers {
			r.Managers = append(r.Managers, m)
		}
	}
	return r, nil
}

// SetPreferences changes the actor's interface language and time zone,
// audited as user.preferences_update (nothing changed: no write). Returns
// EINVALID for an unknown time zone or a malformed language tag,
// EUNAUTHORIZED without a signed-in user.
func (s *Profile) SetPreferences(ctx context.Context, p tenantdesk.Preferences) (*tenantdesk.User, error) {
	if err := tenantdesk.ValidatePreferences(p); err != nil {
		return nil, err
	}
	var out *tenantdesk.User
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		_, u, err := me(ctx, tx)
		if err != nil {
			return err
		}
		if u.Language == p.Language && u.TimeZone == p.TimeZone {
			out = u
			return nil
		}
		next := copyUser(u)
		next.Language, next.TimeZone = p.Language, p.TimeZone
		out, err = s.writeSelf(ctx, tx, u, next, &tenantdesk.AuditEntry{Action: tenantdesk.AuditPreferencesUpdate,
			Before: auditJSON(map[string]string{"language": u.Language, "timeZone": u.TimeZone}),
			After:  auditJSON(map[string]string{"language": p.Language, "timeZone": p.TimeZone})})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkNewPassword applies the password policy (tenantdesk.CheckNewPassword)
// to a new password (portal or FTP) of u, with u's email and account name.
func (s *Profile) checkNewPassword(ctx context.Context, u *tenantdesk.User, password string) error {
	acc, err := s.d.Store.FindAccountByID(ctx, u.AccountID)
	if err != nil {
		return err
	}
	if e := tenantdesk.CheckNewPassword(password, u.Email, acc.Name, auth.CommonPasswords(), acc.ParentName); e != nil {
		return e
	}
	return nil
}
