// Command dflab is the dflab CLI (harness/cli): run, sweep, figures,
// faults, repro, plot, calibrate; `dflab --help` lists every command.
package main

import (
	"os"
	"runtime/debug"

	"github.com/dflab/dflab/harness/cli"
)

// gcPercent and memoryLimit are the garbage collector's settings unless
// GOGC or GOMEMLIMIT say otherwise. A simulation allocates fast and keeps
// a modest live heap, so Go's default (collect when the heap doubles) spent
// about a third of a Hello5 run's CPU in the collector; at 400 it spends a
// quarter of that for a few hundred MB more. The soft limit makes the
// collector work harder instead of letting a large run grow without bound.
const (
	gcPercent   = 400
	memoryLimit = 4 << 30
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(cli.Main(os.Args))
}
