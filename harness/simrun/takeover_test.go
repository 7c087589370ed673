package simrun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
)

// takeoverRun runs 200 Hello5 on Netherite's default 12 partitions with a
// fault plan, as `dflab run --engine netherite --nodes N --faults PLAN`
// does, and returns the run's takeover recoveries.
func takeoverRun(t *testing.T, nodes int, faults string) (metrics.Set, []metrics.Recovery) {
	t.Helper()
	s := spec.Spec{Engine: spec.Engine{Name: spec.EngineNetherite}, Backend: spec.Backend{Kind: spec.BackendSim},
		Cluster: spec.Cluster{Nodes: nodes}, Workload: spec.Workload{Name: "hello5"},
		Load: spec.Load{Kind: spec.LoadClosed, Instances: 200}, Faults: faults}
	rs, err := s.Resolve()
	require.NoError(t, err)
	m, err := Run(context.Background(), rs, 1, nil)
	require.NoError(t, err)
	require.EqualValues(t, 200, m.Completed)
	require.Zero(t, m.Failed)
	var out []metrics.Recovery
	for _, r := range m.Recovery {
		if r.Measure == metrics.MeasureTakeover {
			out = append(out, r)
		}
	}
	return m, out
}

// A node that crashes and never comes back: once the leases of its
// partitions lapse (60 s after its last renewal), the standbys on the
// other node take them over, and every instance completes with its
// oracle's output. The run reports the takeover's recovery time: from the
// crash until the last orphaned partition ran again.
func TestNetheriteTakesOverTheNodeThatCrashedForGood(t *testing.T) {
	m, tk := takeoverRun(t, 2, "at 500ms crash node0")
	require.Len(t, tk, 1)
	require.Equal(t, "at 500ms crash node0", tk[0].Fault)
	require.Equal(t, "p0→node1 p2→node1 p4→node1 p6→node1 p8→node1 p10→node1", tk[0].Detail)
	require.Greater(t, tk[0].RecoveryMs, 59500.0, "not before the lease lapsed")
	require.Less(t, tk[0].RecoveryMs, 60000+2*10000.0, "within a TakeoverPoll of the lease lapsing")
	require.Greater(t, m.Latency.MaxMs, tk[0].RecoveryMs, "some instances waited for the takeover")
	t.Logf("takeover %.0f ms after the crash; max latency %.0f ms", tk[0].RecoveryMs, m.Latency.MaxMs)
}

// On three nodes, the orphaned partitions spread over both survivors (the
// rank-1 standbys alternate), and a crash-forever is as permanent.
func TestNetheriteSpreadsAnOrphanedNodesPartitions(t *testing.T) {
	_, tk := takeoverRun(t, 3, "at 500ms crash-forever node1")
	require.Len(t, tk, 1)
	require.Equal(t, "p1→node2 p4→node0 p7→node2 p10→node0", tk[0].Detail)
}

// A crash with a restart takes nothing over: the node's own cores get
// their leases back, so no takeover is reported.
func TestNetheriteCrashAndRestartTakesNothingOver(t *testing.T) {
	_, tk := takeoverRun(t, 2, "at 500ms crash node0\nat 600ms restart node0")
	require.Empty(t, tk)
}
