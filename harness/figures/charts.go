package figures

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/plan"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/plot"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// Series colors: the original engine in oranges, Netherite in blues, the
// sql engine in greens, darker with more cores (or less pipelining).
var (
	originalColors  = []color.Color{color.RGBA{253, 174, 107, 255}, color.RGBA{241, 105, 19, 255}, color.RGBA{166, 54, 3, 255}}
	netheriteColors = []color.Color{color.RGBA{158, 202, 225, 255}, color.RGBA{66, 146, 198, 255}, color.RGBA{8, 69, 148, 255}}
	sqlColors       = []color.Color{color.RGBA{161, 217, 155, 255}, color.RGBA{65, 171, 93, 255}, color.RGBA{0, 109, 44, 255}}
	gray            = color.RGBA{120, 120, 120, 255}
)

// PaperEngines are the engines of Fig. 9 and 10, in series order: the
// paper's two and the sql engine (a port of the MS SQL design).
var PaperEngines = []string{spec.EngineOriginal, spec.EngineNetherite, spec.EngineSQL}

// engineColors is an engine's palette.
func engineColors(engine string) []color.Color {
	switch engine {
	case spec.EngineNetherite:
		return netheriteColors
	case spec.EngineSQL:
		return sqlColors
	}
	return originalColors
}

// System names the engine configuration of s as the notebooks do.
func System(s spec.Spec) string {
	level := s.Engine.Knob("speculation")
	switch {
	case s.Engine.Name == spec.EngineOriginal:
		return SystemOriginal
	case s.Engine.Name == "workflow":
		return SystemStepFunctions
	case s.Engine.Name == "queuechain":
		return "queue chain (" + s.Engine.Knob("host") + " host)"
	case s.Engine.Name == "blobchain":
		return "blob chain"
	case s.Engine.Name == "lambdachain":
		return "Lambda chain (simulated)"
	case s.Engine.Name == spec.EngineSQL:
		return SystemSQL
	case s.Engine.Name != spec.EngineNetherite:
		return s.Engine.Name
	case level == "" || level == spec.SpeculationLocal:
		return SystemNetheriteLocal
	case level == spec.SpeculationNone:
		return SystemNetheriteNone
	}
	return "Netherite (" + level + " speculation)"
}

// byWorkload splits groups by workload, in the order of names.
func byWorkload(groups []results.Group) map[string][]results.Group {
	m := map[string][]results.Group{}
	for _, g := range groups {
		m[g.Spec.Workload.Name] = append(m[g.Spec.Workload.Name], g)
	}
	return m
}

// baseline is the mean throughput of the original engine on 1 node × 1
// core among gs (0 if it did not run).
func baseline(gs []results.Group) float64 {
	for _, g := range gs {
		if g.Spec.Engine.Name == spec.EngineOriginal && g.Spec.Cluster == (spec.Cluster{Nodes: 1, Cores: 1}) && len(g.Runs) > 0 {
			return g.Stats["throughput_per_s"].Mean
		}
	}
	return 0
}

// scaleOutChart is Fig. 9's panel for workload w: bars per engine ×
// cores at each cluster size, relative to the original engine on 1×1.
func scaleOutChart(w string, gs []results.Group, models string) (*plot.Chart, error) {
	d := plot.ScaleOutData{Title: fmt.Sprintf("Fig. 9 · %s throughput scale-out (models %s)", w, models),
		Nodes: []int{1, 4, 8, 12}, Baseline: baseline(gs), BaselineLabel: "original 1×1", LogY: true, ErrorLabel: ciLabel(gs)}
	if len(gs) > 0 && len(gs[0].Runs) > 0 {
		d.Unit = gs[0].Rep().Metrics.Unit
	}
	for _, e := range PaperEngines {
		for ci, c := range []int{1, 2, 4} {
			s := plot.ScaleOutSeries{Label: fmt.Sprintf("%s, %d core%s", e, c, map[bool]string{true: "s"}[c > 1])}
			s.Color = engineColors(e)[ci]
			for _, n := range d.Nodes {
				st, ok := statOf(gs, func(sp spec.Spec) bool {
					return sp.Engine.Name == e && sp.Cluster == spec.Cluster{Nodes: n, Cores: c}
				})
				s.Values, s.Errors = append(s.Values, st.Mean), append(s.Errors, st.HalfWidth())
				if !ok {
					s.Values[len(s.Values)-1] = math.NaN()
				}
			}
			d.Series = append(d.Series, s)
		}
	}
	return wide(plot.ScaleOut(d))
}

