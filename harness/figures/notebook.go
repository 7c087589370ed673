package figures

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/dflab/dflab/harness/metrics"
)

// md builds a Markdown notebook.
type md struct{ strings.Builder }

func (m *md) p(format string, args ...any) { fmt.Fprintf(m, format+"\n\n", args...) }

// table writes a Markdown table.
func (m *md) table(head []string, rows [][]string) {
	m.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for range head {
		m.WriteString("---|")
	}
	m.WriteString("\n")
	for _, r := range rows {
		m.WriteString("| " + strings.Join(r, " | ") + " |\n")
	}
	m.WriteString("\n")
}

// modelsNote says what the model set is.
func modelsNote(models string) string {
	if models == "default" {
		return "`default`: the scenario suite's small plausible latency and CPU models, NOT calibrated on the paper's numbers"
	}
	if models == "paper2022" || models == "paper2022b" || models == "paper2022c" || models == "paper2022d" {
		return "`" + models + "`: fitted by `dflab calibrate` to paper-notes' calibration set only (single-node throughput, Hello3 latency); fit report in harness/simrun/models/" + models + "-fit.md"
	}
	return "`" + models + "` (see harness/simrun's model sets)"
}

// notebook writes notebooks/<id>.md.
func (v *view) notebook() (string, error) {
	var m md
	f := v.fig
	m.p("# %s", f.Title)
	runs, failed, seeds := len(v.rows), len(v.failures), v.seedRange()
	rev := v.rows[0].GitRevision
	cmd := fmt.Sprintf("go run ./harness/cmd/dflab figures --only %s --models %s --reps %d", f.ID, v.models, v.rows[0].Spec.Repetitions)
	if f.Source != "" {
		cmd = fmt.Sprintf("go run ./harness/cmd/dflab figures --only %s --models %s --reps %d && go run ./harness/cmd/dflab figures --only %s --plots",
			f.Source, v.models, v.rows[0].Spec.Repetitions, f.ID)
	}
	m.table([]string{"", ""}, [][]string{
		{"model set", modelsNote(v.models)},
		{"clock", string(v.clock()) + " (simulator)"},
		{"seeds", fmt.Sprintf("spec seed %d; repetition i runs seed %d+i: %s", Seed, Seed, seeds)},
		{"regenerate", "`make figures` (every figure); this one: `" + cmd + "`; charts and notebook only: `make plots`"},
		{"runs", fmt.Sprintf("%d (%d failed), at git revision %s", runs, failed, rev)},
		{"results", v.resultLinks()},
		{"notebook", fmt.Sprintf("[`%s.ipynb`](%s.ipynb): the same data with pandas and matplotlib, the paper's calibration numbers marked; `make notebooks` executes it", f.ID, f.ID)},
	})
	if f.Sizing != "" {
		m.p("Sizing: %s", f.Sizing)
	}
	if f.Source != "" {
		m.p("Data: the runs of %s on %d nodes × %d cores (Fig. 10 charts the storage traffic of the throughput runs).", f.Source, f.Shape.Nodes, f.Shape.Cores)
	}
	for _, c := range v.charts {
		rel, err := filepath.Rel(v.nbDir, filepath.Join(v.dir, c+".png"))
		if err != nil {
			return "", err
		}
		m.p("![%s](%s)", c, filepath.ToSlash(rel))
	}
	diff, err := v.body(&m)
	if err != nil {
		return "", err
	}
	m.p("## Where dflab and the paper differ, and why\n\n%s", diff)
	if failed > 0 {
		m.p("## Failed runs\n\nLeft out of the charts and tables:")
		for _, l := range v.failures {
			m.WriteString("- " + l + "\n")
		}
		m.WriteString("\n")
	}
	path := filepath.Join(v.nbDir, f.ID+".md")
	if err := os.MkdirAll(v.nbDir, 0o755); err != nil {
		return "", fmt.Errorf("figures: %w", err)
	}
	return path, os.WriteFile(path, []byte(m.String()), 0o644)
}

// body writes the figure's tables and returns its two sentences.
func (v *view) body(m *md) (string, error) {
	switch v.fig.Kind {
	case KindScaleOut:
		return v.scaleOutBody(m), nil
	case KindTraffic:
		return v.trafficBody(m)
	case KindCDF:
		return v.cdfBody(m)
	case KindSpeculation:
		return v.speculationBody(m), nil
	case KindTimeline:
		return v.timelineBody(m)
	case KindVCores:
		return v.vcoresBody(m)
	case KindWhatIf:
		return v.whatIfBody(m)
	}
	return "", fmt.Errorf("kind %q has no notebook", v.fig.Kind)
}

func (v *view) clock() metrics.Clock {
	for _, r := range v.rows {
		if r.Error == "" {
			return r.Metrics.Clock
		}
	}
	return metrics.Virtual
}

func (v *view) seedRange() string {
	lo, hi := v.rows[0].Seed, v.rows[0].Seed
	for _, r := range v.rows {
		lo, hi = min(lo, r.Seed), max(hi, r.Seed)
	}
	return fmt.Sprintf("%d..%d", lo, hi)
}

func (v *view) resultLinks() string {
	src := v.fig.ID
	if v.fig.Source != "" {
		src = v.fig.Source
	}
	link := func(p string) string {
		rel, err := filepath.Rel(v.nbDir, p)
		if err != nil {
			return p
		}
		return fmt.Sprintf("[%s](%s)", filepath.Base(p), filepath.ToSlash(rel))
	}
	return strings.Join([]string{link(ResultsFile(filepath.Dir(v.dir), src)),
		link(filepath.Join(v.dir, "summary.csv")), link(filepath.Join(v.dir, "runs.csv"))}, ", ")
}

// num formats a number with 3 significant digits (— for NaN).
func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	switch a := math.Abs(x); {
	case a >= 100:
		return fmt.Sprintf("%.0f", x)
	case a >= 10:
		return fmt.Sprintf("%.1f", x)
	case a >= 1:
		return fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

// withCI formats a mean ± the 95% half width.
func withCI(s metrics.Stat) string {
	if s.N == 0 {
		return "—"
	}
	if h := s.HalfWidth(); h > 0 {
		return num(s.Mean) + " ± " + num(h)
	}
	return num(s.Mean)
}

// geoMean is the geometric mean of positive xs (NaN if none).
func geoMean(xs []float64) float64 {
	sum, n := 0.0, 0
	for _, x := range xs {
		if x > 0 && !math.IsInf(x, 0) {
			sum += math.Log(x)
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return math.Exp(sum / float64(n))
}

// calibrationWhy is the second sentence of a comparison: why absolute
// numbers differ, by model set.
func calibrationWhy(models string) string {
	if models == "default" {
		return "The model set `default` was never fitted to the paper (`dflab calibrate` fits one), so absolute numbers reflect its guessed storage latencies and CPU costs rather than Azure's"
	}
	return "The model set `" + models + "` was fitted to the paper's calibration set only, so the remaining gap is what its storage, CPU and throughput-limit models do not express"
}
