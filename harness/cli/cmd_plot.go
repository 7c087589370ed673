package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dflab/dflab/harness/plot"
	"github.com/dflab/dflab/harness/results"
)

func cmdPlot(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "plot", "--in FILE.jsonl --out DIR", `
Draws charts from an existing JSONL results file: scale-out (Fig. 9),
storage traffic (Fig. 10), latency CDFs (Fig. 11; --ccdf for the tail)
and timelines, as PNG, SVG or PDF, and writes runs.csv and summary.csv
next to them.`)
	in := fs.String("in", "results.jsonl", "JSONL results file")
	out := fs.String("out", "charts", "output directory (created)")
	kind := fs.String("kind", "all", "charts: "+strings.Join(plot.Kinds, " | ")+" | all")
	normalize := fs.Bool("normalize", false, "scale-out charts relative to the original engine on 1 node × 1 core")
	logX := fs.Bool("logx", false, "latency CDFs on a logarithmic latency axis")
	ccdf := fs.Bool("ccdf", false, "latency CCDFs (fraction slower than x, log scale) instead of CDFs: the tail")
	formats := fs.String("format", "png,svg", "comma-separated formats: "+strings.Join(plot.Formats, ", "))
	csv := fs.Bool("csv", true, "also write runs.csv and summary.csv")
	if err := parse(fs, args); err != nil {
		return err
	}
	rows, err := readRows(*in)
	if err != nil {
		return err
	}
	charts, err := plot.FromRows(rows, *kind, *normalize, *logX, *ccdf)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	for _, c := range charts {
		for _, f := range strings.Split(*formats, ",") {
			p := filepath.Join(*out, c.Name+"."+strings.TrimSpace(f))
			if err := c.Chart.Save(p); err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, p)
		}
	}
	if len(charts) == 0 {
		fmt.Fprintf(e.stderr, "no %s charts: the results have no data for them\n", *kind)
	}
	if *csv {
		return writeCSVs(e, rows, *out)
	}
	return nil
}

func readRows(name string) ([]results.Row, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("results file: %w", err)
	}
	defer f.Close()
	rows, err := results.Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no result rows", name)
	}
	return rows, nil
}

func writeCSVs(e *env, rows []results.Row, dir string) error {
	paths, err := results.WriteCSVFiles(dir, rows)
	for _, p := range paths {
		fmt.Fprintln(e.stdout, p)
	}
	return err
}
