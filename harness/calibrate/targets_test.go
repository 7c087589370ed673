package calibrate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
)

// Throughput runs of Hello5 and WordCount end at the engine's own record
// of the last completion, not at the client's backed-off poll; the other
// throughput targets end at the poll as before.
func TestThroughputTargetsEndAtTheRecordedCompletion(t *testing.T) {
	for _, tg := range Targets(QuickSize, 1) {
		if tg.Pct != 0 {
			continue
		}
		want := ""
		if strings.HasPrefix(tg.ID, "hello5/") || strings.HasPrefix(tg.ID, "wordcount/") {
			want = spec.LatencyEndStatus
		}
		require.Equal(t, want, tg.Spec.Load.LatencyEnd, tg.ID)
	}
}
