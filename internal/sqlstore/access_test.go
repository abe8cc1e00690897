package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/sqlstore"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// accessNow is the fixed clock of the access tests (whole milliseconds, as
// stored).
var accessNow = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

func newAccessFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.db.Now = func() time.Time { return accessNow }
	return f
}

func (f *fixture) update(t *testing.T, fn func(tx *sqlstore.Tx) error) {
	t.Helper()
	must(t, f.db.Update(context.Background(), func(tx tenantdesk.StoreTx) error { return fn(tx.(*sqlstore.Tx)) }))
}

// request is a pending request of f's partner to acc naming users.
func (f *fixture) request(acc *tenantdesk.Account, modes []tenantdesk.AccessMode, users ...*tenantdesk.User) *tenantdesk.AccessRequest {
	r := &tenantdesk.AccessRequest{PartnerID: f.Partner.ID, AccountID: acc.ID, Name: "Onboarding-1", Message: "Please let us in.",
		Modes: modes, State: tenantdesk.AccessPending, RequestedByID: f.PartnerOwner.ID, RequestedByName: f.PartnerOwner.DisplayName}
	for _, u := range users {
		r.Users = append(r.Users, tenantdesk.AccessRequestUser{UserID: u.ID})
	}
	return r
}

func (f *fixture) insertRequests(t *testing.T, rs ...*tenantdesk.AccessRequest) {
	t.Helper()
	f.update(t, func(tx *sqlstore.Tx) error { return tx.InsertAccessRequests(context.Background(), rs) })
}

// grant stores r as granted until expires (nil: no expiry).
func (f *fixture) grant(t *testing.T, r *tenantdesk.AccessRequest, expires *time.Time) {
	t.Helper()
	r.State, r.ExpiresAt = tenantdesk.AccessGranted, expires
	f.update(t, func(tx *sqlstore.Tx) error { return tx.UpdateAccessRequest(context.Background(), r) })
}

func at(d time.Duration) *time.Time { t := accessNow.Add(d); return &t }

