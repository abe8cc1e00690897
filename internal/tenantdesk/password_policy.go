package tenantdesk

import (
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
)

// minPersonalLen is the shortest email part or account name the policy looks
// for inside a password: a two-letter account name must not forbid every
// password that happens to contain those two letters.
const minPersonalLen = 4

// CheckNewPassword is the one password policy, applied wherever a password
// is set (activation and reset links, My profile, the FTP password, the
// operator's command line). A new password:
//
//   - has MinPasswordLen to MaxPasswordLen characters (runes) of valid text;
//     there are no composition rules (NIST SP 800-63B);
//   - is not one of the most common passwords, compared case-insensitively,
//     nor such a password with only digits, symbols or spaces around it
//     ("Password1234!"), nor one repeated ("dragondragon");
//   - does not contain the user's email, the part before the @ (when it has
//     at least 4 letters or digits) or the account's name (likewise),
//     ignoring case, spaces and punctuation.
//
// email and accountName may be empty when unknown. It returns nil or an
// EINVALID *Error with one field error on field "password" whose Key names
// the broken rule.
func CheckNewPassword(password, email, accountName string, common CommonPasswordList) *Error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password) || n < MinPasswordLen || n > MaxPasswordLen:
		return passwordError(PasswordTooShortOrLongKey, "The password must be 12 to 128 characters long.")
	case common != nil && IsCommonPassword(password, common):
		return passwordError(PasswordCommonKey, "This password is among the most commonly used passwords. Choose one that is harder to guess.")
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
