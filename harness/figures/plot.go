package figures

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dflab/dflab/harness/plot"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// view is one figure's results as the charts and notebook see them.
type view struct {
	fig      Figure
	rows     []results.Row // the figure's rows (Source figures: filtered to Shape)
	groups   []results.Group
	models   string // the model set that ran
	dir      string // results/<id>
	nbDir    string
	charts   []string // chart base names, in order
	failures []string
}

// Plot draws every chart, CSV and notebook of figs from the results in
// dir and writes the notebooks' index; it returns the files written.
func Plot(figs []Figure, dir, notebooks string) ([]string, error) {
	var written []string
	for _, f := range figs {
		v, err := load(f, dir, notebooks)
		if err != nil {
			return written, err
		}
		files, err := v.draw()
		written = append(written, files...)
		if err != nil {
			return written, fmt.Errorf("figure %s: %w", f.ID, err)
		}
		nb, err := v.notebook()
		if err != nil {
			return written, fmt.Errorf("figure %s: notebook: %w", f.ID, err)
		}
		written = append(written, nb)
	}
	idx, err := writeIndex(dir, notebooks)
	if err != nil {
		return written, err
	}
	written = append(written, idx)
	paper := filepath.Join(dir, PaperFile)
	if err := writeFile(paper, WritePaperCSV); err != nil {
		return written, err
	}
	return append(written, paper), nil
}

// writeFile creates path and fills it with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	return nil
}