func ids(rs []*tenantdesk.AccessRequest) []int64 {
	out := make([]int64, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// TestAccessRequestsInsertFindList: a batch of two requests is stored with
// new keys and one batch, read back with everything the pages show, and
// listed by partner, customer and named user, newest first.
func TestAccessRequestsInsertFindList(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	r1 := f.request(f.C1, []tenantdesk.AccessMode{tenantdesk.ModeConfigure, tenantdesk.ModeSupport}, f.PartnerUser, f.PartnerOwner)
	r1.ExpiresAt = at(48 * time.Hour)
	r2 := f.request(f.C2, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, f.PartnerUser)
	f.insertRequests(t, r1, r2)
	if r1.ID == 0 || r2.ID == 0 || r1.ID == r2.ID || r1.BatchID == 0 || r1.BatchID != r2.BatchID {
		t.Fatalf("keys: r1 %d/%d, r2 %d/%d", r1.ID, r1.BatchID, r2.ID, r2.BatchID)
	}
	if !r1.CreatedAt.Equal(accessNow) || !r2.UpdatedAt.Equal(accessNow) {
		t.Errorf("times: %v %v", r1.CreatedAt, r2.UpdatedAt)
	}

	got, err := f.db.FindAccessRequest(ctx, r1.ID)
	must(t, err)
	if got.PartnerID != f.Partner.ID || got.PartnerName != "P" || got.AccountID != f.C1.ID || got.AccountName != "C1" ||
		got.AccountTenantID != f.C1.TenantID || got.Name != "Onboarding-1" || got.Message != "Please let us in." ||
		got.RequestedByID != f.PartnerOwner.ID || got.RequestedByName != "Pat" || got.State != tenantdesk.AccessPending ||
		got.BatchID != r1.BatchID || !got.CreatedAt.Equal(accessNow) || !got.UpdatedAt.Equal(accessNow) ||
		got.AnsweredAt != nil || got.RemindedAt != nil || got.AnswerMessage != "" {
		t.Errorf("found %+v", got)
	}
	if got.ExpiresAt == nil || !got.ExpiresAt.Equal(*r1.ExpiresAt) {
		t.Errorf("expires %v, want %v", got.ExpiresAt, r1.ExpiresAt)
	}
	if !slices.Equal(got.Modes, []tenantdesk.AccessMode{tenantdesk.ModeSupport, tenantdesk.ModeConfigure}) {
		t.Errorf("modes %v", got.Modes)
	}
	wantUsers := []tenantdesk.AccessRequestUser{
		{UserID: f.PartnerOwner.ID, DisplayName: "Pat", Email: "pat@p.example"},
		{UserID: f.PartnerUser.ID, DisplayName: "Staff", Email: "staff@p.example"},
	}
	if !slices.Equal(got.Users, wantUsers) {
		t.Errorf("users %+v, want %+v", got.Users, wantUsers)
	}
	// Inside a transaction too.
	f.update(t, func(tx *sqlstore.Tx) error {
		in, err := tx.FindAccessRequest(ctx, r2.ID)
		if err == nil && (in.AccountID != f.C2.ID || len(in.Users) != 1 || in.Users[0].UserID != f.PartnerUser.ID) {
			t.Errorf("inside tx: %+v", in)
		}
		return err
	})

	for name, c := range map[string]struct {
		q    tenantdesk.AccessRequestQuery
		want []int64
	}{
		"partner":       {tenantdesk.AccessRequestQuery{PartnerID: f.Partner.ID}, []int64{r2.ID, r1.ID}},
		"partner limit": {tenantdesk.AccessRequestQuery{PartnerID: f.Partner.ID, Limit: 1}, []int64{r2.ID}},
		"other partner": {tenantdesk.AccessRequestQuery{PartnerID: f.OtherPartnerAdmin.AccountID}, []int64{}},
		"customer":      {tenantdesk.AccessRequestQuery{AccountID: f.C1.ID}, []int64{r1.ID}},
		"owner named":   {tenantdesk.AccessRequestQuery{UserID: f.PartnerOwner.ID}, []int64{r1.ID}},
		"staff named":   {tenantdesk.AccessRequestQuery{UserID: f.PartnerUser.ID}, []int64{r2.ID, r1.ID}},
		"pending":       {tenantdesk.AccessRequestQuery{PartnerID: f.Partner.ID, State: tenantdesk.AccessPending}, []int64{r2.ID, r1.ID}},
		"granted":       {tenantdesk.AccessRequestQuery{PartnerID: f.Partner.ID, State: tenantdesk.AccessGranted}, []int64{}},
	} {
		list, err := f.db.AccessRequests(ctx, c.q)
		must(t, err)
		if !slices.Equal(ids(list), c.want) {
			t.Errorf("%s: %v, want %v", name, ids(list), c.want)
		}
		for _, r := range list {
			if len(r.Users) == 0 || r.PartnerName != "P" {
				t.Errorf("%s: request %d listed without users or partner: %+v", name, r.ID, r)
			}
		}
	}
	list, err := f.db.AccessRequests(ctx, tenantdesk.AccessRequestQuery{UserID: f.PartnerUser.ID})
	must(t, err)
	if len(list) != 2 || len(list[1].Users) != 2 || len(list[0].Users) != 1 {
		t.Errorf("a user's list carries every user of each request: %+v", list)
	}

	f.grant(t, r1, nil)
	list, err = f.db.AccessRequests(ctx, tenantdesk.AccessRequestQuery{AccountID: f.C1.ID, State: tenantdesk.AccessGranted})
	must(t, err)
	if !slices.Equal(ids(list), []int64{r1.ID}) || list[0].ExpiresAt != nil {
		t.Errorf("granted: %+v", list)
	}

	for _, q := range []tenantdesk.AccessRequestQuery{{}, {PartnerID: f.Partner.ID, AccountID: f.C1.ID}} {
		if _, err := f.db.AccessRequests(ctx, q); err == nil {
			t.Errorf("query %+v accepted", q)
		}
	}
}

// TestAccessRequestUnknownID: a request that does not exist is ENOTFOUND,
// read or updated.
func TestAccessRequestUnknownID(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	if _, err := f.db.FindAccessRequest(ctx, 424242); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("find: %v", err)
	}
	err := f.db.Update(ctx, func(tx tenantdesk.StoreTx) error {
		return tx.UpdateAccessRequest(ctx, &tenantdesk.AccessRequest{ID: 424242, State: tenantdesk.AccessDenied})
	})
	if code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("update: %v", err)
	}
}

