package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
	"github.com/tenantdesk/tenantdesk/web"
)

const ftpSecret = "s3cret-shared-with-the-ftp-server"

func withFTPSecret(c *web.Config) { c.FTPAuthSecret = ftpSecret }

const ftpPassword = "rafting down the mississippi"

// ftpAuth calls POST /api/v1/ftp/auth as an FTP server would.
func ftpAuth(t *testing.T, app *testApp, authorization string, body any) (*response, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, app.Server.URL+"/api/v1/ftp/auth", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res := app.client().do(req)
	var out map[string]any
	_ = json.Unmarshal([]byte(res.Body), &out)
	if _, wellFormed := body.(map[string]string); wellFormed {
		// The answer is the one the OpenAPI document promises.
		for _, e := range app.validator().check(exchange{Method: http.MethodPost, URL: req.URL, ReqHeader: req.Header, ReqBody: b,
			Status: res.StatusCode, ResHeader: res.Header, ResBody: []byte(res.Body)}) {
			t.Errorf("OpenAPI: %s\n  response: %d %s", e, res.StatusCode, res.Body)
		}
	}
	return res, out
}

func setFTP(c *client, current, pw, confirm string) *response {
	return c.post("/profile/ftp", url.Values{"currentPassword": {current}, "ftpPassword": {pw}, "confirmPassword": {confirm}})
}

func TestProfileFTPPassword(t *testing.T) {
	app := newTestApp(t, withFTPSecret, withDevMailbox)
	u, acc := accountOf(t, app, huck)
	c := app.client()
	c.mustSignIn(huck)
	res := c.get("/profile/ftp")
	mustStatus(t, res, http.StatusOK)
	if !strings.Contains(text(res, `[data-testid="ftp-status"]`), "Not set") || text(res, `[data-testid="ftp-username"]`) != huck ||
		text(res, `[data-testid="ftp-home"]`) != "/"+u.TenantID+"/" {
		t.Errorf("status %q user %q home %q", text(res, `[data-testid="ftp-status"]`), text(res, `[data-testid="ftp-username"]`), text(res, `[data-testid="ftp-home"]`))
	}
	for _, c2 := range []struct{ name, current, pw, confirm, field, want string }{
		{"wrong portal password", "wrong portal pw", ftpPassword, ftpPassword, "currentPassword", "The current password is not correct."},
		{"common", app.Password[huck], "Password1234", "Password1234", "ftpPassword", "This password is among the most commonly used passwords. Choose one that is harder to guess."},
		{"short", app.Password[huck], "short", "short", "ftpPassword", "The password must be 12 to 128 characters long."},
		{"the portal password", app.Password[huck], app.Password[huck], app.Password[huck], "ftpPassword", "The FTP password must differ from your portal password."},
		{"mismatch", app.Password[huck], ftpPassword, "something else entirely", "confirmPassword", "The two passwords do not match. Type the same password twice."},
	} {
		res := setFTP(c, c2.current, c2.pw, c2.confirm)
		if res.StatusCode != http.StatusOK || text(res, `[data-testid="`+c2.field+`-error"]`) != c2.want {
			t.Errorf("%s: %d %s error %q", c2.name, res.StatusCode, c2.field, text(res, `[data-testid="`+c2.field+`-error"]`))
		}
	}
	res = setFTP(c, app.Password[huck], ftpPassword, ftpPassword)
	mustStatus(t, res, http.StatusSeeOther)
	res = c.get("/profile/ftp")
	if !strings.Contains(text(res, `[data-testid="ftp-status"]`), "Set") || text(res, `[data-testid="ftp-changed"]`) != "2026-11-21 09:00 UTC" {
		t.Errorf("after: %q", text(res, `[data-testid="ftp-status"]`))
	}
	if strings.Contains(res.Body, ftpPassword) {
		t.Error("the FTP password is shown")
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditFTPPasswordSet, `"replaced":false`) {
		t.Error("not audited")
	}
	hashes := queryInts(t, app, `SELECT count(*) FROM credentials WHERE user_id = ? AND kind = 'ftp' AND hash LIKE '$argon2id$%'`, u.ID)
	if hashes[0] != 1 {
		t.Error("no argon2id hash of kind ftp")
	}
	found := false
	for _, m := range mailbox(t, c) {
		found = found || (m.To == huck && m.Subject == "Your Tenantdesk FTP password was set")
	}
	if !found {
		t.Error("no notice email")
	}
	// The portal password is unchanged and still signs in.
	if res := app.client().signIn(huck, app.Password[huck]); res.StatusCode != http.StatusSeeOther {
		t.Error("portal password broken")
	}
	if res := app.client().signIn(huck, ftpPassword); res.StatusCode == http.StatusSeeOther {
		t.Error("the FTP password signs in to the portal")
	}
}

