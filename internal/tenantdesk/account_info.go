package tenantdesk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// AuditAccountUpdate records a change of an account's general information.
const AuditAccountUpdate = "account.update"

// Limits of the general-information fields (About account).
const (
	MaxAccountNameLen  = 200
	MaxReferenceLen    = 100
	MaxDescriptionLen  = 1000
	MaxPackageLen      = 200
	MaxManagerNameLen  = 100
	MaxManagerPhoneLen = 40
)

// GeneralInfo is the editable general information of an account: what the
// customer sees on About account › General information and only its partner
// (or the operator) may change.
type GeneralInfo struct {
	Name                  string
	Reference             string
	Description           string
	ServicePackages       string
	SupportPackage        string
	PersonalManagerName   string
	PersonalManagerEmail  string
	PersonalManagerPhone  string
	TechnicalManagerName  string
	TechnicalManagerEmail string
	TechnicalManagerPhone string
}

// GeneralInfoOf returns the general information of a.
func GeneralInfoOf(a *Account) GeneralInfo {
	return GeneralInfo{
		Name: a.Name, Reference: a.Reference, Description: a.Description,
		ServicePackages: a.ServicePackages, SupportPackage: a.SupportPackage,
		PersonalManagerName: a.PersonalManagerName, PersonalManagerEmail: a.PersonalManagerEmail,
		PersonalManagerPhone: a.PersonalManagerPhone, TechnicalManagerName: a.TechnicalManagerName,
		TechnicalManagerEmail: a.TechnicalManagerEmail, TechnicalManagerPhone: a.TechnicalManagerPhone,
	}
}

// generalInfoField is one field of GeneralInfo: its API-style name, how to
// reach it and its limits. The table drives trimming, validation and the
// audit diff, so a new field is added in one place.
type generalInfoField struct {
	name      string
	get       func(*GeneralInfo) *string
	max       int
	required  bool
	multiline bool
	email     bool
}

var generalInfoFields = []generalInfoField{
	{name: "name", get: func(g *GeneralInfo) *string { return &g.Name }, max: MaxAccountNameLen, required: true},
	{name: "reference", get: func(g *GeneralInfo) *string { return &g.Reference }, max: MaxReferenceLen},
	{name: "description", get: func(g *GeneralInfo) *string { return &g.Description }, max: MaxDescriptionLen, multiline: true},
	{name: "servicePackages", get: func(g *GeneralInfo) *string { return &g.ServicePackages }, max: MaxPackageLen},
	{name: "supportPackage", get: func(g *GeneralInfo) *string { return &g.SupportPackage }, max: MaxPackageLen},
	{name: "personalManagerName", get: func(g *GeneralInfo) *string { return &g.PersonalManagerName }, max: MaxManagerNameLen},
	{name: "personalManagerEmail", get: func(g *GeneralInfo) *string { return &g.PersonalManagerEmail }, max: MaxEmailLen, email: true},
	{name: "personalManagerPhone", get: func(g *GeneralInfo) *string { return &g.PersonalManagerPhone }, max: MaxManagerPhoneLen},
	{name: "technicalManagerName", get: func(g *GeneralInfo) *string { return &g.TechnicalManagerName }, max: MaxManagerNameLen},
	{name: "technicalManagerEmail", get: func(g *GeneralInfo) *string { return &g.TechnicalManagerEmail }, max: MaxEmailLen, email: true},
	{name: "technicalManagerPhone", get: func(g *GeneralInfo) *string { return &g.TechnicalManagerPhone }, max: MaxManagerPhoneLen},
}

// Normalize returns g with every field trimmed and line breaks in the
// description made "\n".
func (g GeneralInfo) Normalize() GeneralInfo {
	for _, f := range generalInfoFields {
		p := f.get(&g)
		if f.multiline {
			*p = strings.ReplaceAll(*p, "\r\n", "\n")
		}
		*p = strings.TrimSpace(*p)
	}
	return g
}