// TestUpdateAccessRequest stores the answer, expiry and reminder fields and
// clears them again.
func TestUpdateAccessRequest(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	r := f.request(f.C1, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, f.PartnerUser)
	f.insertRequests(t, r)
	later := accessNow.Add(time.Hour)
	f.db.Now = func() time.Time { return later }
	r.State, r.ExpiresAt, r.AnswerMessage, r.AnsweredByName = tenantdesk.AccessGranted, at(72*time.Hour), "Welcome", "Olive"
	r.AnsweredAt, r.RemindedAt = &later, at(2*time.Hour)
	f.update(t, func(tx *sqlstore.Tx) error { return tx.UpdateAccessRequest(ctx, r) })
	if !r.UpdatedAt.Equal(later) {
		t.Errorf("UpdatedAt %v, want %v", r.UpdatedAt, later)
	}
	got, err := f.db.FindAccessRequest(ctx, r.ID)
	must(t, err)
	if got.State != tenantdesk.AccessGranted || got.AnswerMessage != "Welcome" || got.AnsweredByName != "Olive" ||
		got.AnsweredAt == nil || !got.AnsweredAt.Equal(later) || got.RemindedAt == nil || !got.RemindedAt.Equal(*r.RemindedAt) ||
		got.ExpiresAt == nil || !got.ExpiresAt.Equal(*r.ExpiresAt) || !got.UpdatedAt.Equal(later) || !got.CreatedAt.Equal(accessNow) {
		t.Errorf("after update: %+v", got)
	}
	r.ExpiresAt, r.RemindedAt = nil, nil
	f.update(t, func(tx *sqlstore.Tx) error { return tx.UpdateAccessRequest(ctx, r) })
	got, err = f.db.FindAccessRequest(ctx, r.ID)
	must(t, err)
	if got.ExpiresAt != nil || got.RemindedAt != nil {
		t.Errorf("cleared fields read back as %v, %v", got.ExpiresAt, got.RemindedAt)
	}
}

