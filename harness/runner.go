package harness

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
)

// Request is one repetition of a resolved spec.
type Request struct {
	Spec       spec.Spec // resolved (spec.Resolve)
	Repetition int       // 0-based
	Seed       uint64    // this repetition's seed: Spec.Seed + Repetition
	// Progress, if set, receives the number of simulator events processed
	// so far (a runner may call it as often as it likes; it is cheap).
	Progress func(events int64)
	// Warn, if set, receives the engine's notable events during a real run
	// (see realrun.Options.Warn), one line each, from any goroutine.
	Warn func(line string)
}

// Runner runs one repetition and returns its metrics. This is what an
// engine implements to be used by `dflab run`, `sweep`, `figures`,
// `calibrate` and `repro`. A Runner must:
//   - run Spec on Spec.Backend with Spec.Cluster and the engine's knobs,
//     the workload Spec.Workload (params handed to the workload package),
//     the load Spec.Load and the fault plan Spec.Faults, seeded by Seed;
//   - return a metrics.Set whose Clock says "virtual" (backend sim) or
//     "wall" (real backends), with throughput and latency from a
//     metrics.Recorder, storage from the backends/meter snapshot
//     (metrics.TrafficOf) and cost (metrics.CostOf);
//   - return an error (never partial metrics) if the run or an oracle
//     failed, naming what failed; and stop when ctx is cancelled.
type Runner interface {
	Run(ctx context.Context, req Request) (metrics.Set, error)
}

// RunnerFunc adapts a function to Runner.
type RunnerFunc func(ctx context.Context, req Request) (metrics.Set, error)

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context, req Request) (metrics.Set, error) { return f(ctx, req) }

// ErrNoEngine is returned when no Runner is registered for an engine.
var ErrNoEngine = errors.New("no engine registered")

// Registry maps engine names (the systems of its catalog) to Runners.
type Registry struct {
	mu      sync.Mutex
	m       map[string]Runner
	catalog spec.Catalog
}

// NewRegistry returns an empty registry for the built-in systems and
// workloads.
func NewRegistry() *Registry { return NewRegistryIn(spec.Catalog{}) }

// NewRegistryIn returns an empty registry for a catalog's systems and
// workloads: specs run through it resolve against the catalog.
func NewRegistryIn(c spec.Catalog) *Registry { return &Registry{m: map[string]Runner{}, catalog: c} }

// Catalog is what the registry's specs may name.
func (r *Registry) Catalog() spec.Catalog { return r.catalog }

// Register adds the runner of engine; an unknown engine name or a second
// registration is an error.
func (r *Registry) Register(engine string, run Runner) error {
	if _, err := r.catalog.SystemsOf().Lookup(engine); err != nil {
		return fmt.Errorf("harness: register %q: not one of %s", engine, strings.Join(r.catalog.SystemsOf().Names(), ", "))
	}
	if run == nil {
		return fmt.Errorf("harness: register %q: nil runner", engine)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[engine]; dup {
		return fmt.Errorf("harness: engine %q registered twice", engine)
	}
	r.m[engine] = run
	return nil
}

// Lookup returns the runner of engine, or an error wrapping ErrNoEngine
// that says which engines are registered.
func (r *Registry) Lookup(engine string) (Runner, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if run, ok := r.m[engine]; ok {
		return run, nil
	}
	have := "none yet: the engines are not wired into the harness (harness/engines.go, issue 8)"
	if len(r.m) > 0 {
		names := make([]string, 0, len(r.m))
		for n := range r.m {
			names = append(names, n)
		}
		sort.Strings(names)
		have = strings.Join(names, ", ")
	}
	return nil, fmt.Errorf("%w for %q; registered: %s", ErrNoEngine, engine, have)
}

// Engines returns the registered engine names, sorted.
func (r *Registry) Engines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.m))
	for n := range r.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
