package tenantdesk

import (
	"testing"
	"time"
)

// TestAccessTransitions is the state machine of an access request: every
// state × action × side, with the state it leads to or the code it refuses
// with.
func TestAccessTransitions(t *testing.T) {
	P, C := SidePartner, SideCustomer
	type want struct {
		next AccessState
		code string
	}
	ok := func(s AccessState) want { return want{next: s} }
	no := func(code string) want { return want{code: code} }
	table := map[AccessState]map[AccessAction]map[AccessSide]want{
		AccessPending: {
			ActGrant:     {C: ok(AccessGranted), P: no(EFORBIDDEN)},
			ActDeny:      {C: ok(AccessDenied), P: no(EFORBIDDEN)},
			ActRevoke:    {C: no(ERequestNotGranted), P: no(EFORBIDDEN)},
			ActWithdraw:  {P: ok(AccessWithdrawn), C: no(EFORBIDDEN)},
			ActSetExpiry: {P: ok(AccessPending), C: no(ERequestNotGranted)},
		},
		AccessGranted: {
			ActGrant:     {C: no(ERequestNotPending), P: no(EFORBIDDEN)},
			ActDeny:      {C: no(ERequestNotPending), P: no(EFORBIDDEN)},
			ActRevoke:    {C: ok(AccessRevoked), P: no(EFORBIDDEN)},
			ActWithdraw:  {P: ok(AccessWithdrawn), C: no(EFORBIDDEN)},
			ActSetExpiry: {P: ok(AccessGranted), C: ok(AccessGranted)},
		},
		AccessExpired: {
			ActGrant:     {C: no(ERequestNotPending), P: no(EFORBIDDEN)},
			ActDeny:      {C: no(ERequestNotPending), P: no(EFORBIDDEN)},
			ActRevoke:    {C: no(EGrantExpired), P: no(EFORBIDDEN)},
			ActWithdraw:  {P: no(EGrantExpired), C: no(EFORBIDDEN)},
			ActSetExpiry: {P: no(EGrantExpired), C: no(EGrantExpired)},
		},
	}
	for _, closed := range []AccessState{AccessDenied, AccessRevoked, AccessWithdrawn} {
		table[closed] = map[AccessAction]map[AccessSide]want{
			ActGrant:     {C: no(ERequestNotPending), P: no(EFORBIDDEN)},
			ActDeny:      {C: no(ERequestNotPending), P: no(EFORBIDDEN)},
			ActRevoke:    {C: no(ERequestClosed), P: no(EFORBIDDEN)},
			ActWithdraw:  {P: no(ERequestClosed), C: no(EFORBIDDEN)},
			ActSetExpiry: {P: no(ERequestClosed), C: no(ERequestClosed)},
		}
	}
	n := 0
	for _, from := range AccessStates {
		for _, act := range []AccessAction{ActGrant, ActDeny, ActRevoke, ActWithdraw, ActSetExpiry} {
			for _, side := range []AccessSide{P, C} {
				w, found := table[from][act][side]
				if !found {
					t.Fatalf("table misses %s %s side %d", from, act, side)
				}
				n++
				got, err := Transition(from, act, side)
				if code := ErrorCode(err); code != w.code {
					t.Errorf("%s --%s (side %d)--> code %q, want %q", from, act, side, code, w.code)
				}
				if w.code == "" && got != w.next {
					t.Errorf("%s --%s (side %d)--> %s, want %s", from, act, side, got, w.next)
				}
			}
		}
	}
	if n != len(AccessStates)*5*2 {
		t.Errorf("checked %d transitions", n)
	}
	if _, err := Transition(AccessPending, "nonsense", SideCustomer); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("unknown action: %v", err)
	}
}

func TestAccessRequestStateAt(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	for _, c := range []struct {
		state   AccessState
		expires *time.Time
		want    AccessState
	}{
		{AccessGranted, nil, AccessGranted},
		{AccessGranted, &future, AccessGranted},
		{AccessGranted, &past, AccessExpired},
		{AccessGranted, &now, AccessExpired}, // the expiry instant itself is out
		{AccessPending, &past, AccessPending},
		{AccessRevoked, &past, AccessRevoked},
	} {
		r := &AccessRequest{State: c.state, ExpiresAt: c.expires}
		if got := r.StateAt(now); got != c.want {
			t.Errorf("%s expiring %v: %s, want %s", c.state, c.expires, got, c.want)
		}
		if r.LiveAt(now) != (c.want == AccessGranted) {
			t.Errorf("%s expiring %v: live %v", c.state, c.expires, r.LiveAt(now))
		}
	}
}

