package simrun

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
)

func resolved(t *testing.T, engine, wl, params string, n, nodes int) spec.Spec {
	t.Helper()
	s := spec.Spec{Engine: spec.Engine{Name: engine}, Backend: spec.Backend{Kind: spec.BackendSim},
		Cluster: spec.Cluster{Nodes: nodes, Cores: 2}, Workload: spec.Workload{Name: wl},
		Load: spec.Load{Kind: spec.LoadClosed, Instances: n}}
	if params != "" {
		s.Workload.Params = []byte(params)
	}
	if engine == spec.EngineNetherite {
		s.Engine = s.Engine.With(systems.Values{"partitions": "4"})
	}
	rs, err := s.Resolve()
	require.NoError(t, err)
	return rs
}

// WordCount instances end in their Summary entity's state, which the
// runner polls with a status request on the entity id; both engines answer
// it with the entity's state.
func TestWordCountCompletesByEntityStatus(t *testing.T) {
	for _, e := range spec.Engines {
		t.Run(e, func(t *testing.T) {
			s := resolved(t, e, "wordcount", `{"mappers":2,"reducers":2,"bookWords":200}`, 2, 2)
			m, err := Run(context.Background(), s, 1, nil)
			require.NoError(t, err)
			require.EqualValues(t, 2, m.Completed)
			require.Zero(t, m.Failed)
			require.Contains(t, strings.Join(m.Notes, "; "), "oracle passed")
		})
	}
}

func TestWorkloadsCompleteWithOracleOrNote(t *testing.T) {
	for _, c := range []struct{ wl, params, note string }{
		{"hello5", "", "oracle passed (10 orchestrations, 0 entity states"},
		{"collision", `{"blocks":5}`, "oracle passed"},
		{"bank", "", "oracle passed (10 orchestrations, 20 entity states read)"},
		{"hello3", "", "oracle passed (10 orchestrations"},
		{"sequence", "", "oracle passed (10 orchestrations"},
		{"imagerec", "", "oracle passed"},
	} {
		for _, e := range spec.Engines {
			t.Run(c.wl+"/"+e, func(t *testing.T) {
				s := resolved(t, e, c.wl, c.params, 10, 2)
				m, err := Run(context.Background(), s, 1, nil)
				require.NoError(t, err)
				require.EqualValues(t, 10, m.Completed)
				require.Zero(t, m.Failed)
				joined := strings.Join(m.Notes, "; ")
				require.Contains(t, joined, c.note)
				require.Contains(t, joined, "list prices")
			})
		}
	}
}

func TestFaultPlanIsApplied(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 20, 2)
	s.Faults = "latency x20 op=stream-* 0s..10s"
	slow, err := Run(context.Background(), s, 1, nil)
	require.NoError(t, err)
	s.Faults = ""
	fast, err := Run(context.Background(), s, 1, nil)
	require.NoError(t, err)
	require.Greater(t, slow.Latency.P50Ms, fast.Latency.P50Ms)
}

func TestOnlySimBackendAndKnownModels(t *testing.T) {
	s := resolved(t, spec.EngineOriginal, "hello5", "", 1, 1)
	s.Backend.Models = "calibrated"
	_, err := Run(context.Background(), s, 1, nil)
	require.ErrorContains(t, err, `spec.backend.models = "calibrated": allowed: default, paper2022, paper2022b, paper2022c, paper2022d`)
	s.Backend = spec.Backend{Kind: spec.BackendDisk}
	_, err = Run(context.Background(), s, 1, nil)
	require.ErrorContains(t, err, "runs only")
}

// Image recognition's activities wait on remote functions (the workload's
// RemoteMs, 150 + 100 + max(550, 250) + 150 ms on the critical path): the
// simulator delays their results by it without charging a core, so a
// workflow takes at least 950 ms of virtual time, as in the paper (~1.2 s).
func TestImageRecWaitsOnRemoteCalls(t *testing.T) {
	for _, e := range spec.Engines {
		t.Run(e, func(t *testing.T) {
			m, err := Run(context.Background(), resolved(t, e, "imagerec", "", 5, 2), 1, nil)
			require.NoError(t, err)
			require.EqualValues(t, 5, m.Completed)
			require.GreaterOrEqual(t, m.Latency.P50Ms, 950.0)
			require.Less(t, m.Latency.P50Ms, 5000.0)
			for _, c := range m.CPU {
				require.Less(t, c.BusyMs, 500.0, "the remote waits occupy no core")
			}
		})
	}
}

