package tenantdesk_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func TestParseImportCSV(t *testing.T) {
	rows, err := tenantdesk.ParseImportCSV([]byte("\xef\xbb\xbfEmail; DisplayName ;acdAgent;roles\r\n" +
		"ann@x.example;Ann;Yes;customer.user|customer.user.supervisorl1\r\n" +
		"\r\n" +
		"bob@x.example;\"Bob; Jr\";maybe;\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	if r := rows[0]; r.DisplayName != "Ann" || r.Email != "ann@x.example" || !r.ACDAgent ||
		!slices.Equal(r.Roles, []string{"customer.user", "customer.user.supervisorl1"}) || len(r.Issues) != 0 {
		t.Errorf("row 1: %+v", r)
	}
	if r := rows[1]; r.DisplayName != "Bob; Jr" || r.ACDAgent || len(r.Issues) != 1 || r.Issues[0].Field != "acdAgent" {
		t.Errorf("row 2: %+v", r)
	}
	// What the template and FormatImportCSV write reads back the same.
	back, err := tenantdesk.ParseImportCSV([]byte(tenantdesk.FormatImportCSV(rows[:1])))
	if err != nil || back[0].DisplayName != "Ann" || !back[0].ACDAgent || len(back[0].Roles) != 2 {
		t.Errorf("round trip: %+v %v", back, err)
	}

	for _, c := range []struct{ name, csv, key string }{
		{"empty", "", "import.error.no_header"},
		{"header only", "displayName,email\n", "import.error.no_rows"},
		{"unknown column", "displayName,email,phone\nA,a@x.example,1\n", "import.error.unknown_column"},
		{"no email column", "displayName,extension\nA,12\n", "import.error.missing_column"},
		{"column twice", "email,displayName,Email\n", "import.error.duplicate_column"},
		{"broken quotes", "displayName,email\n\"A,a@x.example\nB\"x,b\n", "import.error.csv"},
		{"not UTF-8", "displayName,email\n\xff,a@x.example\n", "import.error.file_encoding"},
		{"too many rows", "displayName,email\n" + strings.Repeat("A,a@x.example\n", tenantdesk.MaxImportRows+1), "import.error.too_many_rows"},
	} {
		_, err := tenantdesk.ParseImportCSV([]byte(c.csv))
		de := tenantdesk.AsError(err)
		if de == nil || de.Code != tenantdesk.EINVALID || de.Key != c.key || len(de.Fields) != 1 {
			t.Errorf("%s: %v, want %s", c.name, err, c.key)
		}
	}
}

func TestImportIssuesKeepEveryRuleCode(t *testing.T) {
	st := tenantdesk.AccountState{Kind: tenantdesk.AccountCustomer, Admins: 1}
	u := &tenantdesk.User{DisplayName: "", Email: "x@x.example", Status: tenantdesk.UserInvited,
		Roles: []string{"no.such", "customer.user.supervisorl1", "customer.user.supervisorl2", "customer.user.pbx"}}
	err := tenantdesk.CheckUserChange(st, nil, u)
	var got []string
	for _, is := range tenantdesk.ImportIssues(err, u.Roles, st) {
		got = append(got, is.Field+":"+is.Code)
	}
	want := []string{"displayName:invalid", "roles:unknown_role", "roles:role_prerequisite_missing", "roles:role_prerequisite_missing", "roles:supervisor_roles_exclusive"}
	if !slices.Equal(got, want) {
		t.Errorf("issues %v, want %v", got, want)
	}
	// R4, which is about no field, lands on roles.
	st.Admins = 0
	u = &tenantdesk.User{DisplayName: "A", Email: "a@x.example", Status: tenantdesk.UserInvited}
	is := tenantdesk.ImportIssues(tenantdesk.CheckUserChange(st, nil, u), nil, st)
	if fmt.Sprint(is[0].Field, is[0].Code) != "roles"+tenantdesk.EAdminRequiredFirst {
		t.Errorf("R4: %+v", is)
	}
}
