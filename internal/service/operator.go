package service

import (
	"context"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Operator holds what only the platform operator does (the tenantdesk
// command line and the demo data): create partners and customers with
// their Owners, create users without an invitation, transfer ownership,
// change anyone's email. The web layer never receives it. Every method
// refuses an actor that is not the operator (tenantdesk.OperatorContext).
type Operator struct {
	d *Deps
}

// NewOperator returns the operator's service.
func NewOperator(d *Deps) (*Operator, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Operator{d: d}, nil
}

func requireOperator(ctx context.Context) error {
	if a := tenantdesk.ActorFrom(ctx); a == nil || !a.Operator {
		return tenantdesk.Errorf(tenantdesk.EFORBIDDEN, "Only the platform operator can do this.")
	}
	return nil
}

// insertAccount stores a new account and audits account.create in its own log.
func insertAccount(ctx context.Context, tx tenantdesk.StoreTx, a *tenantdesk.Account) error {
	if err := tx.InsertAccount(ctx, a); err != nil {
		return err
	}
	return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: a.ID, Action: tenantdesk.AuditAccountCreate,
		TargetType: "account", TargetID: a.TenantID, TargetName: a.Name,
		After: auditJSON(map[string]any{"name": a.Name, "kind": a.Kind, "reference": a.Reference})})
}

// CreatePartner creates a partner account with its Owner (invited, no
// email: the operator sets the password). EINVALID for bad fields,
// EEmailTaken if the Owner's email exists in any account.
func (o *Operator) CreatePartner(ctx context.Context, in tenantdesk.CreatePartnerInput) (*tenantdesk.Account, *tenantdesk.User, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, nil, err
	}
	var fields []tenantdesk.FieldError
	if fe := tenantdesk.ValidateAccountName(in.Name); fe != nil {
		fields = append(fields, *fe)
	}
	if fe := tenantdesk.ValidateDisplayName(in.OwnerName); fe != nil {
		fe.Field = "ownerName"
		fields = append(fields, *fe)
	}
	if fe := tenantdesk.ValidateEmail(in.OwnerEmail); fe != nil {
		fe.Field = "ownerEmail"
		fields = append(fields, *fe)
	}
	if len(fields) > 0 {
		return nil, nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	a := &tenantdesk.Account{Kind: tenantdesk.AccountPartner, Name: strings.TrimSpace(in.Name)}
	u := &tenantdesk.User{DisplayName: in.OwnerName, Email: in.OwnerEmail, Roles: tenantdesk.PartnerOwnerRoles,
		Status: tenantdesk.UserInvited, IsOwner: true}
	err := o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		if err := insertAccount(ctx, tx, a); err != nil {
			return err
		}
		_, err := o.d.writeUser(ctx, tx, userWrite{acc: a, after: u, by: tenantdesk.ByOperator})
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return a, u, nil
}

// CreateCustomer creates a customer account, optionally under a partner
// (ENOTFOUND when ParentID is not a partner) and with an Owner who holds
// every permission role (R5).
func (o *Operator) CreateCustomer(ctx context.Context, a *tenantdesk.Account, owner *tenantdesk.User) error {
	if err := requireOperator(ctx); err != nil {
		return err
	}
	if fe := tenantdesk.ValidateAccountName(a.Name); fe != nil {
		return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fe.Message, Fields: []tenantdesk.FieldError{*fe}}
	}
	return o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		a.Kind = tenantdesk.AccountCustomer
		if a.ParentID != 0 {
			p, err := tx.FindAccountByID(ctx, a.ParentID)
			if err != nil || p.Kind != tenantdesk.AccountPartner {
				return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Partner account not found.")
			}
		}
		if err := insertAccount(ctx, tx, a); err != nil {
			return err
		}
		if owner == nil {
			return nil
		}
		owner.IsOwner, owner.Roles = true, tenantdesk.CustomerOwnerRoles()
		_, err := o.d.writeUser(ctx, tx, userWrite{acc: a, after: owner, by: tenantdesk.ByOperator})
		return err
	})
}

// CreateUser creates a user in u.AccountID (demo data, tests): the rules
// apply, no email is sent.
func (o *Operator) CreateUser(ctx context.Context, u *tenantdesk.User) error {
	if err := requireOperator(ctx); err != nil {
		return err
	}
	return o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := tx.FindAccountByID(ctx, u.AccountID)
		if err != nil {
			return err
		}
		_, err = o.d.writeUser(ctx, tx, userWrite{acc: acc, after: u, by: tenantdesk.ByOperator})
		return err
	})
}

// QueueActivation emails a new activation link to an invited user.
// EUserNotInvited when the user is not invited, ENOTFOUND when there is
// no such user.
func (o *Operator) QueueActivation(ctx context.Context, userID int64) error {
	if err := requireOperator(ctx); err != nil {
		return err
	}
	return o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := tx.FindUserByID(ctx, userID)
		if err != nil {
			return err
		}
		return o.d.queueActivation(ctx, tx, u)
	})
}

