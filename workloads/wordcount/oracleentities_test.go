package wordcount

import (
	"testing"

	"github.com/dflab/dflab/workloads/workloadtest"
	"github.com/stretchr/testify/require"
)

// The entities OracleEntities names are all the oracle needs, and leaving
// one out is caught.
func TestOracleEntitiesSuffice(t *testing.T) {
	w, err := New(Params{Mappers: 2, Reducers: 3, BookWords: 200, Vocabulary: 100, ZipfS: 1.1, CorpusSeed: 1, TopK: 5})
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, w, 2, 1)
	only := workloadtest.OnlyOracleEntities(t, w, run)
	require.NoError(t, w.Check(only))
	ids, err := w.OracleEntities(run.Arrivals)
	require.NoError(t, err)
	delete(only.Entities, ids[0].String())
	require.Error(t, w.Check(only))
}