// TestLiveGrantsAndParentUsers: grants whose expiry has passed, pending and
// revoked requests let nobody in; a user named in several live grants is
// one parent user with the latest expiry, or none when a grant has none.
func TestLiveGrantsAndParentUsers(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	support := []tenantdesk.AccessMode{tenantdesk.ModeSupport}
	configure := []tenantdesk.AccessMode{tenantdesk.ModeConfigure}
	past := f.request(f.C1, support, f.PartnerUser, f.PartnerOwner)
	soon := f.request(f.C1, support, f.PartnerUser, f.PartnerOwner)
	later := f.request(f.C1, configure, f.PartnerOwner)
	forever := f.request(f.C2, support, f.PartnerUser)
	pending := f.request(f.C2, configure, f.PartnerOwner)
	revoked := f.request(f.C2, configure, f.PartnerOwner)
	f.insertRequests(t, past, soon, later, forever, pending, revoked)
	f.grant(t, past, at(-time.Minute))
	f.grant(t, soon, at(time.Hour))
	f.grant(t, later, at(10*24*time.Hour))
	f.grant(t, forever, nil)
	revoked.State = tenantdesk.AccessRevoked
	f.update(t, func(tx *sqlstore.Tx) error { return tx.UpdateAccessRequest(ctx, revoked) })

	grantIDs := func(gs []tenantdesk.Grant) []int64 {
		out := []int64{}
		for _, g := range gs {
			out = append(out, g.RequestID)
		}
		return out
	}
	gs, err := f.db.LiveGrants(ctx, f.PartnerUser.ID, 0, accessNow)
	must(t, err)
	if !slices.Equal(grantIDs(gs), []int64{soon.ID, forever.ID}) {
		t.Fatalf("staff's live grants %v, want %v", grantIDs(gs), []int64{soon.ID, forever.ID})
	}
	if gs[0].AccountID != f.C1.ID || gs[0].ExpiresAt == nil || !gs[0].ExpiresAt.Equal(*soon.ExpiresAt) ||
		!slices.Equal(gs[0].Modes, support) || gs[1].ExpiresAt != nil || gs[1].AccountID != f.C2.ID {
		t.Errorf("grants %+v", gs)
	}
	gs, err = f.db.LiveGrants(ctx, f.PartnerUser.ID, f.C2.ID, accessNow)
	must(t, err)
	if !slices.Equal(grantIDs(gs), []int64{forever.ID}) {
		t.Errorf("at C2: %v", grantIDs(gs))
	}
	// At the very millisecond of its expiry a grant has ended (StateAt).
	gs, err = f.db.LiveGrants(ctx, f.PartnerUser.ID, f.C1.ID, *soon.ExpiresAt)
	must(t, err)
	if len(gs) != 0 {
		t.Errorf("at the expiry: %v", grantIDs(gs))
	}
	f.update(t, func(tx *sqlstore.Tx) error {
		gs, err := tx.LiveGrants(ctx, f.PartnerOwner.ID, 0, accessNow)
		if err == nil && !slices.Equal(grantIDs(gs), []int64{soon.ID, later.ID}) {
			t.Errorf("owner's live grants inside tx: %v", grantIDs(gs))
		}
		return err
	})

	ps, err := f.db.ParentUsers(ctx, f.C1.ID, accessNow)
	must(t, err)
	if len(ps) != 2 || ps[0].ID != f.PartnerOwner.ID || ps[1].ID != f.PartnerUser.ID {
		t.Fatalf("parent users of C1: %+v", ps)
	}
	if ps[0].GrantExpiresAt == nil || !ps[0].GrantExpiresAt.Equal(*later.ExpiresAt) ||
		ps[1].GrantExpiresAt == nil || !ps[1].GrantExpiresAt.Equal(*soon.ExpiresAt) {
		t.Errorf("expiries: %v, %v", ps[0].GrantExpiresAt, ps[1].GrantExpiresAt)
	}
	if ps[1].AccountID != f.Partner.ID || ps[1].TenantID != f.Partner.TenantID || ps[1].Email != "staff@p.example" ||
		ps[1].Status != f.PartnerUser.Status || !slices.Equal(ps[1].Roles, f.PartnerUser.Roles) || !ps[0].IsOwner {
		t.Errorf("parent user as stored: %+v", ps[1].User)
	}
	// A second live grant without an expiry makes the user's expiry nil.
	open := f.request(f.C1, support, f.PartnerUser)
	f.insertRequests(t, open)
	f.grant(t, open, nil)
	ps, err = f.db.ParentUsers(ctx, f.C1.ID, accessNow)
	must(t, err)
	if len(ps) != 2 || ps[1].GrantExpiresAt != nil {
		t.Errorf("with an open grant: %+v", ps[1])
	}
	// C2: only the grant without expiry; the pending and revoked requests
	// name nobody in.
	ps, err = f.db.ParentUsers(ctx, f.C2.ID, accessNow)
	must(t, err)
	if len(ps) != 1 || ps[0].ID != f.PartnerUser.ID || ps[0].GrantExpiresAt != nil {
		t.Errorf("parent users of C2: %+v", ps)
	}
	// Disabled users are left out.
	staff := *f.PartnerUser
	staff.Status = tenantdesk.UserDisabled
	f.update(t, func(tx *sqlstore.Tx) error { return tx.UpdateUser(ctx, &staff) })
	f.update(t, func(tx *sqlstore.Tx) error {
		ps, err := tx.ParentUsers(ctx, f.C1.ID, accessNow)
		if err == nil && (len(ps) != 1 || ps[0].ID != f.PartnerOwner.ID) {
			t.Errorf("with staff disabled: %+v", ps)
		}
		return err
	})
	// Much later every grant with an expiry has ended.
	ps, err = f.db.ParentUsers(ctx, f.C1.ID, accessNow.Add(30*24*time.Hour))
	must(t, err)
	if len(ps) != 0 {
		t.Errorf("a month later: %+v", ps)
	}
}

