package calibrate

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
)

// Evaluator runs the calibration targets on the simulator with a
// candidate model set. Targets that share a spec (the four percentiles of
// one latency run) share one run.
type Evaluator struct {
	Targets []Target
	// Jobs is how many runs go at once (each run is single-threaded and
	// deterministic, so the values do not depend on Jobs).
	Jobs  int
	specs []spec.Spec // unique resolved specs
	of    []int       // target i's spec index
}

// NewEvaluator resolves the targets' specs.
func NewEvaluator(targets []Target, jobs int) (*Evaluator, error) {
	e := &Evaluator{Targets: targets, Jobs: max(jobs, 1)}
	seen := map[string]int{}
	for _, t := range targets {
		rs, err := t.Spec.Resolve()
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.ID, err)
		}
		key, err := json.Marshal(rs)
		if err != nil {
			return nil, err
		}
		i, ok := seen[string(key)]
		if !ok {
			i = len(e.specs)
			seen[string(key)] = i
			e.specs = append(e.specs, rs)
		}
		e.of = append(e.of, i)
	}
	return e, nil
}

// Runs is the number of simulator runs of one evaluation.
func (e *Evaluator) Runs() int { return len(e.specs) }

// Paper returns the paper's values in target order.
func (e *Evaluator) Paper() []float64 {
	out := make([]float64, len(e.Targets))
	for i, t := range e.Targets {
		out[i] = t.Paper
	}
	return out
}

// Values runs every spec with models and returns each target's value (0
// for a target whose run failed) and the first run error.
func (e *Evaluator) Values(ctx context.Context, models *sim.ModelSet) ([]float64, error) {
	sets, errs := e.run(ctx, models)
	var first error
	out := make([]float64, len(e.Targets))
	for i, t := range e.Targets {
		j := e.of[i]
		if errs[j] != nil {
			if first == nil {
				first = fmt.Errorf("target %s: %w", t.ID, errs[j])
			}
			continue
		}
		out[i] = valueOf(t, sets[j])
	}
	return out, first
}

// Sets runs every target's spec with models and returns each target's
// metrics, or the first run error.
func (e *Evaluator) Sets(ctx context.Context, models *sim.ModelSet) ([]metrics.Set, error) {
	sets, errs := e.run(ctx, models)
	out := make([]metrics.Set, len(e.Targets))
	for i, t := range e.Targets {
		if err := errs[e.of[i]]; err != nil {
			return nil, fmt.Errorf("target %s: %w", t.ID, err)
		}
		out[i] = sets[e.of[i]]
	}
	return out, nil
}

// run runs every spec with models on e.Jobs goroutines and returns each
// spec's metrics and error.
func (e *Evaluator) run(ctx context.Context, models *sim.ModelSet) ([]metrics.Set, []error) {
	sets := make([]metrics.Set, len(e.specs))
	errs := make([]error, len(e.specs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range e.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s := e.specs[i]
				out, err := simrun.RunWith(ctx, s, s.Seed, simrun.Options{Models: models})
				sets[i], errs[i] = out.Metrics, err
			}
		}()
	}
	for i := range e.specs {
		next <- i
	}
	close(next)
	wg.Wait()
	return sets, errs
}

// valueOf is a target's value in a run's metrics: throughput, or the
// latency percentile.
func valueOf(t Target, m metrics.Set) float64 {
	switch t.Pct {
	case 0:
		return m.ThroughputPerSec
	case 25:
		return m.Latency.P25Ms
	case 50:
		return m.Latency.P50Ms
	case 90:
		return m.Latency.P90Ms
	}
	return m.Latency.P99Ms
}
