package cli

import (
	"context"
	"fmt"
	"math"
	"os"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/figures"
	"github.com/dflab/dflab/harness/results"
)

func cmdMerge(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "merge", "[--notebooks DIR] --out DIR SHARD_DIR... | --matrix FILE --out FILE SHARD_FILE...", `
Puts the shards of a sharded run back together, in the order one
unsharded run writes its rows, and refuses a run that is missing, present
twice or from another sweep. With shard directories of dflab figures
--shard i/N it writes every figure's rows, runs.csv, summary.csv, charts
and notebooks into --out, as dflab figures would (the model set, scale
and repetitions come from the shards, which must agree). With --matrix,
the shard files of dflab sweep --shard i/N are merged into the results
file --out.`)
	out := fs.String("out", "", "merged results directory (figures) or file (--matrix)")
	matrix := fs.String("matrix", "", "the sweep's matrix JSON file: merge sweep shards, not figures")
	nbs := fs.String("notebooks", "notebooks", "notebooks directory (figures)")
	if err := parseArgs(fs, args, math.MaxInt); err != nil {
		return err
	}
	shards := fs.Args()
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	if len(shards) == 0 {
		return fmt.Errorf("no shards given: name the shards' results directories (or files, with --matrix)")
	}
	if *matrix != "" {
		return mergeSweep(e, *matrix, *out, shards)
	}
	first, err := figures.ReadRunInfo(shards[0])
	if err != nil {
		return err
	}
	cfg := figures.DefaultConfig()
	cfg.Models, cfg.Scale, cfg.Repetitions = first.Models, first.Scale, first.Repetitions
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("shard %s: %w", shards[0], err)
	}
	var figs []figures.Figure
	for _, id := range first.Figures {
		f, err := figures.ByID(cfg, id)
		if err != nil {
			return err
		}
		figs = append(figs, f)
	}
	info, err := figures.Merge(e.catalog, figs, shards, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d shards: %d runs (%d failed), %d simulated events, %.1fs CPU: %.0f events per CPU second\n",
		info.Shards, info.Runs, info.Failed, info.Events, info.CPUTimeSec, info.EventsPerCPUSec)
	paths, err := figures.Plot(figs, *out, *nbs)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return nil
}

// mergeSweep merges the shard files of `dflab sweep --shard` into out.
func mergeSweep(e *env, matrix, out string, shards []string) error {
	specs, err := matrixSpecs(e, matrix)
	if err != nil {
		return err
	}
	var rows []results.Row
	for _, path := range shards {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("shard: %w", err)
		}
		r, err := results.Read(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("shard %s: %w", path, err)
		}
		rows = append(rows, r...)
	}
	merged, err := harness.MergeRows(e.catalog, specs, rows)
	if err != nil {
		return err
	}
	f, err := openResults(out, false)
	if err != nil {
		return err
	}
	defer f.Close()
	w := results.NewWriter(f)
	for _, r := range merged {
		if err := w.Write(r); err != nil {
			return fmt.Errorf("results file %s: %w", out, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	fmt.Fprintf(e.stdout, "%d shards: %d runs into %s\n", len(shards), len(merged), out)
	return nil
}