// TestUsersWithAnyRole: the account's Owner and the holders of any of the
// roles, each once, by name; disabled users are left out.
func TestUsersWithAnyRole(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	responder := &tenantdesk.User{AccountID: f.C1.ID, DisplayName: "Bea", Email: "bea@c1.example", Status: tenantdesk.UserActive,
		Language: "de", Roles: []string{tenantdesk.RoleAccessRespond}}
	gone := &tenantdesk.User{AccountID: f.C1.ID, DisplayName: "Zed", Email: "zed@c1.example", Status: tenantdesk.UserDisabled,
		Roles: []string{tenantdesk.RoleUserAdmin}}
	f.update(t, func(tx *sqlstore.Tx) error {
		if err := tx.InsertUser(ctx, responder); err != nil {
			return err
		}
		return tx.InsertUser(ctx, gone)
	})
	names := func(us []*tenantdesk.User) []string {
		out := []string{}
		for _, u := range us {
			out = append(out, u.DisplayName)
		}
		return out
	}
	us, err := f.db.UsersWithAnyRole(ctx, f.C1.ID, []string{tenantdesk.RoleUserAdmin, tenantdesk.RoleAccessRespond, tenantdesk.RoleCustomerUser})
	must(t, err)
	if !slices.Equal(names(us), []string{"Ada", "Bea", "Mia", "Olive"}) {
		t.Errorf("got %v", names(us))
	}
	us, err = f.db.UsersWithAnyRole(ctx, f.C1.ID, []string{tenantdesk.RoleUserAdmin, tenantdesk.RoleAccessRespond})
	must(t, err)
	if !slices.Equal(names(us), []string{"Ada", "Bea", "Olive"}) {
		t.Fatalf("got %v", names(us))
	}
	bea := us[1]
	if bea.ID != responder.ID || bea.AccountID != f.C1.ID || bea.TenantID != f.C1.TenantID || bea.Email != "bea@c1.example" ||
		bea.Language != "de" || bea.Status != tenantdesk.UserActive || bea.IsOwner || !slices.Equal(bea.Roles, []string{tenantdesk.RoleAccessRespond}) {
		t.Errorf("user as read: %+v", bea)
	}
	if !us[2].IsOwner || us[2].ID != f.Owner1.ID {
		t.Errorf("owner: %+v", us[2])
	}
	f.update(t, func(tx *sqlstore.Tx) error {
		us, err := tx.UsersWithAnyRole(ctx, f.C2.ID, nil)
		if err == nil && !slices.Equal(names(us), []string{"Otto"}) {
			t.Errorf("C2, no roles: %v", names(us))
		}
		return err
	})
}

// TestMarkFirstGrantDropsCachedAccount: the account read cached before the
// first grant is not served after it; a second grant keeps the first time.
func TestMarkFirstGrantDropsCachedAccount(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	before, err := f.db.FindAccountByID(ctx, f.C1.ID)
	must(t, err)
	if before.FirstGrantAt != nil || !before.LegacyPartnerAccess() {
		t.Fatalf("before: %v", before.FirstGrantAt)
	}
	f.update(t, func(tx *sqlstore.Tx) error { return tx.MarkFirstGrant(ctx, f.C1.ID) })
	after, err := f.db.FindAccountByID(ctx, f.C1.ID)
	must(t, err)
	if after.FirstGrantAt == nil || !after.FirstGrantAt.Equal(accessNow) || after.LegacyPartnerAccess() {
		t.Fatalf("after: %v (cached read served?)", after.FirstGrantAt)
	}
	f.db.Now = func() time.Time { return accessNow.Add(time.Hour) }
	f.update(t, func(tx *sqlstore.Tx) error {
		if err := tx.MarkFirstGrant(ctx, f.C1.ID); err != nil {
			return err
		}
		acc, err := tx.FindAccountByID(ctx, f.C1.ID)
		if err == nil && (acc.FirstGrantAt == nil || !acc.FirstGrantAt.Equal(accessNow)) {
			t.Errorf("second grant moved the first: %v", acc.FirstGrantAt)
		}
		return err
	})
	other, err := f.db.FindAccountByID(ctx, f.C2.ID)
	must(t, err)
	if other.FirstGrantAt != nil {
		t.Errorf("C2 marked too: %v", other.FirstGrantAt)
	}
	// The customers list reads it too.
	cs, err := f.db.PartnerCustomers(ctx, f.Partner.ID, []int64{f.C1.ID})
	must(t, err)
	if len(cs) != 1 || cs[0].Account.FirstGrantAt == nil {
		t.Errorf("customers list: %+v", cs)
	}
}

