package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/metrics"
)

func TestMeasuredPlacementAndRecovery(t *testing.T) {
	r := func(name string, cores int, ps ...int) Report {
		return Report{Worker: name, Cores: cores, Partitions: ps}
	}
	samples := []Sample{
		{AtMs: 0, Shape: Shape{"w1": r("w1", 2, 0, 1), "w2": r("w2", 2, 2, 3), "w3": r("w3", 1, 4, 5)}},
		{AtMs: 900, Shape: Shape{"w1": r("w1", 2, 0, 1), "w3": r("w3", 1, 4, 5)}},        // w2 gone
		{AtMs: 1000, Shape: Shape{"w1": r("w1", 2, 0, 1, 2), "w3": r("w3", 1, 4, 5)}},    // 2 re-placed
		{AtMs: 1400, Shape: Shape{"w1": r("w1", 2, 0, 1, 2), "w3": r("w3", 1, 3, 4, 5)}}, // 3 too
		{AtMs: 2000, Shape: Shape{"w1": r("w1", 2, 0, 1, 2), "w4": r("w4", 4, 3, 4, 5)}}, // w3 gone, w4 joined
		{AtMs: 2500, Shape: Shape{"w1": r("w1", 2, 0, 1, 2), "w4": r("w4", 4, 3, 4, 5), "w5": r("w5", 1)}},
	}
	c, recs := Measured(samples)
	require.Equal(t, 5, c.Workers)
	require.Equal(t, map[string]int{"w1": 2, "w2": 2, "w3": 1, "w4": 4, "w5": 1}, c.Cores)
	require.Len(t, c.Placement, 6)
	require.Equal(t, []int{3, 4, 5}, c.Placement[4].Hosts["w4"])
	require.Len(t, recs, 2)
	require.Equal(t, "worker w2 left", recs[0].Fault)
	require.Equal(t, metrics.MeasurePlacement, recs[0].Measure)
	require.Equal(t, []float64{900, 500}, []float64{recs[0].AtMs, recs[0].RecoveryMs})
	require.Equal(t, "worker w3 left", recs[1].Fault)
	require.Equal(t, []float64{2000, 0}, []float64{recs[1].AtMs, recs[1].RecoveryMs}, "w4 hosted w3's partitions in the first shape without w3")
}
