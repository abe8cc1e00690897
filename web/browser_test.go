package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Browser tests drive the real server with a real headless Chromium, for
// the flows a person clicks through. newBrowser finds Chromium; without it
// the tests skip loudly, or fail when TENANTDESK_REQUIRE_BROWSER=1 (CI).

// browserTimeout bounds the whole life of one browser: start, every action
// and the shutdown.
const browserTimeout = 60 * time.Second

// testBrowser is one headless Chromium with one tab. Run actions on Ctx; the
// browser records what the pages write to the console, uncaught exceptions
// and CSP violations, so a test can assert a clean run with AssertClean.
type testBrowser struct {
	t   testing.TB
	Ctx context.Context

	mu       sync.Mutex
	messages []browserMessage
	allowed  []string // substrings of errors the test expects
}

// browserMessage is one console call, uncaught exception or browser log entry.
type browserMessage struct {
	Source string // "console", "exception" or the browser log's source ("security", "network", ...)
	Level  string // "error", "warning", "info", "log", "debug", ...
	Text   string
	URL    string
}

func (m browserMessage) String() string {
	s := m.Source + "/" + m.Level + ": " + m.Text
	if m.URL != "" {
		s += " (" + m.URL + ")"
	}
	return s
}

// isCSP reports whether the message is a Content Security Policy violation.
func (m browserMessage) isCSP() bool {
	return strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Content-Security-Policy")
}

// isError reports whether the message is an error: console.error, an
// uncaught exception, or a browser log entry of level error (a failed
// resource, a CSP violation, ...).
func (m browserMessage) isError() bool {
	return m.Source == "exception" || m.Level == "error" || m.Level == "assert"
}

// browserConfig is what browserOptions change.
type browserConfig struct {
	lang          string // Chromium's UI language and Accept-Language, e.g. "ru"
	width, height int
	budget        time.Duration // the browser's whole life (browserTimeout by default)
}

type browserOption func(*browserConfig)

// browserLang makes the browser prefer the language tag (sent as
// Accept-Language on every request), e.g. browserLang("ru").
func browserLang(tag string) browserOption { return func(c *browserConfig) { c.lang = tag } }

// browserWindow sets the window size in CSS pixels (default 1280×900).
func browserWindow(width, height int) browserOption {
	return func(c *browserConfig) { c.width, c.height = width, height }
}

// browserBudget gives the browser longer than browserTimeout to live, for a
// test that visits every page.
func browserBudget(d time.Duration) browserOption { return func(c *browserConfig) { c.budget = d } }

var loudSkipOnce sync.Once

// findChromium returns the Chromium to run: $TENANTDESK_CHROMIUM, else the
// first of /usr/bin/chromium, chromium, chromium-browser, google-chrome on PATH.
func findChromium() (string, error) {
	if p := os.Getenv("TENANTDESK_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TENANTDESK_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("Chromium not found (looked at $TENANTDESK_CHROMIUM, /usr/bin/chromium, chromium, chromium-browser, google-chrome on PATH)")
}

// newBrowser starts a fresh headless Chromium (own profile, 60 s budget for
// its whole life) and closes it when the test ends. It skips under -short,
// and when Chromium is missing it skips loudly, or fails when
// TENANTDESK_REQUIRE_BROWSER=1. Call it after newTestApp, so that the
// browser closes before the server does. Browser tests may run in parallel:
// each has its own Chromium and its own app.
func newBrowser(t testing.TB, opts ...browserOption) *testBrowser {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped under -short")
	}
	path, err := findChromium()
	if err != nil {
		if os.Getenv("TENANTDESK_REQUIRE_BROWSER") == "1" {
			t.Fatalf("TENANTDESK_REQUIRE_BROWSER=1 but %v; install it with apt-get install chromium or set TENANTDESK_CHROMIUM", err)
		}
		msg := "BROWSER TESTS NOT RUN: " + err.Error() + "; install it with apt-get install chromium (or set TENANTDESK_CHROMIUM)"
		loudSkipOnce.Do(func() { shout(msg) })
		t.Skip(msg)
	}

	cfg := browserConfig{width: 1280, height: 900, budget: browserTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	alloc := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(cfg.width, cfg.height),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
	)
	if cfg.lang != "" {
		alloc = append(alloc, chromedp.Flag("lang", cfg.lang), chromedp.Flag("accept-lang", cfg.lang))
	}

	timeoutCtx, cancelTimeout := context.WithTimeout(context.Background(), cfg.budget)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(timeoutCtx, alloc...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		cancelTimeout()
	})
	b := &testBrowser{t: t, Ctx: ctx}

	// Start the browser and open the tab now, so that a broken Chromium fails
	// here with a clear message and the listener sees the first page.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("listen to the browser console: %v", err)
	}
	if cfg.lang != "" {
		// --lang and --accept-lang are not honoured the same way by every
		// headless mode; the header makes the preference certain.
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
			network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": cfg.lang}}); err != nil {
			t.Fatalf("set Accept-Language: %v", err)
		}
	}
	// On failure, say where the browser was and what the console said.
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
			t.Logf("browser was at %s", loc)
		}
		for _, m := range b.Messages() {
			t.Logf("browser console: %s", m)
		}
	})
	return b
}