// TestDueExpiryReminders: live grants expiring within the window whose
// reminder was not sent, soonest first, with their users.
func TestDueExpiryReminders(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	support := []tenantdesk.AccessMode{tenantdesk.ModeSupport}
	week := 7 * 24 * time.Hour
	due2 := f.request(f.C1, support, f.PartnerUser)
	due1 := f.request(f.C2, support, f.PartnerUser, f.PartnerOwner)
	reminded := f.request(f.C1, support, f.PartnerUser)
	tooLate := f.request(f.C1, support, f.PartnerUser)
	expired := f.request(f.C1, support, f.PartnerUser)
	open := f.request(f.C1, support, f.PartnerUser)
	pending := f.request(f.C1, support, f.PartnerUser)
	pending.ExpiresAt = at(time.Hour)
	f.insertRequests(t, due2, due1, reminded, tooLate, expired, open, pending)
	f.grant(t, due2, at(week))
	f.grant(t, due1, at(24*time.Hour))
	reminded.RemindedAt = at(-time.Hour)
	f.grant(t, reminded, at(2*24*time.Hour))
	f.grant(t, tooLate, at(week+time.Millisecond))
	f.grant(t, expired, at(0))
	f.grant(t, open, nil)

	var got []*tenantdesk.AccessRequest
	f.update(t, func(tx *sqlstore.Tx) error {
		var err error
		got, err = tx.DueExpiryReminders(ctx, accessNow, accessNow.Add(week))
		return err
	})
	if !slices.Equal(ids(got), []int64{due1.ID, due2.ID}) {
		t.Fatalf("due %v, want %v", ids(got), []int64{due1.ID, due2.ID})
	}
	if len(got[0].Users) != 2 || got[0].AccountName != "C2" || got[0].PartnerName != "P" {
		t.Errorf("due request: %+v", got[0])
	}
}

// TestAccessRequestKeysNeverReused: the newest request deleted, the next
// one still gets a new key.
func TestAccessRequestKeysNeverReused(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	r := f.request(f.C1, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, f.PartnerUser)
	f.insertRequests(t, r)
	f.update(t, func(tx *sqlstore.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM access_requests WHERE id = ?`, r.ID)
		return err
	})
	next := f.request(f.C1, []tenantdesk.AccessMode{tenantdesk.ModeSupport}, f.PartnerUser)
	f.insertRequests(t, next)
	if next.ID <= r.ID {
		t.Fatalf("key %d after deleted %d", next.ID, r.ID)
	}
	if _, err := f.db.FindAccessRequest(ctx, r.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("deleted request: %v", err)
	}
}

// TestAuditImpersonationColumns: the impersonation fields are stored and
// read back, and the Who filter finds an entry by the actor's account.
func TestAuditImpersonationColumns(t *testing.T) {
	f := newAccessFixture(t)
	ctx := context.Background()
	e := &tenantdesk.AuditEntry{AccountID: f.C1.ID, ActorUserID: f.PartnerUser.ID, ActorName: "Staff",
		ActorAccountName: "Classics Partner", ImpersonationMode: string(tenantdesk.ModeSupport), OnAccountName: "C1",
		Action: tenantdesk.AuditUserUpdate, TargetType: "user", TargetID: tenantdesk.FormatUserID(f.Member1.ID)}
	f.update(t, func(tx *sqlstore.Tx) error { return tx.InsertAudit(ctx, e) })
	for _, who := range []string{"classics", "Staff"} {
		page, err := f.db.AuditPage(ctx, f.C1.ID, tenantdesk.AuditFilter{Actor: who, Limit: 10})
		must(t, err)
		if len(page.Entries) != 1 {
			t.Fatalf("who %q: %d entries", who, len(page.Entries))
		}
		got := page.Entries[0]
		if got.ActorAccountName != "Classics Partner" || got.ImpersonationMode != "support" || got.OnAccountName != "C1" ||
			got.TargetName != "Mia" {
			t.Errorf("read back: %+v", got)
		}
	}
	list, err := f.db.ListAudit(ctx, f.C1.ID, 1)
	must(t, err)
	if len(list) != 1 || list[0].ActorAccountName != "Classics Partner" {
		t.Errorf("ListAudit: %+v", list)
	}
	page, err := f.db.AuditPage(ctx, f.C1.ID, tenantdesk.AuditFilter{Actor: "nobody", Limit: 10})
	must(t, err)
	if len(page.Entries) != 0 {
		t.Errorf("who nobody: %+v", page.Entries)
	}
}
