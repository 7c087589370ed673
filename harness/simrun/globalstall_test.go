package simrun

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// Under global speculation a Netherite partition whose pending log records
// filled a flush while the first of them waited for a sender's
// confirmation stopped reading its input, where the confirmation comes, and
// the run never finished (found with WordCount 100×30, 5,000-word books,
// 8×2, seed 1, the 64 MiB log; a 1 MiB log shows it with a small
// WordCount: seeds 1 and 3 stalled here).
func TestNetheriteGlobalSpeculationFullLogFinishes(t *testing.T) {
	for _, seed := range []uint64{1, 3} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			s := spec.Spec{
				Engine: spec.Engine{Name: spec.EngineNetherite, Knobs: systems.Values{"partitions": "12", "speculation": "global",
					"commitLogBytes": "1MiB"}},
				Backend: spec.Backend{Kind: spec.BackendSim},
				Cluster: spec.Cluster{Nodes: 8, Cores: 2},
				Workload: spec.Workload{Name: "wordcount",
					Params: json.RawMessage(`{"mappers":20,"reducers":6,"bookWords":1000,"vocabulary":1000}`)},
				Load: spec.Load{Kind: spec.LoadClosed, Instances: 1},
			}
			rs, err := s.Resolve()
			require.NoError(t, err)
			out, err := RunWith(context.Background(), rs, seed, Options{})
			require.NoError(t, err)
			require.EqualValues(t, 1, out.Metrics.Completed)
		})
	}
}
