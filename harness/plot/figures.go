package plot

import (
	"fmt"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/dflab/dflab/harness/metrics"
)

// ScaleOutSeries is one engine × cores line of a scale-out chart: a
// throughput (and CI half width) per cluster size, NaN where not run.
type ScaleOutSeries struct {
	Label  string
	Values []float64 // per ScaleOutData.Nodes entry
	Errors []float64 // optional
}

// ScaleOutData is a Fig. 9 style chart: x = nodes, bars per series.
type ScaleOutData struct {
	Title  string
	Unit   string // work unit, for the y label ("orchestrations")
	Nodes  []int
	Series []ScaleOutSeries
	// Baseline > 0 normalizes every value to it (the paper normalizes to
	// the original engine on 1 node × 1 core); BaselineLabel names it.
	Baseline      float64
	BaselineLabel string
}

// ScaleOut draws throughput against cluster size. Missing points (NaN)
// have no bar.
func ScaleOut(d ScaleOutData) (*Chart, error) {
	bd := BarData{Title: d.Title, XLabel: "cluster size (nodes)", YLabel: "throughput (" + d.Unit + "/s)"}
	if d.Baseline < 0 || math.IsNaN(d.Baseline) {
		return nil, fmt.Errorf("plot: %q: baseline %v: allowed > 0, or 0 for none", d.Title, d.Baseline)
	}
	if d.Baseline > 0 {
		bd.YLabel = "throughput relative to " + d.BaselineLabel + " (×)"
	}
	for _, n := range d.Nodes {
		bd.Categories = append(bd.Categories, strconv.Itoa(n))
	}
	for _, s := range d.Series {
		bs := BarSeries{Label: s.Label, Values: scaled(s.Values, d.Baseline), Errors: scaled(s.Errors, d.Baseline)}
		bd.Series = append(bd.Series, bs)
	}
	return GroupedBars(bd)
}

// scaled divides by base (if > 0); NaN stays NaN.
func scaled(vs []float64, base float64) []float64 {
	if vs == nil {
		return nil
	}
	out := make([]float64, len(vs))
	for i, v := range vs {
		if base > 0 {
			v /= base
		}
		out[i] = v
	}
	return out
}

// CDFSeries is one latency distribution.
type CDFSeries struct {
	Label  string
	Points []metrics.Point
}

// CDFData is a Fig. 11 style chart.
type CDFData struct {
	Title  string
	Series []CDFSeries
	LogX   bool
}

// CDF draws latency CDFs: x = latency in ms, y = fraction of requests.
func CDF(d CDFData) (*Chart, error) {
	if len(d.Series) == 0 {
		return nil, fmt.Errorf("plot: %q: no series", d.Title)
	}
	xLabel := "latency (ms)"
	if d.LogX {
		xLabel = "latency (ms, log scale)"
	}
	c := newChart(d.Title, xLabel, "fraction of requests ≤ latency")
	for i, s := range d.Series {
		var xys plotter.XYs
		for _, p := range s.Points {
			if err := finite(s.Label, p.Ms, p.Fraction); err != nil {
				return nil, err
			}
			if d.LogX && p.Ms <= 0 {
				continue // log axis: zero latencies are below the axis
			}
			xys = append(xys, plotter.XY{X: p.Ms, Y: p.Fraction})
		}
		if err := addLine(c, i, s.Label, xys); err != nil {
			return nil, err
		}
	}
	c.Plot.Y.Min, c.Plot.Y.Max = 0, 1
	if d.LogX {
		c.Plot.X.Scale = gplot.LogScale{}
		c.Plot.X.Tick.Marker = gplot.LogTicks{Prec: -1}
	}
	return c, nil
}

// XYSeries is one line of a time series: X in seconds since the run began.
type XYSeries struct {
	Label string
	X, Y  []float64
}

// TimeSeriesData is a chart of a metric over time.
type TimeSeriesData struct {
	Title  string
	YLabel string // with unit, e.g. "throughput (orchestrations/s)"
	Series []XYSeries
}

// TimeSeries draws lines over time.
func TimeSeries(d TimeSeriesData) (*Chart, error) {
	if len(d.Series) == 0 {
		return nil, fmt.Errorf("plot: %q: no series", d.Title)
	}
	c := newChart(d.Title, "time since start (s)", d.YLabel)
	for i, s := range d.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("plot: %q series %q: %d x values, %d y values", d.Title, s.Label, len(s.X), len(s.Y))
		}
		if err := finite(s.Label, append(append([]float64(nil), s.X...), s.Y...)...); err != nil {
			return nil, err
		}
		xys := make(plotter.XYs, len(s.X))
		for k := range s.X {
			xys[k] = plotter.XY{X: s.X[k], Y: s.Y[k]}
		}
		if err := addLine(c, i, s.Label, xys); err != nil {
			return nil, err
		}
	}
	c.Plot.Y.Min = 0
	return c, nil
}

func addLine(c *Chart, i int, label string, xys plotter.XYs) error {
	if len(xys) == 0 {
		return fmt.Errorf("plot: %q series %q: no points", c.Plot.Title.Text, label)
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("plot: %q series %q: %w", c.Plot.Title.Text, label, err)
	}
	l.Color = plotutil.Color(i)
	l.Dashes = plotutil.Dashes(i)
	l.Width = vg.Points(1.5)
	c.Plot.Add(l)
	c.Legend.Add(label, l)
	return nil
}
