package campaign

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/workflow"
	wfsys "github.com/dflab/dflab/systems/workflow"
)

// workflowSetup draws the workflow service, on the built-in workloads it
// runs (systems.System.Workloads).
func workflowSetup(planted string) Setup {
	return Setup{Engines: []string{wfsys.System.Name}, Planted: planted}
}

// A short campaign of the workflow service: crashes, restarts and storage
// faults on its blobs; no checker may fail.
func TestWorkflowCampaignHasNoViolations(t *testing.T) {
	if testing.Short() {
		t.Skip("a campaign")
	}
	sum, err := Run(context.Background(), Config{From: 1, Seeds: 60, Setup: workflowSetup("")})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, sum.Print(&out))
	require.Empty(t, sum.Violations, out.String())
	require.EqualValues(t, 60, sum.Ran)
	t.Log(out.String())
}

// Each planted bug of the workflow service is caught within a bounded
// number of seeds.
func TestWorkflowPlantedBugsAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("planted-bug campaigns")
	}
	for _, bug := range workflow.PlantedBugs {
		t.Run(bug, func(t *testing.T) {
			su := workflowSetup(bug)
			sum, err := Run(context.Background(), Config{From: 1, Seeds: 60, Setup: su, TwiceEvery: -1, StopAfter: 1})
			require.NoError(t, err)
			require.NotEmpty(t, sum.Violations, "planted bug %s not caught in 60 seeds", bug)
			v := sum.Violations[0]
			t.Logf("caught after %d seeds: seed %d [%s] %s", sum.Ran, v.Seed, v.Checker, firstLine(v.Message))
			require.Contains(t, v.Repro, "--planted "+bug)
		})
	}
}
