package tenantdesk_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Fuzz targets of the domain's validators and parsers of outside input
// (issue 15). Each asserts properties, not only "no panic": what a
// validator accepts stays accepted after the normalizer, parsers round-trip
// through their formatters, and every refusal is a *tenantdesk.Error (or a
// FieldError) naming its field with a message key. `make fuzz` runs each
// for FUZZTIME; `go test` runs the seeds and testdata/fuzz/<Target>/.

// fieldErrorOK fails t unless fe names field and has a message and a key.
func fieldErrorOK(t *testing.T, fe *tenantdesk.FieldError, field string) {
	t.Helper()
	if fe.Field != field || fe.Message == "" || fe.Key == "" {
		t.Fatalf("field error %+v: want field %q with a message and a key", fe, field)
	}
}

// errorOK fails t unless err is a *tenantdesk.Error with code and, when
// field is set, every field error on it with a message.
func errorOK(t *testing.T, err error, code, field string) *tenantdesk.Error {
	t.Helper()
	var e *tenantdesk.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v: want a *tenantdesk.Error", err, err)
	}
	if e.Code != code || e.Message == "" {
		t.Fatalf("error %+v: want code %q with a message", e, code)
	}
	if field != "" {
		if len(e.Fields) == 0 {
			t.Fatalf("error %+v: want field errors on %q", e, field)
		}
		for _, f := range e.Fields {
			if f.Field != field || f.Message == "" {
				t.Fatalf("error %+v: field error %+v, want field %q with a message", e, f, field)
			}
		}
	}
	return e
}

func FuzzEmail(f *testing.F) {
	for _, s := range []string{
		"tom.sawyer@fence.example", " Tom.Sawyer@Fence.Example ", "a@b.co", "", "a@b", "@b.co", "a@@b.co",
		"\"quoted local\"@example.com", "Tom <tom@fence.example>", "tom@fence.example, huck@fence.example",
		"tom@[127.0.0.1]", "tom@fence..example", "to\u0130m@fence.example", "\u212aate@fence.example",
		"tom@fence.example\n", "t\x00om@fence.example", strings.Repeat("a", 190) + "@fence.example",
		"тест@пример.рф", "tom(comment)@fence.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, email string) {
		norm := tenantdesk.NormalizeEmail(email)
		if again := tenantdesk.NormalizeEmail(norm); again != norm {
			t.Fatalf("NormalizeEmail is not idempotent: %q -> %q -> %q", email, norm, again)
		}
		fe := tenantdesk.ValidateEmail(email)
		if fe != nil {
			fieldErrorOK(t, fe, "email")
			return
		}
		// Accepted: what is stored and compared (trimmed, and its
		// normalized key) is accepted too, so the normalizer never turns
		// a valid address into one the rules refuse.
		trimmed := strings.TrimSpace(email)
		if fe := tenantdesk.ValidateEmail(trimmed); fe != nil {
			t.Fatalf("ValidateEmail accepts %q but not its trimmed form: %+v", email, fe)
		}
		if fe := tenantdesk.ValidateEmail(norm); fe != nil {
			t.Fatalf("ValidateEmail accepts %q but not its normalized form %q: %+v", email, norm, fe)
		}
		if !utf8.ValidString(trimmed) || utf8.RuneCountInString(trimmed) > tenantdesk.MaxEmailLen {
			t.Fatalf("ValidateEmail accepts %q: not text or too long", email)
		}
		if strings.Count(trimmed, "@") < 1 || strings.ContainsFunc(trimmed, func(r rune) bool { return unicode.IsControl(r) || r == '<' || r == ',' }) {
			t.Fatalf("ValidateEmail accepts %q: not a plain address", email)
		}
	})
}

