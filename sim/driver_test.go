package sim

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/sim/trace"
)

const ms = port.Millisecond

func scenarioModels() *ModelSet {
	return &ModelSet{
		Name: "scenario",
		Ops: map[string]OpModel{
			"page-write":    {BaseMs: rng.MustParse("exp(mean=2)"), NsPerByte: 1},
			"queue-enqueue": {BaseMs: rng.MustParse("uniform(lo=1,hi=5)")},
			"blob-get":      {BaseMs: rng.MustParse("lognormal(mu=0,sigma=0.5)")},
		},
		Caps: []Cap{{Name: "outbox", Ops: []string{"queue-*"}, Scope: ScopeTarget, ReqPerSec: 2000}},
		CPU: CPUModel{CostsMs: map[string]rng.Dist{
			"input:*":           rng.Const(0.05),
			"work:count-step":   rng.MustParse("normal(mean=0.2,sd=0.05)"),
			"activity:*":        rng.MustParse("exp(mean=1)"),
			"input:client-call": rng.Const(0.1),
		}},
		Network: NetworkModel{LocalMs: rng.Const(0.01), RemoteMs: rng.MustParse("lognormal(mu=0,sigma=0.3)")},
	}
}

type scenarioResult struct {
	hash       uint64
	lines      uint64
	stats      Stats
	violations int
	responses  []string
	store      string
}

// runScenario: 3 nodes × 2 cores, 2 counter cores per node, random client
// calls, random latencies, and one crash and restart of a random node.
func runScenario(seed uint64, w *bytes.Buffer) scenarioResult {
	st := newFakeStore()
	k := NewKernel(0)
	var res scenarioResult
	var tr *trace.Tracer
	if w != nil {
		tr = trace.New(w)
	}
	d := NewDriver(k, Config{Seed: seed, Models: scenarioModels(), Trace: tr,
		OnResponse: func(now port.Time, core CoreID, r port.Response) {
			res.responses = append(res.responses, fmt.Sprintf("%d:%d:%d=%v", now, core, r.ID, r.Resp))
		}})
	var cores []CoreID
	for n := 0; n < 3; n++ {
		node := d.AddNode(fmt.Sprintf("node%d", n), 2)
		for c := 0; c < 2; c++ {
			name := fmt.Sprintf("c%d", c)
			key := fmt.Sprintf("n%d%s", n, name)
			cores = append(cores, d.AddCore(node, name, func() port.Core { return newCounter(key, st, 40) }))
		}
	}
	plan := rng.New(seed).Fork("scenario")
	for i := 0; i < 20; i++ {
		d.Call(port.Time(plan.Intn(100))*ms, cores[plan.Intn(len(cores))], port.ClientCall{ID: port.CallID(i + 1)})
	}
	victim := NodeID(plan.Intn(3))
	crashAt := port.Time(20+plan.Intn(40)) * ms
	d.CrashAt(crashAt, victim)
	d.RestartAt(crashAt+10*ms, victim)
	d.RunUntil(200 * ms)
	res.hash = d.Trace().Hash()
	res.lines = d.Trace().Lines()
	res.stats = d.Stats()
	res.violations = len(d.Violations())
	for _, key := range sortedKeys(st.logs) {
		res.store += key + "=" + strings.Join(st.logs[key], ",") + ";"
	}
	return res
}

func TestDeterminismOverSeeds(t *testing.T) {
	seen := map[uint64]uint64{}
	for seed := uint64(1); seed <= 100; seed++ {
		a := runScenario(seed, nil)
		b := runScenario(seed, nil)
		require.Equal(t, a, b, "seed %d", seed)
		require.Equal(t, uint64(1), a.stats.Crashes)
		require.Greater(t, a.stats.Completions, uint64(100))
		require.Zero(t, a.violations)
		prev, dup := seen[a.hash]
		require.False(t, dup, "seeds %d and %d give the same hash", prev, seed)
		seen[a.hash] = seed
	}
}

func TestTraceTextMatchesHash(t *testing.T) {
	var buf bytes.Buffer
	a := runScenario(7, &buf)
	require.Equal(t, trace.HashBytes(buf.Bytes()), a.hash)
	require.Equal(t, runScenario(7, nil).hash, a.hash, "attaching a writer does not change the run")
	require.Contains(t, buf.String(), " node")
	require.Contains(t, buf.String(), " crash")
}

