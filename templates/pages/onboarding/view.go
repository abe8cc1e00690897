// Package onboarding holds the user import pages (About account › Users ›
// Import users) and Partnerdesk's New customer wizard. Both work without
// JavaScript: what was uploaded or typed travels in the form from one
// step to the next, and nothing is stored before the last one.
package onboarding

import (
	"strconv"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/templates/components"
	"github.com/tenantdesk/tenantdesk/templates/pages/account"
)

// URLs of the pages.
const (
	ImportURL         = "/account/users/import"
	ImportPreviewURL  = "/account/users/import/preview"
	ImportTemplateURL = "/account/users/import/template.csv"
	WizardURL         = "/partner/customers/new"
)

// MaxShownValidRows is how many valid rows a preview lists; every row with
// a problem is always listed.
const MaxShownValidRows = 1000

// Issue is one problem (or warning) of a row, translated.
type Issue struct {
	Field   string // the column: displayName, email, extension, roles, acdAgent
	Label   string // the column's translated name
	Message string
}

// Row is one row of an import table.
type Row struct {
	Row         int
	DisplayName string
	Email       string
	Extension   string
	// Roles are the translated names of the roles the user gets (valid
	// rows) or of those the row asks for (invalid rows).
	Roles    []string
	ACDAgent bool
	Status   string // tenantdesk.ImportValid, ImportImported or ImportInvalid
	// UserURL leads to an imported user's page ("" otherwise).
	UserURL  string
	Errors   []Issue
	Warnings []Issue
}

// Table is the rows of a preview or a result with the counts.
type Table struct {
	Rows     []Row
	Total    int
	Valid    int
	Invalid  int
	Imported int
	// HiddenValid counts the valid rows not listed (beyond MaxShownValidRows).
	HiddenValid int
	// Done: the rows were imported (a result, not a preview).
	Done bool
	// InWizard: the onboarding wizard's users, which say on their own
	// what becomes of rows with problems.
	InWizard bool
}

// ImportView is a page of the import on the Users tab.
type ImportView struct {
	Account *tenantdesk.Account
	Access  account.Access
	// CSV is the file's text as pasted or uploaded, carried to the next step.
	CSV string
	// FileError is why the file cannot be read at all.
	FileError string
	Table     Table
	// AutoAssigned names who got a role automatically (R7), "" for none.
	AutoAssigned string
}

// TypedRow is a user typed in on the wizard's step 3.
type TypedRow struct {
	DisplayName string
	Email       string
	Extension   string
	Roles       string // role keys separated by ";" (or "|", ",", spaces)
	ACDAgent    bool
}

// Empty reports whether nothing was typed in the row.
func (r TypedRow) Empty() bool {
	return r.DisplayName == "" && r.Email == "" && r.Extension == "" && r.Roles == "" && !r.ACDAgent
}

// WizardForm is everything typed in the wizard so far, carried from step
// to step in the form (hidden fields for the steps not shown).
type WizardForm struct {
	// Step 1: the account and its phone-platform connection.
	Name         string
	Reference    string
	Description  string
	ConnPlatform string
	ConnHost     string
	ConnPort     string
	ConnTLS      bool
	ConnExtra    string // more connection details, a JSON object
	// Step 2: the first admin.
	AdminName  string
	AdminEmail string
	AdminOwner bool
	AdminRoles []string
	// Step 3: more users.
	Typed    []TypedRow
	UsersCSV string
}

// Wizard steps.
const (
	StepAccount = 1
	StepAdmin   = 2
	StepUsers   = 3
	StepSummary = 4
)

// MaxTypedRows bounds the rows typed in on step 3 (more users: import a file).
const MaxTypedRows = 20

// Problem is one entry of a step's error summary, linked to its field.
type Problem = components.Problem

// WizardView is one step of the wizard.
type WizardView struct {
	Step int
	Form WizardForm
	// Errors are translated field errors by the form's field ids; Problems
	// the summary above the form.
	Errors   map[string]string
	Problems []Problem
	// Groups is the role editor of step 2.
	Groups []account.RoleGroup
	// Users is the preview of the extra users (step 3 after Preview, step 4).
	Users *Table
	// Summary (step 4).
	Connection string   // the connection as it will be stored, indented
	AdminRoles []string // translated names
	// Focus is the id of the element that takes the focus on load ("" none).
	Focus string
}

func (v WizardView) err(field string) string { return v.Errors[field] }

// RoleChecked reports whether the admin's roles include key.
func (f WizardForm) RoleChecked(key string) bool {
	for _, r := range f.AdminRoles {
		if r == key {
			return true
		}
	}
	return false
}

// typedName is the form name of a typed row's field.
func typedName(i int, field string) string { return "t" + strconv.Itoa(i) + "." + field }

// TypedName is typedName for the web layer, which reads the form.
func TypedName(i int, field string) string { return typedName(i, field) }

// roleOptions are the role editor's checkboxes for group g; ids start with prefix.
func roleOptions(g account.RoleGroup, prefix string) []components.CheckboxOption {
	out := make([]components.CheckboxOption, 0, len(g.Roles)+1)
	if g.Exclusive {
		none := components.CheckboxOption{ID: prefix + g.Key + "-none", Value: "", Checked: true, Label: noneLabel()}
		for _, r := range g.Roles {
			if r.Checked {
				none.Checked = false
			}
		}
		out = append(out, none)
	}
	for _, r := range g.Roles {
		out = append(out, components.CheckboxOption{ID: prefix + r.Key, Value: r.Key, Checked: r.Checked, Label: roleLabel(r)})
	}
	return out
}

func statusClass(status string) string {
	switch status {
	case tenantdesk.ImportInvalid:
		return "badge badge-red"
	case tenantdesk.ImportImported:
		return "badge badge-green"
	}
	return "badge badge-blue"
}
