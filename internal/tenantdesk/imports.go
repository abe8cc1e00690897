package tenantdesk

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// User import (seed 001 step 2, seed 003's automatic roles): many users
// created from rows of a CSV file or a JSON list, previewed first. Every
// row goes through the one rule function (CheckUserChange) as if the
// earlier valid rows of the same import were written already; importing
// writes every valid row in one transaction and reports the others.

// Limits of one import.
const (
	// MaxImportRows is the most rows one import takes.
	MaxImportRows = 10000
	// MaxImportBytes bounds the CSV text (or JSON body) of one import.
	MaxImportBytes = 4 << 20
)

// Codes of import rows (beside EINVALID, EEmailTaken and the rule codes).
const (
	// EDuplicateEmail: the row's email is in an earlier row of the same import.
	EDuplicateEmail = "duplicate_email"
	// WACDNotAssigned: a row marked as an ACD agent did not get
	// customer.user.acd (a warning: the user is still created).
	WACDNotAssigned = "acd_not_assigned"
)

// AuditUserImport is the summary entry of an import (the users' own
// user.create entries say "source": "import").
const AuditUserImport = "user.import"

// ImportColumns are the CSV header's columns, in the template's order.
var ImportColumns = []string{"displayName", "email", "extension", "roles", "acdAgent"}

// Import row statuses.
const (
	ImportValid    = "valid"    // preview: would be imported
	ImportImported = "imported" // import: created
	ImportInvalid  = "invalid"  // not imported; Errors say why
)

// ImportRow is one user to import as given.
type ImportRow struct {
	DisplayName string
	Email       string
	// Extension is the user's phone extension (2–10 digits, optional).
	// Users have no extension of their own yet: it is checked and kept
	// in the audit entry of the user's creation.
	Extension string
	// Roles are role keys besides the account's essential-user role,
	// which every imported user gets.
	Roles []string
	// ACDAgent marks a call-centre agent: customer.user.acd is added when
	// the account's AutoAssignACD setting is on.
	ACDAgent bool
	// Issues are problems found while reading the row (a CSV cell that is
	// not a yes/no); they make the row invalid.
	Issues []ImportIssue
}

// ImportIssue is one problem (or warning) of a row, on one field.
type ImportIssue struct {
	Field   string // displayName, email, extension, roles or acdAgent
	Code    string // EINVALID, EEmailTaken, EDuplicateEmail, a rule code, WACDNotAssigned
	Message string // English
	// Key and Args translate Message.
	Key  string
	Args map[string]any
}

// ImportRowResult is what became (or would become) of one row.
type ImportRowResult struct {
	Row    int // 1-based, in the order given (the first row under a CSV header is 1)
	Input  ImportRow
	Status string // ImportValid, ImportImported or ImportInvalid
	// Roles are the roles the user gets (valid and imported rows).
	Roles []string
	// User is the created user (imported rows).
	User     *User
	Errors   []ImportIssue
	Warnings []ImportIssue
}

// ImportResult is a preview or an import: every row in order.
type ImportResult struct {
	Rows []ImportRowResult
	// Valid counts the rows that pass (preview) or passed (import).
	Valid int
	// Imported counts the users created (0 in a preview).
	Imported int
	Invalid  int
	// AutoAssigned lists roles given automatically by the import (R7).
	AutoAssigned []AutoAssignment
}

// UserImportService imports users into a customer account. Both methods
// need AccessUserAdmin on the account (its Owner and user admins, the
// partner.admin while the legacy rule holds, support-mode impersonators):
// ENOTFOUND for an account the actor may not see (and for partner
// accounts), EFORBIDDEN for its other members; EINVALID when there are
// no rows or more than MaxImportRows.
type UserImportService interface {
	// Preview checks every row and writes nothing.
	Preview(ctx context.Context, accountID int64, rows []ImportRow) (*ImportResult, error)
	// Import creates the users of every valid row in one transaction,
	// each audited as user.create, with an activation email for those who
	// may sign in, and reports the other rows with their problems.
	Import(ctx context.Context, accountID int64, rows []ImportRow) (*ImportResult, error)
}

// CheckImportSize refuses an import without rows or with too many.
func CheckImportSize(n int) error {
	switch {
	case n == 0:
		return &Error{Code: EINVALID, Key: "import.error.no_rows", Message: "There are no rows to import.",
			Fields: []FieldError{{Field: "rows", Key: "import.error.no_rows", Message: "There are no rows to import."}}}
	case n > MaxImportRows:
		msg := fmt.Sprintf("An import takes at most %d rows; this one has %d. Split the file.", MaxImportRows, n)
		args := map[string]any{"Max": MaxImportRows, "Count": n}
		return &Error{Code: EINVALID, Key: "import.error.too_many_rows", Args: args, Message: msg,
			Fields: []FieldError{{Field: "rows", Key: "import.error.too_many_rows", Args: args, Message: msg}}}
	}
	return nil
}