// ciLabel says what the groups' error bars are: 95% intervals over their seeds.
func ciLabel(gs []results.Group) string {
	ns := make([]int, len(gs))
	for i, g := range gs {
		ns[i] = len(g.Runs)
	}
	return plot.CILabel(ns...)
}

// wide widens a figure's chart so long titles and the legend strip fit.
func wide(c *plot.Chart, err error) (*plot.Chart, error) {
	if c != nil {
		c.Width, c.Height = 22*vg.Centimeter, 12*vg.Centimeter
	}
	return c, err
}

// statOf is the throughput statistic of the first group matching.
func statOf(gs []results.Group, match func(spec.Spec) bool) (metrics.Stat, bool) {
	return metricOf(gs, match, "throughput_per_s")
}

func metricOf(gs []results.Group, match func(spec.Spec) bool, name string) (metrics.Stat, bool) {
	for _, g := range gs {
		if match(g.Spec) && len(g.Runs) > 0 {
			st, ok := g.Stats[name]
			return st, ok
		}
	}
	return metrics.Stat{}, false
}

// perUnit summarizes f(run)/work units over a group's runs.
func perUnit(g results.Group, f func(metrics.Set) float64) (metrics.Stat, error) {
	var xs []float64
	for _, r := range g.Runs {
		if r.Metrics.WorkUnits > 0 {
			xs = append(xs, f(r.Metrics)/r.Metrics.WorkUnits)
		}
	}
	if len(xs) == 0 {
		return metrics.Stat{N: 0, Mean: math.NaN()}, nil
	}
	return metrics.Summarize(xs)
}

// trafficCharts are Fig. 10: storage requests and KB moved per work
// unit, by workload and engine, on a log scale.
func trafficCharts(gs []results.Group, shape spec.Cluster, models string) (req, kb *plot.Chart, err error) {
	where := fmt.Sprintf("%d nodes × %d cores, models %s", shape.Nodes, shape.Cores, models)
	rd := plot.BarData{Title: "Fig. 10 · storage requests per work unit (" + where + ")", XLabel: "workload",
		YLabel: "storage requests per work unit (log scale)", Categories: ThroughputWorkloads, LogY: true, ErrorLabel: ciLabel(gs)}
	md := plot.BarData{Title: "Fig. 10 · data read and written per work unit (" + where + ")", XLabel: "workload",
		YLabel: "KB per work unit (log scale)", Categories: ThroughputWorkloads, LogY: true, ErrorLabel: ciLabel(gs)}
	by := byWorkload(gs)
	for _, e := range PaperEngines {
		colors := engineColors(e)
		r := plot.BarSeries{Label: e, Color: colors[1]}
		read, written := plot.BarSeries{Label: e + " read", Color: colors[0]}, plot.BarSeries{Label: e + " written", Color: colors[2]}
		for _, w := range ThroughputWorkloads {
			t, err := trafficOf(by[w], e)
			if err != nil {
				return nil, nil, err
			}
			r.Values, r.Errors = append(r.Values, t.requests.Mean), append(r.Errors, t.requests.HalfWidth())
			read.Values, read.Errors = append(read.Values, t.kbRead.Mean), append(read.Errors, t.kbRead.HalfWidth())
			written.Values, written.Errors = append(written.Values, t.kbWritten.Mean), append(written.Errors, t.kbWritten.HalfWidth())
		}
		rd.Series = append(rd.Series, r)
		md.Series = append(md.Series, read, written)
	}
	if req, err = wide(plot.GroupedBars(rd)); err != nil {
		return nil, nil, err
	}
	kb, err = wide(plot.GroupedBars(md))
	return req, kb, err
}

// traffic is one engine's storage traffic per work unit on a workload.
type traffic struct {
	requests, kbRead, kbWritten metrics.Stat
	unit                        string
}

