package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/tenantdesk/tenantdesk/internal/sitepages"
)

// The accessibility sweep: every page (internal/sitepages, the list
// cmd/screenshots photographs), as every kind of user, light and dark, at
// a phone's and a laptop's width, checked with axe-core (pinned in
// package.json, loaded from node_modules) for serious and critical
// violations; and the server's HTML of every page checked once with
// html-validate against the rules .htmlvalidate.json keeps.

// repoRoot is the worktree root, seen from the web package's folder.
const repoRoot = ".."

// axeWidths and axeThemes are the viewports and colour schemes of the sweep
// (as cmd/screenshots').
var (
	axeWidths = []struct{ w, h int64 }{{375, 812}, {1366, 900}}
	axeThemes = []string{"light", "dark"}
)

// axeTabs is how many viewers are checked at once, each in a tab of its own
// browser context (cookies apart) in one Chromium: one per core, 2 to 4.
var axeTabs = min(max(runtime.NumCPU(), 2), 4)

// nodeTool returns the file of an npm package under node_modules, read
// from the repository (npm ci installs it). Missing, the test skips
// loudly, or fails when TENANTDESK_REQUIRE_BROWSER=1 (CI runs npm ci).
func nodeTool(t *testing.T, rel string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped under -short")
	}
	p := filepath.Join(repoRoot, "node_modules", rel)
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("%s is missing (%v): run npm ci in the repository root", p, err)
		if os.Getenv("TENANTDESK_REQUIRE_BROWSER") == "1" {
			t.Fatalf("TENANTDESK_REQUIRE_BROWSER=1 but %s", msg)
		}
		loudSkipOnce.Do(func() { shout("ACCESSIBILITY CHECKS NOT RUN: " + msg) })
		t.Skip(msg)
	}
	return p
}

// axeViolation is one axe rule broken on a page, with its first nodes.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun runs axe-core over the document with the options (JSON) and
// returns the serious and critical violations.
const axeRun = `axe.run(document, Object.assign({resultTypes: ["violations"]}, %s)).then(r => r.violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => ({id: v.id, impact: v.impact, help: v.help + " (" + v.nodes.length + " elements)",
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 300))})))`

// fetchHTML is the server's HTML of the page, fetched again (the DOM is
// what scripts made of it; html-validate checks what the server sends).
const fetchHTML = `fetch(location.href, {credentials: "same-origin"}).then(r => r.text())`

var axeTime atomic.Int64

// axeTab is one viewer's tab, with axe-core injected into every document.
type axeTab struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newAxeTab(t *testing.T, b *testBrowser, axeJS string) (*axeTab, error) {
	ctx, cancel := chromedp.NewContext(b.Ctx, chromedp.WithNewBrowserContext())
	tab := &axeTab{ctx: ctx, cancel: cancel}
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, fmt.Errorf("open a tab: %w", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: axeJS}); err != nil {
		cancel()
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	// Transitions off (the CSS honours reduced motion), so that a colour
	// read after a theme switch is the theme's, not one on the way.
	if err := tab.emulate(axeWidths[0].w, axeWidths[0].h, axeThemes[0]); err != nil {
		cancel()
		return nil, err
	}
	return tab, nil
}

func (tab *axeTab) emulate(w, h int64, theme string) error {
	if err := chromedp.Do(tab.ctx, chromedp.EmulateViewport(w, h)); err != nil {
		return err
	}
	_, err := chromedp.Call(tab.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}, {Name: "prefers-reduced-motion", Value: "reduce"}},
	})
	return err
}

// axeThemeRules are the rules whose outcome depends on the colour scheme:
// in the light theme every rule runs, in the dark one only these (the
// themes differ in colours only; a full second run would double the time).
const axeThemeRules = `{"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}`

// check runs axe at every width and theme on the loaded page; each
// violation is reported as "where: rule".
func (tab *axeTab) check(where string) (runs int, found []string, err error) {
	for _, theme := range axeThemes {
		for _, w := range axeWidths {
			if err := tab.emulate(w.w, w.h, theme); err != nil {
				return runs, found, err
			}
			opts := "{}"
			if theme != axeThemes[0] {
				opts = axeThemeRules
			}
			t0 := time.Now()
			vs, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]axeViolation](fmt.Sprintf(axeRun, opts), chromedp.EvalAwaitPromise))
			axeTime.Add(int64(time.Since(t0)))
			if err != nil {
				return runs, found, fmt.Errorf("axe at %d px %s: %w", w.w, theme, err)
			}
			runs++
			for _, v := range vs {
				found = append(found, fmt.Sprintf("%s at %d px, %s: %s (%s) %s\n\t%s", where, w.w, theme, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t")))
			}
		}
	}
	return runs, found, nil
}