func FuzzDisplayName(f *testing.F) {
	for _, s := range []string{"Tom Sawyer", " ", "", "Tom\nSawyer", "Tom\u202eSawyer", "\ufeffTom", strings.Repeat("x", 100),
		strings.Repeat("é", 101), "Tom\xffSawyer", "  Huck  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		fe := tenantdesk.ValidateDisplayName(name)
		if fe != nil {
			fieldErrorOK(t, fe, "displayName")
			return
		}
		trimmed := strings.TrimSpace(name)
		if fe := tenantdesk.ValidateDisplayName(trimmed); fe != nil {
			t.Fatalf("ValidateDisplayName accepts %q but not its trimmed form: %+v", name, fe)
		}
		n := utf8.RuneCountInString(trimmed)
		if !utf8.ValidString(name) || n == 0 || n > tenantdesk.MaxDisplayNameLen {
			t.Fatalf("ValidateDisplayName accepts %q (%d characters)", name, n)
		}
		for _, r := range name {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
				t.Fatalf("ValidateDisplayName accepts %q with %U", name, r)
			}
		}
		// The Personal data tab trims and checks with the same rule.
		pd, err := tenantdesk.ValidatePersonalData(tenantdesk.PersonalData{DisplayName: name})
		if err != nil || pd.DisplayName != trimmed {
			t.Fatalf("ValidatePersonalData(%q) = %q, %v; want %q, nil", name, pd.DisplayName, err, trimmed)
		}
	})
}

func FuzzRequestName(f *testing.F) {
	for _, s := range []string{"support-2026", "Zugang_Müller", "", "with space", "a/b", strings.Repeat("x", 64),
		strings.Repeat("ж", 65), "name\n", "٣٤٥", "x\u0301", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		fe := tenantdesk.ValidateRequestName(name)
		if fe != nil {
			fieldErrorOK(t, fe, "name")
			return
		}
		if !utf8.ValidString(name) || name == "" || utf8.RuneCountInString(name) > tenantdesk.MaxRequestNameLen {
			t.Fatalf("ValidateRequestName accepts %q", name)
		}
		for _, r := range name {
			if !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '_' && r != '-' {
				t.Fatalf("ValidateRequestName accepts %q with %U", name, r)
			}
		}
		if strings.TrimSpace(name) != name {
			t.Fatalf("ValidateRequestName accepts %q, which trimming changes", name)
		}
	})
}

func FuzzRequestMessage(f *testing.F) {
	for _, s := range []string{"Please let us in.", "line one\nline two", "\u202eevil", strings.Repeat("m", 1001), "\x00", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		fe := tenantdesk.ValidateRequestMessage("message", msg)
		if fe != nil {
			fieldErrorOK(t, fe, "message")
			return
		}
		if utf8.RuneCountInString(msg) > tenantdesk.MaxRequestMessageLen {
			t.Fatalf("ValidateRequestMessage accepts %d characters", utf8.RuneCountInString(msg))
		}
		for _, r := range msg {
			if (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') {
				t.Fatalf("ValidateRequestMessage accepts %q with %U", msg, r)
			}
		}
	})
}

