// Command benchrun measures Tenantdesk beside the reference program in
// ../shared/bench/reference, in the same run on the same machine, and prints
// a markdown table of figures and ratios (Tenantdesk ÷ reference). Absolute
// times on a shared machine are noise; the ratios are what to compare
// between runs.
//
// It measures:
//
//   - binary size: both programs built with -trimpath -ldflags='-s -w';
//   - cold start: process start to the first 200 on /healthz, on a fresh
//     database (so migrations run), median of -runs; the reference with
//     -n 0 (no seeding) to its first 200 on /hello is the baseline;
//   - sign-in: POST /signin round trips as the demo Owner, median and p90,
//     beside the in-process argon2id benchmark of internal/auth, which
//     dominates them;
//   - throughput: the authenticated home page GET / beside the reference's
//     /hello, both with the in-process Go load generator (load.go) and,
//     when wrk is on PATH, with wrk;
//   - the Users tab (issue 3, users.go; -users=false skips it): a database
//     of 100,000 users in 10 accounts of 10,000, the first page and page
//     200 (reached through the Next links) beside the reference's
//     /users?offset=100 and ?offset=9950, and search as you type by name or
//     email prefix, with both generators, against the targets;
//   - the REST API (issue 5, api.go; -api=false skips it): on the same
//     database, with an Owner's token and --api-rate 0, GET of one user by
//     ID and of the first page of 50 beside the reference's /user?id= and
//     /users?offset=0, and users created per second through POST with
//     their audit and outbox rows checked in SQLite;
//   - the user import (issue 12, imports.go; -imports=false skips it): 10,000
//     rows of CSV through POST /api/v1/customers/{tenantId}/user-imports on a
//     fresh demo database, as a dry run and for real (one transaction), with
//     the users, audit rows and activation emails checked in SQLite;
//   - the mixed load (issue 15, mixed.go; -mixed=false skips it, -mixed-d
//     sets its length): sign-ins with argon2id, Users-tab pages and
//     searches, profile pages, API reads and writes and a partner user's
//     requests while impersonating a customer after a grant, all at once
//     on a fresh demo database, with req/s and p50/p99 per kind, the errors
//     (which must be 0) and the portal's peak RSS (VmHWM), beside the
//     reference loaded with the same workers on its nearest endpoints.
//
// With -postgres URL (default $TENANTDESK_BENCH_POSTGRES) the Users-tab,
// API and mixed phases run again on PostgreSQL, each on a database created
// on that server and dropped on exit (stores.go), and a last table puts the
// two stores side by side. -pprof DIR builds the portal with -tags
// benchpprof and saves a CPU profile of it during the user creations
// (create-<store>.pprof) and the search fragments (search-<store>.pprof).
// Every load run also measures the CPU its generator and the whole machine
// used (cpu.go): the Users-tab rows report it, in cores.
//
// Run it from the repository (make bench, or go run ./cmd/benchrun -d 2s
// for a quick look). Child processes are stopped and temporary files are
// removed on exit, also on Ctrl+C.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// config holds the command-line flags.
type config struct {
	dur      time.Duration // length of each load run
	conc     int           // concurrent connections of each load run
	runs     int           // cold starts per program
	signins  int           // sequential sign-ins
	refDir   string        // source of the reference program
	goCmd    string        // the go command
	useWrk   bool          // also load with wrk when it is on PATH
	argon2id bool          // run the argon2id micro-benchmark
	keep     bool          // keep the temporary directory
	users    bool          // run the Users-tab phase (users.go)
	api      bool          // run the REST API phase (api.go)
	imports  bool          // run the user-import phase (imports.go)
	mixed    bool          // run the mixed-load phase (mixed.go)
	mixedDur time.Duration // length of the mixed load
	postgres string        // URL of a PostgreSQL server to run the store phases on too ("" for SQLite only)
	pprof    string        // directory for CPU profiles of the portal under the user-creation and search loads ("" for none)
}