// TestBrowserAccessibility is the sweep; see the top of the file.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel()
	axePath := nodeTool(t, "axe-core/axe.min.js")
	nodeTool(t, "html-validate/package.json")
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t)
	site := sitepages.Portal{URL: app.Server.URL, Store: app.DB, Svc: app.Svc, Password: app.Password, Now: app.Clock.Now}
	hints, err := site.Arrange(context.Background())
	if err != nil {
		t.Fatalf("arrange the demo states: %v", err)
	}
	b := newBrowser(t, browserBudget(15*time.Minute)) // after the app, so that it closes first
	start := time.Now()

	todo := sitepages.Pages(app.Handler.Routes())
	literal := sitepages.Literal(todo)
	order, byViewer := sitepages.ByViewer(todo)
	// The pages' HTML, kept after a failure for a look at what html-validate saw.
	htmlDir, err := os.MkdirTemp("", "tenantdesk-html-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the pages' HTML is kept in %s", htmlDir)
			return
		}
		os.RemoveAll(htmlDir)
	})

	var (
		mu         sync.Mutex
		runs       int
		visits     int
		violations []string
		reached    = map[string]bool{}
		htmlFiles  []string
	)
	walk := func(v sitepages.Viewer) error {
		tab, err := newAxeTab(t, b, string(axe))
		if err != nil {
			return err
		}
		defer tab.cancel()
		if v.Email != "" {
			if err := site.SignIn(tab.ctx, v); err != nil {
				return err
			}
		}
		notFound, err := sitepages.Walk(byViewer[v.Name], literal, v.Email == "", hints, func(pg sitepages.Page, target, variant string) ([]string, error) {
			if _, err := chromedp.RunResponse(tab.ctx, chromedp.Navigate(app.Server.URL+target)); err != nil {
				return nil, fmt.Errorf("open %s: %w", target, err)
			}
			where := target + " as " + v.Name
			if ok, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`typeof axe === "object" && typeof axe.run === "function"`)); err != nil || !ok {
				return nil, fmt.Errorf("%s: axe-core is not loaded in the page (%v)", where, err)
			}
			links, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]string](sitepages.CollectLinks))
			if err != nil {
				return nil, err
			}
			html, err := chromedp.Run(tab.ctx, chromedp.Evaluate[string](fetchHTML, chromedp.EvalAwaitPromise))
			if err != nil {
				return nil, fmt.Errorf("%s: fetch the HTML: %w", where, err)
			}
			n, found, err := tab.check(where)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			name := strings.NewReplacer("/", "_", ":", "", "?", "_", "=", "-", "&", "_").Replace(strings.Trim(target, "/"))
			file := filepath.Join(htmlDir, fmt.Sprintf("%s__%s.html", name, v.Name))
			if _, err := os.Stat(file); err == nil {
				return nil, fmt.Errorf("%s: two pages write %s", where, file)
			}
			if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
				return nil, err
			}
			mu.Lock()
			runs += n
			visits++
			violations = append(violations, found...)
			htmlFiles = append(htmlFiles, file)
			mu.Unlock()
			return links, nil
		})
		if err != nil {
			return err
		}
		mu.Lock()
		for _, pg := range byViewer[v.Name] {
			if !notFound[pg.Route] {
				reached[pg.Route] = true
			}
		}
		mu.Unlock()
		return nil
	}

	// The viewers, a few at a time.
	sem := make(chan struct{}, axeTabs)
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	for i, v := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := walk(v); err != nil {
				errs[i] = fmt.Errorf("as %s: %w", v.Name, err)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for _, pg := range todo {
		if !reached[pg.Route] {
			t.Errorf("no viewer reached %s: link to it from a page, or add it to sitepages.NotPages", pg.Route)
		}
	}
	slices.Sort(violations)
	for _, v := range violations {
		t.Errorf("axe: %s", v)
	}
	t.Logf("time in axe.run: %s", time.Duration(axeTime.Load()))
	t.Logf("axe-core: %d page visits (%d routes, %d viewers) × %d themes × %d widths = %d runs, %d serious or critical violations, in %s",
		visits, len(todo), len(order), len(axeThemes), len(axeWidths), runs, len(violations), time.Since(start).Round(time.Second))

	// html-validate, once over the server's HTML of every page visited.
	vstart := time.Now()
	slices.Sort(htmlFiles)
	cmd := exec.Command("npx", append([]string{"--no-install", "html-validate", "--config", ".htmlvalidate.json", "--formatter", "text"}, htmlFiles...)...)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("html-validate over %d pages: %v\n%s", len(htmlFiles), err, out)
	}
	t.Logf("html-validate: %d pages in %s", len(htmlFiles), time.Since(vstart).Round(100*time.Millisecond))
}

// TestBrowserAxeSeesViolations proves the sweep is not vacuous: axe-core,
// loaded as the sweep loads it, reports a button without a name (in the
// light theme, where every rule runs) and text too faint to read (in both).
func TestBrowserAxeSeesViolations(t *testing.T) {
	t.Parallel()
	axePath := nodeTool(t, "axe-core/axe.min.js")
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t)
	b := newBrowser(t)
	tab, err := newAxeTab(t, b, string(axe))
	if err != nil {
		t.Fatal(err)
	}
	defer tab.cancel()
	if _, err := chromedp.RunResponse(tab.ctx, chromedp.Navigate(app.Server.URL+"/signin")); err != nil {
		t.Fatal(err)
	}
	if _, found, err := tab.check("/signin"); err != nil || len(found) > 0 {
		t.Fatalf("the sign-in page before the damage: %v %v", err, found)
	}
	if _, err := chromedp.Run(tab.ctx, chromedp.Evaluate[bool](`(() => {
		const b = document.createElement("button"); document.querySelector("main").append(b);
		const p = document.createElement("p"); p.textContent = "faint"; p.style.color = "#777"; p.style.backgroundColor = "#888";
		document.querySelector("main").append(p); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	runs, found, err := tab.check("/signin")
	if err != nil {
		t.Fatal(err)
	}
	var name, contrast int
	for _, f := range found {
		name += strings.Count(f, ": button-name (critical)")
		contrast += strings.Count(f, ": color-contrast (serious)")
	}
	// Every rule runs in the light theme, the colour rules in both.
	if runs != len(axeThemes)*len(axeWidths) || name != len(axeWidths) || contrast != runs {
		t.Errorf("%d runs found the nameless button %d times (want %d: the light theme at each width) and the faint text %d times (want every run):\n%s",
			runs, name, len(axeWidths), contrast, strings.Join(found, "\n"))
	}
}
