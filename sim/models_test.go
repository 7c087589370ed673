package sim

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
)

func TestLoadModelSetExample(t *testing.T) {
	data, err := os.ReadFile("testdata/models-example.json")
	require.NoError(t, err)
	m, err := LoadModelSet(data)
	require.NoError(t, err)
	require.Equal(t, "example", m.Name)
	require.Equal(t, rng.Const(4), m.Op("stream-append").BaseMs)
	require.Equal(t, m.DefaultOp, m.Op("blob-get"))
	// Saving and loading again gives the same set.
	out, err := json.Marshal(m)
	require.NoError(t, err)
	m2, err := LoadModelSet(out)
	require.NoError(t, err)
	require.Equal(t, m, m2)
}

func TestModelSetErrors(t *testing.T) {
	for doc, want := range map[string]string{
		`{"name":"x","ops":{"page-writ":{"baseMs":1}}}`:                                       `ops["page-writ"]: unknown op kind, allowed: append-block`,
		`{"name":"x","ops":{"page-write":{"baseMs":"exp(mean=-1)"}}}`:                         `mean must be a finite number >= 0`,
		`{"name":"x","ops":{"page-write":{"baseMs":-3}}}`:                                     `ops["page-write"].baseMs: const(-3) can be negative`,
		`{"name":"x","ops":{"page-write":{"baseMs":1,"nsPerByte":-1}}}`:                       `ops["page-write"].nsPerByte: must be a finite number >= 0`,
		`{"name":"x","defaultOp":{"baseMs":"normal(mean=-1,sd=1)"}}`:                          `defaultOp.baseMs`,
		`{"name":"x","caps":[{"name":"c","ops":["quux-*"],"scope":"account","reqPerSec":1}]}`: `caps[0] (c): ops: "quux-*" matches no op kind`,
		`{"name":"x","caps":[{"name":"c","ops":["*"],"scope":"queue","reqPerSec":1}]}`:        `scope: "queue", allowed: account, target`,
		`{"name":"x","caps":[{"name":"c","ops":["*"],"scope":"target","reqPerSec":-5}]}`:      `reqPerSec: must be a finite number >= 0`,
		`{"name":"x","caps":[{"name":"c","ops":["*"],"scope":"target"}]}`:                     `needs at least one limit`,
		`{"name":"x","caps":[{"name":"c","scope":"target","reqPerSec":1}]}`:                   `ops: empty`,
		`{"name":"x","cpu":{"costsMs":{"step:x":1}}}`:                                         `costsMs["step:x"]: unknown prefix "step", allowed: input, work, activity`,
		`{"name":"x","cpu":{"costsMs":{"input:tick":1}}}`:                                     `unknown input kind, allowed: activity-done, client-call, completion, started, timer`,
		`{"name":"x","cpu":{"costsMs":{"nocolon":1}}}`:                                        `want input:<kind>, work:<kind> or activity:<name>`,
		`{"name":"x","network":{"remoteMs":"uniform(-1,2)"}}`:                                 `network.remoteMs`,
		`{"name":"x","activityWaitMs":{"Rekognition":-2}}`:                                    `activityWaitMs["Rekognition"]: const(-2) can be negative`,
		`{"name":"x","opz":{}}`: `unknown field "opz"`,
		`{"name":"x","engineCpu":{"netherite":{"costsMs":{"input:tick":1}}}}`: `engineCpu["netherite"]: costsMs["input:tick"]: unknown input kind`,
		`{"name":"x","engineCpu":{"":{"costsMs":{}}}}`:                        `engineCpu: empty engine name`,
	} {
		_, err := LoadModelSet([]byte(doc))
		require.ErrorContains(t, err, want, doc)
	}
}

func TestOpLatencyWithPerByteTerm(t *testing.T) {
	o := OpModel{BaseMs: rng.Const(2), NsPerByte: 10}
	require.Equal(t, 2*port.Millisecond+10_000, o.Latency(rng.New(1), 1000))
	neg := OpModel{BaseMs: rng.MustParse("normal(mean=0,sd=1)")}
	r := rng.New(2)
	for i := 0; i < 100; i++ {
		require.GreaterOrEqual(t, neg.Latency(r, 0), port.Time(0))
	}
	n := NetworkModel{LocalMs: rng.Const(0.5), RemoteMs: rng.Const(2)}
	require.Equal(t, 500*port.Microsecond, n.Delay(r, true))
	require.Equal(t, 2*port.Millisecond, n.Delay(r, false))
}

