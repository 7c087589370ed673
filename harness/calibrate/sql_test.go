package calibrate

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/simrun"
)

// The fit sees the provider's 2- and 16-vCore rows only.
func TestSQLFitSeesTwoRows(t *testing.T) {
	var fit []int
	for _, r := range SQLTable {
		if r.Fit {
			fit = append(fit, r.VCores)
		}
	}
	require.Equal(t, []int{2, 16}, fit)
}

// Parameters outside their physical range are moved into it; a
// non-positive one is an error naming it.
func TestSQLParamsClampAndNameBadValues(t *testing.T) {
	p, err := SQLParamsOf([]float64{100, 0.01})
	require.NoError(t, err)
	require.Equal(t, SQLParams{StatementMs: 5, LogFlushMs: 0.5}, p)
	_, err = SQLParamsOf([]float64{1, -1})
	require.ErrorContains(t, err, "logFlushMs = -1, must be a finite number > 0")
	_, err = SQLParamsOf([]float64{1})
	require.ErrorContains(t, err, "1 values, want 2 (dbStatementMs, logFlushMs)")
}

// The committed sql part is what SQLModelSet builds: every procedure's
// CPU is its statements × dbStatementMs (a status query one point read),
// a write's latency is the round trip plus the log flush, calls are bound
// to one vCore, and every calibrated set carries it.
func TestCommittedSQLPartHasTheStructure(t *testing.T) {
	part, err := simrun.EmbeddedModelSet(simrun.ModelsSQL)
	require.NoError(t, err)
	db, ok := part.Services[SQLDBService]
	require.True(t, ok)
	require.True(t, db.Bound)
	stmt := db.CostsMs["sql-lock-next-task"].Mean() / 2
	require.Greater(t, stmt, 0.0)
	for _, s := range SQLStatements {
		require.InDelta(t, s.Statements*stmt, db.CostsMs[s.Kind].Mean(), 1e-3*s.Statements*stmt, s.Kind)
	}
	require.InDelta(t, SQLPointReadMs, db.CostsMs["sql-query-instance"].Mean(), 1e-9)
	require.Contains(t, part.EngineCPU, "sql")
	for _, name := range []string{simrun.ModelsPaper2022, simrun.ModelsPaper2022b} {
		m, err := simrun.ModelSet(name)
		require.NoError(t, err)
		require.Contains(t, m.Services, SQLDBService, name)
		require.Contains(t, m.Ops, "sql-checkpoint-orchestration", name)
	}
}
