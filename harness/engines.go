package harness

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
)

// Default is the registry the CLI uses: the Netherite and original engines
// on the simulator (backend sim). Real backends are not wired yet; a spec
// naming one gets an error saying so.
var Default = defaultRegistry()

func defaultRegistry() *Registry {
	r := NewRegistry()
	for _, e := range spec.Engines {
		if err := r.Register(e, RunnerFunc(simRunner)); err != nil {
			panic(err) // a programming error: the names are spec.Engines
		}
	}
	return r
}

// simRunner runs a request on the simulator (harness/simrun).
func simRunner(ctx context.Context, req Request) (metrics.Set, error) {
	if req.Spec.Backend.Kind != spec.BackendSim {
		return metrics.Set{}, fmt.Errorf("backend %q: only %q is wired into the harness so far", req.Spec.Backend.Kind, spec.BackendSim)
	}
	return simrun.Run(ctx, req.Spec, req.Seed, req.Progress)
}
