package sim

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
)

// workCore answers each client call with a response after reporting
// items units of "episode" work and one unit of "sequence" work.
type workCore struct {
	items int
	acts  int
	rd    port.Ready
}

func (c *workCore) Step(now port.Time, in port.Input) {
	switch v := in.(type) {
	case port.ClientCall:
		c.rd.Work = append(c.rd.Work, port.Work{Kind: "episode", N: c.items}, port.Work{Kind: "sequence", N: 1})
		c.rd.Responses = append(c.rd.Responses, port.Response{ID: v.ID, Resp: now})
		for i := 0; i < c.acts; i++ {
			c.rd.Activities = append(c.rd.Activities, port.ActivityTask{ID: port.ActivityID(i + 1), Name: "Wait"})
		}
	case port.ActivityDone:
		c.rd.Responses = append(c.rd.Responses, port.Response{ID: port.CallID(100 + v.ID)})
	}
}
func (c *workCore) Ready() port.Ready  { return c.rd }
func (c *workCore) Advance(port.Ready) { c.rd = port.Ready{} }

func hostModels(workers bool, actSlots int) *ModelSet {
	m := &ModelSet{CPU: CPUModel{CostsMs: map[string]rng.Dist{
		"work:episode": rng.Const(10), "work:sequence": rng.Const(1), "activity:Wait": rng.Const(0),
	}}, ActivityWaitMs: map[string]rng.Dist{"Wait": rng.Const(100)}}
	if workers {
		m.Host = HostModel{WorkerKinds: []string{"episode"}, ItemKinds: []string{"episode"}}
	}
	m.Host.ActivitySlotsPerCore = actSlots
	return m
}

// respondTimes runs one call on a core reporting items episodes on a node
// of cores and returns when the responses leave.
func respondTimes(t *testing.T, m *ModelSet, cores int, core *workCore) ([]port.Time, *Driver) {
	t.Helper()
	require.NoError(t, m.Validate())
	var got []port.Time
	d := NewDriver(NewKernel(0), Config{Seed: 1, Models: m,
		OnResponse: func(now port.Time, _ CoreID, _ port.Response) { got = append(got, now) }})
	n := d.AddNode("n", cores)
	id := d.AddCore(n, "c", func() port.Core { return core })
	d.Call(0, id, port.ClientCall{ID: 1})
	d.Run()
	return got, d
}

// TestWorkerItemsRunInParallel: 4 episodes of 10 ms on a 4-core node take
// 10 ms after the core's own 1 ms when they run on the host's threads, and
// 41 ms on the core's thread without the host model.
func TestWorkerItemsRunInParallel(t *testing.T) {
	got, d := respondTimes(t, hostModels(true, 0), 4, &workCore{items: 4})
	require.Equal(t, []port.Time{11 * ms}, got)
	require.Equal(t, 41*ms, d.NodeCPU(0).Busy())
	got, _ = respondTimes(t, hostModels(false, 0), 4, &workCore{items: 4})
	require.Equal(t, []port.Time{41 * ms}, got)
	// On 2 cores the 4 episodes take two rounds.
	got, _ = respondTimes(t, hostModels(true, 0), 2, &workCore{items: 4})
	require.Equal(t, []port.Time{21 * ms}, got)
}