// shout prints msg where a person sees it even without -v: on the terminal
// when there is one (go test ./... hides the output of passing packages),
// else on stderr.
func shout(msg string) {
	line := "\n*** " + msg + " ***\n\n"
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		fmt.Fprint(tty, line)
		tty.Close()
		return
	}
	fmt.Fprint(os.Stderr, line)
}

// record runs in the tab's event loop: it must return fast and send no command.
func (b *testBrowser) record(ev any) {
	var m browserMessage
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		m = browserMessage{Source: "console", Level: string(ev.Type), Text: remoteObjectsText(ev.Args)}
		if ev.StackTrace != nil && len(ev.StackTrace.CallFrames) > 0 {
			m.URL = ev.StackTrace.CallFrames[0].URL
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		m = browserMessage{Source: "exception", Level: "error", Text: d.Text, URL: d.URL}
		if d.Exception != nil && d.Exception.Description != "" {
			m.Text += " " + d.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		m = browserMessage{Source: string(e.Source), Level: string(e.Level), Text: e.Text, URL: e.URL}
	default:
		return
	}
	b.mu.Lock()
	b.messages = append(b.messages, m)
	b.mu.Unlock()
}

func remoteObjectsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a == nil:
		case a.Type == runtime.RemoteObjectTypeString && len(a.Value) > 0:
			var s string
			if err := jsonv2.Unmarshal(a.Value, &s); err == nil {
				parts = append(parts, s)
			} else {
				parts = append(parts, string(a.Value))
			}
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// Messages returns everything recorded so far.
func (b *testBrowser) Messages() []browserMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]browserMessage(nil), b.messages...)
}

// Errors returns the console errors, uncaught exceptions and error log
// entries (CSP violations included) recorded so far.
func (b *testBrowser) Errors() []browserMessage {
	var out []browserMessage
	for _, m := range b.Messages() {
		if m.isError() {
			out = append(out, m)
		}
	}
	return out
}

// CSPViolations returns the Content Security Policy violations recorded so far.
func (b *testBrowser) CSPViolations() []browserMessage {
	var out []browserMessage
	for _, m := range b.Messages() {
		if m.isCSP() {
			out = append(out, m)
		}
	}
	return out
}

// AllowError tells AssertClean that errors whose text or URL contain substr
// are expected, e.g. the browser's "Failed to load resource: ... status of
// 404" for a page that is meant to be a 404. CSP violations are never allowed.
func (b *testBrowser) AllowError(substr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.allowed = append(b.allowed, substr)
}

func (b *testBrowser) isAllowed(m browserMessage) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, a := range b.allowed {
		if strings.Contains(m.Text, a) || strings.Contains(m.URL, a) {
			return true
		}
	}
	return false
}

