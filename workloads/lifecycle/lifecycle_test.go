package lifecycle_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/workloads/lifecycle"
	"github.com/dflab/dflab/workloads/workloadtest"
)

// The oracle passes on the reference loop for a child that succeeds and
// one that runs out of attempts, suspended or not, and catches a wrong
// attempt count and a wrong output.
func TestOracle(t *testing.T) {
	for _, p := range []lifecycle.Params{{Attempts: 3, Failures: 2, Suspend: true}, {Attempts: 2, Failures: 4, Suspend: true},
		{Attempts: 1, Failures: 0}} {
		w, err := lifecycle.New(p)
		require.NoError(t, err)
		run := workloadtest.OnlyOracleEntities(t, w, workloadtest.RunClosed(t, w, 3, 1))
		require.NoError(t, w.Check(run), "%+v", p)

		counter := lifecycle.AttemptsOf(lifecycle.ChildID(w.InstanceID(1))).String()
		good := run.Entities[counter]
		run.Entities[counter] = []byte(`99`)
		require.ErrorContains(t, w.Check(run), "counts 99 attempts", "%+v", p)
		run.Entities[counter] = good

		o := run.Orchestrations[w.InstanceID(2)]
		o.Output = []byte(`{"child":7}`)
		run.Orchestrations[w.InstanceID(2)] = o
		require.ErrorContains(t, w.Check(run), "lifecycle-2 returned", "%+v", p)
	}
}

func TestParamsValidate(t *testing.T) {
	_, err := lifecycle.New(lifecycle.Params{Attempts: 0})
	require.ErrorContains(t, err, "lifecycle parameter attempts = 0: must be 1..10")
	_, err = lifecycle.New(lifecycle.Params{Attempts: 1, Failures: 11})
	require.ErrorContains(t, err, "lifecycle parameter failures = 11: must be 0..10")
}
