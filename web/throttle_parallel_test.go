package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tenantdesk/tenantdesk/internal/tenantdesk"
)

// verifyCounter counts the password checks the server actually makes.
type verifyCounter struct {
	tenantdesk.PasswordHasher
	n atomic.Int64
}

func (v *verifyCounter) Verify(enc, pw string) (bool, error) {
	v.n.Add(1)
	return v.PasswordHasher.Verify(enc, pw)
}

// burst sends n requests at once (built by req(i)) and returns the statuses.
func burst(t *testing.T, hc *http.Client, n int, req func(i int) *http.Request) map[int]int {
	t.Helper()
	statuses := make([]int, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			r := req(i)
			start.Wait()
			res, err := hc.Do(r)
			if err != nil {
				return // status 0, reported below
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	start.Done()
	done.Wait()
	m := map[int]int{}
	for _, s := range statuses {
		m[s]++
	}
	return m
}

// 100 wrong passwords for one email posted to /signin at once: at most
// ThrottleMaxPerEmail are checked, the rest get 429.
func TestParallelWrongSignInsOverHTTP(t *testing.T) {
	app := newTestApp(t)
	counter := &verifyCounter{PasswordHasher: app.DB.Hasher}
	app.DB.Hasher, app.Deps.Hasher = counter, counter // the store's flows and the services'
	c := app.client()
	c.get("/signin") // the CSRF cookie and token
	got := burst(t, c.http, 100, func(i int) *http.Request {
		form := url.Values{"email": {tom}, "password": {fmt.Sprintf("wrong-password-%d", i)}, "_csrf": {c.csrf}}
		r, _ := http.NewRequest(http.MethodPost, app.Server.URL+"/signin", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	})
	t.Logf("100 parallel wrong sign-ins over HTTP: %d passwords checked, statuses %v", counter.n.Load(), got)
	if n := counter.n.Load(); n > tenantdesk.ThrottleMaxPerEmail {
		t.Errorf("%d passwords checked, limit %d", n, tenantdesk.ThrottleMaxPerEmail)
	}
	if got[http.StatusOK] != int(counter.n.Load()) || got[http.StatusTooManyRequests] != 100-got[http.StatusOK] {
		t.Errorf("statuses %v", got)
	}
}

// 100 wrong FTP logins for one user posted to /api/v1/ftp/auth at once: at
// most ThrottleMaxPerEmail are checked.
func TestParallelWrongFTPLoginsOverHTTP(t *testing.T) {
	app := newTestApp(t, withFTPSecret)
	c := app.client()
	c.mustSignIn(huck)
	mustStatus(t, setFTP(c, app.Password[huck], ftpPassword, ftpPassword), http.StatusSeeOther)
	counter := &verifyCounter{PasswordHasher: app.DB.Hasher}
	app.DB.Hasher = counter
	got := burst(t, http.DefaultClient, 100, func(i int) *http.Request {
		b, _ := json.Marshal(map[string]string{"username": huck, "password": fmt.Sprintf("guess %d", i), "clientIp": fmt.Sprintf("198.51.100.%d", i)})
		r, _ := http.NewRequest(http.MethodPost, app.Server.URL+"/api/v1/ftp/auth", strings.NewReader(string(b)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+ftpSecret)
		return r
	})
	t.Logf("100 parallel wrong FTP logins over HTTP: %d passwords checked, statuses %v", counter.n.Load(), got)
	if n := counter.n.Load(); n > tenantdesk.ThrottleMaxPerEmail {
		t.Errorf("%d passwords checked, limit %d", n, tenantdesk.ThrottleMaxPerEmail)
	}
	if got[http.StatusUnauthorized] != int(counter.n.Load()) || got[http.StatusTooManyRequests] != 100-got[http.StatusUnauthorized] {
		t.Errorf("statuses %v", got)
	}
}