func main() {
	var cfg config
	flag.DurationVar(&cfg.dur, "d", 10*time.Second, "duration of each load run")
	flag.IntVar(&cfg.conc, "c", 32, "concurrent connections of each load run")
	flag.IntVar(&cfg.runs, "runs", 5, "cold starts per program (the median is reported)")
	flag.IntVar(&cfg.signins, "signins", 30, "sequential sign-ins (median and p90 are reported)")
	flag.StringVar(&cfg.refDir, "ref", "", "directory of the reference program (default ../shared/bench/reference from the module root)")
	flag.StringVar(&cfg.goCmd, "go", "go", "the go command")
	flag.BoolVar(&cfg.useWrk, "wrk", true, "also load with wrk when it is on PATH")
	flag.BoolVar(&cfg.argon2id, "argon2id", true, "run go test -bench Argon2id ./internal/auth/")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary directory (binaries, databases, logs)")
	flag.BoolVar(&cfg.users, "users", true, "seed 100,000 users and load the Users tab and its search beside the reference's /users")
	flag.BoolVar(&cfg.api, "api", true, "load the REST API's user endpoints beside the reference's /user and /users, and create users through it")
	flag.BoolVar(&cfg.imports, "imports", true, "import 10,000 users through the API's user-imports (dry run, then for real)")
	flag.BoolVar(&cfg.mixed, "mixed", true, "run the mixed workload (sign-ins, Users tab, profile, API reads and writes, impersonation) beside the reference")
	flag.DurationVar(&cfg.mixedDur, "mixed-d", 0, "duration of the mixed load (default: -d)")
	flag.StringVar(&cfg.postgres, "postgres", os.Getenv("TENANTDESK_BENCH_POSTGRES"),
		"URL of a PostgreSQL server (a role that may create databases): the Users-tab, API and mixed phases run on it too, each on a database created and dropped here (default $TENANTDESK_BENCH_POSTGRES)")
	flag.StringVar(&cfg.pprof, "pprof", "", "write CPU profiles of the portal under the user-creation and search loads into this directory (builds the portal with -tags benchpprof)")
	flag.Parse()
	if cfg.mixedDur <= 0 {
		cfg.mixedDur = cfg.dur
	}
	if cfg.dur <= 0 || cfg.conc <= 0 || cfg.runs <= 0 || cfg.signins <= 0 {
		fmt.Fprintln(os.Stderr, "benchrun: -d, -c, -runs and -signins must be positive")
		os.Exit(2)
	}

	// Ctrl+C or SIGTERM cancels ctx; every phase gives up, and the deferred
	// cleanup in run stops the children and removes the temporary files.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, cfg)
	interrupted := ctx.Err() != nil
	stop()
	if interrupted {
		fmt.Fprintln(os.Stderr, "benchrun: interrupted; children stopped, temporary files removed")
		os.Exit(130)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

// run does the whole benchmark and prints the table.
func run(ctx context.Context, cfg config) (err error) {
	b := &bench{cfg: cfg}
	defer b.cleanup()
	if b.tmp, err = os.MkdirTemp("", "benchrun-"); err != nil {
		return err
	}
	if err := b.locate(ctx); err != nil {
		return err
	}

	// 1. Binaries.
	logf("building ./cmd/tenantdesk and the reference in %s", b.tmp)
	if b.tdBin, err = b.buildTenantdesk(ctx); err != nil {
		return err
	}
	if b.refBin, err = b.buildReference(ctx); err != nil {
		return err
	}
	tdSize, refSize := fileSize(b.tdBin), fileSize(b.refBin)

	// The micro-benchmark runs first, while nothing else is busy.
	var argonNs float64
	if cfg.argon2id {
		logf("go test -run '^$' -bench Argon2id -count 3 ./internal/auth/")
		if argonNs, err = b.argon2idBench(ctx); err != nil {
			return err
		}
		logf("  argon2id verify: %.0f ns/op (median of 3)", argonNs)
	}

	// 2. The reference, seeded with 100,000 users, idle until the load phase.
	refAddr, err := freeAddr()
	if err != nil {
		return err
	}
	logf("starting the reference (-n 100000) on %s", refAddr)
	refStart := time.Now()
	ref, err := b.start(ctx, "reference", b.refBin, nil, "-n", "100000", "-addr", refAddr, "-db", filepath.Join(b.tmp, "reference.db"))
	if err != nil {
		return err
	}
	refURL := "http://" + refAddr
	if err := b.waitOK(ctx, ref, refURL+"/hello", 3*time.Minute); err != nil {
		return err
	}
	refReady := time.Since(refStart)
	logf("  reference ready in %s", refReady.Round(time.Millisecond))

	// 3. Cold starts, alternating between the two programs.
	var tdCold, refCold []time.Duration
	for i := range cfg.runs {
		d, err := b.coldStart(ctx, fmt.Sprintf("cold-tenantdesk-%d", i), b.tdBin, "/healthz", func(addr, db string) []string {
			return []string{"serve", "--db", db, "--addr", addr}
		})
		if err != nil {
			return err
		}
		tdCold = append(tdCold, d)
		d, err = b.coldStart(ctx, fmt.Sprintf("cold-reference-%d", i), b.refBin, "/hello", func(addr, db string) []string {
			return []string{"-n", "0", "-addr", addr, "-db", db}
		})
		if err != nil {
			return err
		}
		refCold = append(refCold, d)
		logf("  cold start %d: tenantdesk %s, reference (-n 0) %s", i+1, tdCold[i].Round(10*time.Microsecond), d.Round(10*time.Microsecond))
	}
	slices.Sort(tdCold)
	slices.Sort(refCold)

	// The portal with demo data, for sign-ins and load.
	tdAddr, err := freeAddr()
	if err != nil {
		return err
	}
	logf("starting tenantdesk serve --demo on %s", tdAddr)
	td, err := b.start(ctx, "tenantdesk-demo", b.tdBin, nil, "serve", "--demo", "--db", filepath.Join(b.tmp, "demo.db"), "--addr", tdAddr)
	if err != nil {
		return err
	}
	tdURL := "http://" + tdAddr
	if err := b.waitOK(ctx, td, tdURL+"/healthz", time.Minute); err != nil {
		return err
	}
	password, err := demoPassword(td.logPath, ownerEmail)
	if err != nil {
		return err
	}

	// 4. Sign-ins.
	logf("signing in as %s %d times", ownerEmail, cfg.signins)
	signin, cookie, err := signIns(ctx, tdURL, ownerEmail, password, cfg.signins)
	if err != nil {
		return err
	}
	slices.Sort(signin)
	logf("  sign-in median %s, p90 %s", ms(percentile(signin, 50)), ms(percentile(signin, 90)))
	homeBytes, err := checkHome(ctx, tdURL, cookie)
	if err != nil {
		return err
	}

	// 5. Throughput: the Go generator, then wrk, each on both URLs back to back.
	header := http.Header{"Cookie": {cookie}}
	type pair struct{ td, ref loadResult }
	var loads []pair
	logf("loading GET / for %s with %d connections (Go generator)", cfg.dur, cfg.conc)
	tdLoad, err := runLoad(ctx, []string{tdURL + "/"}, header, cfg.conc, cfg.dur)
	if err != nil {
		return fmt.Errorf("load GET /: %w", err)
	}
	logf("loading reference /hello for %s with %d connections (Go generator)", cfg.dur, cfg.conc)
	refLoad, err := runLoad(ctx, []string{refURL + "/hello"}, nil, cfg.conc, cfg.dur)
	if err != nil {
		return fmt.Errorf("load /hello: %w", err)
	}
	loads = append(loads, pair{tdLoad, refLoad})
	wrk := ""
	if cfg.useWrk {
		wrk, _ = exec.LookPath("wrk")
	}
	if wrk != "" {
		logf("loading GET / and reference /hello with wrk -t1 -c%d -d%s", cfg.conc, cfg.dur)
		tdWrk, err := runWrk(ctx, wrk, tdURL+"/", []string{"Cookie: " + cookie}, "", cfg.conc, cfg.dur)
		if err != nil {
			return err
		}
		refWrk, err := runWrk(ctx, wrk, refURL+"/hello", nil, "", cfg.conc, cfg.dur)
		if err != nil {
			return err
		}
		loads = append(loads, pair{tdWrk, refWrk})
	} else {
		logf("wrk is not on PATH (apt-get install wrk): Go generator figures only")
	}
	// wrk counts a 303 to /signin as a success: make sure the session held.
	if _, err := checkHome(ctx, tdURL, cookie); err != nil {
		return fmt.Errorf("after the load: %w", err)
	}
	b.stop(td) // idle from here on; the Users phase starts its own portal

	// 6–7. The Users tab on 100,000 users (users.go) and the REST API on
	// the same database (api.go), on each store.
	var perStore []*storeResult
	for _, st := range cfg.stores() {
		sr := &storeResult{store: st}
		if cfg.users {
			if sr.users, err = b.usersPhase(ctx, st, refURL, wrk); err != nil {
				return fmt.Errorf("users phase (%s): %w", st.name, err)
			}
		}
		if cfg.api {
			var seed *seeded
			if sr.users != nil {
				seed = sr.users.seed
			}
			if sr.api, err = b.apiPhase(ctx, st, refURL, wrk, seed); err != nil {
				return fmt.Errorf("API phase (%s): %w", st.name, err)
			}
		}
		perStore = append(perStore, sr)
	}

	// The mixed workload (mixed.go), on each store.
	if cfg.mixed {
		for _, sr := range perStore {
			if sr.mixed, err = b.mixedPhase(ctx, sr.store, refURL, ref.cmd.Process.Pid); err != nil {
				return fmt.Errorf("mixed phase (%s): %w", sr.store.name, err)
			}
		}
	}

	// 8. A user import of 10,000 rows (imports.go).
	var imp *importResult
	if cfg.imports {
		if imp, err = b.importPhase(ctx); err != nil {
			return fmt.Errorf("import phase: %w", err)
		}
	}

	// 9. The table.
	var t table
	t.row("Binary size (-trimpath -s -w)", mb(tdSize), mb(refSize), ratio(float64(tdSize), float64(refSize)),
		"reference binary built the same way")
	t.row(fmt.Sprintf("Cold start to first 200, median of %d", cfg.runs),
		ms(percentile(tdCold, 50)), ms(percentile(refCold, 50)), ratio(percentile(tdCold, 50).Seconds(), percentile(refCold, 50).Seconds()),
		fmt.Sprintf("fresh DB, migrations run; TD /healthz (min %s, max %s) vs reference -n 0 /hello (min %s, max %s); poll every 2 ms",
			ms(tdCold[0]), ms(tdCold[len(tdCold)-1]), ms(refCold[0]), ms(refCold[len(refCold)-1])))
	argonRef, argonRatio50, argonRatio90 := "—", "—", "—"
	if argonNs > 0 {
		argon := time.Duration(argonNs)
		argonRef = ms(argon)
		argonRatio50 = ratio(percentile(signin, 50).Seconds(), argon.Seconds())
		argonRatio90 = ratio(percentile(signin, 90).Seconds(), argon.Seconds())
	}
	t.row(fmt.Sprintf("Sign-in POST /signin, median of %d", cfg.signins), ms(percentile(signin, 50)), argonRef, argonRatio50,
		"sequential, 303 + td_session; reference column: in-process argon2id verify (m=19MiB,t=2,p=1), median of go test -bench Argon2id -count 3")
	t.row("Sign-in POST /signin, p90", ms(percentile(signin, 90)), argonRef, argonRatio90, "")
	for _, p := range loads {
		gen := "Go generator (in-process)"
		if p.td.Generator == "wrk" {
			gen = "wrk -t1"
		}
		note := fmt.Sprintf("%s, -c %d, %s each; TD GET / (signed in, %d B page) vs reference /hello", gen, cfg.conc, cfg.dur, homeBytes)
		t.row("Throughput, req/s ("+p.td.Generator+")", fmt.Sprintf("%.0f", p.td.RPS()), fmt.Sprintf("%.0f", p.ref.RPS()), ratio(p.td.RPS(), p.ref.RPS()), note+errNote(p.td, p.ref))
		t.row("Latency p50 ("+p.td.Generator+")", ms(p.td.P50), ms(p.ref.P50), ratio(p.td.P50.Seconds(), p.ref.P50.Seconds()), "")
		t.row("Latency p99 ("+p.td.Generator+")", ms(p.td.P99), ms(p.ref.P99), ratio(p.td.P99.Seconds(), p.ref.P99.Seconds()), "")
	}
	for _, sr := range perStore {
		n := len(t.rows)
		if sr.users != nil {
			sr.userVerdicts = sr.users.rows(&t, cfg)
		}
		if sr.api != nil {
			sr.apiVerdicts = sr.api.rows(&t, cfg)
		}
		for i := n; i < len(t.rows); i++ {
			t.rows[i][0] += " — " + sr.store.name
		}
		if sr.mixed != nil {
			sr.mixed.rows(&t, cfg)
		}
	}
	var importVerdicts []string
	if imp != nil {
		importVerdicts = imp.rows(&t)
	}

	fmt.Printf("\n### Tenantdesk beside the reference (%s, %s/%s, %d CPUs, %s)\n\n",
		time.Now().Format("2006-01-02 15:04"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Print(t.String())
	fmt.Printf("\nRatio = Tenantdesk ÷ reference: above 1 is bigger/slower for sizes and times, below 1 is fewer req/s. "+
		"Reference start with seeding 100,000 users: %s. The load generators run on the same cores as the servers.\n", ms(refReady))
	for _, sr := range perStore {
		sr.print(cfg)
	}
	if len(perStore) > 1 || (len(perStore) == 1 && perStore[0].mixed != nil) {
		printSideBySide(perStore, cfg)
	}
	if imp != nil {
		fmt.Println("\nIssue 12 targets:")
		for _, v := range importVerdicts {
			fmt.Println("- " + v)
		}
	}
	return nil
}

// ownerEmail is the demo account Owner the load signs in as (internal/demo).
const ownerEmail = "tom.sawyer@fence.example"

// bench holds the temporary directory, the binaries and the running children.
type bench struct {
	cfg           config
	root          string // module root, where ./cmd/tenantdesk is
	refDir        string
	tmp           string
	tdBin, refBin string
	mu            sync.Mutex
	children      []*child
	pgDBs         []string // PostgreSQL databases to drop on exit (stores.go)
}

// child is a started server process; its stdout and stderr go to logPath.
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchrun: "+format+"\n", args...)
}

// locate finds the module root (with go env GOMOD) and the reference.
func (b *bench) locate(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, b.cfg.goCmd, "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return fmt.Errorf("run benchrun inside the tenantdesk module (go env GOMOD: %q, %v)", gomod, err)
	}
	b.root = filepath.Dir(gomod)
	b.refDir = b.cfg.refDir
	if b.refDir == "" {
		b.refDir = filepath.Join(b.root, "..", "shared", "bench", "reference")
	}
	if _, err := os.Stat(filepath.Join(b.refDir, "main.go")); err != nil {
		return fmt.Errorf("reference program not found (use -ref): %w", err)
	}
	return nil
}

// goBuild runs go build -trimpath -ldflags='-s -w' -o out [extra...] pkg in dir.
func (b *bench) goBuild(ctx context.Context, dir, out, pkg string, extra ...string) error {
	args := append([]string{"build", "-trimpath", "-ldflags=-s -w", "-o", out}, extra...)
	cmd := exec.CommandContext(ctx, b.cfg.goCmd, append(args, pkg)...)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", pkg, dir, err, msg)
	}
	return nil
}

func (b *bench) buildTenantdesk(ctx context.Context) (string, error) {
	out := filepath.Join(b.tmp, "tenantdesk")
	if b.cfg.pprof != "" {
		return out, b.goBuild(ctx, b.root, out, "./cmd/tenantdesk", "-tags", "benchpprof")
	}
	return out, b.goBuild(ctx, b.root, out, "./cmd/tenantdesk")
}

// buildReference builds the reference where it lies (it is read-only, which
// go build does not mind when go.sum is complete); failing that, from a copy
// in the temporary directory, where go may update go.sum.
func (b *bench) buildReference(ctx context.Context) (string, error) {
	out := filepath.Join(b.tmp, "reference")
	err := b.goBuild(ctx, b.refDir, out, ".")
	if err == nil {
		return out, nil
	}
	logf("building the reference in place failed, trying a copy: %v", err)
	src := filepath.Join(b.tmp, "reference-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	for _, name := range []string{"go.mod", "go.sum", "main.go"} {
		data, err := os.ReadFile(filepath.Join(b.refDir, name))
		if err != nil && name != "go.sum" {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return out, b.goBuild(ctx, src, out, ".", "-mod=mod")
}

// argon2idBench runs the argon2id micro-benchmark three times and returns
// the median ns/op (one run on a shared machine is easily 30% off).
func (b *bench) argon2idBench(ctx context.Context) (float64, error) {
	cmd := exec.CommandContext(ctx, b.cfg.goCmd, "test", "-run", "^$", "-bench", "Argon2id", "-count", "3", "./internal/auth/")
	cmd.Dir = b.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("argon2id benchmark: %w\n%s", err, out)
	}
	// BenchmarkArgon2idOWASP-2   	      20	  55012345 ns/op
	var ns []float64
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) >= 4 && strings.HasPrefix(f[0], "Benchmark") && f[3] == "ns/op" {
			if v, err := strconv.ParseFloat(f[2], 64); err == nil {
				ns = append(ns, v)
			}
		}
	}
	if len(ns) == 0 {
		return 0, fmt.Errorf("argon2id benchmark: no ns/op in its output:\n%s", out)
	}
	slices.Sort(ns)
	return ns[len(ns)/2], nil
}

