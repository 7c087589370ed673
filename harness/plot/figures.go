package plot

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/dflab/dflab/harness/metrics"
)

// ScaleOutSeries is one engine × cores line of a scale-out chart: a
// throughput (and CI half width) per cluster size, NaN where not run.
type ScaleOutSeries struct {
	Label  string
	Values []float64 // per ScaleOutData.Nodes entry
	Errors []float64 // optional
	Color  color.Color
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
	LogY          bool
	// ErrorLabel says what the Errors are (see BarData.ErrorLabel).
	ErrorLabel string
}

// ScaleOut draws throughput against cluster size. Missing points (NaN)
// have no bar.
func ScaleOut(d ScaleOutData) (*Chart, error) {
	bd := BarData{Title: d.Title, XLabel: "cluster size (nodes)", YLabel: "throughput (" + d.Unit + "/s)", LogY: d.LogY, ErrorLabel: d.ErrorLabel}
	if d.Baseline < 0 || math.IsNaN(d.Baseline) {
		return nil, fmt.Errorf("plot: %q: baseline %v: allowed > 0, or 0 for none", d.Title, d.Baseline)
	}
	if d.Baseline > 0 {
		bd.YLabel = "throughput relative to " + d.BaselineLabel + " (×)"
		if d.LogY {
			bd.YLabel = "throughput relative to " + d.BaselineLabel + " (×, log)"
		}
	}
	for _, n := range d.Nodes {
		bd.Categories = append(bd.Categories, strconv.Itoa(n))
	}
	for _, s := range d.Series {
		bs := BarSeries{Label: s.Label, Values: scaled(s.Values, d.Baseline), Errors: scaled(s.Errors, d.Baseline), Color: s.Color}
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
	// CCDF draws the complementary CDF, the fraction of requests slower
	// than x, on a log axis: the tail, which a CDF squeezes against 1,
	// spreads over decades.
	CCDF bool
}

// CDF draws latency CDFs (or CCDFs): x = latency in ms, y = fraction of
// requests at most (or above) that latency.
func CDF(d CDFData) (*Chart, error) {
	if len(d.Series) == 0 {
		return nil, fmt.Errorf("plot: %q: no series", d.Title)
	}
	xLabel := "latency (ms)"
	if d.LogX {
		xLabel = "latency (ms, log scale)"
	}
	yLabel := "fraction of requests ≤ latency"
	if d.CCDF {
		yLabel = "fraction of requests > latency (log scale)"
	}
	c := newChart(d.Title, xLabel, yLabel)
	lowest := 1.0
	for i, s := range d.Series {
		var xys plotter.XYs
		for _, p := range s.Points {
			if err := finite(s.Label, p.Ms, p.Fraction); err != nil {
				return nil, err
			}
			y := p.Fraction
			if d.CCDF {
				y = 1 - p.Fraction
			}
			if (d.LogX && p.Ms <= 0) || (d.CCDF && y <= 0) {
				continue // log axis: zeros are below it
			}
			lowest = min(lowest, y)
			xys = append(xys, plotter.XY{X: p.Ms, Y: y})
		}
		if _, err := addLine(c, i, s.Label, xys); err != nil {
			return nil, err
		}
	}
	c.Plot.Y.Min, c.Plot.Y.Max = 0, 1
	if d.CCDF {
		c.Plot.Y.Scale = gplot.LogScale{}
		c.Plot.Y.Tick.Marker = LogTicks125{}
		c.Plot.Y.Min = Floor125(lowest)
	}
	if d.LogX {
		c.Plot.X.Scale = gplot.LogScale{}
		c.Plot.X.Tick.Marker = LogTicks125{}
	}
	return c, nil
}

// XYSeries is one line of a time series: X in seconds since the run began.
type XYSeries struct {
	Label string
	X, Y  []float64
	// Color and Dashes, if set, replace the palette's.
	Color  color.Color
	Dashes []vg.Length
}

// TimeSeriesData is a chart of a metric over time.
type TimeSeriesData struct {
	Title  string
	YLabel string // with unit, e.g. "throughput (orchestrations/s)"
	Series []XYSeries
	// LogY draws the y axis on a log scale (points <= 0 are left out).
	LogY bool
	// Markers are vertical lines at these times (s), e.g. faults,
	// labelled MarkerLabel in the legend; MarkerTexts, if set (one per
	// marker), are written along each line ("crash node1").
	Markers     []float64
	MarkerLabel string
	MarkerTexts []string
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
		if err := finite(s.Label, s.X...); err != nil {
			return nil, err
		}
		if err := finiteOrMissing(s.Label, s.Y...); err != nil {
			return nil, err
		}
		if err := addSegments(c, i, s, d.LogY); err != nil {
			return nil, err
		}
	}
	c.Plot.Y.Min = 0
	c.Plot.Y.Max *= 1.05 // headroom: a peak is not drawn on the frame
	if d.LogY {
		c.Plot.Y.Max = Ceil125(c.Plot.Y.Max)
		c.Plot.Y.Scale = gplot.LogScale{}
		c.Plot.Y.Tick.Marker = LogTicks125{}
		c.Plot.Y.Min = Floor125(minPositive(d.Series))
	}
	return c, markers(c, d)
}

