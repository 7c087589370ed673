package campaign

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/workloads"
)

// The sql engine is not drawn by default (its descriptor has no Draw yet,
// so that every seed keeps its draw), but a campaign may name it: its
// seeds draw every workload, crashes, storage errors, latency and
// throttling, and no checker fails.
func TestSQLCampaignHasNoViolations(t *testing.T) {
	sum, err := Run(context.Background(), Config{From: 1, Seeds: 60, Setup: Setup{Engines: []string{"sql"}}})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, sum.Print(&out))
	require.Empty(t, sum.Violations, out.String())
	require.EqualValues(t, 60, sum.Ran)
	for _, k := range []plan.Kind{plan.Crash, plan.Restart, plan.StorageError, plan.StorageErrorAfter, plan.Latency, plan.Throttle} {
		require.Positive(t, sum.Faults[k], "fault kind %s injected", k)
	}
	require.Equal(t, "dflab repro --seed 7 --engines sql", Setup{Engines: []string{"sql"}}.ReproCommand(7))
}

// The lifecycle workload (sub-orchestration retry under a fixed id,
// WhenAny with timers, suspend and resume by the client) under faults on
// every engine, the sql engine included: no checker fails, and its oracle
// (exact outputs, exactly-once attempt counters) passes.
func TestLifecycleCampaignHasNoViolations(t *testing.T) {
	wreg := &workloads.Registry{}
	f, err := workloads.Lookup("lifecycle")
	require.NoError(t, err)
	require.NoError(t, wreg.Register(f))
	su := Setup{Engines: []string{"netherite", "original", "sql"}, Workloads: wreg}
	sum, err := Run(context.Background(), Config{From: 1, Seeds: 90, Setup: su})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, sum.Print(&out))
	require.Empty(t, sum.Violations, out.String())
	require.Equal(t, map[string]int{"lifecycle": 90}, sum.Workloads)
	require.Contains(t, out.String(), "seeds by workload:\n  lifecycle                    90\n")
}
