package auth

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Fuzz targets of what arrives from outside at internal/auth (issue 15):
// API tokens in Authorization headers, TOTP codes and recovery codes typed
// at sign-in, sealed secrets read back from the database, configured keys.
// `make fuzz` runs each for FUZZTIME; `go test` runs the seeds and
// testdata/fuzz/<Target>/.

var tokenPattern = regexp.MustCompile(`^` + APITokenPattern + `$`)

// FuzzAPIToken: a token passes ValidAPIToken only in the documented shape
// (what secret scanners match) with its checksum; a well-formed token with
// any one character changed is refused; and the hint never reveals more
// than the prefix and four characters.
func FuzzAPIToken(f *testing.F) {
	f.Add(NewAPIToken(), uint8(10), uint8('A'))
	f.Add("tdk_", uint8(0), uint8(0))
	f.Add("tdk_"+strings.Repeat("0", 49), uint8(4), uint8('1'))
	f.Add("TDK_"+strings.Repeat("z", 49), uint8(50), uint8('z'))
	f.Add(strings.Repeat("\xff", APITokenLen), uint8(7), uint8('-'))
	f.Add("Bearer "+NewAPIToken(), uint8(0), uint8(' '))
	f.Fuzz(func(t *testing.T, s string, pos, repl uint8) {
		if ValidAPIToken(s) {
			if !tokenPattern.MatchString(s) || len(s) != APITokenLen {
				t.Fatalf("ValidAPIToken accepts %q, which the published pattern does not match", s)
			}
			if h := APITokenHint(s); h != s[:len(APITokenPrefix)+4] {
				t.Fatalf("APITokenHint(%q) = %q", s, h)
			}
		}
		// Build a well-formed token from the fuzzed text's base62
		// characters, then change one character: the checksum catches it.
		var random strings.Builder
		for i := 0; i < len(s) && random.Len() < apiRandomLen; i++ {
			if strings.IndexByte(base62, s[i]) >= 0 {
				random.WriteByte(s[i])
			}
		}
		for random.Len() < apiRandomLen {
			random.WriteByte('0')
		}
		tok := APITokenPrefix + random.String() + apiChecksum(random.String())
		if !ValidAPIToken(tok) {
			t.Fatalf("ValidAPIToken refuses the well-formed %q", tok)
		}
		i := len(APITokenPrefix) + int(pos)%(APITokenLen-len(APITokenPrefix))
		c := base62[int(repl)%len(base62)]
		if tok[i] == c {
			return
		}
		changed := tok[:i] + string(c) + tok[i+1:]
		if ValidAPIToken(changed) {
			t.Fatalf("ValidAPIToken accepts %q, %q with character %d changed", changed, tok, i)
		}
		if bytes.Equal(HashAPIToken(changed), HashAPIToken(tok)) {
			t.Fatal("two tokens hash alike")
		}
	})
}

// FuzzTOTPCode: any typed code either fails or is, once spaces and dashes
// are dropped, the six digits of the secret at the step MatchTOTP reports,
// which lies within the skew of now.
func FuzzTOTPCode(f *testing.F) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	code, _ := TOTPCode(secret, now)
	f.Add(secret, code, int64(0))
	f.Add(secret, code[:3]+" "+code[3:], int64(30))
	f.Add(secret, code[:3]+"-"+code[3:], int64(-29))
	f.Add(secret, "\u00a0"+code+"\t", int64(0))
	f.Add(secret, "12345", int64(0))
	f.Add(secret, "１２３４５６", int64(0))
	f.Add("not base32!", "123456", int64(0))
	f.Add("", "000000", int64(0))
	f.Add("jbswy3dpehpk3pxp", code, int64(90))
	f.Fuzz(func(t *testing.T, secret, code string, offset int64) {
		if offset > 1<<40 || offset < -1<<40 {
			return
		}
		at := now.Add(time.Duration(offset) * time.Second)
		norm := NormalizeTOTPCode(code)
		if again := NormalizeTOTPCode(norm); again != norm {
			t.Fatalf("NormalizeTOTPCode is not idempotent: %q -> %q -> %q", code, norm, again)
		}
		step, ok := MatchTOTP(secret, code, at)
		if !ok {
			return
		}
		if len(norm) != TOTPDigits || strings.Trim(norm, "0123456789") != "" {
			t.Fatalf("MatchTOTP accepts %q (normalized %q)", code, norm)
		}
		cur := TOTPStep(at)
		if step < cur-TOTPSkew || step > cur+TOTPSkew {
			t.Fatalf("MatchTOTP accepts %q at step %d, current %d", code, step, cur)
		}
		want, err := TOTPCode(secret, time.Unix(step*TOTPPeriod, 0))
		if err != nil || want != norm {
			t.Fatalf("MatchTOTP accepts %q as step %d, whose code is %q (%v)", code, step, want, err)
		}
	})
}

