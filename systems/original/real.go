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
	return &real{e: e, hub: c.Hub, workers: max(c.Workers, 1), reg: c.Registry}, nil
}

func (r *real) StreamPartitions() int { return 0 }

func (r *real) Start(_ context.Context, d *host.Driver) (host.CoreID, error) {
	for i := 0; i < r.workers; i++ {
		cfg := r.e.Config(i, r.workers)
		cfg.Hub, cfg.WorkerID, cfg.Seed = r.hub, fmt.Sprintf("worker%d", i), uint64(i)
		w, err := original.NewWorker(cfg, r.reg)
		if err != nil {
			return 0, err
		}
		d.AddCore(cfg.WorkerID, func() port.Core { return w })
	}
	client, err := original.NewClient(original.ClientDefaults(r.hub, r.e.controlQueues()))
	if err != nil {
		return 0, err
	}
	return d.AddCore("client", func() port.Core { return client }), nil
}

// Units implements systems.RealHealth: the control queues.
func (r *real) Units() []string {
	units := make([]string, r.e.controlQueues())
	for q := range units {
		units[q] = original.ControlUnit(q)
	}
	return units
}

// Failed implements systems.RealHealth: a control queue never fails for
// good (its lease passes to another worker).
func (r *real) Failed(*host.Driver, port.Health) {}

var _ systems.RealHealth = (*real)(nil)
