package realrun

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/internal/azurite"
	"github.com/dflab/dflab/systems"
)

// faulted is a Bank run of Netherite on disk over nodes nodes with plan:
// an open load of 10 transfers a second for 3 s, so that the plan's
// lines (times from the run's start) land while it runs.
func faulted(t *testing.T, nodes int, plan string, limit time.Duration) spec.Spec {
	t.Helper()
	s := spec.Spec{Engine: spec.Engine{Name: spec.EngineNetherite}, Backend: spec.Backend{Kind: spec.BackendDisk},
		Cluster: spec.Cluster{Nodes: nodes, Cores: 2}, Workload: spec.Workload{Name: "bank"},
		Load:   spec.Load{Kind: spec.LoadOpen, RatePerSec: 10, Duration: spec.Duration(3 * time.Second), Spacing: "fixed", TimeLimit: spec.Duration(limit)},
		Faults: plan}
	s.Engine = s.Engine.With(systems.Values{"partitions": "4"})
	rs, err := s.Resolve()
	require.NoError(t, err)
	return rs
}

// passed: every transfer completed, the oracle (Bank: each transfer on
// both sides once, money conserved) passed, and the notes say what the
// plan did.
func passed(t *testing.T, m metrics.Set, notes ...string) string {
	t.Helper()
	require.Zero(t, m.Failed)
	require.Equal(t, int64(30), m.Completed)
	all := strings.Join(m.Notes, "; ")
	t.Logf("notes: %s; recovery: %+v", all, m.Recovery)
	require.Contains(t, all, "oracle passed")
	for _, n := range notes {
		require.Contains(t, all, n)
	}
	return all
}

// The fault plan's storage lines go through the injector in front of the
// real backend, on the wall clock from the run's start: a latency
// multiplier, errors before apply and ambiguous errors after apply on the
// commit log's page writes; the checkers pass after each, and the row's
// notes count what was injected (at least one of each: the commit log is
// written every few milliseconds while transfers run).
func TestRealStorageFaultsPassTheCheckers(t *testing.T) {
	for _, c := range []struct{ plan, counted string }{
		{"latency x10 op=page-write 0s..2s", "latency page-write "},
		{"storage error p=0.2 op=page-write 0s..2s", "error page-write "},
		{"storage error-after p=0.2 op=page-write 0s..2s", "error-after page-write "},
	} {
		t.Run(c.plan, func(t *testing.T) {
			m, err := Run(context.Background(), faulted(t, 1, c.plan, 60*time.Second), 1, nil)
			require.NoError(t, err)
			notes := passed(t, m, "faults injected in this process: ")
			require.Contains(t, notes, c.counted)
			require.NotContains(t, notes, "faults injected in this process: none")
		})
	}
}

// Crash and restart of a node in one process: node1's partition cores
// (p01, p03 of four on two nodes) stop abruptly at 1 s, with no graceful
// stop, and new ones recover from storage at 2 s; every transfer
// completes exactly once and money is conserved. The row records when
// each line fired and a recovery measure per timed line it could measure.
func TestRealCrashAndRestartOfANode(t *testing.T) {
	m, err := Run(context.Background(), faulted(t, 2, "at 1s crash node1\nat 2s restart node1", 60*time.Second), 1, nil)
	require.NoError(t, err)
	notes := passed(t, m, ": crash node1 (cores p01 p03)", ": restart node1 (cores p01 p03)",
		"crash node1 1", "restart node1 1")
	require.NotContains(t, notes, "already down")
}

// A move in one process: partition p1 stops gracefully (flush,
// checkpoint, lease released) at 1 s and a new core recovers it, which
// node0 then hosts, so node1's crash at 1.5 s no longer takes p1 with it.
// Every transfer completes exactly once, money conserved.
func TestRealMoveThenCrash(t *testing.T) {
	m, err := Run(context.Background(), faulted(t, 2, "at 1s move p1 node0\nat 1500ms crash node1\nat 2s restart node1", 60*time.Second), 1, nil)
	require.NoError(t, err)
	passed(t, m, ": move p1 node0 (core p01 stopped gracefully and recovered; node0 hosts p00 p02 p01)",
		": crash node1 (cores p03)", ": restart node1 (cores p03)", "move p1 1")
}

