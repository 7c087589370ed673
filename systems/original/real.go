package original

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/systems"
)

// real is the original engine configured for the real driver: Workers
// workers and one client in this process.
type real struct {
	e       *Sim
	hub     string
	workers int
	reg     *durable.Registry
	client  host.CoreID
}

func newReal(c systems.RealConfig) (systems.RealDeployment, error) {
	if c.Storage == "disk" {
		return nil, fmt.Errorf("storage disk: the original engine needs queues and tables; allowed mem, azure")
	}
	e, err := simOf(c.Knobs, systems.RunnerReal)
	if err != nil {
		return nil, err
	}
	e.Logf = c.Logf
	workers := max(c.Workers, 1)
	if c.ClientOnly {
		workers = 0
	}
	return &real{e: e, hub: c.Hub, workers: workers, reg: c.Registry}, nil
}

func (r *real) StreamPartitions() int { return 0 }

func (r *real) Start(_ context.Context, d *host.Driver) (host.CoreID, error) {
	for i := 0; i < r.workers; i++ {
		cfg := r.e.Config(i, r.workers)
		cfg.Hub, cfg.WorkerID, cfg.Seed = r.hub, fmt.Sprintf("worker%d", i), uint64(i)
		if _, err := original.NewWorker(cfg, r.reg); err != nil {
			return 0, err
		}
		// Every life (a restart after host.Driver.Crash) is a new worker
		// that finds its state in storage.
		d.AddCore(cfg.WorkerID, func() port.Core {
			w, _ := original.NewWorker(cfg, r.reg) // checked above
			return w
		})
	}
	client, err := original.NewClient(original.ClientDefaults(r.hub, r.e.controlQueues()))
	if err != nil {
		return 0, err
	}
	r.client = d.AddCore("client", func() port.Core { return client })
	return r.client, nil
}

// NodeCores implements systems.RealNodes: worker k is node k (the run's
// worker count is its node count).
func (r *real) NodeCores(nodes int) [][]string {
	out := make([][]string, max(nodes, 1))
	for k := 0; k < r.workers; k++ {
		out[k%len(out)] = append(out[k%len(out)], fmt.Sprintf("worker%d", k))
	}
	return out
}

// Units implements systems.RealHealth: the control queues.
func (r *real) Units() []string {
	units := make([]string, r.e.controlQueues())
	for q := range units {
		units[q] = original.ControlUnit(q)
	}
	return units
}

// Failed implements systems.RealHealth: a control queue fails for good
// when its stored data is corrupt (a lost lease only passes it to another
// worker); the client core then fails the calls for its instances.
func (r *real) Failed(d *host.Driver, h port.Health) {
	if down, ok := queueDown(h); ok {
		d.Call(r.client, port.ClientCall{Req: down})
	}
}

// queueDown is what the client core is told of a control queue's health
// report, if it tells that the queue failed for good; both drivers'
// deployments tell it so.
func queueDown(h port.Health) (original.QueueDown, bool) {
	var q int
	if _, err := fmt.Sscanf(h.Unit, "control-%d", &q); err != nil || h.State != port.HealthFailed {
		return original.QueueDown{}, false
	}
	return original.QueueDown{Queue: q, Reason: h.Reason}, true
}

var (
	_ systems.RealHealth = (*real)(nil)
	_ systems.RealNodes  = (*real)(nil)
)

// RealWorkerConfig is the configuration of one worker, named id, of a
// cluster of nodes worker processes (harness/cluster): the worker balances
// the control-queue leases with the others itself (engine/original).
func RealWorkerConfig(c systems.RealConfig, id string, nodes int) (original.Config, error) {
	e, err := simOf(c.Knobs, systems.RunnerReal)
	if err != nil {
		return original.Config{}, err
	}
	cfg := e.Config(0, nodes)
	cfg.Hub, cfg.WorkerID, cfg.Seed = c.Hub, id, fnvSeed(id)
	return cfg, cfg.Validate()
}

func fnvSeed(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * 1099511628211
	}
	return h
}
