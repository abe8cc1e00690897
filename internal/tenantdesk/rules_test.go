package tenantdesk

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Table tests of the one rule function (SPEC §2, R1–R8, R11). The expectations
// are derived from SPEC, not from the implementation.

// ruleCase is one change checked by CheckUserChange.
type ruleCase struct {
	name          string
	acc           AccountState
	before, after *User
	code          string   // "" when the change must pass
	names         []string // role keys the message must name, all of them
	namesOneOf    []string // the message must name at least one of these
	message       string   // the exact message, when SPEC fixes it
	field         string   // the FieldError field for EINVALID
	// problems, when set, is every problem Fields must list, in order:
	// all of them are reported at once, not only the first.
	problems []problem
}

// problem is one expected entry of Error.Fields: its field, and the role
// keys its message must name.
type problem struct {
	field string
	names []string
}

// ---- helpers -------------------------------------------------------------

func customerAcc(admins int) AccountState {
	return AccountState{Kind: AccountCustomer, Admins: admins}
}

// ukAcc is a customer account of the UK essential-user variant.
func ukAcc(admins int) AccountState {
	return AccountState{Kind: AccountCustomer, Admins: admins, EssentialVariant: EssentialUK}
}

// variantFor is acc in the essential-user variant that lets its users hold
// role key: UK for customer.user.uc.essential, acc as it is otherwise.
func variantFor(acc AccountState, key string) AccountState {
	if key == RoleUCEssential {
		acc.EssentialVariant = EssentialUK
	}
	return acc
}

func partnerAcc(admins int) AccountState {
	return AccountState{Kind: AccountPartner, Admins: admins}
}

// usr returns an active, valid user holding roles.
func usr(roles ...string) *User {
	return &User{
		ID:          7,
		DisplayName: "Test User",
		Email:       "test.user@example.com",
		Roles:       SortedRoles(roles),
		Status:      UserActive,
	}
}

// adminUsr returns an active user admin (user.admin + customer.user) holding
// extra roles as well.
func adminUsr(extra ...string) *User {
	return usr(append([]string{RoleUserAdmin, RoleCustomerUser}, extra...)...)
}

func customerOwner() *User {
	u := usr(CustomerOwnerRoles()...)
	u.IsOwner = true
	return u
}

func partnerOwner() *User {
	u := usr(PartnerOwnerRoles...)
	u.IsOwner = true
	return u
}

func clone(u *User) *User {
	c := *u
	c.Roles = append([]string(nil), u.Roles...)
	return &c
}

func disabled(u *User) *User {
	c := clone(u)
	c.Status = UserDisabled
	return c
}

func named(u *User, name string) *User {
	c := clone(u)
	c.DisplayName = name
	return c
}

func withEmail(u *User, email string) *User {
	c := clone(u)
	c.Email = email
	return c
}

// plus returns u with roles added.
func plus(u *User, roles ...string) *User {
	c := clone(u)
	c.Roles = SortedRoles(append(c.Roles, roles...))
	return c
}

// minus returns u without roles.
func minus(u *User, roles ...string) *User {
	c := clone(u)
	drop := map[string]bool{}
	for _, r := range roles {
		drop[r] = true
	}
	var keep []string
	for _, r := range c.Roles {
		if !drop[r] {
			keep = append(keep, r)
		}
	}
	c.Roles = keep
	return c
}

// closure returns keys with all their prerequisites, transitively, sorted.
func closure(keys ...string) []string {
	var out []string
	seen := map[string]bool{}
	var add func(k string)
	add = func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, k)
		if r := LookupRole(k); r != nil {
			for _, p := range r.Pre {
				add(p)
			}
		}
	}
	for _, k := range keys {
		add(k)
	}
	return SortedRoles(out)
}

// without returns set minus key.
func without(set []string, key string) []string {
	var out []string
	for _, k := range set {
		if k != key {
			out = append(out, k)
		}
	}
	return out
}

// dependents returns key and every role of set that needs key, directly or
// transitively: what must go along with key for the set to stay valid (R1).
func dependents(set []string, key string) []string {
	gone := map[string]bool{key: true}
	for changed := true; changed; {
		changed = false
		for _, k := range set {
			if gone[k] {
				continue
			}
			if r := LookupRole(k); r != nil {
				for _, p := range r.Pre {
					if gone[p] {
						gone[k] = true
						changed = true
						break
					}
				}
			}
		}
	}
	var out []string
	for k := range gone {
		out = append(out, k)
	}
	return SortedRoles(out)
}

