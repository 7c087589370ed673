package campaign

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/workloads"
)

// A campaign on the sql engine alone: its seeds draw every workload,
// crashes, storage errors, latency and throttling, lock timeouts that
// running steps outlast, and no checker fails.
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

// The sql engine joined the default draw (System.Join = 1) without
// changing the other seeds: a seed it does not take draws exactly the case
// it drew when the campaign had the other drawable systems only, and it
// takes about one seed in their number + 1.
func TestSQLJoiningKeepsOtherSeedsDraws(t *testing.T) {
	var others []string
	for _, name := range (Setup{}).drawable() {
		if name != spec.EngineSQL {
			others = append(others, name)
		}
	}
	require.Len(t, others, 4)
	before := Setup{Engines: others}
	taken := 0
	for seed := uint64(1); seed <= 600; seed++ {
		now, err := Draw(seed, Setup{})
		require.NoError(t, err)
		if now.Spec.Engine.Name == spec.EngineSQL {
			taken++
			continue
		}
		old, err := Draw(seed, before)
		require.NoError(t, err)
		require.Equal(t, old.Spec, now.Spec, "seed %d", seed)
		require.Equal(t, old.Plan.String(), now.Plan.String(), "seed %d", seed)
	}
	require.InDelta(t, 120, taken, 30, "sql takes about a fifth of the seeds")
}
