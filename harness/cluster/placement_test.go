package cluster

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/metrics"
)

// report is a worker's report in its life 1 with every partition running.
func report(name string, cores int, ps ...int) Report {
	return Report{Worker: name, Cores: cores, Partitions: ps, Running: ps, Life: 1}
}

func TestMeasuredPlacementAndRecovery(t *testing.T) {
	r := report
	samples := []Sample{
		{AtMs: 0, Shape: Shape{"w1": r("w1", 2, 0, 1), "w2": r("w2", 2, 2, 3), "w3": r("w3", 1, 4, 5)}},
		{AtMs: 900, Shape: Shape{"w1": r("w1", 2, 0, 1), "w3": r("w3", 1, 4, 5)}},        // w2 gone
		{AtMs: 1000, Shape: Shape{"w1": r("w1", 2, 0, 1, 2), "w3": r("w3", 1, 4, 5)}},    // 2 re-placed
		{AtMs: 1400, Shape: Shape{"w1": r("w1", 2, 0, 1, 2), "w3": r("w3", 1, 3, 4, 5)}}, // 3 too
		{AtMs: 2000, Shape: Shape{"w1": r("w1", 2, 0, 1, 2), "w4": r("w4", 4, 3, 4, 5)}}, // w3 gone, w4 joined
		{AtMs: 2500, Shape: Shape{"w1": r("w1", 2, 0, 1, 2), "w4": r("w4", 4, 3, 4, 5), "w5": r("w5", 1)}},
	}
	c, recs := Measured(samples, nil)
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
	require.False(t, recovered(samples[:3], nil), "w2's partition 3 runs nowhere yet at 1000 ms: a load would sample on")
	require.True(t, recovered(samples, nil))
}

// A killed worker's report stays behind until its lease expires; its
// partitions count as recovered only once they run (lease held, state
// recovered) on another worker or in a new life of the same worker.
func TestMeasuredRecoveryAfterKill(t *testing.T) {
	r := report
	recovering := func(rep Report, ps ...int) Report { // rep with ps hosted but not running yet
		rep.Partitions = append(append([]int{}, rep.Partitions...), ps...)
		return rep
	}
	reborn := func(rep Report) Report { rep.Life = 2; return rep }
	samples := []Sample{
		{AtMs: 0, Shape: Shape{"w1": r("w1", 1, 0, 1), "w2": r("w2", 1, 2, 3)}},
		// w2 killed at 1000; its stale report stays until w1's probe deletes it
		{AtMs: 6000, Shape: Shape{"w1": recovering(r("w1", 1, 0, 1), 2, 3)}},
		{AtMs: 6500, Shape: Shape{"w1": recovering(r("w1", 1, 0, 1, 2), 3)}},
		{AtMs: 7250, Shape: Shape{"w1": r("w1", 1, 0, 1, 2, 3)}},
		// w1 killed at 8000 and restarted under its name: its stale report
		// (life 1) does not count, the new life's running partitions do
		{AtMs: 9000, Shape: Shape{"w1": reborn(recovering(r("w1", 1), 0, 1, 2, 3))}},
		{AtMs: 9750, Shape: Shape{"w1": reborn(r("w1", 1, 0, 1, 2, 3))}},
	}
	kills := []Kill{{Worker: "w2", AtMs: 1000}, {Worker: "w1", AtMs: 8000}, {Worker: "w3", AtMs: 8500}}
	c, recs := Measured(samples, kills)
	require.Equal(t, 2, c.Workers)
	require.Len(t, recs, 2, "w3 hosted nothing: no recovery to measure")
	require.Equal(t, "kill -9 of worker w2", recs[0].Fault)
	require.Equal(t, []float64{1000, 6250}, []float64{recs[0].AtMs, recs[0].RecoveryMs}, "until p2 and p3 run, not until w1 hosts them")
	require.Equal(t, "kill -9 of worker w1", recs[1].Fault)
	require.Equal(t, []float64{8000, 1750}, []float64{recs[1].AtMs, recs[1].RecoveryMs})
	require.Equal(t, metrics.MeasurePlacement, recs[1].Measure)
	require.Equal(t, "w1:0,1,~2,~3", samples[1].Shape.String())
	require.Equal(t, map[string][]int{"w1": {2, 3}}, c.Placement[1].Waiting)
	require.Nil(t, c.Placement[0].Waiting)
	require.False(t, samples[1].Shape.Settled(4), "p2 and p3 are not running yet")
	require.True(t, samples[3].Shape.Settled(4))
	require.False(t, samples[0].Shape.Settled(5), "p4 is hosted nowhere")
	moving := Shape{"w1": r("w1", 1, 0, 1, 2), "w2": recovering(r("w2", 1, 3), 2)}
	require.False(t, moving.Settled(4), "p2 is on two workers while it moves")
	require.False(t, recovered(samples[:3], kills[:1]), "p3 is not running yet at 6500 ms")
	require.True(t, recovered(samples, kills), "w3 hosted nothing: nothing to wait for")
}
