package figures

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness"
)

// tiny is a figures config small enough for a test.
var tiny = Config{Models: Models, Repetitions: 2, Scale: 0.05}

func nonEmpty(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Positive(t, st.Size(), path)
}

// Fig. 11 end to end at a tiny scale on the simulator: results, charts
// (PNG and SVG), CSVs and a notebook with the paper table; the same
// figure on one worker gives the same metrics as on two.
func TestFig11EndToEndAtTinyScale(t *testing.T) {
	f, err := ByID(tiny, "fig11")
	require.NoError(t, err)
	dir, nbs := t.TempDir(), t.TempDir()
	info, err := Run(context.Background(), harness.Default, []Figure{f}, Options{Config: tiny, Results: dir, Notebooks: nbs, Workers: 2})
	require.NoError(t, err)
	require.Equal(t, (16+2+4)*2, info.Runs)
	require.Zero(t, info.Failed)
	require.Positive(t, info.Events)
	require.Positive(t, info.EventsPerSec)
	require.Positive(t, info.EventsPerCPUSec)

	files, err := Plot([]Figure{f}, dir, nbs)
	require.NoError(t, err)
	require.Contains(t, files, filepath.Join(nbs, "fig11.md"))
	for _, w := range LatencyWorkloads {
		for _, ext := range []string{"png", "svg"} {
			nonEmpty(t, filepath.Join(dir, "fig11", "fig11-"+w.Name+"."+ext))
		}
	}
	nonEmpty(t, filepath.Join(dir, "fig11", "summary.csv"))
	nb, err := os.ReadFile(filepath.Join(nbs, "fig11.md"))
	require.NoError(t, err)
	text := string(nb)
	require.Contains(t, text, "![fig11-hello3](")
	require.Contains(t, text, "| system | percentile | dflab | paper | dflab / paper |")
	require.Contains(t, text, "| Netherite (local speculation) | p50 |")
	require.Contains(t, text, "| 12.7 |", "the paper's Hello3 p50 for Netherite")
	require.Contains(t, text, "| workflow service (Step Functions) | p50 |")
	require.Contains(t, text, "| 379 |", "the paper's Hello3 p50 for Step Functions")
	require.Contains(t, text, "## Cost per 1,000 workflows")
	for _, sys := range []string{"queue chain (2020 host)", "queue chain (current host)", "blob chain", "Lambda chain (simulated)"} {
		require.Contains(t, text, "| sequence | "+sys+" |", "the cost of every system")
	}
	require.Contains(t, text, "model set | `"+Models+"`")
	require.Contains(t, text, "figures --only fig11 --models "+Models+" --reps 2")
	require.Contains(t, text, "seed 1+i: 1..2")
	require.Contains(t, text, "## Where dflab and the paper differ, and why")
	index, err := os.ReadFile(filepath.Join(nbs, "README.md"))
	require.NoError(t, err)
	require.Contains(t, string(index), "simulation speed")

	first, err := ReadRows(dir, "fig11")
	require.NoError(t, err)
	again := t.TempDir()
	_, err = Run(context.Background(), harness.Default, []Figure{f}, Options{Config: tiny, Results: again, Notebooks: t.TempDir(), Workers: 1})
	require.NoError(t, err)
	second, err := ReadRows(again, "fig11")
	require.NoError(t, err)
	require.Len(t, second, len(first))
	for i := range first {
		require.Equal(t, first[i].RunID, second[i].RunID, "rows in spec order")
		require.Equal(t, first[i].Metrics, second[i].Metrics, "same seed, same metrics, whatever the workers")
	}
}

// Plot without results says which command makes them; Fig. 10 charts
// only the shape it names.
func TestPlotNeedsResults(t *testing.T) {
	f, err := ByID(tiny, "fig10")
	require.NoError(t, err)
	_, err = Plot([]Figure{f}, t.TempDir(), t.TempDir())
	require.ErrorContains(t, err, "run `dflab figures --only fig9` first")
}
