package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// widths are the viewport widths in CSS pixels: a phone and a laptop.
var widths = []struct{ w, h int }{{375, 812}, {1366, 900}}

// themes are the values of prefers-color-scheme the pages are shown in.
var themes = []string{"light", "dark"}

// results is what shoot did.
type results struct {
	files     int
	missed    []string // "route: viewers" whose link was not found (no rights, say)
	unreached []string // routes no viewer reached
}

// shoot photographs the pages, one fresh Chromium per viewer.
func shoot(ctx context.Context, cfg config, p *portal, todo []page, stdout io.Writer) (*results, error) {
	res := &results{}
	literal := map[string]bool{} // routes without parameters: never a parameter's value
	for _, pg := range todo {
		if !pg.HasParams() {
			literal[pg.Route] = true
		}
	}
	var order []viewer
	byViewer := map[string][]page{}
	for _, pg := range todo {
		for _, v := range pg.Viewers {
			if _, ok := byViewer[v.Name]; !ok {
				order = append(order, v)
			}
			byViewer[v.Name] = append(byViewer[v.Name], pg)
		}
	}
	reached := map[string]bool{}
	missed := map[string][]string{}
	for _, v := range order {
		fmt.Fprintf(stdout, "as %s:\n", v.Name)
		got, notFound, err := shootAs(ctx, cfg, p, v, byViewer[v.Name], literal, stdout)
		res.files += got
		if err != nil {
			return res, fmt.Errorf("as %s: %w", v.Name, err)
		}
		for _, pg := range byViewer[v.Name] {
			if !notFound[pg.Route] {
				reached[pg.Route] = true
			} else {
				missed[pg.Route] = append(missed[pg.Route], v.Name)
			}
		}
	}
	for _, pg := range todo {
		if !reached[pg.Route] {
			res.unreached = append(res.unreached, pg.Route)
		} else if m := missed[pg.Route]; len(m) > 0 {
			res.missed = append(res.missed, pg.Route+" as "+strings.Join(m, ", ")+" (no link to it on their pages)")
		}
	}
	return res, nil
}

// shootAs signs in as v in a fresh browser and photographs v's pages:
// first those without parameters, collecting the links on them, then the
// routes with parameters at the first matching link, again and again while
// new pages turn up; last, the public pages once more at the emailed links
// that open them with a token. It returns the number of files written and
// the routes it found no link to.
func shootAs(ctx context.Context, cfg config, p *portal, v viewer, todo []page, literal map[string]bool, stdout io.Writer) (int, map[string]bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	profile, err := os.MkdirTemp("", "tenantdesk-screenshots-chromium-")
	if err != nil {
		return 0, nil, err
	}
	defer os.RemoveAll(profile)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(cfg.chromium),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "en"),
		chromedp.Flag("accept-lang", "en"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		return 0, nil, fmt.Errorf("start %s: %w", cfg.chromium, err)
	}
	if v.Email != "" {
		if err := signIn(bctx, p, v); err != nil {
			return 0, nil, err
		}
	}

	files := 0
	var links []string // path?query of every same-origin link seen, in order
	seenLink := map[string]bool{}
	visit := func(pg page, target, variant string) error {
		for _, w := range widths {
			for _, theme := range themes {
				name := fileName(pg.Route, v, w.w, theme, variant)
				found, err := photograph(bctx, p.URL+target, w.w, w.h, theme, filepath.Join(cfg.out, name))
				if err != nil {
					return fmt.Errorf("%s: %w", target, err)
				}
				files++
				for _, l := range found {
					if !seenLink[l] {
						seenLink[l] = true
						links = append(links, l)
					}
				}
			}
		}
		fmt.Fprintf(stdout, "  %s\n", target)
		return nil
	}

	var pending []page
	for _, pg := range todo {
		if pg.HasParams() {
			pending = append(pending, pg)
			continue
		}
		if err := visit(pg, pg.Route, ""); err != nil {
			return files, nil, err
		}
	}
	for progress := true; progress && len(pending) > 0; {
		progress = false
		var still []page
		for _, pg := range pending {
			target := firstLink(links, pg, literal)
			if target == "" {
				still = append(still, pg)
				continue
			}
			if err := visit(pg, target, ""); err != nil {
				return files, nil, err
			}
			progress = true
		}
		pending = still
	}
	if v.Email == "" {
		for _, pg := range todo {
			if pg.HasParams() {
				continue
			}
			for _, l := range links {
				if path, query, _ := strings.Cut(l, "?"); path == pg.Route && query != "" {
					if err := visit(pg, l, "link"); err != nil {
						return files, nil, err
					}
					break
				}
			}
		}
	}
	notFound := map[string]bool{}
	for _, pg := range pending {
		notFound[pg.Route] = true
	}
	return files, notFound, nil
}

// firstLink returns the first link seen that is a URL of the route with
// parameters, leaving out the URLs of routes of their own (/account/users/new
// is not a user).
func firstLink(links []string, pg page, literal map[string]bool) string {
	for _, l := range links {
		path, _, _ := strings.Cut(l, "?")
		if !literal[path] && pg.Match(path) {
			return path
		}
	}
	return ""
}

// signIn signs in as v through the sign-in form; a viewer with Pending set
// stops at the second factor.
func signIn(ctx context.Context, p *portal, v viewer) error {
	pw, ok := p.Password[v.Email]
	if !ok {
		return fmt.Errorf("no demo password for %s", v.Email)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.URL+"/signin")); err != nil {
		return fmt.Errorf("open the sign-in page: %w", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), v.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), pw)); err != nil {
		return fmt.Errorf("fill the sign-in form: %w", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("[data-testid=signin-submit]"))); err != nil {
		return fmt.Errorf("sign in as %s: %w", v.Email, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return err
	}
	u, err := url.Parse(loc)
	if err != nil {
		return err
	}
	if want := "/"; !v.Pending && u.Path != want || v.Pending && !strings.HasPrefix(u.Path, "/signin/2fa") {
		return fmt.Errorf("sign-in as %s ended at %s", v.Email, u.Path)
	}
	return nil
}

// collectLinks lists the same-origin targets of links, htmx GETs and form
// actions on the page, as path?query.
const collectLinks = `Array.from(document.querySelectorAll('a[href],[hx-get],form[action]')).map(e => {
  const v = e.getAttribute('href') || e.getAttribute('hx-get') || e.getAttribute('action');
  try { const u = new URL(v, location.href); return u.origin === location.origin ? u.pathname + u.search : ''; }
  catch (_) { return ''; }
}).filter(Boolean)`

// photograph opens the URL at the width and colour scheme, writes a
// full-page PNG to file and returns the links on the page.
func photograph(ctx context.Context, target string, width, height int, theme, file string) ([]string, error) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		return nil, err
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}},
	}); err != nil {
		return nil, err
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Navigate(target)); err != nil {
		return nil, err
	}
	// Scripts run at load (the active tab scrolled into view, autofocus);
	// let them finish and the fonts settle.
	time.Sleep(150 * time.Millisecond)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		return nil, err
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](collectLinks))
	if err != nil {
		return nil, err
	}
	return links, nil
}
