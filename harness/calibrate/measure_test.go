package calibrate

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

func TestFitTurnsRecoversKnownCosts(t *testing.T) {
	truth := map[string]float64{"input:completion": 300, "work:orchestration-step": 5000, "work:log-flush": 800}
	r := rng.New(3)
	var turns []turn
	for range 2000 {
		c := map[string]float64{"input:completion": float64(1 + r.Intn(4)), "work:orchestration-step": float64(r.Intn(3))}
		if r.Intn(2) == 0 {
			c["work:log-flush"] = 1
		}
		ns := 0.0
		for k, n := range c {
			ns += n * truth[k]
		}
		ns *= 0.95 + 0.1*r.Float64() // timing noise
		turns = append(turns, turn{ns: ns, counts: c})
	}
	// A preempted turn: dropped as an outlier, it must not skew the fit.
	turns = append(turns, turn{ns: 1e9, counts: map[string]float64{"input:completion": 1}})
	got := fitTurns(turns)
	require.Len(t, got, 3)
	for k, want := range truth {
		require.InDelta(t, want, got[k], want*0.05, k)
	}
}

func TestMeasureTimesBothEnginesStepKinds(t *testing.T) {
	for engine, kinds := range map[string][]string{
		"netherite": {"input:completion", "work:orchestration-step", "work:log-flush", "work:entity-op"},
		"original":  {"input:completion", "work:orchestration-step", "work:replay-event", "work:entity-op"},
	} {
		m, err := Measure(context.Background(), engine, QuickSize, 1, sim.DefaultModels())
		require.NoError(t, err)
		require.Positive(t, m.Turns, engine)
		for _, k := range kinds {
			require.Contains(t, m.Us, k, engine)
		}
		total := 0.0
		for _, us := range m.Us {
			require.GreaterOrEqual(t, us, 0.0)
			total += us
		}
		require.Positive(t, total, "%s: some step costs CPU", engine)
	}
	_, err := Measure(context.Background(), "original", QuickSize, 0, nil)
	require.ErrorContains(t, err, "runs = 0")
}
