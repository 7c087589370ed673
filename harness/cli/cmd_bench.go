package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
// cores, both engines, on the simulator with the default model set.
func benchSpecs(seed uint64) []spec.Spec {
	var out []spec.Spec
	for _, w := range benchWorkloads {
		for _, nodes := range []int{1, 4} {
			for _, e := range spec.Engines {
				s := spec.Spec{Name: "bench/" + w.name, Engine: spec.Engine{Name: e},
					Backend: spec.Backend{Kind: spec.BackendSim}, Cluster: spec.Cluster{Nodes: nodes, Cores: 4},
					Workload: spec.Workload{Name: w.name}, Load: spec.Load{Kind: spec.LoadClosed, Instances: w.instances},
					Seed: seed, Repetitions: 1}
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
	fs := newFlags(e, "bench", "[--out DIR] [--seed N]", `
Runs the bench: Hello5, Bank, WordCount (small shape) and Collision
(small B), closed load, on 1 and 4 nodes × 4 cores, both engines, on the
simulator (virtual time). Prints a table and writes bench.jsonl, runs.csv,
summary.csv and charts (PNG and SVG) into --out. A failed run is listed
with its error and left out of the charts.`)
	out := fs.String("out", filepath.Join("results", "bench"), "output directory (created)")
	seed := fs.Uint64("seed", 1, "seed of every run")
	progress := fs.Bool("progress", false, "print the progress line even when stderr is not a terminal")
	var pf profileFlags
	pf.register(fs, "--out")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	stop, err := pf.start(e, *out)
	if err != nil {
		return err
	}
	defer stop()
	specs := benchSpecs(*seed)
	f, err := os.Create(filepath.Join(*out, "bench.jsonl"))
	if err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	defer f.Close()
	opt := harness.Options{Revision: results.BuildRevision(), Out: results.NewWriter(f),
		Progress: harness.NewProgress(e.stderr, len(specs), *progress, nil)}
	start := time.Now()
	var rows []results.Row
	for _, s := range specs {
		rs, err := harness.Execute(ctx, e.registry, s, opt)
		rows = append(rows, rs...)
		if err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("results file: %w", err)
	}
	benchTable(e.stdout, rows)
	fmt.Fprintf(e.stdout, "\n%d runs in %.1fs wall\n", len(rows), time.Since(start).Seconds())
	return benchCharts(e, rows, *out)
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
func benchCharts(e *env, rows []results.Row, dir string) error {
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
	fmt.Fprintf(e.stdout, "%d charts (PNG, SVG and PDF), bench.jsonl, runs.csv, summary.csv in %s\n", len(charts), dir)
	return writeCSVs(&env{stdout: io.Discard, stderr: e.stderr}, rows, dir)
}
