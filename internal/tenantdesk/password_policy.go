package tenantdesk

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CommonPasswordList answers whether a password is among the most commonly
// used ones. internal/auth implements it with a maintained frequency list;
// the domain only states the rule.
type CommonPasswordList interface {
	// Contains reports whether lower, a lower-cased password, is listed.
	Contains(lower string) bool
}

// Message IDs of the password policy's field errors.
const (
	PasswordTooShortOrLongKey = "password.policy.length"
	PasswordCommonKey         = "password.policy.common"
	PasswordHasEmailKey       = "password.policy.contains_email"
	PasswordHasAccountKey     = "password.policy.contains_account"
	PasswordHasContextKey     = "password.policy.contains_context"
	PasswordRepetitiveKey     = "password.policy.repetitive"
	PasswordSequentialKey     = "password.policy.sequential"
)

// minPersonalLen is the shortest email part or account name the policy looks
// for inside a password: a two-letter account name must not forbid every
// password that happens to contain those two letters.
const minPersonalLen = 4

// ContextWords are the context-specific words no password may contain
// (OWASP ASVS 5.0 6.1.2, 6.2.11; the list is documented in docs/security.md):
// the product's and its portals' names, the first words anyone guessing a
// password of this portal tries. The deployment has no organisation name
// of its own; the account's name and, for a customer's user, its partner's
// name are the organisation words, passed to CheckNewPassword.
var ContextWords = []string{"Tenantdesk", "Multidesk", "Partnerdesk"}

// CheckNewPassword is the one password policy, applied wherever a password
// is set (activation and reset links, My profile, the FTP password, the
// operator's command line). A new password:
//
//   - has MinPasswordLen to MaxPasswordLen characters (runes) of valid text;
//     there are no composition rules (NIST SP 800-63B);
//   - is not one of the most common passwords, compared case-insensitively,
//     nor such a password with only digits, symbols or spaces around it
//     ("Password1234!"), nor one repeated ("dragondragon");
//   - is not repetitive: one short pattern repeated ("aaaaaaaaaaaa",
//     "abcabcabcabc", "horsebatteryhorsebattery"), or at most three
//     different characters ("aaaaaaaaaaa1") (IsRepetitivePassword);
//   - is not sequential: not made (all but a few characters) of runs of
//     letters, digits or keyboard keys in order, either way, or of one
//     character ("abcdefghijkl", "123456789012", "qwertyuiopas",
//     "1234-5678-9012") (IsSequentialPassword);
//   - does not contain the user's email, the part before the @ (when it has
//     at least 4 letters or digits) or the account's name (likewise),
//     ignoring case, spaces and punctuation;
//   - does not contain a context-specific word, ignoring case, spaces and
//     punctuation: one of ContextWords, or one of providers (the partner's
//     name for a customer's user; at least 4 letters or digits).
//
// email and accountName may be empty when unknown. It returns nil or an
// EINVALID *Error with one field error on field "password" whose Key names
// the broken rule.
func CheckNewPassword(password, email, accountName string, common CommonPasswordList, providers ...string) *Error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password) || n < MinPasswordLen || n > MaxPasswordLen:
		return passwordError(PasswordTooShortOrLongKey, "The password must be 12 to 128 characters long.")
	case common != nil && IsCommonPassword(password, common):
		return passwordError(PasswordCommonKey, "This password is among the most commonly used passwords. Choose one that is harder to guess.")
	case IsRepetitivePassword(password):
		return passwordError(PasswordRepetitiveKey, "The password repeats a character or a short pattern (like “aaaa” or “abcabc”). Choose one that is harder to guess.")
	case IsSequentialPassword(password):
		return passwordError(PasswordSequentialKey, "The password is letters, digits or keyboard keys in a row (like “abcdef”, “123456” or “qwerty”). Choose one that is harder to guess.")
	}
	folded := foldForCompare(password)
	email = strings.TrimSpace(email)
	if email != "" {
		local := email
		if i := strings.LastIndexByte(email, '@'); i >= 0 {
			local = email[:i]
		}
		for _, part := range []string{email, local} {
			if f := foldForCompare(part); utf8.RuneCountInString(f) >= minPersonalLen && strings.Contains(folded, f) {
				return passwordError(PasswordHasEmailKey, "The password must not contain your email address or its name part.")
			}
		}
	}
	if f := foldForCompare(accountName); utf8.RuneCountInString(f) >= minPersonalLen && strings.Contains(folded, f) {
		return passwordError(PasswordHasAccountKey, "The password must not contain the name of your account.")
	}
	for _, w := range append(slices.Clip(ContextWords), providers...) {
		if f := foldForCompare(w); utf8.RuneCountInString(f) >= minPersonalLen && strings.Contains(folded, f) {
			e := passwordError(PasswordHasContextKey, "The password must not contain “"+strings.TrimSpace(w)+"”: the names of this portal and of your provider are among the first words tried when guessing a password.")
			e.Args = map[string]any{"Word": strings.TrimSpace(w)}
			e.Fields[0].Args = e.Args
			return e
		}
	}
	return nil
}

