package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/plot"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// benchWorkload is one workload of the bench with its shape and load.
type benchWorkload struct {
	name, params string
	instances    int
}

// benchWorkloads is the representative subset: small shapes so that the
// whole bench runs in a few minutes on a laptop-sized machine.
var benchWorkloads = []benchWorkload{
	{"hello5", "", 1000},
	{"bank", "", 1000},
	{"wordcount", `{"mappers":5,"reducers":5,"bookWords":2000}`, 5},
	// 10 searches: with 20 the Netherite engine on 1×4 stalls (CPU
	// saturated by activities; see the bench notes in the harness report).
	{"collision", `{"blocks":20}`, 10},
}

// benchSpecs are the bench's specs: every workload on 1 and 4 nodes of 4
// cores, every built-in system with a Draw that runs it (the engines
// netherite, original and sql run them all), on the simulator with the
// default model set.
func benchSpecs(seed uint64, count int) []spec.Spec {
	var out []spec.Spec
	for _, w := range benchWorkloads {
		for _, nodes := range []int{1, 4} {
			for _, e := range spec.Systems {
				if (spec.Catalog{}).Runs(e, w.name) != nil {
					continue
				}
				s := spec.Spec{Name: "bench/" + w.name, Engine: spec.Engine{Name: e},
					Backend: spec.Backend{Kind: spec.BackendSim}, Cluster: spec.Cluster{Nodes: nodes, Cores: 4},
					Workload: spec.Workload{Name: w.name}, Load: spec.Load{Kind: spec.LoadClosed, Instances: w.instances},
					Seed: seed, Repetitions: count}
				if w.params != "" {
					s.Workload.Params = json.RawMessage(w.params)
				}
				out = append(out, s)
			}
		}
	}
	return out
}

