package original

import (
	"fmt"
	"github.com/dflab/dflab/internal/scenarios"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

const (
	ms = port.Millisecond
	// t0 is the virtual start time (Unix ns), so CurrentTime looks sane.
	t0 = port.Time(1_700_000_000) * port.Second
)

var hello5Out = []string{"Hello Tokyo!", "Hello Seattle!", "Hello London!", "Hello Amsterdam!", "Hello Mumbai!"}

// testModels: storage round trips of a few ms, small CPU costs.
func testModels() *sim.ModelSet {
	return &sim.ModelSet{
		Name:      "original-test",
		DefaultOp: sim.OpModel{BaseMs: rng.MustParse("lognormal(mu=1.8,sigma=0.3)")},
		CPU: sim.CPUModel{CostsMs: map[string]rng.Dist{
			"input:*":                 rng.Const(0.02),
			"work:orchestration-step": rng.Const(0.5),
			"work:replay-event":       rng.Const(0.01),
			"work:entity-step":        rng.Const(0.3),
			"activity:*":              rng.Const(0.1),
		}},
		Network: sim.NetworkModel{LocalMs: rng.Const(0.01), RemoteMs: rng.Const(1)},
	}
}

// cluster is a simulated task hub: nodes with one worker each, a client
// core on its own node, mem storage behind a meter.
type cluster struct {
	t       testing.TB
	k       *sim.Kernel
	d       *sim.Driver
	store   *mem.Store
	meter   *meter.Meter
	nodes   []sim.NodeID
	workers []sim.CoreID
	client  sim.CoreID
	calls   port.CallID
	resps   map[port.CallID]port.Response
}

type clusterOpts struct {
	seed   uint64
	nodes  int
	config func(*Config)
	reg    *durable.Registry
}

func newCluster(t testing.TB, o clusterOpts) *cluster {
	k := sim.NewKernel(t0)
	store, err := mem.New(k.Now, mem.Options{})
	require.NoError(t, err)
	m := meter.New()
	c := &cluster{t: t, k: k, store: store, meter: m, resps: map[port.CallID]port.Response{}}
	c.d = sim.NewDriver(k, sim.Config{Seed: o.seed, Models: testModels(), Stores: store.Stores(), Middleware: []port.Middleware{m.Middleware},
		OnResponse: func(_ port.Time, _ sim.CoreID, r port.Response) { c.resps[r.ID] = r }})
	for i := 0; i < o.nodes; i++ {
		cfg := Defaults("hub", fmt.Sprintf("worker%d", i))
		cfg.Nodes, cfg.Seed = o.nodes, o.seed
		if o.config != nil {
			o.config(&cfg)
		}
		n := c.d.AddNode(fmt.Sprintf("node%d", i), 2)
		c.nodes = append(c.nodes, n)
		c.workers = append(c.workers, c.d.AddCore(n, "worker", func() port.Core {
			w, err := NewWorker(cfg, o.reg)
			require.NoError(t, err)
			return w
		}))
	}
	ccfg := ClientDefaults("hub", Defaults("hub", "x").ControlQueues)
	if o.config != nil {
		probe := Defaults("hub", "x")
		o.config(&probe)
		ccfg.ControlQueues = probe.ControlQueues
	}
	ccfg.Seed = o.seed
	cn := c.d.AddNode("client", 1)
	c.client = c.d.AddCore(cn, "client", func() port.Core {
		cl, err := NewClient(ccfg)
		require.NoError(t, err)
		return cl
	})
	return c
}

// call sends a client request at virtual time at and returns its id.
func (c *cluster) call(at port.Time, req durable.ClientRequest) port.CallID {
	c.calls++
	c.d.Call(at, c.client, port.ClientCall{ID: c.calls, Req: req})
	return c.calls
}

func (c *cluster) start(at port.Time, instance, name string, input any) port.CallID {
	b, err := durable.Marshal(input)
	require.NoError(c.t, err)
	return c.call(at, durable.ClientRequest{Kind: durable.RequestStart, Instance: instance, Name: name, Payload: b})
}

func (c *cluster) wait(at port.Time, instance string) port.CallID {
	return c.call(at, durable.ClientRequest{Kind: durable.RequestWait, Instance: instance})
}

// runUntilAnswered runs the simulation until every call in ids has a
// response, or fails after limit of virtual time.
func (c *cluster) runUntilAnswered(limit port.Time, ids ...port.CallID) {
	end := c.k.Now() + limit
	for c.k.Now() < end {
		c.d.RunUntil(c.k.Now() + 100*ms)
		if c.answered(ids) {
			return
		}
	}
	require.FailNow(c.t, "calls not answered", "after %v of virtual time", time.Duration(limit))
}

func (c *cluster) answered(ids []port.CallID) bool {
	for _, id := range ids {
		if _, ok := c.resps[id]; !ok {
			return false
		}
	}
	return true
}

// status returns the answer of a call (a status, wait or start).
func (c *cluster) status(id port.CallID) durable.InstanceStatus {
	r, ok := c.resps[id]
	require.True(c.t, ok, "call %d not answered", id)
	require.NoError(c.t, r.Err)
	resp, ok := r.Resp.(durable.ClientResponse)
	require.True(c.t, ok, "call %d: response %T", id, r.Resp)
	require.True(c.t, resp.Found, "call %d: instance not found", id)
	return resp.Status
}

func (c *cluster) worker(i int) *Worker {
	w, _ := c.d.Core(c.workers[i]).(*Worker)
	return w
}

func helloRegistry(t testing.TB) *durable.Registry {
	reg := durable.NewRegistry()
	require.NoError(t, scenarios.SetupHello(reg))
	return reg
}
