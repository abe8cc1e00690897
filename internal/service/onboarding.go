package service

import (
	"context"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// The onboarding wizard (Partnerdesk › Customers › New customer; seed 001):
// the customer with its phone-platform connection, its first admin and
// more users, created in one transaction with the API's rules and codes.
// Nothing is stored before Onboard: the wizard carries its state in the
// page, and CheckOnboarding checks it at every step.

var _ tenantdesk.OnboardingService = (*Customers)(nil)

// partnerAdminActor returns the actor of ctx when they may create customer
// accounts: a partner.admin acting in their own partner account.
// EUNAUTHORIZED without an actor, EFORBIDDEN for anyone else.
func partnerAdminActor(ctx context.Context) (*tenantdesk.Actor, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	if actor.User == nil || actor.Account == nil || !actor.Account.IsPartner() || actor.User.AccountID != actor.Account.ID ||
		!actor.User.HasRole(tenantdesk.RolePartnerAdmin) || actor.Impersonating() {
		return nil, &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message",
			Message: "Only a partner administrator (partner.admin) can create customer accounts."}
	}
	return actor, nil
}

// validateNewCustomer runs the general-information rules and the
// connection's on a new customer and returns the normalized values and
// every field problem (name, reference, description, connection).
func validateNewCustomer(in tenantdesk.NewCustomer) (tenantdesk.GeneralInfo, string, []tenantdesk.FieldError) {
	info, fields := tenantdesk.ValidateCustomerInfo(in.Name, in.Reference, in.Description)
	connection, fe := tenantdesk.NormalizeConnection(in.Connection)
	if fe != nil {
		fields = append(fields, *fe)
	}
	return info, connection, fields
}

// insertCustomer creates, in tx, a customer of the actor's partner account
// with its connection (account.create in the customer's log) and returns
// the partner and the new account.
func insertCustomer(ctx context.Context, tx tenantdesk.StoreTx, actor *tenantdesk.Actor, info tenantdesk.GeneralInfo, connection string) (*tenantdesk.Account, *tenantdesk.Account, error) {
	partner, err := tx.FindAccountByID(ctx, actor.Account.ID)
	if err != nil {
		return nil, nil, err
	}
	a := &tenantdesk.Account{Kind: tenantdesk.AccountCustomer, ParentID: partner.ID, Name: info.Name,
		Reference: info.Reference, Description: info.Description}
	if err := insertAccount(ctx, tx, a); err != nil {
		return nil, nil, err
	}
	if err := tx.SetConnection(ctx, a.ID, connection); err != nil {
		return nil, nil, err
	}
	return partner, a, nil
}

// onboardingAdmin is the first admin as a user to create: an Owner holds
// every permission role besides the roles chosen.
func onboardingAdmin(in tenantdesk.OnboardingAdmin) *tenantdesk.User {
	roles := append([]string(nil), in.Roles...)
	if in.Owner {
		roles = append(roles, tenantdesk.CustomerOwnerRoles()...)
	}
	return &tenantdesk.User{DisplayName: strings.TrimSpace(in.DisplayName), Email: strings.TrimSpace(in.Email),
		Roles: tenantdesk.SortedRoles(roles), IsOwner: in.Owner, Status: tenantdesk.UserInvited}
}

// adminError names the fields of an error about the first admin as the
// wizard and OnboardingCheck do ("admin.email"); a rule about no field
// (R4: the first user must be a user admin) is on "admin.roles".
func adminError(err error) error {
	de := tenantdesk.AsError(err)
	if de == nil {
		return err
	}
	out := *de
	out.Fields = nil
	for _, f := range de.Fields {
		f.Field = "admin." + f.Field
		out.Fields = append(out.Fields, f)
	}
	if len(out.Fields) == 0 {
		out.Fields = []tenantdesk.FieldError{{Field: "admin.roles", Message: de.Message, Key: de.Key, Args: de.Args}}
	}
	return &out
}

// newCustomerState is the rules' view of a customer account that has just
// been created: no users yet, the default settings.
func newCustomerState() (*tenantdesk.Account, tenantdesk.AccountState) {
	return &tenantdesk.Account{Kind: tenantdesk.AccountCustomer}, tenantdesk.AccountState{Kind: tenantdesk.AccountCustomer}
}

