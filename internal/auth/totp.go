package auth

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP (RFC 6238) as every authenticator app understands it: HMAC-SHA1,
// six digits, a new code every 30 seconds, 160-bit secrets.
const (
	TOTPIssuer     = "Tenantdesk"
	TOTPPeriod     = 30 // seconds
	TOTPDigits     = 6
	TOTPSecretSize = 20 // bytes
	// TOTPSkew is how many steps before and after the current one are
	// accepted, for clocks that drift or codes typed just as they change.
	TOTPSkew = 1
)

// TOTPKey is a freshly generated TOTP secret: Secret is its base32 form (what
// a person types into an app), URL the otpauth:// URL a QR code carries.
type TOTPKey struct {
	Secret string
	URL    string
}

// NewTOTPKey generates a random secret for accountName (the user's email).
func NewTOTPKey(accountName string) (*TOTPKey, error) {
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer: TOTPIssuer, AccountName: accountName, Period: TOTPPeriod,
		SecretSize: TOTPSecretSize, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("auth: generate TOTP key: %w", err)
	}
	return &TOTPKey{Secret: k.Secret(), URL: k.URL()}, nil
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPKeyFor rebuilds the key of a stored base32 secret for accountName,
// to show the QR code of a pending set-up again.
func TOTPKeyFor(secret, accountName string) (*TOTPKey, error) {
	raw, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return nil, fmt.Errorf("auth: TOTP secret: %w", err)
	}
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer: TOTPIssuer, AccountName: accountName, Period: TOTPPeriod,
		Secret: raw, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("auth: TOTP key: %w", err)
	}
	return &TOTPKey{Secret: k.Secret(), URL: k.URL()}, nil
}

// TOTPQRCode returns the PNG of the QR code of an otpauth:// URL, size×size pixels.
func TOTPQRCode(otpauthURL string, size int) ([]byte, error) {
	k, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		return nil, fmt.Errorf("auth: otpauth URL: %w", err)
	}
	img, err := k.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("auth: QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("auth: QR code PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// GroupSecret writes a base32 secret in groups of four for people to read
// and type ("JBSW Y3DP EHPK 3PXP").
func GroupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TOTPStep returns the time step (counter) t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / TOTPPeriod }

func totpOpts() totp.ValidateOpts {
	return totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
}

// TOTPCode returns the code of secret at time t (tests, and nothing else
// in the portal: the server only ever checks codes).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts())
}

// NormalizeTOTPCode removes the spaces, line breaks and dashes people type
// or paste into a code ("123 456", "123-456\n"), wherever they are, so
// that normalizing twice changes nothing (FuzzTOTPCode found "0\n-" →
// "0\n" → "0" when only the ends were trimmed of line breaks).
func NormalizeTOTPCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, code)
}

// MatchTOTP checks code against secret at now, accepting the current step
// and TOTPSkew steps either side, and returns the step it belongs to. It
// does not know which steps were used before: the caller accepts the code
// only when that step is later than the last one accepted (replay
// protection), and records it atomically.
func MatchTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = NormalizeTOTPCode(code)
	if len(code) != TOTPDigits {
		return 0, false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	cur := TOTPStep(now)
	// Latest first: should two steps share a code, the later one is
	// recorded, so the code cannot be replayed as the later step.
	for s := cur + TOTPSkew; s >= cur-TOTPSkew; s-- {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*TOTPPeriod, 0), totpOpts())
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// Recovery codes: ten single-use codes of 24 characters from a 32-symbol
// alphabet (120 random bits each), shown as xxxx-xxxx-xxxx-xxxx-xxxx-xxxx.
// ASVS 5.0 6.5.2 allows a plain hash for lookup secrets of at least 112
// bits only; with 120 bits a SHA-256 keeps a code out of reach of guessing
// from its hash, and a code is looked up by its hash with an index instead
// of running argon2id against every stored code on each attempt.
//
// Codes issued before were 16 characters (80 bits). They are still
// accepted, so nobody who kept them is locked out, and are gone once the
// user regenerates the codes (My profile › Two-factor authentication).
const (
	RecoveryCodeCount = 10
	recoveryCodeLen   = 24
	legacyCodeLen     = 16
	// recoveryAlphabet has no i, l, o or u: nothing to confuse with 1 and 0.
	recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
)

