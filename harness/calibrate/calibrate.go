package calibrate

import (
	"context"
	"fmt"
	"time"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
)

// Config is one calibration.
type Config struct {
	Name        string // name of the fitted model set
	Size        Size   // scale of the calibration runs
	MeasureRuns int    // runs per engine of the CPU measurement (median)
	MaxEvals    int    // evaluations of the calibration set, at most
	Jobs        int    // simulator runs at once
	Seed        uint64 // seed of every calibration run
	Start       Params // where the fit starts
	// EvalOnly evaluates the calibration set once at Start (clamped into
	// the parameters' ranges) instead of fitting: no uncalibrated
	// baseline, no workflow stage. It scores a change of structure at a
	// known point in one evaluation.
	EvalOnly bool
	// Measured, if set, are step costs measured before (by engine), used
	// instead of measuring again: a measurement on a loaded machine is
	// noisy, and a fit of new structure should see the same costs.
	Measured map[string]Measurement
	// Progress, if set, receives a line after each CPU measurement and
	// each evaluation of the fit.
	Progress func(line string)
}

// Output is what a calibration produced.
type Output struct {
	Config   Config
	Measured map[string]Measurement // by engine
	Fit      FitResult
	// Baseline is the uncalibrated set (sim.DefaultModels)
	// on the same targets, for comparison: its objective and values.
	Baseline FitResult
	Params   Params
	Models   *sim.ModelSet
	Targets  []Target
	// Workflow is the workflow service's stage (FitWorkflow), run on the
	// fitted set; Models holds its parameter.
	Workflow WorkflowFit
	Wall     time.Duration
}

// WorkflowEvals is the evaluations of the workflow service's stage.
const WorkflowEvals = 14

// Run measures both engines' step costs on this machine and fits Params
// to the calibration set.
func Run(ctx context.Context, c Config) (Output, error) {
	began := time.Now()
	say := func(format string, args ...any) {
		if c.Progress != nil {
			c.Progress(fmt.Sprintf(format, args...))
		}
	}
	out := Output{Config: c, Measured: map[string]Measurement{}, Targets: Targets(c.Size, c.Seed)}
	us := map[string]map[string]float64{}
	for _, engine := range spec.Engines {
		m, ok := c.Measured[engine]
		if !ok {
			var err error
			if m, err = Measure(ctx, engine, c.Size, c.MeasureRuns, sim.DefaultModels()); err != nil {
				return Output{}, err
			}
		}
		out.Measured[engine], us[engine] = m, m.Us
		say("measured %s: %d step kinds over %d turns × %d runs", engine, len(m.Us), m.Turns, m.Runs)
	}
	ev, err := NewEvaluator(out.Targets, c.Jobs)
	if err != nil {
		return Output{}, err
	}
	if c.EvalOnly {
		return evalOnly(ctx, c, out, ev, us, began)
	}
	base, err := ev.Values(ctx, sim.DefaultModels())
	if ctx.Err() != nil {
		return Output{}, ctx.Err()
	}
	_ = err // a failed target is part of the baseline's objective
	out.Baseline = FitResult{Values: base, Objective: Objective(ev.Paper(), base), Evals: 1}
	say("uncalibrated set: objective %.3f", out.Baseline.Objective)
	model := func(ctx context.Context, v []float64) ([]float64, error) {
		p, err := ParamsOf(Clamp(v))
		if err != nil {
			return nil, err
		}
		ms, err := p.ModelSet(c.Name, us)
		if err != nil {
			return nil, err
		}
		return ev.Values(ctx, ms)
	}
	progress := func(p FitProgress) {
		say("fit: evaluation %d/%d (%d runs each), objective %.3f, best %.3f, %s elapsed, ETA %s",
			p.Evals, p.MaxEvals, ev.Runs(), p.Objective, p.Best, p.Elapsed.Round(time.Second), p.ETA.Round(time.Second))
	}
	fit, err := Fit(ctx, ev.Paper(), model, c.Start.Vector(), c.MaxEvals, progress)
	if err != nil {
		return Output{}, err
	}
	fit.Params = Clamp(fit.Params) // what the best evaluation ran
	out.Fit = fit
	if out.Params, err = ParamsOf(fit.Params); err != nil {
		return Output{}, err
	}
	if out.Models, err = out.Params.ModelSet(c.Name, us); err != nil {
		return Output{}, err
	}
	if out.Workflow, out.Models, err = FitWorkflow(ctx, out.Models, c.Size, c.Seed, c.Jobs, WorkflowEvals, c.Progress); err != nil {
		return Output{}, fmt.Errorf("calibrate: workflow service: %w", err)
	}
	out.Wall = time.Since(began)
	return out, nil
}

// evalOnly is Run with Config.EvalOnly: one evaluation at c.Start.
func evalOnly(ctx context.Context, c Config, out Output, ev *Evaluator, us map[string]map[string]float64, began time.Time) (Output, error) {
	p, err := ParamsOf(Clamp(c.Start.Vector()))
	if err != nil {
		return Output{}, err
	}
	if out.Models, err = p.ModelSet(c.Name, us); err != nil {
		return Output{}, err
	}
	vals, err := ev.Values(ctx, out.Models)
	if ctx.Err() != nil {
		return Output{}, ctx.Err()
	}
	_ = err // a failed target is part of the objective
	out.Params = p
	out.Fit = FitResult{Params: p.Vector(), Values: vals, Objective: Objective(ev.Paper(), vals), Evals: 1, Status: StatusEvalOnly}
	out.Wall = time.Since(began)
	return out, nil
}

// StatusEvalOnly is the fit status of an evaluation-only run
// (Config.EvalOnly).
const StatusEvalOnly = "EvalOnly: the start point evaluated once, no fit"

// MaxRatio is the worst factor by which a target is off (>= 1; +Inf if a
// target failed).
func (o Output) MaxRatio() float64 {
	worst := 1.0
	for i, t := range o.Targets {
		v := o.Fit.Values[i]
		if !(v > 0) {
			return inf
		}
		worst = max(worst, v/t.Paper, t.Paper/v)
	}
	return worst
}
