package simrun

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/internal/scenarios/originalsim"
	"github.com/dflab/dflab/sim"
)

// deployer puts an engine's cores on the driver's nodes and returns the
// client core.
type deployer interface {
	StreamPartitions() int
	Deploy(d *sim.Driver, nodes []sim.NodeID, reg *durable.Registry) (sim.CoreID, error)
}

// engineOf builds the deployer of a resolved spec's engine.
func engineOf(e spec.Engine, seed uint64, planted string) (deployer, error) {
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
		k.Planted = planted
		return &scenarios.Netherite{Partitions: n.Partitions, Knobs: k}, nil
	case spec.EngineOriginal:
		o := e.Original
		if o == nil {
			return nil, fmt.Errorf("spec.engine.original: missing (resolve the spec first)")
		}
		return &originalsim.Original{ControlQueues: o.ControlQueues, Extended: o.ExtendedSessions,
			MaxActivities: o.MaxConcurrentActivities, Seed: seed, Planted: planted}, nil
	}
	return nil, fmt.Errorf("spec.engine.name = %q: the sim runner knows %s, %s", e.Name, spec.EngineNetherite, spec.EngineOriginal)
}
