package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/dflab/dflab/harness/results"
)

func cmdVersion(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "", `
Prints the module and version the program was built from, the git
revision (with -dirty for uncommitted changes; the revision results rows
record) and the Go version and platform.`)
	if err := parse(fs, args); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	printVersion(e.stdout, e.program, info)
	return nil
}

// printVersion writes the three lines of dflab version from info (nil:
// no build information).
func printVersion(w io.Writer, program string, info *debug.BuildInfo) {
	module, version, rev, when := "unknown", "unknown", results.UnknownRevision, ""
	if info != nil {
		module, version = info.Main.Path, info.Main.Version
		rev = results.RevisionOf(info.Settings)
		for _, s := range info.Settings {
			if s.Key == "vcs.time" {
				when = " (committed " + s.Value + ")"
			}
		}
	}
	fmt.Fprintf(w, "%s %s, module %s %s\n", program, results.Version, module, version)
	fmt.Fprintf(w, "revision %s%s\n", rev, when)
	fmt.Fprintf(w, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
