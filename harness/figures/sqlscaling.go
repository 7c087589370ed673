package figures

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/dflab/dflab/harness/calibrate"
	"github.com/dflab/dflab/harness/plot"
	"github.com/dflab/dflab/harness/spec"
)

// KindVCores is the sql engine's database-vCores sweep.
const KindVCores = "vcores"

// sqlScalingOrchestrations is the provider's benchmark size: 5,000
// Hello5 orchestrations at once on four 2-core workers.
const sqlScalingOrchestrations = 5000

// sqlScaling sweeps the sql engine's database vCores over the provider's
// scaling table (2, 4, 8, 16); the database model was fitted on 2 and 16
// only, so 4 and 8 are predictions.
func sqlScaling(cfg Config) Figure {
	b := cfg.base("sqlscaling/hello5", "hello5")
	b.Engine = spec.Engine{Name: spec.EngineSQL}
	b.Cluster = spec.Cluster{Nodes: 4, Cores: 2}
	b.Load = spec.Load{Kind: spec.LoadClosed, Instances: cfg.scaled(sqlScalingOrchestrations)}
	var vcores []string
	for _, r := range calibrate.SQLTable {
		vcores = append(vcores, fmt.Sprint(r.VCores))
	}
	return Figure{ID: "sqlscaling", Title: "The sql engine's throughput by database vCores: Hello5 on 4 nodes × 2 cores", Kind: KindVCores,
		Sizing:   fmt.Sprintf("closed load of %d Hello5 orchestrations × scale, as the provider's published benchmark", sqlScalingOrchestrations),
		Matrices: []spec.Matrix{{Base: b, Axes: []spec.Axis{{Path: "engine.sql.vCores", Values: raw(vcores...)}}}}}
}

// vcoresOf is the vCores of a sql spec.
func vcoresOf(s spec.Spec) int { return int(s.Engine.Int("vCores")) }

// sqlRow is one vCores point: the provider's numbers and dflab's.
type sqlRow struct {
	calibrate.SQLTarget
	tput, dbCPU float64
	half        float64
	ok          bool
}

func (v *view) sqlRows() []sqlRow {
	var out []sqlRow
	for _, t := range calibrate.SQLTable {
		r := sqlRow{SQLTarget: t}
		match := func(s spec.Spec) bool { return vcoresOf(s) == t.VCores }
		st, ok := statOf(v.okGroups(), match)
		r.tput, r.half, r.ok = st.Mean, st.HalfWidth(), ok
		var sum float64
		n := 0
		for _, g := range v.okGroups() {
			if !match(g.Spec) {
				continue
			}
			for _, run := range g.Runs {
				for _, res := range run.Metrics.Resources {
					if res.Kind == "service" && res.Name == calibrate.SQLDBService {
						sum += res.Utilisation
						n++
					}
				}
			}
		}
		if n > 0 {
			r.dbCPU = sum / float64(n)
		}
		out = append(out, r)
	}
	return out
}

// vcoresCharts are the sweep's throughput and database CPU, dflab beside
// the provider's table.
func (v *view) vcoresCharts() ([]plot.Named, error) {
	rows := v.sqlRows()
	var cats []string
	for _, r := range rows {
		seen := "predicted"
		if r.Fit {
			seen = "fitted"
		}
		cats = append(cats, fmt.Sprintf("%d (%s)", r.VCores, seen))
	}
	tput := plot.BarData{Title: "sql engine · Hello5 by database vCores, 4 × 2 (models " + v.models + ")",
		XLabel: "database vCores", YLabel: "orchestrations/s", Categories: cats, ErrorLabel: ciLabel(v.okGroups())}
	cpu := plot.BarData{Title: "sql engine · database CPU by vCores (models " + v.models + ")",
		XLabel: "database vCores", YLabel: "database CPU busy (%)", Categories: cats}
	prov := plot.BarSeries{Label: "provider (docs/scaling.md)", Color: gray}
	ours := plot.BarSeries{Label: "dflab (simulated)", Color: sqlColors[2]}
	provCPU, oursCPU := plot.BarSeries{Label: "provider", Color: gray}, plot.BarSeries{Label: "dflab", Color: sqlColors[1]}
	for _, r := range rows {
		prov.Values, prov.Errors = append(prov.Values, r.OrchPerSec), append(prov.Errors, 0)
		y := r.tput
		if !r.ok {
			y = math.NaN()
		}
		ours.Values, ours.Errors = append(ours.Values, y), append(ours.Errors, r.half)
		provCPU.Values, oursCPU.Values = append(provCPU.Values, 100*r.DBCPU), append(oursCPU.Values, 100*r.dbCPU)
	}
	tput.Series, cpu.Series = []plot.BarSeries{prov, ours}, []plot.BarSeries{provCPU, oursCPU}
	tc, err := wide(plot.GroupedBars(tput))
	if err != nil {
		return nil, err
	}
	cc, err := wide(plot.GroupedBars(cpu))
	if err != nil {
		return nil, err
	}
	return []plot.Named{{Name: "sqlscaling-throughput", Chart: tc}, {Name: "sqlscaling-dbcpu", Chart: cc}}, nil
}

