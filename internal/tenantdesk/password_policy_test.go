package tenantdesk

import (
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones as a deployed binary has them
	"unicode/utf8"
)

// fakeCommon is a small stand-in for the real list (internal/auth tests that one).
type fakeCommon map[string]bool

func (f fakeCommon) Contains(lower string) bool { return f[lower] }

func TestCheckNewPassword(t *testing.T) {
	common := fakeCommon{"password": true, "dragon": true, "scandinavian": true, "abc123": true}
	const email, account = "Tom.Sawyer@fence.example", "Tom Sawyer Fence Painting Co."
	for _, c := range []struct {
		name, pw, key string
	}{
		{"ok passphrase", "correct horse battery staple", ""},
		{"ok exactly 12", "twelve chars", ""},
		{"ok 128", longUnicodePassword(128), ""},
		{"too short", "elevenchars", PasswordTooShortOrLongKey},
		{"too long", strings.Repeat("a", 129), PasswordTooShortOrLongKey},
		{"runes not bytes", strings.Repeat("я", 11), PasswordTooShortOrLongKey},
		{"invalid utf8", "abcdefghijk\xff", PasswordTooShortOrLongKey},
		{"common as is", "scandinavian", PasswordCommonKey},
		{"common any case", "ScanDinavian", PasswordCommonKey},
		{"common with digits", "Password1234", PasswordCommonKey},
		{"common between symbols", "!!dragon2024!!", PasswordCommonKey},
		{"common repeated", "dragondragondragon", PasswordCommonKey},
		{"common repeated digits", "abc123abc123", PasswordCommonKey},
		{"common word inside a phrase is fine", "my dragon eats lettuce", ""},
		{"whole email", "x tom.sawyer@fence.example x", PasswordHasEmailKey},
		{"email local part", "i am TomSawyer really", PasswordHasEmailKey},
		{"email local part with punctuation", "hello tom-sawyer 2026", PasswordHasEmailKey},
		// Repetitive (NIST SP 800-63B): one character or a short pattern
		// repeated, or too few different characters.
		{"one character", "aaaaaaaaaaaa", PasswordRepetitiveKey},
		{"one character, any case", "AaAaAaAaAaAa", PasswordRepetitiveKey},
		{"one symbol", strings.Repeat("!", 20), PasswordRepetitiveKey},
		{"one multibyte character", strings.Repeat("é", 128), PasswordRepetitiveKey},
		{"short pattern", "abcabcabcabc", PasswordRepetitiveKey},
		{"pattern cut short", "xyzzyxyzzyxyzz", PasswordRepetitiveKey},
		{"pattern with spaces", "ab ab ab ab ab", PasswordRepetitiveKey},
		{"pattern of digits", "120120120120", PasswordRepetitiveKey},
		{"two words twice", "horsebatteryhorsebattery", PasswordRepetitiveKey},
		{"three characters", "aaaaaaaaaab1", PasswordRepetitiveKey},
		// Sequential: runs along the alphabet, the digits or the keyboard.
		{"alphabet", "abcdefghijkl", PasswordSequentialKey},
		{"alphabet backwards", "LKJIHGFEDCBA", PasswordSequentialKey},
		{"alphabet wrapping", "wxyzabcdefgh", PasswordSequentialKey},
		{"digits wrapping", "123456789012", PasswordSequentialKey},
		{"digits backwards", "987654321098", PasswordSequentialKey},
		{"keyboard row into the next", "qwertyuiopas", PasswordSequentialKey},
		{"keyboard backwards", "poiuytrewqlkj", PasswordSequentialKey},
		{"keyboard columns", "1qaz2wsx3edc", PasswordSequentialKey},
		{"shifted digits row", "!@#$%^&*()_+", PasswordSequentialKey},
		{"German keyboard", "qwertzuiopü+", PasswordSequentialKey},
		{"French keyboard", "azertyuiopqs", PasswordSequentialKey},
		{"Russian keyboard", "йцукенгшщзхъ", PasswordSequentialKey},
		{"Russian alphabet", "абвгдежзийкл", PasswordSequentialKey},
		{"runs with separators", "1234-5678-9012", PasswordSequentialKey},
		{"runs of letters and digits", "abcdef123456", PasswordSequentialKey},
		{"a run and two more", "1234567890ab", PasswordSequentialKey},
		{"runs and repeats", "aaaaaa123456", PasswordSequentialKey},
		// Passphrases and a run inside a good password are fine.
		{"ok passphrase with a run", "abc is my favourite horse", ""},
		{"ok phrase of short words", "to be or not to be, that is it", ""},
		{"ok random", "Xk9#mPq2$vLw", ""},
		{"ok qwerty inside", "qwerty horse battery", ""},
		{"ok four different", "abcdabdcacbdadcb", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckNewPassword(c.pw, email, account, common)
			switch {
			case c.key == "" && err != nil:
				t.Fatalf("refused: %v (%s)", err, err.Key)
			case c.key != "" && err == nil:
				t.Fatalf("accepted, want %s", c.key)
			case c.key != "" && (err.Code != EINVALID || err.Key != c.key || len(err.Fields) != 1 || err.Fields[0].Field != "password" || err.Fields[0].Key != c.key):
				t.Fatalf("error = %+v, want %s on field password", err, c.key)
			}
		})
	}
	if err := CheckNewPassword("we love Fence-Painting CO!", "becky@fence.example", "Fence Painting Co.", common); err == nil || err.Key != PasswordHasAccountKey {
		t.Errorf("account name inside: %v", err)
	}
	// Short email parts and account names are not looked for.
	if err := CheckNewPassword("bob is a long password", "bob@x.example", "Co", common); err != nil {
		t.Errorf("a 3-letter local part refused a password: %v", err)
	}
	if err := CheckNewPassword("the acme of painting", "", "Acme", common); err == nil || err.Key != PasswordHasAccountKey {
		t.Errorf("a 4-letter account name inside: %v", err)
	}
	// Context-specific words (ASVS 5.0 6.2.11): the product's names anywhere,
	// in any case, through spaces and punctuation; the provider's name.
	for _, pw := range []string{"my tenantdesk horse 42", "I love MULTIDESK, really", "partner-desk is fine by me", "xxTenAntDeskxx battery"} {
		err := CheckNewPassword(pw, email, account, common)
		if err == nil || err.Key != PasswordHasContextKey || err.Fields[0].Key != PasswordHasContextKey || err.Fields[0].Args["Word"] == nil {
			t.Errorf("%q: %+v, want %s with its word", pw, err, PasswordHasContextKey)
		}
	}
	if err := CheckNewPassword("we love the hosting of Acme Telecom", email, account, common, "Acme Telecom"); err == nil || err.Key != PasswordHasContextKey || err.Args["Word"] != "Acme Telecom" {
		t.Errorf("the partner's name inside: %+v", err)
	}
	if err := CheckNewPassword("we love the hosting of Acme Telecom", email, account, common, ""); err != nil {
		t.Errorf("no partner: %v", err)
	}
	if err := CheckNewPassword("a desk for my tenant pals", email, account, common, "Co"); err != nil {
		t.Errorf("words apart, short provider name: %v", err)
	}
	// Without a list only the other rules apply.
	if err := CheckNewPassword("password1234", "", "", nil); err != nil {
		t.Errorf("no list: %v", err)
	}
}

