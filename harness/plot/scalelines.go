package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ScaleLine is one line of a scale chart: a value per cluster size, its
// 95% half width and a short text written beside each point (e.g. the
// resource that bound it); NaN values are left out.
type ScaleLine struct {
	Label  string
	X      []float64
	Y      []float64
	Errors []float64 // nil: no error bars
	Texts  []string  // nil or one per point
	Color  color.Color
	Dashes []vg.Length
}

// ScaleLinesData is a chart of a metric against cluster size, both axes
// on a log scale, x ticks at the sizes.
type ScaleLinesData struct {
	Title, XLabel, YLabel string
	Lines                 []ScaleLine
	// ErrorLabel, if set, is the legend entry of the error bars.
	ErrorLabel string
	// Notes are extra legend lines (what the point texts mean).
	Notes []string
}

// ScaleLines draws d: a line with dots per series, error bars and a text
// beside each point.
func ScaleLines(d ScaleLinesData) (*Chart, error) {
	if len(d.Lines) == 0 {
		return nil, fmt.Errorf("plot: %q: no lines", d.Title)
	}
	c := newChart(d.Title, d.XLabel, d.YLabel)
	lo, hi := math.Inf(1), math.Inf(-1)
	xs := map[float64]bool{}
	errs := false
	for i, s := range d.Lines {
		if len(s.X) != len(s.Y) || (s.Errors != nil && len(s.Errors) != len(s.Y)) || (s.Texts != nil && len(s.Texts) != len(s.Y)) {
			return nil, fmt.Errorf("plot: %q line %q: %d x, %d y, %d error and %d text values", d.Title, s.Label, len(s.X), len(s.Y), len(s.Errors), len(s.Texts))
		}
		if err := finite(s.Label, s.X...); err != nil {
			return nil, err
		}
		var pts plotter.XYs
		var errPts plotter.XYs
		var yerr plotter.YErrors
		var labels []string
		for k := range s.X {
			y := s.Y[k]
			if math.IsNaN(y) || y <= 0 || s.X[k] <= 0 {
				continue
			}
			xs[s.X[k]] = true
			pts = append(pts, plotter.XY{X: s.X[k], Y: y})
			e := 0.0
			if s.Errors != nil && !math.IsNaN(s.Errors[k]) {
				e = min(s.Errors[k], 0.95*y) // a log axis has no room below 0
			}
			lo, hi = min(lo, y-e), max(hi, y+e)
			if e > 0 {
				errPts = append(errPts, plotter.XY{X: s.X[k], Y: y})
				yerr = append(yerr, struct{ Low, High float64 }{e, e})
			}
			if s.Texts != nil {
				labels = append(labels, s.Texts[k])
			}
		}
		if len(pts) == 0 {
			return nil, fmt.Errorf("plot: %q line %q: no points", d.Title, s.Label)
		}
		col := s.Color
		if col == nil {
			col = plotutil.Color(i)
		}
		line, dots, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("plot: %q line %q: %w", d.Title, s.Label, err)
		}
		line.Color, line.Width, line.Dashes = col, vg.Points(1.5), s.Dashes
		dots.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		c.Plot.Add(line, dots)
		c.Legend.Add(s.Label, line, dots)
		if len(errPts) > 0 {
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYer
				plotter.YErrorer
			}{errPts, yerr})
			if err != nil {
				return nil, fmt.Errorf("plot: %q line %q: %w", d.Title, s.Label, err)
			}
			eb.LineStyle.Color, eb.LineStyle.Width = col, vg.Points(1)
			c.Plot.Add(eb)
			errs = true
		}
		if len(labels) > 0 {
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
			if err != nil {
				return nil, fmt.Errorf("plot: %q line %q: %w", d.Title, s.Label, err)
			}
			for k := range lb.TextStyle {
				lb.TextStyle[k].Color = col
				lb.TextStyle[k].Font.Size = vg.Points(7)
			}
			lb.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(-11)} // below right of the point, off a rising line
			c.Plot.Add(lb)
		}
	}
	if errs && d.ErrorLabel != "" {
		c.Legend.Add(d.ErrorLabel, whiskerKey{})
	}
	for _, n := range d.Notes {
		c.Legend.Add(n)
	}
	c.Plot.X.Scale, c.Plot.Y.Scale = gplot.LogScale{}, gplot.LogScale{}
	c.Plot.Y.Tick.Marker = LogTicks125{}
	c.Plot.Y.Min, c.Plot.Y.Max = Floor125(lo), Ceil125(hi*1.6) // room for the texts above the top points
	var ticks []gplot.Tick
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for x := range xs {
		ticks = append(ticks, gplot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)})
		xmin, xmax = min(xmin, x), max(xmax, x)
	}
	slices.SortFunc(ticks, func(a, b gplot.Tick) int { return cmp.Compare(a.Value, b.Value) })
	c.Plot.X.Tick.Marker = gplot.ConstantTicks(ticks)
	c.Plot.X.Min, c.Plot.X.Max = xmin/1.25, xmax*2.2 // room for the texts right of the last points
	return c, nil
}