// writerCore issues, on Started, a request per entry of ops at once and
// records its completions.
type writerCore struct {
	ops  []port.Op
	done []port.RequestID
	rd   port.Ready
}

func (c *writerCore) Step(now port.Time, in port.Input) {
	switch v := in.(type) {
	case port.Started:
		for i, op := range c.ops {
			c.rd.Requests = append(c.rd.Requests, port.Request{ID: port.RequestID(i + 1), Op: op})
		}
	case port.Completion:
		c.done = append(c.done, v.ID)
	}
}
func (c *writerCore) Ready() port.Ready  { return c.rd }
func (c *writerCore) Advance(port.Ready) { c.rd = port.Ready{} }

func TestCrashResolvesInFlightBySeed(t *testing.T) {
	run := func(seed uint64) (string, Stats) {
		st := newFakeStore()
		// The middleware chain runs wherever a request is applied: at its
		// completion, and at a crash that applies it.
		through := 0
		count := func(next port.Exec) port.Exec {
			return func(ctx context.Context, op port.Op) (any, error) { through++; return next(ctx, op) }
		}
		d := NewDriver(NewKernel(0), Config{Seed: seed, Middleware: []port.Middleware{count}, Models: &ModelSet{Ops: map[string]OpModel{
			"blob-put":   {BaseMs: rng.Const(1)},
			"page-write": {BaseMs: rng.Const(10)},
		}}})
		defer func() { require.EqualValues(t, 1+d.Stats().CrashApplied, through, "seed %d", seed) }()
		n := d.AddNode("n", 1)
		ops := []port.Op{appendOp{st: st, kind: "blob-put", key: "acked", rec: "a"}}
		for i := 0; i < 4; i++ {
			ops = append(ops, appendOp{st: st, kind: "page-write", key: fmt.Sprint("f", i), rec: "x"})
		}
		d.AddCore(n, "w", func() port.Core { return &writerCore{ops: ops} })
		d.CrashAt(5*ms, n)
		d.Run()
		var out string
		for i := 0; i < 4; i++ {
			out += fmt.Sprint(len(st.logs[fmt.Sprint("f", i)]))
		}
		require.Equal(t, []string{"a"}, st.logs["acked"], "acknowledged request survives")
		return out, d.Stats()
	}
	outcomes := map[string]bool{}
	for seed := uint64(1); seed <= 30; seed++ {
		a, sa := run(seed)
		b, _ := run(seed)
		require.Equal(t, a, b, "same seed, same outcome")
		require.Equal(t, uint64(4), sa.CrashApplied+sa.CrashDropped)
		require.Equal(t, uint64(1), sa.Completions)
		outcomes[a] = true
	}
	var applied, dropped bool
	for o := range outcomes {
		applied = applied || strings.Contains(o, "1")
		dropped = dropped || strings.Contains(o, "0")
	}
	require.True(t, applied && dropped, "different seeds give both outcomes: %v", outcomes)
}

func TestCompletionOrderPerObject(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		st := newFakeStore()
		models := &ModelSet{Ops: map[string]OpModel{"page-write": {BaseMs: rng.MustParse("exp(mean=5)")}}}
		var ops []port.Op
		for i := 0; i < 20; i++ {
			ops = append(ops, appendOp{st: st, kind: "page-write", key: "same", rec: fmt.Sprint(i)})
		}
		for i := 0; i < 20; i++ {
			ops = append(ops, appendOp{st: st, kind: "page-write", key: fmt.Sprint("k", i), rec: fmt.Sprint(i)})
		}
		d := NewDriver(NewKernel(0), Config{Seed: seed, Models: models})
		id := d.AddCore(d.AddNode("n", 1), "w", func() port.Core { return &writerCore{ops: ops} })
		d.Run()
		done := d.Core(id).(*writerCore).done
		var same, other []port.RequestID
		for _, r := range done {
			if r <= 20 {
				same = append(same, r)
			} else {
				other = append(other, r)
			}
		}
		require.Len(t, same, 20)
		for i := range same {
			require.Equal(t, port.RequestID(i+1), same[i], "same object completes in issue order")
		}
		require.Len(t, other, 20)
		if seed == 1 {
			sorted := true
			for i := 1; i < len(other); i++ {
				sorted = sorted && other[i-1] < other[i]
			}
			require.False(t, sorted, "distinct objects complete in latency order")
		}
	}
}

