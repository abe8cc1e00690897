package service

import (
	"context"
	"strings"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Imports is the user import of a customer account
// (tenantdesk.UserImportService): the Users tab's "Import users", the
// API's user-imports and the onboarding wizard's extra users. Preview and
// Import check every row the same way (importCheck), through the one rule
// function, as if the earlier valid rows of the import were written;
// Import then writes each valid row through writeUser in one transaction.
type Imports struct {
	d *Deps
}

var _ tenantdesk.UserImportService = (*Imports)(nil)

// NewImports returns the import service.
func NewImports(d *Deps) (*Imports, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	return &Imports{d: d}, nil
}

// importAccount authorizes the actor of ctx as a user admin of acc (read
// by the caller) and refuses partner accounts, which have no essential
// users: ENOTFOUND, as the API's customer paths answer for them.
func importAccount(acc *tenantdesk.Account) error {
	if acc.Kind != tenantdesk.AccountCustomer {
		return tenantdesk.Errorf(tenantdesk.ENOTFOUND, "Customer not found.")
	}
	return nil
}

// Preview checks every row and writes nothing. See tenantdesk.UserImportService.
func (s *Imports) Preview(ctx context.Context, accountID int64, rows []tenantdesk.ImportRow) (*tenantdesk.ImportResult, error) {
	if err := tenantdesk.CheckImportSize(len(rows)); err != nil {
		return nil, err
	}
	acc, err := readAuthorized(ctx, s.d.Store, accountID, tenantdesk.AccessUserAdmin)
	if err != nil {
		return nil, err
	}
	if err := importAccount(acc); err != nil {
		return nil, err
	}
	st, err := s.d.Store.AccountState(ctx, acc)
	if err != nil {
		return nil, err
	}
	return previewRows(ctx, s.d.Store, newImportCheck(acc, st), rows)
}

// previewRows checks rows in order with chk, looking emails up in r.
func previewRows(ctx context.Context, r tenantdesk.UserReads, chk *importCheck, rows []tenantdesk.ImportRow) (*tenantdesk.ImportResult, error) {
	taken := func(email string) (bool, error) {
		_, err := r.FindUserByEmail(ctx, email)
		switch tenantdesk.ErrorCode(err) {
		case "":
			return true, nil
		case tenantdesk.ENOTFOUND:
			return false, nil
		}
		return false, err
	}
	out := &tenantdesk.ImportResult{Rows: make([]tenantdesk.ImportRowResult, 0, len(rows))}
	for i, row := range rows {
		u, res, err := chk.check(i+1, row, taken)
		if err != nil {
			return nil, err
		}
		if u != nil {
			chk.accept(u)
			res.Status = tenantdesk.ImportValid
			out.Valid++
		} else {
			out.Invalid++
		}
		out.Rows = append(out.Rows, res)
	}
	return out, nil
}

// Import writes every valid row in one transaction and reports the rest.
// See tenantdesk.UserImportService.
func (s *Imports) Import(ctx context.Context, accountID int64, rows []tenantdesk.ImportRow) (*tenantdesk.ImportResult, error) {
	if err := tenantdesk.CheckImportSize(len(rows)); err != nil {
		return nil, err
	}
	var out *tenantdesk.ImportResult
	err := s.d.Store.Update(ctx, func(tx tenantdesk.StoreTx) error {
		acc, err := authorized(ctx, tx, accountID, tenantdesk.AccessUserAdmin)
		if err != nil {
			return err
		}
		if err := importAccount(acc); err != nil {
			return err
		}
		st, err := tx.AccountState(ctx, acc)
		if err != nil {
			return err
		}
		if out, err = s.d.importRows(ctx, tx, acc, newImportCheck(acc, st), rows); err != nil {
			return err
		}
		return auditImport(ctx, tx, acc, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// importRows checks and writes rows in order in tx: each valid row through
// writeUser (which checks the rules again against the account as it is in
// tx, audits and rolls out automatic roles) and an activation email for
// users who may sign in. A row the rules refuse is reported; any other
// failure ends the transaction.
func (d *Deps) importRows(ctx context.Context, tx tenantdesk.StoreTx, acc *tenantdesk.Account, chk *importCheck, rows []tenantdesk.ImportRow) (*tenantdesk.ImportResult, error) {
	taken := func(email string) (bool, error) {
		id, err := tx.EmailUserID(ctx, email)
		return id != 0, err
	}
	out := &tenantdesk.ImportResult{Rows: make([]tenantdesk.ImportRowResult, 0, len(rows))}
	for i, row := range rows {
		u, res, err := chk.check(i+1, row, taken)
		if err != nil {
			return nil, err
		}
		if u != nil {
			change, err := d.writeUser(ctx, tx, userWrite{acc: acc, after: u, audit: importAudit(u, row)})
			if de := tenantdesk.AsError(err); de != nil {
				// Refused before anything was written (writeUser checks first).
				res.Errors = tenantdesk.ImportIssues(err, u.Roles, chk.st)
				u = nil
			} else if err != nil {
				return nil, err
			} else {
				chk.accept(u)
				if u.CanSignIn() {
					if err := d.queueActivation(ctx, tx, u); err != nil {
						return nil, err
					}
				}
				res.Status, res.User, res.Roles = tenantdesk.ImportImported, change.User, change.User.Roles
				out.AutoAssigned = append(out.AutoAssigned, change.AutoAssigned...)
				out.Valid++
				out.Imported++
			}
		}
		if u == nil {
			res.Status = tenantdesk.ImportInvalid
			out.Invalid++
		}
		out.Rows = append(out.Rows, res)
	}
	return out, nil
}

// importAudit is the user.create entry of an imported user: the user as
// created, marked as imported, with the row's extension and agent flag.
func importAudit(u *tenantdesk.User, row tenantdesk.ImportRow) *tenantdesk.AuditEntry {
	after := map[string]any{"displayName": strings.TrimSpace(u.DisplayName), "email": strings.TrimSpace(u.Email),
		"roles": tenantdesk.SortedRoles(u.Roles), "owner": false, "status": tenantdesk.UserInvited, "source": "import"}
	if ext := strings.TrimSpace(row.Extension); ext != "" {
		after["extension"] = ext
	}
	if row.ACDAgent {
		after["acdAgent"] = true
	}
	return &tenantdesk.AuditEntry{Action: tenantdesk.AuditUserCreate, After: auditJSON(after), Licensed: anyLicensed(u.Roles)}
}

// auditImport writes the summary entry of an import in the account's log.
func auditImport(ctx context.Context, tx tenantdesk.StoreTx, acc *tenantdesk.Account, res *tenantdesk.ImportResult) error {
	return audit(ctx, tx, &tenantdesk.AuditEntry{AccountID: acc.ID, Action: tenantdesk.AuditUserImport,
		TargetType: "account", TargetID: acc.TenantID, TargetName: acc.Name,
		After: auditJSON(map[string]any{"rows": len(res.Rows), "imported": res.Imported, "invalid": res.Invalid})})
}

// importCheck checks the rows of one import in order, keeping what the
// rules need to know of the rows accepted so far: the account's state as
// if they were written (R3, R4, R7) and the emails seen (duplicates).
type importCheck struct {
	acc  *tenantdesk.Account
	st   tenantdesk.AccountState
	seen map[string]int // normalized email -> first row
	// first is the row number given to emails noted with note (0: before
	// the rows, as the onboarding's admin).
	first map[string]bool
}

func newImportCheck(acc *tenantdesk.Account, st tenantdesk.AccountState) *importCheck {
	return &importCheck{acc: acc, st: st, seen: map[string]int{}, first: map[string]bool{}}
}

// note marks an email as used before the rows (the onboarding's admin).
func (c *importCheck) note(email string) {
	n := tenantdesk.NormalizeEmail(email)
	c.seen[n] = 0
	c.first[n] = true
}

// accept counts a valid row's user as written.
func (c *importCheck) accept(u *tenantdesk.User) {
	if tenantdesk.NeedsRealtimeRollout(c.st, u) {
		c.st.HasLiveSupervisor = true
	}
	if tenantdesk.IsUserAdmin(u) {
		c.st.Admins++
	}
}

// check checks row number n and returns the user to create (nil when the
// row is invalid) and the row's result; taken says whether an email is
// some user's already, in any account. Only taken's failures are errors.
//
// The user gets the row's roles and the account's essential-user role; an
// ACD agent also gets customer.user.acd when the account's AutoAssignACD
// is on and the rules allow it (its prerequisite is the essential-user
// role of the account's variant, which the user has): otherwise the row
// says why in a warning and the user is created without it.
func (c *importCheck) check(n int, row tenantdesk.ImportRow, taken func(string) (bool, error)) (*tenantdesk.User, tenantdesk.ImportRowResult, error) {
	res := tenantdesk.ImportRowResult{Row: n, Input: row, Status: tenantdesk.ImportInvalid}
	res.Errors = append(res.Errors, row.Issues...)
	if is := tenantdesk.ValidateImportExtension(row.Extension); is != nil {
		res.Errors = append(res.Errors, *is)
	}
	roles := tenantdesk.SortedRoles(append(append([]string(nil), row.Roles...), c.acc.Settings.EssentialRole()))
	u := &tenantdesk.User{DisplayName: strings.TrimSpace(row.DisplayName), Email: strings.TrimSpace(row.Email),
		Roles: roles, Status: tenantdesk.UserInvited}
	ruleErr := tenantdesk.CheckUserChange(c.st, nil, u)
	if ruleErr != nil {
		res.Errors = append(res.Errors, tenantdesk.ImportIssues(ruleErr, u.Roles, c.st)...)
	} else if row.ACDAgent && !u.HasRole(roleACD) {
		if !c.acc.Settings.AutoAssignACD {
			res.Warnings = append(res.Warnings, tenantdesk.ImportIssue{Field: "acdAgent", Code: tenantdesk.WACDNotAssigned,
				Key: "import.warning.acd_setting_off", Message: "Not given the Agent add-on (customer.user.acd): the account's autoAssignAcd setting is off."})
		} else {
			agent := copyUser(u)
			agent.Roles = tenantdesk.SortedRoles(append(agent.Roles, roleACD))
			if err := tenantdesk.CheckUserChange(c.st, nil, agent); err != nil {
				de := tenantdesk.AsError(err)
				// Reason is the rule's message; ReasonKey and ReasonArgs translate it.
				res.Warnings = append(res.Warnings, tenantdesk.ImportIssue{Field: "acdAgent", Code: tenantdesk.WACDNotAssigned,
					Key: "import.warning.acd_rule", Args: map[string]any{"Reason": de.Message, "ReasonKey": de.Key, "ReasonArgs": de.Args},
					Message: "Not given the Agent add-on (customer.user.acd): " + de.Message})
			} else {
				u = agent
			}
		}
	}
	if tenantdesk.ValidateEmail(u.Email) == nil {
		norm := tenantdesk.NormalizeEmail(u.Email)
		if first, dup := c.seen[norm]; dup {
			is := tenantdesk.ImportIssue{Field: "email", Code: tenantdesk.EDuplicateEmail, Key: "import.error.duplicate_email",
				Args: map[string]any{"Row": first}, Message: "This email is in an earlier row of the import."}
			if c.first[norm] {
				is.Key, is.Args, is.Message = "import.error.duplicate_admin_email", nil, "This email is the first admin's."
			}
			res.Errors = append(res.Errors, is)
		} else {
			c.seen[norm] = n
			t, err := taken(u.Email)
			if err != nil {
				return nil, res, err
			}
			if t {
				res.Errors = append(res.Errors, tenantdesk.ImportIssue{Field: "email", Code: tenantdesk.EEmailTaken,
					Key: "user.error.email_taken", Message: "A user with this email already exists."})
			}
		}
	}
	if len(res.Errors) > 0 {
		res.Warnings = nil // about a user who will not be created
		return nil, res, nil
	}
	res.Roles = u.Roles
	return u, res, nil
}

// roleACD is the Agent add-on, given to imported call-centre agents.
const roleACD = "customer.user.acd"