// TestCPUContention: 4 items of 10 ms on 2 cores finish at 10, 10, 20, 20 ms.
func TestCPUContention(t *testing.T) {
	c := NewCPU(2)
	var ends []port.Time
	for i := 0; i < 4; i++ {
		_, end := c.Submit(0, 10*port.Millisecond)
		ends = append(ends, end)
	}
	ms := port.Millisecond
	require.Equal(t, []port.Time{10 * ms, 10 * ms, 20 * ms, 20 * ms}, ends)
	require.Equal(t, 40*ms, c.Busy())
	// A later arrival on an idle core starts at once.
	start, end := c.Submit(50*ms, 5*ms)
	require.Equal(t, 50*ms, start)
	require.Equal(t, 55*ms, end)
	c.Reset(60 * ms)
	start, _ = c.Submit(55*ms, ms)
	require.Equal(t, 60*ms, start)
}

func TestCostTable(t *testing.T) {
	ct := newCostTable(CPUModel{CostsMs: map[string]rng.Dist{
		"input:completion": rng.Const(1), "input:*": rng.Const(2),
		"work:step": rng.Const(3), "activity:*": rng.Const(4),
	}})
	r := rng.New(1)
	ms := port.Millisecond
	require.Equal(t, ms, ct.cost(costInput, "completion", r))
	require.Equal(t, 2*ms, ct.cost(costInput, "timer", r))
	require.Equal(t, 3*ms, ct.cost(costWork, "step", r))
	require.Equal(t, port.Time(0), ct.cost(costWork, "other", r))
	require.Equal(t, 4*ms, ct.cost(costActivity, "Any", r))
}

// maxInWindow returns the most starts in any half-open window [t, t+w).
func maxInWindow(starts []port.Time, w port.Time) int {
	best, j := 0, 0
	for i := range starts {
		for starts[i]-starts[j] >= w {
			j++
		}
		if i-j+1 > best {
			best = i - j + 1
		}
	}
	return best
}

// TestThroughputCap: a queue capped at 2,000 req/s never serves more in any
// one-second window, under a random arrival burst far above the cap.
func TestThroughputCap(t *testing.T) {
	th := newThrottle([]Cap{
		{Name: "per-queue", Ops: []string{"queue-*"}, Scope: ScopeTarget, ReqPerSec: 2000},
		{Name: "bytes", Ops: []string{"stream-append"}, Scope: ScopeTarget, MBPerSec: 1},
	})
	r := rng.New(11)
	var starts, other []port.Time
	now := port.Time(0)
	for i := 0; i < 20000; i++ {
		now += port.Time(r.Intn(400)) * port.Microsecond // ~5,000 req/s offered
		starts = append(starts, th.admit(now, "queue-enqueue", "queue/q1", 1, 100))
		if i%2 == 0 {
			other = append(other, th.admit(now, "queue-dequeue", "queue/q2", 1, 0))
		}
	}
	require.Equal(t, 2000, maxInWindow(starts, port.Second))
	require.Equal(t, 2000, maxInWindow(other, port.Second))
	for i := 1; i < len(starts); i++ {
		require.GreaterOrEqual(t, starts[i]-starts[i-1], 500*port.Microsecond)
	}
	// Byte cap: 1 MB/s, 100 KB appends => at most 10 per second.
	var appends []port.Time
	for i := 0; i < 100; i++ {
		appends = append(appends, th.admit(0, "stream-append", "stream/0", 1, 100_000))
	}
	require.Equal(t, 10, maxInWindow(appends, port.Second))
	// Uncapped kinds pass at once.
	require.Equal(t, port.Time(7), th.admit(7, "page-write", "blob/x", 1, 1<<20))
	// A rate that does not divide a second rounds the slot up, never down.
	s := NewServer(3000, 0, 0)
	var ts []port.Time
	for i := 0; i < 10000; i++ {
		ts = append(ts, s.Admit(0, 1, 0))
	}
	require.LessOrEqual(t, maxInWindow(ts, port.Second), 3000)
	require.Equal(t, uint64(10000), s.Served())
}