// FuzzRoleSet checks the role rules (R6, R1, R2) on any list of keys, as a
// form's or a JSON body's roles arrive: the answer depends on the set (not
// the order or repetitions), a refusal names "roles" with a rule code, and
// an accepted set is all catalogue roles of the account's kind, each with
// its prerequisites and at most one supervisor level.
func FuzzRoleSet(f *testing.F) {
	f.Add("customer.user customer.user.pbx", false)
	f.Add("customer.user.pbx.realtime", false)
	f.Add("customer.user customer.user.supervisorl1 customer.user.supervisorl3", false)
	f.Add("partner.admin partner.user", true)
	f.Add("partner.admin", false)
	f.Add("customer.user", true)
	f.Add("no.such.role customer.user no.such.role", false)
	f.Add("", false)
	f.Add("customer.user.uc.remote customer.user.uc customer.user.uc.softphone user.admin", false)
	f.Fuzz(func(t *testing.T, list string, partner bool) {
		roles := tenantdesk.SplitRoleList(list)
		err := tenantdesk.CheckRoleSet(roles, partner)
		reversed := slices.Clone(roles)
		slices.Reverse(reversed)
		doubled := append(slices.Clone(roles), roles...)
		for _, other := range [][]string{reversed, doubled, tenantdesk.SortedRoles(roles)} {
			e2 := tenantdesk.CheckRoleSet(other, partner)
			if (err == nil) != (e2 == nil) || !slices.Equal(problemSet(err), problemSet(e2)) {
				t.Fatalf("CheckRoleSet(%q) = %v but CheckRoleSet(%q) = %v: the answer depends on order or repetition", roles, err, other, e2)
			}
		}
		if err != nil {
			e := errorOK(t, err, tenantdesk.ErrorCode(err), "roles")
			switch e.Code {
			case tenantdesk.EUnknownRole, tenantdesk.ERolePrerequisiteMissing, tenantdesk.ESupervisorRolesExclusive:
			default:
				t.Fatalf("CheckRoleSet(%q): code %q is not a role rule's", roles, e.Code)
			}
			return
		}
		held := map[string]bool{}
		for _, k := range roles {
			held[k] = true
		}
		supervisors := 0
		for k := range held {
			r := tenantdesk.LookupRole(k)
			if r == nil || r.Partner != partner {
				t.Fatalf("CheckRoleSet accepts %q in a partner=%v account", k, partner)
			}
			for _, p := range r.Pre {
				if !held[p] {
					t.Fatalf("CheckRoleSet accepts %q without its prerequisite %q", k, p)
				}
			}
			if r.Group == tenantdesk.GroupSupervisor {
				supervisors++
			}
		}
		if supervisors > 1 {
			t.Fatalf("CheckRoleSet accepts %d supervisor levels in %q", supervisors, roles)
		}
	})
}

// problemSet is the sorted messages of err's field errors.
func problemSet(err error) []string {
	e := tenantdesk.AsError(err)
	if e == nil {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Key+": "+f.Message)
	}
	slices.Sort(out)
	return out
}

// FuzzSplitRoleList: the roles cell of an import row splits into non-empty
// keys without separators, and joining them with ";" (FormatImportCSV)
// splits back into the same keys.
func FuzzSplitRoleList(f *testing.F) {
	for _, s := range []string{"customer.user;user.admin", "a | b , c\td", " ;;; ", "", "customer.user\r\nuser.admin"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		keys := tenantdesk.SplitRoleList(cell)
		for _, k := range keys {
			if k == "" || strings.ContainsAny(k, ";|, \t\r\n") {
				t.Fatalf("SplitRoleList(%q) gives %q", cell, k)
			}
		}
		if again := tenantdesk.SplitRoleList(strings.Join(keys, ";")); !slices.Equal(again, keys) {
			t.Fatalf("SplitRoleList round trip: %q -> %q -> %q", cell, keys, again)
		}
		if yes, ok := tenantdesk.ParseYesNo(cell); ok {
			if yes2, ok2 := tenantdesk.ParseYesNo(strings.ToUpper(" " + cell + " ")); !ok2 || yes2 != yes {
				t.Fatalf("ParseYesNo(%q) = %v but not for its upper-case, padded form", cell, yes)
			}
		}
	})
}