// AssertClean fails the test for every console error, exception and CSP
// violation recorded so far, but the errors allowed with AllowError. It waits a moment first, because the browser
// reports console events asynchronously.
func (b *testBrowser) AssertClean() {
	b.t.Helper()
	b.settle()
	for _, m := range b.CSPViolations() {
		b.t.Errorf("CSP violation: %s", m)
	}
	for _, m := range b.Errors() {
		if !m.isCSP() && !b.isAllowed(m) {
			b.t.Errorf("browser console error: %s", m)
		}
	}
}

// settle gives in-flight console events a moment to arrive.
func (b *testBrowser) settle() {
	// A round trip to the tab: events sent before its reply are delivered
	// before it returns, because Listen sees them in order.
	_, _ = chromedp.Run(b.Ctx, chromedp.Evaluate[chromedp.Void](`0`))
	time.Sleep(100 * time.Millisecond)
}

// Do runs the actions and fails the test on error.
func (b *testBrowser) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.Ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// Navigate opens the URL, waits until it has loaded and returns the HTTP
// status of the final document (after redirects).
func (b *testBrowser) Navigate(rawURL string) int64 {
	b.t.Helper()
	return b.DoAndWaitLoad("open "+rawURL, chromedp.Navigate(rawURL))
}

// DoAndWaitLoad runs actions that cause a navigation (a click on a link or a
// submit button, Enter in a form), waits until the new page has loaded and
// returns its HTTP status.
func (b *testBrowser) DoAndWaitLoad(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.Ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	if res == nil {
		return 0
	}
	return res.Status
}

// Text returns the visible text of the first element matching the CSS selector.
func (b *testBrowser) Text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Value returns the value of the form field matching the CSS selector.
func (b *testBrowser) Value(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

// evalIn evaluates a JavaScript expression in the page and decodes its value.
func evalIn[T any](b *testBrowser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.Ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Path returns the path and query of the page's URL.
func (b *testBrowser) Path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.Ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		b.t.Fatalf("location %q: %v", loc, err)
	}
	return u.RequestURI()
}

// Title returns the document's title.
func (b *testBrowser) Title() string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Title())
	if err != nil {
		b.t.Fatalf("title: %v", err)
	}
	return s
}

// ActiveElementID returns the id of the focused element ("" for none).
func (b *testBrowser) ActiveElementID() string {
	b.t.Helper()
	return evalIn[string](b, `document.activeElement ? document.activeElement.id : ""`)
}

