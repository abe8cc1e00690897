package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// TestAuditLogInTheReadersLanguage (issue 13): the log stores stable
// machine values (the operator's name, target types, statuses, reasons,
// access request states and modes, RFC 3339 times); a reader in Russian or
// German reads them in their language, and a time in their zone as the
// other times on the page. The CSV keeps the stored values.
func TestAuditLogInTheReadersLanguage(t *testing.T) {
	app := newTestApp(t)
	// Tom disables Sid (status active → disabled) and makes Huck the first
	// supervisorl3, which gives the real-time add-on to the PBX users.
	tomC := app.client()
	tomC.mustSignIn(tom)
	sidUser, _ := accountOf(t, app, sid)
	if res := tomC.post(userPath(sidUser, "/disable"), nil); res.StatusCode >= 400 {
		t.Fatalf("disable Sid: %d", res.StatusCode)
	}
	app.api(app.apiToken(tom)).patch(usersPath(app.tenantOf(tom))+"/"+app.userIDOf(huck),
		map[string]any{"roles": []string{"customer.user", "customer.user.supervisorl3"}}).expect(t, http.StatusOK)
	// The operator (the command line) creates a token for Becky that
	// expires three days from now, 09:00 UTC on 24 November.
	app.apiToken(becky, expiresIn(72*time.Hour, app.Clock.Now()))
	// Entries written before targets were named (migration 0010) name a
	// device or token gone since by its type and ID only.
	_, fence := accountOf(t, app, becky)
	for _, e := range []struct{ action, typ string }{{tenantdesk.AuditDeviceDelete, "device"}, {tenantdesk.AuditTokenRevoke, "token"}} {
		app.exec(`INSERT INTO audit_log (account_id, actor_name, action, target_type, target_id, created_at)
			VALUES (?, 'Platform operator', ?, ?, '4', ?)`, fence.ID, e.action, e.typ, app.Clock.Now().UnixMilli())
	}

	// Elizabeth (Classics, the partner) asks for support and configure
	// access for Caroline; Tom grants it until 09:00 UTC on 26 November.
	// Caroline's impersonation ends when she ends it.
	r := incomingRequest(t, app, "fence-2026", "", tom, []tenantdesk.AccessMode{tenantdesk.ModeSupport, tenantdesk.ModeConfigure}, nil, caroline)
	grantUntil := app.Clock.Now().Add(5 * 24 * time.Hour)
	if _, err := app.Svc.Access.Grant(incomingActor(t, app, tom), r.ID, tenantdesk.AccessAnswer{ExpiresAt: &grantUntil}); err != nil {
		t.Fatalf("grant: %v", err)
	}
	if err := app.Svc.Access.EndImpersonation(incomingActor(t, app, caroline),
		&tenantdesk.Impersonation{Mode: tenantdesk.ModeSupport, Account: fence, PartnerName: "Classics, Inc.", RequestID: r.ID}, "ended"); err != nil {
		t.Fatalf("end impersonation: %v", err)
	}
	// What an English reader would read, none of it left in the others' pages.
	english := []string{"Platform operator", "Device 4", "API token 4", "active", "disabled", "first supervisorl3",
		"pending", "granted", "support", "configure", "ended by", "T09:00:00Z"}

	for _, tc := range []struct {
		lang, zone               string
		operator, device, token  string
		expires, expiresISO      string
		active, disabled, reason string
		pending, granted         string
		modes, mode, endReason   string
		grantExpires, grantISO   string
	}{
		{lang: "ru", zone: "Europe/Moscow", operator: "Оператор платформы", device: "Устройство 4", token: "API-токен 4",
			expires: "2026-11-24 12:00 MSK", expiresISO: "2026-11-24T12:00:00+03:00", active: "активен", disabled: "отключён",
			reason:  "первый супервизор аналитики в реальном времени (supervisorl3 или выше) в аккаунте",
			pending: "ожидает ответа", granted: "одобрен", modes: "поддержка, настройка", mode: "поддержка",
			endReason: "завершена пользователем партнёра", grantExpires: "2026-11-26 12:00 MSK", grantISO: "2026-11-26T12:00:00+03:00"},
		{lang: "de", zone: "Europe/Berlin", operator: "Plattformbetreiber", device: "Gerät 4", token: "API-Token 4",
			expires: "2026-11-24 10:00 CET", expiresISO: "2026-11-24T10:00:00+01:00", active: "aktiv", disabled: "deaktiviert",
			reason:  "erster Live-Analyse-Supervisor (supervisorl3 oder höher) im Konto",
			pending: "ausstehend", granted: "gewährt", modes: "Support, Konfiguration", mode: "Support",
			endReason: "vom Partnerbenutzer beendet", grantExpires: "2026-11-26 10:00 CET", grantISO: "2026-11-26T10:00:00+01:00"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			app.exec(`UPDATE users SET language = ?, time_zone = ? WHERE email_norm = ?`, tc.lang, tc.zone, becky)
			c := app.client()
			c.mustSignIn(becky)

			// The operator's token: actor, target and expiry.
			row := firstAuditRow(t, c, tenantdesk.AuditTokenCreate)
			if got := strings.TrimSpace(row.Find(`[data-testid="audit-actor"]`).Text()); got != tc.operator {
				t.Errorf("actor %q, want %q", got, tc.operator)
			}
			_, after := auditChangeOf(row, "expiresAt")
			if got := strings.TrimSpace(after.Text()); got != tc.expires {
				t.Errorf("expiresAt shown as %q, want %q", got, tc.expires)
			}
			if got := attr(after.Find("time"), "datetime"); got != tc.expiresISO {
				t.Errorf("expiresAt datetime %q, want %q", got, tc.expiresISO)
			}

			// A device and a token named by type and ID.
			for action, want := range map[string]string{tenantdesk.AuditDeviceDelete: tc.device, tenantdesk.AuditTokenRevoke: tc.token} {
				row = firstAuditRow(t, c, action)
				if got := strings.TrimSpace(row.Find(`[data-testid="audit-target"]`).Text()); got != want {
					t.Errorf("%s target %q, want %q", action, got, want)
				}
				if got := strings.TrimSpace(row.Find(`[data-testid="audit-actor"]`).Text()); got != tc.operator {
					t.Errorf("%s actor %q, want %q", action, got, tc.operator)
				}
			}

			// Sid disabled: the statuses.
			row = firstAuditRow(t, c, tenantdesk.AuditUserDisable)
			before, after := auditChangeOf(row, "status")
			if b, a := strings.TrimSpace(before.Text()), strings.TrimSpace(after.Text()); b != tc.active || a != tc.disabled {
				t.Errorf("status %q → %q, want %q → %q", b, a, tc.active, tc.disabled)
			}

			// The real-time add-on assigned: the reason.
			row = firstAuditRow(t, c, tenantdesk.AuditUserAutoRole)
			if _, after := auditChangeOf(row, "reason"); strings.TrimSpace(after.Text()) != tc.reason {
				t.Errorf("reason %q, want %q", strings.TrimSpace(after.Text()), tc.reason)
			}

			// The access request: its modes and state; the grant: the
			// states and the expiry in the reader's zone; the end of the
			// impersonation: its reason and mode.
			rows := []*goquery.Selection{}
			row = firstAuditRow(t, c, "access.request")
			rows = append(rows, row)
			if _, after := auditChangeOf(row, "modes"); strings.TrimSpace(after.Text()) != tc.modes {
				t.Errorf("modes %q, want %q", strings.TrimSpace(after.Text()), tc.modes)
			}
			if _, after := auditChangeOf(row, "state"); strings.TrimSpace(after.Text()) != tc.pending {
				t.Errorf("request state %q, want %q", strings.TrimSpace(after.Text()), tc.pending)
			}
			row = firstAuditRow(t, c, "access.grant")
			rows = append(rows, row)
			before, after = auditChangeOf(row, "state")
			if b, a := strings.TrimSpace(before.Text()), strings.TrimSpace(after.Text()); b != tc.pending || a != tc.granted {
				t.Errorf("grant state %q → %q, want %q → %q", b, a, tc.pending, tc.granted)
			}
			_, after = auditChangeOf(row, "expiresAt")
			if got := strings.TrimSpace(after.Text()); got != tc.grantExpires {
				t.Errorf("grant expiresAt shown as %q, want %q", got, tc.grantExpires)
			}
			if got := attr(after.Find("time"), "datetime"); got != tc.grantISO {
				t.Errorf("grant expiresAt datetime %q, want %q", got, tc.grantISO)
			}
			row = firstAuditRow(t, c, "access.impersonation_end")
			rows = append(rows, row)
			if _, after := auditChangeOf(row, "reason"); strings.TrimSpace(after.Text()) != tc.endReason {
				t.Errorf("impersonation end reason %q, want %q", strings.TrimSpace(after.Text()), tc.endReason)
			}
			if _, after := auditChangeOf(row, "mode"); strings.TrimSpace(after.Text()) != tc.mode {
				t.Errorf("impersonation mode %q, want %q", strings.TrimSpace(after.Text()), tc.mode)
			}

			// The CSV keeps the stored machine values (its columns stay
			// one layout for every reader): the grant's after as stored.
			csvRows := readCSV(t, c.get("/account/audit.csv?action=access.grant"))
			if len(csvRows) < 2 || len(csvRows[1]) < 12 || !strings.Contains(csvRows[1][11], `"expiresAt":"2026-11-26T09:00:00Z"`) ||
				!strings.Contains(csvRows[1][11], `"state":"granted"`) {
				t.Errorf("CSV grant row %q", csvRows)
			}

			// No English left in any of these rows.
			for _, action := range []string{tenantdesk.AuditTokenCreate, tenantdesk.AuditDeviceDelete, tenantdesk.AuditTokenRevoke,
				tenantdesk.AuditUserDisable, tenantdesk.AuditUserAutoRole} {
				rows = append(rows, firstAuditRow(t, c, action))
			}
			for _, row := range rows {
				text := row.Text()
				for _, en := range english {
					if strings.Contains(text, en) {
						t.Errorf("English %q left in %q", en, squash(text))
					}
				}
			}
		})
	}
}

// firstAuditRow is the newest row of the audit log filtered by action.
func firstAuditRow(t *testing.T, c *client, action string) *goquery.Selection {
	t.Helper()
	res := c.get("/account/audit?action=" + action)
	mustStatus(t, res, http.StatusOK)
	row := res.Doc.Find(`[data-testid="audit-row"]`).First()
	if row.Length() == 0 {
		t.Fatalf("no %s entry in the audit log", action)
	}
	return row
}

// auditChangeOf is the before and after of key in an audit row's changes.
func auditChangeOf(row *goquery.Selection, key string) (before, after *goquery.Selection) {
	before, after = row.Find("nothing"), row.Find("nothing")
	row.Find(`[data-testid="audit-changes"] li`).Each(func(_ int, li *goquery.Selection) {
		if strings.TrimSpace(li.Find(".font-mono").First().Text()) == key+":" {
			before, after = li.Find(`[data-testid="audit-before"]`), li.Find(`[data-testid="audit-after"]`)
		}
	})
	return before, after
}