// IsCommonPassword reports whether password is a listed common password, in
// any letter case, alone, between digits, symbols or spaces only, or repeated.
func IsCommonPassword(password string, common CommonPasswordList) bool {
	lower := strings.ToLower(password)
	if common.Contains(lower) || common.Contains(strings.TrimSpace(lower)) {
		return true
	}
	// The core without leading and trailing digits, symbols and spaces:
	// "!!Password1234" -> "password".
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if core != "" && core != lower && utf8.RuneCountInString(core) >= minPersonalLen && common.Contains(core) {
		return true
	}
	// A listed password repeated: "dragondragon", "abc123abc123abc123".
	for size := 1; size <= len(lower)/2; size++ {
		if len(lower)%size != 0 {
			continue
		}
		unit := lower[:size]
		if strings.Repeat(unit, len(lower)/size) == lower && utf8.ValidString(unit) && common.Contains(unit) {
			return true
		}
	}
	return false
}

// minDistinctRunes is the fewest different characters a password must have:
// "aaaaaaaaaaa1" and "abbaabbaabab" are as weak as a short password.
const minDistinctRunes = 4

// IsRepetitivePassword reports whether password, ignoring letter case, is
// one pattern repeated at least twice (a last copy may be cut short:
// "abcabcabcab"), or has fewer than 4 different characters. NIST SP
// 800-63B names repetitive passwords beside breached ones.
func IsRepetitivePassword(password string) bool {
	r := []rune(strings.ToLower(password))
	distinct := map[rune]bool{}
	for _, c := range r {
		distinct[c] = true
	}
	if len(distinct) < minDistinctRunes {
		return true
	}
	// A period p (r[i] == r[i-p] for every i) of at most half the length.
	for p := 1; p <= len(r)/2; p++ {
		periodic := true
		for i := p; i < len(r); i++ {
			if r[i] != r[i-p] {
				periodic = false
				break
			}
		}
		if periodic {
			return true
		}
	}
	return false
}

// passwordSequences are the orders a sequential password walks, forwards or
// backwards: the Latin and Russian alphabets and the digits (wrapping round:
// "xyzabc", "890123"), and the rows and columns of the keyboards of the
// portal's languages (US QWERTY, German QWERTZ, French AZERTY, Russian
// ЙЦУКЕН), the letter rows also as one walk from row to row
// ("qwertyuiopas").
var passwordSequences = []struct {
	keys string
	wrap bool
}{
	{"abcdefghijklmnopqrstuvwxyz", true},
	{"0123456789", true},
	{"`1234567890-=", false},
	{"~!@#$%^&*()_+", false},
	{"1234567890qwertyuiopasdfghjklzxcvbnm", false},
	{"qwertyuiop[]\\", false},
	{"asdfghjkl;'", false},
	{"zxcvbnm,./", false},
	{"{}|", false},
	{":\"", false},
	{"<>?", false},
	// Keyboard columns: "1qaz2wsx3edc…".
	{"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/", false},
	{"абвгдежзийклмнопрстуфхцчшщъыьэюя", true},
	{"1234567890qwertzuiopüasdfghjklöäyxcvbnm", false},
	{"1234567890azertyuiopqsdfghjklmwxcvbn", false},
	{"1234567890йцукенгшщзхъфывапролджэячсмитьбю", false},
}

// minRunLen is the shortest run of keys in order that counts as a sequence.
const minRunLen = 3

// IsSequentialPassword reports whether password, ignoring letter case, is
// made of runs of at least 3 characters in the order of one of
// passwordSequences (each run either way), or of one character repeated,
// with at most 2 characters, or a fifth of them, outside such runs: such a
// password is a walk along the alphabet, the digits or the keyboard
// ("abcdefghijkl", "123456789012", "qwertyuiopas", "abcd-efgh-ijkl",
// "1234567890ab"). A run inside an otherwise good password is fine.
func IsSequentialPassword(password string) bool {
	r := []rune(strings.ToLower(password))
	covered := 0
	for i := 0; i < len(r); {
		n := longestRun(r[i:])
		if n >= minRunLen {
			covered += n
			i += n
		} else {
			i++
		}
	}
	return len(r)-covered <= max(2, len(r)/5)
}

// longestRun is the length of the longest run at the start of r: one
// character repeated, or characters one step apart, in one direction, in
// one of passwordSequences.
func longestRun(r []rune) int {
	best := 1
	same := 1
	for same < len(r) && r[same] == r[0] {
		same++
	}
	best = max(best, same)
	for _, seq := range passwordSequences {
		keys := []rune(seq.keys)
		for _, step := range []int{1, -1} {
			n := 1
			for n < len(r) && nextKey(keys, seq.wrap, r[n-1], step) == r[n] {
				n++
			}
			best = max(best, n)
		}
	}
	return best
}

// nextKey is the key step places after c in keys (wrapping round when
// wrap), or -1 when there is none.
func nextKey(keys []rune, wrap bool, c rune, step int) rune {
	for i, k := range keys {
		if k != c {
			continue
		}
		j := i + step
		if wrap {
			j = (j + len(keys)) % len(keys)
		}
		if j < 0 || j >= len(keys) {
			return -1
		}
		return keys[j]
	}
	return -1
}

// foldForCompare keeps only letters and digits, lower-cased, so that
// "Tom.Sawyer" and "tom sawyer" compare equal.
func foldForCompare(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func passwordError(key, msg string) *Error {
	return &Error{Code: EINVALID, Message: msg, Key: key,
		Fields: []FieldError{{Field: "password", Message: msg, Key: key}}}
}
