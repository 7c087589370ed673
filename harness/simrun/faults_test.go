package simrun

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// A node that crashes and stays down holds up its partitions' instances
// until the heal phase restarts it; then every instance completes with its
// oracle's output, the crash is counted, and the same seed gives the same
// trace hash.
func TestHealPhaseRestartsCrashedNodes(t *testing.T) {
	for _, e := range spec.Engines {
		t.Run(e, func(t *testing.T) {
			s := resolved(t, e, "bank", `{"pairs":2}`, 6, 2)
			s.Backend.Models = ModelsDefault // the model set the bug was found with
			s.Faults = "at 5ms crash node1"
			opts := Options{HealAt: 2 * port.Second, HealBudget: 10 * 60 * port.Second, Settle: 60 * port.Second}
			out, err := RunWith(context.Background(), s, 3, opts)
			require.NoError(t, err)
			require.EqualValues(t, 1, out.Faults.Total("crash"))
			if e != spec.EngineSQL {
				require.Greater(t, out.Metrics.Latency.MaxMs, 2000.0, "an instance waited for the heal phase")
			} // sql: competing consumers; node0 polls all the work, and an instance locked by node1 would wait for its lock to expire, not for the heal
			again, err := RunWith(context.Background(), s, 3, opts)
			require.NoError(t, err)
			require.Equal(t, out.TraceHash, again.TraceHash)
		})
	}
}

// A torn commit-log tail left at a crash is cut at recovery.
func TestTornTailAtCrashIsCut(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 10, 2)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Faults = "at 20ms crash node1\nat 60ms restart node1\ntorn-tail p1 at crash"
	var logs []string
	out, err := RunWith(context.Background(), s, 5, Options{Log: func(l string) { logs = append(logs, l) }})
	require.NoError(t, err)
	require.EqualValues(t, 1, out.Faults.Total("torn-tail"))
	require.Contains(t, strings.Join(logs, "\n"), "netherite p01: log hub/p01/log: cut torn tail at offset")
}

// Checker failures name their checker: a planted send-before-persist bug
// fails persist-before-send, a planted early lock release fails isolation.
func TestCheckErrorsNameTheChecker(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 5, 2)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	_, err := RunWith(context.Background(), s, 1, Options{Planted: "send-before-persist"})
	require.Equal(t, CheckOrdering, Checker(err), "%v", err)

	s = resolved(t, spec.EngineOriginal, "bank", `{"pairs":1}`, 6, 2)
	_, err = RunWith(context.Background(), s, 1, Options{Planted: "release-lock-early"})
	require.Equal(t, CheckIsolation, Checker(err), "%v", err)

	_, err = RunWith(context.Background(), s, 1, Options{Planted: "typo"})
	require.ErrorContains(t, err, `Config.Planted = "typo", allowed: "" (none), skip-dedup`)
	require.Empty(t, Checker(err))
}

// Found by the fault campaign (seed 262): a move of a partition that was
// not running yet to the node it was placed on added a second core of it
// there, under the same lease owner; both took the lease and ran. The
// glue now counts the placed core as the one waiting there.
func TestMoveBeforeRunningKeepsOneCore(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 6, 1)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Engine = s.Engine.With(systems.Values{"partitions": "1"})
	s.Faults = "at 1ms move p0 node0\nat 27ms crash node0\nat 61ms restart node0"
	var logs []string
	out, err := RunWith(context.Background(), s, 262, Options{ReplayCheck: true, Log: func(l string) { logs = append(logs, l) }})
	require.NoError(t, err)
	require.EqualValues(t, 1, out.Faults.Total("move"))
	require.Contains(t, strings.Join(logs, "\n"), "glue: move p00 to node0: no running owner to stop; the core there waits for the lease")
}

// The replay check compares every partition's state before a crash with
// the state it recovers; a planted bug that drops the last update of a
// flush from the log fails it.
func TestReplayCheckCatchesALostLogRecord(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "hello5", "", 10, 2)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	_, err := RunWith(context.Background(), s, 1, Options{ReplayCheck: true})
	require.NoError(t, err)
	s.Engine = s.Engine.With(systems.Values{"speculation": "none"})
	_, err = RunWith(context.Background(), s, 1, Options{ReplayCheck: true, Planted: "drop-log-tail"})
	require.Equal(t, CheckReplay, Checker(err), "%v", err)
}