// load reads a figure's rows (its own, or its Source's on Shape).
func load(f Figure, dir, notebooks string) (*view, error) {
	src := f.ID
	if f.Source != "" {
		src = f.Source
	}
	rows, err := ReadRows(dir, src)
	if err != nil {
		return nil, err
	}
	if f.Source != "" {
		var kept []results.Row
		for _, r := range rows {
			if r.Spec.Cluster == f.Shape {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("figure %s: no result rows in %s", f.ID, ResultsFile(dir, src))
	}
	v := &view{fig: f, rows: rows, dir: filepath.Join(dir, f.ID), nbDir: notebooks, models: rows[0].Spec.Backend.Models}
	for _, r := range rows {
		if r.Error != "" {
			v.failures = append(v.failures, fmt.Sprintf("%s (%s, %s, %d×%d, seed %d): %s", r.RunID, r.Spec.Workload.Name,
				System(r.Spec), r.Spec.Cluster.Nodes, r.Spec.Cluster.Cores, r.Seed, clip(r.Error, 300)))
		}
	}
	if v.groups, err = results.Groups(rows); err != nil {
		return nil, err
	}
	return v, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// draw writes the figure's charts (PNG, SVG) and CSVs into its directory.
func (v *view) draw() ([]string, error) {
	if err := os.MkdirAll(v.dir, 0o755); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	charts, err := v.build()
	if err != nil {
		return nil, err
	}
	var files []string
	for _, c := range charts {
		paths, err := c.Chart.SaveAll(filepath.Join(v.dir, c.Name))
		files = append(files, paths...)
		if err != nil {
			return files, err
		}
		v.charts = append(v.charts, c.Name)
	}
	csvs, err := results.WriteCSVFiles(v.dir, v.rows)
	files = append(files, csvs...)
	if err != nil {
		return files, err
	}
	if v.fig.Kind == KindVCores {
		p := filepath.Join(v.dir, "vcores.csv")
		if err := writeFile(p, v.writeVCoresCSV); err != nil {
			return files, err
		}
		files = append(files, p)
	}
	if v.fig.Kind == KindWhatIf {
		p := filepath.Join(v.dir, "whatif.csv")
		if err := writeFile(p, v.writeWhatIfCSV); err != nil {
			return files, err
		}
		files = append(files, p)
	}
	if v.fig.Kind == KindCDF {
		p := filepath.Join(v.dir, "latency.csv")
		if err := writeFile(p, func(w io.Writer) error { return results.WriteLatencyCSV(w, v.rows) }); err != nil {
			return files, err
		}
		files = append(files, p)
	}
	sort.Strings(files)
	return files, nil
}

// build makes the figure's charts by kind.
func (v *view) build() ([]plot.Named, error) {
	ok := v.okGroups()
	by := byWorkload(ok)
	var out []plot.Named
	switch v.fig.Kind {
	case KindScaleOut:
		for _, w := range ThroughputWorkloads {
			if len(by[w]) == 0 {
				continue
			}
			c, err := scaleOutChart(w, by[w], v.models)
			if err != nil {
				return nil, err
			}
			out = append(out, plot.Named{Name: v.fig.ID + "-" + w, Chart: c})
		}
	case KindTraffic:
		req, kb, err := trafficCharts(ok, v.fig.Shape, v.models)
		if err != nil {
			return nil, err
		}
		out = append(out, plot.Named{Name: "fig10-requests", Chart: req}, plot.Named{Name: "fig10-kb", Chart: kb})
	case KindCDF:
		for _, w := range LatencyWorkloads {
			if len(by[w.Name]) == 0 {
				continue
			}
			c, err := cdfChart(w.Name, by[w.Name], v.models, false)
			if err != nil {
				return nil, err
			}
			tail, err := cdfChart(w.Name, by[w.Name], v.models, true)
			if err != nil {
				return nil, err
			}
			out = append(out, plot.Named{Name: "fig11-" + w.Name, Chart: c}, plot.Named{Name: "fig11-" + w.Name + "-ccdf", Chart: tail})
		}
	case KindSpeculation:
		c, err := speculationChart(ok, v.models)
		if err != nil {
			return nil, err
		}
		out = append(out, plot.Named{Name: "speculation", Chart: c})
	case KindTimeline:
		t, l, err := timelineCharts(ok, v.fig.Faults, v.models)
		if err != nil {
			return nil, err
		}
		out = append(out, plot.Named{Name: "elasticity-throughput", Chart: t}, plot.Named{Name: "elasticity-latency", Chart: l})
	case KindVCores:
		return v.vcoresCharts()
	case KindWhatIf:
		return v.whatIfCharts()
	default:
		return nil, fmt.Errorf("kind %q is not one of %s", v.fig.Kind, strings.Join([]string{KindScaleOut, KindTraffic, KindCDF, KindSpeculation, KindTimeline, KindVCores, KindWhatIf}, ", "))
	}
	return out, nil
}

// okGroups are the groups with at least one successful run.
func (v *view) okGroups() []results.Group {
	var out []results.Group
	for _, g := range v.groups {
		if len(g.Runs) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// writeIndex writes notebooks/README.md: the figures and how the last
// `dflab figures` run went (results/figures-run.json).
func writeIndex(dir, notebooks string) (string, error) {
	var info RunInfo
	b, err := os.ReadFile(filepath.Join(dir, RunInfoFile))
	if err == nil {
		err = json.Unmarshal(b, &info)
	}
	if err != nil && !os.IsNotExist(err) {
		return "", fmt.Errorf("figures: %s: %w", RunInfoFile, err)
	}
	var md strings.Builder
	md.WriteString("# dflab's reproduction of the Netherite paper's figures\n\n")
	md.WriteString("Two forms per figure, from the same results in results/<figure>/:\n\n")
	md.WriteString("- a **Jupyter notebook** (`<figure>.ipynb`): loads the CSV tables with pandas, draws the figure with matplotlib beside the committed gonum/plot chart, ")
	md.WriteString("marks the paper's calibration numbers (results/paper.csv) and states the runs' provenance; `make notebooks` executes every one headless ")
	md.WriteString("(Debian's python3-pandas, python3-matplotlib, jupyter-nbconvert, installed by `make deps`), executed copies in notebooks/executed/;\n")
	md.WriteString("- a **Markdown summary** (`<figure>.md`), generated by `make figures` (runs everything, then draws) or `make plots` (draws from the results already there): ")
	md.WriteString("the charts, dflab's numbers beside the paper's (from paper-notes.md where it gives them), the command and seeds to regenerate, and where they differ.\n\n")
	for _, f := range All(DefaultConfig()) {
		fmt.Fprintf(&md, "- %s: [notebook](%s.ipynb), [summary](%s.md)\n", f.Title, f.ID, f.ID)
	}
	if info.Runs > 0 {
		fmt.Fprintf(&md, "\n## The run that produced these results\n\n")
		fmt.Fprintf(&md, "| | |\n|---|---|\n| command | `dflab figures --models %s --reps %d --scale %g` (`make figures`) |\n", info.Models, info.Repetitions, info.Scale)
		fmt.Fprintf(&md, "| model set | `%s` |\n| figures run | %s |\n| runs | %d (%d failed) |\n", info.Models, strings.Join(info.Figures, ", "), info.Runs, info.Failed)
		fmt.Fprintf(&md, "| wall time of the runs | %.0f s on %d workers |\n| simulated events | %d |\n", info.WallTimeSec, info.Workers, info.Events)
		fmt.Fprintf(&md, "| CPU time of the runs | %.0f s (user + system: about %.0f s of wall time with both cores free) |\n", info.CPUTimeSec, info.CPUTimeSec/2)
		fmt.Fprintf(&md, "| simulation speed | %.0f events per CPU second; %.0f events/s per worker in wall time (depends on the machine's load) |\n", info.EventsPerCPUSec, info.EventsPerSec)
		fmt.Fprintf(&md, "| git revision | %s |\n", info.Revision)
	}
	p := filepath.Join(notebooks, "README.md")
	if err := os.MkdirAll(notebooks, 0o755); err != nil {
		return "", fmt.Errorf("figures: %w", err)
	}
	return p, os.WriteFile(p, []byte(md.String()), 0o644)
}

// shapeOf formats a cluster shape.
func shapeOf(c spec.Cluster) string { return fmt.Sprintf("%d×%d", c.Nodes, c.Cores) }
