package plot

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Formats are the file formats charts are written in.
var Formats = []string{"png", "svg", "pdf"}

// Default chart size.
const (
	DefaultWidth  = 18 * vg.Centimeter
	DefaultHeight = 11 * vg.Centimeter
)

// Chart is a plot and its legend, drawn in a strip right of the data.
type Chart struct {
	Plot   *gplot.Plot
	Legend gplot.Legend
	Width  vg.Length
	Height vg.Length
}

func newChart(title, xLabel, yLabel string) *Chart {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Title.Padding = vg.Points(6)
	p.Add(gridY())
	l := gplot.NewLegend()
	l.Top, l.Left = true, true
	l.Padding = vg.Points(2)
	return &Chart{Plot: p, Legend: l, Width: DefaultWidth, Height: DefaultHeight}
}

// Write draws the chart in format (one of Formats) to w.
func (c *Chart) Write(w io.Writer, format string) error {
	if !slices.Contains(Formats, format) {
		return fmt.Errorf("plot: format %q is not one of %s", format, strings.Join(Formats, ", "))
	}
	cw, err := draw.NewFormattedCanvas(c.Width, c.Height, format)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	c.draw(draw.New(cw))
	if _, err := cw.WriteTo(w); err != nil {
		return fmt.Errorf("plot: write %s: %w", format, err)
	}
	return nil
}

// draw puts the legend in a strip at the right and the plot in the rest.
func (c *Chart) draw(dc draw.Canvas) {
	r := c.Legend.Rectangle(dc)
	strip := r.Max.X - r.Min.X
	if strip > 0 {
		strip += vg.Points(12)
	}
	c.Plot.Draw(draw.Crop(dc, 0, -strip, 0, 0))
	if strip > 0 {
		top := c.Plot.Title.TextStyle.Rectangle(c.Plot.Title.Text).Max.Y + c.Plot.Title.Padding + vg.Points(8)
		c.Legend.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-strip+vg.Points(6), 0, 0, -top))
	}
}

// Save writes the chart to path; the extension (one of Formats) is the format.
func (c *Chart) Save(path string) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if err := c.Write(f, format); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	return nil
}

// SaveAll writes base.png, base.svg and base.pdf and returns their paths.
func (c *Chart) SaveAll(base string) ([]string, error) {
	var out []string
	for _, f := range Formats {
		p := base + "." + f
		if err := c.Save(p); err != nil {
			return out, err
		}
		out = append(out, p)
	}
	return out, nil
}

func finite(what string, vs ...float64) error {
	for i, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("plot: %s value %d is %v", what, i, v)
		}
	}
	return nil
}

// finiteOrMissing is finite but lets NaN through (a value not measured).
func finiteOrMissing(what string, vs ...float64) error {
	for i, v := range vs {
		if math.IsInf(v, 0) {
			return fmt.Errorf("plot: %s value %d is %v", what, i, v)
		}
	}
	return nil
}

// LogTicks125 marks a log axis at 1, 2 and 5 times each power of ten
// (only the powers when the axis spans more than four decades), so that
// an axis spanning less than a decade still has several labels.
type LogTicks125 struct{}

// Ticks implements gplot.Ticker.
func (LogTicks125) Ticks(lo, hi float64) []gplot.Tick {
	if !(lo > 0) || !(hi > lo) {
		return nil
	}
	steps := []float64{1, 2, 5}
	if math.Log10(hi/lo) > 4 {
		steps = []float64{1}
	}
	var out []gplot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, s := range steps {
			v := s * math.Pow(10, e)
			if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				out = append(out, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	return out
}

// Floor125 is the largest 1-2-5 value (1, 2 or 5 times a power of ten)
// strictly below v > 0: where a log axis starts so the smallest bar shows.
func Floor125(v float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, s := range []float64{5, 2, 1, 0.5} {
		if f := s * e; f < v*(1-1e-9) {
			return f
		}
	}
	return e / 2
}

// Ceil125 is the smallest 1-2-5 value at or above v > 0: where a log
// axis ends so its top is labelled.
func Ceil125(v float64) float64 {
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, s := range []float64{1, 2, 5, 10} {
		if f := s * e; f >= v*(1-1e-9) {
			return f
		}
	}
	return 10 * e
}
