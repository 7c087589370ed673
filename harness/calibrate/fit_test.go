package calibrate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/simrun"
)

// synthetic is a model with known structure: throughput-like and
// latency-like values that depend on the parameters multiplicatively and
// additively, as the simulator's do.
func synthetic(_ context.Context, p []float64) ([]float64, error) {
	cpu, page, stream := p[0], p[1], p[2]
	return []float64{
		1000 / (cpu * 3),           // CPU-bound throughput
		1000 / (cpu*2 + page),      // CPU plus a commit per unit
		2*stream + page,            // a latency
		4*page + 2*stream + cpu/10, // a latency with no pipelining
		stream * 3,
	}, nil
}

func TestFitRecoversKnownParameters(t *testing.T) {
	truth := []float64{4, 25, 6}
	paper, err := synthetic(context.Background(), truth)
	require.NoError(t, err)
	var seen []FitProgress
	res, err := Fit(context.Background(), paper, synthetic, []float64{1, 5, 20}, 600, func(p FitProgress) { seen = append(seen, p) })
	require.NoError(t, err)
	for i, want := range truth {
		require.InDelta(t, want, res.Params[i], want*0.02, "parameter %d: got %v, want %v", i, res.Params[i], want)
	}
	require.Less(t, res.Objective, 1e-4)
	require.Equal(t, res.Evals, len(seen))
	require.LessOrEqual(t, res.Evals, 600)
	for i := 1; i < len(seen); i++ {
		require.LessOrEqual(t, seen[i].Best, seen[i-1].Best, "best objective never increases")
	}
}

func TestFitStopsAtTheEvaluationLimit(t *testing.T) {
	paper, err := synthetic(context.Background(), []float64{4, 25, 6})
	require.NoError(t, err)
	res, err := Fit(context.Background(), paper, synthetic, []float64{1, 5, 20}, 10, nil)
	require.NoError(t, err)
	require.LessOrEqual(t, res.Evals, 11)
	require.Greater(t, res.Objective, 1e-3, "10 evaluations cannot reach the optimum")
	_, err = Fit(context.Background(), paper, synthetic, []float64{1, 5, 20}, 4, nil)
	require.ErrorContains(t, err, "maxEvals = 4")
	_, err = Fit(context.Background(), paper, synthetic, []float64{1, 0, 20}, 40, nil)
	require.ErrorContains(t, err, "start[1] = 0")
}

func TestFitStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	model := func(ctx context.Context, p []float64) ([]float64, error) {
		calls++
		if calls == 3 {
			cancel()
			return nil, ctx.Err()
		}
		return synthetic(ctx, p)
	}
	paper, _ := synthetic(context.Background(), []float64{4, 25, 6})
	_, err := Fit(ctx, paper, model, []float64{1, 5, 20}, 100, nil)
	require.True(t, errors.Is(err, context.Canceled), "got %v", err)
	require.Equal(t, 3, calls)
}

func TestObjective(t *testing.T) {
	require.Zero(t, Objective([]float64{10, 20}, []float64{10, 20}))
	require.InDelta(t, 2*math.Pow(math.Log(2), 2), Objective([]float64{10, 20}, []float64{20, 10}), 1e-12,
		"a factor of 2 over or under costs the same")
	require.InDelta(t, failedPenalty, Objective([]float64{10, 20}, []float64{0, 20}), 1e-12, "a failed target")
	require.InDelta(t, 2*failedPenalty, Objective([]float64{10, 20}, nil), 1e-12, "no values at all")
}

// The workflow service's stage fits one bounded parameter alone: with it
// the service's Hello3 latency moves from its storage round trips alone
// towards the paper's, the parameter stays in its range, and the report's
// section replaces the one before it.
func TestWorkflowStageFitsTheTransitionLatency(t *testing.T) {
	m, err := simrun.ModelSet(simrun.ModelsPaper2022b)
	require.NoError(t, err)
	f, fitted, err := FitWorkflow(context.Background(), WithTransitionMs(m, 0), QuickSize, 1, 1, 8, nil)
	require.NoError(t, err)
	require.Equal(t, 8, f.Evals)
	require.GreaterOrEqual(t, f.TransitionMs, WorkflowParam.Lo)
	require.LessOrEqual(t, f.TransitionMs, WorkflowParam.Hi)
	require.Equal(t, f.TransitionMs, fitted.ServiceMs["workflow-transition"])
	require.Less(t, f.Baseline[1], 200.0, "without it the service is its storage round trips")
	require.InDelta(t, 379, f.Values[1], 379*0.3, "p50 near the paper's")
	require.NoError(t, fitted.Validate())
	_, has := m.ServiceMs["workflow-transition"]
	require.True(t, has, "the committed set has the fitted parameter")
	sec := f.Markdown("dflab calibrate --workflow")
	require.Contains(t, sec, "| hello3/workflow/p50 | ms | 379 |")
	r := ReplaceWorkflowSection("# R\n\n"+WorkflowSection+"\n\nOLDTEXT\n\n## Next\n", sec)
	require.NotContains(t, r, "OLDTEXT")
	require.Contains(t, r, "## Next")
	require.Contains(t, ReplaceWorkflowSection("# R\n", sec), "# R\n\n"+WorkflowSection)
}

// PaperSize's loads grow with the cores as the paper's scripts did; the
// other sizes are the same on every core count.
func TestPaperSizeGrowsWithTheCores(t *testing.T) {
	load := func(z Size, id string) string {
		for _, tg := range Targets(z, 1) {
			if tg.ID == id {
				return fmt.Sprintf("%d %s", tg.Spec.Load.Instances, tg.Spec.Workload.Params)
			}
		}
		t.Fatalf("no target %s", id)
		return ""
	}
	require.Equal(t, "1000 ", load(PaperSize, "hello5/netherite/1x4"))
	require.Equal(t, "1000 ", load(PaperSize, "bank/netherite/1x1"))
	require.Equal(t, "3000 ", load(PaperSize, "bank/netherite/1x2"))
	require.Equal(t, "3000 ", load(PaperSize, "bank/original/1x4"))
	require.Equal(t, `1 {"bookWords":5000,"mappers":20,"reducers":10}`, load(PaperSize, "wordcount/netherite/1x2"))
	require.Equal(t, `1 {"bookWords":5000,"mappers":10,"reducers":10}`, load(PaperSize, "wordcount/original/1x4"))
	require.Equal(t, `1 {"blocks":300}`, load(PaperSize, "collision/netherite/1x4"))
	require.Equal(t, "200 ", load(FullSize, "bank/netherite/1x4"))
	require.Equal(t, `1 {"bookWords":400,"mappers":5,"reducers":5}`, load(FullSize, "wordcount/netherite/1x2"))
	require.Contains(t, PaperSize.describe(), "netherite: Bank 1000, WordCount 5×10, B=100 / Bank 3000, WordCount 20×10, B=200")
	require.Contains(t, FullSize.describe(), "Runs are scaled down (Hello5/Bank 200 orchestrations")
}
