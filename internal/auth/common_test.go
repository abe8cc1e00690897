package auth

import (
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

func TestCommonPasswords(t *testing.T) {
	set := CommonPasswords()
	// The issue asks for at least 10,000; zxcvbn-ts's list holds ~49,000.
	t.Logf("common passwords: %d", set.Len())
	if set.Len() < 10000 {
		t.Fatalf("only %d common passwords", set.Len())
	}
	var long int
	for p := range set.set {
		if len(p) >= 12 {
			long++
		}
	}
	t.Logf("of which %d have 12 or more characters", long)
	for _, pw := range []string{"password", "123456", "qwerty", "dragon", "letmein", "scandinavian", "password1234"} {
		if !set.Contains(pw) {
			t.Errorf("%q is not listed", pw)
		}
	}
	if set.Contains("correct horse battery staple") {
		t.Error("a passphrase is listed")
	}
	// The policy with the real list: a listed 12+ character password, a
	// listed one with digits around it, one in capitals.
	for _, pw := range []string{"scandinavian", "Password1234", "QWERTY123456", "!!letmein2026!!"} {
		err := tenantdesk.CheckNewPassword(pw, "", "", set)
		if err == nil || err.Key != tenantdesk.PasswordCommonKey {
			t.Errorf("%q: %v", pw, err)
		}
	}
}