// FuzzImportCSV: any file is rows or an EINVALID on field "file"; the rows
// read are trimmed, within the limits, and written back by
// FormatImportCSV they read back the same.
func FuzzImportCSV(f *testing.F) {
	f.Add([]byte("displayName,email,extension,roles,acdAgent\nTom Sawyer,tom@fence.example,201,customer.user;user.admin,yes\n"))
	f.Add([]byte("\xef\xbb\xbfEMAIL;DisplayName\nhuck@fence.example;Huck Finn\n\n;\n"))
	f.Add([]byte("displayName\temail\nBecky\tbecky@fence.example\n"))
	f.Add([]byte("displayName,email\n\"Sawyer, Tom\",\"tom@fence.example\"\n\"broken,quote\n"))
	f.Add([]byte("displayName,email,displayName\na,b,c\n"))
	f.Add([]byte("displayName,email,fax\na,b,c\n"))
	f.Add([]byte("email\nx@y.z\n"))
	f.Add([]byte("displayName,email,acdAgent\nA,a@b.co,maybe\n"))
	f.Add([]byte(""))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte("displayName,email\n\"multi\nline\",m@x.co\n"))
	f.Add([]byte("displayName,email\n\"carriage\rreturn\",m@x.co\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := tenantdesk.ParseImportCSV(data)
		if err != nil {
			e := errorOK(t, err, tenantdesk.EINVALID, "")
			if len(e.Fields) != 1 || (e.Fields[0].Field != "file" && e.Fields[0].Field != "rows") || e.Key == "" {
				t.Fatalf("ParseImportCSV error %+v: want one field error on file", e)
			}
			return
		}
		if len(rows) == 0 || len(rows) > tenantdesk.MaxImportRows {
			t.Fatalf("ParseImportCSV gives %d rows", len(rows))
		}
		var clean []tenantdesk.ImportRow
		for _, r := range rows {
			for _, v := range []string{r.DisplayName, r.Email, r.Extension} {
				if strings.TrimSpace(v) != v {
					t.Fatalf("ParseImportCSV gives an untrimmed cell %q", v)
				}
			}
			// A row may read as blank when its only content is in cells
			// beyond the header's columns (",,0" under two columns): it
			// is kept, and the preview reports it as a row without name
			// and email rather than dropping it silently.
			for _, is := range r.Issues {
				if is.Field != "acdAgent" || is.Code != tenantdesk.EINVALID || is.Key == "" {
					t.Fatalf("ParseImportCSV row issue %+v", is)
				}
			}
			if len(r.Issues) == 0 {
				clean = append(clean, r)
			}
		}
		want := normalizeRows(clean)
		if len(want) == 0 {
			return
		}
		text := tenantdesk.FormatImportCSV(want)
		again, err := tenantdesk.ParseImportCSV([]byte(text))
		if err != nil {
			t.Fatalf("FormatImportCSV's file does not read back: %v\n%s", err, text)
		}
		if got := normalizeRows(again); !reflect.DeepEqual(got, want) {
			t.Fatalf("import round trip:\n got %#v\nwant %#v\nfile %q", got, want, text)
		}
	})
}

// normalizeRows drops rows that are blank once written (a row of only
// spaces in a quoted cell is trimmed to nothing) and nil-vs-empty roles.
func normalizeRows(rows []tenantdesk.ImportRow) []tenantdesk.ImportRow {
	var out []tenantdesk.ImportRow
	for _, r := range rows {
		if len(r.Roles) == 0 {
			r.Roles = nil
		}
		if r.DisplayName == "" && r.Email == "" && r.Extension == "" && r.Roles == nil && !r.ACDAgent {
			continue
		}
		out = append(out, r)
	}
	return out
}

func FuzzImportExtension(f *testing.F) {
	for _, s := range []string{"", "20", "2010", " 201 ", "1", "12345678901", "２０１", "20a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ext string) {
		is := tenantdesk.ValidateImportExtension(ext)
		trimmed := strings.TrimSpace(ext)
		if is != nil {
			if is.Field != "extension" || is.Code != tenantdesk.EINVALID || is.Key == "" {
				t.Fatalf("ValidateImportExtension(%q) issue %+v", ext, is)
			}
			return
		}
		if trimmed == "" {
			return
		}
		if len(trimmed) < 2 || len(trimmed) > 10 || strings.Trim(trimmed, "0123456789") != "" {
			t.Fatalf("ValidateImportExtension accepts %q", ext)
		}
	})
}