// TestWorkerTurnsReleaseInOrder: a core whose first turn waits for long
// worker items and whose second turn has none, on a core freed earlier,
// still releases the second turn's outputs after the first's.
func TestWorkerTurnsReleaseInOrder(t *testing.T) {
	m := hostModels(true, 0)
	var got []port.CallID
	var at []port.Time
	d := NewDriver(NewKernel(0), Config{Seed: 1, Models: m,
		OnResponse: func(now port.Time, _ CoreID, r port.Response) { got, at = append(got, r.ID), append(at, now) }})
	n := d.AddNode("n", 2)
	c := &workCore{items: 3}
	id := d.AddCore(n, "c", func() port.Core { return c })
	d.Deliver(0, id, port.ClientCall{ID: 1})
	d.k.Schedule(2*ms, HandlerFunc(func(port.Time, uint64) { c.items = 0 }), 0)
	d.Deliver(2*ms, id, port.ClientCall{ID: 2})
	d.Run()
	// Turn 1: own 0..1 ms, episodes 1..11, 1..11, 11..21 ms. Turn 2: own
	// 11..12 ms on the core freed first, released with turn 1 at 21 ms.
	require.Equal(t, []port.CallID{1, 2}, got)
	require.Equal(t, []port.Time{21 * ms, 21 * ms}, at)
	b, ok := Binding(d.Utilisation(21 * ms))
	require.True(t, ok)
	require.Equal(t, ResourceCPU, b.Kind)
	require.InDelta(t, 32.0/42, b.Utilisation, 1e-9)
}

// TestActivitySlotsQueueActivities: one slot per core on a 2-core node
// runs 4 activities of 100 ms wait two at a time.
func TestActivitySlotsQueueActivities(t *testing.T) {
	got, d := respondTimes(t, hostModels(false, 1), 2, &workCore{acts: 4})
	require.Len(t, got, 5)
	require.Equal(t, []port.Time{101 * ms, 101 * ms, 201 * ms, 201 * ms}, got[1:]) // + network 0
	require.Equal(t, 2, d.ActivitySlots(0))
	var slots Resource
	for _, r := range d.Utilisation(201 * ms) {
		if r.Kind == ResourceSlots {
			slots = r
		}
	}
	require.InDelta(t, 400.0/402, slots.Utilisation, 1e-9)
	// Unlimited: all four end at once.
	got, _ = respondTimes(t, hostModels(false, 0), 2, &workCore{acts: 4})
	require.Equal(t, []port.Time{101 * ms, 101 * ms, 101 * ms, 101 * ms}, got[1:])
}

func TestHostModelErrors(t *testing.T) {
	for doc, want := range map[string]string{
		`{"name":"x","host":{"workerKinds":["a"],"itemKinds":["b"]}}`: `host.itemKinds: "b" is not one of host.workerKinds (a)`,
		`{"name":"x","host":{"workerKinds":["a"]}}`:                   `host.itemKinds: empty`,
		`{"name":"x","host":{"activitySlotsPerCore":-1}}`:             `host.activitySlotsPerCore: -1, allowed 0 (unlimited)..1000`,
		`{"name":"x","host":{"orchestratorSlotsPerCore":5000}}`:       `host.orchestratorSlotsPerCore: 5000`,
	} {
		_, err := LoadModelSet([]byte(doc))
		require.ErrorContains(t, err, want, doc)
	}
}

// TestBackgroundCPUDelaysNothing: 5 ms of background CPU per invocation
// leaves the response of a 1-episode call at 11 ms but is charged to the
// node, and on one core it delays the next call's turn.
func TestBackgroundCPUDelaysNothing(t *testing.T) {
	m := hostModels(true, 0)
	m.Host.BackgroundMsPerInvocation = 5
	got, d := respondTimes(t, m, 2, &workCore{items: 1})
	require.Equal(t, []port.Time{11 * ms}, got)
	require.Equal(t, 16*ms, d.NodeCPU(0).Busy())
	var at []port.Time
	d = NewDriver(NewKernel(0), Config{Seed: 1, Models: m,
		OnResponse: func(now port.Time, _ CoreID, _ port.Response) { at = append(at, now) }})
	c := &workCore{items: 1}
	id := d.AddCore(d.AddNode("n", 1), "c", func() port.Core { return c })
	d.Deliver(0, id, port.ClientCall{ID: 1})
	d.Deliver(12*ms, id, port.ClientCall{ID: 2})
	d.Run()
	require.Equal(t, []port.Time{11 * ms, 27 * ms}, at, "call 2 waits for call 1's background 11..16 ms")
}