// ValidateImportExtension checks an import row's extension: empty, or 2 to
// 10 digits as a device's.
func ValidateImportExtension(ext string) *ImportIssue {
	if ext = strings.TrimSpace(ext); ext == "" || validExtension(ext) {
		return nil
	}
	return &ImportIssue{Field: "extension", Code: EINVALID, Key: "device.error.extension_invalid", Message: "Extension must be 2 to 10 digits."}
}

// SplitRoleList splits a cell of role keys separated by ";", "|", ","
// or spaces.
func SplitRoleList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == '|' || r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// ParseYesNo reads an ACD agent cell: yes/no, true/false, 1/0, y/n, x
// (any case); empty is no.
func ParseYesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "no", "n", "false", "f":
		return false, true
	case "1", "yes", "y", "true", "t", "x":
		return true, true
	}
	return false, false
}

// ParseImportCSV reads an import file: a header row naming the columns
// (ImportColumns, any order and letter case; displayName and email are
// required; commas, or semicolons or tabs as a spreadsheet may write them),
// then one user a row. Blank lines are skipped. A bad cell is an issue of
// its row; a file that cannot be read as such (no header, an unknown
// column, broken quoting, more than MaxImportRows rows) is EINVALID on
// field "file".
// cellBreaks makes every line break inside a cell "\n".
var cellBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

func ParseImportCSV(data []byte) ([]ImportRow, error) {
	if len(data) > MaxImportBytes {
		return nil, fileError("import.error.file_too_large", fmt.Sprintf("The file is larger than %d MiB.", MaxImportBytes>>20),
			map[string]any{"MiB": MaxImportBytes >> 20})
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark, as spreadsheets write it
	if !utf8.Valid(data) {
		return nil, fileError("import.error.file_encoding", "The file is not UTF-8 text. Save it as CSV UTF-8.", nil)
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	if !bytes.ContainsRune(first, ',') {
		if bytes.ContainsRune(first, ';') {
			r.Comma = ';'
		} else if bytes.ContainsRune(first, '\t') {
			r.Comma = '\t'
		}
	}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fileError("import.error.no_header", "The file is empty: the first row must name the columns (displayName,email,extension,roles,acdAgent).", nil)
	} else if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		name := ""
		for _, c := range ImportColumns {
			if strings.EqualFold(strings.TrimSpace(h), c) {
				name = c
			}
		}
		if name == "" {
			return nil, fileError("import.error.unknown_column",
				fmt.Sprintf("Unknown column %q: the first row must name the columns (displayName,email,extension,roles,acdAgent).", h),
				map[string]any{"Column": h})
		}
		if _, dup := col[name]; dup {
			return nil, fileError("import.error.duplicate_column", fmt.Sprintf("Column %q is named twice.", name), map[string]any{"Column": name})
		}
		col[name] = i
	}
	for _, need := range []string{"displayName", "email"} {
		if _, ok := col[need]; !ok {
			return nil, fileError("import.error.missing_column", fmt.Sprintf("The file has no %q column.", need), map[string]any{"Column": need})
		}
	}
	cell := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			// A line break inside a quoted cell reads as "\n" whatever
			// the file used: encoding/csv turns a "\r\n" there into "\n"
			// but keeps a lone "\r", so "0\r\r\n0" would read as "0\r\n0"
			// once and "0\n0" after a round trip (found by FuzzImportCSV).
			return strings.TrimSpace(cellBreaks.Replace(rec[i]))
		}
		return ""
	}
	var rows []ImportRow
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, csvError(err)
		}
		if blank(rec) {
			continue
		}
		if len(rows) == MaxImportRows {
			return nil, CheckImportSize(MaxImportRows + 1)
		}
		row := ImportRow{DisplayName: cell(rec, "displayName"), Email: cell(rec, "email"), Extension: cell(rec, "extension"),
			Roles: SplitRoleList(cell(rec, "roles"))}
		if v := cell(rec, "acdAgent"); v != "" {
			yes, ok := ParseYesNo(v)
			if !ok {
				row.Issues = append(row.Issues, ImportIssue{Field: "acdAgent", Code: EINVALID, Key: "import.error.acd_agent",
					Args: map[string]any{"Value": v}, Message: fmt.Sprintf("ACD agent must be yes or no, not %q.", v)})
			}
			row.ACDAgent = yes
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, fileError("import.error.no_rows", "There are no rows to import.", nil)
	}
	return rows, nil
}

