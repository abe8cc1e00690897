package auth

import (
	"bytes"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

func TestAPITokenFormat(t *testing.T) {
	pattern := regexp.MustCompile(`^` + APITokenPattern + `$`)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		tok := NewAPIToken()
		if len(tok) != APITokenLen || APITokenLen != 53 {
			t.Fatalf("token %q has length %d, want 53", tok, len(tok))
		}
		if !strings.HasPrefix(tok, "tdk_") || !pattern.MatchString(tok) {
			t.Fatalf("token %q does not match the scanner pattern", tok)
		}
		if !ValidAPIToken(tok) {
			t.Fatalf("fresh token %q fails its own checksum", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
		if h := APITokenHint(tok); h != tok[:8] || !strings.HasPrefix(h, "tdk_") {
			t.Fatalf("hint %q", h)
		}
	}
}

func TestAPITokenChecksumCatchesTypos(t *testing.T) {
	tok := NewAPIToken()
	for i := len(APITokenPrefix); i < len(tok); i++ {
		for _, c := range []byte{'0', 'a', 'Z'} {
			if tok[i] == c {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			if ValidAPIToken(bad) {
				t.Errorf("changing position %d to %q still validates: %s", i, c, bad)
			}
		}
	}
	// Swapping two different neighbours of the random part.
	for i := len(APITokenPrefix); i < len(APITokenPrefix)+apiRandomLen-1; i++ {
		if tok[i] != tok[i+1] {
			b := []byte(tok)
			b[i], b[i+1] = b[i+1], b[i]
			if ValidAPIToken(string(b)) {
				t.Errorf("transposition at %d validates", i)
			}
			break
		}
	}
	for _, bad := range []string{"", "tdk_", "tdk_" + strings.Repeat("0", 49), "TDK_" + tok[4:], tok + "0", tok[:len(tok)-1],
		"tdx_" + tok[4:], strings.Replace(tok, tok[10:11], "-", 1), "Bearer " + tok} {
		if ValidAPIToken(bad) && bad != tok {
			// An all-zero body only validates if its checksum happens to be "000000".
			t.Errorf("%q validates", bad)
		}
	}
}

func TestAPITokenBase62(t *testing.T) {
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	if s := encodeBase62(max, apiRandomLen); len(s) != apiRandomLen || s[0] == '0' {
		t.Fatalf("2^256-1 = %q: must use all %d characters", s, apiRandomLen)
	}
	if s := encodeBase62(big.NewInt(61), 3); s != "00z" {
		t.Fatalf("61 = %q", s)
	}
	if s := encodeBase62(big.NewInt(62), 3); s != "010" {
		t.Fatalf("62 = %q", s)
	}
	if s := encodeBase62(new(big.Int).SetUint64(0xFFFFFFFF), apiCheckLen); len(s) != apiCheckLen {
		t.Fatalf("max CRC32 = %q", s)
	}
}

func TestHashAPIToken(t *testing.T) {
	a, b := NewAPIToken(), NewAPIToken()
	if len(HashAPIToken(a)) != 32 || bytes.Equal(HashAPIToken(a), HashAPIToken(b)) || !bytes.Equal(HashAPIToken(a), HashAPIToken(a)) {
		t.Fatal("hash is not a stable SHA-256")
	}
}
