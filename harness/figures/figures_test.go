package figures

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/results"
)

func TestEveryFigureExpandsToValidDistinctSpecs(t *testing.T) {
	seen := map[string]string{}
	for _, f := range All() {
		specs, err := f.Expand()
		require.NoError(t, err, f.ID)
		require.NotEmpty(t, specs, f.ID)
		for _, s := range specs {
			id, err := results.ConfigID(s)
			require.NoError(t, err)
			_, dup := seen[id]
			require.False(t, dup, "%s duplicates a spec of %s", f.ID, seen[id])
			seen[id] = f.ID
		}
	}
}

func TestFig9MatchesThePaperSetup(t *testing.T) {
	f, err := ByID("fig9-hello5")
	require.NoError(t, err)
	specs, err := f.Expand()
	require.NoError(t, err)
	require.Len(t, specs, 2*4*3) // engines × node counts × cores
	for _, s := range specs {
		require.Equal(t, Repetitions, s.Repetitions)
		if s.Engine.Netherite != nil {
			require.Equal(t, PaperPartitions, s.Engine.Netherite.Partitions)
			require.Equal(t, "local", s.Engine.Netherite.Speculation)
		} else {
			require.Equal(t, PaperControlQs, s.Engine.Original.ControlQueues)
		}
		want := ClusterInstances
		if s.Cluster.Nodes == 1 {
			want = SingleInstances
		}
		require.Equal(t, want, s.Load.Instances)
	}
	_, err = ByID("fig99")
	require.ErrorContains(t, err, "is not one of")
}