// CheckOnboarding checks an onboarding as Onboard would, writing nothing:
// the customer's fields, the first admin (the rules of a new account, and
// that the email is nobody's yet) and the extra users as an import preview
// that follows the admin. See tenantdesk.OnboardingService.
func (s *Customers) CheckOnboarding(ctx context.Context, in tenantdesk.OnboardingInput) (*tenantdesk.OnboardingCheck, error) {
	if _, err := partnerAdminActor(ctx); err != nil {
		return nil, err
	}
	out := &tenantdesk.OnboardingCheck{}
	if _, _, fields := validateNewCustomer(in.Customer); len(fields) > 0 {
		out.Customer = &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Key: fields[0].Key, Args: fields[0].Args, Fields: fields}
	}
	acc, st := newCustomerState()
	admin := onboardingAdmin(in.Admin)
	if err := tenantdesk.CheckUserChange(st, nil, admin); err != nil {
		out.Admin = adminError(err)
	} else if _, err := s.d.Store.FindUserByEmail(ctx, admin.Email); err == nil {
		out.Admin = adminError(errEmailTaken())
	} else if tenantdesk.ErrorCode(err) != tenantdesk.ENOTFOUND {
		return nil, err
	}
	if len(in.Users) == 0 {
		return out, nil
	}
	if err := tenantdesk.CheckImportSize(len(in.Users)); err != nil {
		return nil, err
	}
	chk := newImportCheck(acc, st)
	chk.accept(admin) // the rows follow the admin, as Onboard writes them
	if tenantdesk.ValidateEmail(admin.Email) == nil {
		chk.note(admin.Email)
	}
	users, err := previewRows(ctx, s.d.Store, chk, in.Users)
	if err != nil {
		return nil, err
	}
	out.Users = users
	return out, nil
}

// Onboard creates the customer, its first admin and the extra users in one
// transaction: the customer as CreatePartnerCustomer does (account.create
// in its log, customer.create in the partner's), the admin through
// writeUser with an activation email, the extra users as Imports.Import
// writes them (after the admin, so R4 holds; invalid rows are reported and
// not created). EINVALID with the customer's fields, or the admin's error
// as CheckOnboarding names it, and nothing is written. See
// tenantdesk.OnboardingService.
func (s *Customers) Onboard(ctx context.Context, in tenantdesk.OnboardingInput) (*tenantdesk.Onboarded, error) {
	actor, err := partnerAdminActor(ctx)
	if err != nil {
		return nil, err
	}
	info, connection, fields := validateNewCustomer(in.Customer)
	if len(fields) > 0 {
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Key: fields[0].Key, Args: fields[0].Args, Fields: fields}
	}
	if len(in.Users) > 0 {
		if err := tenantdesk.CheckImportSize(len(in.Users)); err != nil {
			return nil, err
		}
	}
	out := &tenantdesk.Onboarded{}
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		partner, a, err := insertCustomer(ctx, tx, actor, info, connection)
		if err != nil {
			return err
		}
		if err := tenantdesk.Authorize(actor, a, tenantdesk.AccessUserAdmin); err != nil {
			return err
		}
		admin := onboardingAdmin(in.Admin)
		if _, err := s.d.writeUser(ctx, tx, userWrite{acc: a, after: admin}); err != nil {
			return adminError(err)
		}
		if err := s.d.queueActivation(ctx, tx, admin); err != nil {
			return err
		}
		out.Admin = admin
		if len(in.Users) > 0 {
			st, err := tx.AccountState(ctx, a)
			if err != nil {
				return err
			}
			chk := newImportCheck(a, st)
			chk.note(admin.Email)
			if out.Users, err = s.d.importRows(ctx, tx, a, chk, in.Users); err != nil {
				return err
			}
			if err := auditImport(ctx, tx, a, out.Users); err != nil {
				return err
			}
		}
		after := map[string]any{"tenantId": a.TenantID, "name": a.Name, "reference": a.Reference, "admin": admin.Email, "onboarding": true}
		if admin.IsOwner {
			after["owner"] = admin.Email
		}
		if out.Users != nil {
			after["users"] = out.Users.Imported
		}
		if err := audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: partner.ID, Action: tenantdesk.AuditCustomerCreate,
			TargetType: "account", TargetID: a.TenantID, TargetName: a.Name, After: auditJSON(after)}); err != nil {
			return err
		}
		stored, err := tx.FindAccountByID(ctx, a.ID)
		if err != nil {
			return err
		}
		out.Customer = &tenantdesk.Customer{Account: stored, Connection: connection}
		out.Customer.Status, err = tx.CustomerStatus(ctx, a.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