// writeVCoresCSV writes the sweep beside the provider's table, one row per
// vCores: what the notebook draws.
func (v *view) writeVCoresCSV(w io.Writer) error {
	c := csv.NewWriter(w)
	_ = c.Write([]string{"vcores", "seen_by_fit", "provider_orch_per_sec", "provider_db_cpu", "dflab_orch_per_sec_mean", "dflab_orch_per_sec_ci95_half", "dflab_db_cpu", "runs"})
	for _, r := range v.sqlRows() {
		runs := 0
		for _, g := range v.okGroups() {
			if vcoresOf(g.Spec) == r.VCores {
				runs += len(g.Runs)
			}
		}
		_ = c.Write([]string{fmt.Sprint(r.VCores), fmt.Sprint(r.Fit), fmt.Sprint(r.OrchPerSec), fmt.Sprint(r.DBCPU),
			fmt.Sprintf("%.4f", r.tput), fmt.Sprintf("%.4f", r.half), fmt.Sprintf("%.4f", r.dbCPU), fmt.Sprint(runs)})
	}
	c.Flush()
	return c.Error()
}

// vcoresBody is the sweep's table and its reading.
func (v *view) vcoresBody(m *md) (string, error) {
	rows := v.sqlRows()
	var tab [][]string
	var unseen []string
	var offs []float64 // dflab ÷ provider − 1 of the unseen points
	for _, r := range rows {
		ratio := "—"
		if r.ok {
			ratio = num(r.tput / r.OrchPerSec)
			if !r.Fit {
				unseen = append(unseen, fmt.Sprintf("%d vCores %s× (%s vs %g orchestrations/s)", r.VCores, num(r.tput/r.OrchPerSec), num(r.tput), r.OrchPerSec))
				offs = append(offs, r.tput/r.OrchPerSec-1)
			}
		}
		tab = append(tab, []string{fmt.Sprint(r.VCores), map[bool]string{true: "fitted", false: "predicted"}[r.Fit],
			fmt.Sprint(r.OrchPerSec), fmt.Sprintf("%s ± %s", num(r.tput), num(r.half)), ratio,
			fmt.Sprintf("%.0f %%", 100*r.DBCPU), fmt.Sprintf("%.0f %%", 100*r.dbCPU)})
	}
	m.p("## dflab beside the provider's table (mean ± 95 %% CI over the seeds)")
	m.table([]string{"vCores", "the fit", "provider orch/s", "dflab orch/s", "dflab ÷ provider", "provider DB CPU", "dflab DB CPU"}, tab)
	return fmt.Sprintf("The database model (harness/simrun/models/sqldb-fit.md: CPU per statement and commit latency) was fitted "+
		"on the 2- and 16-vCore rows only; the others are predictions: %s. Why %s the vCores gives %s the "+
		"throughput is the structure, not the fit: each call runs on one vCore (SQL Server binds a task to one scheduler) and "+
		"shares it with the calls that landed there, so queues form on some vCores while others idle long before the database "+
		"is saturated; each worker fetches one work item per dispatcher at a time, so a worker's step rate is bounded by one "+
		"round trip + the call's CPU + the log flush however many vCores there are. %s %s", strings.Join(unseen, ", "),
		spanVCores(rows), spanThroughput(rows), unseenReading(offs), dbCPUReading(rows)), nil
}

// spanVCores and spanThroughput say how many times the vCores and the
// throughput grow from the sweep's first point that ran to its last.
func spanVCores(rows []sqlRow) string {
	first, last, ok := span(rows)
	if !ok {
		return "more"
	}
	return fmt.Sprintf("%d times", last.VCores/first.VCores)
}

func spanThroughput(rows []sqlRow) string {
	first, last, ok := span(rows)
	if !ok {
		return "more"
	}
	return fmt.Sprintf("%s times", num(last.tput/first.tput))
}

func span(rows []sqlRow) (first, last sqlRow, ok bool) {
	var ran []sqlRow
	for _, r := range rows {
		if r.ok {
			ran = append(ran, r)
		}
	}
	if len(ran) < 2 {
		return sqlRow{}, sqlRow{}, false
	}
	return ran[0], ran[len(ran)-1], true
}

// dbCPUReading compares dflab's database CPU with the provider's, from
// the runs.
func dbCPUReading(rows []sqlRow) string {
	var below, above []string
	for _, r := range rows {
		if !r.ok {
			continue
		}
		if r.dbCPU < r.DBCPU {
			below = append(below, fmt.Sprint(r.VCores))
		} else {
			above = append(above, fmt.Sprint(r.VCores))
		}
	}
	switch {
	case len(above) == 0:
		return "dflab's database CPU is below the provider's at every point (it counts only the calls' own CPU, and a bound vCore idles while another queues)."
	case len(below) == 0:
		return "dflab's database CPU is at or above the provider's at every point."
	}
	return fmt.Sprintf("dflab's database CPU is below the provider's at %s vCores and at or above it at %s vCores (it counts only the calls' own CPU, and a bound vCore idles while another queues).",
		strings.Join(below, ", "), strings.Join(above, ", "))
}

// unseenReading says how far the unseen points are from the provider's,
// from their relative differences (dflab ÷ provider − 1).
func unseenReading(offs []float64) string {
	if len(offs) == 0 {
		return "No unseen point ran."
	}
	lo, hi := slices.Min(offs), slices.Max(offs)
	pct := func(a, b float64) string {
		a, b = math.Round(100*a), math.Round(100*b)
		if a == b {
			return fmt.Sprintf("%.0f %%", a)
		}
		return fmt.Sprintf("%.0f-%.0f %%", a, b)
	}
	switch {
	case lo >= 0:
		return fmt.Sprintf("The model over-predicts the unseen points by %s: the provider's curve bends more gently than one fetch loop per worker and dispatcher gives.", pct(lo, hi))
	case hi <= 0:
		return fmt.Sprintf("The model under-predicts the unseen points by %s.", pct(-hi, -lo))
	default:
		return fmt.Sprintf("The unseen points are off by %+.0f %% to %+.0f %%.", 100*lo, 100*hi)
	}
}
