package web_test

import (
	"net/http"
	"testing"
)

// A customer's status in the API follows its onboarding (SPEC §1): pending
// until a user admin activates, disabled once its partner disables it.
func TestAPICustomerStatus(t *testing.T) {
	app := newTestApp(t)
	api := app.api(app.apiToken(elizabeth))
	created := api.post("/api/v1/customers", map[string]any{"name": "Pemberley Estates", "description": "", "reference": "", "connection": map[string]any{}}).
		expect(t, http.StatusCreated)
	tid := created.str("tenantId")
	if got := created.str("status"); got != "pending_onboarding" {
		t.Errorf("new customer: status %q", got)
	}
	if got := api.get("/api/v1/customers/"+app.tenantOf(tom)).expect(t, http.StatusOK).str("status"); got != "active" {
		t.Errorf("Tom Sawyer: status %q", got)
	}
	for _, item := range api.get("/api/v1/customers").expect(t, http.StatusOK).items() {
		want := "active"
		if item["tenantId"] == tid {
			want = "pending_onboarding"
		}
		if item["status"] != want {
			t.Errorf("%v: status %v, want %s", item["name"], item["status"], want)
		}
	}
	app.exec(`UPDATE accounts SET disabled_at = 1 WHERE tenant_id = ?`, tid)
	app.DB.ForgetCachedReads()
	if got := api.get("/api/v1/customers/"+tid).expect(t, http.StatusOK).str("status"); got != "disabled" {
		t.Errorf("disabled customer: status %q", got)
	}
}
