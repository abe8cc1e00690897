package service_test

import (
	"context"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestEndUserSessionsByAdminAndOperator (ASVS 5.0 7.4.5): a user admin
// ends every session of a user of their account, who stays enabled; the
// same rules as changing the user (404 elsewhere, 403 without user
// management, partner staff in support mode only, never the Owner by
// someone else, not oneself); the operator ends one user's sessions or
// everyone's. Every ending is audited with its count.
func TestEndUserSessionsByAdminAndOperator(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sessions := map[string]int64{"m1": f.Member1.ID, "m2": f.Member1.ID, "o1": f.Owner1.ID, "a1": f.Admin1.ID, "o2": f.Owner2.ID, "anon": 0}
	for id, uid := range sessions {
		must(t, f.db.CreateSession(ctx, &tenantdesk.Session{ID: id, UserID: uid, Data: []byte{}}))
	}
	alive := func(id string) bool {
		_, err := f.db.FindSession(ctx, id)
		if err != nil && code(err) != tenantdesk.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}

	n, err := f.users.EndUserSessions(f.as(f.Admin1), f.C1.ID, f.Member1.ID)
	if err != nil || n != 2 || alive("m1") || alive("m2") || !alive("o1") || !alive("a1") {
		t.Fatalf("admin ends Mia's sessions: %d %v", n, err)
	}
	if u, err := f.db.FindUserByID(ctx, f.Member1.ID); err != nil || u.Status == tenantdesk.UserDisabled {
		t.Errorf("Mia after: %+v %v", u, err)
	}
	if auditCount(t, f.db, f.C1.ID, tenantdesk.AuditUserSessionsEnded, `"sessionsEnded":2`) != 1 {
		t.Error("not audited with the count")
	}

	impersonating := func(mode tenantdesk.AccessMode) context.Context {
		c := f.as(f.PartnerUser)
		tenantdesk.ActorFrom(c).Impersonation = &tenantdesk.Impersonation{Mode: mode, Account: f.C1, PartnerName: f.Partner.Name}
		return c
	}
	for _, c := range []struct {
		name      string
		ctx       context.Context
		accountID int64
		user      *tenantdesk.User
		want      string
	}{
		{"the Owner by a user admin", f.as(f.Admin1), f.C1.ID, f.Owner1, tenantdesk.EOwnerImmutable},
		{"oneself", f.as(f.Admin1), f.C1.ID, f.Admin1, tenantdesk.EINVALID},
		{"a member without user management", f.as(f.Member1), f.C1.ID, f.Admin1, tenantdesk.EFORBIDDEN},
		{"another account's Owner", f.as(f.Owner2), f.C1.ID, f.Admin1, tenantdesk.ENOTFOUND},
		{"a user of another account through one's own", f.as(f.Owner2), f.C2.ID, f.Admin1, tenantdesk.ENOTFOUND},
		{"partner staff in configure mode", impersonating(tenantdesk.ModeConfigure), f.C1.ID, f.Admin1, tenantdesk.EFORBIDDEN},
		{"partner staff and the Owner", impersonating(tenantdesk.ModeSupport), f.C1.ID, f.Owner1, tenantdesk.EOwnerImmutable},
	} {
		if _, err := f.users.EndUserSessions(c.ctx, c.accountID, c.user.ID); code(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if !alive("o1") || !alive("a1") || !alive("o2") {
		t.Fatal("a refused call ended a session")
	}
	if auditCount(t, f.db, f.C1.ID, tenantdesk.AuditUserSessionsEnded, "") != 1 {
		t.Error("a refused call was audited")
	}
	// Partner staff in support mode manage the users (not the Owner).
	if n, err := f.users.EndUserSessions(impersonating(tenantdesk.ModeSupport), f.C1.ID, f.Admin1.ID); err != nil || n != 1 || alive("a1") {
		t.Errorf("support mode: %d %v", n, err)
	}
	// The Owner may end anyone's but their own.
	must(t, f.db.CreateSession(ctx, &tenantdesk.Session{ID: "a2", UserID: f.Admin1.ID, Data: []byte{}}))
	if n, err := f.users.EndUserSessions(f.as(f.Owner1), f.C1.ID, f.Admin1.ID); err != nil || n != 1 {
		t.Errorf("the Owner: %d %v", n, err)
	}

	// The operator: one user by email, then everyone.
	op := tenantdesk.OperatorContext(ctx)
	if _, _, err := f.svc.Operator.EndSessions(f.as(f.Owner1), f.Owner1.Email, false); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("not the operator: %v", err)
	}
	if _, _, err := f.svc.Operator.EndSessions(op, "nobody@c1.example", false); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("unknown email: %v", err)
	}
	if s, u, err := f.svc.Operator.EndSessions(op, f.Owner1.Email, false); err != nil || s != 1 || u != 1 || alive("o1") {
		t.Errorf("the operator ends the Owner's: %d %d %v", s, u, err)
	}
	must(t, f.db.CreateSession(ctx, &tenantdesk.Session{ID: "m3", UserID: f.Member1.ID, Data: []byte{}}))
	s, u, err := f.svc.Operator.EndSessions(op, "", true)
	if err != nil || s != 3 || u != 2 || alive("o2") || alive("m3") || alive("anon") {
		t.Errorf("the operator ends everyone's: %d sessions of %d users, %v", s, u, err)
	}
	entries, err := f.db.ListAudit(ctx, f.C2.ID, 100)
	must(t, err)
	found := false
	for _, e := range entries {
		if e.Action == tenantdesk.AuditUserSessionsEnded && e.ActorUserID == 0 && e.ActorName == tenantdesk.AuditOperatorName &&
			e.TargetID == tenantdesk.FormatUserID(f.Owner2.ID) && e.After == `{"sessionsEnded":1}` {
			found = true
		}
	}
	if !found {
		t.Error("the operator's ending is not in Otto's account's log")
	}
	if s, u, err := f.svc.Operator.EndSessions(op, "", true); err != nil || s != 0 || u != 0 {
		t.Errorf("nothing left: %d %d %v", s, u, err)
	}
}
