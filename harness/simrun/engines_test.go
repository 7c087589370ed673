package simrun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/workloads/workload"
)

// For the same seeded workload the two engines produce the same
// orchestration outputs, instance by instance (sub-orchestrations
// included), and the oracle accepts both.
func TestBothEnginesProduceTheSameOutputs(t *testing.T) {
	for _, c := range []struct{ wl, params string }{
		{"hello5", ""}, {"hello3", ""}, {"sequence", ""}, {"bank", ""},
		{"collision", `{"blocks":12}`}, {"imagerec", ""},
	} {
		t.Run(c.wl, func(t *testing.T) {
			outs := map[string]map[string]workload.Outcome{}
			for _, e := range spec.Engines {
				r, err := newRun(resolved(t, e, c.wl, c.params, 8, 2), 7, Options{})
				require.NoError(t, err)
				out, err := r.execute(context.Background())
				require.NoError(t, err)
				require.EqualValues(t, 8, out.Metrics.Completed)
				require.NotEmpty(t, r.tr.outcomes)
				outs[e] = r.tr.outcomes
			}
			require.Equal(t, outs[spec.EngineNetherite], outs[spec.EngineOriginal])
		})
	}
}
