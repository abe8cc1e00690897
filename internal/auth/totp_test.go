package auth

import (
	"bytes"
	"encoding/hex"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTOTPKeyAndCodes(t *testing.T) {
	k, err := NewTOTPKey("tom.sawyer@fence.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Secret) != 32 { // 20 bytes in base32
		t.Fatalf("secret %q", k.Secret)
	}
	u, err := url.Parse(k.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
		t.Fatalf("URL %q", k.URL)
	}
	q := u.Query()
	if q.Get("issuer") != "Tenantdesk" || q.Get("secret") != k.Secret || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Errorf("URL parameters %v", q)
	}
	if !strings.Contains(u.Path, "Tenantdesk:tom.sawyer@fence.example") {
		t.Errorf("label %q", u.Path)
	}
	again, err := TOTPKeyFor(k.Secret, "tom.sawyer@fence.example")
	if err != nil || again.URL != k.URL {
		t.Fatalf("rebuilt key %v %q, want %q", err, again.URL, k.URL)
	}
	img, err := TOTPQRCode(k.URL, 200)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(img)); err != nil || cfg.Width != 200 {
		t.Fatalf("QR PNG: %v %+v", err, cfg)
	}
	if got := GroupSecret("JBSWY3DPEHPK3PXP"); got != "JBSW Y3DP EHPK 3PXP" {
		t.Errorf("grouped %q", got)
	}
}

// RFC 6238 appendix B, SHA1 column (truncated to 6 digits).
func TestTOTPMatchesRFC6238(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	for _, c := range []struct {
		unix int64
		code string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		at := time.Unix(c.unix, 0)
		if got, _ := TOTPCode(secret, at); got != c.code {
			t.Errorf("code at %d = %s, want %s", c.unix, got, c.code)
		}
		step, ok := MatchTOTP(secret, c.code, at)
		if !ok || step != c.unix/30 {
			t.Errorf("match at %d: %v step %d", c.unix, ok, step)
		}
	}
}

