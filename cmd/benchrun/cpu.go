package main

// How much of the machine a load run took: the load generator's own CPU
// (this process for the Go generator, the wrk child for wrk) and every
// core's busy time from /proc/stat, over the measuring window. On a 2-core
// machine a generator that takes most of a core leaves the server the rest,
// which the report says beside each search figure.

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuSnap is the CPU used so far by this process, by its waited-for
// children, and by the whole machine (busy and total jiffies).
type cpuSnap struct {
	self, children time.Duration
	busy, total    uint64
}

func takeCPU() cpuSnap {
	var s cpuSnap
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		s.children = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
		for i, v := range f[1:] {
			n, _ := strconv.ParseUint(v, 10, 64)
			if i < 8 {
				s.total += n
				if i != 3 && i != 4 { // idle, iowait
					s.busy += n
				}
			}
		}
	}
	return s
}

// cpuUse is what a load run took, in cores (CPU seconds per second).
type cpuUse struct {
	Generator, Machine float64
	Cores              int
}

// cpuSince returns the use between a and b over wall; child says whether
// the generator was a child process (wrk) rather than this one.
func cpuSince(a, b cpuSnap, wall time.Duration, child bool) cpuUse {
	u := cpuUse{Cores: runtime.NumCPU()}
	if wall <= 0 {
		return u
	}
	gen := b.self - a.self
	if child {
		gen = b.children - a.children
	}
	u.Generator = gen.Seconds() / wall.Seconds()
	if b.total > a.total {
		u.Machine = float64(b.busy-a.busy) / float64(b.total-a.total) * float64(u.Cores)
	}
	return u
}
