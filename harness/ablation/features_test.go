package ablation

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/calibrate"
	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
)

// Every feature turns something off: the model set, or a spec of one of
// the engines Fig. 9 runs; and turning it off leaves the base set as it was.
func TestEveryFeatureChangesTheModelOrASpec(t *testing.T) {
	base, err := simrun.ModelSet(spec.DefaultModels)
	require.NoError(t, err)
	// A set fitted before host.backgroundDeferMs existed has none; every
	// fit since has calibrate.PaperHost's. (base is a fresh copy.)
	if base.Host.BackgroundDeferMs == 0 {
		base.Host.BackgroundDeferMs = calibrate.BackgroundDeferMs
	}
	// Nor, before calibrate.EntityBatchIsEpisode, an entity-batch cost.
	if c := base.EngineCPU[calibrate.EntityBatchEngine]; c.CostsMs != nil {
		if _, ok := c.CostsMs[calibrate.EntityBatchKey]; !ok {
			c.CostsMs[calibrate.EntityBatchKey] = c.CostsMs[calibrate.EpisodeKey]
		}
	}
	before, err := json.Marshal(base)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, f := range Features {
		require.False(t, seen[f.Name], "feature %s twice", f.Name)
		seen[f.Name] = true
		require.NotEmpty(t, f.Off, f.Name)
		require.True(t, f.Hypothesis >= 1 && f.Hypothesis <= 5, f.Name)
		m, err := json.Marshal(edited(base, f))
		require.NoError(t, err)
		changed := string(m) != string(before)
		for _, e := range spec.Engines {
			for _, s := range []spec.Spec{
				{Engine: spec.Engine{Name: e}, Workload: spec.Workload{Name: "hello5"},
					Load: spec.Load{Kind: spec.LoadClosed, Instances: 400, Launchers: 200}},
				{Engine: spec.Engine{Name: e}, Workload: spec.Workload{Name: "hello3"},
					Load: spec.Load{Kind: spec.LoadOpen, RatePerSec: 10, Duration: spec.Duration(30e9), LatencyEnd: spec.LatencyEndStatus}},
			} {
				was, _ := json.Marshal(s)
				if f.spec != nil {
					f.spec(&s)
				}
				now, _ := json.Marshal(s)
				changed = changed || string(now) != string(was)
			}
		}
		require.True(t, changed, "feature %s off changes nothing", f.Name)
	}
	after, err := json.Marshal(base)
	require.NoError(t, err)
	require.JSONEq(t, string(before), string(after), "the base set is not edited")
}
