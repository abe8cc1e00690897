package main

// A tiny closed-loop HTTP load generator: c workers, each sending one request
// at a time over its own keep-alive connection for a fixed duration, and
// recording every latency. It runs in this process, so it competes with the
// server for the machine's cores; the report says which generator produced
// which figure.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loadResult is what one load run measured.
type loadResult struct {
	Generator string        // "go" or "wrk"
	Requests  int           // requests completed with the expected status within the window
	Errors    int           // transport errors and unexpected statuses
	Elapsed   time.Duration // length of the measuring window
	P50, P99  time.Duration
	FirstErr  string // the first error seen, for the report
	CPU       cpuUse // the generator's and the machine's CPU over the window (cpu.go)
}

// RPS is completed requests per second.
func (r loadResult) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// newLoadClient returns a client with one shared keep-alive transport sized
// for conc connections. Redirects are not followed: a 303 to /signin is an
// error for an authenticated page, not a success.
func newLoadClient(conc int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // never go through a proxy to 127.0.0.1
		MaxIdleConns:        2 * max(64, conc),
		MaxIdleConnsPerHost: max(64, conc),
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // like wrk: no Accept-Encoding: gzip
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// runLoad sends GET to urls with header from conc workers for dur and
// returns throughput and latency percentiles. Each worker goes through urls
// in turn, starting at its own place in the list (one URL: always that
// one). Each worker first sends one unmeasured request, so connections are
// open before the clock starts.
func runLoad(ctx context.Context, urls []string, header http.Header, conc int, dur time.Duration) (loadResult, error) {
	if len(urls) == 0 {
		return loadResult{}, errors.New("runLoad: no URL")
	}
	client := newLoadClient(conc)
	defer client.CloseIdleConnections()

	// one request; returns its latency, or an error for a transport failure
	// or any status but 200.
	do := func(ctx context.Context, url string) (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		req.Header = header.Clone()
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body) // read it all, so the connection is reused
		resp.Body.Close()
		lat := time.Since(t0)
		if err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
		}
		return lat, nil
	}

	// Warm-up: open every connection.
	var wg sync.WaitGroup
	warmErr := make([]error, conc)
	for i := range conc {
		wg.Go(func() { _, warmErr[i] = do(ctx, urls[i%len(urls)]) })
	}
	wg.Wait()
	if err := errors.Join(warmErr...); err != nil {
		return loadResult{}, fmt.Errorf("warm-up: %w", err)
	}

	// Measure: every worker loops until the window closes. A request still
	// in flight when it closes is cancelled and not counted.
	type workerResult struct {
		lat    []time.Duration
		errors int
		first  error
	}
	results := make([]workerResult, conc)
	wctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	cpu0 := takeCPU()
	start := time.Now()
	for i := range conc {
		wg.Go(func() {
			w := &results[i]
			w.lat = make([]time.Duration, 0, 1<<14)
			for n := i; wctx.Err() == nil; n++ {
				lat, err := do(wctx, urls[n%len(urls)])
				switch {
				case err == nil:
					w.lat = append(w.lat, lat)
				case wctx.Err() != nil: // cut off by the end of the window
				default:
					w.errors++
					if w.first == nil {
						w.first = err
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuSince(cpu0, takeCPU(), elapsed, false)
	if err := ctx.Err(); err != nil {
		return loadResult{}, err // interrupted
	}

	res := loadResult{Generator: "go", Elapsed: elapsed, CPU: cpu}
	var all []time.Duration
	for _, w := range results {
		all = append(all, w.lat...)
		res.Errors += w.errors
		if w.first != nil && res.FirstErr == "" {
			res.FirstErr = w.first.Error()
		}
	}
	slices.Sort(all)
	res.Requests = len(all)
	res.P50, res.P99 = percentile(all, 50), percentile(all, 99)
	return res, nil
}

// percentile returns the nearest-rank p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// runWrk runs wrk (one thread, conc connections, dur) against url with the
// given headers ("Name: value", e.g. the Cookie) and, when script is not
// empty, that Lua script (which may choose the paths), and parses its
// --latency report.
func runWrk(ctx context.Context, wrk, url string, headers []string, script string, conc int, dur time.Duration) (loadResult, error) {
	secs := max(1, int(dur.Round(time.Second)/time.Second))
	args := []string{"-t1", "-c" + strconv.Itoa(conc), "-d" + strconv.Itoa(secs) + "s", "--latency"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	if script != "" {
		args = append(args, "-s", script)
	}
	args = append(args, url)
	cpu0, t0 := takeCPU(), time.Now()
	out, err := exec.CommandContext(ctx, wrk, args...).CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	res, err := parseWrk(string(out), time.Duration(secs)*time.Second)
	res.CPU = cpuSince(cpu0, takeCPU(), time.Since(t0), true) // wrk's start and end included: a little more than its window
	return res, err
}

// parseWrk reads the lines of wrk's output this report needs:
//
//	  Latency Distribution
//	     50%  352.00us
//	     99%    2.10ms
//	  123456 requests in 10.00s, 12.34MB read
//	  Socket errors: connect 0, read 0, write 0, timeout 3
//	  Non-2xx or 3xx responses: 12
//	Requests/sec:  12345.67
//
// Note that wrk counts a 3xx as a success; the caller checks separately that
// the session still answers 200.
func parseWrk(out string, dur time.Duration) (loadResult, error) {
	res := loadResult{Generator: "wrk", Elapsed: dur}
	var rps float64
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "50%":
			res.P50 = parseWrkDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			res.P99 = parseWrkDuration(f[1])
		case len(f) == 2 && f[0] == "Requests/sec:":
			rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			res.Requests, _ = strconv.Atoi(f[0])
			if d, err := time.ParseDuration(strings.TrimSuffix(f[3], ",")); err == nil && d > 0 {
				res.Elapsed = d
			}
		case strings.HasPrefix(sc.Text(), "  Non-2xx or 3xx responses:"):
			n, _ := strconv.Atoi(f[len(f)-1])
			res.Errors += n
			res.FirstErr = "non-2xx/3xx responses"
		case len(f) > 2 && f[0] == "Socket" && f[1] == "errors:":
			// connect 0, read 0, write 0, timeout 0
			for i := 2; i+1 < len(f); i += 2 {
				n, _ := strconv.Atoi(strings.TrimSuffix(f[i+1], ","))
				res.Errors += n
			}
			if res.FirstErr == "" {
				res.FirstErr = strings.TrimSpace(sc.Text())
			}
		}
	}
	if rps == 0 || res.P50 == 0 {
		return res, fmt.Errorf("wrk: cannot parse its output:\n%s", out)
	}
	// wrk's Requests/sec counts every response; keep our count consistent with it.
	res.Elapsed = time.Duration(float64(res.Requests) / rps * float64(time.Second))
	return res, nil
}

// parseWrkDuration parses wrk's "352.00us", "2.10ms", "1.02s" or "1.50m".
func parseWrkDuration(s string) time.Duration {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0
			}
			return time.Duration(f * float64(u.unit))
		}
	}
	return 0
}
