package metrics

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func timelineOf(tputs ...float64) []Window {
	out := make([]Window, len(tputs))
	for i, v := range tputs {
		out[i] = Window{StartMs: float64(i) * 1000, ThroughputPerSec: v}
	}
	return out
}

func TestRecoveryFromTimeline(t *testing.T) {
	tl := timelineOf(100, 100, 100, 0, 0, 40, 95, 100)
	r, ok, err := RecoveryFromTimeline("at 3s crash node2", 3000, tl, 0.9)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, Recovery{Fault: "at 3s crash node2", AtMs: 3000, RecoveryMs: 3000}, r)

	// A fault mid-window: the window it falls in is not part of the baseline.
	r, ok, err = RecoveryFromTimeline("f", 2500, timelineOf(100, 100, 10, 0, 100), 1)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1500.0, r.RecoveryMs)

	_, ok, err = RecoveryFromTimeline("f", 3000, timelineOf(100, 100, 100, 0, 10), 0.9)
	require.NoError(t, err)
	require.False(t, ok, "never recovers")
	_, ok, err = RecoveryFromTimeline("f", 0, tl, 0.9)
	require.NoError(t, err)
	require.False(t, ok, "no baseline before the fault")
	_, _, err = RecoveryFromTimeline("f", 0, tl, 1.5)
	require.Error(t, err)
}
