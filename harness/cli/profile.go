package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pkg/profile"
)

// profileKinds are --profile's values, each with its pkg/profile mode
// and the file that mode writes.
var profileKinds = []struct {
	name, file string
	mode       func(*profile.Profile)
}{
	{"cpu", "cpu.pprof", profile.CPUProfile},
	{"mem", "mem.pprof", profile.MemProfile},
	{"block", "block.pprof", profile.BlockProfile},
	{"mutex", "mutex.pprof", profile.MutexProfile},
	{"trace", "trace.out", profile.TraceProfile},
}

func profileKindNames(sep string) string {
	names := make([]string, len(profileKinds))
	for i, k := range profileKinds {
		names[i] = k.name
	}
	return strings.Join(names, sep)
}

// profileFlags are --profile and --profile-dir, shared by the long-running
// commands.
type profileFlags struct {
	kind, dir string
}

// register adds the flags; where says where the profile goes by default.
func (p *profileFlags) register(fs *flag.FlagSet, where string) {
	fs.StringVar(&p.kind, "profile", "", "profile this command with pkg/profile: "+profileKindNames(" | ")+
		"; written to "+where+" (go tool pprof -top FILE; trace: go tool trace FILE)")
	fs.StringVar(&p.dir, "profile-dir", "", "directory for --profile's file instead")
}

// start begins the profile (if asked) with its file in p.dir or else
// defaultDir, and returns the function that stops it, writes the file
// and says where it is.
func (p *profileFlags) start(e *env, defaultDir string) (stop func(), err error) {
	if p.kind == "" {
		if p.dir != "" {
			return nil, fmt.Errorf("--profile-dir %q without --profile: say which profile (%s)", p.dir, profileKindNames(", "))
		}
		return func() {}, nil
	}
	k := -1
	for i, pk := range profileKinds {
		if pk.name == p.kind {
			k = i
		}
	}
	if k < 0 {
		return nil, fmt.Errorf("--profile %q: allowed %s", p.kind, profileKindNames(", "))
	}
	dir := p.dir
	if dir == "" {
		dir = defaultDir
	}
	// pkg/profile exits the process when it cannot create its file: find
	// out first, and say so as an error.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--profile: directory: %w", err)
	}
	file := filepath.Join(dir, profileKinds[k].file)
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("--profile: %w", err)
	}
	f.Close()
	prof := profile.Start(profileKinds[k].mode, profile.ProfilePath(dir), profile.Quiet, profile.NoShutdownHook)
	return func() {
		prof.Stop()
		how := "go tool pprof -top " + file
		if p.kind == "trace" {
			how = "go tool trace " + file
		}
		fmt.Fprintf(e.stderr, "%s profile written to %s (%s)\n", p.kind, file, how)
	}, nil
}