func TestValidateRequestName(t *testing.T) {
	for name, field := range map[string]bool{
		"SupportAccess": false, "support_access-2": false, "Доступ": false,
		"": true, "Support Access": true, "a/b": true, "a.b": true, "tab\there": true,
		"x" + string(make([]byte, 0)) + "<script>": true,
	} {
		if got := ValidateRequestName(name) != nil; got != field {
			t.Errorf("%q: invalid %v, want %v", name, got, field)
		}
	}
	long := make([]rune, MaxRequestNameLen+1)
	for i := range long {
		long[i] = 'a'
	}
	if ValidateRequestName(string(long)) == nil || ValidateRequestName(string(long[1:])) != nil {
		t.Error("length limit")
	}
	if ValidateRequestMessage("message", "line one\nline two") != nil || ValidateRequestMessage("message", "a\u202eb") == nil {
		t.Error("message characters")
	}
}

// TestAccessToPartnerStaff is SPEC §4's legacy rule and grants, as the one
// authorization function answers them.
func TestAccessToPartnerStaff(t *testing.T) {
	partner := &Account{ID: 1, Kind: AccountPartner, Name: "Classics, Inc."}
	legacy := &Account{ID: 2, Kind: AccountCustomer, ParentID: 1, Name: "Hundred Acre"}
	granted := &Account{ID: 3, Kind: AccountCustomer, ParentID: 1, Name: "Tom Sawyer", FirstGrantAt: &time.Time{}}
	foreign := &Account{ID: 4, Kind: AccountCustomer, ParentID: 9, Name: "Elsewhere"}
	staff := func(roles ...string) *Actor {
		return &Actor{User: &User{ID: 7, AccountID: 1, Roles: roles}, Account: partner}
	}
	admin, user := staff(RolePartnerAdmin), staff(RolePartnerUser)
	support := staff(RolePartnerUser)
	support.Impersonation = &Impersonation{Mode: ModeSupport, Account: granted}
	configure := staff(RolePartnerAdmin)
	configure.Impersonation = &Impersonation{Mode: ModeConfigure, Account: granted}
	apiGrant := staff(RolePartnerUser)
	apiGrant.Grants = []Grant{{AccountID: granted.ID, Modes: []AccessMode{ModeSupport}}}
	for _, c := range []struct {
		name string
		a    *Actor
		acc  *Account
		want AccessLevel
		code string // of Authorize(…, AccessUserAdmin)
	}{
		{"partner.admin, legacy customer", admin, legacy, AccessUserAdmin, ""},
		{"partner.admin after the first grant", admin, granted, AccessNone, EAccessRequestRequired},
		{"partner.user, legacy customer", user, legacy, AccessNone, EAccessRequestRequired},
		{"another partner's customer", admin, foreign, AccessNone, ENOTFOUND},
		{"support mode", support, granted, AccessUserAdmin, ""},
		{"support mode, another customer", support, legacy, AccessNone, ENOTFOUND},
		{"support mode, own partner", support, partner, AccessMember, EFORBIDDEN},
		{"configure mode", configure, granted, AccessMember, EFORBIDDEN},
		{"configure mode by a partner.admin, legacy customer", configure, legacy, AccessNone, ENOTFOUND},
		{"API grant, support", apiGrant, granted, AccessUserAdmin, ""},
		{"API grant elsewhere", apiGrant, legacy, AccessNone, EAccessRequestRequired},
	} {
		if got := AccessTo(c.a, c.acc); got != c.want {
			t.Errorf("%s: level %d, want %d", c.name, got, c.want)
		}
		if got := ErrorCode(Authorize(c.a, c.acc, AccessUserAdmin)); got != c.code {
			t.Errorf("%s: authorize %q, want %q", c.name, got, c.code)
		}
	}
	if roles, owner := ActingRoles(support, granted); owner || len(roles) != 2 {
		t.Errorf("support acts with %v (owner %v)", roles, owner)
	}
	if CanEditGeneralInfo(configure, granted) || !CanEditGeneralInfo(admin, granted) {
		t.Error("general information: the partner's record, not while impersonating")
	}
}
