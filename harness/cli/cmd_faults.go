package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/campaign"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/workloads"
)

// setupFlags are the flags that, with the seed, decide a campaign case.
type setupFlags struct {
	engines   string
	workloads string
	planted   string
}

func (f *setupFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.engines, "engines", "", "engines a seed may draw, comma-separated (default: every registered one)")
	fs.StringVar(&f.workloads, "workloads", "", "workloads a seed may draw, comma-separated, in order (default: every registered one)")
	fs.StringVar(&f.planted, "planted", "", "switch on a planted bug (test-only engine knob), e.g. skip-dedup")
}

// setup is the campaign setup of the flags over the command's catalog:
// --workloads makes a registry of exactly those workloads, in that order
// (a repro command lists the workloads its campaign drew from).
func (f *setupFlags) setup(e *env) (campaign.Setup, error) {
	su := campaign.Setup{Planted: f.planted, Systems: e.catalog.SystemsOf(), Workloads: e.catalog.WorkloadsOf(), Program: e.program}
	if f.engines != "" {
		su.Engines = strings.Split(f.engines, ",")
		for _, name := range su.Engines {
			if _, err := su.Systems.Lookup(name); err != nil {
				return su, fmt.Errorf("--engines: %w; a program that registers it (cli.WithEngine) can run it", err)
			}
		}
	}
	if f.workloads != "" {
		only := &workloads.Registry{}
		for _, name := range strings.Split(f.workloads, ",") {
			w, err := su.Workloads.Lookup(name)
			if err != nil {
				return su, fmt.Errorf("--workloads: %w; a program that registers it (cli.WithWorkload) can run it", err)
			}
			if err := only.Register(w); err != nil {
				return su, fmt.Errorf("--workloads: %w", err)
			}
		}
		su.Workloads = only
	}
	return su, nil
}

func cmdFaults(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "faults", "--seeds N [--from S] [--engines LIST] [--workloads LIST] [--planted BUG]", `
Runs the swarm fault campaign on the simulator: every seed draws an engine
and its knobs, a small workload and a random fault plan, runs a safety
phase with the faults and a heal phase without them, and every checker
judges the run. Prints the summary table (seeds, faults injected by kind,
violations by checker, wall time) and, for every violation, the one
command that reproduces it. Exits 1 if any checker failed; an interrupt
(Ctrl-C) prints the summary of the seeds finished so far and exits 130.
Seeds run on --workers goroutines; the summary does not depend on how
many.`)
	var sf setupFlags
	sf.register(fs)
	seeds := fs.Uint64("seeds", 1000, "number of seeds")
	from := fs.Uint64("from", 1, "first seed")
	twice := fs.Int("twice-every", 10, "run every n-th seed twice and compare trace hashes (negative: never)")
	var pf profileFlags
	pf.register(fs, "the current directory (faults writes no results)")
	stopAfter := fs.Int("stop-after", 0, "stop after this many violations (0: never)")
	workers := fs.Int("workers", runtime.NumCPU(), "seeds run at once")
	progress := fs.Bool("progress", false, "print the progress line even when stderr is not a terminal")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *stopAfter < 0 {
		return fmt.Errorf("--stop-after %d: allowed 0 (never) or more", *stopAfter)
	}
	if *seeds == 0 {
		return fmt.Errorf("--seeds 0: allowed: 1 or more")
	}
	if *workers < 1 {
		return fmt.Errorf("--workers %d: allowed: 1 or more", *workers)
	}
	if *twice == 0 {
		return fmt.Errorf("--twice-every 0: allowed: a positive n, or negative for never")
	}
	su, err := sf.setup(e)
	if err != nil {
		return err
	}
	stop, err := pf.start(e, ".")
	if err != nil {
		return err
	}
	defer stop()
	prog := harness.NewProgress(e.stderr, int(*seeds), *progress, nil).Unit("seeds")
	prog.Note("0 violations")
	track := prog.Tracker()
	var events int64
	sum, err := campaign.Run(ctx, campaign.Config{From: *from, Seeds: *seeds, Setup: su, TwiceEvery: *twice, StopAfter: *stopAfter,
		Log: e.stderr, Workers: *workers, SeedDone: func(n int64, violations int) {
			prog.Note(fmt.Sprintf("%d violations", violations))
			events += n
			track(events)
			prog.RunDone()
		}})
	prog.Finish()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if err := sum.Print(e.stdout); err != nil {
		return err
	}
	if err != nil {
		return err // interrupted: the summary is of the seeds before it
	}
	if n := len(sum.Violations); n > 0 {
		return fmt.Errorf("%d violations", n)
	}
	return nil
}

