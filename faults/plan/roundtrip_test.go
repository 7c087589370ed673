package plan_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim/rng"
)

var globs = []string{"*", "page-write", "table-*", "queue-*", "stream-append", "blob-?et",
	"lease-*", "queue-[de]*", "append-block", "table-batch"}

func randTime(r *rng.Source, max port.Time) port.Time {
	units := []port.Time{port.Millisecond, port.Second, 60 * port.Second}
	u := units[r.Intn(len(units))]
	return port.Time(r.Int63n(int64(max/u)+1)) * u
}

func randProb(r *rng.Source) float64 {
	switch r.Intn(3) {
	case 0:
		return []float64{0.01, 0.05, 0.1, 0.5, 1}[r.Intn(5)]
	case 1:
		return float64(1+r.Intn(1000)) / 1000
	}
	return 1 - r.Float64() // (0, 1], full precision
}

func randWindow(r *rng.Source) plan.Window {
	if r.Intn(2) == 0 {
		return plan.Window{}
	}
	from := randTime(r, 10*60*port.Second)
	return plan.Window{From: from, To: from + port.Millisecond + randTime(r, 10*60*port.Second)}
}

func randNode(r *rng.Source) string {
	return []string{"node", "n", "worker-", "host.", "A_"}[r.Intn(5)] + fmt.Sprint(r.Intn(100))
}

// randFault returns a random valid fault of kind k.
func randFault(r *rng.Source, k plan.Kind) plan.Fault {
	f := plan.Fault{Kind: k}
	switch {
	case k.Timed():
		f.At = randTime(r, 3600*port.Second)
		if k != plan.LeaseLoss {
			f.Node = randNode(r)
		}
		if k == plan.CrashForever {
			f.Node = "gone" + f.Node // a node no restart names
		}
		if k == plan.Move || k == plan.LeaseLoss {
			f.Partition = r.Intn(32)
		}
	case k.Storage():
		f.Ops, f.P, f.Window = globs[r.Intn(len(globs))], randProb(r), randWindow(r)
		if k == plan.Latency {
			f.Factor = 1 + (1-r.Float64())*999
			if r.Intn(2) == 0 {
				f.Factor = float64(2 + r.Intn(50))
			}
		}
	case k.Stream():
		f.P, f.Window = randProb(r), randWindow(r)
		if k == plan.DelayStream {
			f.Delay = port.Millisecond + randTime(r, 5*port.Second)
		}
	case k == plan.TornTail:
		f.Partition = r.Intn(32)
	}
	return f
}

func randPlan(r *rng.Source) *plan.Plan {
	p := &plan.Plan{}
	for n := r.Intn(12); n > 0; n-- {
		p.Faults = append(p.Faults, randFault(r, plan.Kinds[r.Intn(len(plan.Kinds))]))
	}
	return p
}

func TestRandomPlansRoundTrip(t *testing.T) {
	r := rng.New(20221109)
	for i := 0; i < 2000; i++ {
		p := randPlan(r)
		require.NoError(t, p.Validate(), "generated plan %d:\n%s", i, p)
		text := p.String()
		q, err := plan.Parse(text)
		require.NoError(t, err, "plan %d:\n%s", i, text)
		if p.Len() == 0 {
			require.Equal(t, 0, q.Len())
			continue
		}
		require.Equal(t, p, q, "plan %d:\n%s", i, text)
		require.Equal(t, text, q.String())
	}
}

func TestTextMarshalling(t *testing.T) {
	p, err := plan.Parse("at 5s crash node2\nstorage error p=0.01 op=page-write\n")
	require.NoError(t, err)
	b, err := p.MarshalText()
	require.NoError(t, err)
	var q plan.Plan
	require.NoError(t, q.UnmarshalText(b))
	require.Equal(t, *p, q)
	bad := &plan.Plan{Faults: []plan.Fault{{Kind: plan.StorageError, P: 2, Ops: "*"}}}
	_, err = bad.MarshalText()
	require.EqualError(t, err, "fault 1: error: p=2: allowed: a probability in (0, 1]")
}

// A node crashed forever cannot restart later; a restart before the
// crash is fine.
func TestRestartAfterCrashForeverIsRejected(t *testing.T) {
	_, err := plan.Parse("at 1s crash node1\nat 2s restart node1\nat 3s crash-forever node1\n")
	require.NoError(t, err)
	p, err := plan.Parse("at 3s crash-forever node1\n")
	require.NoError(t, err)
	at, ok := p.ForeverAt("node1")
	require.True(t, ok)
	require.Equal(t, 3*port.Second, at)
	_, ok = p.ForeverAt("node0")
	require.False(t, ok)
	p.Faults = append(p.Faults, plan.Fault{Kind: plan.Restart, At: 3 * port.Second, Node: "node1"})
	require.EqualError(t, p.Validate(), `fault 2: "at 3s restart node1": node1 crashed forever at 3s: allowed: a restart before it only`)
	_, err = plan.Parse("at 3s crash-forever node1\n# later\nat 9s restart node1\n")
	require.EqualError(t, err, `plan line 3: "at 9s restart node1": node1 crashed forever at 3s: allowed: a restart before it only`)
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]port.Time{
		"0s": 0, "50ms": 50 * port.Millisecond, "1.5s": 1500 * port.Millisecond,
		"2m": 120 * port.Second, "0.25m": 15 * port.Second, "1.005s": 1005 * port.Millisecond,
	} {
		got, err := plan.ParseDuration(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "5", "5h", "-1s", "1.5ms", "1e3ms", "s", ".5s", "5.s", "1_000ms", "99999999999m"} {
		_, err := plan.ParseDuration(in)
		require.Error(t, err, in)
	}
	require.Equal(t, "90s", plan.FormatDuration(90*port.Second))
	require.Equal(t, "2m", plan.FormatDuration(120*port.Second))
	require.Equal(t, "1500ms", plan.FormatDuration(1500*port.Millisecond))
}
