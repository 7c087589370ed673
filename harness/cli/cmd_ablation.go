package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/ablation"
	"github.com/dflab/dflab/harness/calibrate"
)

func cmdAblation(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ablation", "[--models NAME] [--only F1,F2] [--quick] [--out DIR] [--jobs N]", `
Turns each structural feature of the simulator's model off alone (`+strings.Join(ablation.Names(), ", ")+`)
and measures, beside the baseline with every feature on: the fit of the
calibration set (the objective a fit minimises, the worst target, how
many targets are within ±25 %; the same runs as dflab calibrate) and
Fig. 9's Hello5 at --nodes × --cores for both engines at the paper's
load sizes, with the resource that bound each run. Writes
`+ablation.TableFile+` and `+ablation.TargetsFile+` into --out; the Fig. 9
notebook reads them.`)
	c := ablation.DefaultConfig()
	var quick, progress bool
	var only, nodes string
	out := filepath.Join("results", "ablation")
	fs.StringVar(&c.Models, "models", c.Models, "model set every variant starts from")
	fs.StringVar(&only, "only", "", "comma-separated features to turn off (default: every one)")
	fs.StringVar(&nodes, "nodes", "1,4,8,12", "Fig. 9 cluster sizes")
	fs.IntVar(&c.Cores, "cores", c.Cores, "cores per node of the Fig. 9 runs")
	fs.Float64Var(&c.Scale, "scale", c.Scale, "Fig. 9 load scale (1: the paper's sizes)")
	fs.BoolVar(&quick, "quick", false, "calibration runs at calibrate --quick's size (seconds; not for committing)")
	fs.IntVar(&c.Jobs, "jobs", runtime.GOMAXPROCS(0), "simulator runs at once")
	fs.StringVar(&out, "out", out, "output directory (created)")
	fs.BoolVar(&progress, "progress", false, "print a line per variant even when stderr is not a terminal")
	if err := parse(fs, args); err != nil {
		return err
	}
	if quick {
		c.Size = calibrate.QuickSize
	}
	if only != "" {
		c.Only = strings.Split(only, ",")
	}
	c.Nodes = nil
	for _, n := range strings.Split(nodes, ",") {
		x, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || x < 1 {
			return fmt.Errorf("--nodes: %q: want cluster sizes like 1,4,8,12", nodes)
		}
		c.Nodes = append(c.Nodes, x)
	}
	switch {
	case c.Jobs < 1:
		return fmt.Errorf("--jobs = %d: want at least 1", c.Jobs)
	case c.Cores < 1 || c.Cores > 64:
		return fmt.Errorf("--cores = %d: want 1..64", c.Cores)
	case !(c.Scale > 0):
		return fmt.Errorf("--scale = %g: want a number > 0", c.Scale)
	}
	if progress || harness.IsTerminal(e.stderr) {
		c.Progress = func(line string) { fmt.Fprintln(e.stderr, line) }
	}
	rows, trows, err := ablation.Run(ctx, c)
	if err != nil {
		return err
	}
	if err := ablation.Write(out, rows, trows); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%-30s %9s %7s %6s  %-9s %5s %10s  %s\n", "feature off", "objective", "worst", "±25%", "engine", "nodes", "per s", "bound")
	for _, r := range rows {
		fmt.Fprintf(e.stdout, "%-30s %9.3f %6.2fx %3d/%d  %-9s %5d %10.1f  %s %.2f\n", r.Feature, r.Objective, r.WorstRatio, r.Within25, r.Targets,
			r.Engine, r.Nodes, r.ThroughputPerSec, r.Bound, r.BoundUtilisation)
	}
	fmt.Fprintf(e.stdout, "wrote %s and %s in %s\n", ablation.TableFile, ablation.TargetsFile, out)
	return nil
}
