package cli

import (
	"github.com/dflab/dflab/harness/spec"
	"os"
	"path/filepath"
	"testing"

	"github.com/dflab/dflab/harness/results"
	"github.com/stretchr/testify/require"
)

// runRows runs `dflab run` with args into a fresh file and returns its rows.
func runRows(t *testing.T, args ...string) []results.Row {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.jsonl")
	code, _, errOut := call(t, append(append([]string{"run"}, args...), "--out", out)...)
	require.Equal(t, 0, code, errOut)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := results.Read(f)
	require.NoError(t, err)
	return rows
}

// The whole path (CLI, spec, registry, sim runner, engine, simulator,
// meter, metrics, results) is deterministic: the same spec and seed give
// the same metrics, for both engines.
func TestSimRunTwiceGivesIdenticalMetrics(t *testing.T) {
	for _, engine := range []string{"netherite", "original"} {
		t.Run(engine, func(t *testing.T) {
			args := []string{"--engine", engine, "--backend", "sim", "--workload", "hello5",
				"--load", "closed:50", "--nodes", "2", "--cores", "2", "--seed", "3"}
			a, b := runRows(t, args...), runRows(t, args...)
			require.Len(t, a, 1)
			require.Len(t, b, 1)
			require.Empty(t, a[0].Error)
			m := a[0].Metrics
			require.Equal(t, m, b[0].Metrics)
			require.Equal(t, a[0].RunID, b[0].RunID)
			require.Equal(t, "virtual", string(m.Clock))
			require.EqualValues(t, 50, m.Completed)
			require.Zero(t, m.Failed)
			require.EqualValues(t, 50, m.WorkUnits)
			require.Positive(t, m.ThroughputPerSec)
			require.Positive(t, m.Latency.P50Ms)
			require.Positive(t, m.Storage.Total.Requests)
			require.Positive(t, m.Events)
			require.Len(t, m.CPU, 2)
			require.NotNil(t, m.Cost)
			require.Contains(t, m.Models, spec.DefaultModels, "the row names the model set that ran")
		})
	}
}

// A different seed gives a different run (the seed reaches the simulator).
func TestSimRunSeedMatters(t *testing.T) {
	args := []string{"--engine", "netherite", "--backend", "sim", "--workload", "hello5",
		"--load", "closed:20", "--nodes", "1", "--cores", "2"}
	a := runRows(t, append(args, "--seed", "1")...)
	b := runRows(t, append(args, "--seed", "2")...)
	require.NotEqual(t, a[0].Metrics.Latency, b[0].Metrics.Latency)
}

func TestBenchSpecsResolve(t *testing.T) {
	specs := benchSpecs(1, 1)
	require.Len(t, specs, len(benchWorkloads)*2*len(spec.Engines))
	for _, s := range specs {
		_, err := s.Resolve()
		require.NoError(t, err, s.Name)
	}
}

// The bench prints its table and writes results, CSVs and charts (with a
// fake registry so the test stays fast; the real one is `dflab bench`).
func TestBenchWritesTableAndCharts(t *testing.T) {
	withFakeEngines(t)
	dir := t.TempDir()
	code, out, errOut := call(t, "bench", "--out", dir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "throughput/s")
	require.Contains(t, out, "hello5")
	require.Contains(t, out, "4×4")
	for _, name := range []string{"bench.jsonl", "runs.csv", "summary.csv"} {
		_, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
	}
	pngs, err := filepath.Glob(filepath.Join(dir, "*.png"))
	require.NoError(t, err)
	require.NotEmpty(t, pngs)
	svgs, err := filepath.Glob(filepath.Join(dir, "*.svg"))
	require.NoError(t, err)
	require.Len(t, svgs, len(pngs))
}