// focusedID waits up to two seconds for the element with id want to have
// the focus (autofocus and scripts may apply it just after the load event)
// and returns the id of the focused element then.
func (b *testBrowser) focusedID(want string) string {
	b.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := b.ActiveElementID()
		if got == want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// labelFor returns the text of the <label> that labels the input with the id,
// through the input's labels (so a label that does not point at it does not count).
func (b *testBrowser) labelFor(id string) string {
	b.t.Helper()
	return strings.TrimSpace(evalIn[string](b, fmt.Sprintf(
		`(() => { const el = document.getElementById(%q); return el && el.labels && el.labels.length ? el.labels[0].textContent : ""; })()`, id)))
}

// meaningfulTitle reports whether a page title names the product and says
// something more, e.g. "Sign in · Tenantdesk".
func meaningfulTitle(title string) bool {
	rest := strings.NewReplacer("Tenantdesk", "", "·", "", "-", "", "|", "").Replace(title)
	return strings.Contains(title, "Tenantdesk") && strings.TrimSpace(rest) != ""
}

func TestBrowserSignInAndOut(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t) // after the app, so that it closes first
	base := app.Server.URL

	if status := b.Navigate(base + "/signin"); status != 200 {
		t.Fatalf("GET /signin: status %d", status)
	}
	signInTitle := b.Title()
	if !meaningfulTitle(signInTitle) {
		t.Errorf("sign-in page title %q is not meaningful", signInTitle)
	}
	for _, id := range []string{"email", "password"} {
		if l := b.labelFor(id); l == "" {
			t.Errorf("input #%s has no label", id)
		}
	}
	if got := evalIn[string](b, `document.documentElement.lang`); got != "en" {
		t.Errorf(`<html lang> = %q, want "en"`, got)
	}

	// A wrong password: the form comes back with the error and keeps the email.
	b.Do("type a wrong password",
		chromedp.SendKeys(chromedp.CSS("#email"), tom),
		chromedp.SendKeys(chromedp.CSS("#password"), "not-the-password"),
	)
	status := b.DoAndWaitLoad("submit the wrong password", chromedp.Click(chromedp.CSS("[data-testid=signin-submit]")))
	if status != 200 {
		t.Errorf("failed sign-in: status %d, want the form again with 200", status)
	}
	if got := b.Text("[data-testid=signin-error]"); !strings.Contains(got, "Incorrect email or password.") {
		t.Errorf("error alert %q, want it to say Incorrect email or password.", got)
	}
	if role := evalIn[string](b, `document.querySelector("[data-testid=signin-error]").getAttribute("role") || ""`); role != "alert" {
		t.Errorf("error message has role %q, want alert", role)
	}
	if got := b.Value("#email"); got != tom {
		t.Errorf("email field after the error = %q, want %q", got, tom)
	}
	if got := evalIn[string](b, `document.getElementById("email").getAttribute("aria-invalid") || ""`); got != "true" {
		t.Errorf(`email field after the error has aria-invalid=%q, want "true"`, got)
	}
	if got := b.Value("#password"); got != "" {
		t.Errorf("password field after the error = %q, want it empty", got)
	}
	if b.Path() != "/signin" {
		t.Errorf("after a failed sign-in the browser is at %s, want /signin", b.Path())
	}

	// The right password, through the real form.
	b.Do("type the right password", chromedp.SendKeys(chromedp.CSS("#password"), app.Password[tom]))
	b.DoAndWaitLoad("submit the sign-in form", chromedp.Click(chromedp.CSS("[data-testid=signin-submit]")))
	if got := b.Path(); got != "/" {
		t.Fatalf("after sign-in the browser is at %s, want /", got)
	}
	if got := b.Text("[data-testid=home-user-name]"); got != "Tom Sawyer" {
		t.Errorf("home user name %q, want Tom Sawyer", got)
	}
	if got := b.Text("[data-testid=home-account-name]"); got != "Tom Sawyer Fence Painting Co." {
		t.Errorf("home account name %q, want Tom Sawyer Fence Painting Co.", got)
	}
	if got := b.Text("[data-testid=current-user]"); got != "Tom Sawyer" {
		t.Errorf("top bar user %q, want Tom Sawyer", got)
	}
	if title := b.Title(); !meaningfulTitle(title) || title == signInTitle {
		t.Errorf("home page title %q is not meaningful (sign-in page: %q)", title, signInTitle)
	}
	// htmx loaded and running under the strict CSP.
	if ok := evalIn[bool](b, `typeof window.htmx === "object" && typeof htmx.version === "string" && htmx.version.startsWith("2")`); !ok {
		t.Errorf("htmx 2 is not loaded on the home page")
	}

	// Sign out: back on the sign-in page with a notice.
	b.DoAndWaitLoad("click sign out", chromedp.Click(chromedp.CSS("[data-testid=signout]")))
	if got := b.Path(); got != "/signin?signedout=1" {
		t.Errorf("after sign-out the browser is at %s, want /signin?signedout=1", got)
	}
	if got := b.Text(`[role=status]`); got == "" {
		t.Errorf("no info alert (role=status) after sign-out")
	}

	// The session is gone: / sends the browser back to sign in.
	b.Navigate(base + "/")
	if got := b.Path(); !strings.HasPrefix(got, "/signin") {
		t.Errorf("GET / after sign-out landed on %s, want /signin", got)
	}
	b.Do("see the sign-in form", chromedp.WaitVisible(chromedp.CSS("[data-testid=signin-submit]")))

	b.AssertClean()
}

