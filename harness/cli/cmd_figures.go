package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/figures"
	"github.com/dflab/dflab/harness/results"
)

func cmdFigures(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "figures", "[--only ID] [--plots] [--out DIR] [--notebooks DIR]", `
Regenerates the paper's figures on the simulator: Fig. 9 (throughput
scale-out), Fig. 10 (storage traffic of Fig. 9's runs), Fig. 11 (latency
CDFs), the speculation levels, an elasticity/recovery timeline, the sql
engine's vCores sweep and a what-if to 128 nodes (--list). Each
figure's runs go to DIR/<id>/<id>.jsonl with runs.csv and summary.csv,
its charts (PNG and SVG) beside them, and one Markdown notebook per
figure to --notebooks. --plots redraws charts and notebooks from the
results already there, running nothing. --list prints the definitions.
--shard i/N runs only every N-th run of each figure (from the i-th,
one-based) and draws nothing: N processes of a scheduler's array job
share the figures, and dflab merge DIR... puts their directories together
and draws the charts.`)
	shard := fs.String("shard", "", "run only shard i/N of every figure's runs (1 <= i <= N); no charts")
	out := fs.String("out", "results", "results directory")
	nbs := fs.String("notebooks", "notebooks", "notebooks directory")
	list := fs.Bool("list", false, "list the figure definitions and exit")
	only := fs.String("only", "", "one figure id (see --list)")
	plotsOnly := fs.Bool("plots", false, "charts and notebooks from existing results; run nothing")
	cfg := figures.DefaultConfig()
	fs.StringVar(&cfg.Models, "models", cfg.Models, "simulator model set")
	fs.IntVar(&cfg.Repetitions, "reps", cfg.Repetitions, "repetitions per point (seeds 1..reps)")
	fs.Float64Var(&cfg.Scale, "scale", cfg.Scale, "multiplies the workload sizes (1: the committed figures)")
	workers := fs.Int("workers", 2, "runs at once")
	progress := fs.Bool("progress", false, "print the progress line even when stderr is not a terminal")
	var pf profileFlags
	pf.register(fs, "--out")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	figs := figures.All(cfg)
	if *only != "" {
		f, err := figures.ByID(cfg, *only)
		if err != nil {
			return err
		}
		figs = []figures.Figure{f}
	}
	if *list {
		return listFigures(e, figs)
	}
	stop, err := pf.start(e, *out)
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	var sh harness.Shard
	if *shard != "" {
		if sh, err = harness.ParseShard(*shard); err != nil {
			return err
		}
		if *plotsOnly {
			return fmt.Errorf("--shard runs a shard and draws nothing; --plots draws and runs nothing: give one")
		}
	}
	if !*plotsOnly {
		info, err := figures.Run(ctx, e.registry, figs, figures.Options{Config: cfg, Results: *out, Notebooks: *nbs,
			Workers: *workers, Revision: results.BuildRevision(), Status: e.stderr, ForceProgress: *progress, Shard: sh})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%d runs (%d failed), %d simulated events in %.1fs wall on %d workers, %.1fs CPU: %.0f events per CPU second, %.0f events/s per worker\n",
			info.Runs, info.Failed, info.Events, info.WallTimeSec, info.Workers, info.CPUTimeSec, info.EventsPerCPUSec, info.EventsPerSec)
		if sh.Count > 1 {
			fmt.Fprintf(e.stdout, "shard %s into %s: merge the shards with `%s merge --out DIR SHARD_DIR...`\n", sh, *out, e.program)
			return nil
		}
	}
	paths, err := figures.Plot(figs, *out, *nbs)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	fmt.Fprintf(e.stdout, "figures: %.1fs wall in all\n", time.Since(start).Seconds())
	return nil
}

func listFigures(e *env, figs []figures.Figure) error {
	for _, f := range figs {
		specs, err := f.Expand()
		if err != nil {
			return err
		}
		runs := 0
		for _, s := range specs {
			runs += s.Repetitions
		}
		what := f.Title
		if f.Source != "" {
			what += fmt.Sprintf(" (charts %s's runs on %d nodes × %d cores)", f.Source, f.Shape.Nodes, f.Shape.Cores)
		}
		fmt.Fprintf(e.stdout, "%-12s %3d specs %4d runs  %s\n", f.ID, len(specs), runs, what)
	}
	return nil
}
