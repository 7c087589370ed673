package dflab

import (
	"context"
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
)

func (e *Engine) startNetherite(ctx context.Context, reg *durable.Registry, o Options) error {
	knobs := netherite.DefaultKnobs()
	spec, err := netherite.ParseSpeculation(o.Speculation)
	if err != nil {
		return fmt.Errorf("dflab.Start: Options.Speculation: %w", err)
	}
	knobs.Speculation = spec
	if o.PollInterval > 0 {
		knobs.PollInterval = port.Time(o.PollInterval)
	}
	cfg := &netherite.Config{Hub: o.Hub, Partitions: o.Partitions, Clients: 1, Registry: reg, Knobs: knobs, Logf: o.Logf}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("dflab.Start: %w", err)
	}
	stores, err := e.openStores(ctx, o, cfg.StreamPartitions())
	if err != nil {
		return err
	}
	if err := e.newDriver(stores, o); err != nil {
		return err
	}
	for p := 0; p < o.Partitions; p++ {
		part, err := netherite.NewPartition(cfg, p, "host")
		if err != nil {
			return err
		}
		e.driver.AddCore(fmt.Sprintf("p%02d", p), func() port.Core { return part })
	}
	monitor, err := netherite.NewLoadMonitor(cfg)
	if err != nil {
		return err
	}
	e.driver.AddCore("monitor", func() port.Core { return monitor })
	client, err := netherite.NewClient(cfg, 0)
	if err != nil {
		return err
	}
	e.client = e.driver.NewClient(e.driver.AddCore("client", func() port.Core { return client }))
	return nil
}

func (e *Engine) startOriginal(ctx context.Context, reg *durable.Registry, o Options) error {
	if o.Storage == "disk" {
		return fmt.Errorf("dflab.Start: Options.Storage = disk: the original engine needs queues and tables; allowed mem, azure")
	}
	if o.Visibility != 0 && (o.Visibility < time.Duration(port.MinDequeueTimeout) || o.Visibility > time.Duration(port.MaxVisibility)) {
		return fmt.Errorf("dflab.Start: Options.Visibility = %v: allowed 1s..7d (0: the default, 5 min)", o.Visibility)
	}
	stores, err := e.openStores(ctx, o, 0)
	if err != nil {
		return err
	}
	if err := e.newDriver(stores, o); err != nil {
		return err
	}
	for i := 0; i < o.Workers; i++ {
		cfg := original.Defaults(o.Hub, fmt.Sprintf("worker%d", i))
		cfg.ControlQueues, cfg.Nodes, cfg.Seed = o.ControlQueues, o.Workers, uint64(i)
		if o.MaxPoll > 0 {
			cfg.PollMax = port.Time(o.MaxPoll)
			cfg.PollMin = min(cfg.PollMin, cfg.PollMax)
		}
		if o.Visibility > 0 {
			cfg.ControlVisibility, cfg.WorkItemVisibility = port.Time(o.Visibility), port.Time(o.Visibility)
		}
		w, err := original.NewWorker(cfg, reg)
		if err != nil {
			return fmt.Errorf("dflab.Start: %w", err)
		}
		e.driver.AddCore(cfg.WorkerID, func() port.Core { return w })
	}
	client, err := original.NewClient(original.ClientDefaults(o.Hub, o.ControlQueues))
	if err != nil {
		return fmt.Errorf("dflab.Start: %w", err)
	}
	e.client = e.driver.NewClient(e.driver.AddCore("client", func() port.Core { return client }))
	return nil
}
