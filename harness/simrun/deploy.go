package simrun

import (
	"fmt"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	"github.com/dflab/dflab/workloads"
)

// systemsOf and workloadsOf are the options' registries, or the built-in
// ones.
func (o Options) systemsOf() *systems.Registry {
	if o.Systems != nil {
		return o.Systems
	}
	return builtin.Systems()
}

func (o Options) workloadsOf() *workloads.Registry {
	if o.Workloads != nil {
		return o.Workloads
	}
	return workloads.Builtin()
}

// deploymentOf builds the simulator deployment of a resolved spec's
// engine from its system's descriptor.
func deploymentOf(reg *systems.Registry, e spec.Engine, seed uint64, planted string, logf func(string, ...any)) (systems.Deployment, error) {
	sys, err := reg.Lookup(e.Name)
	if err != nil {
		return nil, fmt.Errorf("spec.engine.name: %w", err)
	}
	knobs := e.Knobs
	if err != nil {
		return nil, err
	}
	dep, err := sys.Sim(systems.SimConfig{Knobs: knobs, Seed: seed, Planted: planted, Logf: logf})
	if err != nil {
		return nil, fmt.Errorf("spec.engine.%s: %w", e.Name, err)
	}
	return dep, nil
}
