package sim

import (
	"fmt"
	"testing"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim/rng"
	"github.com/stretchr/testify/require"
)

// issueCore issues one request of kind "db-op" per client call, each to a
// target of its own (no per-object ordering), and records completions.
type issueCore struct {
	st   *fakeStore
	n    int
	done *[]port.Time
	rd   port.Ready
}

func (c *issueCore) Step(now port.Time, in port.Input) {
	switch in.(type) {
	case port.ClientCall:
		c.n++
		c.rd.Requests = append(c.rd.Requests, port.Request{ID: port.RequestID(c.n),
			Op: appendOp{st: c.st, kind: "db-op", key: fmt.Sprint(c.n), rec: "x"}})
	case port.Completion:
		*c.done = append(*c.done, now)
	}
}
func (c *issueCore) Ready() port.Ready  { return c.rd }
func (c *issueCore) Advance(port.Ready) { c.rd = port.Ready{} }

func psRun(t *testing.T, cores int, arrivals []port.Time, cost port.Time) ([]port.Time, *Driver) {
	t.Helper()
	var done []port.Time
	d := NewDriver(NewKernel(0), Config{Seed: 1, Models: &ModelSet{}})
	require.NoError(t, d.AddService(Service{Name: "db", Ops: []string{"db-*"}, Cores: cores,
		Cost: func(port.Op) port.Time { return cost }}))
	n := d.AddNode("n", 1)
	id := d.AddCore(n, "c", func() port.Core { return &issueCore{st: newFakeStore(), done: &done} })
	for _, at := range arrivals {
		d.Call(at, id, port.ClientCall{ID: 1})
	}
	d.Run()
	return done, d
}

// TestServiceProcessorSharing: on 2 cores, four 10 ms requests arriving
// together share the cores and all leave at 20 ms (FIFO would finish two
// at 10 ms); a request arriving at 5 ms beside one running slows neither
// below one core each (2 jobs, 2 cores).
func TestServiceProcessorSharing(t *testing.T) {
	done, d := psRun(t, 2, []port.Time{0, 0, 0, 0}, 10*ms)
	require.Equal(t, []port.Time{20 * ms, 20 * ms, 20 * ms, 20 * ms}, done)
	busy, cores := d.ServiceBusy("db")
	require.Equal(t, 40*ms, busy)
	require.Equal(t, 2, cores)

	done, _ = psRun(t, 2, []port.Time{0, 5 * ms}, 10*ms)
	require.Equal(t, []port.Time{10 * ms, 15 * ms}, done)

	// One core, 10 ms each, arrivals at 0 and 5 ms: the first runs alone
	// for 5 ms, then both at half speed until it ends at 15 ms; the second
	// has 5 ms left at 15 ms and ends at 20 ms.
	done, _ = psRun(t, 1, []port.Time{0, 5 * ms}, 10*ms)
	require.Equal(t, []port.Time{15 * ms, 20 * ms}, done)
}

// TestServiceCostsFromModelSet: a service without a Cost reads the model
// set's services[name]; without one it is an error naming both.
func TestServiceCostsFromModelSet(t *testing.T) {
	m := &ModelSet{Name: "m", Services: map[string]ServiceModel{"db": {CostsMs: map[string]rng.Dist{"*": rng.Const(3)}}}}
	d := NewDriver(NewKernel(0), Config{Seed: 1, Models: m})
	require.NoError(t, d.AddService(Service{Name: "db", Ops: []string{"db-*"}, Cores: 1}))
	var done []port.Time
	n := d.AddNode("n", 1)
	id := d.AddCore(n, "c", func() port.Core { return &issueCore{st: newFakeStore(), done: &done} })
	d.Call(0, id, port.ClientCall{ID: 1})
	d.Run()
	require.Equal(t, []port.Time{3 * ms}, done)

	err := NewDriver(NewKernel(0), Config{Seed: 1, Models: &ModelSet{Name: "bare"}}).AddService(Service{Name: "db", Ops: []string{"db-*"}, Cores: 1})
	require.ErrorContains(t, err, `model set "bare" has no services["db"]`)
	require.ErrorContains(t, (&ModelSet{Name: "x", Services: map[string]ServiceModel{"db": {}}}).Validate(), "services[\"db\"]: costsMs: empty")
}