// FuzzRecoveryCode: a typed recovery code normalizes to 16 characters of
// the code alphabet's letters and digits or to nothing, normalizing is
// idempotent, the hash is the normalized form's, and every spelling people
// use of a generated code (upper case, spaces, no dashes) is that code.
func FuzzRecoveryCode(f *testing.F) {
	gen := NewRecoveryCodes(1)[0]
	f.Add(gen)
	f.Add(strings.ToUpper(gen))
	f.Add(strings.ReplaceAll(gen, "-", " "))
	f.Add("IIII-LLLL-OOOO-0000")
	f.Add("abcd-efgh-jkmn-pqrs-t")
	f.Add("abcd_efgh_jkmn_pqrs")
	f.Add("\u0130bcd-efgh-jkmn-pqrs")
	f.Add("\u212abcd-efgh-jkmn-pqrs")
	f.Fuzz(func(t *testing.T, code string) {
		norm := NormalizeRecoveryCode(code)
		if norm == "" {
			if HashRecoveryCode(code) != nil {
				t.Fatalf("HashRecoveryCode(%q) is not nil for a malformed code", code)
			}
			return
		}
		if (len(norm) != recoveryCodeLen && len(norm) != legacyCodeLen) || strings.Trim(norm, "0123456789abcdefghjkmnpqrstuvwxyz") != "" {
			t.Fatalf("NormalizeRecoveryCode(%q) = %q", code, norm)
		}
		if again := NormalizeRecoveryCode(norm); again != norm {
			t.Fatalf("NormalizeRecoveryCode is not idempotent: %q -> %q -> %q", code, norm, again)
		}
		if !bytes.Equal(HashRecoveryCode(code), HashRecoveryCode(norm)) {
			t.Fatalf("HashRecoveryCode(%q) differs from its normalized form's", code)
		}
		upper := strings.ToUpper(norm[:4]) + " - " + norm[4:8] + "\u00a0" + norm[8:12] + "\t" + strings.ToUpper(norm[12:])
		if got := NormalizeRecoveryCode(upper); got != norm {
			t.Fatalf("NormalizeRecoveryCode(%q) = %q, want %q", upper, got, norm)
		}
	})
}

// FuzzSecretBox: only what Seal made with the same additional data opens;
// any other value, or a sealed value with one byte changed, is
// ErrSecretBoxOpen.
func FuzzSecretBox(f *testing.F) {
	key := bytes.Repeat([]byte{7}, SecretKeyLen)
	box, err := NewSecretBox(key)
	if err != nil {
		f.Fatal(err)
	}
	sealed, _ := box.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("user:1"))
	f.Add(sealed, []byte("user:1"), []byte("JBSWY3DPEHPK3PXP"), uint16(0))
	f.Add([]byte{1}, []byte(""), []byte(""), uint16(5))
	f.Add([]byte{}, []byte("user:2"), []byte("x"), uint16(40))
	f.Fuzz(func(t *testing.T, value, ad, plain []byte, flip uint16) {
		if pt, err := box.Open(value, ad); err == nil {
			// A forgery would need the key: only the seed sealed above
			// (its nonce differs in each fuzzing process) opens, with its
			// additional data.
			if string(ad) != "user:1" || string(pt) != "JBSWY3DPEHPK3PXP" {
				t.Fatalf("Open accepts a value nobody sealed: %x, %q -> %q", value, ad, pt)
			}
		} else if err != ErrSecretBoxOpen {
			t.Fatalf("Open error %v, want ErrSecretBoxOpen", err)
		}
		s, err := box.Seal(plain, ad)
		if err != nil {
			t.Fatal(err)
		}
		if pt, err := box.Open(s, ad); err != nil || !bytes.Equal(pt, plain) {
			t.Fatalf("Seal/Open round trip: %q -> %q, %v", plain, pt, err)
		}
		if _, err := box.Open(s, append(bytes.Clone(ad), 'x')); err != ErrSecretBoxOpen {
			t.Fatalf("a sealed value opens with other additional data: %v", err)
		}
		bad := bytes.Clone(s)
		bad[int(flip)%len(bad)] ^= 1 << (flip % 8)
		if _, err := box.Open(bad, ad); err != ErrSecretBoxOpen {
			t.Fatalf("a sealed value with byte %d changed opens: %v", int(flip)%len(bad), err)
		}
	})
}

// FuzzSecretKey: a configured key is accepted only as exactly 32 bytes.
func FuzzSecretKey(f *testing.F) {
	f.Add(strings.Repeat("ab", 32))
	f.Add(" " + strings.Repeat("AB", 32) + "\n")
	f.Add("q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8M=")
	f.Add(strings.Repeat("ab", 31))
	f.Add("not a key")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseSecretKey(s)
		if err != nil {
			if k != nil || err.Error() == "" {
				t.Fatalf("ParseSecretKey(%q) = %x, %v", s, k, err)
			}
			return
		}
		if len(k) != SecretKeyLen {
			t.Fatalf("ParseSecretKey(%q) gives %d bytes", s, len(k))
		}
		if _, err := NewSecretBox(k); err != nil {
			t.Fatalf("ParseSecretKey(%q) gives a key the box refuses: %v", s, err)
		}
	})
}
