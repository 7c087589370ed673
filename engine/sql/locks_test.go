package sql_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
	sqlengine "github.com/dflab/dflab/engine/sql"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	sqlsys "github.com/dflab/dflab/systems/sql"
)

// withPlan injects a fault plan's storage faults and latencies.
func withPlan(t *testing.T, text string) func(*sim.Kernel) (port.Middleware, func(string, port.Time) port.Time) {
	p, err := plan.Parse(text)
	require.NoError(t, err)
	return func(k *sim.Kernel) (port.Middleware, func(string, port.Time) port.Time) {
		in, err := inject.New(inject.Config{Plan: p, Clock: k.Now, Rand: rng.New(3)})
		require.NoError(t, err)
		return in.Middleware, in.Latency
	}
}

func stats(res *scenarios.Result, e *sqlsys.Sim) sqlengine.Stats {
	var sum sqlengine.Stats
	for _, id := range e.Workers {
		st := res.Driver.Core(id).(*sqlengine.Worker).Stats()
		sum.Steps += st.Steps
		sum.Duplicates += st.Duplicates
		sum.Abandoned += st.Abandoned
		sum.Discards += st.Discards
	}
	return sum
}

// A checkpoint slower than the lock timeout: the lock expires, another
// worker takes the instance and runs the same step, and whichever
// checkpoint commits second hits the History key and is discarded as a
// duplicate execution; every instance completes once with its output.
func TestLockStolenAfterExpiryIsADuplicateExecution(t *testing.T) {
	e := &sqlsys.Sim{Seed: 2, LockTimeout: 10 * port.Second}
	sc := scenarios.Hello5(4)
	sc.Deadline = 10 * 60 * port.Second
	models := sim.DefaultModels()
	models.Ops = map[string]sim.OpModel{"sql-checkpoint-orchestration": {BaseMs: rng.MustParse("uniform(lo=6000,hi=14000)")}}
	res, err := scenarios.Run(e, sc, scenarios.Options{Seed: 9, Nodes: 2, Models: models})
	require.NoError(t, err)
	require.NoError(t, res.Check(sc))
	st := stats(res, e)
	require.Positive(t, st.Duplicates, "the slow checkpoints' steps ran twice; the second commit was refused")
	// At most 6 committed steps per instance (a work item that took two
	// events at once commits one step for both); the outputs above are
	// each instance's one run.
	require.LessOrEqual(t, st.Steps-st.Duplicates, 6*4, "no step of the 4 instances committed twice")
	require.GreaterOrEqual(t, st.Steps-st.Duplicates, 4*4)
	t.Logf("%d steps, %d duplicates, %d abandoned, %d discards, done at %v virtual", st.Steps, st.Duplicates, st.Abandoned, st.Discards, res.End)
}

// Storage errors on every procedure: failed polls are retried, failed
// checkpoints and completions are abandoned and their locks expire; every
// instance still completes.
func TestStorageErrorsAbandonAndRecover(t *testing.T) {
	e := &sqlsys.Sim{Seed: 4, LockTimeout: 10 * port.Second}
	sc := scenarios.Hello5(6)
	sc.Deadline = 10 * 60 * port.Second
	res, err := scenarios.Run(e, sc, scenarios.Options{Seed: 3, Nodes: 2,
		Inject: withPlan(t, "storage error p=0.2 op=sql-* 0s..20s\nstorage error-after p=0.1 op=sql-* 0s..20s\n")})
	require.NoError(t, err)
	require.NoError(t, res.Check(sc))
	st := stats(res, e)
	require.Positive(t, st.Abandoned)
	t.Logf("%d steps, %d abandoned, %d duplicates, done at %v virtual", st.Steps, st.Abandoned, st.Duplicates, res.End)
}

func TestSameSeedSameTrace(t *testing.T) {
	run := func(seed uint64) uint64 {
		sc := scenarios.Hello5(3)
		res, err := scenarios.Run(&sqlsys.Sim{Seed: seed}, sc, scenarios.Options{Seed: seed, Nodes: 2})
		require.NoError(t, err)
		require.NoError(t, res.Check(sc))
		return res.TraceHash
	}
	require.Equal(t, run(5), run(5))
	require.NotEqual(t, run(5), run(6))
}

// The same with entities: a batch run twice commits once (Bank's balances
// and the counters come out exact).
func TestEntityBatchesRunTwiceCommitOnce(t *testing.T) {
	for _, sc := range []scenarios.Scenario{scenarios.Bank(4), scenarios.Entities()} {
		t.Run(sc.Name, func(t *testing.T) {
			e := &sqlsys.Sim{Seed: 2, LockTimeout: 10 * port.Second}
			sc.Deadline = 20 * 60 * port.Second
			models := sim.DefaultModels()
			models.Ops = map[string]sim.OpModel{"sql-checkpoint-orchestration": {BaseMs: rng.MustParse("uniform(lo=6000,hi=14000)")}}
			res, err := scenarios.Run(e, sc, scenarios.Options{Seed: 9, Nodes: 2, Models: models})
			require.NoError(t, err)
			require.NoError(t, res.Check(sc))
			require.Positive(t, stats(res, e).Duplicates)
		})
	}
}

// The planted bug that commits a duplicate execution's messages anyway is
// caught: entity operations apply twice and the counters come out wrong.
func TestPlantedSkipDuplicateCheckIsCaught(t *testing.T) {
	sc := scenarios.Entities()
	sc.Deadline = 20 * 60 * port.Second
	models := sim.DefaultModels()
	models.Ops = map[string]sim.OpModel{"sql-checkpoint-orchestration": {BaseMs: rng.MustParse("uniform(lo=6000,hi=14000)")}}
	run := func(planted string) error {
		e := &sqlsys.Sim{Seed: 2, LockTimeout: 10 * port.Second, Planted: planted}
		res, err := scenarios.Run(e, sc, scenarios.Options{Seed: 9, Nodes: 2, Models: models})
		require.NoError(t, err)
		return res.Check(sc)
	}
	require.NoError(t, run(""))
	err := run(sqlengine.PlantedSkipDuplicateCheck)
	require.Error(t, err)
	t.Log(err)
}
