package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestDeniedAccessIsLogged: a reach into another tenant answers a plain 404
// and is logged as a security event (ASVS 16.3.2) with who asked and for
// what; a permitted read logs no such event.
func TestDeniedAccessIsLogged(t *testing.T) {
	app := newTestApp(t)
	tomAPI := app.api(app.apiToken(tom))
	own := app.account(tomSawyerCo)
	if r := tomAPI.get("/api/v1/customers/" + own.TenantID + "/users"); r.Status != http.StatusOK {
		t.Fatalf("own users: %d", r.Status)
	}
	if strings.Contains(app.Logs.String(), "access denied") {
		t.Fatalf("a permitted read was logged as denied:\n%s", app.Logs.String())
	}
	other := app.account(hundredAcre)
	if r := tomAPI.get("/api/v1/customers/" + other.TenantID + "/users"); r.Status != http.StatusNotFound {
		t.Fatalf("another tenant's users: %d, want 404", r.Status)
	}
	var line string
	for _, l := range strings.Split(app.Logs.String(), "\n") {
		if strings.Contains(l, `msg="access denied"`) {
			line = l
		}
	}
	tomU := app.user(tom)
	for _, want := range []string{"code=not_found", "method=GET", "path=/api/v1/customers/" + other.TenantID + "/users", "user_id=" + strconv.FormatInt(tomU.ID, 10)} {
		if !strings.Contains(line, want) {
			t.Errorf("denied-access log line %q lacks %q", line, want)
		}
	}
}
