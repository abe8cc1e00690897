package auth

import (
	"crypto/rand"
	"encoding/base64"
	"math/big"
)

// RandomToken returns n random bytes encoded as unpadded URL-safe base64.
func RandomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails: crypto/rand panics rather than return a short read
	return base64.RawURLEncoding.EncodeToString(b)
}

// RandomBytes returns n random bytes.
func RandomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// RandomPassword returns a password of n characters from an alphabet without
// look-alike characters, for generated demo and operator passwords.
func RandomPassword(n int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	out := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, _ := rand.Int(rand.Reader, max)
		out[i] = alphabet[v.Int64()]
	}
	return string(out)
}
