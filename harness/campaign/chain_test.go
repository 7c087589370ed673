package campaign

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/chain"
)

// A short campaign of the queue chain (its one workload, Sequence):
// crashes, restarts and storage faults; no checker may fail.
func TestQueueChainCampaignHasNoViolations(t *testing.T) {
	if testing.Short() {
		t.Skip("a campaign")
	}
	sum, err := Run(context.Background(), Config{From: 1, Seeds: 60, Setup: Setup{Engines: []string{"queuechain"}}})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, sum.Print(&out))
	require.Empty(t, sum.Violations, out.String())
	require.EqualValues(t, 60, sum.Ran)
}

// The queue chain's planted bug (delete a step's message before writing
// the next) is caught: a host crash between the two loses a chain.
func TestQueueChainPlantedBugIsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("a planted-bug campaign")
	}
	su := Setup{Engines: []string{"queuechain"}, Planted: chain.PlantedDeleteBeforeNext}
	sum, err := Run(context.Background(), Config{From: 1, Seeds: 120, Setup: su, TwiceEvery: -1, StopAfter: 1})
	require.NoError(t, err)
	require.NotEmpty(t, sum.Violations, "planted bug not caught in 120 seeds")
	v := sum.Violations[0]
	t.Logf("caught after %d seeds: seed %d [%s] %s", sum.Ran, v.Seed, v.Checker, firstLine(v.Message))
	require.Contains(t, v.Repro, "--planted "+chain.PlantedDeleteBeforeNext)
}
