package auth

import (
	"strings"
	"sync"
	"testing"
)

// cheap keeps the tests fast; the encoding and comparison are what is tested.
var cheap = Argon2Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestArgon2idRoundTrip(t *testing.T) {
	h := NewArgon2id(cheap, 2)
	enc, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected encoding %q", enc)
	}
	if ok, err := h.Verify(enc, "correct horse battery staple"); err != nil || !ok {
		t.Fatalf("right password: ok=%v err=%v", ok, err)
	}
	if ok, _ := h.Verify(enc, "correct horse battery stapl"); ok {
		t.Fatal("wrong password verified")
	}
	enc2, _ := h.Hash("correct horse battery staple")
	if enc == enc2 {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	// A hash made with other costs still verifies, and is flagged for rehash.
	h2 := NewArgon2id(Argon2Params{Memory: 128, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}, 1)
	if ok, _ := h2.Verify(enc, "correct horse battery staple"); !ok {
		t.Fatal("hash with older parameters did not verify")
	}
	if !h2.NeedsRehash(enc) || h.NeedsRehash(enc) {
		t.Fatal("NeedsRehash is wrong")
	}
}

func TestArgon2idMalformed(t *testing.T) {
	h := NewArgon2id(cheap, 1)
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"} {
		if _, err := h.Verify(bad, "x"); err != ErrMalformedHash {
			t.Errorf("Verify(%q) err = %v, want ErrMalformedHash", bad, err)
		}
	}
}

func TestArgon2idBoundsConcurrency(t *testing.T) {
	h := NewArgon2id(cheap, 1)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.Hash("pw"); err != nil {
				t.Error(err)
			}
			if len(h.sem) > cap(h.sem) {
				t.Error("semaphore overflow")
			}
		}()
	}
	wg.Wait()
	if len(h.sem) != 0 {
		t.Fatalf("semaphore not released: %d held", len(h.sem))
	}
}

func BenchmarkArgon2idOWASP(b *testing.B) {
	h := NewArgon2id(OWASPParams, 0)
	enc, _ := h.Hash("correct horse battery staple")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Verify(enc, "correct horse battery staple")
	}
}

func TestRandomPassword(t *testing.T) {
	p := RandomPassword(16)
	if len(p) != 16 || strings.ContainsAny(p, "0O1lI") {
		t.Fatalf("bad password %q", p)
	}
}
