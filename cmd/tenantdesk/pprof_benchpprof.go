//go:build benchpprof

package main

// Built only with -tags benchpprof (cmd/benchrun -pprof): the runtime
// profiles on a second listener, at the loopback address in
// TENANTDESK_BENCH_PPROF, so a profile of the portal under load can be
// taken. The binaries that ship have none of this.

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux
	"os"
)

func init() {
	if addr := os.Getenv("TENANTDESK_BENCH_PPROF"); addr != "" {
		go http.ListenAndServe(addr, nil)
	}
}
