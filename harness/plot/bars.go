package plot

import (
	"fmt"
	"image/color"
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BarSeries is one series of a grouped bar chart: a value per category
// (NaN: not measured, no bar) and, optionally, an error half-width per
// category (0 or NaN: none).
type BarSeries struct {
	Label  string
	Values []float64
	Errors []float64
	// Color, if set, replaces the palette's color of the series.
	Color color.Color
}

// BarData is a grouped bar chart: one group per category, one bar per
// series in each group.
type BarData struct {
	Title, XLabel, YLabel string
	Categories            []string
	Series                []BarSeries
	// LogY draws the value axis on a log scale, bars rising from the
	// axis' lowest decade below the smallest value.
	LogY bool
	// ErrorLabel says what the error bars are (CILabel writes the usual
	// one); it is the legend entry of a whisker. Required when a series
	// has errors: an unlabelled error bar says nothing.
	ErrorLabel string
}

// groupWidth is the share of a category's slot its bars take.
const groupWidth = 0.8

// GroupedBars draws d.
func GroupedBars(d BarData) (*Chart, error) {
	if len(d.Categories) == 0 || len(d.Series) == 0 {
		return nil, fmt.Errorf("plot: %q: no categories or no series", d.Title)
	}
	c := newChart(d.Title, d.XLabel, d.YLabel)
	w := groupWidth / float64(len(d.Series))
	var all []*bars
	for i, s := range d.Series {
		if len(s.Values) != len(d.Categories) || (s.Errors != nil && len(s.Errors) != len(d.Categories)) {
			return nil, fmt.Errorf("plot: %q series %q: %d values, %d errors for %d categories", d.Title, s.Label, len(s.Values), len(s.Errors), len(d.Categories))
		}
		if err := finiteOrMissing(s.Label, append(append([]float64(nil), s.Values...), s.Errors...)...); err != nil {
			return nil, err
		}
		b := &bars{ys: s.Values, errs: s.Errors, width: w, color: plotutil.Color(i)}
		if s.Color != nil {
			b.color = s.Color
		}
		for k := range d.Categories {
			b.xs = append(b.xs, float64(k)-groupWidth/2+(float64(i)+0.5)*w)
		}
		c.Plot.Add(b)
		c.Legend.Add(s.Label, b)
		all = append(all, b)
	}
	if hasErrors(d.Series) {
		if d.ErrorLabel == "" {
			return nil, fmt.Errorf("plot: %q: error bars without an ErrorLabel saying what they are", d.Title)
		}
		c.Legend.Add(d.ErrorLabel, whiskerKey{})
	}
	c.Plot.NominalX(d.Categories...)
	c.Plot.X.Min, c.Plot.X.Max = -0.5, float64(len(d.Categories))-0.5
	c.Plot.Y.Min = 0
	if d.LogY {
		setLogY(c, all)
	}
	return c, nil
}

// hasErrors reports whether any series has an error bar to draw.
func hasErrors(ss []BarSeries) bool {
	for _, s := range ss {
		for _, e := range s.Errors {
			if e > 0 {
				return true
			}
		}
	}
	return false
}

// CILabel is the legend entry of error bars that are 95% confidence
// intervals of the mean (Student's t) over the given numbers of
// repetitions (seeds); one repetition has no interval and no bar.
func CILabel(ns ...int) string {
	lo, hi := 0, 0
	for _, n := range ns {
		if n < 2 {
			continue
		}
		if lo == 0 || n < lo {
			lo = n
		}
		hi = max(hi, n)
	}
	switch {
	case lo == 0:
		return "95% CI of mean"
	case lo == hi:
		return fmt.Sprintf("95%% CI of mean (%d seeds)", lo)
	}
	return fmt.Sprintf("95%% CI of mean (%d–%d seeds)", lo, hi)
}

// whisker is the style of error bars.
var whisker = draw.LineStyle{Color: color.Black, Width: vg.Points(0.8)}

// whiskerKey is the legend swatch of error bars.
type whiskerKey struct{}

// Thumbnail draws a capped vertical whisker.
func (whiskerKey) Thumbnail(c *draw.Canvas) {
	xm, capW := (c.Min.X+c.Max.X)/2, (c.Max.X-c.Min.X)/4
	lo, hi := c.Min.Y, c.Max.Y
	c.StrokeLines(whisker, []vg.Point{{X: xm, Y: lo}, {X: xm, Y: hi}},
		[]vg.Point{{X: xm - capW, Y: lo}, {X: xm + capW, Y: lo}}, []vg.Point{{X: xm - capW, Y: hi}, {X: xm + capW, Y: hi}})
}

// setLogY puts the value axis on a log scale from the 1-2-5 step below
// the smallest positive value (bars rise from there) to the 1-2-5 step
// at or above the highest bar or whisker.
func setLogY(c *Chart, all []*bars) {
	lo, hi := math.Inf(1), 0.0
	for _, b := range all {
		for i, v := range b.ys {
			if v > 0 {
				lo = min(lo, v)
				hi = max(hi, v)
				if b.errs != nil && b.errs[i] > 0 {
					hi = max(hi, v+b.errs[i])
				}
			}
		}
	}
	if math.IsInf(lo, 1) {
		return // nothing positive: keep the linear axis
	}
	floor := Floor125(lo)
	c.Plot.Y.Scale = gplot.LogScale{}
	c.Plot.Y.Tick.Marker = LogTicks125{}
	c.Plot.Y.Min, c.Plot.Y.Max = floor, Ceil125(hi)
	for _, b := range all {
		b.base = floor
	}
}

// bars is a series of bars with widths in data units (so error bars line
// up exactly whatever the canvas size).
type bars struct {
	xs, ys, errs []float64
	width        float64
	color        color.Color
	base         float64 // where bars rise from: 0, or the log axis' floor
}

var outline = draw.LineStyle{Color: color.Gray{Y: 60}, Width: vg.Points(0.5)}

// Plot draws the bars and their error whiskers.
func (b *bars) Plot(c draw.Canvas, p *gplot.Plot) {
	tx, ty := p.Transforms(&c)
	for i, x := range b.xs {
		if math.IsNaN(b.ys[i]) {
			continue // not measured: no bar at all
		}
		if b.base > 0 && !(b.ys[i] > 0) {
			continue // no bar below a log axis
		}
		x0, x1 := tx(x-b.width/2), tx(x+b.width/2)
		y0, y1 := ty(b.base), ty(b.ys[i])
		pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.color, c.ClipPolygonY(pts))
		c.StrokeLines(outline, c.ClipLinesY(append(pts, pts[0]))...)
		if b.errs == nil || !(b.errs[i] > 0) {
			continue
		}
		lo, hi := ty(max(b.ys[i]-b.errs[i], b.base)), ty(b.ys[i]+b.errs[i])
		xm, capW := tx(x), (x1-x0)/4
		c.StrokeLines(whisker, c.ClipLinesY([]vg.Point{{X: xm, Y: lo}, {X: xm, Y: hi}},
			[]vg.Point{{X: xm - capW, Y: lo}, {X: xm + capW, Y: lo}},
			[]vg.Point{{X: xm - capW, Y: hi}, {X: xm + capW, Y: hi}})...)
	}
}

// DataRange covers the bars, zero and the whiskers.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = b.xs[0]-b.width/2, b.xs[len(b.xs)-1]+b.width/2
	for i, y := range b.ys {
		e := 0.0
		if math.IsNaN(y) {
			continue
		}
		if b.errs != nil && !math.IsNaN(b.errs[i]) {
			e = b.errs[i]
		}
		ymin, ymax = min(ymin, y-e), max(ymax, y+e)
	}
	if b.base > 0 {
		ymin = b.base
	}
	return xmin, xmax, ymin, ymax
}

// Thumbnail is the legend swatch.
func (b *bars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(b.color, pts)
	c.StrokeLines(outline, append(pts, pts[0]))
}

func gridY() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = color.Gray{Y: 220}
	return g
}
