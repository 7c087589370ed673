package plot

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/metrics"
)

var shown int

// requireValid checks that c renders to a decodable PNG and a well-formed SVG.
func requireValid(t *testing.T, c *Chart) {
	t.Helper()
	var pb bytes.Buffer
	require.NoError(t, c.Write(&pb, "png"))
	img, err := png.Decode(bytes.NewReader(pb.Bytes()))
	require.NoError(t, err)
	require.Greater(t, img.Bounds().Dx(), 100)
	require.Greater(t, img.Bounds().Dy(), 100)
	if out := os.Getenv("DFLAB_PLOT_DIR"); out != "" { // to look at the charts
		name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
		require.NoError(t, os.WriteFile(filepath.Join(out, name+"_"+strconv.Itoa(shown)+".png"), pb.Bytes(), 0o644))
		shown++
	}

	var sb bytes.Buffer
	require.NoError(t, c.Write(&sb, "svg"))
	require.Contains(t, sb.String(), "<svg")
	dec := xml.NewDecoder(bytes.NewReader(sb.Bytes()))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "SVG is not well-formed XML")
	}
}

func sampleScaleOut() ScaleOutData {
	return ScaleOutData{
		Title: "Hello5 throughput scale-out", Unit: "orchestrations", Nodes: []int{1, 4, 8, 12},
		Series: []ScaleOutSeries{
			{Label: "original 1 core", Values: []float64{15.1, 60, 100, 110}, Errors: []float64{1, 3, 5, 6}},
			{Label: "original 4 cores", Values: []float64{17.1, 70, 105, 120}},
			{Label: "Netherite 1 core", Values: []float64{35.1, 130, 250, math.NaN()}},
			{Label: "Netherite 4 cores", Values: []float64{109.8, 400, 780, 1100}, Errors: []float64{4, 10, 20, 30}},
		},
		Baseline: 15.1, BaselineLabel: "original 1×1", ErrorLabel: CILabel(6),
	}
}

func TestScaleOutRenders(t *testing.T) {
	c, err := ScaleOut(sampleScaleOut())
	require.NoError(t, err)
	require.Equal(t, "throughput relative to original 1×1 (×)", c.Plot.Y.Label.Text)
	requireValid(t, c)
	d := sampleScaleOut()
	d.Baseline = 0
	c, err = ScaleOut(d)
	require.NoError(t, err)
	require.Equal(t, "throughput (orchestrations/s)", c.Plot.Y.Label.Text)
	requireValid(t, c)
	d.Baseline = -1
	_, err = ScaleOut(d)
	require.ErrorContains(t, err, "baseline")
	d.Baseline, d.ErrorLabel = 0, ""
	_, err = ScaleOut(d)
	require.ErrorContains(t, err, "error bars without an ErrorLabel")
}

func TestErrorBarsAreLabelledInTheLegend(t *testing.T) {
	c, err := ScaleOut(sampleScaleOut())
	require.NoError(t, err)
	var sb bytes.Buffer
	require.NoError(t, c.Write(&sb, "svg"))
	require.Contains(t, sb.String(), "95% CI of mean (6 seeds)")
	require.Equal(t, "95% CI of mean (3–6 seeds)", CILabel(6, 1, 3))
	require.Equal(t, "95% CI of mean", CILabel(1))
}

func TestTrafficBarsRender(t *testing.T) {
	c, err := GroupedBars(BarData{
		Title: "Storage requests per 1,000 orchestrations", XLabel: "workload", YLabel: "requests",
		Categories: []string{"Hello5", "Bank", "WordCount", "Collision"},
		Series: []BarSeries{
			{Label: "original", Values: []float64{40000, 52000, 90000, 30000}},
			{Label: "Netherite", Values: []float64{900, 2100, 4000, 800}},
		},
	})
	require.NoError(t, err)
	requireValid(t, c)
}

