package service_test

import (
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestIdempotencyKeys: a key is reserved once; the same request gets the
// stored response, another request EIdempotencyKeyReused, and a request
// while the first runs EIdempotencyKeyInUse; a released key may run again.
func TestIdempotencyKeys(t *testing.T) {
	f := newFixture(t)
	ctx := f.as(f.Owner1) // the Owner holds onboarding.admin, which tokens need
	tok, _, err := f.svc.Tokens.CreateToken(ctx, f.Owner1.ID, tenantdesk.NewAPIToken{Name: "idem"})
	must(t, err)
	s := f.svc.Idempotency
	a, b := []byte("request A"), []byte("request B")
	if res, err := s.ReserveIdempotencyKey(ctx, tok.ID, "k1", a); err != nil || res != nil {
		t.Fatalf("first reserve: %+v %v", res, err)
	}
	if _, err := s.ReserveIdempotencyKey(ctx, tok.ID, "k1", a); code(err) != tenantdesk.EIdempotencyKeyInUse {
		t.Fatalf("while running: %v", err)
	}
	if _, err := s.ReserveIdempotencyKey(ctx, tok.ID, "k1", b); code(err) != tenantdesk.EIdempotencyKeyReused {
		t.Fatalf("other request: %v", err)
	}
	must(t, s.CompleteIdempotencyKey(ctx, tok.ID, "k1", &tenantdesk.IdempotentResponse{Status: 201,
		Header: map[string]string{"Location": "/x"}, Body: []byte(`{"ok":true}`)}))
	res, err := s.ReserveIdempotencyKey(ctx, tok.ID, "k1", a)
	if err != nil || res == nil || res.Status != 201 || res.Header["Location"] != "/x" || string(res.Body) != `{"ok":true}` {
		t.Fatalf("replay: %+v %v", res, err)
	}
	// Releasing a completed key keeps it.
	must(t, s.ReleaseIdempotencyKey(ctx, tok.ID, "k1"))
	if res, err := s.ReserveIdempotencyKey(ctx, tok.ID, "k1", a); err != nil || res == nil {
		t.Fatalf("after release of a completed key: %+v %v", res, err)
	}
	// A released reservation may run again.
	if _, err := s.ReserveIdempotencyKey(ctx, tok.ID, "k2", a); err != nil {
		t.Fatal(err)
	}
	must(t, s.ReleaseIdempotencyKey(ctx, tok.ID, "k2"))
	if res, err := s.ReserveIdempotencyKey(ctx, tok.ID, "k2", b); err != nil || res != nil {
		t.Fatalf("after release: %+v %v", res, err)
	}
}
