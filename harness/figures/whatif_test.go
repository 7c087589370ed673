package figures

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/spec"
)

// The what-if's spec: both engines × Hello5 and Bank × 4..128 nodes of 4
// cores, Netherite with 8 partitions per node (up to 1,024), the original
// engine at its 16 control queues, loads sized by whatIfInstances.
func TestWhatIfSpecScalesBothEnginesTo128Nodes(t *testing.T) {
	specs := expand(t, "whatif")
	require.Len(t, specs, len(WhatIfWorkloads)*2*len(WhatIfNodes))
	count := map[string]int{}
	for _, s := range specs {
		n := s.Cluster.Nodes
		count[s.Workload.Name]++
		count[s.Engine.Name]++
		require.Contains(t, WhatIfNodes, n)
		require.Equal(t, WhatIfCores, s.Cluster.Cores)
		require.Equal(t, spec.BackendSim, s.Backend.Kind)
		require.Equal(t, WhatIfRepetitions, s.Repetitions)
		require.Equal(t, spec.LoadClosed, s.Load.Kind)
		require.Equal(t, whatIfInstances(s.Workload.Name, s.Engine.Name, n), s.Load.Instances)
		switch s.Engine.Name {
		case spec.EngineNetherite:
			require.Equal(t, WhatIfPartitionsPerNode*n, s.Engine.Int("partitions"))
			require.Equal(t, WhatIfThroughputUnits, s.Engine.Int("eventHubs.throughputUnits"), "not the paper's 5 for Hello")
			require.Equal(t, WhatIfStandbys, s.Engine.Int("standbys"))
			require.Equal(t, spec.SpeculationLocal, s.Engine.Knob("speculation"))
		default:
			require.Equal(t, spec.EngineOriginal, s.Engine.Name)
			require.Equal(t, WhatIfControlQueues, s.Engine.Int("controlQueues"))
		}
	}
	require.Equal(t, 2*len(WhatIfNodes), count["hello5"])
	require.Equal(t, 2*len(WhatIfNodes), count["bank"])
	require.Equal(t, 2*len(WhatIfNodes), count["netherite"])
	require.Equal(t, 1024, WhatIfPartitionsPerNode*WhatIfNodes[len(WhatIfNodes)-1])
}

// The what-if at a tiny scale on 4 and 8 nodes: results, the chart per
// workload, whatif.csv with a binding resource on every point, the
// notebook; the same seeds give the same metrics.
func TestWhatIfTinyRunNamesTheBindingResourcePerPoint(t *testing.T) {
	cfg := Config{Models: Models, Repetitions: 1, Scale: 0.05}
	f, err := ByID(cfg, "whatif")
	require.NoError(t, err)
	for i := range f.Matrices {
		for j, a := range f.Matrices[i].Axes {
			if a.Path == "cluster.nodes" {
				f.Matrices[i].Axes[j].Values = raw("4", "8")
			}
		}
	}
	dir, nbs := t.TempDir(), t.TempDir()
	info, err := Run(context.Background(), harness.Default, []Figure{f}, Options{Config: cfg, Results: dir, Notebooks: nbs, Workers: 2})
	require.NoError(t, err)
	require.Equal(t, 2*2*2, info.Runs)
	require.Zero(t, info.Failed)
	_, err = Plot([]Figure{f}, dir, nbs)
	require.NoError(t, err)
	for _, w := range WhatIfWorkloads {
		nonEmpty(t, filepath.Join(dir, "whatif", "whatif-"+w+".png"))
	}
	nonEmpty(t, filepath.Join(dir, "whatif", "summary.csv"))
	fh, err := os.Open(filepath.Join(dir, "whatif", "whatif.csv"))
	require.NoError(t, err)
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	require.NoError(t, err)
	require.Equal(t, WhatIfColumns, recs[0])
	require.Len(t, recs, 1+8)
	for _, r := range recs[1:] {
		require.NotEmpty(t, r[11], "every point names its binding resource: %v", r)
		require.NotEqual(t, "—", r[12], "%v", r)
	}
	nb, err := os.ReadFile(filepath.Join(nbs, "whatif.md"))
	require.NoError(t, err)
	require.Contains(t, string(nb), "## Where each curve bends, and why")
	require.Contains(t, string(nb), "**netherite on hello5**")
	require.Contains(t, string(nb), "**original on bank**")

	first, err := ReadRows(dir, "whatif")
	require.NoError(t, err)
	again := t.TempDir()
	_, err = Run(context.Background(), harness.Default, []Figure{f}, Options{Config: cfg, Results: again, Notebooks: t.TempDir(), Workers: 1})
	require.NoError(t, err)
	second, err := ReadRows(again, "whatif")
	require.NoError(t, err)
	require.Len(t, second, len(first))
	for i := range first {
		a, _ := json.Marshal(first[i].Metrics)
		b, _ := json.Marshal(second[i].Metrics)
		require.Equal(t, string(a), string(b), "same seed, same metrics")
	}
}
