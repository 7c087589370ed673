package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dflab/dflab/engine/host"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/systems"
	osys "github.com/dflab/dflab/systems/original"
)

// runOriginal runs one original-engine worker core: it balances the
// control-queue leases with the other workers itself (engine/original:
// fair share of c.Nodes, steals from the most loaded, takes lapsed leases).
// On ctx's end it stops; its leases lapse after the lease interval.
func runOriginal(ctx context.Context, c WorkerConfig) error {
	cfg, err := osys.RealWorkerConfig(systems.RealConfig{Registry: c.Registry, Hub: c.Hub, Knobs: c.Knobs, Storage: "azure", Logf: c.Logf}, c.Name, c.Nodes)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	cfg.MaxActivities = max(cfg.MaxActivities, c.Cores)
	stores, closeFn, err := c.Shared.open(ctx, c.Hub, 0)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	defer closeFn()
	w, err := original.NewWorker(cfg, c.Registry)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	logf := func(format string, args ...any) {
		if c.Logf != nil {
			c.Logf(format, args...)
		}
	}
	faults := &planInjector{name: c.Name, logf: logf}
	go faults.poll(ctx, stores.Blob, c.Hub)
	defer faults.report()
	d, err := host.New(host.Config{Stores: stores, ActivityWorkers: 2 * c.Cores, Middleware: []port.Middleware{faults.Middleware}})
	if err != nil {
		return err
	}
	d.AddCore(c.Name, func() port.Core { return w })
	d.Start(context.WithoutCancel(ctx))
	if c.Logf != nil {
		c.Logf("worker %s: up (original engine, %d control queues, fair share of %d nodes)", c.Name, cfg.ControlQueues, c.Nodes)
	}
	<-ctx.Done()
	d.Stop()
	if c.Logf != nil {
		c.Logf("worker %s: down (its control-queue leases lapse)", c.Name)
	}
	return nil
}

// ReadQueueOwners reads the original engine's control-queue lease blobs
// of hub (queues of them): each holds the id of the worker that last won
// its lease.
func ReadQueueOwners(ctx context.Context, b port.Blob, hub string, queues int) (Shape, error) {
	s := Shape{}
	for q := 0; q < queues; q++ {
		d, err := b.GetBlob(ctx, original.LeaseBlob(hub, q), port.Range{})
		if errors.Is(err, port.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		owner := strings.TrimSpace(string(d.Data))
		if owner == "" {
			continue
		}
		r := s[owner]
		r.Worker = owner
		r.Partitions = append(r.Partitions, q)
		r.Running = r.Partitions // a control queue runs once its lease is taken (Life stays 0: a restart under the same name is not told apart)
		s[owner] = r
	}
	return s, nil
}
