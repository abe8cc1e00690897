package service

import (
	"context"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Partnerdesk's customer page and a customer's status
// (tenantdesk.CustomerConsoleService, part of AccountInfo): the partner's
// record of a customer is its staff's to read and its partner.admin's to
// change (no access request needed, as for the general information); what
// lies inside the account (its users, licences, activation emails) needs
// the same access as anywhere else: legacy access or a live grant.

// reasonAccountDisabled: a right password of a user whose account is disabled.
const reasonAccountDisabled failReason = "account_disabled"

// errAccountDisabled is the sign-in's answer to a user of a disabled account.
func errAccountDisabled() error {
	return &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "signin.error.account_disabled",
		Message: "This account is disabled; contact your partner."}
}

// partnerCustomer reads the customer account with tenantID for the staff
// of its partner (or the operator): ENOTFOUND for everyone else and for
// accounts that are not customers of a partner, EImpersonating for staff
// working inside a customer right now.
func partnerCustomer(ctx context.Context, r tenantdesk.AccountReads, a *tenantdesk.Actor, tenantID string) (*tenantdesk.Account, error) {
	if a == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	acc, err := r.FindAccountByTenantID(ctx, tenantID)
	if err != nil {
		return nil, customerNotFound(err)
	}
	switch {
	case acc.Kind != tenantdesk.AccountCustomer || acc.ParentID == 0:
		return nil, errCustomerNotFound()
	case a.Operator:
		return acc, nil
	case !tenantdesk.IsPartnerStaffOf(a, acc):
		return nil, errCustomerNotFound()
	case a.Impersonating():
		return nil, errImpersonating()
	}
	return acc, nil
}

// withGrants returns the actor as it enters acc: with its live grants
// there, read now, so that a partner user named in a live grant acts with
// the grant's modes (as through the API) and legacy access applies as
// always (tenantdesk.AccessTo).
func withGrants(ctx context.Context, r tenantdesk.AccessReads, a *tenantdesk.Actor, acc *tenantdesk.Account, now time.Time) (*tenantdesk.Actor, error) {
	if a.Operator || a.User == nil || a.Impersonating() {
		return a, nil
	}
	grants, err := r.LiveGrants(ctx, a.User.ID, acc.ID, now)
	if err != nil {
		return nil, err
	}
	cp := *a
	cp.Grants = grants
	return &cp, nil
}

