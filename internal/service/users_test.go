package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/service/servicetest"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// Tests of the users service (tenantdesk.AccountUserService) on a real
// SQLite store: authorization per actor, the rules with real data, the R7
// roll-out, keyset pages and search, disable/enable.

func TestAccountUsersAuthorization(t *testing.T) {
	f := newFixture(t)
	db, users := f.db, f.users
	roles := []string{"customer.user"}
	for _, c := range []struct {
		name  string
		actor *tenantdesk.User
		want  string
	}{
		{"owner", f.Owner1, ""},
		{"user admin", f.Admin1, ""},
		{"partner admin of the customer's partner", f.PartnerOwner, ""},
		{"plain member", f.Member1, tenantdesk.EFORBIDDEN},
		{"partner staff without partner.admin (their customer: an access request is needed)", f.PartnerUser, tenantdesk.EAccessRequestRequired},
		{"owner of another customer", f.Owner2, tenantdesk.ENOTFOUND},
		{"admin of another partner", f.OtherPartnerAdmin, tenantdesk.ENOTFOUND},
	} {
		ctx := f.as(c.actor)
		if _, err := users.ListUsers(ctx, f.C1.ID, tenantdesk.UserFilter{}); code(err) != c.want {
			t.Errorf("%s: ListUsers = %v, want %q", c.name, err, c.want)
		}
		if _, err := users.GetUser(ctx, f.C1.ID, f.Member1.ID); code(err) != c.want {
			t.Errorf("%s: GetUser = %v, want %q", c.name, err, c.want)
		}
		email := fmt.Sprintf("new-%d@c1.example", len(c.name))
		if _, err := users.InviteUser(ctx, f.C1.ID, tenantdesk.NewUser{DisplayName: "New", Email: email, Roles: roles}); code(err) != c.want {
			t.Errorf("%s: InviteUser = %v, want %q", c.name, err, c.want)
		}
		name := "Renamed by " + c.name
		if _, err := users.UpdateUser(ctx, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{DisplayName: &name}); code(err) != c.want {
			t.Errorf("%s: UpdateUser = %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := users.ListUsers(context.Background(), f.C1.ID, tenantdesk.UserFilter{}); code(err) != tenantdesk.EUNAUTHORIZED {
		t.Errorf("anonymous: %v", err)
	}
	// A user of this account addressed through another account is not found.
	if _, err := users.GetUser(f.as(f.Owner2), f.C2.ID, f.Member1.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("user of c1 through c2: %v", err)
	}
	if err := users.DeleteUser(f.as(f.Owner2), f.C2.ID, f.Member1.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("delete c1's user through c2: %v", err)
	}
	if _, err := db.FindUserByID(context.Background(), f.Member1.ID); err != nil {
		t.Fatal("member deleted through another account")
	}
}

func TestAccountUsersRulesInTheDatabase(t *testing.T) {
	f := newFixture(t)
	db, users, ctx := f.db, f.users, f.as(f.Owner1)
	// R5: the Owner.
	if err := users.DeleteUser(ctx, f.C1.ID, f.Owner1.ID); code(err) != tenantdesk.EOwnerImmutable {
		t.Errorf("delete owner: %v", err)
	}
	if _, err := users.SetUserDisabled(ctx, f.C1.ID, f.Owner1.ID, true); code(err) != tenantdesk.EOwnerImmutable {
		t.Errorf("disable owner: %v", err)
	}
	// R3 with Owner + Ada as admins: Ada can go, but in a customer without
	// an Owner the last admin cannot.
	noOwner := &tenantdesk.Account{Name: "C3"}
	op := tenantdesk.OperatorContext(context.Background())
	must(t, servicetest.NewOps(t, db).CreateCustomer(op, noOwner, nil))
	// R4: the first change must make an admin.
	if _, err := users.InviteUser(op, noOwner.ID, tenantdesk.NewUser{DisplayName: "Joe", Email: "joe@c3.example", Roles: []string{"customer.user"}}); code(err) != tenantdesk.EAdminRequiredFirst {
		t.Fatalf("first user not admin: %v", err)
	}
	first, err := users.InviteUser(op, noOwner.ID, tenantdesk.NewUser{DisplayName: "Amy", Email: "amy@c3.example", Roles: []string{"customer.user", "user.admin"}})
	must(t, err)
	amy := first.User
	if err := users.DeleteUser(op, noOwner.ID, amy.ID); code(err) != tenantdesk.ELastUserAdmin {
		t.Errorf("delete last admin: %v", err)
	}
	if _, err := users.SetUserDisabled(op, noOwner.ID, amy.ID, true); code(err) != tenantdesk.ELastUserAdmin {
		t.Errorf("disable last admin: %v", err)
	}
	only := []string{"customer.user"}
	if _, err := users.UpdateUser(op, noOwner.ID, amy.ID, tenantdesk.UserPatch{Roles: &only}); code(err) != tenantdesk.ELastUserAdmin {
		t.Errorf("demote last admin: %v", err)
	} else if err != nil && tenantdesk.ErrorMessage(err) != "There must be at least one user admin" {
		t.Errorf("message %q", tenantdesk.ErrorMessage(err))
	}
	// A second admin makes the first removable.
	_, err = users.InviteUser(op, noOwner.ID, tenantdesk.NewUser{DisplayName: "Ben", Email: "ben@c3.example", Roles: []string{"customer.user", "user.admin"}})
	must(t, err)
	if _, err := users.UpdateUser(op, noOwner.ID, amy.ID, tenantdesk.UserPatch{Roles: &only}); err != nil {
		t.Errorf("demote with another admin: %v", err)
	}
	// Nothing half-done: a rejected change leaves the user as it was.
	bad := []string{"customer.user", "customer.user.supervisorl1", "customer.user.supervisorl2"}
	if _, err := users.UpdateUser(ctx, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{Roles: &bad}); code(err) != tenantdesk.ESupervisorRolesExclusive {
		t.Errorf("two supervisors: %v", err)
	}
	got, _ := db.FindUserByID(ctx, f.Member1.ID)
	if strings.Join(got.Roles, ",") != "customer.user" {
		t.Errorf("roles after a rejected change: %v", got.Roles)
	}
}

func TestRealtimeRolloutOnFirstLiveSupervisor(t *testing.T) {
	f := newFixture(t)
	db, users, ctx := f.db, f.users, f.as(f.Admin1)
	var pbx []*tenantdesk.User
	for i := 0; i < 3; i++ {
		ch, err := users.InviteUser(ctx, f.C1.ID, tenantdesk.NewUser{DisplayName: fmt.Sprintf("Agent %d", i),
			Email: fmt.Sprintf("agent%d@c1.example", i), Roles: []string{"customer.user.pbx"}})
		must(t, err)
		pbx = append(pbx, ch.User)
	}
	// A level-1 supervisor triggers nothing.
	l1 := []string{"customer.user", "customer.user.supervisorl1"}
	ch, err := users.UpdateUser(ctx, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{Roles: &l1})
	must(t, err)
	if len(ch.AutoAssigned) != 0 {
		t.Fatalf("supervisorl1 assigned %v", ch.AutoAssigned)
	}
	// The first level-3 supervisor (who also holds pbx) rolls the add-on out to every pbx holder, him included.
	l3 := []string{"customer.user", "customer.user.supervisorl3", "customer.user.pbx"}
	ch, err = users.UpdateUser(ctx, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{Roles: &l3})
	must(t, err)
	if len(ch.AutoAssigned) != 4 {
		t.Fatalf("auto-assigned %d users, want 4: %+v", len(ch.AutoAssigned), ch.AutoAssigned)
	}
	if !ch.User.HasRole("customer.user.pbx.realtime") {
		t.Errorf("the changed user's roles in the response lack the add-on: %v", ch.User.Roles)
	}
	for _, u := range pbx {
		got, _ := db.FindUserByID(ctx, u.ID)
		if !got.HasRole("customer.user.pbx.realtime") {
			t.Errorf("%s lacks the add-on", u.DisplayName)
		}
	}
	entries, _ := db.ListAudit(ctx, f.C1.ID, 100)
	auto := 0
	for _, e := range entries {
		if e.Action == "user.auto_role" && e.Licensed && e.ActorUserID == f.Admin1.ID {
			auto++
		}
	}
	if auto != 4 {
		t.Errorf("%d auto-role audit entries, want 4", auto)
	}
	// A second live supervisor does not roll out again; other accounts are untouched.
	ch, err = users.InviteUser(ctx, f.C1.ID, tenantdesk.NewUser{DisplayName: "Sup Two", Email: "sup2@c1.example", Roles: []string{"customer.user", "customer.user.supervisorl4"}})
	must(t, err)
	if len(ch.AutoAssigned) != 0 {
		t.Errorf("second live supervisor rolled out again: %v", ch.AutoAssigned)
	}
}

func TestListUsersKeysetPagesAndSearch(t *testing.T) {
	f := newFixture(t)
	users, ctx := f.users, f.as(f.Owner1)
	for i := 0; i < 120; i++ {
		_, err := users.InviteUser(ctx, f.C1.ID, tenantdesk.NewUser{DisplayName: fmt.Sprintf("Person %03d", i), Email: fmt.Sprintf("p%03d@c1.example", i), Roles: []string{"customer.user"}})
		must(t, err)
	}
	// Walk every page: each user once, in name order.
	seen := map[int64]bool{}
	var names []string
	cursor := ""
	pages := 0
	for {
		page, err := users.ListUsers(ctx, f.C1.ID, tenantdesk.UserFilter{After: cursor, Limit: 50})
		must(t, err)
		pages++
		for _, u := range page.Users {
			if seen[u.ID] {
				t.Fatalf("user %d twice", u.ID)
			}
			seen[u.ID] = true
			names = append(names, strings.ToLower(u.DisplayName))
			if u.AccountID != f.C1.ID || u.TenantID != f.C1.TenantID {
				t.Fatalf("user of another account listed: %+v", u)
			}
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) != 123 || pages != 3 { // 120 + Olive, Ada, Mia
		t.Fatalf("%d users in %d pages", len(seen), pages)
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] > names[i] {
			t.Fatalf("not in name order: %q before %q", names[i-1], names[i])
		}
	}
	// Prefix search on name and on email, case-insensitive.
	for q, want := range map[string]int{"person 01": 10, "PERSON 119": 1, "p00": 10, "ada": 1, "ADA@": 1, "zzz": 0, "olive@c1": 1} {
		page, err := users.ListUsers(ctx, f.C1.ID, tenantdesk.UserFilter{Query: q, Limit: 200})
		must(t, err)
		if len(page.Users) != want {
			t.Errorf("search %q: %d users, want %d", q, len(page.Users), want)
		}
	}
	// Otto of C2 is not found from C1.
	if page, _ := users.ListUsers(ctx, f.C1.ID, tenantdesk.UserFilter{Query: "otto"}); len(page.Users) != 0 {
		t.Error("search crossed accounts")
	}
	if _, err := users.ListUsers(ctx, f.C1.ID, tenantdesk.UserFilter{After: "garbage!"}); code(err) != tenantdesk.EINVALID {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestDisableEndsSessionsAndEnableRestoresStatus(t *testing.T) {
	f := newFixture(t)
	db, users, ctx := f.db, f.users, f.as(f.Owner1)
	must(t, f.svc.Operator.SetPassword(tenantdesk.OperatorContext(ctx), f.Member1.ID, "a long enough password"))
	must(t, db.CreateSession(ctx, &tenantdesk.Session{ID: "s1", UserID: f.Member1.ID, Data: []byte{}}))
	u, err := users.SetUserDisabled(ctx, f.C1.ID, f.Member1.ID, true)
	must(t, err)
	if u.Status != tenantdesk.UserDisabled {
		t.Fatalf("status %s", u.Status)
	}
	if _, err := db.FindSession(ctx, "s1"); code(err) != tenantdesk.ENOTFOUND {
		t.Error("session survived disabling")
	}
	u, err = users.SetUserDisabled(ctx, f.C1.ID, f.Member1.ID, false)
	must(t, err)
	if u.Status != tenantdesk.UserActive {
		t.Errorf("enabled user with a password: %s", u.Status)
	}
	// Email change of an invited user to a taken address (another
	// account's) is a conflict.
	inv, err := users.InviteUser(ctx, f.C1.ID, tenantdesk.NewUser{DisplayName: "Typo", Email: "typo@c1.example", Roles: []string{"customer.user"}})
	must(t, err)
	taken := "OTTO@c2.example"
	if _, err := users.UpdateUser(ctx, f.C1.ID, inv.User.ID, tenantdesk.UserPatch{Email: &taken}); code(err) != tenantdesk.EEmailTaken {
		t.Errorf("email taken: %v", err)
	}
	same := "MIA@c1.example" // the user's own address in other case is fine
	if _, err := users.UpdateUser(ctx, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{Email: &same}); err != nil {
		t.Errorf("own email recased: %v", err)
	}
}

// TestRolesTextMirrorsUserRoles: users.roles (read by the hot paths) always
// equals the user's rows in user_roles, whatever path changed them.
func TestRolesTextMirrorsUserRoles(t *testing.T) {
	f := newFixture(t)
	db, users, ctx := f.db, f.users, f.as(f.Admin1)
	ch, err := users.InviteUser(ctx, f.C1.ID, tenantdesk.NewUser{DisplayName: "Agent", Email: "agent@c1.example", Roles: []string{"customer.user.pbx"}})
	must(t, err)
	l3 := []string{"customer.user", "customer.user.supervisorl3"}
	_, err = users.UpdateUser(ctx, f.C1.ID, f.Member1.ID, tenantdesk.UserPatch{Roles: &l3}) // rolls the add-on out to Agent
	must(t, err)
	none := []string{}
	_, err = users.UpdateUser(ctx, f.C1.ID, ch.User.ID, tenantdesk.UserPatch{Roles: &none})
	if err != nil && tenantdesk.ErrorCode(err) != tenantdesk.ERolePrerequisiteMissing {
		t.Fatal(err)
	}
	must(t, users.DeleteUser(ctx, f.C1.ID, f.Member1.ID))
	conn := rawConn(t, f.path)
	var bad int
	agg := `(SELECT group_concat(role, ',') FROM (SELECT role FROM user_roles r WHERE r.user_id = users.id ORDER BY role))`
	if conn.Postgres() {
		agg = `(SELECT string_agg(role, ',' ORDER BY role) FROM user_roles r WHERE r.user_id = users.id)`
	}
	must(t, conn.QueryRow(`SELECT count(*) FROM users WHERE roles <> COALESCE(`+agg+`, '')`).Scan(&bad))
	if bad != 0 {
		t.Fatalf("%d users whose roles text differs from user_roles", bad)
	}
	got, _ := db.FindUserByID(ctx, ch.User.ID)
	if strings.Join(got.Roles, ",") != "" {
		t.Errorf("agent's roles %v, want none", got.Roles)
	}
}

// TestGetUserActionsTellsWhatTheRulesRefuse: the status actions a page may
// offer are the ones the rule function lets through now; the refused ones
// carry the rule's code, and the service still refuses them when tried.
func TestGetUserActionsTellsWhatTheRulesRefuse(t *testing.T) {
	f := newFixture(t)
	users, op := f.users, tenantdesk.OperatorContext(context.Background())
	ctx := f.as(f.Owner1)
	check := func(name string, accountID, userID int64, wantDisable, wantDelete string) {
		t.Helper()
		a, err := users.GetUserActions(ctx, accountID, userID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.User == nil || a.User.ID != userID {
			t.Errorf("%s: user %+v", name, a.User)
		}
		if code(a.Disable) != wantDisable || code(a.Delete) != wantDelete {
			t.Errorf("%s: disable %v, delete %v; want %q, %q", name, a.Disable, a.Delete, wantDisable, wantDelete)
		}
	}
	check("the Owner", f.C1.ID, f.Owner1.ID, tenantdesk.EOwnerImmutable, tenantdesk.EOwnerImmutable)
	check("a user admin beside the Owner", f.C1.ID, f.Admin1.ID, "", "")
	check("a member", f.C1.ID, f.Member1.ID, "", "")

	// An account whose only user admin is not an Owner: both refused (R3),
	// and offered again once there is a second user admin.
	acc := &tenantdesk.Account{Name: "Ownerless", ParentID: f.Partner.ID}
	must(t, f.svc.Operator.CreateCustomer(op, acc, nil))
	solo := &tenantdesk.User{AccountID: acc.ID, DisplayName: "Solo", Email: "solo@ownerless.example", Roles: []string{"customer.user", "user.admin"}}
	must(t, f.svc.Operator.CreateUser(op, solo))
	ctx = f.as(f.PartnerOwner)
	a, err := users.GetUserActions(ctx, acc.ID, solo.ID)
	must(t, err)
	if code(a.Disable) != tenantdesk.ELastUserAdmin || code(a.Delete) != tenantdesk.ELastUserAdmin {
		t.Errorf("last user admin: disable %v, delete %v", a.Disable, a.Delete)
	}
	if _, err := users.SetUserDisabled(ctx, acc.ID, solo.ID, true); code(err) != tenantdesk.ELastUserAdmin {
		t.Errorf("disabling the last user admin: %v", err)
	}
	_, err = users.InviteUser(ctx, acc.ID, tenantdesk.NewUser{DisplayName: "Second", Email: "second@ownerless.example", Roles: []string{"customer.user", "user.admin"}})
	must(t, err)
	a, err = users.GetUserActions(ctx, acc.ID, solo.ID)
	must(t, err)
	if a.Disable != nil || a.Delete != nil {
		t.Errorf("with a second user admin: disable %v, delete %v", a.Disable, a.Delete)
	}
	// A disabled user has no Disable to refuse.
	_, err = users.SetUserDisabled(ctx, acc.ID, solo.ID, true)
	must(t, err)
	if a, err = users.GetUserActions(ctx, acc.ID, solo.ID); err != nil || a.Disable != nil || a.Delete != nil {
		t.Errorf("disabled user: %+v %v", a, err)
	}
	// Authorization as GetUser's.
	if _, err := users.GetUserActions(f.as(f.Member1), f.C1.ID, f.Owner1.ID); code(err) != tenantdesk.EFORBIDDEN {
		t.Errorf("plain member: %v", err)
	}
	if _, err := users.GetUserActions(f.as(f.Owner2), f.C1.ID, f.Owner1.ID); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("another customer's Owner: %v", err)
	}
}

// TestListUsersFindsAnyPart: people type whatever part of a name or email
// they remember (issue 13): any part matches, case-insensitively in every
// script, in name order, within the account only; renames, email changes and
// deletions are searched as they are now.
func TestListUsersFindsAnyPart(t *testing.T) {
	f := newFixture(t)
	users, ctx := f.users, f.as(f.Owner1)
	invite := func(acc int64, name, email string) *tenantdesk.User {
		t.Helper()
		ch, err := users.InviteUser(f.as(map[int64]*tenantdesk.User{f.C1.ID: f.Owner1, f.C2.ID: f.Owner2}[acc]), acc,
			tenantdesk.NewUser{DisplayName: name, Email: email, Roles: []string{"customer.user"}})
		must(t, err)
		return ch.User
	}
	tom := invite(f.C1.ID, "Tom Sawyer", "tom.sawyer@fence.example")
	sid := invite(f.C1.ID, "Sid Sawyer", "sid@fence.example")
	invite(f.C1.ID, "Becky Thatcher", "becky.thatcher@school.example")
	invite(f.C1.ID, "Анна Каренина", "anna@rails.example")
	invite(f.C2.ID, "Polly Sawyer", "polly@fence.example") // another account
	search := func(q string) string {
		t.Helper()
		page, err := users.ListUsers(ctx, f.C1.ID, tenantdesk.UserFilter{Query: q, Limit: 200})
		must(t, err)
		var names []string
		for _, u := range page.Users {
			names = append(names, u.DisplayName)
		}
		return strings.Join(names, "|")
	}
	for q, want := range map[string]string{
		"Sawyer":        "Sid Sawyer|Tom Sawyer",
		"sAWy":          "Sid Sawyer|Tom Sawyer",
		"fence.example": "Sid Sawyer|Tom Sawyer",
		"y.thatch":      "Becky Thatcher", // the middle of an email
		"ky th":         "Becky Thatcher", // across the words of a name
		"КАРЕН":         "Анна Каренина",
		"нна":           "Анна Каренина",
		"rails.ex":      "Анна Каренина",
		`"saw`:          "",
		"to":            "Tom Sawyer", // one or two characters: the start of a name or email
		"si":            "Sid Sawyer",
		"aw":            "",
		"polly":         "",
	} {
		if got := search(q); got != want {
			t.Errorf("search %q = %q, want %q", q, got, want)
		}
	}
	// Changes are searched as they are now.
	name, email := "Thomas Sawyer", "thomas@raft.example"
	_, err := users.UpdateUser(ctx, f.C1.ID, tom.ID, tenantdesk.UserPatch{DisplayName: &name, Email: &email})
	must(t, err)
	must(t, users.DeleteUser(ctx, f.C1.ID, sid.ID))
	for q, want := range map[string]string{"sawyer": "Thomas Sawyer", "homas": "Thomas Sawyer", "tom saw": "", "fence": "", "raft.ex": "Thomas Sawyer"} {
		if got := search(q); got != want {
			t.Errorf("after the changes, search %q = %q, want %q", q, got, want)
		}
	}
}

// TestListUsersPagesThroughMatches: a search pages in name order through
// every match, with few matches (read by ID and sorted) and with many (the
// name index walked in order), and finds what it finds on every page.
func TestListUsersPagesThroughMatches(t *testing.T) {
	f := newFixture(t)
	users, ctx := f.users, f.as(f.Owner1)
	// 130 names with "inger" in the middle, 520 with "arrow"; the order of
	// invitation is not the order of names.
	want := map[string][]string{}
	for i := 0; i < 650; i++ {
		n, part := (i*7919)%650, "Fing"
		name, email := fmt.Sprintf("%sers %03d", part, n), fmt.Sprintf("u%03d@c1.example", n)
		q := "inger"
		if n >= 130 {
			name, q = fmt.Sprintf("Person %03d", n), "arrow"
			email = fmt.Sprintf("p%03d.barrow@c1.example", n)
		}
		_, err := users.InviteUser(ctx, f.C1.ID, tenantdesk.NewUser{DisplayName: name, Email: email, Roles: []string{"customer.user"}})
		must(t, err)
		want[q] = append(want[q], strings.ToLower(name))
	}
	for q, names := range want {
		slices.Sort(names)
		var got []string
		cursor, pages := "", 0
		for {
			page, err := users.ListUsers(ctx, f.C1.ID, tenantdesk.UserFilter{Query: strings.ToUpper(q), After: cursor, Limit: 50})
			must(t, err)
			pages++
			for _, u := range page.Users {
				got = append(got, strings.ToLower(u.DisplayName))
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if !slices.Equal(got, names) {
			t.Errorf("search %q over %d pages: %d users %v…, want %d", q, pages, len(got), got[:min(len(got), 5)], len(names))
		}
		if wantPages := (len(names) + 49) / 50; pages != wantPages {
			t.Errorf("search %q: %d pages, want %d", q, pages, wantPages)
		}
		// With the status filter: everyone here is invited.
		for status, want := range map[string]int{tenantdesk.UserInvited: min(len(names), 200), tenantdesk.UserActive: 0} {
			page, err := users.ListUsers(ctx, f.C1.ID, tenantdesk.UserFilter{Query: q, Status: status, Limit: 200})
			must(t, err)
			if len(page.Users) != want {
				t.Errorf("search %q, status %s: %d users, want %d", q, status, len(page.Users), want)
			}
		}
	}
}