// TestBackgroundCPUIsPlacedWhenItArrives: two CPU-bound activities of 1 s
// started at 1 ms on a 2-core node run side by side (1..1001 ms); the
// background CPU of the first, due when it ends, does not reserve the
// second core before then. At 1001 ms the first background takes one
// core, the first result's (free) turn the other, then the second
// background takes it until 1006 ms, when the second result's turn runs.
func TestBackgroundCPUIsPlacedWhenItArrives(t *testing.T) {
	m := hostModels(false, 0)
	m.CPU.CostsMs["activity:Wait"] = rng.Const(1000)
	m.ActivityWaitMs = nil
	m.Host.BackgroundMsPerInvocation = 5
	got, d := respondTimes(t, m, 2, &workCore{acts: 2})
	require.Equal(t, []port.Time{1001 * ms, 1006 * ms}, got[1:], "not 2001 ms: the activities did not queue")
	require.Equal(t, (1+2000+10)*ms, d.NodeCPU(0).Busy())
}

// A load node's turns cost no CPU time: the same core that takes 10 ms a
// turn (one sequence unit, serial) on a node answers at once on a load
// node, and the load node's CPU stays idle.
func TestLoadNodeCPUIsNotModelled(t *testing.T) {
	m := hostModels(false, 0)
	got, _ := respondTimes(t, m, 1, &workCore{items: 0})
	require.Equal(t, []port.Time{port.Millisecond}, got, "on a node: one sequence unit of 1 ms")
	d := NewDriver(NewKernel(0), Config{Seed: 1, Models: m,
		OnResponse: func(now port.Time, _ CoreID, _ port.Response) { got = append(got, now) }})
	got = nil
	n := d.AddLoadNode("client")
	id := d.AddCore(n, "c", func() port.Core { return &workCore{items: 3} })
	d.Call(0, id, port.ClientCall{ID: 1})
	d.Run()
	require.Equal(t, []port.Time{0}, got)
	require.Zero(t, d.NodeCPU(n).Busy())
}

// TestDeferredBackgroundCPUDelaysNothingOnAnIdleNode: the run of
// TestBackgroundCPUDelaysNothing with host.backgroundDeferMs: call 1's
// background runs in the idle core time after it (11..16 ms, before
// call 2 arrives at 17 ms), so call 2 is answered 11 ms after it arrives;
// arriving at 12 ms, inside that time, it still starts at once (the
// background waits for idle time again, 5 ms deep) — and the node pays
// the same CPU.
func TestDeferredBackgroundCPUDelaysNothingOnAnIdleNode(t *testing.T) {
	m := hostModels(true, 0)
	m.Host.BackgroundMsPerInvocation = 5
	m.Host.BackgroundDeferMs = 20
	run := func(second port.Time) ([]port.Time, *Driver) {
		var at []port.Time
		d := NewDriver(NewKernel(0), Config{Seed: 1, Models: m,
			OnResponse: func(now port.Time, _ CoreID, _ port.Response) { at = append(at, now) }})
		c := &workCore{items: 1}
		id := d.AddCore(d.AddNode("n", 1), "c", func() port.Core { return c })
		d.Deliver(0, id, port.ClientCall{ID: 1})
		d.Deliver(second, id, port.ClientCall{ID: 2})
		d.Run()
		return at, d
	}
	at, _ := run(12 * ms)
	require.Equal(t, []port.Time{11 * ms, 23 * ms}, at, "call 2 does not wait for call 1's background")
	at, d := run(17 * ms)
	require.Equal(t, []port.Time{11 * ms, 28 * ms}, at)
	require.Equal(t, (11+5+11)*ms, d.NodeCPU(0).Busy(), "call 1's background ran in the idle time; call 2's is still deferred at the end")
	require.Equal(t, 5*ms, d.NodeCPU(0).Deferred())
}