// FormatImportCSV writes rows as an import file (with the header), the
// inverse of ParseImportCSV for rows without issues.
func FormatImportCSV(rows []ImportRow) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(ImportColumns)
	for _, r := range rows {
		acd := ""
		if r.ACDAgent {
			acd = "yes"
		}
		_ = w.Write([]string{r.DisplayName, r.Email, r.Extension, strings.Join(r.Roles, ";"), acd})
	}
	w.Flush()
	return b.String()
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func fileError(key, msg string, args map[string]any) *Error {
	return &Error{Code: EINVALID, Key: key, Args: args, Message: msg,
		Fields: []FieldError{{Field: "file", Key: key, Args: args, Message: msg}}}
}

func csvError(err error) *Error {
	var pe *csv.ParseError
	line := 0
	if errors.As(err, &pe) {
		line = pe.Line
	}
	return fileError("import.error.csv", fmt.Sprintf("The file is not valid CSV (line %d): check the quotes.", line), map[string]any{"Line": line})
}

// ImportIssues lists the problems of a rejected user as import issues, one
// per problem, with the code of each: err is what CheckUserChange (or the
// write) returned for a user with roles in an account in state st.
// Field errors keep their field (the role problems of R6, R1 and R2 each
// with its own code); a rule about the whole account (R4) is on "roles".
func ImportIssues(err error, roles []string, st AccountState) []ImportIssue {
	e := AsError(err)
	if e == nil {
		return []ImportIssue{{Field: "roles", Code: EINTERNAL, Message: "The row could not be checked."}}
	}
	if len(e.Fields) == 0 {
		return []ImportIssue{{Field: "roles", Code: e.Code, Message: e.Message, Key: e.Key, Args: e.Args}}
	}
	// The role problems in CheckUserChange's order, for their codes.
	var roleProblems []*Error
	nRoleFields := 0
	for _, f := range e.Fields {
		if f.Field == "roles" {
			nRoleFields++
		}
	}
	if nRoleFields > 0 {
		if p := roleSetProblemsIn(roles, st.Kind == AccountPartner, st.Settings(), true); len(p) == nRoleFields {
			roleProblems = p
		}
	}
	out := make([]ImportIssue, 0, len(e.Fields))
	ri := 0
	for _, f := range e.Fields {
		code := e.Code
		switch {
		case f.Field == "roles" && roleProblems != nil:
			code = roleProblems[ri].Code
			ri++
		case f.Field == "displayName" || (f.Field == "email" && e.Code == EINVALID):
			code = EINVALID
		}
		out = append(out, ImportIssue{Field: f.Field, Code: code, Message: f.Message, Key: f.Key, Args: f.Args})
	}
	return out
}

// ---- onboarding ----

// OnboardingAdmin is the first admin of a new customer (the wizard's step 2).
type OnboardingAdmin struct {
	DisplayName string
	Email       string
	// Owner makes them the account's Owner (SPEC §1): every permission
	// role, which nobody can reduce; Roles then adds the others.
	Owner bool
	Roles []string
}

// OnboardingInput is the whole onboarding wizard: the customer (its Owner
// field is not used), the first admin and more users (import rows).
type OnboardingInput struct {
	Customer NewCustomer
	Admin    OnboardingAdmin
	Users    []ImportRow
}

// OnboardingCheck says what is wrong with an onboarding before anything is
// written: each part's error (nil when fine: *Error values with Fields
// named as in the API, the admin's as "admin.displayName", "admin.email",
// "admin.roles") and the extra users' preview, as if the customer and its
// admin were written.
type OnboardingCheck struct {
	Customer error
	Admin    error
	Users    *ImportResult
}

// Onboarded is a customer created by the wizard.
type Onboarded struct {
	Customer *Customer
	Admin    *User
	Users    *ImportResult // nil without extra users
}

// OnboardingService is the partner's onboarding wizard (Partnerdesk ›
// Customers › New customer). Both methods need partner.admin in a partner
// account (EFORBIDDEN otherwise).
type OnboardingService interface {
	// CheckOnboarding checks the input as Onboard would and writes nothing.
	CheckOnboarding(ctx context.Context, in OnboardingInput) (*OnboardingCheck, error)
	// Onboard creates the customer, its first admin (activation email
	// queued) and the valid extra users in one transaction, with the
	// rules, codes and audit entries of the API. EINVALID, EEmailTaken or
	// a rule code (fields as in OnboardingCheck) when the customer or the
	// admin cannot be created; invalid extra rows are reported, not created.
	Onboard(ctx context.Context, in OnboardingInput) (*Onboarded, error)
}