// NewRecoveryCodes returns n new recovery codes, formatted for people.
func NewRecoveryCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		raw := RandomBytes(recoveryCodeLen)
		var b strings.Builder
		for j, v := range raw {
			if j > 0 && j%4 == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[v&31]) // 256 is a multiple of 32: no bias
		}
		out[i] = b.String()
	}
	return out
}

// NormalizeRecoveryCode lower-cases a typed recovery code and drops
// separators and spaces; look-alike letters are read as the digits they
// resemble (I, L → 1; O → 0).
func NormalizeRecoveryCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r == 'i' || r == 'l':
			b.WriteByte('1')
		case r == 'o':
			b.WriteByte('0')
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '\t' || r == '\u00a0':
		default:
			return "" // not a recovery code at all
		}
	}
	if b.Len() != recoveryCodeLen && b.Len() != legacyCodeLen {
		return ""
	}
	return b.String()
}

// HashRecoveryCode returns the stored form of a recovery code: the SHA-256
// of its normalized form (nil when it is not a well-formed code).
func HashRecoveryCode(code string) []byte {
	n := NormalizeRecoveryCode(code)
	if n == "" {
		return nil
	}
	h := sha256.Sum256([]byte("tenantdesk-recovery-code:" + n))
	return h[:]
}

// SecretBox encrypts small secrets at rest (TOTP secrets) with AES-256-GCM.
// The first key seals; every key opens, so a key can be replaced while
// what the old one sealed is still readable. A sealed value is a version
// byte, the 12-byte random nonce and the ciphertext with its tag; the
// additional data binds it to its owner, so a value copied to another row
// does not open.
type SecretBox struct {
	aeads []cipher.AEAD
}

const secretBoxVersion = 1

// SecretKeyLen is the length of a SecretBox key (AES-256).
const SecretKeyLen = 32

// NewSecretBox returns a box over keys (newest first), each SecretKeyLen bytes.
func NewSecretBox(keys ...[]byte) (*SecretBox, error) {
	if len(keys) == 0 {
		return nil, errors.New("auth: secret box needs a key")
	}
	b := &SecretBox{}
	for _, k := range keys {
		if len(k) != SecretKeyLen {
			return nil, fmt.Errorf("auth: secret key is %d bytes, need %d", len(k), SecretKeyLen)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("auth: secret key: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("auth: secret key: %w", err)
		}
		b.aeads = append(b.aeads, aead)
	}
	return b, nil
}

// Seal encrypts plaintext with the newest key, bound to ad.
func (b *SecretBox) Seal(plaintext, ad []byte) ([]byte, error) {
	aead := b.aeads[0]
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = secretBoxVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("auth: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], plaintext, ad), nil
}

// ErrSecretBoxOpen is returned for a value that no key opens (wrong key,
// tampered value, or additional data that does not match).
var ErrSecretBoxOpen = errors.New("auth: cannot decrypt secret (wrong key or damaged value)")

// Open decrypts a value Seal returned with the same ad, trying every key.
func (b *SecretBox) Open(sealed, ad []byte) ([]byte, error) {
	for _, aead := range b.aeads {
		n := aead.NonceSize()
		if len(sealed) < 1+n+aead.Overhead() || sealed[0] != secretBoxVersion {
			return nil, ErrSecretBoxOpen
		}
		if pt, err := aead.Open(nil, sealed[1:1+n], sealed[1+n:], ad); err == nil {
			return pt, nil
		}
	}
	return nil, ErrSecretBoxOpen
}

// ParseSecretKey decodes a configured key: hex or standard base64 of
// exactly SecretKeyLen bytes.
func ParseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	k, err := hex.DecodeString(s)
	if err != nil {
		if k, err = base64.StdEncoding.DecodeString(s); err != nil {
			return nil, errors.New("secret key is neither hex nor base64")
		}
	}
	if len(k) != SecretKeyLen {
		return nil, fmt.Errorf("secret key is %d bytes, need exactly %d (e.g. openssl rand -hex 32)", len(k), SecretKeyLen)
	}
	return k, nil
}
