package simrun

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// pinnedHashes are trace hashes of small runs of the shapes that dominate
// `make figures` (Fig. 9's Hello5 and Bank on each engine, the default
// paper2022d models with their per-target caps, seed 1). The driver is
// tuned for speed; a change that changes what it does shows up here. If a
// hash must change, the commit says why.
var pinnedHashes = []struct {
	engine, workload string
	knobs            systems.Values
	nodes, cores, n  int
	hash             string
}{
	{spec.EngineOriginal, "hello5", systems.Values{"controlQueues": "12"}, 3, 2, 150, "c3969206f250f189"},
	{spec.EngineOriginal, "bank", systems.Values{"controlQueues": "12"}, 3, 2, 60, "a56e5ebc35f0e054"},
	{spec.EngineNetherite, "hello5", systems.Values{"partitions": "12", "speculation": "local"}, 3, 2, 150, "1a1cae19bacf05df"},
	{spec.EngineNetherite, "bank", systems.Values{"partitions": "12", "speculation": "local"}, 3, 2, 60, "ceecd947013ac288"},
	{spec.EngineSQL, "hello5", nil, 1, 4, 150, "1300f962831ef5d5"},
	{spec.EngineSQL, "bank", nil, 1, 4, 60, "bb2b3f991aa33367"},
}

func TestTraceHashesPinned(t *testing.T) {
	for _, c := range pinnedHashes {
		name := fmt.Sprintf("%s/%s/%dx%d/n%d", c.engine, c.workload, c.nodes, c.cores, c.n)
		t.Run(name, func(t *testing.T) {
			s := spec.Spec{Engine: spec.Engine{Name: c.engine, Knobs: c.knobs}, Backend: spec.Backend{Kind: spec.BackendSim},
				Cluster: spec.Cluster{Nodes: c.nodes, Cores: c.cores}, Workload: spec.Workload{Name: c.workload},
				Load: spec.Load{Kind: spec.LoadClosed, Instances: c.n}}
			rs, err := s.Resolve()
			require.NoError(t, err)
			out, err := RunWith(context.Background(), rs, 1, Options{})
			require.NoError(t, err)
			require.EqualValues(t, c.n, out.Metrics.Completed)
			t.Logf("%s: %s, %d events", name, out.TraceHash, out.Events)
			require.Equal(t, c.hash, out.TraceHash)
		})
	}
}
