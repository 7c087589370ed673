package harness

import (
	"context"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/realrun"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
)

// Default is the registry the CLI uses: the built-in systems (Netherite
// and the original engine) on the simulator (backend sim, harness/simrun)
// and on real backends (disk, azure, nats: harness/realrun, wall clock).
var Default = DefaultIn(spec.Catalog{})

// DefaultIn is a registry running every system of a catalog (with its
// workloads) on the simulator or a real backend, as Default.
func DefaultIn(c spec.Catalog) *Registry {
	r := NewRegistryIn(c)
	run := backendRunner{c: c}
	for _, e := range c.SystemsOf().Names() {
		if err := r.Register(e, run); err != nil {
			panic(err) // a programming error: the names are the catalog's
		}
	}
	return r
}

// backendRunner runs a request on the simulator (harness/simrun) or, for
// a real backend, with the real driver (harness/realrun).
type backendRunner struct{ c spec.Catalog }

func (b backendRunner) Run(ctx context.Context, req Request) (metrics.Set, error) {
	if req.Spec.Backend.Kind == spec.BackendSim {
		out, err := simrun.RunWith(ctx, req.Spec, req.Seed, simrun.Options{Progress: req.Progress,
			Systems: b.c.Systems, Workloads: b.c.Workloads})
		return out.Metrics, err
	}
	return realrun.RunWith(ctx, req.Spec, req.Seed, realrun.Options{Progress: req.Progress, Warn: req.Warn,
		Systems: b.c.Systems, Workloads: b.c.Workloads})
}

// Check validates a resolved spec as the runner of its backend does
// before it runs (simrun.Check, realrun.Check).
func (b backendRunner) Check(s spec.Spec) error {
	if s.Backend.Kind == spec.BackendSim {
		return simrun.Check(s, simrun.Options{Systems: b.c.Systems, Workloads: b.c.Workloads})
	}
	return realrun.Check(s, realrun.Options{Systems: b.c.Systems, Workloads: b.c.Workloads})
}