func TestNamedModelSetsLoadAndValidate(t *testing.T) {
	require.Equal(t, []string{ModelsDefault, ModelsPaper2022, ModelsPaper2022b, ModelsPaper2022c, ModelsPaper2022d}, ModelSets())
	b, err := ModelSet(ModelsPaper2022b)
	require.NoError(t, err)
	require.Contains(t, b.Host.WorkerKinds, "orchestration-step", "paper2022b has the host structure")
	require.Equal(t, 10, b.Host.ActivitySlotsPerCore)
	for _, name := range ModelSets() {
		m, err := ModelSet(name)
		require.NoError(t, err, name)
		require.NoError(t, m.Validate(), name)
	}
	m, err := ModelSet(ModelsPaper2022)
	require.NoError(t, err)
	require.Equal(t, ModelsPaper2022, m.Name)
	require.Contains(t, m.Note, "dflab calibrate", "the committed set says which command produced it")
	for _, e := range spec.Engines {
		require.Contains(t, m.EngineCPU, e, "measured step costs of %s", e)
		require.Positive(t, m.ForEngine(e).CPU.CostsMs["work:orchestration-step"].Mean(), e)
	}
	require.Positive(t, m.Op("page-write").BaseMs.Mean())
}

// A run with a given model set uses it, whatever the spec names.
func TestRunWithGivenModels(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 10, 1)
	fast, err := ModelSet(ModelsDefault)
	require.NoError(t, err)
	slow, err := ModelSet(ModelsDefault)
	require.NoError(t, err)
	slow.Name = "slow"
	slow.Ops["page-write"] = sim.OpModel{BaseMs: rng.Const(200)}
	a, err := RunWith(context.Background(), s, 1, Options{Models: fast})
	require.NoError(t, err)
	b, err := RunWith(context.Background(), s, 1, Options{Models: slow})
	require.NoError(t, err)
	require.Greater(t, b.Metrics.Latency.P50Ms, a.Metrics.Latency.P50Ms+200, "every commit waits 200 ms")
	require.Contains(t, b.Metrics.Models, "(slow)")
}

// A fault run reports, per timed fault, how long throughput took to come
// back to 90% of its level before the fault (virtual time).
func TestFaultRunsReportRecoveryTime(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 0, 2)
	s.Load = spec.Load{Kind: spec.LoadOpen, RatePerSec: 200, Duration: spec.Duration(8 * time.Second), Spacing: "fixed"}
	s.Faults = "at 3s crash node1\nat 4s restart node1"
	rs, err := s.Resolve()
	require.NoError(t, err)
	m, err := Run(context.Background(), rs, 1, nil)
	require.NoError(t, err)
	require.NotEmpty(t, m.Recovery)
	got := map[string]float64{}
	for _, r := range m.Recovery {
		got[r.Fault] = r.RecoveryMs
	}
	require.Contains(t, got, "at 3s crash node1")
	require.Positive(t, got["at 3s crash node1"], "the crash stops node1's partitions for a while")
}

// A run that hits spec.load.timeLimit fails naming the instances still
// running, their status in the engine and the harness's last event.
func TestTimeLimitNamesTheStuckInstances(t *testing.T) {
	for _, e := range spec.Engines {
		t.Run(e, func(t *testing.T) {
			s := resolved(t, e, "collision", `{"blocks":20}`, 7, 1) // 20 × 0.93 s of CPU each, 2 cores
			s.Load.TimeLimit = spec.Duration(5 * time.Second)
			_, err := Run(context.Background(), s, 1, nil)
			require.Error(t, err)
			require.Equal(t, CheckCompletion, Checker(err))
			msg := err.Error()
			require.Contains(t, msg, "7 of 7 instances not done by 5s virtual (spec.load.timeLimit 5s after the last start")
			require.Regexp(t, `stuck: instance 0 collision-0: status Running, last updated at [0-9.]+m?s virtual; started at 0s, 1 orchestration\(s\) not completed \| instance 1 collision-1: `, msg)
			require.Contains(t, msg, "| and 2 more")
		})
	}
}