// longUnicodePassword is n runes of 2-byte letters and digits that repeat
// no pattern: "é0é1é2…".
func longUnicodePassword(n int) string {
	var b strings.Builder
	for i := 0; utf8.RuneCountInString(b.String()) < n; i++ {
		b.WriteString("é" + strconv.Itoa(i))
	}
	return string([]rune(b.String())[:n])
}

func TestTimeZones(t *testing.T) {
	if len(TimeZones) < 300 || TimeZones[0] != "UTC" {
		t.Fatalf("%d zones, first %q", len(TimeZones), TimeZones[0])
	}
	seen := map[string]bool{}
	for _, z := range TimeZones {
		if seen[z] {
			t.Errorf("%s listed twice", z)
		}
		seen[z] = true
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("%s does not load: %v", z, err)
		}
	}
	for _, z := range []string{"Europe/Moscow", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Europe/Berlin"} {
		if !seen[z] || !ValidTimeZone(z) {
			t.Errorf("%s missing", z)
		}
	}
	for _, z := range []string{"Local", "Mars/Olympus", "../../etc/passwd", "europe/moscow", "US/Eastern"} {
		if ValidTimeZone(z) {
			t.Errorf("%q accepted", z)
		}
	}
	if !ValidTimeZone("") {
		t.Error(`"" (UTC) refused`)
	}
}

func TestValidatePreferencesAndPersonalData(t *testing.T) {
	if err := ValidatePreferences(Preferences{Language: "pt-BR", TimeZone: "Europe/Lisbon"}); err != nil {
		t.Errorf("good preferences: %v", err)
	}
	err := ValidatePreferences(Preferences{Language: "en;drop", TimeZone: "Nowhere/City"})
	if err == nil || len(err.Fields) != 2 || err.Fields[0].Field != "language" || err.Fields[1].Field != "timeZone" {
		t.Errorf("bad preferences: %+v", err)
	}
	in, verr := ValidatePersonalData(PersonalData{DisplayName: "  Tom  ", Phone: " +1 555 0100 ", JobTitle: "Painter"})
	if verr != nil || in.DisplayName != "Tom" || in.Phone != "+1 555 0100" {
		t.Errorf("good data: %+v %v", in, verr)
	}
	_, verr = ValidatePersonalData(PersonalData{DisplayName: "", Phone: strings.Repeat("1", 41), JobTitle: "a\x00b"})
	if verr == nil || len(verr.Fields) != 3 {
		t.Fatalf("bad data: %+v", verr)
	}
	if verr.Fields[1].Key != "profile.error.phone_too_long" || verr.Fields[2].Key != "profile.error.job_title_invalid" {
		t.Errorf("keys: %+v", verr.Fields)
	}
	if _, verr := ValidatePersonalData(PersonalData{DisplayName: "Tom", Phone: strings.Repeat("7", 40), JobTitle: strings.Repeat("j", 100)}); verr != nil {
		t.Errorf("at the limits: %v", verr)
	}
}