// Validate checks g (normalized) and returns one FieldError per invalid
// field, in form order: name required and at most 200 characters, reference
// at most 100, description at most 1000, emails valid when given, phones at
// most 40; single-line fields hold no control characters.
func (g GeneralInfo) Validate() []FieldError {
	var out []FieldError
	for _, f := range generalInfoFields {
		v := *f.get(&g)
		fe := FieldError{Field: f.name}
		n := utf8.RuneCountInString(v)
		switch {
		case !utf8.ValidString(v) || hasControl(v, f.multiline):
			fe.Message, fe.Key = "This field holds characters that are not allowed.", "account.info.error.invalid_text"
		case f.required && n == 0:
			fe.Message, fe.Key = "Account name is required.", "account.info.error.name_required"
		case n > f.max:
			fe.Message, fe.Key = "This field is too long.", "account.info.error.too_long"
		case f.email && v != "" && ValidateEmail(v) != nil:
			fe.Message, fe.Key = "Enter a valid email address such as name@example.com.", "account.info.error.email"
		default:
			continue
		}
		out = append(out, fe)
	}
	return out
}

// GeneralInfoMaxLen returns the length limit of a GeneralInfo field (by its name), for
// the form's maxlength attributes; 0 for an unknown field.
func GeneralInfoMaxLen(field string) int {
	for _, f := range generalInfoFields {
		if f.name == field {
			return f.max
		}
	}
	return 0
}

