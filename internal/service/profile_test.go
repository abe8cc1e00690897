package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// My profile acts on the actor's own user only: nothing without a signed-in
// user, other accounts' managers never listed, other users' sessions never
// reachable.
func TestProfileIsTheActorsOwn(t *testing.T) {
	f := newFixture(t)
	anon := context.Background()
	op := tenantdesk.OperatorContext(anon)
	for name, err := range map[string]error{
		"personal":  profileErr(f.svc.Profile.UpdatePersonalData(anon, tenantdesk.PersonalData{DisplayName: "X"})),
		"rights":    profileErr(f.svc.Profile.MyRights(op)),
		"prefs":     profileErr(f.svc.Profile.SetPreferences(anon, tenantdesk.Preferences{})),
		"password":  profileErr(f.svc.Profile.ChangePassword(op, "a", "b")),
		"ftp":       f.svc.Profile.SetFTPPassword(anon, "a", "b"),
		"sessions":  profileErr(f.svc.Profile.ListSessions(anon)),
		"end":       f.svc.Profile.EndSession(op, "x", "pw"),
		"end all":   profileErr(f.svc.Profile.EndOtherSessions(anon, "pw")),
		"email":     profileErr(f.svc.Profile.RequestEmailChange(anon, "a@b.example", "x")),
		"ftpstatus": profileErr(f.svc.Profile.FTPCredential(op)),
	} {
		if code(err) != tenantdesk.EUNAUTHORIZED {
			t.Errorf("%s without a user: %v", name, err)
		}
	}

	r, err := f.svc.Profile.MyRights(f.as(f.Member1))
	must(t, err)
	names := map[string]bool{}
	for _, m := range r.Managers {
		names[m.DisplayName] = m.IsOwner
	}
	if len(names) != 2 || !names["Olive"] || names["Ada"] {
		t.Errorf("managers of C1: %v", r.Managers)
	}

	// Sessions: Mia's list holds hers only; Ada cannot end Mia's by handle.
	now := time.Now()
	for _, s := range []*tenantdesk.Session{
		{ID: "mia-1", UserID: f.Member1.ID, Data: []byte{}, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)},
		{ID: "mia-2", UserID: f.Member1.ID, Data: []byte{}, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)},
		{ID: "ada-1", UserID: f.Admin1.ID, Data: []byte{}, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)},
	} {
		must(t, f.db.CreateSession(anon, s))
		if s.Handle == "" {
			t.Fatal("no handle")
		}
	}
	mia := tenantdesk.WithActor(anon, &tenantdesk.Actor{User: f.Member1, SessionID: "mia-1"})
	list, err := f.svc.Profile.ListSessions(mia)
	must(t, err)
	if len(list) != 2 || (list[0].Current == list[1].Current) {
		t.Fatalf("Mia's sessions: %+v", list)
	}
	var other, current string
	for _, s := range list {
		if s.Current {
			current = s.Handle
		} else {
			other = s.Handle
		}
	}
	ada := tenantdesk.WithActor(anon, &tenantdesk.Actor{User: f.Admin1, SessionID: "ada-1"})
	if err := f.svc.Profile.EndSession(ada, other, "a long enough password"); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("Ada ends Mia's session: %v", err)
	}
	if err := f.svc.Profile.EndSession(mia, current, "a long enough password"); code(err) != tenantdesk.EINVALID {
		t.Errorf("ending the current session: %v", err)
	}
	// Ending another session needs Mia's current password (ASVS 5.0 7.5.2);
	// a wrong one ends nothing and is counted and audited.
	must(t, f.svc.Operator.SetPassword(tenantdesk.OperatorContext(anon), f.Member1.ID, "a long enough password"))
	err = f.svc.Profile.EndSession(mia, other, "not the password")
	if de := tenantdesk.AsError(err); de == nil || de.Code != tenantdesk.EINVALID || len(de.Fields) != 1 || de.Fields[0].Field != "currentPassword" {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := f.db.FindSession(anon, "mia-2"); err != nil {
		t.Errorf("a wrong password ended the session: %v", err)
	}
	if auditCount(t, f.db, f.C1.ID, tenantdesk.AuditReauthFailed, "") != 1 {
		t.Error("the wrong password is not audited")
	}
	if _, err := f.svc.Profile.EndOtherSessions(mia, ""); code(err) != tenantdesk.EINVALID {
		t.Errorf("all others without a password: %v", err)
	}
	must(t, f.svc.Profile.EndSession(mia, other, "a long enough password"))
	if _, err := f.db.FindSession(anon, "mia-2"); code(err) != tenantdesk.ENOTFOUND {
		t.Errorf("ended session still there: %v", err)
	}
	if _, err := f.db.FindSession(anon, "ada-1"); err != nil {
		t.Errorf("Ada's session gone: %v", err)
	}
}

