// Package settings is a customer's settings form (issue 12): About account ›
// Settings and the same form on a customer's page in Partnerdesk. The
// handlers (web/account_settings.go) decide who may edit; the form only
// shows what the view model says.
package settings

import (
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
)

// Language is one language offered as the default of new users.
type Language struct {
	Tag  string // BCP 47, e.g. "ru"
	Name string // the language's own name
}

// FormView is the settings form (or, for readers, the settings as text).
type FormView struct {
	// Action is where the form posts.
	Action string
	// CanEdit shows the form; otherwise the settings are read-only text
	// with ReadOnlyNote (translated) saying who changes them.
	CanEdit      bool
	ReadOnlyNote string
	// Values are the settings as stored, or as entered after an error;
	// TimeZone is the time zone as typed ("UTC" for none).
	Values   tenantdesk.AccountSettings
	TimeZone string
	// StoredVariant is the account's essential-user variant as stored, and
	// EssentialHolders how many users hold its role now (changing the
	// variant converts them).
	StoredVariant    string
	EssentialHolders int
	Languages        []Language
	TimeZones        []string
	// Fields are the translated errors by field; Error is the summary
	// above the form after a failed save.
	Fields map[string]string
	Error  string
}

// languageOptions are the choices of the language select: no default (each
// user's browser language), then every language offered.
func (v FormView) languageOptions(none string) []components.Option {
	opts := []components.Option{{Value: "", Label: none, Selected: v.Values.DefaultLanguage == ""}}
	for _, l := range v.Languages {
		opts = append(opts, components.Option{Value: l.Tag, Label: l.Name, Lang: l.Tag, Selected: v.Values.DefaultLanguage == l.Tag})
	}
	return opts
}

// languageName is the stored language's name, "" for none.
func (v FormView) languageName() string {
	for _, l := range v.Languages {
		if l.Tag == v.Values.DefaultLanguage {
			return l.Name
		}
	}
	return ""
}

// variantChecked reports whether variant is the one the form shows chosen.
func (v FormView) variantChecked(variant string) bool {
	return tenantdesk.AccountSettings{EssentialVariant: v.Values.EssentialVariant}.Variant() == variant
}

// storedEssentialRole and otherEssentialRole are the stored variant's
// essential-user role and the one a change of variant gives its holders.
func (v FormView) storedEssentialRole() string {
	return tenantdesk.AccountSettings{EssentialVariant: v.StoredVariant}.EssentialRole()
}

func (v FormView) otherEssentialRole() string {
	return tenantdesk.AccountSettings{EssentialVariant: v.StoredVariant}.OtherEssentialRole()
}

// describedBy names the hint and, when shown, the error of a fieldset.
func describedBy(id string, err string) string {
	if err != "" {
		return id + "-hint " + id + "-error"
	}
	return id + "-hint"
}
