package calibrate

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/simrun"
	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/workloads/workload"
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
	for _, name := range []string{simrun.ModelsPaper2022, simrun.ModelsPaper2022b, simrun.ModelsPaper2022c} {
		m, err := simrun.ModelSet(name)
		require.NoError(t, err)
		require.Contains(t, m.Services, SQLDBService, name)
		require.Contains(t, m.Ops, "sql-checkpoint-orchestration", name)
	}
}

// SQLCoreScales are the calibrated sets' own scales: each set's engine CPU
// is its measured step costs (NAME-costs.json) times cpuFactor, plus
// hostMs for a function invocation, plus requestMs for a completion.
func TestSQLCoreScalesMatchTheSets(t *testing.T) {
	for _, name := range workload.Keys(SQLCoreScales) {
		sc := SQLCoreScales[name]
		m, err := simrun.EmbeddedModelSet(name)
		require.NoError(t, err)
		data, err := os.ReadFile(filepath.Join("..", "simrun", "models", CostsFile(name)))
		require.NoError(t, err)
		costs, err := LoadCosts(data)
		require.NoError(t, err)
		checked := 0
		for _, engine := range workload.Keys(costs) {
			for _, key := range workload.Keys(costs[engine].Us) {
				want := costs[engine].Us[key] / 1e3 * sc.CPUFactor
				if slices.Contains(HostKeys, key) {
					want += sc.HostMs
				}
				if slices.Contains(RequestKeys, key) {
					want += sc.RequestMs
				}
				d, ok := m.EngineCPU[engine].CostsMs[key]
				require.True(t, ok, "%s: %s %s", name, engine, key)
				require.InDelta(t, want, d.Mean(), 1e-3*want+1e-6, "%s: %s %s", name, engine, key)
				checked++
			}
		}
		require.Positive(t, checked, name)
	}
	_, err := SQLCoreScaleOf("default")
	require.ErrorContains(t, err, `model set "default" has no cpuFactor and hostMs to scale the sql cores by; allowed: paper2022b, paper2022c, paper2022d`)
}

// The committed sql part was fitted against the default model set: its
// sql cores' CPU is its measured costs (sqldb-costs.json) scaled as the
// default set scales the other engines'. A new default set needs a new
// sql fit (dflab calibrate --sql).
func TestCommittedSQLPartFitsTheDefaultSet(t *testing.T) {
	sc, err := SQLCoreScaleOf(spec.DefaultModels)
	require.NoError(t, err)
	part, err := simrun.EmbeddedModelSet(simrun.ModelsSQL)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join("..", "simrun", "models", CostsFile(SQLFileName)))
	require.NoError(t, err)
	costs, err := LoadCosts(data)
	require.NoError(t, err)
	require.Contains(t, costs, spec.EngineSQL)
	for _, key := range workload.Keys(costs[spec.EngineSQL].Us) {
		want := costs[spec.EngineSQL].Us[key] / 1e3 * sc.CPUFactor
		if slices.Contains(HostKeys, key) {
			want += sc.HostMs
		}
		if slices.Contains(RequestKeys, key) {
			want += sc.RequestMs
		}
		require.InDelta(t, want, part.EngineCPU[spec.EngineSQL].CostsMs[key].Mean(), 1e-3*want+1e-6, key)
	}
	report, err := os.ReadFile(filepath.Join("..", "simrun", "models", SQLFileName+"-fit.md"))
	require.NoError(t, err)
	require.Contains(t, string(report), "against model set "+spec.DefaultModels+" ")
}
