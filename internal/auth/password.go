// Package auth holds credential primitives: password hashing, random
// secrets and (later) TOTP, recovery codes and API token formats. No HTTP,
// no SQL.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// OWASPParams is the first configuration the OWASP Password Storage Cheat
// Sheet recommends for argon2id: m=19 MiB, t=2, p=1.
var OWASPParams = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// Argon2id hashes passwords with argon2id in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash). Each hash takes Memory KiB, so
// at most Concurrency hashes run at once; further callers wait. This bounds
// memory under a burst of sign-ins and keeps the CPU for other requests.
type Argon2id struct {
	Params Argon2Params
	sem    chan struct{}
}

// NewArgon2id returns a hasher running at most concurrency hashes at once
// (GOMAXPROCS when concurrency <= 0).
func NewArgon2id(p Argon2Params, concurrency int) *Argon2id {
	if concurrency <= 0 {
		concurrency = runtime.GOMAXPROCS(0)
	}
	return &Argon2id{Params: p, sem: make(chan struct{}, concurrency)}
}

// Hash returns the encoded argon2id hash of password.
func (h *Argon2id) Hash(password string) (string, error) {
	salt := make([]byte, h.Params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := h.derive(password, salt, h.Params)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.Params.Memory, h.Params.Time,
		h.Params.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// ErrMalformedHash is returned by Verify for a hash it cannot parse.
var ErrMalformedHash = errors.New("auth: malformed argon2id hash")

// Verify reports whether password matches encoded, in constant time. The
// parameters are read from encoded, so hashes made with older costs still verify.
func (h *Argon2id) Verify(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, ErrMalformedHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformedHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformedHash
	}
	p.KeyLen = uint32(len(want))
	got := h.derive(password, salt, p)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func (h *Argon2id) derive(password string, salt []byte, p Argon2Params) []byte {
	h.sem <- struct{}{}
	defer func() { <-h.sem }()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// NeedsRehash reports whether encoded was made with other parameters than h's.
func (h *Argon2id) NeedsRehash(encoded string) bool {
	return !strings.Contains(encoded, fmt.Sprintf("$m=%d,t=%d,p=%d$", h.Params.Memory, h.Params.Time, h.Params.Threads))
}