// specFlagNames are repro's flags that make it re-run a spec rather than
// a campaign seed.
var specFlagNames = map[string]bool{"spec": true, "set": true, "engine": true, "backend": true, "models": true,
	"workload": true, "knob": true, "params": true, "load": true, "faults": true, "nodes": true, "cores": true, "reps": true}

func cmdRepro(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "repro", "--seed N [--plan FILE] [--engines LIST] [--workloads LIST] [--planted BUG] | --spec FILE --seed N [--plan FILE]", `
Re-runs one seed exactly: without spec flags, the fault campaign's case of
that seed (the command a failing checker prints), printing its
configuration, its fault plan, its trace hash and the checkers' verdict;
--plan replaces the drawn plan with a saved one. With spec flags, one
repetition of that spec with the seed and plan, printing its row.`)
	var sf specFlags
	sf.register(fs)
	var su setupFlags
	su.register(fs)
	planFile := fs.String("plan", "", "fault plan file (overrides the drawn plan or the spec's faults)")
	tracePath := fs.String("trace", "", "write the simulator's canonical trace to this file (campaign seeds)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var given []string
	fs.Visit(func(f *flag.Flag) {
		if specFlagNames[f.Name] {
			given = append(given, "--"+f.Name)
		}
	})
	if specMode := len(given) > 0; specMode {
		if sf.file == "" && (sf.engine == "" || sf.workload == "") {
			return fmt.Errorf("%s: spec flags make repro re-run a spec, which needs --spec FILE or both --engine and --workload (the backend defaults to the simulator); "+
				"without spec flags, repro --seed %d re-runs that campaign seed (its engines: --engines, its workloads: --workloads)",
				strings.Join(given, ", "), sf.seed.v)
		}
		if *planFile != "" {
			sf.faults = "@" + *planFile
		}
		return reproSpec(ctx, e, &sf)
	}
	setup, err := su.setup(e)
	if err != nil {
		return err
	}
	return reproSeed(ctx, e, sf.seed.v, setup, *planFile, *tracePath)
}

// reproSeed re-runs a campaign seed.
func reproSeed(ctx context.Context, e *env, seed uint64, su campaign.Setup, planFile, tracePath string) error {
	c, err := campaign.Draw(seed, su)
	if err != nil {
		return err
	}
	if planFile != "" {
		data, err := os.ReadFile(planFile)
		if err != nil {
			return fmt.Errorf("--plan: %w", err)
		}
		p, err := plan.Parse(string(data))
		if err != nil {
			return fmt.Errorf("--plan %s: %w", planFile, err)
		}
		c.Plan, c.Spec.Faults = p, p.String()
	}
	fmt.Fprintf(e.stdout, "seed %d: %s\nfault plan:\n%s", seed, c.Describe(), indent(c.Plan.String()))
	var opts []campaign.RunOption
	if tracePath != "" {
		f, err := os.Create(tracePath)
		if err != nil {
			return fmt.Errorf("--trace: %w", err)
		}
		defer f.Close()
		opts = append(opts, campaign.WithTrace(f))
	}
	out, err := campaign.RunCase(ctx, c, su.Planted, opts...)
	fmt.Fprintf(e.stdout, "trace hash %s, %d events\n", out.TraceHash, out.Events)
	for _, f := range out.Faults {
		fmt.Fprintf(e.stdout, "  injected %-18s %-16s %d\n", f.Fault, f.What, f.N)
	}
	if err != nil {
		if checker := simrun.Checker(err); checker != "" {
			return fmt.Errorf("reproduced: checker %s failed: %w", checker, err)
		}
		return err
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	fmt.Fprintln(e.stdout, "every checker passed")
	return nil
}

func indent(s string) string {
	if s == "" {
		return "  (no faults)\n"
	}
	return "  " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n  ") + "\n"
}
