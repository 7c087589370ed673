package realrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/internal/azurite"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
)

func resolved(t *testing.T, engine, backend, wl, params string, n int) spec.Spec {
	t.Helper()
	s := spec.Spec{Engine: spec.Engine{Name: engine}, Backend: spec.Backend{Kind: backend},
		Cluster: spec.Cluster{Nodes: 1, Cores: 2}, Workload: spec.Workload{Name: wl},
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

func requireRan(t *testing.T, m metrics.Set, n int64) {
	t.Helper()
	require.Equal(t, metrics.Wall, m.Clock)
	require.Equal(t, n, m.Completed)
	require.Zero(t, m.Failed)
	require.Positive(t, m.ThroughputPerSec)
	require.Positive(t, m.Storage.Total.Requests)
	notes := strings.Join(m.Notes, "; ")
	require.Contains(t, notes, "oracle passed")
	require.Contains(t, notes, "recorded, not enforced")
}

// The same workloads and oracles as the simulator, on real storage:
// Netherite on disk (orchestrations, entities with critical sections,
// entity-completed WordCount) and over NATS.
func TestNetheriteOnDiskAndNATS(t *testing.T) {
	for _, c := range []struct {
		backend, wl, params string
		n                   int64
	}{
		{spec.BackendDisk, "hello5", "", 20},
		{spec.BackendDisk, "bank", "", 10},
		{spec.BackendDisk, "wordcount", `{"mappers":2,"reducers":2,"bookWords":200}`, 1},
		{spec.BackendNATS, "hello5", "", 10},
	} {
		t.Run(c.backend+"/"+c.wl, func(t *testing.T) {
			s := resolved(t, spec.EngineNetherite, c.backend, c.wl, c.params, int(c.n))
			m, err := Run(context.Background(), s, 1, nil)
			require.NoError(t, err)
			requireRan(t, m, c.n)
		})
	}
}

// Both engines on Azurite through the Azure SDK; a run deletes its
// container, queues and tables at the end unless spec.backend.keep.
func TestBothEnginesOnAzurite(t *testing.T) {
	conn := azurite.Start(t)
	t.Setenv(DefaultConnectionEnv, conn)
	// The engines on Azure Storage (sql runs on PostgreSQL: sql_test.go).
	for _, e := range []string{spec.EngineNetherite, spec.EngineOriginal} {
		t.Run(e, func(t *testing.T) {
			s := resolved(t, e, spec.BackendAzure, "hello5", "", 5)
			m, err := Run(context.Background(), s, 1, nil)
			require.NoError(t, err)
			requireRan(t, m, 5)
			require.Contains(t, strings.Join(m.Notes, "; "), "Azurite is an emulator")
			c, q, tb := accountObjects(t, conn)
			require.Equal(t, [3]int{0, 0, 0}, [3]int{c, q, tb}, "containers, queues, tables left behind")
		})
	}
	s := resolved(t, spec.EngineOriginal, spec.BackendAzure, "hello5", "", 2)
	s.Backend.Keep = true
	_, err := Run(context.Background(), s, 1, nil)
	require.NoError(t, err)
	c, q, tb := accountObjects(t, conn)
	require.Equal(t, 1, c, "kept: the run's container")
	require.Positive(t, q, "kept: its control and work-item queues")
	require.Positive(t, tb, "kept: its History and Instances tables")
}

func TestBadRealSpecsAreNamed(t *testing.T) {
	s := resolved(t, spec.EngineOriginal, spec.BackendDisk, "hello5", "", 1)
	_, err := Run(context.Background(), s, 1, nil)
	const onDisk = `spec.backend.kind = "disk": storage disk: the original engine needs queues and tables; allowed mem, azure`
	require.ErrorContains(t, err, onDisk)
	require.ErrorContains(t, Check(s, Options{}), onDisk, "found before any storage is touched")

	s = resolved(t, spec.EngineNetherite, spec.BackendAzure, "hello5", "", 1)
	t.Setenv(DefaultConnectionEnv, "")
	_, err = Run(context.Background(), s, 1, nil)
	require.ErrorContains(t, err, "spec.backend.connectionEnv: environment variable DFLAB_AZURE_CONNECTION is empty")

	s = resolved(t, spec.EngineNetherite, spec.BackendDisk, "hello5", "", 1)
	s.Faults = "at 1s lease-loss p1"
	_, err = Run(context.Background(), s, 1, nil)
	require.ErrorContains(t, err, `spec.faults: line "at 1s lease-loss p1"`)
}

// Every knob of the spec reaches the engine on a real run; one the real
// runner cannot honour is an error naming the knob and the runner.
func TestRealRunsHonourEveryKnobOrSayWhichNot(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, spec.BackendDisk, "hello5", "", 1)
	s.Engine = s.Engine.With(systems.Values{"maxActivities": "7", "checkpoint.events": "-1", "checkpoint.logBytes": "65536"})
	sys, err := builtin.Systems().Lookup(s.Engine.Name)
	require.NoError(t, err)
	o, cleanup, err := options(s, sys, 1)
	require.NoError(t, err)
	defer cleanup()
	for k, v := range map[string]string{"maxActivities": "7", "checkpoint.events": "-1", "checkpoint.logBytes": "65536", "checkpoint.idle": "1m0s"} {
		require.Equal(t, v, o.Knobs[k], k)
	}
	s.Engine = s.Engine.With(systems.Values{"takeoverPoll": "5s"})
	_, err = Run(context.Background(), s, 1, nil)
	require.EqualError(t, err, "spec.engine.netherite: knob takeoverPoll of system netherite: the real runner cannot honour it (only the sim runner does)")

	s = resolved(t, spec.EngineOriginal, spec.BackendAzure, "hello5", "", 1)
	s.Engine = s.Engine.With(systems.Values{"extendedSessions": "true"})
	sys, err = builtin.Systems().Lookup(s.Engine.Name)
	require.NoError(t, err)
	t.Setenv(DefaultConnectionEnv, "UseDevelopmentStorage=true")
	o, cleanup, err = options(s, sys, 1)
	require.NoError(t, err)
	defer cleanup()
	require.Equal(t, "true", o.Knobs["extendedSessions"])
}

// A run with spec.backend.dir gets its own task hub in dir/seed-N; a
// second run of the same seed into the same dir is refused, not mixed.
func TestRunsNeverShareADirectory(t *testing.T) {
	dir := t.TempDir()
	s := resolved(t, spec.EngineNetherite, spec.BackendDisk, "hello5", "", 3)
	s.Backend.Dir = dir
	m, err := Run(context.Background(), s, 1, nil)
	require.NoError(t, err)
	requireRan(t, m, 3)
	_, err = os.Stat(filepath.Join(dir, "seed-1", "dflab-hub.json"))
	require.NoError(t, err)
	_, err = Run(context.Background(), s, 1, nil)
	require.ErrorContains(t, err, "spec.backend.dir: "+filepath.Join(dir, "seed-1")+" holds an earlier run of seed 1")
	m, err = Run(context.Background(), s, 2, nil)
	require.NoError(t, err, "another seed, another hub")
	requireRan(t, m, 3)
}