func TestGroupedBarsRejectsBadData(t *testing.T) {
	_, err := GroupedBars(BarData{Title: "x"})
	require.Error(t, err)
	_, err = GroupedBars(BarData{Title: "x", Categories: []string{"a", "b"}, Series: []BarSeries{{Label: "s", Values: []float64{1}}}})
	require.ErrorContains(t, err, "1 values")
	_, err = GroupedBars(BarData{Title: "x", Categories: []string{"a"}, Series: []BarSeries{{Label: "s", Values: []float64{math.Inf(1)}}}})
	require.ErrorContains(t, err, "+Inf")
}

func cdfPoints(scaleMs float64) []metrics.Point {
	l := metrics.NewLatency()
	for i := 1; i <= 2000; i++ {
		l.Record(msDur(scaleMs * (1 + float64(i%97)/20 + math.Pow(float64(i)/2000, 40)*30)))
	}
	return l.CDF()
}

func TestCDFRendersLinearAndLog(t *testing.T) {
	for _, logX := range []bool{false, true} {
		c, err := CDF(CDFData{Title: "Hello3 latency, 4 nodes × 2 cores", LogX: logX, Series: []CDFSeries{
			{Label: "Netherite", Points: cdfPoints(11)},
			{Label: "Netherite, no pipelining", Points: cdfPoints(85)},
			{Label: "original", Points: append([]metrics.Point{{Ms: 0, Fraction: 0}}, cdfPoints(150)...)},
		}})
		require.NoError(t, err)
		requireValid(t, c)
	}
	_, err := CDF(CDFData{Title: "x"})
	require.Error(t, err)
	_, err = CDF(CDFData{Title: "x", LogX: true, Series: []CDFSeries{{Label: "zero", Points: []metrics.Point{{Ms: 0, Fraction: 1}}}}})
	require.ErrorContains(t, err, "no points")
}

func TestTimeSeriesRenders(t *testing.T) {
	var x, y []float64
	for i := range 60 {
		x = append(x, float64(i))
		v := 100.0
		if i >= 20 && i < 25 {
			v = 0 // a crash
		}
		y = append(y, v)
	}
	c, err := TimeSeries(TimeSeriesData{Title: "Throughput while node2 crashes at 20 s", YLabel: "throughput (orchestrations/s)",
		Series: []XYSeries{{Label: "Netherite", X: x, Y: y}}})
	require.NoError(t, err)
	requireValid(t, c)
	_, err = TimeSeries(TimeSeriesData{Title: "x", Series: []XYSeries{{Label: "bad", X: []float64{1}, Y: nil}}})
	require.ErrorContains(t, err, "1 x values, 0 y values")
}

func TestCCDFShowsTheTailOnALogAxis(t *testing.T) {
	c, err := CDF(CDFData{Title: "Hello3 latency tail", LogX: true, CCDF: true, Series: []CDFSeries{
		{Label: "Netherite", Points: cdfPoints(11)}, {Label: "original", Points: cdfPoints(150)},
	}})
	require.NoError(t, err)
	requireValid(t, c)
	require.Equal(t, "fraction of requests > latency (log scale)", c.Plot.Y.Label.Text)
	// 2000 latencies: the last but one bucket leaves 1/2000 above it.
	require.InDelta(t, 0.0002, c.Plot.Y.Min, 1e-12)
}

func TestSaveAllWritesEveryFormat(t *testing.T) {
	c, err := ScaleOut(sampleScaleOut())
	require.NoError(t, err)
	dir := t.TempDir()
	if out := os.Getenv("DFLAB_PLOT_DIR"); out != "" { // to look at the charts
		dir = out
	}
	paths, err := c.SaveAll(filepath.Join(dir, "scaleout"))
	require.NoError(t, err)
	require.Len(t, paths, 3)
	for _, p := range paths {
		st, err := os.Stat(p)
		require.NoError(t, err)
		require.Positive(t, st.Size())
	}
	require.ErrorContains(t, c.Save(filepath.Join(dir, "x.gif")), `format "gif" is not one of png, svg, pdf`)
	_, err = os.Stat(filepath.Join(dir, "x.gif"))
	require.True(t, os.IsNotExist(err))
}