// directDependents returns the roles of set that list key as a direct prerequisite.
func directDependents(set []string, key string) []string {
	var out []string
	for _, k := range set {
		if r := LookupRole(k); r != nil {
			for _, p := range r.Pre {
				if p == key {
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// namesRole reports whether msg names the role key as a whole key, not as a
// prefix of a longer key ("customer.user" is not named by "customer.user.uc").
func namesRole(msg, key string) bool {
	re := regexp.MustCompile(`(^|[^A-Za-z0-9_.])` + regexp.QuoteMeta(key) + `($|[^A-Za-z0-9_.]|\.($|[^A-Za-z0-9_]))`)
	return re.MatchString(msg)
}

func isRuleCode(code string) bool {
	switch code {
	case ERolePrerequisiteMissing, ESupervisorRolesExclusive, ELastUserAdmin,
		EAdminRequiredFirst, EOwnerImmutable, EUnknownRole, EEmailTaken, EEssentialVariantMismatch:
		return true
	}
	return false
}

func roleKeys(pred func(Role) bool) []string {
	var out []string
	for _, r := range Catalogue {
		if pred(r) {
			out = append(out, r.Key)
		}
	}
	return out
}

func supervisorKeys() []string {
	return roleKeys(func(r Role) bool { return r.Group == GroupSupervisor })
}

// checkError verifies the shape every returned error must have.
func checkError(t *testing.T, err error, wantCode string) *Error {
	t.Helper()
	e := AsError(err)
	if e == nil {
		t.Fatalf("error %v (%T) is not a *Error", err, err)
	}
	if e.Code != wantCode {
		t.Errorf("code = %q, want %q (message %q)", e.Code, wantCode, e.Message)
	}
	if strings.TrimSpace(e.Message) == "" {
		t.Errorf("code %q: empty message", e.Code)
	}
	if isRuleCode(e.Code) && e.Key == "" {
		t.Errorf("code %q: no message key (message %q)", e.Code, e.Message)
	}
	return e
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			err := CheckUserChange(c.acc, c.before, c.after)
			if c.code == "" {
				if err != nil {
					t.Fatalf("CheckUserChange = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckUserChange = nil, want %s", c.code)
			}
			e := checkError(t, err, c.code)
			for _, k := range c.names {
				if !namesRole(e.Message, k) {
					t.Errorf("message %q does not name %q", e.Message, k)
				}
			}
			if len(c.namesOneOf) > 0 {
				ok := false
				for _, k := range c.namesOneOf {
					ok = ok || namesRole(e.Message, k)
				}
				if !ok {
					t.Errorf("message %q names none of %v", e.Message, c.namesOneOf)
				}
			}
			if c.message != "" && e.Message != c.message {
				t.Errorf("message = %q, want %q", e.Message, c.message)
			}
			if c.problems != nil {
				checkProblems(t, e, c.problems)
			}
			if c.field != "" {
				found := false
				for _, f := range e.Fields {
					found = found || f.Field == c.field
					if f.Field == c.field && strings.TrimSpace(f.Message) == "" {
						t.Errorf("field %q: empty message", f.Field)
					}
				}
				if !found {
					t.Errorf("fields %+v do not name %q", e.Fields, c.field)
				}
			}
		})
	}
}

// checkProblems checks that e.Fields lists exactly want, in order, each
// with a message (and a message key to translate it) naming its roles.
func checkProblems(t *testing.T, e *Error, want []problem) {
	t.Helper()
	if len(e.Fields) != len(want) {
		t.Fatalf("%d problems %+v, want %d %+v", len(e.Fields), e.Fields, len(want), want)
	}
	for i, w := range want {
		f := e.Fields[i]
		if f.Field != w.field {
			t.Errorf("problem %d: field %q, want %q (%+v)", i, f.Field, w.field, f)
		}
		if strings.TrimSpace(f.Message) == "" || f.Key == "" {
			t.Errorf("problem %d: no message or key: %+v", i, f)
		}
		for _, k := range w.names {
			if !namesRole(f.Message, k) {
				t.Errorf("problem %d: message %q does not name %q", i, f.Message, k)
			}
			found := false
			for _, v := range f.Args {
				found = found || v == k
			}
			if !found {
				t.Errorf("problem %d: args %v do not hold %q (the translation names the roles)", i, f.Args, k)
			}
		}
	}
	if first := e.Fields[0]; first.Message != e.Message || first.Key != e.Key {
		t.Errorf("the error's message %q (key %q) is not its first problem's %q (key %q)", e.Message, e.Key, first.Message, first.Key)
	}
}

// ---- every problem at once ---------------------------------------------------

// multiCases are changes that break several input rules at once: every one
// of them is reported (a person fixes them all in one go), the first one
// gives the error its code and message.
func multiCases() []ruleCase {
	const l2 = "customer.user.supervisorl2"
	blank := func(u *User) *User { c := clone(u); c.DisplayName, c.Email = "", ""; return c }
	return []ruleCase{
		{name: "all/empty invite: name and email", acc: customerAcc(1), after: blank(usr(RoleCustomerUser)),
			code: EINVALID, message: "Display name is required.",
			problems: []problem{{field: "displayName"}, {field: "email"}}},
		{name: "all/empty invite without roles in a new account", acc: customerAcc(0), after: blank(usr()),
			code: EINVALID, message: "Display name is required.",
			problems: []problem{{field: "displayName"}, {field: "email"}}},
		{name: "all/bad email and a missing prerequisite", acc: customerAcc(1),
			after: withEmail(usr(RoleUserAdmin), "not-an-email"), code: EINVALID,
			problems: []problem{{field: "email"}, {field: "roles", names: []string{RoleUserAdmin, RoleCustomerUser}}}},
		{name: "all/missing prerequisite and two supervisors", acc: customerAcc(1),
			after: usr(RoleUserAdmin, RoleSupervisorL1, l2), code: ERolePrerequisiteMissing, names: []string{RoleSupervisorL1, RoleCustomerUser},
			problems: []problem{
				{field: "roles", names: []string{RoleSupervisorL1, RoleCustomerUser}},
				{field: "roles", names: []string{l2, RoleCustomerUser}},
				{field: "roles", names: []string{RoleUserAdmin, RoleCustomerUser}},
				{field: "roles", names: []string{RoleSupervisorL1, l2}},
			}},
		{name: "all/three supervisors", acc: customerAcc(1),
			after: usr(RoleCustomerUser, RoleSupervisorL1, l2, RoleSupervisorL3), code: ESupervisorRolesExclusive,
			problems: []problem{
				{field: "roles", names: []string{RoleSupervisorL1, l2}},
				{field: "roles", names: []string{RoleSupervisorL1, RoleSupervisorL3}},
			}},
		{name: "all/unknown role, wrong account and missing prerequisite", acc: customerAcc(1),
			after: usr("made.up", RolePartnerAdmin, RoleSoftphone, RoleCustomerUser), code: EUnknownRole, names: []string{"made.up"},
			problems: []problem{
				{field: "roles", names: []string{"made.up"}},
				{field: "roles", names: []string{RolePartnerAdmin}},
				{field: "roles", names: []string{RoleSoftphone, RoleUC}},
			}},
		{name: "all/long name, no email, two prerequisites missing", acc: customerAcc(1),
			after: func() *User {
				u := usr(RoleSoftphone, RoleUserAdmin)
				u.DisplayName, u.Email = strings.Repeat("n", 101), ""
				return u
			}(),
			code: EINVALID, message: "Display name must be at most 100 characters.",
			problems: []problem{{field: "displayName"}, {field: "email"},
				{field: "roles", names: []string{RoleSoftphone, RoleUC}},
				{field: "roles", names: []string{RoleUserAdmin, RoleCustomerUser}}}},
		{name: "all/one problem is one entry", acc: customerAcc(1), after: usr(RoleUserAdmin),
			code: ERolePrerequisiteMissing, names: []string{RoleUserAdmin, RoleCustomerUser},
			problems: []problem{{field: "roles", names: []string{RoleUserAdmin, RoleCustomerUser}}}},
	}
}

func TestCheckUserChangeReportsEveryProblem(t *testing.T) { runRuleCases(t, multiCases()) }

// ---- helper self-tests ---------------------------------------------------

func TestRuleHelpers(t *testing.T) {
	if got := strings.Join(closure(RoleSoftphone), ","); got != "customer.user,customer.user.uc,customer.user.uc.softphone" {
		t.Errorf("closure(softphone) = %s", got)
	}
	if !namesRole(`Role "customer.user" is missing.`, RoleCustomerUser) || !namesRole("needs customer.user.", RoleCustomerUser) {
		t.Error("namesRole misses a named role")
	}
	if namesRole(`Role "customer.user.uc" is missing.`, RoleCustomerUser) {
		t.Error("namesRole matches a prefix")
	}
	owner := CustomerOwnerRoles()
	if got := dependents(owner, RoleSettings); strings.Join(got, ",") != "customer.settings,customer.workspace.admin" {
		t.Errorf("dependents(settings) = %v", got)
	}
}

// ---- R1 prerequisites ----------------------------------------------------

func r1Cases() []ruleCase {
	var cases []ruleCase
	n := 0
	for _, r := range Catalogue {
		if len(r.Pre) == 0 {
			continue
		}
		n++
		acc := customerAcc(2)
		if r.Partner {
			acc = partnerAcc(0)
		}
		full := closure(r.Key)
		cases = append(cases, ruleCase{
			name: "R1/create " + r.Key + " with all prerequisites",
			acc:  acc, after: usr(full...),
		})
		cases = append(cases, ruleCase{
			name: "R1/add " + r.Key + " with all prerequisites",
			acc:  acc, before: usr(without(full, r.Key)...), after: usr(full...),
		})
		for _, p := range r.Pre {
			// Adding the role without one direct prerequisite (all the
			// other roles of its chain held).
			lacking := without(full, p)
			needers := directDependents(lacking, p)
			cases = append(cases, ruleCase{
				name: "R1/create " + r.Key + " without " + p,
				acc:  acc, after: usr(lacking...),
				code: ERolePrerequisiteMissing, names: []string{p}, namesOneOf: needers,
			})
			cases = append(cases, ruleCase{
				name: "R1/add " + r.Key + " to a user without " + p,
				acc:  acc, before: usr(without(lacking, r.Key)...), after: usr(lacking...),
				code: ERolePrerequisiteMissing, names: []string{p}, namesOneOf: needers,
			})
			// Removing the prerequisite while the role stays.
			cases = append(cases, ruleCase{
				name: "R1/remove " + p + " while " + r.Key + " stays",
				acc:  acc, before: usr(full...), after: usr(lacking...),
				code: ERolePrerequisiteMissing, names: []string{p}, namesOneOf: needers,
			})
			// Removing the prerequisite together with everything that needs it passes.
			cases = append(cases, ruleCase{
				name: "R1/remove " + p + " with its dependents from " + r.Key + " holder",
				acc:  acc, before: usr(full...), after: minus(usr(full...), dependents(full, p)...),
			})
		}
		// The role alone: every case where it is the only holder of the
		// missing prerequisite must name it.
		if len(r.Pre) > 0 {
			cases = append(cases, ruleCase{
				name: "R1/create " + r.Key + " alone",
				acc:  acc, after: usr(r.Key),
				code: ERolePrerequisiteMissing, names: []string{r.Key}, namesOneOf: r.Pre,
			})
		}
	}
	if n < 20 {
		panic(fmt.Sprintf("only %d catalogue roles with prerequisites", n))
	}

	// The two-level chain customer.user.uc.softphone → customer.user.uc → customer.user.
	acc := customerAcc(2)
	cases = append(cases,
		ruleCase{name: "R1/chain softphone only", acc: acc,
			after: usr(RoleSoftphone), code: ERolePrerequisiteMissing, names: []string{RoleSoftphone, RoleUC}},
		ruleCase{name: "R1/chain softphone+customer.user", acc: acc,
			after: usr(RoleSoftphone, RoleCustomerUser), code: ERolePrerequisiteMissing, names: []string{RoleSoftphone, RoleUC}},
		ruleCase{name: "R1/chain softphone+uc without customer.user", acc: acc,
			after: usr(RoleSoftphone, RoleUC), code: ERolePrerequisiteMissing, names: []string{RoleUC, RoleCustomerUser}},
		ruleCase{name: "R1/chain complete", acc: acc,
			after: usr(RoleSoftphone, RoleUC, RoleCustomerUser)},
		ruleCase{name: "R1/chain remove uc under softphone", acc: acc,
			before: usr(RoleSoftphone, RoleUC, RoleCustomerUser), after: usr(RoleSoftphone, RoleCustomerUser),
			code: ERolePrerequisiteMissing, names: []string{RoleSoftphone, RoleUC}},
		ruleCase{name: "R1/chain remove customer.user under uc", acc: acc,
			before: usr(RoleSoftphone, RoleUC, RoleCustomerUser), after: usr(RoleSoftphone, RoleUC),
			code: ERolePrerequisiteMissing, names: []string{RoleUC, RoleCustomerUser}},
		ruleCase{name: "R1/chain remove whole chain", acc: acc,
			before: usr(RoleSoftphone, RoleUC, RoleCustomerUser), after: usr()},

		// customer.workspace.admin's two prerequisites.
		ruleCase{name: "R1/workspace.admin without customer.settings", acc: acc,
			after: usr("customer.workspace.admin", RoleCustomerUser),
			code:  ERolePrerequisiteMissing, names: []string{"customer.workspace.admin", RoleSettings}},
		ruleCase{name: "R1/workspace.admin without customer.user", acc: acc,
			after: usr("customer.workspace.admin", RoleSettings),
			code:  ERolePrerequisiteMissing, names: []string{RoleCustomerUser},
			namesOneOf: []string{"customer.workspace.admin", RoleSettings}},
		ruleCase{name: "R1/workspace.admin without both", acc: acc,
			after: usr("customer.workspace.admin"),
			code:  ERolePrerequisiteMissing, names: []string{"customer.workspace.admin"},
			namesOneOf: []string{RoleCustomerUser, RoleSettings}},
		ruleCase{name: "R1/workspace.admin with both", acc: acc,
			after: usr("customer.workspace.admin", RoleCustomerUser, RoleSettings)},
		ruleCase{name: "R1/remove customer.settings under workspace.admin", acc: acc,
			before: usr("customer.workspace.admin", RoleCustomerUser, RoleSettings),
			after:  usr("customer.workspace.admin", RoleCustomerUser),
			code:   ERolePrerequisiteMissing, names: []string{"customer.workspace.admin", RoleSettings}},
		// An admin keeps R1 as well.
		ruleCase{name: "R1/admin removing customer.user keeps user.admin", acc: acc,
			before: adminUsr(), after: usr(RoleUserAdmin),
			code: ERolePrerequisiteMissing, names: []string{RoleUserAdmin, RoleCustomerUser}},
	)
	return cases
}

func TestCheckUserChangeR1Prerequisites(t *testing.T) { runRuleCases(t, r1Cases()) }

// ---- R2 supervisor exclusivity --------------------------------------------

func r2Cases() []ruleCase {
	sup := supervisorKeys()
	if len(sup) != 5 {
		panic(fmt.Sprintf("want 5 supervisor levels, have %v", sup))
	}
	acc := customerAcc(2)
	var cases []ruleCase
	for i, a := range sup {
		cases = append(cases,
			ruleCase{name: "R2/single " + a, acc: acc, after: usr(RoleCustomerUser, a)},
			ruleCase{name: "R2/add single " + a, acc: acc, before: usr(RoleCustomerUser), after: usr(RoleCustomerUser, a)},
		)
		for j, b := range sup {
			if i == j {
				continue
			}
			cases = append(cases, ruleCase{
				name: "R2/add " + b + " to holder of " + a, acc: acc,
				before: usr(RoleCustomerUser, a), after: usr(RoleCustomerUser, a, b),
				code: ESupervisorRolesExclusive,
			})
			if i < j {
				cases = append(cases, ruleCase{
					name: "R2/create with " + a + "+" + b, acc: acc,
					after: usr(RoleCustomerUser, a, b), code: ESupervisorRolesExclusive,
				})
			}
			// Swapping one level for another is allowed.
			cases = append(cases, ruleCase{
				name: "R2/swap " + a + " for " + b, acc: acc,
				before: usr(RoleCustomerUser, a), after: usr(RoleCustomerUser, b),
			})
		}
	}
	cases = append(cases, ruleCase{
		name: "R2/all five levels", acc: acc,
		after: usr(append([]string{RoleCustomerUser}, sup...)...), code: ESupervisorRolesExclusive,
	})
	return cases
}

func TestCheckUserChangeR2SupervisorExclusive(t *testing.T) { runRuleCases(t, r2Cases()) }

// CheckRoleSet applies R1, R2 and R6 on a role set alone; it must agree with
// CheckUserChange on every create of the R1/R2/R6 tables.
func TestCheckRoleSetAgreesWithTables(t *testing.T) {
	var cases []ruleCase
	cases = append(cases, r1Cases()...)
	cases = append(cases, r2Cases()...)
	cases = append(cases, r6Cases()...)
	for _, c := range cases {
		if c.before != nil || c.after == nil {
			continue
		}
		err := CheckRoleSet(c.after.Roles, c.acc.Kind == AccountPartner)
		if got := ErrorCode(err); got != c.code {
			t.Errorf("%s: CheckRoleSet(%v) = %q, want %q", c.name, c.after.Roles, got, c.code)
		}
		if err != nil {
			checkError(t, err, c.code)
		}
	}
}

// ---- R3 last user admin ----------------------------------------------------

const lastAdminMessage = "There must be at least one user admin"

func r3Cases() []ruleCase {
	admin := adminUsr(RolePBX)
	// Removing customer.user also takes user.admin (R1); only R3 is then broken.
	noCustomerUser := minus(admin, dependents(admin.Roles, RoleCustomerUser)...)
	type change struct {
		name   string
		before *User
		after  *User
	}
	losing := []change{
		{"remove user.admin", admin, minus(admin, RoleUserAdmin)},
		{"remove customer.user (and its dependents)", admin, noCustomerUser},
		{"remove user.admin and customer.user", admin, minus(admin, RoleUserAdmin, RoleCustomerUser)},
		{"remove every role", admin, usr()},
		{"delete", admin, nil},
		{"disable", admin, disabled(admin)},
		{"disable and remove user.admin", admin, disabled(minus(admin, RoleUserAdmin))},
		{"disable invited admin", func() *User { u := clone(admin); u.Status = UserInvited; return u }(), disabled(admin)},
	}
	var cases []ruleCase
	for _, ch := range losing {
		cases = append(cases,
			ruleCase{name: "R3/only admin: " + ch.name, acc: customerAcc(1), before: ch.before, after: ch.after,
				code: ELastUserAdmin, message: lastAdminMessage},
			ruleCase{name: "R3/another admin exists: " + ch.name, acc: customerAcc(2), before: ch.before, after: ch.after},
			ruleCase{name: "R3/partner account: " + ch.name, acc: partnerAcc(0), before: usr(RolePartnerUser),
				after: func() *User {
					if ch.after == nil {
						return nil
					}
					if ch.after.Status == UserDisabled {
						return disabled(usr(RolePartnerUser))
					}
					return usr()
				}()},
		)
	}
	// Enabling or creating admins always passes.
	for _, admins := range []int{0, 1, 2, 5} {
		acc := customerAcc(admins)
		p := fmt.Sprintf("R3/admins=%d: ", admins)
		cases = append(cases,
			ruleCase{name: p + "create admin", acc: acc, after: adminUsr()},
			ruleCase{name: p + "create invited admin", acc: acc,
				after: func() *User { u := adminUsr(); u.Status = UserInvited; return u }()},
			ruleCase{name: p + "enable disabled admin", acc: acc, before: disabled(adminUsr()), after: adminUsr()},
			ruleCase{name: p + "make user admin", acc: acc, before: usr(RoleCustomerUser), after: adminUsr()},
			ruleCase{name: p + "make user admin from no roles", acc: acc, before: usr(), after: adminUsr()},
		)
	}
	// Changes that keep the only admin an admin, or that do not touch him.
	acc := customerAcc(1)
	cases = append(cases,
		ruleCase{name: "R3/only admin: rename", acc: acc, before: admin, after: named(admin, "New Name")},
		ruleCase{name: "R3/only admin: change own email", acc: by(acc, BySelf), before: admin, after: withEmail(admin, "new@example.com")},
		ruleCase{name: "R3/only admin: add a role", acc: acc, before: admin, after: plus(admin, RoleSettings)},
		ruleCase{name: "R3/only admin: remove a non-admin role", acc: acc, before: admin, after: minus(admin, RolePBX)},
		ruleCase{name: "R3/only admin exists: create non-admin", acc: acc, after: usr(RoleCustomerUser)},
		ruleCase{name: "R3/only admin exists: change non-admin", acc: acc, before: usr(RoleCustomerUser), after: usr(RoleCustomerUser, RolePBX)},
		ruleCase{name: "R3/only admin exists: delete non-admin", acc: acc, before: usr(RoleCustomerUser)},
		ruleCase{name: "R3/only admin exists: disable non-admin", acc: acc, before: usr(RoleCustomerUser), after: disabled(usr(RoleCustomerUser))},
		ruleCase{name: "R3/only admin exists: delete disabled admin", acc: acc, before: disabled(adminUsr())},
		ruleCase{name: "R3/only admin exists: demote disabled admin", acc: acc, before: disabled(adminUsr()), after: disabled(usr(RoleCustomerUser))},
	)
	return cases
}

func TestCheckUserChangeR3LastUserAdmin(t *testing.T) { runRuleCases(t, r3Cases()) }

func TestIsUserAdmin(t *testing.T) {
	for _, c := range []struct {
		name string
		u    *User
		want bool
	}{
		{"nil", nil, false},
		{"admin", adminUsr(), true},
		{"invited admin", func() *User { u := adminUsr(); u.Status = UserInvited; return u }(), true},
		{"disabled admin", disabled(adminUsr()), false},
		{"user.admin only", usr(RoleUserAdmin), false},
		{"customer.user only", usr(RoleCustomerUser), false},
		{"no roles", usr(), false},
		{"customer owner", customerOwner(), true},
		{"partner owner", partnerOwner(), false},
	} {
		if got := IsUserAdmin(c.u); got != c.want {
			t.Errorf("IsUserAdmin(%s) = %v, want %v", c.name, got, c.want)
		}
	}
}

// ---- R4 admin required first ----------------------------------------------

func r4Cases() []ruleCase {
	acc := customerAcc(0)
	nonAdmin := usr(RoleCustomerUser, RolePBX)
	cases := []ruleCase{
		{name: "R4/create non-admin", acc: acc, after: nonAdmin, code: EAdminRequiredFirst},
		{name: "R4/create user without roles", acc: acc, after: usr(), code: EAdminRequiredFirst},
		{name: "R4/create disabled admin", acc: acc, after: disabled(adminUsr()), code: EAdminRequiredFirst},
		{name: "R4/change non-admin roles", acc: acc, before: nonAdmin, after: plus(nonAdmin, RoleSettings), code: EAdminRequiredFirst},
		{name: "R4/rename non-admin", acc: acc, before: nonAdmin, after: named(nonAdmin, "Other Name"), code: EAdminRequiredFirst},
		{name: "R4/give non-admin only customer.user", acc: acc, before: usr(), after: usr(RoleCustomerUser), code: EAdminRequiredFirst},
		{name: "R4/delete non-admin", acc: acc, before: nonAdmin, code: EAdminRequiredFirst},
		{name: "R4/disable non-admin", acc: acc, before: nonAdmin, after: disabled(nonAdmin), code: EAdminRequiredFirst},
		{name: "R4/create admin", acc: acc, after: adminUsr()},
		{name: "R4/create admin with more roles", acc: acc, after: adminUsr(RolePBX, RoleSettings, "customer.user.supervisorl3")},
		{name: "R4/make existing user admin", acc: acc, before: nonAdmin, after: plus(nonAdmin, RoleUserAdmin)},
		{name: "R4/make existing roleless user admin", acc: acc, before: usr(), after: adminUsr()},
		{name: "R4/enable disabled admin", acc: acc, before: disabled(adminUsr()), after: adminUsr()},
		// Partner accounts are not subject to R3/R4.
		{name: "R4/partner: create partner.user", acc: partnerAcc(0), after: usr(RolePartnerUser)},
		{name: "R4/partner: create without roles", acc: partnerAcc(0), after: usr()},
		{name: "R4/partner: change partner.user", acc: partnerAcc(0), before: usr(RolePartnerUser), after: usr(RolePartnerUser, RolePartnerAdmin)},
		{name: "R4/partner: delete partner.admin", acc: partnerAcc(0), before: usr(RolePartnerAdmin)},
		{name: "R4/partner: disable partner.admin", acc: partnerAcc(0), before: usr(RolePartnerAdmin), after: disabled(usr(RolePartnerAdmin))},
	}
	return cases
}

func TestCheckUserChangeR4AdminRequiredFirst(t *testing.T) { runRuleCases(t, r4Cases()) }

// ---- R5 owner immutable ----------------------------------------------------

func r5Cases() []ruleCase {
	var cases []ruleCase
	co := customerOwner()
	po := partnerOwner()
	for _, admins := range []int{1, 2} {
		acc := customerAcc(admins)
		p := fmt.Sprintf("R5/customer admins=%d: ", admins)
		cases = append(cases,
			ruleCase{name: p + "rename owner", acc: acc, before: co, after: named(co, "Thomas Sawyer")},
			ruleCase{name: p + "owner changes own email", acc: by(acc, BySelf), before: co, after: withEmail(co, "owner.new@example.com")},
		)
		// Adding a licensed role (with the prerequisites it needs) passes.
		for _, r := range Catalogue {
			if !r.Licensed || r.Partner {
				continue
			}
			cases = append(cases, ruleCase{
				name: p + "add licensed " + r.Key + " to owner", acc: variantFor(acc, r.Key),
				before: co, after: plus(co, closure(r.Key)...),
			})
		}
	}
	// With another admin present, only R5 is in play.
	acc := customerAcc(2)
	cases = append(cases,
		ruleCase{name: "R5/customer: delete owner", acc: acc, before: co, code: EOwnerImmutable},
		ruleCase{name: "R5/customer: disable owner", acc: acc, before: co, after: disabled(co), code: EOwnerImmutable},
		ruleCase{name: "R5/customer: disable owner and keep roles renamed", acc: acc, before: co, after: disabled(named(co, "X")), code: EOwnerImmutable},
		ruleCase{name: "R5/customer: remove every role from owner", acc: acc, before: co, after: minus(co, co.Roles...), code: EOwnerImmutable},
		ruleCase{name: "R5/partner: delete owner", acc: partnerAcc(0), before: po, code: EOwnerImmutable},
		ruleCase{name: "R5/partner: disable owner", acc: partnerAcc(0), before: po, after: disabled(po), code: EOwnerImmutable},
		ruleCase{name: "R5/partner: rename owner", acc: partnerAcc(0), before: po, after: named(po, "Lizzy Bennet")},
		ruleCase{name: "R5/partner: remove both roles from owner", acc: partnerAcc(0), before: po, after: usr(), code: EOwnerImmutable},
	)
	perms := CustomerOwnerRoles()
	if len(perms) < 15 {
		panic(fmt.Sprintf("only %d permission roles", len(perms)))
	}
	for _, k := range perms {
		// Remove k and whatever needs it, so R1 holds and only R5 is broken.
		drop := dependents(co.Roles, k)
		cases = append(cases, ruleCase{
			name: "R5/customer: remove " + k + " from owner", acc: acc,
			before: co, after: minus(co, drop...), code: EOwnerImmutable, namesOneOf: drop,
		})
	}
	for _, k := range PartnerOwnerRoles {
		cases = append(cases, ruleCase{
			name: "R5/partner: remove " + k + " from owner", acc: partnerAcc(0),
			before: po, after: minus(po, k), code: EOwnerImmutable,
		})
	}
	// Not the Owner: the same changes are ordinary ones.
	notOwner := clone(co)
	notOwner.IsOwner = false
	cases = append(cases,
		ruleCase{name: "R5/non-owner with all permissions: delete", acc: acc, before: notOwner},
		ruleCase{name: "R5/non-owner with all permissions: remove settings", acc: acc, before: notOwner,
			after: minus(notOwner, dependents(notOwner.Roles, RoleSettings)...)},
	)
	return cases
}

func TestCheckUserChangeR5OwnerImmutable(t *testing.T) { runRuleCases(t, r5Cases()) }

// ---- R6 unknown role ---------------------------------------------------------

func r6Cases() []ruleCase {
	var cases []ruleCase
	for _, bogus := range []string{"bogus.role", "customer.user.supervisorl6", "Customer.User", "user.admin "} {
		cases = append(cases,
			ruleCase{name: "R6/customer: unknown " + bogus, acc: customerAcc(2),
				after: usr(RoleCustomerUser, bogus), code: EUnknownRole, names: []string{strings.TrimSpace(bogus)}},
			ruleCase{name: "R6/customer: add unknown " + bogus, acc: customerAcc(2),
				before: usr(RoleCustomerUser), after: usr(RoleCustomerUser, bogus), code: EUnknownRole, names: []string{strings.TrimSpace(bogus)}},
			ruleCase{name: "R6/partner: unknown " + bogus, acc: partnerAcc(0),
				after: usr(RolePartnerUser, bogus), code: EUnknownRole, names: []string{strings.TrimSpace(bogus)}},
		)
	}
	cases = append(cases, ruleCase{name: "R6/customer: empty key", acc: customerAcc(2),
		after: usr(RoleCustomerUser, ""), code: EUnknownRole})
	for _, r := range Catalogue {
		if r.Partner {
			cases = append(cases,
				ruleCase{name: "R6/partner role " + r.Key + " in customer account", acc: customerAcc(2),
					after: usr(RoleCustomerUser, r.Key), code: EUnknownRole, names: []string{r.Key}},
				ruleCase{name: "R6/partner role " + r.Key + " alone in customer account", acc: customerAcc(2),
					after: usr(r.Key), code: EUnknownRole, names: []string{r.Key}},
				ruleCase{name: "R6/partner role " + r.Key + " in partner account", acc: partnerAcc(0),
					after: usr(r.Key)},
			)
			continue
		}
		set := closure(r.Key)
		cases = append(cases,
			ruleCase{name: "R6/customer role " + r.Key + " in partner account", acc: partnerAcc(0),
				after: usr(append([]string{RolePartnerUser}, set...)...), code: EUnknownRole, namesOneOf: set},
			ruleCase{name: "R6/customer role " + r.Key + " in customer account", acc: variantFor(customerAcc(2), r.Key),
				after: usr(set...)},
		)
	}
	return cases
}

func TestCheckUserChangeR6UnknownRole(t *testing.T) { runRuleCases(t, r6Cases()) }

// ---- R7 real-time roll-out ---------------------------------------------------

func TestNeedsRealtimeRollout(t *testing.T) {
	type c struct {
		name  string
		acc   AccountState
		after *User
		want  bool
	}
	first := AccountState{Kind: AccountCustomer, Admins: 1}
	already := AccountState{Kind: AccountCustomer, Admins: 1, HasLiveSupervisor: true}
	var cases []c
	for _, r := range Catalogue {
		if r.Group != GroupSupervisor {
			continue
		}
		live := r.Level >= 3
		cases = append(cases,
			c{"first " + r.Key, first, usr(RoleCustomerUser, r.Key), live},
			c{"first " + r.Key + " with pbx", first, usr(RoleCustomerUser, RolePBX, r.Key), live},
			c{"first " + r.Key + " invited", first, func() *User { u := usr(RoleCustomerUser, r.Key); u.Status = UserInvited; return u }(), live},
			c{r.Key + " when account already has one", already, usr(RoleCustomerUser, r.Key), false},
			c{r.Key + " disabled", first, disabled(usr(RoleCustomerUser, r.Key)), false},
			c{r.Key + " in partner account", AccountState{Kind: AccountPartner}, usr(RoleCustomerUser, r.Key), false},
		)
	}
	cases = append(cases,
		c{"no supervisor", first, usr(RoleCustomerUser, RolePBX), false},
		c{"deleted user", first, nil, false},
		c{"l1 and l2 are not live", first, usr(RoleCustomerUser, "customer.user.supervisorl1"), false},
	)
	for _, tc := range cases {
		if got := NeedsRealtimeRollout(tc.acc, tc.after); got != tc.want {
			t.Errorf("NeedsRealtimeRollout(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
}

// ---- R8 fields ---------------------------------------------------------------

func r8Cases() []ruleCase {
	acc := customerAcc(2)
	base := usr(RoleCustomerUser)
	email := func(local string) string { return local + "@example.com" } // 12 characters of domain
	var cases []ruleCase
	for _, nc := range []struct {
		name string
		dn   string
		ok   bool
	}{
		{"empty", "", false},
		{"1 char", "A", true},
		{"100 ascii", strings.Repeat("a", 100), true},
		{"101 ascii", strings.Repeat("a", 101), false},
		{"100 cyrillic", strings.Repeat("я", 100), true},
		{"101 cyrillic", strings.Repeat("я", 101), false},
		{"100 cjk", strings.Repeat("日", 100), true},
		{"101 cjk", strings.Repeat("日", 101), false},
		{"100 emoji", strings.Repeat("😀", 100), true},
		{"101 emoji", strings.Repeat("😀", 101), false},
		{"100 mixed", strings.Repeat("aé日😀", 25), true},
		{"101 mixed", strings.Repeat("aé日😀", 25) + "ü", false},
	} {
		c := ruleCase{name: "R8/create displayName " + nc.name, acc: acc, after: named(base, nc.dn)}
		u := ruleCase{name: "R8/update displayName " + nc.name, acc: acc, before: base, after: named(base, nc.dn)}
		if !nc.ok {
			c.code, c.field = EINVALID, "displayName"
			u.code, u.field = EINVALID, "displayName"
		}
		cases = append(cases, c, u)
	}
	for _, ec := range []struct {
		name  string
		email string
		ok    bool
	}{
		{"empty", "", false},
		{"no at", "plain.example.com", false},
		{"no local part", "@example.com", false},
		{"no domain", "someone@", false},
		{"two ats", "a@b@example.com", false},
		{"space inside", "some one@example.com", false},
		{"display-name form", "Some One <some.one@example.com>", false},
		{"two addresses", "a@example.com, b@example.com", false},
		{"valid", "some.one@example.com", true},
		{"200 characters", email(strings.Repeat("a", 188)), true},
		{"201 characters", email(strings.Repeat("a", 189)), false},
		{"250 characters", email(strings.Repeat("a", 238)), false},
	} {
		c := ruleCase{name: "R8/create email " + ec.name, acc: acc, after: withEmail(base, ec.email)}
		// An admin may change only an invited user's email (R11).
		u := ruleCase{name: "R8/update email " + ec.name, acc: acc, before: invited(base), after: withEmail(invited(base), ec.email)}
		if !ec.ok {
			c.code, c.field = EINVALID, "email"
			u.code, u.field = EINVALID, "email"
		}
		cases = append(cases, c, u)
	}
	if n := len(email(strings.Repeat("a", 188))); n != 200 {
		panic(fmt.Sprintf("200-character email has %d", n))
	}
	// Control characters, line and paragraph separators and bidi controls
	// reach emails, lists and CSV exports: refused wherever they are.
	for _, bad := range []struct{ name, dn string }{
		{"NUL", "Nul\u0000Name"}, {"line break", "Line\nBreak"}, {"carriage return", "Car\rriage"}, {"tab", "Tab\tName"},
		{"BEL", "Bell\u0007"}, {"DEL", "Del\u007f"}, {"C1 control", "C1\u0085"}, {"RLO", "\u202egnp.exe"},
		{"LRO", "a\u202db"}, {"RLE", "a\u202bb"}, {"PDF", "a\u202cb"}, {"RLI", "a\u2067b"}, {"PDI", "a\u2069b"},
		{"RLM", "a\u200fb"}, {"ALM", "a\u061cb"}, {"line separator", "a\u2028b"}, {"paragraph separator", "a\u2029b"},
		{"BOM", "\ufeffName"},
	} {
		cases = append(cases,
			ruleCase{name: "R8/create displayName with " + bad.name, acc: acc, after: named(base, bad.dn), code: EINVALID, field: "displayName"},
			ruleCase{name: "R8/update displayName with " + bad.name, acc: acc, before: base, after: named(base, bad.dn), code: EINVALID, field: "displayName"},
		)
	}
	for _, good := range []struct{ name, dn string }{
		{"arabic", "محمد علي"}, {"hebrew", "דוד לוי"}, {"emoji with ZWJ", "Family \U0001F468\u200D\U0001F469\u200D\U0001F467"},
		{"apostrophe and hyphen", "Zoë O'Brien-Smith"}, {"non-breaking space", "Jean\u00a0Dupont"},
	} {
		cases = append(cases, ruleCase{name: "R8/create displayName " + good.name, acc: acc, after: named(base, good.dn)})
	}
	// Both fields bad: both named.
	both := named(withEmail(base, "nope"), "")
	cases = append(cases,
		ruleCase{name: "R8/both bad names displayName", acc: acc, after: both, code: EINVALID, field: "displayName"},
		ruleCase{name: "R8/both bad names email", acc: acc, after: both, code: EINVALID, field: "email"},
	)
	return cases
}

func TestCheckUserChangeR8Fields(t *testing.T) { runRuleCases(t, r8Cases()) }

// ---- R11 who changes an email -------------------------------------------------

func invited(u *User) *User {
	c := clone(u)
	c.Status = UserInvited
	return c
}

func by(acc AccountState, b ChangeBy) AccountState {
	acc.By = b
	return acc
}

func r11Cases() []ruleCase {
	acc := customerAcc(2)
	const to = "someone.else@example.com"
	active := usr(RoleCustomerUser)
	admin := adminUsr()
	co, po := customerOwner(), partnerOwner()
	invitedOwner := invited(co)
	partnerStaff := usr(RolePartnerUser)
	var cases []ruleCase
	for _, tc := range []struct {
		name   string
		acc    AccountState
		before *User
	}{
		{"customer owner", acc, co}, {"partner owner", partnerAcc(0), po}, {"invited customer owner", acc, invitedOwner},
	} {
		cases = append(cases,
			ruleCase{name: "R11/admin changes email of " + tc.name, acc: tc.acc, before: tc.before,
				after: withEmail(tc.before, to), code: EOwnerImmutable},
			ruleCase{name: "R11/admin changes email and name of " + tc.name, acc: tc.acc, before: tc.before,
				after: named(withEmail(tc.before, to), "Renamed"), code: EOwnerImmutable},
			ruleCase{name: "R11/owner confirms own new email: " + tc.name, acc: by(tc.acc, BySelf), before: tc.before,
				after: withEmail(tc.before, to)},
			ruleCase{name: "R11/operator changes email of " + tc.name, acc: by(tc.acc, ByOperator), before: tc.before,
				after: withEmail(tc.before, to)},
		)
	}
	for _, tc := range []struct {
		name   string
		acc    AccountState
		before *User
	}{
		{"active user", acc, active}, {"active user admin", acc, admin}, {"disabled user", acc, disabled(active)},
		{"active partner staff", partnerAcc(0), partnerStaff},
	} {
		cases = append(cases,
			ruleCase{name: "R11/admin changes email of " + tc.name, acc: tc.acc, before: tc.before,
				after: withEmail(tc.before, to), code: EEmailChangeSelfService, field: "email"},
			ruleCase{name: "R11/user confirms own new email: " + tc.name, acc: by(tc.acc, BySelf), before: tc.before,
				after: withEmail(tc.before, to)},
			ruleCase{name: "R11/operator changes email of " + tc.name, acc: by(tc.acc, ByOperator), before: tc.before,
				after: withEmail(tc.before, to)},
			// Not an email change: the same address in other letter case, or other fields.
			ruleCase{name: "R11/admin changes letter case of email of " + tc.name, acc: tc.acc, before: tc.before,
				after: withEmail(tc.before, strings.ToUpper(tc.before.Email))},
			ruleCase{name: "R11/admin renames " + tc.name, acc: tc.acc, before: tc.before, after: named(tc.before, "Renamed")},
		)
	}
	for _, tc := range []struct {
		name   string
		acc    AccountState
		before *User
	}{
		{"invited user", acc, invited(active)}, {"invited user admin", acc, invited(admin)},
		{"invited partner staff", partnerAcc(0), invited(partnerStaff)},
	} {
		cases = append(cases,
			ruleCase{name: "R11/admin corrects email of " + tc.name, acc: tc.acc, before: tc.before, after: withEmail(tc.before, to)},
			ruleCase{name: "R11/operator corrects email of " + tc.name, acc: by(tc.acc, ByOperator), before: tc.before, after: withEmail(tc.before, to)},
		)
	}
	// The field rules still apply to everyone.
	cases = append(cases, ruleCase{name: "R11/operator sets an invalid email", acc: by(acc, ByOperator), before: active,
		after: withEmail(active, "not an address"), code: EINVALID, field: "email"})
	return cases
}

func TestCheckUserChangeR11EmailChanges(t *testing.T) { runRuleCases(t, r11Cases()) }

// The zero value of ChangeBy must be the strictest path, so that a caller
// who forgets to say who changes cannot let an admin take over an account.
func TestChangeByZeroValueIsAdmin(t *testing.T) {
	var st AccountState
	if st.By != ByAdmin {
		t.Fatalf("zero ChangeBy = %v, want ByAdmin", st.By)
	}
}

// TestRuleCaseCount keeps the tables from silently shrinking.
func TestRuleCaseCount(t *testing.T) {
	n := len(r1Cases()) + len(r2Cases()) + len(r3Cases()) + len(r4Cases()) + len(r5Cases()) + len(r6Cases()) + len(r8Cases()) + len(r11Cases())
	t.Logf("%d CheckUserChange cases", n)
	if n < 300 {
		t.Errorf("only %d CheckUserChange cases", n)
	}
}

// ---- the essential-user variant (SPEC §2, issue 12) -----------------------------

// variantCases: in a UK account customer.user.uc.essential takes the place of
// customer.user.pbx (as the role its users hold and as the prerequisite of
// the Real-time and Agent add-ons); in a standard account the reverse. The
// other variant's role is refused with essential_variant_mismatch, naming
// both roles; partner accounts hold neither.
func variantCases() []ruleCase {
	const acd = "customer.user.acd"
	uk, std := ukAcc(2), customerAcc(2)
	return []ruleCase{
		{name: "UK/create essential", acc: uk, after: usr(RoleCustomerUser, RoleUCEssential)},
		{name: "UK/create essential without website access", acc: uk, after: usr(RoleUCEssential)},
		{name: "UK/create essential with real-time", acc: uk, after: usr(RoleUCEssential, RolePBXRealtime)},
		{name: "UK/create essential with agent", acc: uk, after: usr(RoleUCEssential, acd)},
		{name: "UK/create pbx", acc: uk, after: usr(RoleCustomerUser, RolePBX),
			code: EEssentialVariantMismatch, names: []string{RolePBX, RoleUCEssential},
			problems: []problem{{field: "roles", names: []string{RolePBX, RoleUCEssential}}}},
		{name: "UK/add pbx", acc: uk, before: usr(RoleCustomerUser), after: usr(RoleCustomerUser, RolePBX),
			code: EEssentialVariantMismatch, names: []string{RolePBX, RoleUCEssential}},
		{name: "UK/add pbx beside essential", acc: uk, before: usr(RoleUCEssential), after: usr(RoleUCEssential, RolePBX),
			code: EEssentialVariantMismatch, names: []string{RolePBX}},
		{name: "UK/real-time needs essential, not pbx", acc: uk, after: usr(RoleCustomerUser, RolePBXRealtime),
			code: ERolePrerequisiteMissing, names: []string{RolePBXRealtime, RoleUCEssential}},
		{name: "UK/agent needs essential", acc: uk, after: usr(acd),
			code: ERolePrerequisiteMissing, names: []string{acd, RoleUCEssential}},
		{name: "UK/pbx with real-time: both problems", acc: uk, after: usr(RolePBX, RolePBXRealtime),
			code:     EEssentialVariantMismatch,
			problems: []problem{{field: "roles", names: []string{RolePBX, RoleUCEssential}}, {field: "roles", names: []string{RolePBXRealtime, RoleUCEssential}}}},
		{name: "UK/remove essential under real-time", acc: uk, before: usr(RoleUCEssential, RolePBXRealtime), after: usr(RolePBXRealtime),
			code: ERolePrerequisiteMissing, names: []string{RolePBXRealtime, RoleUCEssential}},
		{name: "UK/remove essential with its add-ons", acc: uk, before: usr(RoleUCEssential, RolePBXRealtime, acd), after: usr()},
		{name: "UK/convert pbx to essential", acc: uk, before: usr(RolePBX, RolePBXRealtime), after: usr(RoleUCEssential, RolePBXRealtime)},
		{name: "UK/a user still holding pbx is changed only to let it go", acc: uk, before: usr(RoleCustomerUser, RolePBX),
			after: named(usr(RoleCustomerUser, RolePBX), "Renamed"), code: EEssentialVariantMismatch},
		{name: "UK/delete a user holding pbx", acc: uk, before: usr(RoleCustomerUser, RolePBX)},
		{name: "UK/first admin holds essential", acc: ukAcc(0), after: adminUsr(RoleUCEssential)},
		{name: "UK/first admin holds pbx", acc: ukAcc(0), after: adminUsr(RolePBX), code: EEssentialVariantMismatch},

		{name: "standard/create pbx", acc: std, after: usr(RolePBX, RolePBXRealtime, acd)},
		{name: "standard/create UK essential", acc: std, after: usr(RoleCustomerUser, RoleUCEssential),
			code: EEssentialVariantMismatch, names: []string{RoleUCEssential, RolePBX}},
		{name: "standard/add UK essential", acc: std, before: usr(RolePBX), after: usr(RolePBX, RoleUCEssential),
			code: EEssentialVariantMismatch, names: []string{RoleUCEssential, RolePBX}},
		{name: "standard/real-time on UK essential", acc: std, after: usr(RoleUCEssential, RolePBXRealtime),
			code:     EEssentialVariantMismatch,
			problems: []problem{{field: "roles", names: []string{RoleUCEssential, RolePBX}}, {field: "roles", names: []string{RolePBXRealtime, RolePBX}}}},
		{name: "standard/unset variant reads as standard", acc: AccountState{Kind: AccountCustomer, Admins: 1}, after: usr(RoleUCEssential),
			code: EEssentialVariantMismatch},

		{name: "partner/UK essential is a customer role", acc: AccountState{Kind: AccountPartner, EssentialVariant: EssentialUK},
			after: usr(RolePartnerUser, RoleUCEssential), code: EUnknownRole, names: []string{RoleUCEssential}},
	}
}

func TestCheckUserChangeEssentialVariant(t *testing.T) {
	runRuleCases(t, variantCases())
	// The messages say which variant the account uses.
	for _, c := range []struct {
		acc  AccountState
		role string
		want string
	}{{ukAcc(1), RolePBX, "UK"}, {customerAcc(1), RoleUCEssential, "standard"}} {
		e := AsError(CheckUserChange(c.acc, nil, usr(c.role)))
		if e == nil || !strings.Contains(e.Message, c.want) || e.Args["Role"] != c.role {
			t.Errorf("%s in a %s account: %+v", c.role, c.want, e)
		}
	}
	// The role set alone knows no account: the catalogue's prerequisites.
	if err := CheckRoleSet([]string{RoleUCEssential}, false); err != nil {
		t.Errorf("CheckRoleSet(uc.essential) = %v", err)
	}
	if ErrorCode(CheckRoleSet([]string{RoleUCEssential, RolePBXRealtime}, false)) != ERolePrerequisiteMissing {
		t.Error("CheckRoleSet reads real-time's prerequisite as the account's")
	}
}

// The real-time roll-out (R7) decides on the supervisor alone, whatever the
// variant; whom it reaches is the account's essential-user role.
func TestNeedsRealtimeRolloutInUKAccount(t *testing.T) {
	if !NeedsRealtimeRollout(ukAcc(1), usr(RoleCustomerUser, RoleUCEssential, RoleSupervisorL3)) {
		t.Error("the first live supervisor of a UK account rolls nothing out")
	}
	if got := ukAcc(1).Settings().EssentialRole(); got != RoleUCEssential {
		t.Errorf("UK essential role %q", got)
	}
}
