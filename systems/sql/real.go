package sql

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/port"
	sqlengine "github.com/dflab/dflab/engine/sql"
	"github.com/dflab/dflab/systems"
)

// real is the SQL engine on the real driver: Workers workers and one
// client in this process, against the driver's Stores.SQL.
type real struct {
	e       *Sim
	hub     string
	workers int
	reg     *durable.Registry
}

func newReal(c systems.RealConfig) (systems.RealDeployment, error) {
	switch c.Storage {
	case "mem", "postgres":
	default:
		return nil, fmt.Errorf("storage %s: the sql engine needs a relational store; allowed mem, postgres", c.Storage)
	}
	e, err := simOf(c.Knobs, systems.RunnerReal)
	if err != nil {
		return nil, err
	}
	e.Logf = c.Logf
	return &real{e: e, hub: c.Hub, workers: max(c.Workers, 1), reg: c.Registry}, nil
}

func (r *real) StreamPartitions() int { return 0 }

// Units implements systems.RealHealth: one unit per worker, reported
// restarting while its polls fail (the database unreachable) and ok again
// once one succeeds.
func (r *real) Units() []string {
	out := make([]string, r.workers)
	for i := range out {
		out[i] = r.e.Config(i).WorkerID
	}
	return out
}

// Failed implements systems.RealHealth: a worker never fails for good (it
// polls until the database answers), so there is nothing to do.
func (r *real) Failed(*host.Driver, port.Health) {}

func (r *real) Start(_ context.Context, d *host.Driver) (host.CoreID, error) {
	for i := 0; i < r.workers; i++ {
		cfg := r.e.Config(i)
		cfg.Hub, cfg.Seed = r.hub, uint64(i)
		w, err := sqlengine.NewWorker(cfg, r.reg)
		if err != nil {
			return 0, err
		}
		d.AddCore(cfg.WorkerID, func() port.Core { return w })
	}
	client, err := sqlengine.NewClient(sqlengine.ClientDefaults(r.hub))
	if err != nil {
		return 0, err
	}
	return d.AddCore("client", func() port.Core { return client }), nil
}
