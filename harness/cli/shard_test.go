package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/figures"
	"github.com/dflab/dflab/harness/results"
)

// wallless drops what depends on the wall clock from rows, leaving what a
// shard must reproduce exactly.
func wallless(rows []results.Row) []results.Row {
	out := make([]results.Row, len(rows))
	for i, r := range rows {
		r.StartedAt, r.WallTimeSec = "", 0
		out[i] = r
	}
	return out
}

// Two shards of a figure, merged, are the unsharded figure's rows in its
// order, with its charts; a missing shard is refused by name.
func TestFiguresShardsMergeIntoTheFigure(t *testing.T) {
	withFakeEngines(t)
	dir := t.TempDir()
	whole, s1, s2, merged := filepath.Join(dir, "whole"), filepath.Join(dir, "s1"), filepath.Join(dir, "s2"), filepath.Join(dir, "merged")
	nbs := filepath.Join(dir, "nb")
	base := []string{"figures", "--only", "speculation", "--reps", "2", "--notebooks", nbs}
	code, _, errOut := call(t, append(base, "--out", whole)...)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := call(t, append(base, "--out", s1, "--shard", "1/2")...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "shard 1/2")
	code, _, errOut = call(t, append(base, "--out", s2, "--shard", "2/2")...)
	require.Equal(t, 0, code, errOut)

	code, _, errOut = call(t, "merge", "--out", merged, "--notebooks", nbs, s1)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "runs missing")

	code, out, errOut = call(t, "merge", "--out", merged, "--notebooks", nbs, s2, s1)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "2 shards: 24 runs")
	want, err := figures.ReadRows(whole, "speculation")
	require.NoError(t, err)
	got, err := figures.ReadRows(merged, "speculation")
	require.NoError(t, err)
	require.Len(t, got, 24)
	require.Equal(t, wallless(want), wallless(got))
	for _, f := range []string{"summary.csv", "runs.csv"} {
		_, err := os.Stat(filepath.Join(merged, "speculation", f))
		require.NoError(t, err, f)
	}

	code, _, errOut = call(t, "figures", "--shard", "3/2")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "want i/N")
}

// The shards of a sweep, merged with its matrix, are the sweep's rows.
func TestSweepShardsMergeIntoTheSweep(t *testing.T) {
	withFakeEngines(t)
	dir := t.TempDir()
	matrix := filepath.Join(dir, "m.json")
	require.NoError(t, os.WriteFile(matrix, []byte(`{"base":{"engine":{"name":"original"},"backend":{"kind":"sim"},
		"workload":{"name":"hello5"},"repetitions":2},
		"axes":[{"path":"engine","values":[{"name":"original"},{"name":"netherite"}]},{"path":"cluster.nodes","values":[1,4]}]}`), 0o644))
	read := func(path string) []results.Row {
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		rows, err := results.Read(f)
		require.NoError(t, err)
		return rows
	}
	whole := filepath.Join(dir, "whole.jsonl")
	code, _, errOut := call(t, "sweep", "--matrix", matrix, "--out", whole)
	require.Equal(t, 0, code, errOut)
	var shards []string
	for _, sh := range []string{"1/3", "2/3", "3/3"} {
		out := filepath.Join(dir, "shard"+sh[:1]+".jsonl")
		code, _, errOut := call(t, "sweep", "--matrix", matrix, "--out", out, "--shard", sh)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, errOut, "shard "+sh)
		shards = append(shards, out)
	}
	require.Len(t, read(shards[0]), 3, "8 runs dealt round-robin over 3 shards")
	merged := filepath.Join(dir, "merged.jsonl")
	code, out, errOut := call(t, append([]string{"merge", "--matrix", matrix, "--out", merged}, shards...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "3 shards: 8 runs")
	require.Equal(t, wallless(read(whole)), wallless(read(merged)))
	code, _, errOut = call(t, "merge", "--matrix", matrix, "--out", merged, shards[0], shards[0])
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "appears twice")
}