func TestNeedsViolationsRecorded(t *testing.T) {
	for _, bad := range []bool{false, true} {
		st := newFakeStore()
		d := NewDriver(NewKernel(0), Config{Seed: 1, Models: scenarioModels()})
		d.AddCore(d.AddNode("n", 1), "c", func() port.Core {
			c := newCounter("log", st, 5)
			c.badNeeds = bad
			return c
		})
		d.Run()
		v := d.Violations()
		pos, ok := d.Durable("log")
		require.True(t, ok)
		require.Equal(t, int64(5), pos)
		if !bad {
			require.Empty(t, v)
			continue
		}
		require.Len(t, v, 5)
		require.Equal(t, port.Mark{Log: "log", Pos: 2}, v[0].Needs)
		require.Equal(t, int64(1), v[0].Durable)
		require.Equal(t, "queue-enqueue", v[0].Kind)
		require.Contains(t, v[0].String(), "n/c: request")
	}
}

// callCore answers every client call at once.
type callCore struct{ rd port.Ready }

func (c *callCore) Step(now port.Time, in port.Input) {
	if v, ok := in.(port.ClientCall); ok {
		c.rd.Responses = append(c.rd.Responses, port.Response{ID: v.ID, Resp: now})
	}
}
func (c *callCore) Ready() port.Ready  { return c.rd }
func (c *callCore) Advance(port.Ready) { c.rd = port.Ready{} }

// TestDriverCPUContention: four cores on a 2-core node each get a call
// costing 10 ms at t=0; the responses leave at 10, 10, 20 and 20 ms.
func TestDriverCPUContention(t *testing.T) {
	models := &ModelSet{CPU: CPUModel{CostsMs: map[string]rng.Dist{"input:client-call": rng.Const(10)}}}
	var got []port.Time
	d := NewDriver(NewKernel(0), Config{Seed: 1, Models: models,
		OnResponse: func(now port.Time, _ CoreID, _ port.Response) { got = append(got, now) }})
	n := d.AddNode("n", 2)
	for i := 0; i < 4; i++ {
		id := d.AddCore(n, fmt.Sprint("c", i), func() port.Core { return &callCore{} })
		d.Call(0, id, port.ClientCall{ID: 1})
	}
	d.Run()
	require.Equal(t, []port.Time{10 * ms, 10 * ms, 20 * ms, 20 * ms}, got)
	require.Equal(t, 40*ms, d.NodeCPU(n).Busy())
}

func TestCrashedNodeDropsInputsAndRestartStartsFresh(t *testing.T) {
	st := newFakeStore()
	made := 0
	d := NewDriver(NewKernel(0), Config{Seed: 3, Models: scenarioModels()})
	n := d.AddNode("n", 1)
	id := d.AddCore(n, "c", func() port.Core { made++; return newCounter("log", st, 1000) })
	d.RunUntil(20 * ms)
	old := d.Core(id).(*counterCore)
	d.CrashAt(20*ms, n)
	d.Deliver(25*ms, id, port.ClientCall{ID: 9})
	d.RunUntil(30 * ms)
	require.False(t, d.NodeUp(n))
	require.Nil(t, d.Core(id))
	require.Equal(t, uint64(1), d.Stats().Dropped)
	countAtCrash := old.count
	d.RestartAt(40*ms, n)
	d.RunUntil(80 * ms)
	require.Equal(t, countAtCrash, old.count, "the old core is never stepped again")
	require.Equal(t, 2, made)
	fresh := d.Core(id).(*counterCore)
	require.Greater(t, fresh.count, countAtCrash, "the fresh core recovered and went on")
	require.Equal(t, len(st.logs["log"]), fresh.count)
	require.Zero(t, len(d.Violations()))
}

