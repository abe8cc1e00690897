package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/tenantdesk/tenantdesk/internal/sitepages"
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
	literal := sitepages.Literal(todo)
	order, byViewer := sitepages.ByViewer(todo)
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

// shootAs signs in as v in a fresh browser and photographs v's pages in
// the order of sitepages.Walk. It returns the number of files written and
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
		if err := p.site().SignIn(bctx, v); err != nil {
			return 0, nil, err
		}
	}

	files := 0
	notFound, err := sitepages.Walk(todo, literal, v.Email == "", p.hints, func(pg page, target, variant string) ([]string, error) {
		var links []string
		for _, w := range widths {
			for _, theme := range themes {
				name := fileName(pg.Route, v, w.w, theme, variant)
				found, err := photograph(bctx, p.URL+target, w.w, w.h, theme, filepath.Join(cfg.out, name))
				if err != nil {
					return nil, fmt.Errorf("%s: %w", target, err)
				}
				files++
				links = append(links, found...)
			}
		}
		fmt.Fprintf(stdout, "  %s\n", target)
		return links, nil
	})
	return files, notFound, err
}

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
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](sitepages.CollectLinks))
	if err != nil {
		return nil, err
	}
	return links, nil
}
