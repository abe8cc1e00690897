package service

import (
	"context"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// customerReads are the customer flows still answered by the store
// (reading and editing a customer, listing a partner's customers).
type customerReads interface {
	GetCustomer(ctx context.Context, tenantID string) (*tenantdesk.Customer, error)
	UpdateCustomer(ctx context.Context, tenantID string, p tenantdesk.CustomerPatch) (*tenantdesk.Customer, error)
	ListPartnerCustomers(ctx context.Context, f tenantdesk.CustomerFilter) ([]*tenantdesk.Customer, string, error)
}

// Customers is the partner's onboarding of customer accounts
// (tenantdesk.CustomerService, the API's /customers).
type Customers struct {
	customerReads
	d *Deps
}

var _ tenantdesk.CustomerService = (*Customers)(nil)

// NewCustomers returns the customers service; reads answers the flows
// that have not moved here yet.
func NewCustomers(d *Deps, reads customerReads) (*Customers, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Customers{customerReads: reads, d: d}, nil
}

// CreatePartnerCustomer creates a customer under the actor's partner
// account: the same field rules as the general-information form, the same
// user path for the Owner (invited, activation email queued), audited in
// both the partner's and the customer's log. See tenantdesk.CustomerService.
func (s *Customers) CreatePartnerCustomer(ctx context.Context, in tenantdesk.NewCustomer) (*tenantdesk.CreatedCustomer, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	if actor.User == nil || actor.Account == nil || !actor.Account.IsPartner() || actor.User.AccountID != actor.Account.ID ||
		!actor.User.HasRole(tenantdesk.RolePartnerAdmin) {
		return nil, &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message",
			Message: "Only a partner administrator (partner.admin) can create customer accounts."}
	}
	info, fields := tenantdesk.ValidateCustomerInfo(in.Name, in.Reference, in.Description)
	connection, fe := tenantdesk.NormalizeConnection(in.Connection)
	if fe != nil {
		fields = append(fields, *fe)
	}
	if in.Owner != nil {
		if fe := tenantdesk.ValidateDisplayName(in.Owner.DisplayName); fe != nil {
			fe.Field = "owner.displayName"
			fields = append(fields, *fe)
		}
		if fe := tenantdesk.ValidateEmail(in.Owner.Email); fe != nil {
			fe.Field = "owner.email"
			fields = append(fields, *fe)
		}
	}
	if len(fields) > 0 {
		return nil, &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
	}
	out := &tenantdesk.CreatedCustomer{}
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		partner, err := tx.FindAccountByID(ctx, actor.Account.ID)
		if err != nil {
			return err
		}
		a := &tenantdesk.Account{Kind: tenantdesk.AccountCustomer, ParentID: partner.ID, Name: info.Name,
			Reference: info.Reference, Description: info.Description}
		if err := insertAccount(ctx, tx, a); err != nil { // account.create in the customer's log
			return err
		}
		if err := tx.SetConnection(ctx, a.ID, connection); err != nil {
			return err
		}
		if in.Owner != nil {
			u := &tenantdesk.User{DisplayName: in.Owner.DisplayName, Email: in.Owner.Email, IsOwner: true,
				Roles: tenantdesk.CustomerOwnerRoles(), Status: tenantdesk.UserInvited}
			if _, err := s.d.writeUser(ctx, tx, userWrite{acc: a, after: u}); err != nil {
				if de := tenantdesk.AsError(err); de != nil {
					for i := range de.Fields {
						de.Fields[i].Field = "owner." + de.Fields[i].Field
					}
				}
				return err
			}
			if err := s.d.queueActivation(ctx, tx, u); err != nil {
				return err
			}
			out.Owner = u
		}
		after := map[string]any{"tenantId": a.TenantID, "name": a.Name, "reference": a.Reference}
		if out.Owner != nil {
			after["owner"] = out.Owner.Email
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
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
