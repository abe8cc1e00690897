package tenantdesk

import (
	"context"
	"slices"
	"strings"
)

// Customer settings (About account › Settings, and a customer's settings in
// Partnerdesk; SPEC §2 "customer.settings"): the defaults of new users, the
// automatic Agent add-on and the essential-user variant.

// RoleUCEssential is the essential-user role of accounts of the UK variant.
const RoleUCEssential = "customer.user.uc.essential"

// AuditSettingsUpdate records a change of a customer's settings.
const AuditSettingsUpdate = "account.settings_update"

// EEssentialVariantMismatch: a user was given the essential-user role of the
// other variant (customer.user.pbx in a UK account, customer.user.uc.essential
// in a standard one); 422.
const EEssentialVariantMismatch = "essential_variant_mismatch"

// SettingsLanguages are the languages a customer may choose as the default of
// its new users (the portal's shipped languages; "" leaves each user on their
// browser's language).
var SettingsLanguages = []string{"en", "de", "fr", "pt", "ru"}

// EssentialVariants are the essential-user variants, in the order offered.
var EssentialVariants = []string{EssentialStandard, EssentialUK}

// Variant is the settings' essential-user variant, "" read as standard.
func (s AccountSettings) Variant() string {
	if s.EssentialVariant == EssentialUK {
		return EssentialUK
	}
	return EssentialStandard
}

// OtherEssentialRole is the essential-user role of the other variant: the
// role nobody in the account may hold.
func (s AccountSettings) OtherEssentialRole() string {
	if s.Variant() == EssentialUK {
		return RolePBX
	}
	return RoleUCEssential
}

// Excludes reports whether role key cannot be held in an account with these
// settings: the other variant's essential-user role.
func (s AccountSettings) Excludes(key string) bool { return key == s.OtherEssentialRole() }

// Prerequisites are the roles key needs in an account with these settings:
// the catalogue's, with customer.user.pbx read as the account's essential-user
// role (the Real-time and Agent add-ons build on whichever it is).
func (s AccountSettings) Prerequisites(key string) []string {
	r := LookupRole(key)
	if r == nil {
		return nil
	}
	out := make([]string, len(r.Pre))
	for i, p := range r.Pre {
		if p == RolePBX {
			p = s.EssentialRole()
		}
		out[i] = p
	}
	return out
}

// ConvertEssentialRole returns roles with the other variant's essential-user
// role replaced by this variant's (sorted); changed is false when roles hold
// no such role.
func (s AccountSettings) ConvertEssentialRole(roles []string) (out []string, changed bool) {
	other := s.OtherEssentialRole()
	if !slices.Contains(roles, other) {
		return roles, false
	}
	out = make([]string, 0, len(roles))
	for _, r := range roles {
		if r != other {
			out = append(out, r)
		}
	}
	return SortedRoles(append(out, s.EssentialRole())), true
}

// ValidateAccountSettings checks the settings a person entered and returns
// them normalized ("UTC" and "" are the same zone, "" is the standard
// variant): the language one of SettingsLanguages or "", the time zone one
// ValidTimeZone accepts, the variant standard or uk. EINVALID lists every
// bad field (defaultLanguage, defaultTimeZone, essentialVariant).
func ValidateAccountSettings(in AccountSettings) (AccountSettings, *Error) {
	out := AccountSettings{
		DefaultLanguage:  strings.TrimSpace(in.DefaultLanguage),
		DefaultTimeZone:  strings.TrimSpace(in.DefaultTimeZone),
		AutoAssignACD:    in.AutoAssignACD,
		EssentialVariant: strings.TrimSpace(in.EssentialVariant),
	}
	if out.DefaultTimeZone == "UTC" {
		out.DefaultTimeZone = ""
	}
	if out.EssentialVariant == "" {
		out.EssentialVariant = EssentialStandard
	}
	var fields []FieldError
	if out.DefaultLanguage != "" && !slices.Contains(SettingsLanguages, out.DefaultLanguage) {
		fields = append(fields, FieldError{Field: "defaultLanguage", Key: "settings.error.language",
			Message: "Choose one of the listed languages."})
	}
	if !ValidTimeZone(out.DefaultTimeZone) {
		fields = append(fields, FieldError{Field: "defaultTimeZone", Key: "settings.error.time_zone",
			Message: "Choose a time zone from the list, such as Europe/London."})
	}
	if !slices.Contains(EssentialVariants, out.EssentialVariant) {
		fields = append(fields, FieldError{Field: "essentialVariant", Key: "settings.error.variant",
			Message: "Choose the standard or the UK essential-user variant."})
	}
	if len(fields) > 0 {
		return out, &Error{Code: EINVALID, Message: fields[0].Message, Key: fields[0].Key, Fields: fields}
	}
	return out, nil
}