func profileErr[T any](_ T, err error) error { return err }

// Personal data and preferences go through the one user write path as the
// user themselves: one entry each, of their own action (never a second
// user.update), naming the user as they are after the change; an unchanged
// form writes nothing.
func TestProfileChangesAreAuditedOnce(t *testing.T) {
	f := newFixture(t)
	ctx := f.as(f.Member1)
	conn := rawConn(t, f.path)
	entries := func() map[string]string {
		t.Helper()
		rows, err := conn.Query(`SELECT action, target_name, actor_name FROM audit_log WHERE target_id = ? ORDER BY id`,
			tenantdesk.FormatUserID(f.Member1.ID))
		must(t, err)
		defer rows.Close()
		m := map[string]string{}
		for rows.Next() {
			var action, target, actor string
			must(t, rows.Scan(&action, &target, &actor))
			m[action] += target + "/" + actor + ";"
		}
		return m
	}
	before := entries()

	u, err := f.svc.Profile.UpdatePersonalData(ctx, tenantdesk.PersonalData{DisplayName: " Mia Doe ", Phone: "+49 30 1234", JobTitle: "Pilot"})
	must(t, err)
	if u.DisplayName != "Mia Doe" || u.Phone != "+49 30 1234" || u.JobTitle != "Pilot" {
		t.Errorf("returned %+v", u)
	}
	u, err = f.svc.Profile.SetPreferences(ctx, tenantdesk.Preferences{Language: "de", TimeZone: "Europe/Berlin"})
	must(t, err)
	if u.Language != "de" || u.TimeZone != "Europe/Berlin" || u.DisplayName != "Mia Doe" || u.Phone != "+49 30 1234" {
		t.Errorf("returned %+v", u)
	}
	// Unchanged: no entry.
	_, err = f.svc.Profile.UpdatePersonalData(ctx, tenantdesk.PersonalData{DisplayName: "Mia Doe", Phone: "+49 30 1234", JobTitle: "Pilot"})
	must(t, err)
	_, err = f.svc.Profile.SetPreferences(ctx, tenantdesk.Preferences{Language: "de", TimeZone: "Europe/Berlin"})
	must(t, err)

	after := entries()
	if got := after[tenantdesk.AuditProfileUpdate]; got != "Mia Doe/Mia;" {
		t.Errorf("profile entries: %q", got)
	}
	if got := after[tenantdesk.AuditPreferencesUpdate]; got != "Mia Doe/Mia;" {
		t.Errorf("preferences entries: %q", got)
	}
	if after[tenantdesk.AuditUserUpdate] != before[tenantdesk.AuditUserUpdate] {
		t.Errorf("a user.update entry too: %q", after[tenantdesk.AuditUserUpdate])
	}
	stored, err := f.db.FindUserByID(context.Background(), f.Member1.ID)
	must(t, err)
	if stored.DisplayName != "Mia Doe" || stored.JobTitle != "Pilot" || stored.Language != "de" || stored.TimeZone != "Europe/Berlin" {
		t.Errorf("stored %+v", stored)
	}
	// The display name rule (R8) holds here as on the Users tab.
	if _, err := f.svc.Profile.UpdatePersonalData(ctx, tenantdesk.PersonalData{DisplayName: " "}); code(err) != tenantdesk.EINVALID {
		t.Errorf("blank name: %v", err)
	}
}

// TestMyRightsNamesOthersOnly: the Owner is told nobody can change their
// rights (no list that names themselves); a user admin sees who else can.
func TestMyRightsNamesOthersOnly(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.Profile.MyRights(f.as(f.Owner1))
	must(t, err)
	if len(r.Managers) != 0 || !r.ManagesUsers {
		t.Errorf("Owner's rights: managers %v, manages users %v", r.Managers, r.ManagesUsers)
	}
	r, err = f.svc.Profile.MyRights(f.as(f.Admin1))
	must(t, err)
	if len(r.Managers) != 1 || r.Managers[0].DisplayName != "Olive" || !r.Managers[0].IsOwner || !r.ManagesUsers {
		t.Errorf("user admin's rights: managers %v, manages users %v", r.Managers, r.ManagesUsers)
	}
	r, err = f.svc.Profile.MyRights(f.as(f.Member1))
	must(t, err)
	if len(r.Managers) != 2 || r.ManagesUsers {
		t.Errorf("member's rights: managers %v, manages users %v", r.Managers, r.ManagesUsers)
	}
}