// TestUnitsCap: a cap on units (Event Hubs ingress events, table entities)
// counts each request's units, not the request: 1,000 events/s admits ten
// appends of 100 events a second, and the 1,001st event waits a second.
func TestUnitsCap(t *testing.T) {
	th := newThrottle([]Cap{{Name: "event-hubs-ingress", Ops: []string{"stream-append"}, Scope: ScopeAccount, UnitsPerSec: 1000}})
	var starts []port.Time
	for i := 0; i < 30; i++ {
		starts = append(starts, th.admit(0, "stream-append", fmt.Sprintf("stream/%d", i%4), 100, 100))
	}
	require.Equal(t, 10, maxInWindow(starts, port.Second))
	require.Equal(t, 3*port.Second-100*port.Millisecond, starts[29])
	// port.ScaleUnits: a batch counts its rows, a record per started 64 KiB.
	require.Equal(t, 3, port.ScaleUnits(port.TableBatch{Writes: make([]port.TableWrite, 3)}))
	require.Equal(t, 1+2, port.ScaleUnits(port.StreamAppend{Records: [][]byte{make([]byte, 10), make([]byte, 64<<10+1)}}))
	require.Equal(t, 1, port.ScaleUnits(port.QueueEnqueue{}))
}

func TestForEngineMergesThatEnginesCosts(t *testing.T) {
	m, err := LoadModelSet([]byte(`{"name":"x","cpu":{"costsMs":{"input:*":0.5,"work:a":1}},
		"engineCpu":{"e1":{"costsMs":{"work:a":2,"work:b":3}},"e2":{"costsMs":{"work:c":4}}}}`))
	require.NoError(t, err)
	e1 := m.ForEngine("e1")
	require.Equal(t, map[string]rng.Dist{"input:*": rng.Const(0.5), "work:a": rng.Const(2), "work:b": rng.Const(3)}, e1.CPU.CostsMs)
	require.Nil(t, e1.EngineCPU)
	require.Equal(t, map[string]rng.Dist{"input:*": rng.Const(0.5), "work:a": rng.Const(1)}, m.ForEngine("other").CPU.CostsMs)
	require.Equal(t, rng.Const(1), m.CPU.CostsMs["work:a"], "the set itself is unchanged")
}

// TestBucketBurst: a token bucket of depth 1 s at 1,000 requests/s lets
// about a second's worth of requests start at once after an idle spell,
// then paces at the rate; over a long window the rate holds, and with no
// depth the same server paces strictly.
func TestBucketBurst(t *testing.T) {
	b := NewBucket(1000, 0, 0, 1)
	var ts []port.Time
	for i := 0; i < 5000; i++ {
		ts = append(ts, b.Admit(0, 1, 0))
	}
	atOnce := 0
	for _, x := range ts {
		if x == 0 {
			atOnce++
		}
	}
	require.Equal(t, 1001, atOnce) // a second's worth, and the slot under way
	require.Equal(t, 4*port.Second-port.Millisecond, ts[len(ts)-1])
	require.LessOrEqual(t, maxInWindow(ts, 10*port.Second), 1000*10+1001)
	// Idle for long enough, the bucket refills: a burst starts at once again.
	require.Equal(t, 100*port.Second, b.Admit(100*port.Second, 1, 0))
	require.Equal(t, 100*port.Second, b.Admit(100*port.Second, 1, 0))
	s := NewBucket(1000, 0, 0, 0)
	require.Equal(t, port.Time(0), s.Admit(0, 1, 0))
	require.Equal(t, port.Millisecond, s.Admit(0, 1, 0))
	// A cap validates its depth.
	require.Error(t, Cap{Name: "x", Ops: []string{"queue-*"}, Scope: ScopeTarget, ReqPerSec: 1, BurstSec: -1}.validate())
	require.Error(t, Cap{Name: "x", Ops: []string{"queue-*"}, Scope: ScopeTarget, ReqPerSec: 1, BurstSec: MaxBurstSec + 1}.validate())
}