// CanReadSettings reports whether the actor may see acc's settings: a
// customer account, and any member of it (impersonating partner staff
// included), the staff of its partner in Partnerdesk (not while
// impersonating), or the operator.
func CanReadSettings(a *Actor, acc *Account) bool {
	if a == nil || acc == nil || acc.Kind != AccountCustomer {
		return false
	}
	return AccessTo(a, acc) >= AccessMember || (IsPartnerStaffOf(a, acc) && !a.Impersonating())
}

// CanEditSettings reports whether the actor may change acc's settings: the
// operator; the account's Owner; whoever acts there with customer.settings
// (its holders, partner staff impersonating in configure mode or calling
// the API through a configure grant); the partner.admin of its partner
// while the legacy rule allows (SPEC §4), as themselves, not impersonating.
func CanEditSettings(a *Actor, acc *Account) bool {
	switch {
	case !CanReadSettings(a, acc):
		return false
	case a.Operator:
		return true
	}
	roles, owner := ActingRoles(a, acc)
	if owner || slices.Contains(roles, RoleSettings) {
		return true
	}
	return !a.Impersonating() && legacyPartnerAdmin(a, acc)
}

// AuthorizeSettingsEdit returns nil when the actor may change acc's
// settings; else ENOTFOUND for an account they may not see at all,
// EAccessRequestRequired for partner staff of acc's partner outside the
// legacy rule without a grant there (they get in with a configure-mode one), EFORBIDDEN for
// everyone else who may read them, EUNAUTHORIZED without an actor.
func AuthorizeSettingsEdit(a *Actor, acc *Account) error {
	switch {
	case a == nil:
		return Errorf(EUNAUTHORIZED, "Sign in first.")
	case CanEditSettings(a, acc):
		return nil
	case !CanReadSettings(a, acc):
		return Errorf(ENOTFOUND, "Not found.")
	case IsPartnerStaffOf(a, acc) && !a.Impersonating() && !acc.LegacyPartnerAccess() && a.grantAt(acc.ID) == nil:
		return ErrAccessRequestRequired(acc)
	}
	return &Error{Code: EFORBIDDEN, Key: "settings.error.forbidden",
		Message: "Only the account Owner and users with the Customer settings role can change the account settings."}
}

// SettingsPage is what the Settings tab shows.
type SettingsPage struct {
	// Account is the customer as stored, its Settings included.
	Account *Account
	// CanEdit: the actor may change the settings (CanEditSettings).
	CanEdit bool
	// EssentialHolders is how many users (of any status) hold the
	// account's essential-user role now: changing the variant converts them.
	EssentialHolders int
}

// SettingsChange is the outcome of a change of the settings.
type SettingsChange struct {
	// Account is the customer as stored after the change.
	Account *Account
	// Converted is how many users' essential-user role was converted to the
	// new variant's (0 when the variant stayed).
	Converted int
}

// AccountSettingsService reads and changes a customer's settings. Every
// method authorizes the actor in ctx.
type AccountSettingsService interface {
	// AccountSettings returns the settings page of customer accountID.
	// ENOTFOUND when the actor may not read them (CanReadSettings), or the
	// account is a partner's.
	AccountSettings(ctx context.Context, accountID int64) (*SettingsPage, error)
	// UpdateAccountSettings changes the settings in one transaction,
	// audited as account.settings_update with the changed values before
	// and after (no entry when nothing changed). A change of the
	// essential-user variant converts, in the same transaction, every
	// holder of the former essential-user role to the new one (each an
	// audited, licensed user.update that follows the rules, R1–R8). Errors
	// as AuthorizeSettingsEdit, then EINVALID with Fields
	// (ValidateAccountSettings).
	UpdateAccountSettings(ctx context.Context, accountID int64, in AccountSettings) (*SettingsChange, error)
}

// CanEditSecurity reports whether the actor may change acc's Security tab:
// the operator and the account's Owner; in an account without an Owner
// (hasOwner false; SPEC §1), its own user admins, as themselves (partner
// staff never: impersonating or not).
func CanEditSecurity(a *Actor, acc *Account, hasOwner bool) bool {
	switch {
	case a == nil || acc == nil:
		return false
	case a.Operator:
		return true
	case a.User == nil || a.User.AccountID != acc.ID || a.Impersonating():
		return false
	case a.User.IsOwner:
		return true
	}
	return !hasOwner && IsUserAdmin(a.User)
}

// SettingsReads are the settings' reads outside a transaction.
type SettingsReads interface {
	// CountRoleHolders counts the users of accountID (any status) who hold role.
	CountRoleHolders(ctx context.Context, accountID int64, role string) (int, error)
	// AccountHasOwner reports whether accountID has an Owner.
	AccountHasOwner(ctx context.Context, accountID int64) (bool, error)
}

// SettingsTx are the settings' reads and writes in a transaction.
type SettingsTx interface {
	SettingsReads
	// SetAccountSettings stores a customer's settings.
	SetAccountSettings(ctx context.Context, accountID int64, s AccountSettings) error
	// RoleHolderIDs lists the users of accountID (any status) who hold
	// role, by name.
	RoleHolderIDs(ctx context.Context, accountID int64, role string) ([]int64, error)
}