func TestFTPAuthEndpoint(t *testing.T) {
	app := newTestApp(t, withFTPSecret)
	u, acc := accountOf(t, app, huck)
	c := app.client()
	c.mustSignIn(huck)
	c.get("/profile/ftp")
	mustStatus(t, setFTP(c, app.Password[huck], ftpPassword, ftpPassword), http.StatusSeeOther)
	good := map[string]string{"username": "Huck.Finn@fence.example", "password": ftpPassword, "clientIp": "203.0.113.7"}
	bearer := "Bearer " + ftpSecret

	res, body := ftpAuth(t, app, bearer, good)
	mustStatus(t, res, http.StatusOK)
	if body["tenantId"] != u.TenantID || body["homeFolder"] != "/"+u.TenantID+"/" {
		t.Errorf("body %v", body)
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditFTPAuth, "") {
		t.Error("login not audited")
	}
	// Without the shared secret, or with a wrong one: 401, and no answer about the user.
	for name, authz := range map[string]string{"none": "", "wrong": "Bearer not-the-secret", "basic": "Basic " + ftpSecret, "prefix": "Bearer " + ftpSecret[:10]} {
		res, body := ftpAuth(t, app, authz, good)
		if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") || body["tenantId"] != nil {
			t.Errorf("secret %s: %d %s %v", name, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	}
	// A wrong password, an unknown user, a user without an FTP password: 401 problem+json.
	for name, in := range map[string]map[string]string{
		"wrong password":  {"username": huck, "password": "not the ftp password", "clientIp": "203.0.113.8"},
		"portal password": {"username": huck, "password": app.Password[huck], "clientIp": "203.0.113.8"},
		"unknown user":    {"username": "nobody@fence.example", "password": ftpPassword, "clientIp": "203.0.113.8"},
		"no ftp password": {"username": becky, "password": app.Password[becky], "clientIp": "203.0.113.8"},
	} {
		res, body := ftpAuth(t, app, bearer, in)
		if res.StatusCode != http.StatusUnauthorized || body["status"] != float64(401) || body["code"] != "unauthorized" {
			t.Errorf("%s: %d %v", name, res.StatusCode, body)
		}
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditFTPAuthFailed, "wrong_password") {
		t.Error("failure not audited")
	}
	// Malformed requests are 400.
	if res, _ := ftpAuth(t, app, bearer, map[string]string{"username": huck, "password": ftpPassword, "clientIp": "not-an-ip"}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad clientIp: %d", res.StatusCode)
	}
	if res, _ := ftpAuth(t, app, bearer, "just a string"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad body: %d", res.StatusCode)
	}
	// A disabled user is refused, even with the right password.
	app.exec(`UPDATE users SET status = 'disabled' WHERE id = ?`, u.ID)
	if res, _ := ftpAuth(t, app, bearer, good); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user: %d", res.StatusCode)
	}
	if !hasAudit(t, app, acc.ID, tenantdesk.AuditFTPAuthFailed, "user_disabled") {
		t.Error("disabled refusal not audited")
	}
}

func TestFTPAuthIsThrottledApartFromSignIn(t *testing.T) {
	app := newTestApp(t, withFTPSecret)
	c := app.client()
	c.mustSignIn(huck)
	c.get("/profile/ftp")
	mustStatus(t, setFTP(c, app.Password[huck], ftpPassword, ftpPassword), http.StatusSeeOther)
	bearer := "Bearer " + ftpSecret
	for i := 0; i < tenantdesk.ThrottleMaxPerEmail; i++ {
		res, _ := ftpAuth(t, app, bearer, map[string]string{"username": huck, "password": "guess " + string(rune('a'+i)), "clientIp": "198.51.100.9"})
		mustStatus(t, res, http.StatusUnauthorized)
	}
	res, _ := ftpAuth(t, app, bearer, map[string]string{"username": huck, "password": ftpPassword, "clientIp": "198.51.100.10"})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("after %d failures: %d", tenantdesk.ThrottleMaxPerEmail, res.StatusCode)
	}
	// The portal sign-in of the same email is not locked by FTP guesses.
	if res := app.client().signIn(huck, app.Password[huck]); res.StatusCode != http.StatusSeeOther {
		t.Errorf("portal sign-in locked by FTP failures: %d", res.StatusCode)
	}
}

func TestFTPAuthEndpointIsOffWithoutASecret(t *testing.T) {
	app := newTestApp(t)
	res, body := ftpAuth(t, app, "Bearer anything", map[string]string{"username": huck, "password": "x", "clientIp": "203.0.113.7"})
	if res.StatusCode != http.StatusNotFound || body["tenantId"] != nil {
		t.Errorf("no secret configured: %d %v", res.StatusCode, body)
	}
	res, _ = ftpAuth(t, app, "", map[string]string{})
	mustStatus(t, res, http.StatusNotFound)
	if got := text(func() *response { c := app.client(); c.mustSignIn(huck); return c.get("/profile/ftp") }(), `[data-testid="ftp-no-server"]`); got == "" {
		t.Error("the FTP tab does not say no FTP server is connected")
	}
}