// CustomerOverview returns the customer page. See tenantdesk.CustomerConsoleService.
func (s *AccountInfo) CustomerOverview(ctx context.Context, tenantID string) (*tenantdesk.CustomerOverview, error) {
	a := tenantdesk.ActorFrom(ctx)
	acc, err := partnerCustomer(ctx, s.d.Store, a, tenantID)
	if err != nil {
		return nil, err
	}
	row, err := s.d.Store.CustomerRow(ctx, acc.ParentID, acc.ID)
	if err != nil {
		return nil, customerNotFound(err)
	}
	conn, err := s.d.Store.Connection(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	out := &tenantdesk.CustomerOverview{Customer: &tenantdesk.Customer{Account: acc, Connection: conn}, Summary: *row,
		CanManage: tenantdesk.CanEditGeneralInfo(a, acc)}

	inside, err := withGrants(ctx, s.d.Store, a, acc, s.d.now())
	if err != nil {
		return nil, err
	}
	switch err := tenantdesk.Authorize(inside, acc, tenantdesk.AccessUserAdmin); tenantdesk.ErrorCode(err) {
	case "":
		if out.Users, err = s.d.Store.CustomerUsersGlance(ctx, acc.ID); err != nil {
			return nil, err
		}
		if out.Licences, err = s.d.Store.LicenceCounts(ctx, acc.ID); err != nil {
			return nil, err
		}
	case tenantdesk.EAccessRequestRequired, tenantdesk.EFORBIDDEN:
		out.Hidden = err
	default:
		return nil, err
	}

	// The requests its partner sent it (a customer only ever hears from
	// its own partner; the filter keeps it so after a transfer).
	rs, err := s.d.Store.AccessRequests(ctx, tenantdesk.AccessRequestQuery{AccountID: acc.ID, Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.PartnerID == acc.ParentID {
			out.Requests = append(out.Requests, r)
		}
	}
	return out, nil
}

// SetCustomerDisabled disables or enables a customer. See
// tenantdesk.CustomerConsoleService.
func (s *AccountInfo) SetCustomerDisabled(ctx context.Context, tenantID string, disabled bool) (*tenantdesk.Account, error) {
	a := tenantdesk.ActorFrom(ctx)
	if a == nil {
		return nil, tenantdesk.Errorf(tenantdesk.EUNAUTHORIZED, "Sign in first.")
	}
	var out *tenantdesk.Account
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := tx.FindAccountByTenantID(ctx, tenantID)
		if err != nil {
			return customerNotFound(err)
		}
		if acc.Kind != tenantdesk.AccountCustomer {
			return errCustomerNotFound()
		}
		// The partner's record of its customer: its partner.admin (no
		// access request needed) and the operator; its other staff 403,
		// everyone else, the customer's own users included, 404.
		if err := tenantdesk.AuthorizeGeneralInfoEdit(a, acc); err != nil {
			return customerNotFound(err)
		}
		if acc.Disabled() == disabled {
			out = acc
			return nil
		}
		var at *time.Time
		if disabled {
			now := tx.Now()
			at = &now
		}
		if err := tx.SetAccountDisabled(ctx, acc.ID, at); err != nil {
			return err
		}
		action, after := tenantdesk.AuditCustomerEnable, map[string]any{"disabled": false}
		if disabled {
			// Its users are signed out at once; their tokens are refused
			// from the next call on (the token check reads the account).
			n, err := tx.EndAccountSessions(ctx, acc.ID)
			if err != nil {
				return err
			}
			action, after = tenantdesk.AuditCustomerDisable, map[string]any{"disabled": true, "sessionsEnded": n}
		}
		e := tenantdesk.AuditEntry{AccountID: acc.ID, Action: action, TargetType: "account", TargetID: acc.TenantID,
			TargetName: acc.Name, Before: auditJSON(map[string]any{"disabled": !disabled}), After: auditJSON(after)}
		cust := e
		if err := audit(ctx, tx, &cust); err != nil {
			return err
		}
		if acc.ParentID != 0 {
			part := e
			part.AccountID = acc.ParentID
			if err := audit(ctx, tx, &part); err != nil {
				return err
			}
		}
		out, err = tx.FindAccountByID(ctx, acc.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ResendActivationEmails mails every invited user who may sign in a new
// activation link. See tenantdesk.CustomerConsoleService; EFORBIDDEN for a
// disabled customer (its users could not sign in anyway).
func (s *AccountInfo) ResendActivationEmails(ctx context.Context, tenantID string) (int, error) {
	a := tenantdesk.ActorFrom(ctx)
	n := 0
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := partnerCustomer(ctx, tx, a, tenantID)
		if err != nil {
			return err
		}
		inside, err := withGrants(ctx, tx, a, acc, tx.Now())
		if err != nil {
			return err
		}
		if err := tenantdesk.Authorize(inside, acc, tenantdesk.AccessUserAdmin); err != nil {
			return err
		}
		if acc.Disabled() {
			return &tenantdesk.Error{Code: tenantdesk.EFORBIDDEN, Key: "partner.console.error.resend_disabled",
				Message: "This customer is disabled: enable it before sending activation emails."}
		}
		// As the actor entering the account: the audit entries name the
		// grant's mode and go to the partner's log too (service.audit).
		ictx := tenantdesk.WithActor(ctx, inside)
		users, err := tx.InvitedUsers(ctx, acc.ID)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.CanSignIn() {
				continue
			}
			if err := s.d.queueActivation(ictx, tx, u); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// invalidCustomerFilter is EINVALID for one field of a customer list's filter.
func invalidCustomerFilter(field, msg string) error {
	return &tenantdesk.Error{Code: tenantdesk.EINVALID, Message: msg, Fields: []tenantdesk.FieldError{{Field: field, Message: msg}}}
}