// TestBrowserSignInWithKeyboard completes the sign-in form with the keyboard
// only: the email field has focus on arrival, Tab moves to the password,
// Enter submits.
func TestBrowserSignInWithKeyboard(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t) // after the app, so that it closes first

	b.Navigate(app.Server.URL + "/signin")
	b.Do("wait for the form", chromedp.WaitVisible(chromedp.CSS("#email")))
	if got := b.ActiveElementID(); got != "email" {
		// autofocus is a courtesy; a keyboard user still gets there with Tab.
		t.Logf("focus on arrival is on %q, not the email field; focusing it", got)
		b.Do("focus the email field", chromedp.Focus(chromedp.CSS("#email")))
	}
	b.Do("type the email", chromedp.KeyEvent(tom))
	b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
	if got := b.ActiveElementID(); got != "password" {
		t.Fatalf("Tab from the email field moved focus to %q, want the password field", got)
	}
	// The focused field shows where the focus is.
	if !evalIn[bool](b, `(() => { const s = getComputedStyle(document.activeElement);
		return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"; })()`) {
		t.Errorf("the focused password field has no visible focus indicator (outline or ring)")
	}
	b.Do("type the password", chromedp.KeyEvent(app.Password[tom]))
	b.DoAndWaitLoad("press Enter", chromedp.KeyEvent(kb.Enter))
	if got := b.Path(); got != "/" {
		t.Fatalf("after Enter the browser is at %s, want /", got)
	}
	if got := b.Text("[data-testid=home-user-name]"); got != "Tom Sawyer" {
		t.Errorf("home user name %q, want Tom Sawyer", got)
	}

	// The sign-out button is reachable with Tab and works with Enter.
	var reached bool
	for i := 0; i < 20; i++ {
		b.Do("press Tab", chromedp.KeyEvent(kb.Tab))
		if evalIn[bool](b, `document.activeElement && document.activeElement.getAttribute("data-testid") === "signout"`) {
			reached = true
			break
		}
	}
	if !reached {
		t.Fatalf("the sign-out button cannot be reached with Tab")
	}
	b.DoAndWaitLoad("press Enter on sign out", chromedp.KeyEvent(kb.Enter))
	if got := b.Path(); got != "/signin?signedout=1" {
		t.Errorf("after sign-out with the keyboard the browser is at %s, want /signin?signedout=1", got)
	}

	b.AssertClean()
}

func TestBrowserRussianSignInPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t, browserLang("ru"))

	b.Navigate(app.Server.URL + "/signin")
	if got := b.Text("h1"); got != "Вход в Tenantdesk" {
		t.Errorf("heading %q, want Вход в Tenantdesk", got)
	}
	if got := evalIn[string](b, `document.documentElement.lang`); got != "ru" {
		t.Errorf(`<html lang> = %q, want "ru"`, got)
	}
	if got := evalIn[string](b, `navigator.language`); !strings.HasPrefix(got, "ru") {
		t.Logf("navigator.language is %q (the server only sees Accept-Language)", got)
	}
	if title := b.Title(); !meaningfulTitle(title) {
		t.Errorf("title %q is not meaningful", title)
	}
	for _, id := range []string{"email", "password"} {
		if l := b.labelFor(id); l == "" {
			t.Errorf("input #%s has no label", id)
		}
	}
	b.AssertClean()
}

// TestBrowserCollectorSeesViolations proves that AssertClean is not
// vacuous: a console error, an exception and an inline style blocked by the
// CSP are all recorded.
func TestBrowserCollectorSeesViolations(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	b := newBrowser(t) // after the app, so that it closes first

	b.Navigate(app.Server.URL + "/signin")
	b.Do("misbehave", chromedp.Evaluate[chromedp.Void](`
		console.error("deliberate console error");
		setTimeout(() => { throw new Error("deliberate exception"); }, 0);
		const s = document.createElement("style");
		s.textContent = "body { color: red }";
		document.head.appendChild(s);
	`))
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.settle()
		var consoleErr, exception bool
		for _, m := range b.Errors() {
			consoleErr = consoleErr || strings.Contains(m.Text, "deliberate console error")
			exception = exception || (m.Source == "exception" && strings.Contains(m.Text, "deliberate exception"))
		}
		csp := len(b.CSPViolations()) > 0
		if consoleErr && exception && csp {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector missed something: console error %v, exception %v, CSP violation %v; messages %v",
				consoleErr, exception, csp, b.Messages())
		}
	}
}