func TestTOTPSkew(t *testing.T) {
	k, _ := NewTOTPKey("a@example.com")
	now := time.Date(2026, 11, 21, 9, 0, 10, 0, time.UTC)
	cur := TOTPStep(now)
	for _, c := range []struct {
		offset time.Duration
		ok     bool
	}{
		{0, true},
		{-30 * time.Second, true},  // one step ago: accepted
		{30 * time.Second, true},   // one step ahead: accepted
		{-60 * time.Second, false}, // two steps ago: refused
		{60 * time.Second, false},  // two steps ahead: refused
		{-90 * time.Second, false},
	} {
		code, _ := TOTPCode(k.Secret, now.Add(c.offset))
		step, ok := MatchTOTP(k.Secret, code, now)
		if ok != c.ok {
			t.Errorf("offset %v: accepted %v, want %v", c.offset, ok, c.ok)
		}
		if ok && step != cur+int64(c.offset/(30*time.Second)) {
			t.Errorf("offset %v: step %d (current %d)", c.offset, step, cur)
		}
	}
	code, _ := TOTPCode(k.Secret, now)
	if _, ok := MatchTOTP(k.Secret, code[:3]+" "+code[3:], now); !ok {
		t.Error("a code typed with a space was refused")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef", "12345x"} {
		if _, ok := MatchTOTP(k.Secret, bad, now); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestRecoveryCodeEntropy: each code carries at least 112 random bits,
// the least ASVS 5.0 6.5.2 allows for a lookup secret stored as a plain
// (unsalted, fast) hash such as HashRecoveryCode's SHA-256.
func TestRecoveryCodeEntropy(t *testing.T) {
	c := NewRecoveryCodes(1)[0]
	symbols := len(strings.ReplaceAll(c, "-", ""))
	bits := symbols * 5 // a 32-symbol alphabet, each symbol drawn uniformly
	if bits < 112 {
		t.Fatalf("%q carries %d random bits, want at least 112", c, bits)
	}
	if len(recoveryAlphabet) != 32 {
		t.Fatalf("alphabet of %d symbols: the 5 bits per symbol above no longer hold", len(recoveryAlphabet))
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes(RecoveryCodeCount)
	if len(codes) != 10 {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 29 || strings.Count(c, "-") != 5 {
			t.Errorf("format %q", c)
		}
		if strings.ContainsAny(c, "ilou") {
			t.Errorf("look-alike letter in %q", c)
		}
		if seen[c] {
			t.Errorf("duplicate %q", c)
		}
		seen[c] = true
		h := HashRecoveryCode(c)
		if len(h) != 32 {
			t.Fatalf("hash of %q: %x", c, h)
		}
		// Typed differently, the same code.
		typed := strings.ToUpper(strings.ReplaceAll(c, "-", " "))
		if !bytes.Equal(HashRecoveryCode(typed), h) {
			t.Errorf("%q typed as %q hashes differently", c, typed)
		}
	}
	if !bytes.Equal(HashRecoveryCode("0000-1111-2222-3333-4444-5555"), HashRecoveryCode("OOOO-IIII-2222-3333-4444-5555")) {
		t.Error("look-alike letters are not read as digits")
	}
	// Codes issued before the codes grew to 120 bits still work.
	if HashRecoveryCode("0000-1111-2222-3333") == nil {
		t.Error("a 16-character code of before is refused")
	}
	for _, bad := range []string{"", "short", "0000-1111-2222-333", "0000-1111-2222-3333-4", "0000-1111-2222-3333-4444-555",
		"0000-1111-2222-3333-4444-5555-6", "0000_1111_2222_3333_4444_5555"} {
		if HashRecoveryCode(bad) != nil {
			t.Errorf("%q hashed", bad)
		}
	}
}

func TestSecretBox(t *testing.T) {
	k1, k2 := RandomBytes(32), RandomBytes(32)
	box, err := NewSecretBox(k1)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("user:1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("JBSWY3DPEHPK3PXP")) {
		t.Fatal("plaintext visible in the sealed value")
	}
	again, _ := box.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("user:1"))
	if bytes.Equal(sealed, again) {
		t.Error("two seals are equal: the nonce is not random")
	}
	if pt, err := box.Open(sealed, []byte("user:1")); err != nil || string(pt) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open: %v %q", err, pt)
	}
	if _, err := box.Open(sealed, []byte("user:2")); err == nil {
		t.Error("opened with another owner's additional data")
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := box.Open(tampered, []byte("user:1")); err == nil {
		t.Error("opened a tampered value")
	}
	if _, err := box.Open(sealed[:5], []byte("user:1")); err == nil {
		t.Error("opened a truncated value")
	}
	other, _ := NewSecretBox(k2)
	if _, err := other.Open(sealed, []byte("user:1")); err == nil {
		t.Error("opened with another key")
	}
	// Rotation: a new key first, the old one still opens old values.
	rotated, _ := NewSecretBox(k2, k1)
	if pt, err := rotated.Open(sealed, []byte("user:1")); err != nil || string(pt) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("rotated open: %v", err)
	}
	fresh, _ := rotated.Seal([]byte("x"), nil)
	if _, err := other.Open(fresh, nil); err != nil {
		t.Error("the newest key does not seal")
	}
	if _, err := NewSecretBox(RandomBytes(16)); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

func TestParseSecretKey(t *testing.T) {
	raw := RandomBytes(32)
	if k, err := ParseSecretKey(hex.EncodeToString(raw)); err != nil || !bytes.Equal(k, raw) {
		t.Errorf("hex: %v", err)
	}
	if _, err := ParseSecretKey("abcd"); err == nil {
		t.Error("short key accepted")
	}
	if _, err := ParseSecretKey("not a key!"); err == nil {
		t.Error("garbage accepted")
	}
}
