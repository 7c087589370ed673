package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

// runNetheritePlan runs sc on 4 netherite partitions with a fault plan
// carried out by the glue; it returns the result, the engine's log and the
// injector's counts.
func runNetheritePlan(t *testing.T, sc Scenario, text string, seed uint64) (*Result, string, inject.Counts, *Netherite) {
	p, err := plan.Parse(text)
	require.NoError(t, err)
	var logs []string
	e := &Netherite{Partitions: 4, Knobs: netherite.Knobs{LogBytes: 4 << 20, AcquireRetry: 10 * ms},
		Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
	var in *inject.Injector
	sc.Faults = func(d *sim.Driver, _ []sim.NodeID, store *mem.Store) {
		r := rng.New(seed).Fork("faults")
		in, err = inject.New(inject.Config{Plan: p, Clock: d.Kernel().Now, Rand: r})
		require.NoError(t, err)
		require.NoError(t, in.Schedule(inject.SimScheduler(d.Kernel()), e.SimTarget(d, store, r.Fork("glue"))))
	}
	res, err := Run(e, sc, Options{Seed: seed})
	require.NoError(t, err)
	all := strings.Join(logs, "\n")
	require.NoError(t, res.Check(sc), all)
	require.Empty(t, res.Violations)
	require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered once; the glue's Stop is not a client response")
	return res, all, in.Counts(), e
}

func TestGlueMovesAPartition(t *testing.T) {
	_, all, counts, _ := runNetheritePlan(t, Bank(6), "at 150ms move p1 node0\n", 21)
	require.EqualValues(t, 1, counts.Total(plan.Move))
	require.Contains(t, all, "glue: move p01 to node0: stop sent to node1/p01")
	require.Contains(t, all, "netherite p01: stopped by node1")
	require.Regexp(t, `netherite p01: recovered to seq \d+ \(checkpoint seq [1-9]`, all)
}

func TestGlueBreaksALease(t *testing.T) {
	_, all, _, _ := runNetheritePlan(t, Bank(6), "at 30ms lease-loss p1\n", 11)
	require.Contains(t, all, "glue: lease-loss p01: break lease on hub/p01/log: <nil>")
	require.Regexp(t, `netherite p01: restarting from storage: (flush to|lease on|start epoch [0-9]+ of log) hub/p01/log`, all)
}

func TestGlueTearsTheTailOfACrashedOwner(t *testing.T) {
	text := "at 20ms crash node1\nat 70ms restart node1\ntorn-tail p1 at crash\ntorn-tail p2 at crash\n"
	res, all, counts, e := runNetheritePlan(t, Hello5(30), text, 5)
	require.EqualValues(t, 2, counts.Total(plan.TornTail))
	require.Regexp(t, `glue: torn-tail p01 on node1: torn record at offset \d+`, all)
	require.Contains(t, all, "glue: torn-tail p02 on node1: not torn", "node1 does not own p2")
	require.Contains(t, all, "netherite p01: log hub/p01/log: cut torn tail at offset")
	require.Contains(t, all, "record checksum mismatch")
	p1 := res.Driver.Core(e.Cores[1]).(*netherite.Partition)
	require.True(t, p1.Stats().TornTail)
}

func TestGlueLosesUnsyncedOnlyOnDiskLikeStores(t *testing.T) {
	text := "at 20ms crash node1\nat 70ms restart node1\nlose-unsynced at crash\n"
	_, all, _, _ := runNetheritePlan(t, Hello5(10), text, 5)
	require.Contains(t, all, "glue: lose-unsynced on node1: 0 blobs had unsynced writes")
}

// On a disk-like store, lose-unsynced loses the unsynced writes of the
// logs of the partitions whose lease a core on the crashed node holds, and
// only those (every node has a core of every partition: the standbys).
func TestGlueLosesTheNodesUnsyncedLogWrites(t *testing.T) {
	k := sim.NewKernel(0)
	store, err := mem.New(k.Now, mem.Options{Partitions: 5, DiskLike: true})
	require.NoError(t, err)
	d := sim.NewDriver(k, sim.Config{Seed: 1, Stores: store.Stores()})
	nodes := []sim.NodeID{d.AddNode("node0", 1), d.AddNode("node1", 1)}
	e := &Netherite{Partitions: 4, Knobs: netherite.Knobs{LogBytes: 4 << 20}}
	reg := durable.NewRegistry()
	require.NoError(t, SetupHello(reg))
	_, err = e.Deploy(d, nodes, reg)
	require.NoError(t, err)
	target := e.SimTarget(d, store, rng.New(1))
	d.RunUntil(100 * ms) // every partition recovers on its node; Netherite never syncs its log
	var logs []string
	e.Logf = func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
	for p := range 4 {
		require.Positive(t, store.Unsynced(fmt.Sprintf("hub/p%02d/log", p)))
	}
	target.LoseUnsynced("node1")
	require.Equal(t, []string{"glue: lose-unsynced on node1: 2 blobs had unsynced writes"}, logs)
	require.Positive(t, store.Unsynced("hub/p00/log"), "p0 lives on node0")
	require.Zero(t, store.Unsynced("hub/p01/log"))
	require.Zero(t, store.Unsynced("hub/p03/log"))
}