// addSegments draws s as lines broken where Y is NaN (or <= 0 on a log
// axis); a lone point between gaps is drawn as a dot. Only the first
// piece has a legend entry.
func addSegments(c *Chart, i int, s XYSeries, logY bool) error {
	var pieces []plotter.XYs
	var cur plotter.XYs
	for k := range s.X {
		if math.IsNaN(s.Y[k]) || (logY && s.Y[k] <= 0) {
			if len(cur) > 0 {
				pieces, cur = append(pieces, cur), nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: s.X[k], Y: s.Y[k]})
	}
	if len(cur) > 0 {
		pieces = append(pieces, cur)
	}
	if len(pieces) == 0 {
		return fmt.Errorf("plot: %q series %q: no points", c.Plot.Title.Text, s.Label)
	}
	var style *plotter.Line
	for k, xys := range pieces {
		l, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("plot: %q series %q: %w", c.Plot.Title.Text, s.Label, err)
		}
		l.Color, l.Dashes, l.Width = plotutil.Color(i), plotutil.Dashes(i), vg.Points(1.5)
		if s.Color != nil {
			l.Color = s.Color
		}
		if s.Dashes != nil {
			l.Dashes = s.Dashes
		}
		c.Plot.Add(l)
		if k == 0 {
			c.Legend.Add(s.Label, l)
			style = l
		}
		if len(xys) == 1 {
			dot, err := plotter.NewScatter(xys)
			if err != nil {
				return fmt.Errorf("plot: %q series %q: %w", c.Plot.Title.Text, s.Label, err)
			}
			dot.GlyphStyle = draw.GlyphStyle{Color: style.Color, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
			c.Plot.Add(dot)
		}
	}
	return nil
}

// minPositive is the smallest positive y of the series (1 if none).
func minPositive(ss []XYSeries) float64 {
	lo := math.Inf(1)
	for _, s := range ss {
		for _, y := range s.Y {
			if y > 0 && !math.IsNaN(y) {
				lo = min(lo, y)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return 1
	}
	return lo
}

// markers draws d.Markers as thin gray vertical lines over the y range.
func markers(c *Chart, d TimeSeriesData) error {
	if len(d.Markers) == 0 {
		return nil
	}
	if err := finite("marker", d.Markers...); err != nil {
		return err
	}
	if d.MarkerTexts != nil && len(d.MarkerTexts) != len(d.Markers) {
		return fmt.Errorf("plot: %q: %d marker texts for %d markers", d.Title, len(d.MarkerTexts), len(d.Markers))
	}
	style := draw.LineStyle{Color: color.Gray{Y: 110}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(2), vg.Points(2)}}
	for i, x := range d.Markers {
		m := &vline{x: x, style: style}
		if d.MarkerTexts != nil {
			m.text = d.MarkerTexts[i]
		}
		c.Plot.Add(m)
		if i == 0 && d.MarkerLabel != "" {
			c.Legend.Add(d.MarkerLabel, m)
		}
	}
	return nil
}

// vline is a vertical line across the whole plot at x, with an optional
// text written upwards along its right side, ending near the top.
type vline struct {
	x     float64
	style draw.LineStyle
	text  string
}

// Plot draws the line and its text.
func (v *vline) Plot(c draw.Canvas, p *gplot.Plot) {
	tx, _ := p.Transforms(&c)
	x := tx(v.x)
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
	if v.text == "" {
		return
	}
	ts := p.X.Tick.Label
	ts.Color = v.style.Color
	ts.Rotation = math.Pi / 2
	ts.XAlign, ts.YAlign = draw.XRight, draw.YTop
	c.FillText(ts, vg.Point{X: x + vg.Points(2), Y: c.Max.Y - vg.Points(4)}, v.text)
}

// Thumbnail is the legend swatch.
func (v *vline) Thumbnail(c *draw.Canvas) {
	x := (c.Min.X + c.Max.X) / 2
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
}

func addLine(c *Chart, i int, label string, xys plotter.XYs) (*plotter.Line, error) {
	if len(xys) == 0 {
		return nil, fmt.Errorf("plot: %q series %q: no points", c.Plot.Title.Text, label)
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, fmt.Errorf("plot: %q series %q: %w", c.Plot.Title.Text, label, err)
	}
	l.Color = plotutil.Color(i)
	l.Dashes = plotutil.Dashes(i)
	l.Width = vg.Points(1.5)
	c.Plot.Add(l)
	c.Legend.Add(label, l)
	return l, nil
}
