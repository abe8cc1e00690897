package profile

import (
	"context"
	"time"

	"github.com/tenantdesk/tenantdesk/templates/components"
	"github.com/tenantdesk/tenantdesk/templates/view"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Form is what every My profile form carries back after a failed submit:
// the general error and the per-field ones (translated), with the input kept.
type Form struct {
	Error       string
	FieldErrors map[string]string
}

// FieldError returns the error of one field, "" when it has none.
func (f Form) FieldError(name string) string { return f.FieldErrors[name] }

// PersonalView is the Personal data tab: the personal data form and the
// email change form.
type PersonalView struct {
	Flash       []string
	DisplayName string
	Phone       string
	JobTitle    string
	Email       string // the current email
	Personal    Form
	// NewEmail is the email change form's input.
	NewEmail  string
	EmailForm Form
}

// RightsView is the My rights tab.
type RightsView struct {
	// IsOwner: the Owner's rights are nobody's to change, so the page says
	// that instead of listing managers.
	IsOwner bool
	Groups  []RoleGroup
	// Managers are the others who can change the user's roles.
	Managers []tenantdesk.Manager
	// ManagesUsers: the user is a user admin and may change their own roles.
	ManagesUsers bool
}

// RoleGroup is one group of the catalogue with the roles the user holds in it.
type RoleGroup struct {
	Key   string
	Title string
	Roles []HeldRole
}

// HeldRole is one role the user holds, with its plain-language meaning.
type HeldRole struct {
	Key         string
	Name        string
	Description string
	Licensed    bool
}

// LanguageOption is one interface language offered.
type LanguageOption struct {
	Tag  string
	Name string
}

// PreferencesView is the Time and language tab.
type PreferencesView struct {
	Flash     []string
	Languages []LanguageOption
	Language  string
	TimeZone  string
	TimeZones []string
	// Now is the current time, shown in the saved zone as a preview.
	Now  time.Time
	Form Form
}

// PasswordView is the Password tab.
type PasswordView struct {
	Flash []string
	Form  Form
}

// FTPView is the FTP password tab.
type FTPView struct {
	Flash      []string
	Username   string // the FTP user name: the email
	HomeFolder string
	Credential *tenantdesk.FTPCredential
	Form       Form
	// Endpoint tells whether the portal answers FTP servers (a secret is configured).
	Endpoint bool
}

// SessionsView is the Active sessions tab.
type SessionsView struct {
	Flash    []string
	Error    string
	Sessions []SessionRow
	// Others counts the sessions that are not this one.
	Others int
}

// ConfirmSessionsView is the confirmation of ending sessions, which asks
// for the current password (ASVS 5.0 7.5.2): one other session (Session
// set) or all the others (Others of them).
type ConfirmSessionsView struct {
	Session *SessionRow
	Others  int
	// Form carries the error of a failed attempt (a wrong password).
	Form Form
}

// SessionRow is one session with its device in words.
type SessionRow struct {
	*tenantdesk.SessionInfo
	Device string
}

// EmailConfirmView is the page an email change link opens.
type EmailConfirmView struct {
	Token    string
	Name     string
	OldEmail string
	NewEmail string
	// SignedIn tells where to go afterwards (My profile or sign-in).
	SignedIn bool
}

// LinkProblemView is the page of a dead email change link.
type LinkProblemView struct {
	Expired bool
	Taken   bool
	Message string
}

// field gives a My profile field its data-testids: "field-<id>" on the
// input and "<id>-error" on the error.
func field(p components.FieldProps) components.FieldProps {
	p.TestID = "field-" + p.ID
	p.ErrorTestID = p.ID + "-error"
	return p
}

// languageOptions are the choices of the language select: the browser's
// language (browser is its label), then each language offered.
func (v PreferencesView) languageOptions(browser string) []components.Option {
	opts := []components.Option{{Value: "", Label: browser, Selected: v.Language == ""}}
	for _, l := range v.Languages {
		opts = append(opts, components.Option{Value: l.Tag, Label: l.Name, Lang: l.Tag, Selected: v.Language == l.Tag})
	}
	return opts
}

// ZoneTab is My zone, a tab of partner staff only: it follows My rights.
var ZoneTab = Tab{Key: "zone", Href: "/profile/zone"}

// tabs are My profile's tab bar, labels translated; partner staff (not
// while impersonating a customer) also have My zone.
func tabs(ctx context.Context) []components.Tab {
	out := make([]components.Tab, 0, len(Tabs)+1)
	for _, t := range Tabs {
		out = append(out, components.Tab{Key: t.Key, Href: t.Href, Label: view.T(ctx, "profile.tab."+t.Key)})
		if t.Key == "rights" && isPartnerStaff(ctx) {
			out = append(out, components.Tab{Key: ZoneTab.Key, Href: ZoneTab.Href, Label: view.T(ctx, "profile.tab.zone")})
		}
	}
	return out
}

// isPartnerStaff reports whether the reader works in Partnerdesk in their
// own partner account (partner.admin or partner.user, not impersonating).
func isPartnerStaff(ctx context.Context) bool {
	v := view.From(ctx)
	return v.Impersonation == nil && tenantdesk.IsPartnerStaff(&tenantdesk.Actor{User: v.User, Account: v.Account})
}

// confirmOneBody says which session "Sign out" ends: its device, its IP
// when one was recorded (a session may have none), its last activity.
func confirmOneBody(ctx context.Context, v ConfirmSessionsView) string {
	args := map[string]any{"Device": v.Session.Device, "IP": v.Session.IP, "LastSeen": view.FormatTime(ctx, v.Session.LastSeenAt)}
	if v.Session.IP == "" {
		return view.T(ctx, "profile.sessions.confirm_one_body_no_ip", args)
	}
	return view.T(ctx, "profile.sessions.confirm_one_body", args)
}
