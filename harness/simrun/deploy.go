package simrun

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/original"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
)

// deployer puts an engine's cores on the driver's nodes and returns the
// client core.
type deployer interface {
	StreamPartitions() int
	Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error)
}

// engineOf builds the deployer of a resolved spec's engine.
func engineOf(e spec.Engine, seed uint64) (deployer, error) {
	switch e.Name {
	case spec.EngineNetherite:
		k := netherite.DefaultKnobs()
		n := e.Netherite
		if n == nil {
			return nil, fmt.Errorf("spec.engine.netherite: missing (resolve the spec first)")
		}
		sp, err := netherite.ParseSpeculation(n.Speculation)
		if err != nil {
			return nil, fmt.Errorf("spec.engine.netherite.speculation: %w", err)
		}
		k.Speculation, k.MaxActivities = sp, n.MaxActivities
		k.CheckpointBytes, k.CheckpointEvents = n.Checkpoint.LogBytes, n.Checkpoint.Events
		k.CheckpointIdle = port.Time(n.Checkpoint.Idle.D())
		return &scenarios.Netherite{Partitions: n.Partitions, Knobs: k}, nil
	case spec.EngineOriginal:
		o := e.Original
		if o == nil {
			return nil, fmt.Errorf("spec.engine.original: missing (resolve the spec first)")
		}
		return &originalEngine{knobs: *o, seed: seed}, nil
	}
	return nil, fmt.Errorf("spec.engine.name = %q: the sim runner knows %s, %s", e.Name, spec.EngineNetherite, spec.EngineOriginal)
}

// originalEngine deploys the original engine as engine/original's scenario
// suite does: one worker per node and a client core on a node of its own.
type originalEngine struct {
	knobs spec.OriginalKnobs
	seed  uint64
}

func (e *originalEngine) StreamPartitions() int { return 0 }

func (e *originalEngine) Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error) {
	for i, n := range nodes {
		cfg := original.Defaults("hub", fmt.Sprintf("worker%d", i))
		cfg.ControlQueues, cfg.Nodes, cfg.Seed = e.knobs.ControlQueues, len(nodes), e.seed*1_000_003+uint64(i)
		cfg.ExtendedSessions, cfg.MaxActivities = e.knobs.ExtendedSessions, e.knobs.MaxConcurrentActivities
		if _, err := original.NewWorker(cfg, reg); err != nil {
			return 0, err
		}
		d.AddCore(n, "worker", func() port.Core {
			w, _ := original.NewWorker(cfg, reg)
			return w
		})
	}
	ccfg := original.ClientDefaults("hub", e.knobs.ControlQueues)
	if _, err := original.NewClient(ccfg); err != nil {
		return 0, err
	}
	cn := d.AddNode("client", 1)
	return d.AddCore(cn, "client", func() port.Core {
		c, _ := original.NewClient(ccfg)
		return c
	}), nil
}
