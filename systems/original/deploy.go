package original

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/systems"
)

// Hub is the task hub's name.
const Hub = "hub"

// Sim deploys the original engine on the simulator: worker i on node i,
// the client core on a load node of its own (sim.Driver.AddLoadNode: the
// load generator's CPU is not modelled).
type Sim struct {
	ControlQueues int // C (0: the engine's default)
	Extended      bool
	ReplayCheck   bool      // original.Config.ReplayCheck
	MaxActivities int       // per worker (0: the node's activity slots, else the engine's default)
	Visibility    port.Time // control and work-item visibility timeouts (0: default)
	LeaseRenewal  port.Time // how often leases are renewed and balanced (0: default)
	LeaseInterval port.Time // the control-queue lease duration (0: default)
	MaxPoll       port.Time // cap of the empty-queue polling back-off (0: default)
	// ClientOnNodes runs the client's sends as the app's own: each
	// message the client core enqueues was sent by a function on one of
	// the app's nodes (round-robin over them, as a front end balances
	// HTTP requests), and that node's worker is told (original.Wake), so
	// it polls the queue at once if it owns it (Durable Functions'
	// clients share the host's AzureStorageOrchestrationService:
	// azure-functions-durable-extension AzureStorageDurabilityProviderFactory).
	ClientOnNodes bool
	// ThreadPool steps each worker's inputs on its node's thread pool
	// (sim.Driver.PoolInputs) instead of one thread of its own.
	ThreadPool bool
	// Seed seeds the workers' polling jitter: worker i gets
	// Seed*1_000_003 + i.
	Seed uint64
	// Planted is the workers' planted bug (original.Config.Planted; "":
	// none), for the fault campaign's tests.
	Planted string
	// Logf receives the glue's log lines (nil: dropped).
	Logf func(format string, args ...any)

	// Workers are the worker cores of the last Deploy, by node.
	Workers []sim.CoreID
	nodes   []sim.NodeID
}

// Name implements systems.Deployment.
func (e *Sim) Name() string {
	return fmt.Sprintf("original-C%d-ext=%v", e.controlQueues(), e.Extended)
}

// StreamPartitions implements systems.Deployment: the engine uses no stream.
func (e *Sim) StreamPartitions() int { return 0 }

func (e *Sim) controlQueues() int {
	if e.ControlQueues == 0 {
		return original.Defaults(Hub, "x").ControlQueues
	}
	return e.ControlQueues
}

// Config is worker i's configuration of n.
func (e *Sim) Config(i, n int) original.Config {
	cfg := original.Defaults(Hub, fmt.Sprintf("worker%d", i))
	cfg.ControlQueues, cfg.Nodes, cfg.ExtendedSessions = e.controlQueues(), n, e.Extended
	cfg.Seed, cfg.Planted, cfg.ReplayCheck = e.Seed*1_000_003+uint64(i), e.Planted, e.ReplayCheck
	if e.MaxActivities != 0 {
		cfg.MaxActivities = e.MaxActivities
	}
	if e.LeaseRenewal != 0 {
		cfg.LeaseRenewal = e.LeaseRenewal
	}
	if e.LeaseInterval != 0 {
		cfg.LeaseInterval = e.LeaseInterval
	}
	if e.Visibility != 0 {
		cfg.ControlVisibility, cfg.WorkItemVisibility = e.Visibility, e.Visibility
	}
	if e.MaxPoll != 0 {
		cfg.PollMax = e.MaxPoll
		cfg.PollMin = min(cfg.PollMin, cfg.PollMax)
	}
	return cfg
}

// Deploy implements systems.Deployment.
func (e *Sim) Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error) {
	e.Workers, e.nodes = e.Workers[:0], append([]sim.NodeID(nil), nodes...)
	for i, n := range nodes {
		cfg := e.Config(i, len(nodes))
		if slots := d.OrchestratorSlots(n); slots > 0 {
			// The Functions host gives the dispatcher this many sessions
			// (maxConcurrentOrchestratorFunctions), held across storage I/O.
			cfg.MaxSessions = slots
		}
		if slots := d.ActivitySlots(n); slots > 0 && e.MaxActivities == 0 {
			// The host runs this many activities at once
			// (maxConcurrentActivityFunctions, 10 × cores).
			cfg.MaxActivities = min(slots, 1000)
		}
		if _, err := original.NewWorker(cfg, reg); err != nil {
			return 0, err
		}
		id := d.AddCore(n, "worker", func() port.Core {
			w, _ := original.NewWorker(cfg, reg)
			return w
		})
		if e.ThreadPool {
			d.PoolInputs(id)
		}
		e.Workers = append(e.Workers, id)
	}
	ccfg := original.ClientDefaults(Hub, e.controlQueues())
	if _, err := original.NewClient(ccfg); err != nil {
		return 0, err
	}
	cn := d.AddLoadNode("client")
	client := d.AddCore(cn, "client", func() port.Core {
		c, _ := original.NewClient(ccfg)
		return c
	})
	if e.ClientOnNodes {
		e.wakeOnClientSends(d, client)
	}
	// A control queue that failed for good fails the calls for its
	// instances, as on the real driver (real.Failed).
	d.OnHealth(func(now port.Time, _ sim.CoreID, h port.Health) {
		if down, ok := queueDown(h); ok {
			d.Call(now, client, port.ClientCall{Req: down})
		}
	})
	return client, nil
}

// wakeOnClientSends tells a worker of each message the client core
// enqueued: the function that sent it ran on that worker's node, the
// nodes taken in turn, and the message reaches the worker after the
// node-local delay (it is dropped if the node is down).
func (e *Sim) wakeOnClientSends(d *sim.Driver, client sim.CoreID) {
	next := 0
	d.OnCompletion(func(_ port.Time, core sim.CoreID, op port.Op, err error) {
		enq, ok := op.(port.QueueEnqueue)
		if core != client || !ok || err != nil || len(e.Workers) == 0 {
			return
		}
		i := next % len(e.Workers)
		next++
		d.Send(e.nodes[i], e.Workers[i], port.ClientCall{Req: original.Wake{Queue: enq.Queue}})
	})
}

// LeaseBlob names the lease blob of control queue q (as engine/original
// names it).
func LeaseBlob(q int) string { return fmt.Sprintf("%s-leases/control-%02d", Hub, q) }

// SimTarget returns the plan target of this deployment (call it after
// Deploy): crash and restart by node name, and lease-loss pQ, which breaks
// the lease on control queue Q (its owner's next renewal fails, it drops
// the queue, and a worker acquires it again). Partitions of the plan are
// control queues. The original engine balances its queues itself and keeps
// nothing unsynced, so move, torn-tail and lose-unsynced are refused by
// CheckPlan. It implements systems.FaultGlue (r is not used).
func (e *Sim) SimTarget(d *sim.Driver, store *mem.Store, _ *rng.Source) *inject.SimTarget {
	return &inject.SimTarget{Driver: d, Nodes: systems.NodeNames(d, e.nodes), Partitions: e.controlQueues(),
		OnLeaseLoss: func(q int) {
			_, err := store.BreakLease(context.Background(), LeaseBlob(q), 0)
			if e.Logf != nil {
				e.Logf("glue: lease-loss control queue %d: break lease on %s: %v", q, LeaseBlob(q), err)
			}
		}}
}