func trafficOf(gs []results.Group, engine string) (traffic, error) {
	nan := metrics.Stat{Mean: math.NaN()}
	t := traffic{requests: nan, kbRead: nan, kbWritten: nan}
	for _, g := range gs {
		if g.Spec.Engine.Name != engine || len(g.Runs) == 0 {
			continue
		}
		var err error
		t.unit = g.Rep().Metrics.Unit
		if t.requests, err = perUnit(g, func(m metrics.Set) float64 { return float64(m.Storage.Total.Requests) }); err != nil {
			return t, err
		}
		if t.kbRead, err = perUnit(g, func(m metrics.Set) float64 { return m.Storage.Total.MBRead * 1000 }); err != nil {
			return t, err
		}
		t.kbWritten, err = perUnit(g, func(m metrics.Set) float64 { return m.Storage.Total.MBWritten * 1000 })
		return t, err
	}
	return t, nil
}

// cdfChart is one Fig. 11 panel: a CDF per system from every recorded
// bucket of its repetitions' merged histograms; ccdf draws 1 − CDF on a
// log axis instead, for the tail.
func cdfChart(w string, gs []results.Group, models string, ccdf bool) (*plot.Chart, error) {
	what := "latency CDF"
	if ccdf {
		what = "latency tail (CCDF)"
	}
	d := plot.CDFData{Title: fmt.Sprintf("Fig. 11 · %s %s, 4 nodes × 2 cores (models %s)", w, what, models), LogX: true, CCDF: ccdf}
	for _, g := range gs {
		l, err := g.Latency()
		if err != nil {
			return nil, err
		}
		if l.Count() > 0 {
			d.Series = append(d.Series, plot.CDFSeries{Label: fmt.Sprintf("%s (%d requests)", System(g.Spec), l.Count()), Points: l.CDF()})
		}
	}
	return wide(plot.CDF(d))
}

// speculationChart is throughput by speculation level, relative to
// local speculation per workload (the workloads' units differ).
func speculationChart(gs []results.Group, models string) (*plot.Chart, error) {
	d := plot.BarData{Title: "Speculation levels · Netherite on 8 nodes × 2 cores (models " + models + ")", XLabel: "workload",
		YLabel: "throughput relative to local speculation (×)", Categories: ThroughputWorkloads,
		ErrorLabel: ciLabel(gs)}
	by := byWorkload(gs)
	for li, level := range spec.Speculations {
		s := plot.BarSeries{Label: "speculation " + level, Color: netheriteColors[li]}
		for _, w := range ThroughputWorkloads {
			local, okL := statOf(by[w], speculationIs(spec.SpeculationLocal))
			st, ok := statOf(by[w], speculationIs(level))
			if !ok || !okL || local.Mean <= 0 {
				s.Values, s.Errors = append(s.Values, math.NaN()), append(s.Errors, 0)
				continue
			}
			s.Values, s.Errors = append(s.Values, st.Mean/local.Mean), append(s.Errors, st.HalfWidth()/local.Mean)
		}
		d.Series = append(d.Series, s)
	}
	c, err := wide(plot.GroupedBars(d))
	if err != nil {
		return nil, err
	}
	var ticks []gplot.Tick
	for v := 0.0; v <= c.Plot.Y.Max+0.2; v += 0.2 {
		ticks = append(ticks, gplot.Tick{Value: v, Label: fmt.Sprintf("%.1f", v)})
	}
	c.Plot.Y.Tick.Marker = gplot.ConstantTicks(ticks)
	return c, nil
}

func speculationIs(level string) func(spec.Spec) bool {
	return func(s spec.Spec) bool {
		return s.Engine.Name == spec.EngineNetherite && s.Engine.Knob("speculation") == level
	}
}

// faultMarks are the times (s) and texts ("crash node1") of a plan's
// timed faults (crash, restart).
func faultMarks(text string) (times []float64, texts []string, err error) {
	p, err := plan.Parse(text)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range p.Faults {
		if f.Kind.Crashes() || f.Kind == plan.Restart {
			times = append(times, float64(f.At)/float64(port.Second))
			texts = append(texts, fmt.Sprintf("%s %s", f.Kind, f.Node))
		}
	}
	return times, texts, nil
}