func cmdBench(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench", "[--out DIR] [--seed N] [--count N] [--workers N] [--format table|gobench]", `
Runs the bench: Hello5, Bank, WordCount (small shape) and Collision
(small B), closed load, on 1 and 4 nodes × 4 cores, every engine
(netherite, original, sql with its default 4 database vCores), on the
simulator (virtual time). Prints a table and writes bench.jsonl, runs.csv,
summary.csv and charts (PNG, SVG and PDF) into --out. A failed run is
listed with its error and left out of the charts. --count N runs each
point N times (seeds --seed, --seed+1, ...); --format gobench prints Go
benchmark lines instead of the table, for benchstat:
  dflab bench --count 6 --format gobench > old.txt   (then new.txt)
  benchstat old.txt new.txt
Simulated metrics do not depend on --workers; wall times do.`)
	out := fs.String("out", filepath.Join("results", "bench"), "output directory (created)")
	seed := fs.Uint64("seed", 1, "seed of the first repetition of every point")
	count := fs.Int("count", 1, "repetitions of every point")
	workers := fs.Int("workers", runtime.NumCPU(), "runs at once")
	format := fs.String("format", "table", "stdout format: table or gobench (Go benchmark lines, for benchstat)")
	progress := fs.Bool("progress", false, "print the progress line even when stderr is not a terminal")
	var pf profileFlags
	pf.register(fs, "--out")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *format != "table" && *format != "gobench" {
		return fmt.Errorf("--format %q: allowed table, gobench", *format)
	}
	if *count < 1 {
		return fmt.Errorf("--count %d: allowed 1 or more", *count)
	}
	if *workers < 1 {
		return fmt.Errorf("--workers %d: allowed 1 or more", *workers)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	stop, err := pf.start(e, *out)
	if err != nil {
		return err
	}
	defer stop()
	specs := benchSpecs(*seed, *count)
	for _, s := range specs {
		if _, err := harness.Check(e.registry, s); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(*out, "bench.jsonl"))
	if err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	defer f.Close()
	opt := harness.Options{Revision: results.BuildRevision(), Out: results.NewWriter(f),
		Progress: harness.NewProgress(e.stderr, len(specs)**count, *progress, nil)}
	start := time.Now()
	rows, err := harness.ExecuteAll(ctx, e.registry, specs, opt, *workers)
	opt.Progress.Finish()
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	report := e.stdout
	if *format == "gobench" {
		benchGo(e.stdout, e.stderr, rows)
		report = e.stderr
	} else {
		benchTable(e.stdout, rows)
		fmt.Fprintln(e.stdout)
	}
	fmt.Fprintf(report, "%d runs in %.1fs wall on %d workers\n", len(rows), time.Since(start).Seconds(), *workers)
	return benchCharts(e, report, rows, *out)
}

// benchGo prints one Go benchmark line per successful run, in the format
// benchstat reads: the wall time of the run as ns/op, then the simulated
// metrics, each with its unit (failed runs are named on stderr).
func benchGo(w, errs io.Writer, rows []results.Row) {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: github.com/dflab/dflab/bench\n", runtime.GOOS, runtime.GOARCH)
	for _, r := range rows {
		s := r.Spec
		name := fmt.Sprintf("BenchmarkDflab/%s/%s/%dx%d", s.Workload.Name, s.Engine.Name, s.Cluster.Nodes, s.Cluster.Cores)
		if r.Error != "" {
			fmt.Fprintf(errs, "%s (seed %d) failed: %s\n", name, r.Seed, r.Error)
			continue
		}
		m := r.Metrics
		perUnit := 0.0
		if m.WorkUnits > 0 {
			perUnit = float64(m.Storage.Total.Requests) / m.WorkUnits
		}
		fmt.Fprintf(w, "%s\t1\t%.0f ns/op\t%.4g units/s\t%.4g p50-ms\t%.4g p99-ms\t%.4g requests/unit\t%d events\n",
			name, r.WallTimeSec*1e9, m.ThroughputPerSec, m.Latency.P50Ms, m.Latency.P99Ms, perUnit, m.Events)
	}
}

// benchTable prints one line per run.
func benchTable(w io.Writer, rows []results.Row) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tengine\tnodes×cores\tthroughput/s\tunit\tp50 ms\tp99 ms\trequests/unit\tevents\twall s\t")
	var failed []string
	for _, r := range rows {
		s := r.Spec
		shape := fmt.Sprintf("%d×%d", s.Cluster.Nodes, s.Cluster.Cores)
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\tFAILED [%d]\t\t\t\t\t\t%.1f\t\n", s.Workload.Name, s.Engine.Name, shape, len(failed)+1, r.WallTimeSec)
			failed = append(failed, r.Error)
			continue
		}
		m := r.Metrics
		perUnit := 0.0
		if m.WorkUnits > 0 {
			perUnit = float64(m.Storage.Total.Requests) / m.WorkUnits
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%.1f\t%.1f\t%.3g\t%d\t%.1f\t\n", s.Workload.Name, s.Engine.Name, shape,
			m.ThroughputPerSec, m.Unit, m.Latency.P50Ms, m.Latency.P99Ms, perUnit, m.Events, r.WallTimeSec)
	}
	tw.Flush()
	for i, f := range failed {
		fmt.Fprintf(w, "[%d] %s\n", i+1, f)
	}
	if len(rows) > 0 && rows[0].Error == "" {
		fmt.Fprintf(w, "clock: %s; models: %s; %s\n", rows[0].Metrics.Clock, rows[0].Metrics.Models, strings.Join(rows[0].Metrics.Notes, "; "))
	}
}

// benchCharts draws the charts of the successful runs and writes the CSVs.
func benchCharts(e *env, report io.Writer, rows []results.Row, dir string) error {
	var ok []results.Row
	for _, r := range rows {
		if r.Error == "" {
			ok = append(ok, r)
		}
	}
	if len(ok) == 0 {
		return fmt.Errorf("bench: every run failed")
	}
	charts, err := plot.FromRows(ok, "all", false, true, false)
	if err != nil {
		return err
	}
	for _, c := range charts {
		if _, err := c.Chart.SaveAll(filepath.Join(dir, c.Name)); err != nil {
			return err
		}
	}
	fmt.Fprintf(report, "%d charts (PNG, SVG and PDF), bench.jsonl, runs.csv, summary.csv in %s\n", len(charts), dir)
	return writeCSVs(&env{stdout: io.Discard, stderr: e.stderr}, rows, dir)
}
