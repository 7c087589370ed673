package plot

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScaleLinesDrawsLogLogLinesWithPointTexts(t *testing.T) {
	d := ScaleLinesData{Title: "scale", XLabel: "nodes", YLabel: "orchestrations/s", ErrorLabel: "95% CI", Notes: []string{"* not saturated"},
		Lines: []ScaleLine{
			{Label: "a", X: []float64{4, 8, 16}, Y: []float64{100, 190, 370}, Errors: []float64{5, 0, 400}, Texts: []string{"CPU 96%", "CPU 95%", "CPU 90%"}},
			{Label: "b", X: []float64{4, 8, 16}, Y: []float64{80, math.NaN(), 120}, Texts: []string{"queue 59%*", "", "queue 90%"}},
		}}
	c, err := ScaleLines(d)
	require.NoError(t, err)
	requireValid(t, c)
	require.Less(t, c.Plot.X.Min, 4.0)
	require.Greater(t, c.Plot.X.Max, 16.0, "room for the texts right of the last points")
	require.Positive(t, c.Plot.Y.Min, "an error bar wider than its value stays on the log axis")

	_, err = ScaleLines(ScaleLinesData{Title: "empty"})
	require.ErrorContains(t, err, "no lines")
	d.Lines[1].Texts = []string{"one"}
	_, err = ScaleLines(d)
	require.ErrorContains(t, err, `line "b": 3 x, 3 y, 0 error and 1 text values`)
	_, err = ScaleLines(ScaleLinesData{Title: "nan", Lines: []ScaleLine{{Label: "c", X: []float64{1}, Y: []float64{math.NaN()}}}})
	require.ErrorContains(t, err, "no points")
}