// offeredLoad is the open load of s as a series: its rate from 0 to the
// end of its arrivals, then 0 until untilSec (ok false for a closed load).
func offeredLoad(s spec.Spec, untilSec float64) (plot.XYSeries, bool) {
	if s.Load.Kind != spec.LoadOpen || s.Load.RatePerSec <= 0 {
		return plot.XYSeries{}, false
	}
	end := s.Load.Duration.D().Seconds()
	return plot.XYSeries{Label: fmt.Sprintf("offered load (%g/s for %g s)", s.Load.RatePerSec, end),
		X: []float64{0, end, end, untilSec}, Y: []float64{s.Load.RatePerSec, s.Load.RatePerSec, 0, 0},
		Color: gray, Dashes: []vg.Length{vg.Points(1), vg.Points(2)}}, true
}

// timelineShownSec is how much of an elasticity run the charts show (the
// load runs 60 s; later stragglers are in the notebook's table).
const timelineShownSec = 75

// timelineCharts are the elasticity figure: throughput and latency per
// one-second window of each engine's first repetition, faults marked.
func timelineCharts(gs []results.Group, faults, models string) (tput, lat *plot.Chart, err error) {
	marks, texts, err := faultMarks(faults)
	if err != nil {
		return nil, nil, err
	}
	shown := fmt.Sprintf("first %d s", timelineShownSec)
	td := plot.TimeSeriesData{Title: "Elasticity · Hello5 at 100/s on 4 nodes × 2 cores, " + shown + " (models " + models + ")",
		YLabel: "completions (orchestrations/s)", Markers: marks, MarkerLabel: "crash / restart", MarkerTexts: texts}
	ld := plot.TimeSeriesData{Title: "Elasticity · latency by second of completion, " + shown + " (models " + models + ")",
		YLabel: "latency (ms, log scale)", LogY: true, Markers: marks, MarkerLabel: "crash / restart", MarkerTexts: texts}
	if len(gs) > 0 {
		if ol, ok := offeredLoad(gs[0].Spec, timelineShownSec); ok {
			td.Series = append(td.Series, ol)
		}
	}
	for _, g := range gs {
		if len(g.Runs) == 0 || len(g.Rep().Metrics.Timeline) == 0 {
			continue
		}
		var x, y, p50, p99 []float64
		for _, w := range g.Rep().Metrics.Timeline {
			x, y = append(x, w.StartMs/1000), append(y, w.ThroughputPerSec)
			if w.Completed == 0 {
				p50, p99 = append(p50, math.NaN()), append(p99, math.NaN())
				continue
			}
			p50, p99 = append(p50, w.LatencyP50Ms), append(p99, w.LatencyP99Ms)
		}
		name, shades := g.Spec.Engine.Name, engineColors(g.Spec.Engine.Name)
		td.Series = append(td.Series, plot.XYSeries{Label: name, X: x, Y: y, Color: shades[2], Dashes: []vg.Length{}})
		ld.Series = append(ld.Series, plot.XYSeries{Label: name + " p50", X: x, Y: p50, Color: shades[2], Dashes: []vg.Length{}},
			plot.XYSeries{Label: name + " p99", X: x, Y: p99, Color: shades[1], Dashes: []vg.Length{vg.Points(4), vg.Points(2)}})
	}
	if tput, err = wide(plot.TimeSeries(td)); err != nil {
		return nil, nil, err
	}
	if lat, err = wide(plot.TimeSeries(ld)); err != nil {
		return nil, nil, err
	}
	var ticks []gplot.Tick
	for t := 0; t <= timelineShownSec; t += 5 {
		label := ""
		if t%15 == 0 {
			label = fmt.Sprint(t)
		}
		ticks = append(ticks, gplot.Tick{Value: float64(t), Label: label})
	}
	for _, c := range []*plot.Chart{tput, lat} {
		c.Plot.X.Min, c.Plot.X.Max = 0, timelineShownSec
		c.Plot.X.Tick.Marker = gplot.ConstantTicks(ticks)
	}
	return tput, lat, nil
}
