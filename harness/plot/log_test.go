package plot

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	gplot "gonum.org/v1/plot"
)

func tickValues(ts []gplot.Tick) []float64 {
	var out []float64
	for _, t := range ts {
		out = append(out, t.Value)
	}
	return out
}

func TestLogTicks125AndFloor(t *testing.T) {
	require.Equal(t, []float64{1, 2, 5, 10, 20, 50}, tickValues(LogTicks125{}.Ticks(0.9, 70)))
	require.Equal(t, "0.5", LogTicks125{}.Ticks(0.5, 1)[0].Label)
	require.Equal(t, []float64{1, 10, 100, 1000, 10000, 100000}, tickValues(LogTicks125{}.Ticks(1, 200000)), "only powers beyond four decades")
	require.Empty(t, LogTicks125{}.Ticks(0, 10), "no log ticks from zero")
	require.Equal(t, 0.5, Floor125(1), "strictly below, so a bar of exactly 1 shows")
	require.Equal(t, 5.0, Floor125(7.3))
	require.Equal(t, 0.02, Floor125(0.03))
	require.Equal(t, 50.0, Ceil125(45))
	require.Equal(t, 100.0, Ceil125(51))
	require.Equal(t, 1.0, Ceil125(1))
}

func TestLogBarsRiseFromTheFloor(t *testing.T) {
	d := sampleScaleOut()
	d.LogY = true
	c, err := ScaleOut(d)
	require.NoError(t, err)
	require.IsType(t, gplot.LogScale{}, c.Plot.Y.Scale)
	require.Equal(t, 0.5, c.Plot.Y.Min, "below the baseline's 1×")
	require.Equal(t, 100.0, c.Plot.Y.Max, "above the highest bar, 1100+30 over 15.1")
	require.Contains(t, c.Plot.Y.Label.Text, "log")
	requireValid(t, c)
}

func TestTimeSeriesBreaksAtMissingValuesAndMarksFaults(t *testing.T) {
	nan := math.NaN()
	d := TimeSeriesData{Title: "latency", YLabel: "latency (ms)", LogY: true, Markers: []float64{2, 4}, MarkerLabel: "crash", MarkerTexts: []string{"crash node1", "restart node1"},
		Series: []XYSeries{{Label: "p50", X: []float64{0, 1, 2, 3, 4, 5}, Y: []float64{10, 12, nan, 900, nan, 11}}}}
	c, err := TimeSeries(d)
	require.NoError(t, err)
	require.Equal(t, 5.0, c.Plot.Y.Min)
	requireValid(t, c)
	var sb bytes.Buffer
	require.NoError(t, c.Write(&sb, "svg"))
	require.Contains(t, sb.String(), "restart node1")
	d.MarkerTexts = []string{"one"}
	_, err = TimeSeries(d)
	require.ErrorContains(t, err, "1 marker texts for 2 markers")
	d.MarkerTexts = nil
	d.Series[0].Y = []float64{nan, nan, nan, nan, nan, nan}
	_, err = TimeSeries(d)
	require.ErrorContains(t, err, "no points")
	d.Series[0].Y[0] = math.Inf(1)
	_, err = TimeSeries(d)
	require.ErrorContains(t, err, "+Inf")
}
