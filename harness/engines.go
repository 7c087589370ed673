package harness

import (
	"context"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/realrun"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
)

// Default is the registry the CLI uses: the Netherite and original engines
// on the simulator (backend sim, harness/simrun) and on real backends
// (disk, azure, nats: harness/realrun, wall clock).
var Default = defaultRegistry()

func defaultRegistry() *Registry {
	r := NewRegistry()
	for _, e := range spec.Engines {
		if err := r.Register(e, RunnerFunc(backendRunner)); err != nil {
			panic(err) // a programming error: the names are spec.Engines
		}
	}
	return r
}

// backendRunner runs a request on the simulator (harness/simrun) or, for
// a real backend, with the real driver (harness/realrun).
func backendRunner(ctx context.Context, req Request) (metrics.Set, error) {
	if req.Spec.Backend.Kind == spec.BackendSim {
		return simrun.Run(ctx, req.Spec, req.Seed, req.Progress)
	}
	return realrun.RunWith(ctx, req.Spec, req.Seed, realrun.Options{Progress: req.Progress, Warn: req.Warn})
}
