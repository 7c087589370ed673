package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// registry is the engine registry commands use when no option adds a
// system or a workload (tests swap it).
var registry = harness.Default

func cmdRun(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "run", "[--spec FILE] [flags] --out FILE", `
Runs every repetition of one spec with the engine's registered runner and
appends one JSONL row per run to --out (results schema: dflab schema).`)
	var sf specFlags
	sf.register(fs)
	out := fs.String("out", "results.jsonl", "JSONL results file to append to")
	progress := fs.Bool("progress", false, "print the progress line even when stderr is not a terminal")
	var pf profileFlags
	pf.register(fs, "--out's directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := sf.build(e.catalog)
	if err != nil {
		return err
	}
	stop, err := pf.start(e, filepath.Dir(*out))
	if err != nil {
		return err
	}
	defer stop()
	return runSpecs(ctx, e, []spec.Spec{s}, *out, *progress)
}

func cmdSweep(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sweep", "--matrix FILE --out FILE", `
Expands a matrix ({"base": SPEC, "axes": [{"path": "cluster.nodes",
"values": [1, 4, 8, 12]}, ...]}) into specs, the first axis outermost, and
runs every point like dflab run. --shard i/N runs only every N-th run
(from the i-th, one-based), so that N processes of a scheduler's array
job share a sweep; dflab merge --matrix puts their files together.`)
	shard := fs.String("shard", "", "run only shard i/N of the sweep's runs (1 <= i <= N)")
	matrix := fs.String("matrix", "", "matrix JSON file (\"-\": stdin)")
	out := fs.String("out", "results.jsonl", "JSONL results file to append to")
	dry := fs.Bool("dry-run", false, "print the expanded specs' JSON lines instead of running them")
	progress := fs.Bool("progress", false, "print the progress line even when stderr is not a terminal")
	var pf profileFlags
	pf.register(fs, "--out's directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *matrix == "" {
		return fmt.Errorf("--matrix is required")
	}
	specs, err := matrixSpecs(e, *matrix)
	if err != nil {
		return err
	}
	if *dry {
		return printSpecs(e, specs)
	}
	stop, err := pf.start(e, filepath.Dir(*out))
	if err != nil {
		return err
	}
	defer stop()
	if *shard != "" {
		sh, err := harness.ParseShard(*shard)
		if err != nil {
			return err
		}
		return runShard(ctx, e, specs, sh, *out, *progress)
	}
	return runSpecs(ctx, e, specs, *out, *progress)
}

// runShard runs one shard of a sweep's runs into out (replaced, so that a
// re-run shard cannot be merged twice).
func runShard(ctx context.Context, e *env, specs []spec.Spec, sh harness.Shard, out string, forceProgress bool) error {
	total := 0
	for i, s := range specs {
		rs, err := harness.Check(e.registry, s)
		if err != nil {
			return fmt.Errorf("spec %d of %d: %w", i+1, len(specs), err)
		}
		total += rs.Repetitions
	}
	f, err := openResults(out, false)
	if err != nil {
		return err
	}
	defer f.Close()
	opt := harness.Options{Revision: results.BuildRevision(), Out: results.NewWriter(f), Shard: sh,
		Progress: harness.NewProgress(e.stderr, sh.Runs(total), forceProgress, nil), Warn: e.warner()}
	rows, err := harness.ExecuteAll(ctx, e.registry, specs, opt, 1)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	failed := 0
	for _, r := range rows {
		if r.Error != "" {
			failed++
			fmt.Fprintf(e.stderr, "run %s failed: %s\n", r.RunID, r.Error)
		}
	}
	fmt.Fprintf(e.stderr, "shard %s: %d of %d runs into %s\n", sh, len(rows), total, out)
	if failed > 0 {
		return fmt.Errorf("%d of %d runs failed (recorded in %s)", failed, len(rows), out)
	}
	return nil
}

// matrixSpecs reads a matrix file ("-": stdin) and expands it into its
// specs, the first axis outermost.
func matrixSpecs(e *env, path string) ([]spec.Spec, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, err
	}
	var m spec.Matrix
	if err := spec.DecodeStrict("matrix", data, &m); err != nil {
		return nil, err
	}
	pts, err := m.ExpandIn(e.catalog)
	if err != nil {
		return nil, err
	}
	specs := make([]spec.Spec, len(pts))
	for i, p := range pts {
		specs[i] = p.Spec
	}
	return specs, nil
}

func printSpecs(e *env, specs []spec.Spec) error {
	for _, s := range specs {
		id, err := results.ConfigID(s)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s %s %s %s nodes=%d cores=%d\n", id, s.Engine.Name, s.Backend.Kind, s.Workload.Name, s.Cluster.Nodes, s.Cluster.Cores)
	}
	return nil
}

// runSpecs checks that every spec's engine is registered before running
// anything, then runs them in order, appending rows to out.
func runSpecs(ctx context.Context, e *env, specs []spec.Spec, out string, forceProgress bool) error {
	total := 0
	for i, s := range specs {
		rs, err := harness.Check(e.registry, s)
		if err != nil {
			if len(specs) > 1 {
				return fmt.Errorf("spec %d of %d: %w", i+1, len(specs), err)
			}
			return err
		}
		total += rs.Repetitions
	}
	f, err := openResults(out, true)
	if err != nil {
		return err
	}
	defer f.Close()
	opt := harness.Options{Revision: results.BuildRevision(), Out: results.NewWriter(f),
		Progress: harness.NewProgress(e.stderr, total, forceProgress, nil), Warn: e.warner()}
	defer opt.Progress.Finish()
	failed := 0
	for _, s := range specs {
		rows, err := harness.Execute(ctx, e.registry, s, opt)
		for _, r := range rows {
			if r.Error != "" {
				failed++
				fmt.Fprintf(e.stderr, "run %s failed: %s\n", r.RunID, r.Error)
			}
		}
		if len(rows) > 0 {
			opt.Progress.Finish()
			fmt.Fprintln(e.stdout, runSummary(rows, out))
		}
		if err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d runs failed (recorded in %s)", failed, total, out)
	}
	return nil
}

// runSummary is the line printed after a spec's runs: what ran, its
// throughput and latency (the median over the successful repetitions) and
// where the rows went.
func runSummary(rows []results.Row, out string) string {
	s := rows[0].Spec
	what := fmt.Sprintf("%s on %s/%s %d×%d", s.Workload.Name, s.Engine.Name, s.Backend.Kind, s.Cluster.Nodes, s.Cluster.Cores)
	var tput, p50, p99 []float64
	unit := ""
	for _, r := range rows {
		if r.Error == "" {
			m := r.Metrics
			tput, p50, p99, unit = append(tput, m.ThroughputPerSec), append(p50, m.Latency.P50Ms), append(p99, m.Latency.P99Ms), m.Unit
		}
	}
	where := fmt.Sprintf("%d rows appended to %s", len(rows), out)
	if len(rows) == 1 {
		where = "1 row appended to " + out
	}
	if len(tput) == 0 {
		return fmt.Sprintf("%s: every run failed (%d); %s", what, len(rows), where)
	}
	of := ""
	if len(tput) > 1 {
		of = fmt.Sprintf(" (medians of %d runs)", len(tput))
	}
	if n := len(rows) - len(tput); n > 0 {
		of += fmt.Sprintf(", %d failed", n)
	}
	return fmt.Sprintf("%s: %s %s/s, p50 %s ms, p99 %s ms%s; %s", what, num(median(tput)), unit, num(median(p50)), num(median(p99)), of, where)
}

// num prints v with 4 significant digits, whole numbers from 1000 on.
func num(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

// median of vs (not empty); vs is sorted in place.
func median(vs []float64) float64 {
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

// reproSpec re-runs one repetition of a spec with the given seed and
// fault plan, and prints its row.
func reproSpec(ctx context.Context, e *env, sf *specFlags) error {
	sf.reps = optInt{v: 1, set: true}
	s, err := sf.build(e.catalog)
	if err != nil {
		return err
	}
	rows, err := harness.Execute(ctx, e.registry, s, harness.Options{Revision: results.BuildRevision()})
	if err != nil {
		return err
	}
	if err := results.NewWriter(e.stdout).Write(rows[0]); err != nil {
		return err
	}
	if rows[0].Error != "" {
		return fmt.Errorf("reproduced: %s", rows[0].Error)
	}
	return nil
}

// warner prints the engines' notable events of real runs to stderr, one
// "engine: " line each (they come from the engine's goroutines).
func (e *env) warner() func(line string) {
	var mu sync.Mutex
	return func(line string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(e.stderr, "engine: %s\n", line)
	}
}

// openResults opens the JSONL results file out, creating its directory:
// appended to when appendTo, else replaced.
func openResults(out string, appendTo bool) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, fmt.Errorf("results file %s: %w", out, err)
	}
	flag := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if appendTo {
		flag = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(out, flag, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results file: %w", err)
	}
	return f, nil
}