func TestNilOpFailsTheRequest(t *testing.T) {
	reached := false
	never := func(next port.Exec) port.Exec {
		return func(ctx context.Context, op port.Op) (any, error) { reached = true; return next(ctx, op) }
	}
	defer func() { require.False(t, reached, "a request without an op never reaches storage") }()
	d := NewDriver(NewKernel(0), Config{Seed: 1, Middleware: []port.Middleware{never}})
	id := d.AddCore(d.AddNode("n", 1), "w", func() port.Core { return &writerCore{ops: []port.Op{nil}} })
	d.Run()
	require.Equal(t, []port.RequestID{1}, d.Core(id).(*writerCore).done)
	require.Equal(t, uint64(1), d.Stats().Completions)
}

// closingCounter is a counterCore that records being closed.
type closingCounter struct {
	*counterCore
	closed *int
}

func (c closingCounter) Close() { *c.closed++ }

func TestCrashClosesTheDiscardedCore(t *testing.T) {
	st := newFakeStore()
	closed := 0
	d := NewDriver(NewKernel(0), Config{Seed: 3, Models: scenarioModels()})
	n := d.AddNode("n", 1)
	d.AddCore(n, "c", func() port.Core { return closingCounter{newCounter("log", st, 1000), &closed} })
	d.RunUntil(20 * ms)
	require.Zero(t, closed)
	d.CrashAt(20*ms, n)
	d.RestartAt(40*ms, n)
	d.RunUntil(50 * ms)
	require.Equal(t, 1, closed, "the crashed core is closed once; the fresh one is not")
}

func TestLatencyHookChangesRequestLatency(t *testing.T) {
	run := func(hook func(string, port.Time) port.Time) port.Time {
		st := newFakeStore()
		d := NewDriver(NewKernel(0), Config{Seed: 5, Models: scenarioModels(), LatencyHook: hook})
		d.AddCore(d.AddNode("n", 1), "w", func() port.Core { return newCounter("log", st, 20) })
		d.Run()
		return d.Kernel().Now()
	}
	plain := run(nil)
	var kinds []string
	slow := run(func(kind string, l port.Time) port.Time { kinds = append(kinds, kind); return 10 * l })
	require.NotEmpty(t, kinds)
	require.Greater(t, slow, 5*plain, "ten times the storage latency makes the run much longer")
}

// A completion hook that crashes the node when the 3rd write completes:
// the write is applied (and durable), but the core never sees it, so the
// publish that would follow it is never issued.
func TestCompletionHookCrashesBeforeTheCoreSeesIt(t *testing.T) {
	st := newFakeStore()
	d := NewDriver(NewKernel(0), Config{Seed: 3, Models: scenarioModels()})
	n := d.AddNode("n", 1)
	id := d.AddCore(n, "c", func() port.Core { return newCounter("log", st, 1000) })
	require.Equal(t, n, d.CoreNode(id))
	require.Equal(t, "n", d.NodeName(n))
	writes := 0
	d.OnCompletion(func(now port.Time, core CoreID, op port.Op, err error) {
		require.Equal(t, id, core)
		if op.Kind() == "page-write" && err == nil {
			if writes++; writes == 3 {
				d.Crash(d.CoreNode(core))
			}
		}
	})
	d.RunUntil(200 * ms)
	require.False(t, d.NodeUp(n))
	require.Len(t, st.logs["log"], 3, "the 3rd write was applied")
	require.Len(t, st.logs["outbox"], 2, "its publish never left")
	require.Equal(t, uint64(1), d.Stats().Dropped, "the 3rd completion was dropped")
	durable, _ := d.Durable("log")
	require.EqualValues(t, 3, durable)
}

func TestInFlightListsWhatACrashWouldCut(t *testing.T) {
	st := newFakeStore()
	d := NewDriver(NewKernel(0), Config{Seed: 3, Models: scenarioModels()})
	n := d.AddNode("n", 1)
	id := d.AddCore(n, "c", func() port.Core { return newCounter("log", st, 1000) })
	require.Empty(t, d.InFlight(n), "the boot turn has not ended")
	for i := 0; i < 100 && len(d.InFlight(n)) == 0; i++ {
		d.RunUntil(port.Time(i) * port.Microsecond * 10)
	}
	require.Equal(t, []InFlight{{Core: id, Kind: "blob-get", Target: "log/log"}}, d.InFlight(n), "the recovery read")
	d.Run()
	require.Empty(t, d.InFlight(n))
}
