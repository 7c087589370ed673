package plot

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/results"
	"github.com/dflab/dflab/harness/spec"
)

// Named is a chart and the file base name it is saved under.
type Named struct {
	Name  string
	Chart *Chart
}

// Kinds of charts FromRows draws.
var Kinds = []string{"scaleout", "throughput", "traffic", "cdf", "timeline"}

// FromRows draws every chart of kind (one of Kinds, or "all") the rows support. normalize scales scale-out
// charts to the original engine on 1 node × 1 core when that was run;
// logX draws CDFs on a log latency axis; ccdf draws them as CCDFs (1 − CDF,
// log scale) for the tail.
func FromRows(rows []results.Row, kind string, normalize, logX, ccdf bool) ([]Named, error) {
	groups, err := results.Groups(rows)
	if err != nil {
		return nil, err
	}
	var out []Named
	build := map[string]func() ([]Named, error){
		"scaleout":   func() ([]Named, error) { return ScaleOutCharts(groups, normalize) },
		"traffic":    func() ([]Named, error) { return TrafficCharts(groups) },
		"throughput": func() ([]Named, error) { return ThroughputCharts(groups) },
		"cdf":        func() ([]Named, error) { return CDFCharts(groups, logX, ccdf) },
		"timeline":   func() ([]Named, error) { return TimelineCharts(groups) },
	}
	kinds := []string{kind}
	if kind == "all" {
		kinds = Kinds
	} else if build[kind] == nil {
		return nil, fmt.Errorf("plot: kind %q is not one of %s, all", kind, strings.Join(Kinds, ", "))
	}
	for _, k := range kinds {
		cs, err := build[k]()
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// byWorkload splits groups by workload name, in sorted order.
func byWorkload(groups []results.Group) ([]string, map[string][]results.Group) {
	m := map[string][]results.Group{}
	for _, g := range groups {
		if len(g.Runs) > 0 {
			m[g.Spec.Workload.Name] = append(m[g.Spec.Workload.Name], g)
		}
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, m
}

// ScaleOutCharts draws one Fig. 9 chart per workload run on more than one
// cluster size: x = nodes, a series per engine × cores.
func ScaleOutCharts(groups []results.Group, normalize bool) ([]Named, error) {
	names, by := byWorkload(groups)
	var out []Named
	for _, w := range names {
		d, ok := scaleOutData(w, by[w], normalize)
		if !ok {
			continue
		}
		c, err := ScaleOut(d)
		if err != nil {
			return nil, err
		}
		out = append(out, Named{Name: "scaleout-" + w, Chart: c})
	}
	return out, nil
}

func scaleOutData(w string, gs []results.Group, normalize bool) (ScaleOutData, bool) {
	nodeSet, labels := map[int]bool{}, map[string]map[int]metrics.Stat{}
	var order []string
	d := ScaleOutData{Title: w + " throughput by cluster size", Unit: gs[0].Rep().Metrics.Unit, ErrorLabel: CILabel(runCounts(gs)...)}
	for _, g := range gs {
		n := g.Spec.Cluster.Nodes
		nodeSet[n] = true
		label := fmt.Sprintf("%s, %d core(s)", g.Spec.Engine.Name, g.Spec.Cluster.Cores)
		if labels[label] == nil {
			labels[label] = map[int]metrics.Stat{}
			order = append(order, label)
		}
		labels[label][n] = g.Stats["throughput_per_s"]
		if normalize && g.Spec.Engine.Name == "original" && n == 1 && g.Spec.Cluster.Cores == 1 {
			d.Baseline, d.BaselineLabel = g.Stats["throughput_per_s"].Mean, "original 1 node × 1 core"
		}
	}
	if len(nodeSet) < 2 {
		return d, false
	}
	for n := range nodeSet {
		d.Nodes = append(d.Nodes, n)
	}
	sort.Ints(d.Nodes)
	sort.Strings(order)
	for _, l := range order {
		s := ScaleOutSeries{Label: l}
		for _, n := range d.Nodes {
			st, ok := labels[l][n]
			if !ok {
				s.Values, s.Errors = append(s.Values, math.NaN()), append(s.Errors, 0)
				continue
			}
			s.Values, s.Errors = append(s.Values, st.Mean), append(s.Errors, st.HalfWidth())
		}
		d.Series = append(d.Series, s)
	}
	if d.Baseline <= 0 {
		d.Baseline = 0
	}
	return d, true
}

// enginesOf lists the engines that ran in groups: original, netherite
// and sql first (in that order), then any other by name.
func enginesOf(groups []results.Group) []string {
	ran := map[string]bool{}
	for _, g := range groups {
		ran[g.Spec.Engine.Name] = true
	}
	var out []string
	for _, e := range []string{"original", "netherite", "sql"} {
		if ran[e] {
			out = append(out, e)
			delete(ran, e)
		}
	}
	rest := make([]string, 0, len(ran))
	for e := range ran {
		rest = append(rest, e)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// TrafficCharts draws Fig. 10: storage requests and MB read and written
// per workload (x) and engine (series), means over repetitions.
func TrafficCharts(groups []results.Group) ([]Named, error) {
	names, by := byWorkload(groups)
	if len(names) == 0 {
		return nil, nil
	}
	engines := enginesOf(groups)
	req := BarData{Title: "Storage requests", XLabel: "workload", YLabel: "requests per run", Categories: names}
	mb := BarData{Title: "Storage traffic", XLabel: "workload", YLabel: "data moved per run (MB)", Categories: names}
	for _, e := range engines {
		r := BarSeries{Label: e}
		rd, wr := BarSeries{Label: e + " read"}, BarSeries{Label: e + " written"}
		for _, w := range names {
			g, ok := firstOf(by[w], e)
			r.Values = append(r.Values, stat(g, ok, "storage_requests"))
			rd.Values = append(rd.Values, stat(g, ok, "mb_read"))
			wr.Values = append(wr.Values, stat(g, ok, "mb_written"))
		}
		req.Series = append(req.Series, r)
		mb.Series = append(mb.Series, rd, wr)
	}
	rc, err := GroupedBars(req)
	if err != nil {
		return nil, err
	}
	mc, err := GroupedBars(mb)
	if err != nil {
		return nil, err
	}
	return []Named{{Name: "traffic-requests", Chart: rc}, {Name: "traffic-mb", Chart: mc}}, nil
}

// firstOf is the first group of engine e (a traffic figure compares one
// configuration per engine and workload).
func firstOf(gs []results.Group, e string) (results.Group, bool) {
	for _, g := range gs {
		if g.Spec.Engine.Name == e {
			return g, true
		}
	}
	return results.Group{}, false
}

func stat(g results.Group, ok bool, name string) float64 {
	st, has := g.Stats[name]
	if !ok || !has {
		return math.NaN()
	}
	return st.Mean
}

// label names a configuration in a legend: the spec name if set, else
// the engine (with speculation level for Netherite).
func label(g results.Group) string {
	if g.Spec.Name != "" {
		return g.Spec.Name
	}
	if g.Spec.Engine.Name == spec.EngineNetherite {
		return fmt.Sprintf("netherite (speculation %s)", g.Spec.Engine.Knob("speculation"))
	}
	return g.Spec.Engine.Name
}

// CDFCharts draws one Fig. 11 chart per workload, a line per
// configuration with its repetitions' histograms merged (every bucket).
func CDFCharts(groups []results.Group, logX, ccdf bool) ([]Named, error) {
	names, by := byWorkload(groups)
	var out []Named
	for _, w := range names {
		d := CDFData{Title: w + " latency", LogX: logX, CCDF: ccdf}
		for _, g := range by[w] {
			merged, err := g.Latency()
			if err != nil {
				return nil, fmt.Errorf("plot: %w", err)
			}
			if merged.Count() > 0 {
				d.Series = append(d.Series, CDFSeries{Label: label(g), Points: merged.CDF()})
			}
		}
		if len(d.Series) == 0 {
			continue
		}
		c, err := CDF(d)
		if err != nil {
			return nil, err
		}
		out = append(out, Named{Name: "cdf-" + w, Chart: c})
	}
	return out, nil
}

// TimelineCharts draws throughput and median latency over time for every
// configuration whose first run has a timeline.
func TimelineCharts(groups []results.Group) ([]Named, error) {
	var out []Named
	for _, g := range groups {
		if len(g.Runs) == 0 || len(g.Rep().Metrics.Timeline) == 0 {
			continue
		}
		r := g.Rep()
		var x, tput, p50 []float64
		for _, w := range r.Metrics.Timeline {
			x = append(x, w.StartMs/1000)
			tput, p50 = append(tput, w.ThroughputPerSec), append(p50, w.LatencyP50Ms)
		}
		title := fmt.Sprintf("%s on %s (%s clock)", r.Spec.Workload.Name, label(g), r.Metrics.Clock)
		tc, err := TimeSeries(TimeSeriesData{Title: "Throughput: " + title, YLabel: "throughput (" + r.Metrics.Unit + "/s)",
			Series: []XYSeries{{Label: label(g), X: x, Y: tput}}})
		if err != nil {
			return nil, err
		}
		lc, err := TimeSeries(TimeSeriesData{Title: "Median latency: " + title, YLabel: "median latency (ms)",
			Series: []XYSeries{{Label: label(g), X: x, Y: p50}}})
		if err != nil {
			return nil, err
		}
		out = append(out, Named{Name: "timeline-throughput-" + g.ConfigID, Chart: tc},
			Named{Name: "timeline-latency-" + g.ConfigID, Chart: lc})
	}
	return out, nil
}

// ThroughputCharts draws throughput per workload (x) and configuration
// (series, named by label), means with 95% intervals: the speculation
// levels comparison. Charts are split by cluster shape.
func ThroughputCharts(groups []results.Group) ([]Named, error) {
	shapes := map[string][]results.Group{}
	var order []string
	for _, g := range groups {
		if len(g.Runs) == 0 {
			continue
		}
		k := fmt.Sprintf("%dx%d", g.Spec.Cluster.Nodes, g.Spec.Cluster.Cores)
		if shapes[k] == nil {
			order = append(order, k)
		}
		shapes[k] = append(shapes[k], g)
	}
	sort.Strings(order)
	var out []Named
	for _, k := range order {
		names, by := byWorkload(shapes[k])
		d := BarData{Title: "Throughput, " + strings.Replace(k, "x", " nodes × ", 1) + " cores", XLabel: "workload",
			YLabel: "throughput (work units/s)", Categories: names, ErrorLabel: CILabel(runCounts(shapes[k])...)}
		series := map[string]*BarSeries{}
		var labels []string
		for wi, w := range names {
			for _, g := range by[w] {
				l := label(g)
				if series[l] == nil {
					series[l] = &BarSeries{Label: l, Values: nans(len(names)), Errors: make([]float64, len(names))}
					labels = append(labels, l)
				}
				st := g.Stats["throughput_per_s"]
				series[l].Values[wi], series[l].Errors[wi] = st.Mean, st.HalfWidth()
			}
		}
		for _, l := range labels {
			d.Series = append(d.Series, *series[l])
		}
		c, err := GroupedBars(d)
		if err != nil {
			return nil, err
		}
		out = append(out, Named{Name: "throughput-" + k, Chart: c})
	}
	return out, nil
}

// runCounts are the groups' numbers of successful runs (for CILabel).
func runCounts(gs []results.Group) []int {
	out := make([]int, len(gs))
	for i, g := range gs {
		out[i] = len(g.Runs)
	}
	return out
}

func nans(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}
