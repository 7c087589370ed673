package calibrate

import (
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/optimize"
)

// Model computes dflab's value of every target for a parameter vector (in
// the targets' order). An error, or a value <= 0, marks a target the
// parameters cannot produce (a stalled run, say); the fit penalises it.
type Model func(ctx context.Context, params []float64) ([]float64, error)

// failedPenalty is the squared log-ratio charged for a target the model
// could not produce: as bad as being off by a factor of 100.
var failedPenalty = math.Pow(math.Log(100), 2)

// Objective is the sum over targets of ln(dflab/paper)², the fit's loss:
// symmetric in over- and under-estimates and scale-free across units.
func Objective(paper, dflab []float64) float64 {
	sum := 0.0
	for i, p := range paper {
		if i >= len(dflab) || !(dflab[i] > 0) || math.IsInf(dflab[i], 0) {
			sum += failedPenalty
			continue
		}
		r := math.Log(dflab[i] / p)
		sum += r * r
	}
	return sum
}

// FitProgress is reported after each evaluation of the model.
type FitProgress struct {
	Evals, MaxEvals int
	Objective, Best float64
	Elapsed, ETA    time.Duration
}

// FitResult is the best point the fit found.
type FitResult struct {
	Params    []float64 // best parameters
	Values    []float64 // the model's values there
	Objective float64
	Evals     int
	Status    string // why the optimizer stopped
}

// Fit minimises Objective(paper, model(p)) over p > 0 with Nelder-Mead on
// ln p, starting at start, for at most maxEvals evaluations of model.
// progress, if set, is called after every evaluation.
func Fit(ctx context.Context, paper []float64, model Model, start []float64, maxEvals int, progress func(FitProgress)) (FitResult, error) {
	if maxEvals < len(start)+2 {
		return FitResult{}, fmt.Errorf("fit: maxEvals = %d, want at least %d (parameters + 2)", maxEvals, len(start)+2)
	}
	x0 := make([]float64, len(start))
	for i, v := range start {
		if !(v > 0) {
			return FitResult{}, fmt.Errorf("fit: start[%d] = %g, must be > 0", i, v)
		}
		x0[i] = math.Log(v)
	}
	began := time.Now()
	best := FitResult{Objective: math.Inf(1)}
	var runErr error
	evals := 0
	f := func(x []float64) float64 {
		if runErr != nil || ctx.Err() != nil {
			return math.Inf(1)
		}
		p := make([]float64, len(x))
		for i, v := range x {
			p[i] = math.Exp(v)
		}
		vals, err := model(ctx, p)
		if err != nil && ctx.Err() != nil {
			runErr = ctx.Err()
		}
		obj := Objective(paper, vals)
		evals++
		if obj < best.Objective {
			best = FitResult{Params: p, Values: vals, Objective: obj}
		}
		if progress != nil {
			el := time.Since(began)
			progress(FitProgress{Evals: evals, MaxEvals: maxEvals, Objective: obj, Best: best.Objective,
				Elapsed: el, ETA: time.Duration(float64(el) / float64(evals) * float64(maxEvals-evals))})
		}
		return obj
	}
	settings := &optimize.Settings{FuncEvaluations: maxEvals, Concurrent: 1,
		Converger: &optimize.FunctionConverge{Absolute: 1e-4, Relative: 1e-4, Iterations: 4 * len(start)}}
	res, err := optimize.Minimize(optimize.Problem{Func: f}, x0, settings, &optimize.NelderMead{SimplexSize: 0.7})
	if runErr != nil {
		return FitResult{}, fmt.Errorf("fit: %w", runErr)
	}
	if best.Params == nil {
		return FitResult{}, fmt.Errorf("fit: no evaluation succeeded: %v", err)
	}
	best.Evals = evals
	if res != nil {
		best.Status = res.Status.String()
	}
	return best, nil
}