// Found by the fault campaign (seed 1032): a move to a node that was down
// added a core there, next to the partition's own core, which came back
// with the node; both ran under one lease owner. A core on a down node now
// counts as waiting for the lease.
func TestMoveToDownNodeKeepsOneCore(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "sequence", "", 3, 1)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Engine = s.Engine.With(systems.Values{"partitions": "6", "speculation": "none"})
	s.Faults = "at 15ms crash node0\nat 41ms move p3 node0\nat 65ms restart node0"
	out, err := RunWith(context.Background(), s, 1032, Options{ReplayCheck: true})
	require.NoError(t, err)
	require.EqualValues(t, 1, out.Faults.Total("move"))
}

// Found by the fault campaign (seed 3376): with extended sessions, a worker
// that lost a control queue's lease and took it again kept its cached
// histories of the queue's instances, stale after the other worker's
// steps, so their messages looked early and were put back until
// discarded. Taking a queue now drops its instances' cached cursors.
func TestOriginalRetakenQueueDropsStaleSessions(t *testing.T) {
	s := resolved(t, spec.EngineOriginal, "hello3", "", 4, 2)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Engine = s.Engine.With(systems.Values{"controlQueues": "1", "extendedSessions": "true"})
	s.Faults = "at 9ms lease-loss p0\nat 19ms lease-loss p0\nat 30ms lease-loss p0\nat 35ms lease-loss p0"
	out, err := RunWith(context.Background(), s, 3376, Options{HealAt: 4 * port.Second, HealBudget: 10 * 60 * port.Second})
	require.NoError(t, err)
	require.EqualValues(t, 4, out.Faults.Total("lease-loss"))
}

// Found by the fault campaign (seeds 2882, 4037, 4457): under global
// speculation a partition asked to stop (a move) waits for its last
// updates' speculative inputs to be confirmed before its final flush, but
// a stopping partition read no input, where confirmations come: it never
// finished stopping, kept its lease and the partition never moved.
func TestNetheriteStopUnderGlobalSpeculationFinishes(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "bank", `{"pairs":3}`, 3, 2)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Engine = s.Engine.With(systems.Values{"partitions": "3", "speculation": "global", "checkpoint.events": "50"})
	s.Cluster.Cores = 1
	s.Faults = "at 67ms crash node1\nat 848ms move p2 node1\nat 906ms move p1 node1\nat 1002ms restart node1\n" +
		"delay stream 65ms p=0.05 249ms..348ms\nthrottle op=lease-* p=0.2 403ms..903ms"
	var logs []string
	_, err := RunWith(context.Background(), s, 2882, Options{HealAt: 4 * port.Second, HealBudget: 10 * 60 * port.Second,
		ReplayCheck: true, Log: func(l string) { logs = append(logs, l) }})
	require.NoError(t, err)
	// Here the stopping partition learns that p1 lost the input it had
	// taken speculatively: it rolls back and recovers instead of stopping.
	all := strings.Join(logs, "\n")
	require.Contains(t, all, "glue: move p02 to node1: stop sent to node0/p02")
	require.Contains(t, all, "netherite p02: restarting from storage: partition 1 started a new epoch while input from it was speculative")
}

// Found by the fault campaign (seed 4054): a partition whose stop could
// not release its lease (a storage error) kept renewing it, so the core
// it moved to never got it. A stopped partition no longer renews; the
// lease lapses and the new owner takes it.
func TestNetheriteStoppedPartitionLetsItsLeaseLapse(t *testing.T) {
	s := resolved(t, spec.EngineNetherite, "wordcount", `{"mappers":1,"reducers":2,"bookWords":83}`, 3, 2)
	s.Backend.Models = ModelsDefault // the model set the bug was found with
	s.Engine = s.Engine.With(systems.Values{"partitions": "3", "speculation": "global", "checkpoint.logBytes": "65536"})
	s.Faults = "storage error p=0.5 op=* 37ms..75ms\nat 42ms move p0 node1"
	var logs []string
	_, err := RunWith(context.Background(), s, 4054, Options{HealAt: 4 * port.Second, HealBudget: 10 * 60 * port.Second,
		ReplayCheck: true, Log: func(l string) { logs = append(logs, l) }})
	require.NoError(t, err)
	require.Regexp(t, `netherite p00: stopped by node0 at seq \d+ \(lease release: lease-release: injected`, strings.Join(logs, "\n"))
}
