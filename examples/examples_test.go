package examples

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// program builds cmd/dflab-examples once per test binary.
func program(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "dflab-examples")
	out, err := exec.Command("go", "build", "-o", bin, "./cmd/dflab-examples").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// run runs the program and returns its exit status and output.
func run(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	require.NoError(t, err, "%s", out)
	return 0, string(out)
}

// The examples' own workload and engine variant go through run, faults
// and repro of their own program, as the built-in ones do.
func TestOwnWorkloadAndEngineThroughRunFaultsAndRepro(t *testing.T) {
	bin := program(t)
	code, out := run(t, bin, "systems")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "system batchy")
	require.Contains(t, out, "readBatch")
	require.Contains(t, out, "workload squares")

	rows := filepath.Join(t.TempDir(), "r.jsonl")
	code, out = run(t, bin, "run", "--engine", "batchy", "--backend", "sim", "--workload", "squares",
		"--params", `{"width":5}`, "--load", "closed:20", "--knob", "readBatch=2", "--knob", "partitions=3", "--out", rows)
	require.Equal(t, 0, code, out)
	data, err := os.ReadFile(rows)
	require.NoError(t, err)
	require.Contains(t, string(data), `"readBatch":2`, "the row carries the resolved knobs")
	require.Contains(t, string(data), "oracle passed (20 orchestrations, 1 entity states read)")

	// A baseline on the same workload, by the same program.
	code, out = run(t, bin, "run", "--engine", "netherite", "--backend", "sim", "--workload", "squares",
		"--load", "closed:20", "--out", rows)
	require.Equal(t, 0, code, out)

	code, out = run(t, bin, "faults", "--seeds", "500", "--engines", "batchy", "--workloads", "squares", "--twice-every", "50")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "seeds run                    500")
	require.Contains(t, out, "no violations")

	code, out = run(t, bin, "repro", "--seed", "3", "--engines", "batchy", "--workloads", "squares")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "seed 3: batchy ")
	require.Contains(t, out, "every checker passed")
}

// A planted bug's violation prints the one command that reproduces it,
// naming this program and what it drew from; that command reproduces it.
func TestAViolationsReproCommandReproducesIt(t *testing.T) {
	bin := program(t)
	code, out := run(t, bin, "faults", "--seeds", "100", "--engines", "batchy", "--workloads", "squares",
		"--planted", "skip-dedup", "--stop-after", "1", "--twice-every", "-1")
	require.Equal(t, 1, code, out)
	m := regexp.MustCompile(`VIOLATION seed \d+ \[([a-z-]+)\][^\n]*\n  repro: (dflab-examples repro [^\n]+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	checker, repro := m[1], strings.Fields(m[2])
	require.Equal(t, []string{"--engines", "batchy", "--workloads", "squares", "--planted", "skip-dedup"}, repro[4:])
	code, out = run(t, bin, repro[1:]...)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "reproduced: checker "+checker+" failed")
}

// Found by this program's fault campaign: under global speculation, small
// read batches and a storage throttle stalled Netherite's partitions for
// good (seeds 2 to 5 of this command; each passed with readBatch 1000 or
// speculation local). A partition rolled back because a sender started a
// new epoch forgot that epoch and, cautious, waited at the sender's lost
// batch of the old one for a confirmation that never came.
func TestGlobalSpeculationWithSmallReadsAndAThrottleCompletes(t *testing.T) {
	bin := program(t)
	for _, seed := range []string{"2", "3", "4", "5"} {
		rows := filepath.Join(t.TempDir(), "r.jsonl")
		code, out := run(t, bin, "run", "--engine", "batchy", "--backend", "sim", "--workload", "squares",
			"--load", "closed:4", "--knob", "partitions=5", "--knob", "readBatch=7", "--knob", "speculation=global",
			"--faults", "throttle op=* p=0.5 29ms..77ms", "--seed", seed, "--out", rows)
		require.Equal(t, 0, code, "seed %s: %s", seed, out)
		data, err := os.ReadFile(rows)
		require.NoError(t, err)
		require.Contains(t, string(data), "oracle passed (4 orchestrations, 1 entity states read)", "seed %s", seed)
	}
}
