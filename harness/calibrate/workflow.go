package calibrate

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/sim"
	wfsys "github.com/dflab/dflab/systems/workflow"
)

// The workflow service's stage of the fit: one parameter, its own time per
// state transition (sim.ModelSet.ServiceMs["workflow-transition"]), fitted
// alone to the workflow service's Hello3 latency (paper-notes' calibration
// set, the Step Functions row) with every other parameter of the set held
// as the main fit left it. No other number of the workflow service, and
// nothing of the trigger chains, is fitted.

// paperWorkflowHello3 is the Step Functions row of paper-notes' Hello3
// latency on 4 nodes × 2 cores (ms) at p25, p50, p90, p99.
var paperWorkflowHello3 = [4]float64{367, 379, 432, 545}

// WorkflowParam is the stage's parameter, its unit and its range.
var WorkflowParam = ParamInfo{"workflowTransitionMs", "ms per state transition", 1, 200,
	"Step Functions' own scheduling and history write per state transition, beyond one storage round trip of the record " +
		"(no published figure; a managed service's internal hop, between a queue round trip and a cold start)"}

// WorkflowFit is the stage's result.
type WorkflowFit struct {
	TransitionMs float64
	Targets      []Target
	Values       []float64 // at TransitionMs, in target order
	Baseline     []float64 // with no transition latency
	Objective    float64
	Evals        int
}

// WorkflowTargets are the workflow service's Hello3 targets at size z.
func WorkflowTargets(z Size, seed uint64) []Target {
	s := base(wfsys.System.Name, 4, 2, seed)
	s.Name = "calibrate/hello3"
	s.Workload = spec.Workload{Name: "hello3"}
	s.Load = spec.Load{Kind: spec.LoadOpen, RatePerSec: 10, Duration: spec.Duration(int64(z.Hello3Sec) * 1e9), Spacing: "fixed",
		LatencyEnd: spec.LatencyEndStatus}
	var out []Target
	for i, pct := range latencyPcts {
		out = append(out, Target{ID: fmt.Sprintf("hello3/workflow/p%g", pct), Paper: paperWorkflowHello3[i], Unit: "ms", Spec: s, Pct: pct})
	}
	return out
}

// WithTransitionMs returns a copy of m with the workflow service's
// transition latency set to ms (0: none).
func WithTransitionMs(m *sim.ModelSet, ms float64) *sim.ModelSet {
	c := *m
	c.ServiceMs = map[string]float64{}
	for k, v := range m.ServiceMs {
		c.ServiceMs[k] = v
	}
	delete(c.ServiceMs, wfsys.ServiceTransition)
	if ms > 0 {
		c.ServiceMs[wfsys.ServiceTransition] = round6(ms)
	}
	if len(c.ServiceMs) == 0 {
		c.ServiceMs = nil
	}
	return &c
}

// FitWorkflow fits the transition latency on m (every other parameter
// held) by golden-section search over its log within WorkflowParam's
// range, evals evaluations at most, and returns the fit and m with it.
func FitWorkflow(ctx context.Context, m *sim.ModelSet, z Size, seed uint64, jobs, evals int, progress func(string)) (WorkflowFit, *sim.ModelSet, error) {
	targets := WorkflowTargets(z, seed)
	ev, err := NewEvaluator(targets, jobs)
	if err != nil {
		return WorkflowFit{}, nil, err
	}
	f := WorkflowFit{Targets: targets}
	eval := func(ms float64) (float64, []float64, error) {
		v, err := ev.Values(ctx, WithTransitionMs(m, ms))
		if err != nil {
			return 0, nil, err
		}
		f.Evals++
		o := Objective(ev.Paper(), v)
		if progress != nil {
			progress(fmt.Sprintf("workflow fit: evaluation %d/%d, %s = %.4g ms, objective %.4f", f.Evals, evals, WorkflowParam.Name, ms, o))
		}
		return o, v, nil
	}
	if _, f.Baseline, err = eval(0); err != nil {
		return f, nil, err
	}
	lo, hi := math.Log(WorkflowParam.Lo), math.Log(WorkflowParam.Hi)
	g := (math.Sqrt(5) - 1) / 2
	a, b := hi-g*(hi-lo), lo+g*(hi-lo)
	fa, va, err := eval(math.Exp(a))
	if err != nil {
		return f, nil, err
	}
	fb, vb, err := eval(math.Exp(b))
	if err != nil {
		return f, nil, err
	}
	for f.Evals < evals {
		if fa <= fb {
			hi, b, fb, vb = b, a, fa, va
			a = hi - g*(hi-lo)
			if fa, va, err = eval(math.Exp(a)); err != nil {
				return f, nil, err
			}
		} else {
			lo, a, fa, va = a, b, fb, vb
			b = lo + g*(hi-lo)
			if fb, vb, err = eval(math.Exp(b)); err != nil {
				return f, nil, err
			}
		}
	}
	x, o, v := a, fa, va
	if fb < fa {
		x, o, v = b, fb, vb
	}
	f.TransitionMs, f.Objective, f.Values = round6(math.Exp(x)), o, v
	return f, WithTransitionMs(m, f.TransitionMs), nil
}

// Markdown is the stage's section of the fit report.
func (f WorkflowFit) Markdown(command string) string {
	var b strings.Builder
	b.WriteString(WorkflowSection + "\n\n")
	fmt.Fprintf(&b, "Produced by `%s`. One parameter, fitted alone (golden-section search over its log, %d evaluations, "+
		"objective %.4f = sum of ln(dflab/paper)² over the 4 targets) to the workflow service's Hello3 latency "+
		"(paper-notes' calibration set, Step Functions row); every other parameter of the set is held. "+
		"The trigger chains have no calibration number and nothing of theirs is fitted.\n\n", command, f.Evals, f.Objective)
	b.WriteString("| parameter | value | unit | allowed range | origin |\n|---|---|---|---|---|\n")
	edge := ""
	if f.TransitionMs <= WorkflowParam.Lo*1.001 || f.TransitionMs >= WorkflowParam.Hi*0.999 {
		edge = " — at the edge of its range: missing structure, not a fitted value"
	}
	fmt.Fprintf(&b, "| %s (serviceMs[%q]) | %.4g | %s | %g..%g | fitted; range: %s%s |\n\n", WorkflowParam.Name, wfsys.ServiceTransition,
		f.TransitionMs, WorkflowParam.Unit, WorkflowParam.Lo, WorkflowParam.Hi, WorkflowParam.Why, edge)
	b.WriteString("| target | unit | paper | dflab | ratio | without the parameter |\n|---|---|---|---|---|---|\n")
	for i, t := range f.Targets {
		fmt.Fprintf(&b, "| %s | %s | %g | %.4g | %.2f | %.4g |\n", t.ID, t.Unit, t.Paper, f.Values[i], f.Values[i]/t.Paper, f.Baseline[i])
	}
	return b.String()
}

// WorkflowSection is the heading of the stage's section in a fit report.
const WorkflowSection = "## Workflow service: transition latency"

// ReplaceWorkflowSection returns report with its workflow section (from
// WorkflowSection to the next "## " heading or the end) replaced by
// section, or section appended.
func ReplaceWorkflowSection(report, section string) string {
	i := strings.Index(report, WorkflowSection)
	if i < 0 {
		return strings.TrimRight(report, "\n") + "\n\n" + section
	}
	rest := report[i+len(WorkflowSection):]
	if j := strings.Index(rest, "\n## "); j >= 0 {
		return report[:i] + section + rest[j:]
	}
	return report[:i] + section
}