// childEnv is this process's environment without TENANTDESK_* settings
// (a TENANTDESK_DEMO=1 in the shell would change what is measured), with
// warn-level logging so request logs do not weigh on the figures.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TENANTDESK_") {
			env = append(env, kv)
		}
	}
	return append(env, "TENANTDESK_LOG_LEVEL=warn")
}

// start starts bin with args; output goes to a log file in the temporary
// directory. The child is stopped by cleanup unless stopped earlier.
func (b *bench) start(ctx context.Context, name, bin string, onStart func(), args ...string) (*child, error) {
	return b.startEnv(ctx, name, bin, nil, onStart, args...)
}

// startEnv is start with extra environment variables for the child.
func (b *bench) startEnv(ctx context.Context, name, bin string, env []string, onStart func(), args ...string) (*child, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	logPath := filepath.Join(b.tmp, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close() // the child has its own copy of the descriptor
	cmd := exec.Command(bin, args...)
	cmd.Env = append(childEnv(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	c := &child{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	b.mu.Lock()
	defer b.mu.Unlock()
	if onStart != nil {
		onStart()
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { cmd.Wait(); close(c.done) }()
	b.children = append(b.children, c)
	return c, nil
}

// stop ends c: SIGTERM (the portal shuts down gracefully), SIGKILL after 5 s.
func (b *bench) stop(c *child) {
	select {
	case <-c.done:
		return
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.cmd.Process.Kill()
	}
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
}

// cleanup stops every child and removes the temporary directory.
func (b *bench) cleanup() {
	b.mu.Lock()
	children := b.children
	b.children = nil
	b.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range children {
		wg.Go(func() { b.stop(c) })
	}
	wg.Wait()
	b.dropDBs()
	if b.tmp == "" {
		return
	}
	if b.cfg.keep {
		logf("kept %s", b.tmp)
		return
	}
	os.RemoveAll(b.tmp)
}

// pollClient opens a new connection for every poll, as a first visitor would.
var pollClient = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	Timeout:   time.Second,
}

// waitOK polls url every 2 ms until it answers 200, c exits, or timeout.
func (b *bench) waitOK(ctx context.Context, c *child, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := pollClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited before %s answered 200:\n%s", c.name, url, tail(c.logPath))
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s did not answer 200 within %s:\n%s", c.name, url, timeout, tail(c.logPath))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// coldStart starts bin on a free port and a fresh database and returns the
// time from just before the process starts to the first 200 on path.
func (b *bench) coldStart(ctx context.Context, name, bin, path string, args func(addr, db string) []string) (time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	db := filepath.Join(b.tmp, name+".db")
	var t0 time.Time
	c, err := b.start(ctx, name, bin, func() { t0 = time.Now() }, args(addr, db)...)
	if err != nil {
		return 0, err
	}
	if err := b.waitOK(ctx, c, "http://"+addr+path, time.Minute); err != nil {
		return 0, err
	}
	d := time.Since(t0)
	b.stop(c)
	return d, nil
}

// freeAddr returns 127.0.0.1:<a port free right now>.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// demoPassword finds email's password in the demo sign-ins that serve
// --demo prints (cmd/tenantdesk/serve.go): a table whose rows hold, among
// columns with spaces in them, the email followed by a 16-character
// password. The table is printed before the server listens, so it is in
// the log by the time /healthz answers.
func demoPassword(logPath, email string) (string, error) {
	data, err := os.ReadFile(logPath)
	if err != nil {
		return "", err
	}
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		for i := 0; i+1 < len(f); i++ {
			if strings.EqualFold(f[i], email) && len(f[i+1]) == 16 {
				return f[i+1], nil
			}
		}
	}
	return "", fmt.Errorf("no demo sign-in for %s in the output of serve --demo:\n%s", email, tail(logPath))
}

// csrfInput matches the hidden CSRF field of the sign-in form.
var (
	csrfInput = regexp.MustCompile(`<input[^>]*name="_csrf"[^>]*>`)
	valueAttr = regexp.MustCompile(`value="([^"]*)"`)
)

// signIns signs in n times in a row, each as a new visitor: GET /signin for
// the td_csrf cookie and the _csrf field, then POST /signin, timed. It
// returns the POST latencies and the Cookie header of the last session
// (td_csrf and td_session, as a browser would send them).
func signIns(ctx context.Context, base, email, password string, n int) ([]time.Duration, string, error) {
	client := newLoadClient(1)
	defer client.CloseIdleConnections()
	var lats []time.Duration
	var cookie string
	for range n {
		jar := map[string]string{}
		keep := func(resp *http.Response) {
			for _, c := range resp.Cookies() {
				jar[c.Name] = c.Value
			}
		}
		header := func() string {
			var parts []string
			for _, name := range slices.Sorted(maps.Keys(jar)) {
				parts = append(parts, name+"="+jar[name])
			}
			return strings.Join(parts, "; ")
		}

		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/signin", nil)
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, "", err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, "", fmt.Errorf("GET /signin: status %d", resp.StatusCode)
		}
		keep(resp)
		input := csrfInput.Find(body)
		m := valueAttr.FindSubmatch(input)
		if m == nil || jar["td_csrf"] == "" {
			return nil, "", fmt.Errorf("GET /signin: no td_csrf cookie or _csrf field")
		}
		form := url.Values{"email": {email}, "password": {password}, "_csrf": {html.UnescapeString(string(m[1]))}}

		req, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/signin", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", header())
		t0 := time.Now()
		resp, err = client.Do(req)
		if err != nil {
			return nil, "", err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lats = append(lats, time.Since(t0))
		keep(resp)
		if resp.StatusCode != http.StatusSeeOther || jar["td_session"] == "" {
			return nil, "", fmt.Errorf("POST /signin: status %d (want 303 with a td_session cookie)", resp.StatusCode)
		}
		cookie = header()
	}
	return lats, cookie, nil
}

// checkHome makes sure GET / with cookie is the signed-in home page, not a
// redirect to /signin, and returns its size.
func checkHome(ctx context.Context, base, cookie string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	req.Header.Set("Cookie", cookie)
	resp, err := newLoadClient(1).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("Tom Sawyer")) {
		return 0, fmt.Errorf("GET / signed in: status %d (Location %q), want 200 with \"Tom Sawyer\"",
			resp.StatusCode, resp.Header.Get("Location"))
	}
	return len(body), nil
}

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Formatting.

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f ms", v)
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.2f ms", v)
	}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	r := a / b
	if r >= 10 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

// errNote mentions failed requests, which should be none.
func errNote(rs ...loadResult) string {
	var notes []string
	for i, r := range rs {
		if r.Errors > 0 {
			who := [...]string{"TD", "reference"}[min(i, 1)]
			notes = append(notes, fmt.Sprintf("%s: %d errors (%s)", who, r.Errors, r.FirstErr))
		}
	}
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, "; ")
}

// table collects rows and renders them as a markdown table.
type table struct{ rows [][5]string }

func (t *table) row(cells ...string) {
	var r [5]string
	copy(r[:], cells)
	t.rows = append(t.rows, r)
}

func (t *table) String() string {
	var sb strings.Builder
	sb.WriteString("| Figure | Tenantdesk | Reference | Ratio | How |\n|---|--:|--:|--:|---|\n")
	for _, r := range t.rows {
		sb.WriteString("| " + strings.Join(r[:], " | ") + " |\n")
	}
	return sb.String()
}