// The checkers fail a faulted run that breaks what they check: node1
// crashed for good in one process leaves its partitions unhosted (no
// other process takes them over), and the completion checker says so,
// naming the fault.
func TestRealCrashForeverFailsCompletion(t *testing.T) {
	_, err := Run(context.Background(), faulted(t, 2, "at 500ms crash-forever node1", 3*time.Second), 1, nil)
	require.ErrorContains(t, err, "completion: ")
	require.ErrorContains(t, err, ": crash node1 (cores p01 p03)")
	require.ErrorContains(t, err, "crash-forever node1 1")
}

// A plan line a real run cannot honour is an error naming the line and
// why, before any storage is touched.
func TestRealPlanLinesItCannotHonour(t *testing.T) {
	for plan, want := range map[string]string{
		"at 1s move p9 node0":    `spec.faults: line "at 1s move p9 node0": a real run in one process cannot carry it out: partition p9: the engine has no such partition`,
		"at 1s crash node2":      `spec.faults: line "at 1s crash node2": a real run in one process cannot carry it out: node "node2": allowed node0..node1`,
		"at 1s lease-loss p1":    `spec.faults: line "at 1s lease-loss p1": a real run in one process cannot carry it out: lease loss runs on the simulator only`,
		"lose-unsynced at crash": `spec.faults: line "lose-unsynced at crash": a real run in one process cannot carry it out: crash effects on storage`,
	} {
		require.ErrorContains(t, Check(faulted(t, 2, plan, time.Minute), Options{}), want, plan)
	}
}

// The original engine in one process on Azurite: worker 1 of two (node1)
// crashes at 1 s and restarts at 2 s, and queue-message deletes fail
// after they were applied (ambiguous) in between: the messages the
// crashed worker had dequeued reappear after their visibility timeout
// (2 s here) and every Hello5 instance completes with its oracle's output.
func TestRealOriginalCrashOnAzurite(t *testing.T) {
	t.Setenv(DefaultConnectionEnv, azurite.Start(t))
	s := spec.Spec{Engine: spec.Engine{Name: spec.EngineOriginal}, Backend: spec.Backend{Kind: spec.BackendAzure},
		Cluster: spec.Cluster{Nodes: 2, Cores: 2}, Workload: spec.Workload{Name: "hello5"},
		Load: spec.Load{Kind: spec.LoadOpen, RatePerSec: 5, Duration: spec.Duration(3 * time.Second), Spacing: "fixed",
			TimeLimit: spec.Duration(90 * time.Second)},
		Faults: "at 1s crash node1\nat 2s restart node1\nstorage error-after p=0.3 op=queue-delete 1s..2s"}
	s.Engine = s.Engine.With(systems.Values{"visibility": "2s", "maxPoll": "200ms"})
	rs, err := s.Resolve()
	require.NoError(t, err)
	m, err := Run(context.Background(), rs, 1, nil)
	require.NoError(t, err)
	require.Equal(t, int64(15), m.Completed)
	notes := strings.Join(m.Notes, "; ")
	t.Logf("notes: %s", notes)
	require.Contains(t, notes, "oracle passed")
	require.Contains(t, notes, ": crash node1 (cores worker1)")
	require.Contains(t, notes, ": restart node1 (cores worker1)")
}

// Timed lines planned after the last transfer finished (the load ends at
// 3 s) still fire, and the restart happens before the checkers read the
// accounts (they would find node1's partitions down otherwise).
func TestRealRestartAfterTheLoadHappensBeforeTheCheckers(t *testing.T) {
	m, err := Run(context.Background(), faulted(t, 2, "at 4500ms crash node1\nat 6s restart node1", 60*time.Second), 1, nil)
	require.NoError(t, err)
	passed(t, m, ": crash node1 (cores p01 p03)", ": restart node1 (cores p01 p03)")
}
