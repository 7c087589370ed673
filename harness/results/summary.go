package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
)

// Summarized is one metric summarized over repetitions.
type Summarized struct {
	Name string
	Unit string
	Doc  string
	Get  func(Row) (float64, bool) // false: absent in this row
}

// SummaryMetrics are the metrics the summary table gives statistics of.
var SummaryMetrics = []Summarized{
	{"throughput_per_s", "units/s", "throughput as the paper defines it", func(r Row) (float64, bool) { return r.Metrics.ThroughputPerSec, true }},
	{"latency_p50_ms", "ms", "median latency", latencyGet(func(l metrics.LatencySummary) float64 { return l.P50Ms })},
	{"latency_p99_ms", "ms", "99th percentile latency", latencyGet(func(l metrics.LatencySummary) float64 { return l.P99Ms })},
	{"storage_requests", "", "storage requests", func(r Row) (float64, bool) { return float64(r.Metrics.Storage.Total.Requests), true }},
	{"mb_read", "MB", "megabytes read", func(r Row) (float64, bool) { return r.Metrics.Storage.Total.MBRead, true }},
	{"mb_written", "MB", "megabytes written", func(r Row) (float64, bool) { return r.Metrics.Storage.Total.MBWritten, true }},
	{"dollars_per_1000_units", "USD", "cost per 1,000 work units", func(r Row) (float64, bool) {
		if r.Metrics.Cost == nil {
			return 0, false
		}
		return r.Metrics.Cost.DollarsPer1000Units, true
	}},
	{"bound_utilisation", "fraction", "utilisation of the resource that bound each run (see bound_resource)", func(r Row) (float64, bool) {
		if r.Metrics.Bound == nil {
			return 0, false
		}
		return r.Metrics.Bound.Utilisation, true
	}},
}

// boundResource is the resource that bound most of a group's runs (on
// ties, the one that reached that count first), "" if none reports one.
func boundResource(g Group) string {
	count := map[string]int{}
	best, bestN := "", 0
	for _, r := range g.Runs {
		if r.Metrics.Bound == nil {
			continue
		}
		k := r.Metrics.Bound.String()
		count[k]++
		if count[k] > bestN {
			best, bestN = k, count[k]
		}
	}
	return best
}

func latencyGet(f func(metrics.LatencySummary) float64) func(Row) (float64, bool) {
	return func(r Row) (float64, bool) { return f(r.Metrics.Latency), r.Metrics.Latency.Count > 0 }
}

// Group is the runs of one configuration.
type Group struct {
	ConfigID string
	Spec     spec.Spec
	Runs     []Row // successful runs, in file order
	Failed   int   // runs with an error
	// Stats are the SummaryMetrics by name (absent when no run has the metric).
	Stats map[string]metrics.Stat
}

// Rep returns the first successful run (for a shape: clock, unit).
func (g Group) Rep() Row { return g.Runs[0] }

// Latency merges the latency histograms of the group's runs.
func (g Group) Latency() (*metrics.Latency, error) {
	merged := metrics.NewLatency()
	for _, r := range g.Runs {
		l, err := metrics.DecodeLatency(r.Metrics.Latency)
		if err != nil {
			return nil, fmt.Errorf("results: run %s: %w", r.RunID, err)
		}
		merged.Merge(l)
	}
	return merged, nil
}

// Groups groups rows by ConfigID, in order of first appearance, and
// computes the statistics. Configurations with no successful run are kept
// with empty Stats.
func Groups(rows []Row) ([]Group, error) {
	var out []*Group
	by := map[string]*Group{}
	for _, r := range rows {
		g := by[r.ConfigID]
		if g == nil {
			g = &Group{ConfigID: r.ConfigID, Spec: r.Spec, Stats: map[string]metrics.Stat{}}
			by[r.ConfigID] = g
			out = append(out, g)
		}
		if r.Error != "" {
			g.Failed++
			continue
		}
		g.Runs = append(g.Runs, r)
	}
	res := make([]Group, len(out))
	for i, g := range out {
		for _, m := range SummaryMetrics {
			var xs []float64
			for _, r := range g.Runs {
				if v, ok := m.Get(r); ok {
					xs = append(xs, v)
				}
			}
			if len(xs) == 0 {
				continue
			}
			st, err := metrics.Summarize(xs)
			if err != nil {
				return nil, fmt.Errorf("results: config %s %s: %w", g.ConfigID, m.Name, err)
			}
			g.Stats[m.Name] = st
		}
		res[i] = *g
	}
	return res, nil
}

// SummaryColumnNames are the summary table's header: the spec columns,
// runs, failed_runs, clock, unit, bound_resource (the resource that bound
// most runs), then <metric>_mean, _sd, _ci95_low,
// _ci95_high for each SummaryMetrics entry.
func SummaryColumnNames() []string {
	var head []string
	for _, c := range SpecColumns {
		head = append(head, c.Name)
	}
	head = append(head, "runs", "failed_runs", "clock", "unit", "bound_resource")
	for _, m := range SummaryMetrics {
		head = append(head, m.Name+"_mean", m.Name+"_sd", m.Name+"_ci95_low", m.Name+"_ci95_high")
	}
	return head
}

// WriteSummaryCSV writes one row per configuration.
func WriteSummaryCSV(w io.Writer, rows []Row) error {
	groups, err := Groups(rows)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(SummaryColumnNames()); err != nil {
		return fmt.Errorf("results: summary csv: %w", err)
	}
	for _, g := range groups {
		if err := cw.Write(summaryRecord(g)); err != nil {
			return fmt.Errorf("results: summary csv %s: %w", g.ConfigID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: summary csv: %w", err)
	}
	return nil
}

func summaryRecord(g Group) []string {
	probe := Row{ConfigID: g.ConfigID, Spec: g.Spec}
	var rec []string
	for _, c := range SpecColumns {
		rec = append(rec, c.Value(probe))
	}
	clock, unit := "", ""
	if len(g.Runs) > 0 {
		clock, unit = string(g.Rep().Metrics.Clock), g.Rep().Metrics.Unit
	}
	rec = append(rec, itoa(len(g.Runs)), itoa(g.Failed), clock, unit, boundResource(g))
	for _, m := range SummaryMetrics {
		st, ok := g.Stats[m.Name]
		if !ok {
			rec = append(rec, "", "", "", "")
			continue
		}
		rec = append(rec, f64(st.Mean), ptr(st.StdDev), ptr(st.CI95Low), ptr(st.CI95High))
	}
	return rec
}

func ptr(v *float64) string {
	if v == nil {
		return ""
	}
	return f64(*v)
}

// WriteCSVFiles writes runs.csv and summary.csv of rows into dir and
// returns their paths.
func WriteCSVFiles(dir string, rows []Row) ([]string, error) {
	var paths []string
	for _, t := range []struct {
		name  string
		write func(io.Writer, []Row) error
	}{{"runs.csv", WriteRunsCSV}, {"summary.csv", WriteSummaryCSV}} {
		p := filepath.Join(dir, t.name)
		f, err := os.Create(p)
		if err != nil {
			return paths, fmt.Errorf("results: csv: %w", err)
		}
		if err := t.write(f, rows); err != nil {
			f.Close()
			return paths, err
		}
		if err := f.Close(); err != nil {
			return paths, fmt.Errorf("results: csv: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
