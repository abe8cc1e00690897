package i18n

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestEveryLanguageIsComplete fails when a shipped language lacks a message
// that English has, or has one English lacks (a stale key).
func TestEveryLanguageIsComplete(t *testing.T) {
	en, err := MessageIDs("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range Languages {
		ids, err := MessageIDs(l.Tag)
		if err != nil {
			t.Fatalf("%s: %v", l.Tag, err)
		}
		var missing, extra []string
		for id := range en {
			if !ids[id] {
				missing = append(missing, id)
			}
		}
		for id := range ids {
			if !en[id] {
				extra = append(extra, id)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			t.Errorf("%s lacks %d messages: %s", l.Tag, len(missing), strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			t.Errorf("%s has messages English lacks: %s", l.Tag, strings.Join(extra, ", "))
		}
	}
}

// usedIDs matches message IDs passed as literals in Go and templ sources.
// Domain errors carry their message ID as Key; the role catalogue's Key
// fields are role keys, not message IDs, and are skipped below.
var usedIDs = regexp.MustCompile(`(?:view\.[TN]\(ctx,\s*|\.T\(|\.N\(|Key\s*[:=]\s*)"([a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// TestEveryUsedMessageExists scans the sources for message IDs and fails
// when English (and so, by the test above, every language) lacks one.
func TestEveryUsedMessageExists(t *testing.T) {
	en, err := MessageIDs("en")
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	found := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "data") {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_templ.go") || strings.HasSuffix(path, "_test.go") || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".templ")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range usedIDs.FindAllStringSubmatch(string(b), -1) {
			if tenantdesk.LookupRole(m[1]) != nil {
				continue
			}
			found++
			if !en[m[1]] {
				t.Errorf("%s uses message %q, missing from locales/en/", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Fatalf("found only %d message uses: the scanner is broken", found)
	}
	// Role names are looked up by key, not by literal.
	for _, r := range tenantdesk.Catalogue {
		if !en["role."+r.Key+".name"] {
			t.Errorf("role %s has no translated name", r.Key)
		}
	}
}

func TestMatchAndTranslate(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ pref, accept, want string }{
		{"", "ru-RU,ru;q=0.9,en;q=0.8", "ru"},
		{"", "de-DE", "de"},
		{"", "fr-CA,fr;q=0.9", "fr"},
		{"", "pt-BR,pt;q=0.9,en;q=0.5", "pt"},
		{"", "pt-PT", "pt"},
		{"", "it-IT", "en"}, // not shipped: English
		{"de", "fr", "de"},
		{"", "", "en"},
		{"en", "ru", "en"}, // a saved preference wins over the browser
		{"xx", "ru", "ru"},
	} {
		if got := b.Match(c.pref, c.accept); got != c.want {
			t.Errorf("Match(%q, %q) = %q, want %q", c.pref, c.accept, got, c.want)
		}
	}
	ru := b.Localizer("ru")
	for n, want := range map[int]string{1: "1 минуту", 3: "3 минуты", 15: "15 минут", 21: "21 минуту"} {
		if got := ru.N("signin.error.throttled", n); !strings.Contains(got, want) {
			t.Errorf("ru plural %d: %q", n, got)
		}
	}
	// German has one/other; French and Portuguese (CLDR) use "one" for 0 and 1
	// and "many" for round millions, so their files carry one, many and other.
	for lang, cases := range map[string]map[int]string{
		"de": {1: "in 1 Minute erneut", 5: "in 5 Minuten erneut", 21: "in 21 Minuten erneut"},
		"fr": {0: "dans 0 minute.", 1: "dans 1 minute.", 2: "dans 2 minutes.", 1000000: "dans 1000000 minutes."},
		"pt": {1: "em 1 minuto.", 2: "em 2 minutos.", 1000000: "em 1000000 minutos."},
	} {
		l := b.Localizer(lang)
		if l.Lang() != lang {
			t.Fatalf("Localizer(%q) is %q", lang, l.Lang())
		}
		for n, want := range cases {
			if got := l.N("signin.error.throttled", n); !strings.Contains(got, want) {
				t.Errorf("%s plural %d: %q, want it to contain %q", lang, n, got, want)
			}
		}
	}
	if got := b.Localizer("en").T("no.such.message"); got != "no.such.message" {
		t.Errorf("missing message shows %q", got)
	}
}

// TestEveryAuditActionHasALabel keeps the Audit log tab's filter and rows
// readable: every action it offers has a translated label.
func TestEveryAuditActionHasALabel(t *testing.T) {
	en, err := MessageIDs("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range tenantdesk.AuditActions {
		if !en["audit.action."+a] {
			t.Errorf("audit action %q has no label (audit.action.%s)", a, a)
		}
	}
}
