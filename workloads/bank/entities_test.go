package bank

import (
	"testing"
	"time"

	"github.com/dflab/dflab/workloads/workload"
	"github.com/dflab/dflab/workloads/workloadtest"
	"github.com/stretchr/testify/require"
)

// The entities OracleEntities names are all the oracle needs.
func TestOracleEntitiesSuffice(t *testing.T) {
	b, err := New(Params{Pairs: 5, Amount: 1000, InitialBalance: 10_000})
	require.NoError(t, err)
	arrivals := workloadtest.Generate(t, b, workload.OpenLoad(5, 4*time.Second, workload.Fixed), 3)
	run := workloadtest.RunArrivals(t, workloadtest.NewWorld(t, b), arrivals)
	only := workloadtest.OnlyOracleEntities(t, b, run)
	require.Len(t, only.Entities, len(run.Entities))
	require.NoError(t, b.Check(only))
}
