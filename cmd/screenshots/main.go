// Command screenshots photographs every page of the portal, for a person
// to review them all at once: it starts the real server over a temporary
// database with the demo data, signs in as each kind of user (Owner, user
// admin, plain user, partner admin, partner user, a partner user
// impersonating a customer; signed out for the public pages; half signed in
// for the two-factor pages), visits every GET route that renders
// HTML (taken from the server's own route table, so a new page is not
// forgotten; the list and the walk are internal/sitepages', which the
// accessibility sweep of the browser tests shares) in headless Chromium at 375 and 1366 px, light and dark, and
// writes one full-page PNG per route, user, width and theme:
//
//	<route>__<user>__<width>__<theme>.png   e.g. account_users_id__owner__375__dark.png
//
// A route with parameters (/account/users/:id) is visited at the first
// matching link found on the user's pages; a public page that emailed links
// open with a token (/activate) is shown both without a token and with the
// token of a demo email ("-link" in the name).
//
// Run it with make screenshots, or go run ./cmd/screenshots [-out dir].
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/tenantdesk/tenantdesk/internal/sitepages"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

// config holds the command-line flags.
type config struct {
	out      string // folder of the PNGs
	chromium string // the browser
	only     string // only routes containing this ("" = all)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("screenshots", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.out, "out", "screenshots", "folder the PNGs are written to (emptied of old PNGs first)")
	fs.StringVar(&cfg.chromium, "chromium", defaultChromium(), "Chromium to run (TENANTDESK_CHROMIUM)")
	fs.StringVar(&cfg.only, "only", "", "photograph only the routes containing this text, e.g. /profile")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(cfg.chromium); err != nil {
		return fmt.Errorf("chromium %s: %w (install it with apt-get install chromium, or pass -chromium)", cfg.chromium, err)
	}
	tmp, err := os.MkdirTemp("", "tenantdesk-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	p, err := startPortal(ctx, tmp)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.arrange(ctx); err != nil {
		return fmt.Errorf("arrange the demo states: %w", err)
	}
	if err := prepareOut(cfg.out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Portal with demo data at %s; photographing with %s\n", p.URL, cfg.chromium)
	todo := sitepages.Pages(p.Server.Routes())
	if cfg.only != "" {
		var some []page
		for _, pg := range todo {
			if containsFold(pg.Route, cfg.only) {
				some = append(some, pg)
			}
		}
		todo = some
	}
	res, err := shoot(ctx, cfg, p, todo, stdout)
	if err != nil {
		return err
	}
	for _, m := range res.missed {
		fmt.Fprintln(stderr, "not reached:", m)
	}
	fmt.Fprintf(stdout, "%d screenshots of %d pages in %s\n", res.files, len(todo), absPath(cfg.out))
	if len(res.unreached) > 0 && cfg.only != "" {
		// With -only, pages linked only from pages left out are not found.
		fmt.Fprintf(stderr, "not reached with -only %q: %v (run without -only to reach them)\n", cfg.only, res.unreached)
	} else if len(res.unreached) > 0 {
		return fmt.Errorf("no user reached %v: link to them from a page, or add them to notPages in cmd/screenshots/pages.go", res.unreached)
	}
	return nil
}

// defaultChromium is $TENANTDESK_CHROMIUM, else Debian's /usr/bin/chromium,
// else chromium on PATH.
func defaultChromium() string {
	if p := os.Getenv("TENANTDESK_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return "/usr/bin/chromium"
}

// prepareOut creates the folder and removes the PNGs of an earlier run, so
// that a page that is gone leaves no stale picture behind.
func prepareOut(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() && len(e.Name()) > 4 && e.Name()[len(e.Name())-4:] == ".png" {
			if err := os.Remove(dir + string(os.PathSeparator) + e.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
