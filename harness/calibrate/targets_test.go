package calibrate

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
)

// Every throughput run ends at the engine's own record of the last
// completion, not at the client's backed-off poll.
func TestThroughputTargetsEndAtTheRecordedCompletion(t *testing.T) {
	n := 0
	for _, tg := range Targets(QuickSize, 1) {
		if tg.Pct != 0 {
			continue
		}
		n++
		require.Equal(t, spec.LatencyEndStatus, tg.Spec.Load.LatencyEnd, tg.ID)
	}
	require.Equal(t, 24, n, "the 24 throughput targets")
}