// TransferOwnership makes the user with email the Owner of the account
// with tenantID. The new Owner gets every permission role of the account
// (R5), through the rule function like every change; the former Owner
// stays a user with the roles they had. ENOTFOUND for an unknown account or
// a user who is not in it, EINVALID for a disabled user.
func (o *Operator) TransferOwnership(ctx context.Context, tenantID, email string) (*tenantdesk.User, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, err
	}
	var out *tenantdesk.User
	err := o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := tx.FindAccountByTenantID(ctx, tenantID)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "No account has tenant ID %s.", tenantID)
		} else if err != nil {
			return err
		}
		u, err := tx.FindUserByEmail(ctx, email)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND || (err == nil && u.AccountID != acc.ID) {
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "%s is not a user of %s.", email, acc.Name)
		} else if err != nil {
			return err
		}
		if u.Status == tenantdesk.UserDisabled {
			return tenantdesk.Errorf(tenantdesk.EINVALID, "%s is disabled; enable the user first.", email)
		}
		if u.IsOwner {
			out = u
			return nil
		}
		roles := tenantdesk.PartnerOwnerRoles
		if !acc.IsPartner() {
			roles = tenantdesk.CustomerOwnerRoles()
		}
		after := copyUser(u)
		after.Roles = tenantdesk.SortedRoles(append(after.Roles, roles...))
		added, _ := diffRoles(u.Roles, after.Roles)
		formerID, err := tx.SetOwner(ctx, acc.ID, u.ID)
		if err != nil {
			return err
		}
		after.IsOwner = true
		former := ""
		if formerID != 0 {
			former = tenantdesk.FormatUserID(formerID)
		}
		e := &tenantdesk.AuditEntry{Action: tenantdesk.AuditOwnerTransfer,
			Before:   auditJSON(map[string]any{"ownerUserId": former}),
			After:    auditJSON(map[string]any{"ownerUserId": tenantdesk.FormatUserID(u.ID), "email": u.Email, "addedRoles": added}),
			Licensed: anyLicensed(added)}
		// before is the user as they were, not yet the Owner: the new
		// Owner's roles pass the same rules as any change.
		if _, err := o.d.writeUser(ctx, tx, userWrite{acc: acc, before: u, after: after, by: tenantdesk.ByOperator, audit: e}); err != nil {
			return err
		}
		out, err = tx.FindUserByID(ctx, u.ID)
		return err
	})
	return out, err
}

// ChangeUserEmail changes the email of the user with email to newEmail
// (tenantdesk user email), for any user, the Owner included (R11). Like
// every email change it ends the user's pending links, tells the old
// address and sends an invited user a new activation link. ENOTFOUND for
// an unknown user, EINVALID for a bad address, EEmailTaken when another
// user has it.
func (o *Operator) ChangeUserEmail(ctx context.Context, email, newEmail string) (*tenantdesk.User, error) {
	if err := requireOperator(ctx); err != nil {
		return nil, err
	}
	var out *tenantdesk.User
	err := o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		u, err := tx.FindUserByEmail(ctx, email)
		if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
			return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "No user has the email %s.", email)
		} else if err != nil {
			return err
		}
		acc, err := tx.FindAccountByID(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if tenantdesk.ValidateEmail(newEmail) == nil && tenantdesk.NormalizeEmail(newEmail) == tenantdesk.NormalizeEmail(u.Email) {
			out = u // already theirs
			return nil
		}
		after := copyUser(u)
		after.Email = newEmail
		e := &tenantdesk.AuditEntry{Action: tenantdesk.AuditEmailChanged,
			Before: auditJSON(map[string]string{"email": u.Email}), After: auditJSON(map[string]string{"email": strings.TrimSpace(newEmail)})}
		ch, err := o.d.writeUser(ctx, tx, userWrite{acc: acc, before: u, after: after, by: tenantdesk.ByOperator, audit: e})
		if err == nil {
			out = ch.User
		}
		return err
	})
	return out, err
}

// EndSessions signs users out everywhere for the operator (tenantdesk
// session end): the user with email, or, when all is set, every user (and
// every session of no one: half-done sign-ins). Users stay enabled. Each
// user whose sessions ended gets a user.sessions_ended entry by the
// operator in their account's log. Returns how many sessions ended and of
// how many users; ENOTFOUND for an unknown email, EFORBIDDEN for any actor
// but the operator.
func (o *Operator) EndSessions(ctx context.Context, email string, all bool) (sessions, users int, err error) {
	if err := requireOperator(ctx); err != nil {
		return 0, 0, err
	}
	err = o.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		var ended []tenantdesk.EndedSessions
		if all {
			var anonymous int
			var err error
			if ended, anonymous, err = tx.EndAllSessions(ctx); err != nil {
				return err
			}
			sessions = anonymous
		} else {
			u, err := tx.FindUserByEmail(ctx, email)
			if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
				return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "No user has the email %s.", email)
			} else if err != nil {
				return err
			}
			n, err := tx.EndOtherSessions(ctx, u.ID, "")
			if err != nil {
				return err
			}
			ended = []tenantdesk.EndedSessions{{UserID: u.ID, AccountID: u.AccountID, Sessions: n}}
		}
		for _, e := range ended {
			sessions += e.Sessions
			if e.Sessions > 0 {
				users++
			}
			if err := audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: e.AccountID, Action: tenantdesk.AuditUserSessionsEnded,
				TargetType: "user", TargetID: tenantdesk.FormatUserID(e.UserID),
				After: auditJSON(map[string]int{"sessionsEnded": e.Sessions})}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return sessions, users, nil
}