func hasControl(s string, allowNewlines bool) bool {
	for _, r := range s {
		if allowNewlines && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// DiffGeneralInfo returns the fields that differ between old and new, as
// two maps keyed by field name, for the audit record's before and after.
// Both are empty when nothing changed.
func DiffGeneralInfo(old, new GeneralInfo) (before, after map[string]string) {
	before, after = map[string]string{}, map[string]string{}
	for _, f := range generalInfoFields {
		if o, n := *f.get(&old), *f.get(&new); o != n {
			before[f.name], after[f.name] = o, n
		}
	}
	return before, after
}

// CustomerFilter selects a page of the actor's partner's customer accounts,
// in the order Sort says (by name case-insensitively by default).
type CustomerFilter struct {
	// Query matches any part of the account name, the reference or the
	// tenant ID, case-insensitively; "" lists all.
	Query string
	// Status keeps only customers with this status; "" keeps all.
	Status CustomerStatus
	// Sort is the order ("": SortByName); a cursor is only valid with the
	// order it was made in.
	Sort CustomerSort
	// After is the cursor of the previous page (CustomerPage.NextCursor); "" for the first page.
	After string
	// Limit is the page size, 1–200; 0 means 50.
	Limit int
}

// CustomerSummary is one row of the partner's customer list.
type CustomerSummary struct {
	ID        int64
	TenantID  string
	Name      string
	Reference string
	Users     int // every user of the account, whatever their status
	// Status is pending onboarding, active or disabled (CustomerStatusOf).
	Status CustomerStatus
	// Licences counts the licensed roles held by the account's enabled users.
	Licences int
	// LegacyAccess: the customer has never granted an access request, so
	// its partner's partner.admin still has the standing access of onboarding.
	LegacyAccess bool
	// GrantedStaff counts the partner's staff named in a live grant.
	GrantedStaff int
	// PendingRequests counts the partner's requests still awaiting an answer.
	PendingRequests int
	CreatedAt       time.Time
}

// CustomerPage is one page of customers. NextCursor is "" on the last page.
type CustomerPage struct {
	Customers  []CustomerSummary
	NextCursor string
}

// AccountInfoService reads and edits accounts' general information and
// lists a partner's customers. Every method authorizes the actor in ctx.
type AccountInfoService interface {
	// CustomerConsoleService: the customer page and a customer's status.
	CustomerConsoleService
	// GeneralInfo returns the account for About account › General
	// information: any member of the account (AccessMember) may read it.
	// Returns ENOTFOUND for an account the actor may not see.
	GeneralInfo(ctx context.Context, accountID int64) (*Account, error)
	// EditableAccount returns the account with tenantID when the actor may
	// edit its general information (CanEditGeneralInfo). Returns EFORBIDDEN
	// for staff of the account's partner without partner.admin (they see
	// the customer in their list anyway) and ENOTFOUND for everyone else,
	// so another partner cannot learn that the account exists.
	EditableAccount(ctx context.Context, tenantID string) (*Account, error)
	// UpdateGeneralInfo changes the general information of the account with
	// tenantID in one transaction, audited as account.update with the
	// changed fields before and after. Authorization as EditableAccount;
	// EINVALID with Fields for invalid input. Returns the stored account.
	UpdateGeneralInfo(ctx context.Context, tenantID string, in GeneralInfo) (*Account, error)
	// ListCustomers returns a page of the customers of the actor's own
	// partner account. EFORBIDDEN for an actor who is not partner staff
	// (partner.admin or partner.user); EINVALID for a malformed cursor, a
	// cursor of another order, an unknown status or order.
	ListCustomers(ctx context.Context, f CustomerFilter) (*CustomerPage, error)
}

// AuthorizeGeneralInfoEdit returns nil when the actor may edit acc's general
// information (CanEditGeneralInfo), EFORBIDDEN for staff of acc's partner
// without partner.admin, EUNAUTHORIZED without an actor and ENOTFOUND for
// everyone else: the account's own users and other partners never learn
// more than "not found".
func AuthorizeGeneralInfoEdit(a *Actor, acc *Account) error {
	switch {
	case a == nil:
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	case CanEditGeneralInfo(a, acc):
		return nil
	case IsPartnerStaffOf(a, acc):
		return &Error{Code: EFORBIDDEN, Key: "error.403.message", Message: "You do not have permission to do this."}
	}
	return Errorf(ENOTFOUND, "Not found.")
}

// IsPartnerStaffOf reports whether the actor is a partner user (partner.admin
// or partner.user) of the partner that owns customer account acc.
func IsPartnerStaffOf(a *Actor, acc *Account) bool {
	return a != nil && a.User != nil && acc != nil && acc.ParentID != 0 && a.User.AccountID == acc.ParentID &&
		(a.User.HasRole(RolePartnerAdmin) || a.User.HasRole(RolePartnerUser))
}

// IsPartnerStaff reports whether the actor works in Partnerdesk: a user of a
// partner account holding partner.admin or partner.user, not impersonating
// a customer right now (Partnerdesk waits until the impersonation ends).
func IsPartnerStaff(a *Actor) bool {
	return a != nil && a.User != nil && a.Account != nil && a.Account.IsPartner() && !a.Impersonating() &&
		(a.User.HasRole(RolePartnerAdmin) || a.User.HasRole(RolePartnerUser))
}

// ValidateAccountName checks an account name: 1–200 characters of text.
func ValidateAccountName(name string) *FieldError {
	n := utf8.RuneCountInString(strings.TrimSpace(name))
	if n == 0 {
		return &FieldError{Field: "name", Message: "Account name is required."}
	} else if n > MaxAccountNameLen || !utf8.ValidString(name) {
		return &FieldError{Field: "name", Message: "Account name must be at most 200 characters."}
	}
	return nil
}

// NormalizeConnection checks that s (a customer's phone-platform
// connection) is one JSON object of at most MaxConnectionLen bytes whose
// known fields have their types (connection.go), and returns it compacted
// ("{}" for "").
func NormalizeConnection(s string) (string, *FieldError) {
	if strings.TrimSpace(s) == "" {
		return "{}", nil
	}
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		return "", &FieldError{Field: "connection", Message: "connection must be a JSON object."}
	}
	if fe := checkConnectionFields(obj); fe != nil { // connection.go
		return "", fe
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return "", &FieldError{Field: "connection", Message: "connection must be a JSON object."}
	}
	if b.Len() > MaxConnectionLen {
		return "", &FieldError{Field: "connection", Message: fmt.Sprintf("connection must be at most %d KiB of JSON.", MaxConnectionLen>>10)}
	}
	return b.String(), nil
}

// ValidateCustomerInfo runs the general-information rules on the fields the
// API sets and returns the normalized values.
func ValidateCustomerInfo(name, reference, description string) (GeneralInfo, []FieldError) {
	info := GeneralInfo{Name: name, Reference: reference, Description: description}.Normalize()
	return info, info.Validate()
}
