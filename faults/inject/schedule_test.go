package inject_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

// recorder is a Target with CrashEffects that logs every call.
type recorder struct{ log []string }

func (r *recorder) Crash(node string)   { r.log = append(r.log, "crash "+node) }
func (r *recorder) Restart(node string) { r.log = append(r.log, "restart "+node) }
func (r *recorder) Move(p int, node string) {
	r.log = append(r.log, fmt.Sprintf("move p%d %s", p, node))
}
func (r *recorder) LoseLease(p int) { r.log = append(r.log, fmt.Sprintf("lease-loss p%d", p)) }
func (r *recorder) TearTail(node string, p int) {
	r.log = append(r.log, fmt.Sprintf("torn-tail %s p%d", node, p))
}
func (r *recorder) LoseUnsynced(node string) { r.log = append(r.log, "lose-unsynced "+node) }

// timedOnly hides a recorder's CrashEffects.
type timedOnly struct{ r *recorder }

func (t timedOnly) Crash(n string)       { t.r.Crash(n) }
func (t timedOnly) Restart(n string)     { t.r.Restart(n) }
func (t timedOnly) Move(p int, n string) { t.r.Move(p, n) }
func (t timedOnly) LoseLease(p int)      { t.r.LoseLease(p) }

type event struct {
	at port.Time
	do func()
}

func newInjector(t *testing.T, text string, start port.Time) *inject.Injector {
	t.Helper()
	p, err := plan.Parse(text)
	require.NoError(t, err)
	in, err := inject.New(inject.Config{Plan: p, Clock: func() port.Time { return start }, Start: start, Rand: rng.New(1)})
	require.NoError(t, err)
	return in
}

const timedPlan = `at 12s lease-loss p4
at 8s restart node2
at 5s crash node2
storage error p=0.5 op=*
at 8s move p3 node1
torn-tail p7 at crash
lose-unsynced at crash
`

func TestScheduleInTimeOrderWithCrashEffects(t *testing.T) {
	in := newInjector(t, timedPlan, 100*port.Second)
	var evs []event
	rec := &recorder{}
	require.NoError(t, in.Schedule(func(at port.Time, do func()) { evs = append(evs, event{at, do}) }, rec))
	var times []port.Time
	for _, e := range evs {
		times = append(times, e.at)
	}
	require.Equal(t, []port.Time{105 * port.Second, 108 * port.Second, 108 * port.Second, 112 * port.Second}, times,
		"Start plus plan time, sorted, plan order among equal times")
	require.Empty(t, rec.log, "nothing happens until the scheduler fires")
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
	for _, e := range evs {
		e.do()
	}
	require.Equal(t, []string{"crash node2", "torn-tail node2 p7", "lose-unsynced node2",
		"restart node2", "move p3 node1", "lease-loss p4"}, rec.log)
	require.Equal(t, inject.Counts{
		{Fault: plan.Crash, What: "node2", N: 1},
		{Fault: plan.LeaseLoss, What: "p4", N: 1},
		{Fault: plan.LoseUnsynced, What: "node2", N: 1},
		{Fault: plan.Move, What: "p3", N: 1},
		{Fault: plan.Restart, What: "node2", N: 1},
		{Fault: plan.TornTail, What: "p7", N: 1},
	}, in.Counts())
}

func TestScheduleNeedsCrashEffectsForCrashTimeFaults(t *testing.T) {
	in := newInjector(t, timedPlan, 0)
	err := in.Schedule(func(port.Time, func()) { t.Fatal("scheduled despite the error") }, timedOnly{&recorder{}})
	require.EqualError(t, err, `inject.Schedule: the plan has "torn-tail p7 at crash" but the target (inject_test.timedOnly) does not implement CrashEffects`)
	in = newInjector(t, "at 1s crash n1\nat 2s restart n1", 0)
	rec := &recorder{}
	require.NoError(t, in.Schedule(func(_ port.Time, do func()) { do() }, timedOnly{rec}))
	require.Equal(t, []string{"crash n1", "restart n1"}, rec.log)
}

func TestSimTargetCrashesAndRestartsDriverNodes(t *testing.T) {
	k := sim.NewKernel(0)
	d := sim.NewDriver(k, sim.Config{Seed: 1})
	nodes := map[string]sim.NodeID{"node1": d.AddNode("node1", 2), "node2": d.AddNode("node2", 2)}
	var torn []string
	tgt := &inject.SimTarget{Driver: d, Nodes: nodes, Partitions: 8,
		OnTearTail: func(node string, p int) { torn = append(torn, fmt.Sprintf("%s/p%d@%d", node, p, k.Now())) }}
	in := newInjector(t, "at 5s crash node2\nat 8s restart node2\ntorn-tail p7 at crash", 0)
	require.NoError(t, in.Schedule(inject.SimScheduler(k), tgt))
	k.RunUntil(6 * port.Second)
	require.False(t, d.NodeUp(nodes["node2"]))
	require.True(t, d.NodeUp(nodes["node1"]))
	k.Run()
	require.True(t, d.NodeUp(nodes["node2"]))
	require.Equal(t, uint64(1), d.Stats().Crashes)
	require.Equal(t, uint64(1), d.Stats().Restarts)
	require.Equal(t, []string{"node2/p7@5000000000"}, torn)
}

func TestSimTargetChecksThePlan(t *testing.T) {
	k := sim.NewKernel(0)
	d := sim.NewDriver(k, sim.Config{Seed: 1})
	tgt := &inject.SimTarget{Driver: d, Nodes: map[string]sim.NodeID{"node1": d.AddNode("node1", 1)}, Partitions: 4}
	never := func(port.Time, func()) { t.Fatal("scheduled despite the error") }
	for text, want := range map[string]string{
		"at 5s crash node9":      `inject.Schedule: "at 5s crash node9": node "node9": allowed: node1`,
		"at 5s lease-loss p9":    `inject.Schedule: "at 5s lease-loss p9": partition p9: allowed: p0..p3`,
		"at 5s move p1 node1":    `inject.Schedule: "at 5s move p1 node1": move: this simulation cannot carry it out (no SimTarget.On* function)`,
		"lose-unsynced at crash": `inject.Schedule: "lose-unsynced at crash": lose-unsynced: this simulation cannot carry it out (no SimTarget.On* function)`,
	} {
		require.EqualError(t, newInjector(t, text, 0).Schedule(never, tgt), want, text)
	}
}

func TestSimSchedulerClampsPastTimes(t *testing.T) {
	k := sim.NewKernel(10 * port.Second)
	var at []port.Time
	inject.SimScheduler(k)(port.Second, func() { at = append(at, k.Now()) })
	k.Run()
	require.Equal(t, []port.Time{10 * port.Second}, at)
}
