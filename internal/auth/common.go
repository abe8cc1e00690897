package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

//go:generate go run gen_common_passwords.go

// commonPasswordsGz is the password frequency list of zxcvbn-ts
// (@zxcvbn-ts/language-common 4.1.3, MIT; about 49,000 passwords), generated
// by gen_common_passwords.go from the npm package pinned in package.json.
//
//go:embed common_passwords.txt.gz
var commonPasswordsGz []byte

// CommonPasswordSet is the list of the most commonly used passwords that the
// password policy (tenantdesk.CheckNewPassword) refuses, lower-cased: taken
// from a maintained source, never typed by hand.
type CommonPasswordSet struct {
	set map[string]struct{}
}

// Contains reports whether lower, a lower-cased password, is listed.
func (s *CommonPasswordSet) Contains(lower string) bool {
	_, ok := s.set[lower]
	return ok
}

// Len returns how many distinct passwords the set holds.
func (s *CommonPasswordSet) Len() int { return len(s.set) }

var (
	commonOnce sync.Once
	commonSet  *CommonPasswordSet
)

// CommonPasswords returns the shared set, built on first use.
func CommonPasswords() *CommonPasswordSet {
	commonOnce.Do(func() {
		s := &CommonPasswordSet{set: make(map[string]struct{}, 50000)}
		zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
		if err != nil {
			panic("auth: embedded common password list is corrupt: " + err.Error())
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			if p := strings.ToLower(strings.TrimSpace(sc.Text())); p != "" {
				s.set[p] = struct{}{}
			}
		}
		if err := sc.Err(); err != nil {
			panic("auth: embedded common password list is corrupt: " + err.Error())
		}
		commonSet = s
	})
	return commonSet
}
