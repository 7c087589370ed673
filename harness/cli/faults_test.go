package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// dflab faults prints the summary table; dflab repro re-runs one seed and
// gives the same trace hash every time, also with the plan saved to a file.
func TestFaultsAndRepro(t *testing.T) {
	code, out, errOut := call(t, "faults", "--seeds", "4", "--from", "10")
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{"fault campaign: seeds 10..13", "seeds run                    4", "wall time",
		"faults injected by kind:", "violations by checker:", "persist-before-send", "no violations"} {
		require.Contains(t, out, want)
	}

	code, out, errOut = call(t, "repro", "--seed", "12")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "seed 12: ")
	require.Contains(t, out, "every checker passed")
	hash := regexp.MustCompile(`trace hash [0-9a-f]{16}`).FindString(out)
	require.NotEmpty(t, hash, out)

	planText := regexp.MustCompile(`(?s)fault plan:\n(.*?)trace hash`).FindStringSubmatch(out)[1]
	file := filepath.Join(t.TempDir(), "seed12.plan")
	require.NoError(t, os.WriteFile(file, []byte(planText), 0o644))
	code, again, errOut := call(t, "repro", "--seed", "12", "--plan", file)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, again, hash)
}

// A planted bug fails a checker; the violation line carries the command
// that reproduces it, and that command fails the same way.
func TestFaultsPrintsReproForViolations(t *testing.T) {
	code, out, errOut := call(t, "faults", "--seeds", "3", "--engines", "netherite", "--planted", "send-before-persist")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "violations")
	repro := regexp.MustCompile(`repro: dflab repro --seed (\d+) --engines netherite --planted send-before-persist`).FindStringSubmatch(out)
	require.NotNil(t, repro, out)
	code, _, errOut = call(t, "repro", "--seed", repro[1], "--engines", "netherite", "--planted", "send-before-persist")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "reproduced: checker persist-before-send failed")

	code, _, errOut = call(t, "faults", "--seeds", "1", "--planted", "typo")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `planted bug "typo": allowed:`)
}

// A spec flag makes repro re-run a spec; one given with only a seed says
// so, instead of an error about a spec field the user never meant to set.
func TestReproWithASpecFlagButNoSpecSaysWhatItNeeds(t *testing.T) {
	code, _, errOut := call(t, "repro", "--seed", "5", "--nodes", "2")
	require.Equal(t, 1, code)
	require.Equal(t, "dflab repro: --nodes: spec flags make repro re-run a spec, which needs --spec FILE or both --engine and --workload "+
		"(the backend defaults to the simulator); "+
		"without spec flags, repro --seed 5 re-runs that campaign seed (its engines: --engines, its workloads: --workloads)\n", errOut)
	// An engine and a workload are enough: the backend is the simulator,
	// as for dflab run.
	code, out, errOut := call(t, "repro", "--seed", "5", "--engine", "original", "--workload", "hello3", "--load", "closed:3")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"backend":{"kind":"sim"`)
	require.Contains(t, out, `"completed":3`)
}
