package service

import (
	"context"
	"encoding/json"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Customers is the partner's onboarding of customer accounts
// (tenantdesk.CustomerService, the API's /customers). Operator.CreateCustomer
// stays the operator's and demo data's path; this one authorizes the
// partner, runs the same field rules as the general-information form and
// the same user path for the Owner, and audits in both the partner's and
// the customer's log.
type Customers struct {
	d *Deps
}

var _ tenantdesk.CustomerService = (*Customers)(nil)

// NewCustomers returns the customers service.
func NewCustomers(d *Deps) (*Customers, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Customers{d: d}, nil
}

// errCustomerNotFound is every answer about a customer the actor may not see.
func errCustomerNotFound() error {
	return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
}

// customerNotFound makes a missing account a missing customer and returns
// other errors as they are: a failed read is not a missing customer.
func customerNotFound(err error) error {
	if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND {
		return errCustomerNotFound()
	}
	return err
}

// authorizeCustomerRead lets the customer's user admins, its partner's
// staff and the operator read a customer account; members without
// user.admin get EFORBIDDEN, everyone else ENOTFOUND.
func authorizeCustomerRead(a *tenantdesk.Actor, acc *tenantdesk.Account) error {
	if a == nil {
		return tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	if acc.Kind != tenantdesk.AccountCustomer {
		return errCustomerNotFound()
	}
	if tenantdesk.IsPartnerStaffOf(a, acc) {
		return nil
	}
	if err := tenantdesk.Authorize(a, acc, tenantdesk.AccessUserAdmin); err != nil {
		return customerNotFound(err)
	}
	return nil
}

// GetCustomer returns the customer account with tenantID and its
// connection details. Needs AccessUserAdmin on it or partner staff:
// EFORBIDDEN for its other members, ENOTFOUND for everyone else and for
// accounts that are not customers.
func (s *Customers) GetCustomer(ctx context.Context, tenantID string) (*tenantdesk.Customer, error) {
	acc, err := s.d.Store.FindAccountByTenantID(ctx, tenantID)
	if err != nil {
		return nil, customerNotFound(err)
	}
	if err := authorizeCustomerRead(tenantdesk.ActorFrom(ctx), acc); err != nil {
		return nil, err
	}
	conn, err := s.d.Store.Connection(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	st, err := s.d.Store.CustomerStatus(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	return &tenantdesk.Customer{Account: acc, Connection: conn, Status: st}, nil
}

// UpdateCustomer changes a customer's name, description, reference or
// connection details, audited as account.update with the changed fields.
// EFORBIDDEN for the customer's own users (and partner staff without
// partner.admin), ENOTFOUND for everyone else; EINVALID for bad fields.
func (s *Customers) UpdateCustomer(ctx context.Context, tenantID string, p tenantdesk.CustomerPatch) (*tenantdesk.Customer, error) {
	actor := tenantdesk.ActorFrom(ctx)
	if actor == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	var out *tenantdesk.Customer
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := tx.FindAccountByTenantID(ctx, tenantID)
		if err != nil {
			return customerNotFound(err)
		}
		if acc.Kind != tenantdesk.AccountCustomer {
			return errCustomerNotFound()
		}
		// Authorize before validating: a stranger learns nothing from field errors.
		if err := tenantdesk.AuthorizeGeneralInfoEdit(actor, acc); err != nil {
			if tenantdesk.ErrorCode(err) == tenantdesk.ENOTFOUND && tenantdesk.AccessTo(actor, acc) >= tenantdesk.AccessMember {
				// The customer's own users see the account but only its partner changes it.
				return &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "error.403.message",
					Message: "Only the account's partner can change a customer's details."}
			}
			return customerNotFound(err)
		}
		old := tenantdesk.GeneralInfoOf(acc)
		next := old
		if p.Name != nil {
			next.Name = *p.Name
		}
		if p.Reference != nil {
			next.Reference = *p.Reference
		}
		if p.Description != nil {
			next.Description = *p.Description
		}
		next = next.Normalize()
		fields := next.Validate()
		oldConn, err := tx.Connection(ctx, acc.ID)
		if err != nil {
			return err
		}
		conn := oldConn
		if p.Connection != nil {
			c, fe := tenantdesk.NormalizeConnection(*p.Connection)
			if fe != nil {
				fields = append(fields, *fe)
			}
			conn = c
		}
		if len(fields) > 0 {
			return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: fields[0].Message, Fields: fields}
		}
		before, after := tenantdesk.DiffGeneralInfo(old, next)
		b, a := map[string]any{}, map[string]any{}
		for k, v := range before {
			b[k] = v
		}
		for k, v := range after {
			a[k] = v
		}
		if conn != oldConn {
			b["connection"], a["connection"] = json.RawMessage(oldConn), json.RawMessage(conn)
			if err := tx.SetConnection(ctx, acc.ID, conn); err != nil {
				return err
			}
		}
		if len(a) == 0 {
			out = &tenantdesk.Customer{Account: acc, Connection: conn}
			out.Status, err = tx.CustomerStatus(ctx, acc.ID)
			return err
		}
		// Only name, reference and description change here; the other
		// fields are written back as they were read.
		info := old
		info.Name, info.Reference, info.Description = next.Name, next.Reference, next.Description
		if err := tx.SetGeneralInfo(ctx, acc.ID, info); err != nil {
			return err
		}
		if err := audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: acc.ID, Action: tenantdesk.AuditAccountUpdate, TargetType: "account",
			TargetID: acc.TenantID, Before: auditJSON(b), After: auditJSON(a)}); err != nil {
			return err
		}
		stored, err := tx.FindAccountByID(ctx, acc.ID)
		if err != nil {
			return err
		}
		out = &tenantdesk.Customer{Account: stored, Connection: conn}
		out.Status, err = tx.CustomerStatus(ctx, acc.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListPartnerCustomers returns a page of the actor's partner's customers
// with their connection details, in the order and with the cursor of
// AccountInfo.ListCustomers (and its errors).
func (s *Customers) ListPartnerCustomers(ctx context.Context, f tenantdesk.CustomerFilter) ([]*tenantdesk.Customer, string, error) {
	page, err := listCustomers(ctx, s.d.Store, f)
	if err != nil {
		return nil, "", err
	}
	if len(page.Customers) == 0 {
		return nil, page.NextCursor, nil
	}
	ids := make([]int64, 0, len(page.Customers))
	for _, c := range page.Customers {
		ids = append(ids, c.ID)
	}
	out, err := s.d.Store.PartnerCustomers(ctx, tenantdesk.ActorFrom(ctx).Account.ID, ids)
	if err != nil {
		return nil, "", err
	}
	return out, page.NextCursor, nil
}

// CreatePartnerCustomer creates a customer under the actor's partner
// account: the same field rules as the general-information form, the same
// user path for the Owner (invited, activation email queued), audited in
// both the partner's and the customer's log. See tenantdesk.CustomerService.
func (s *Customers) CreatePartnerCustomer(ctx context.Context, in tenantdesk.NewCustomer) (*tenantdesk.CreatedCustomer, error) {
	actor, err := partnerAdminActor(ctx)
	if err != nil {
		return nil, err
	}
	info, connection, fields := validateNewCustomer(in)
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
	err = s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		partner, a, err := insertCustomer(ctx, tx, actor, info, connection)
		if err != nil {
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
		out.Customer.Status, err = tx.CustomerStatus(ctx, a.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
