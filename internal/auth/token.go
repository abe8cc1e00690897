package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"hash/crc32"
	"math/big"
	"strings"
)

// API tokens look like
//
//	tdk_<43 base62 characters: 32 random bytes><6 base62 characters: CRC32 of those 43>
//
// The fixed prefix lets secret scanners (GitHub secret scanning, gitleaks,
// trufflehog) recognise a leaked token with a simple pattern, and the
// checksum lets them — and the server, before any database lookup — tell a
// real token from a random match offline. Only the SHA-256 of a token is
// stored.

// Token format constants.
const (
	APITokenPrefix = "tdk_"
	apiRandomLen   = 43 // 32 bytes in base62: ceil(256 / log2(62))
	apiCheckLen    = 6  // a CRC32 in base62: ceil(32 / log2(62))
	// APITokenLen is the length of every token.
	APITokenLen = len(APITokenPrefix) + apiRandomLen + apiCheckLen
	// APITokenPattern matches a token, for secret scanners.
	APITokenPattern = `\btdk_[0-9A-Za-z]{49}\b`
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// encodeBase62 writes n in base62, left-padded with '0' to width.
func encodeBase62(n *big.Int, width int) string {
	out := make([]byte, width)
	for i := range out {
		out[i] = '0'
	}
	v := new(big.Int).Set(n)
	mod := new(big.Int)
	b62 := big.NewInt(62)
	for i := width - 1; i >= 0 && v.Sign() > 0; i-- {
		v.DivMod(v, b62, mod)
		out[i] = base62[mod.Int64()]
	}
	return string(out)
}

func apiChecksum(random string) string {
	return encodeBase62(new(big.Int).SetUint64(uint64(crc32.ChecksumIEEE([]byte(random)))), apiCheckLen)
}

// NewAPIToken returns a new random API token.
func NewAPIToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand panics rather than return a short read
	random := encodeBase62(new(big.Int).SetBytes(b), apiRandomLen)
	return APITokenPrefix + random + apiChecksum(random)
}

// ValidAPIToken reports whether s has the token format and a correct
// checksum. It needs no database: malformed or mistyped tokens are refused
// before any lookup.
func ValidAPIToken(s string) bool {
	if len(s) != APITokenLen || !strings.HasPrefix(s, APITokenPrefix) {
		return false
	}
	body := s[len(APITokenPrefix):]
	for i := 0; i < len(body); i++ {
		if strings.IndexByte(base62, body[i]) < 0 {
			return false
		}
	}
	random := body[:apiRandomLen]
	return body[apiRandomLen:] == apiChecksum(random)
}

// HashAPIToken is what is stored of a token: its SHA-256.
func HashAPIToken(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// APITokenHint is the start of a token shown in lists to tell tokens apart
// ("tdk_Ab3x"); it reveals 24 of the 256 random bits.
func APITokenHint(s string) string {
	if len(s) < len(APITokenPrefix)+4 {
		return s
	}
	return s[:len(APITokenPrefix)+4]
}