// FuzzTimeZone: a zone is accepted only when it is on the offered list and
// loads, and the preferences then pass; anything else is EINVALID on
// timeZone.
func FuzzTimeZone(f *testing.F) {
	for _, s := range []string{"", "UTC", "Europe/Berlin", "europe/berlin", "Local", "../../etc/passwd", "Europe/Berlin ",
		"America/Argentina/Buenos_Aires", "EST5EDT", "Etc/GMT+5", "Europe/Nowhere", "\x00"} {
		f.Add(s, "en")
	}
	f.Add("Europe/Paris", "pt-BR")
	f.Add("UTC", "x-very-long-language-tag-part")
	f.Fuzz(func(t *testing.T, zone, lang string) {
		ok := tenantdesk.ValidTimeZone(zone)
		if ok && zone != "" {
			if !slices.Contains(tenantdesk.TimeZones, zone) {
				t.Fatalf("ValidTimeZone accepts %q, which is not offered", zone)
			}
			if _, err := time.LoadLocation(zone); err != nil {
				t.Fatalf("ValidTimeZone accepts %q, which does not load: %v", zone, err)
			}
		}
		err := tenantdesk.ValidatePreferences(tenantdesk.Preferences{Language: lang, TimeZone: zone})
		if err == nil {
			if !ok {
				t.Fatalf("ValidatePreferences accepts zone %q", zone)
			}
			return
		}
		e := errorOK(t, err, tenantdesk.EINVALID, "")
		for _, fe := range e.Fields {
			if (fe.Field != "timeZone" && fe.Field != "language") || fe.Key == "" {
				t.Fatalf("ValidatePreferences field error %+v", fe)
			}
			if fe.Field == "timeZone" && ok {
				t.Fatalf("ValidatePreferences refuses zone %q, which ValidTimeZone accepts", zone)
			}
		}
	})
}

// FuzzPublicID: a public ID (us…, dv…, tk…, ar… in URLs) parses only when
// formatting its key gives it back, so one key has one spelling.
func FuzzPublicID(f *testing.F) {
	f.Add("usaaaaaaaaaaaab", int64(1))
	f.Add("usiaaaaaaaaaaaa", int64(-1))
	f.Add("usAAAAAAAAAAAAB", int64(0))
	f.Add("dvhzzzzzzzzzzzz", int64(1<<62))
	f.Add("ar", int64(9223372036854775807))
	f.Fuzz(func(t *testing.T, s string, key int64) {
		type idKind struct {
			parse  func(string) (int64, bool)
			format func(int64) string
		}
		kinds := []idKind{
			{tenantdesk.ParseUserID, tenantdesk.FormatUserID},
			{tenantdesk.ParseDeviceID, tenantdesk.FormatDeviceID},
			{tenantdesk.ParseAPITokenID, tenantdesk.FormatAPITokenID},
			{tenantdesk.ParseAccessRequestID, tenantdesk.FormatAccessRequestID},
		}
		for _, k := range kinds {
			if id, ok := k.parse(s); ok {
				if id <= 0 || k.format(id) != s {
					t.Fatalf("%q parses as %d, which formats as %q", s, id, k.format(id))
				}
			}
			if key > 0 {
				if id, ok := k.parse(k.format(key)); !ok || id != key {
					t.Fatalf("key %d formats as %q, which parses as %d, %v", key, k.format(key), id, ok)
				}
			}
		}
	})
}

// FuzzAccessModes: the modes of a request or a form parse only from known
// names, into a set in catalogue order.
func FuzzAccessModes(f *testing.F) {
	f.Add("support,configure")
	f.Add("configure, support,support")
	f.Add("admin")
	f.Add("")
	f.Fuzz(func(t *testing.T, list string) {
		names := strings.Split(list, ",")
		modes, ok := tenantdesk.ParseAccessModes(names)
		if !ok {
			return
		}
		for i, m := range modes {
			if !m.Valid() || (i > 0 && slices.Index(tenantdesk.AccessModes, modes[i-1]) >= slices.Index(tenantdesk.AccessModes, m)) {
				t.Fatalf("ParseAccessModes(%q) = %q", names, modes)
			}
		}
		for _, n := range names {
			if !slices.Contains(modes, tenantdesk.AccessMode(strings.TrimSpace(n))) {
				t.Fatalf("ParseAccessModes(%q) = %q loses %q", names, modes, n)
			}
		}
	})
}
