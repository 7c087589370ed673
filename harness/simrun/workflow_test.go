package simrun

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	wfsys "github.com/dflab/dflab/systems/workflow"
)

// workflowSpec is a resolved spec run by the workflow service (the spec's
// engine list does not name it yet: the runner finds it in the registry).
func workflowSpec(t *testing.T, wl, params string, n int) (spec.Spec, Options) {
	t.Helper()
	s := resolved(t, spec.EngineOriginal, wl, params, n, 1)
	s.Engine = spec.Engine{Name: wfsys.System.Name}
	reg := builtin.Systems()
	if _, err := reg.Lookup(wfsys.System.Name); err != nil {
		require.NoError(t, reg.Register(wfsys.System))
	}
	return s, Options{Systems: reg}
}

// The workloads' oracles pass on the workflow service in the simulator,
// and the same seed gives the same trace hash.
func TestWorkflowServiceRunsTheWorkloads(t *testing.T) {
	for _, c := range []struct{ wl, params string }{
		{"hello3", ""}, {"hello5", ""}, {"sequence", ""}, {"imagerec", `{"formats":["jpeg","png","gif"]}`},
	} {
		t.Run(c.wl, func(t *testing.T) {
			s, opts := workflowSpec(t, c.wl, c.params, 12)
			var hashes []string
			for range 2 {
				out, err := RunWith(context.Background(), s, 5, opts)
				require.NoError(t, err)
				require.EqualValues(t, 12, out.Metrics.Completed+out.Metrics.Failed)
				hashes = append(hashes, out.TraceHash)
				t.Logf("%s: p50 %.1f ms p99 %.1f ms", c.wl, out.Metrics.Latency.P50Ms, out.Metrics.Latency.P99Ms)
			}
			require.Equal(t, hashes[0], hashes[1])
		})
	}
}

// The run's cost includes the state transitions at $0.025 per 1,000:
// Hello3 makes 5 per execution (Cities, three SayHello, Greetings).
func TestWorkflowServiceBillsTransitions(t *testing.T) {
	s, opts := workflowSpec(t, "hello3", "", 10)
	out, err := RunWith(context.Background(), s, 2, opts)
	require.NoError(t, err)
	c := out.Metrics.Cost
	require.NotNil(t, c)
	require.EqualValues(t, 50, c.Bill.Requests[wfsys.ChargeClass])
	require.InDelta(t, 50*0.025/1000, c.Bill.ByClass[wfsys.ChargeClass], 1e-12)
	require.Greater(t, c.Dollars, c.Bill.ByClass[wfsys.ChargeClass], "storage is billed too")
	require.InDelta(t, c.Dollars/10*1000, c.DollarsPer1000Units, 1e-9)
	t.Logf("hello3: $%.4f per 1,000 (transitions $%.4f)", c.DollarsPer1000Units, c.Bill.ByClass[wfsys.ChargeClass]/10*1000)
}

// A crash of the service's node mid-run loses nothing: after the restart
// the service resumes every running execution from its last recorded
// transition (re-invoking outstanding tasks: at least once) and every
// execution completes with its oracle's output; the same seed gives the
// same trace hash.
func TestWorkflowServiceResumesAfterACrash(t *testing.T) {
	for _, wl := range []string{"sequence", "imagerec"} {
		t.Run(wl, func(t *testing.T) {
			s, opts := workflowSpec(t, wl, "", 8)
			s.Faults = "at 150ms crash node0\nat 400ms restart node0"
			var logs []string
			opts.Log = func(l string) { logs = append(logs, l) }
			out, err := RunWith(context.Background(), s, 3, opts)
			require.NoError(t, err, "%v", logs)
			require.EqualValues(t, 1, out.Faults.Total("crash"))
			require.EqualValues(t, 8, out.Metrics.Completed)
			require.Greater(t, out.Metrics.Latency.MaxMs, 400.0, "an execution waited for the restart")
			again, err := RunWith(context.Background(), s, 3, opts)
			require.NoError(t, err)
			require.Equal(t, out.TraceHash, again.TraceHash)
		})
	}
}

// A planted bug that drops task results leaves executions unfinished, and
// the run fails its completion checker.
func TestWorkflowServicePlantedBugIsCaught(t *testing.T) {
	s, opts := workflowSpec(t, "hello3", "", 4)
	opts.Planted = "lose-result"
	_, err := RunWith(context.Background(), s, 1, opts)
	require.Equal(t, CheckCompletion, Checker(err), "%v", err)
}

// With a small StateTransition bucket the executions wait for its refill:
// 10 Hello3 executions make 50 transitions; a bucket of 5 refilled at 10
// per second holds them to at least 4.5 s (45 tokens past the first 5),
// and every execution still completes with its oracle's output.
func TestWorkflowServiceQuotaThrottles(t *testing.T) {
	s, opts := workflowSpec(t, "hello3", "", 10)
	slow := *wfsys.System
	slow.Name = "workflow-slow"
	slow.Sim = func(c systems.SimConfig) (systems.Deployment, error) {
		c.Knobs = c.Knobs.With(systems.Values{wfsys.KnobTransitionBucket: "5", wfsys.KnobTransitionRefill: "10"})
		return wfsys.System.Sim(c)
	}
	require.NoError(t, opts.Systems.Register(&slow))
	s.Engine.Name = slow.Name
	out, err := RunWith(context.Background(), s, 2, opts)
	require.NoError(t, err)
	require.EqualValues(t, 10, out.Metrics.Completed)
	require.GreaterOrEqual(t, out.Metrics.LastCompletionMs, 4500.0)
	require.Less(t, out.Metrics.LastCompletionMs, 6000.0, "no execution starves")
}
