package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	sqlsys "github.com/dflab/dflab/systems/sql"
)

func TestSQLSuite(t *testing.T) {
	for _, sc := range SQLSuite() {
		t.Run(sc.Name, func(t *testing.T) {
			e := &sqlsys.Sim{VCores: 2, Seed: 3}
			res, err := Run(e, sc, Options{Seed: 7})
			require.NoError(t, err)
			require.NoError(t, res.Check(sc))
			require.Empty(t, res.Violations)
			require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered once")
			t.Logf("%s: done at %v virtual, %d events, %d storage requests", sc.Name, res.End, res.Events, res.Stats.Requests)
		})
	}
}

func TestSQLSameSeedSameTrace(t *testing.T) {
	sc := Hello5(4)
	run := func(seed uint64) uint64 {
		res, err := Run(&sqlsys.Sim{Seed: seed}, sc, Options{Seed: seed})
		require.NoError(t, err)
		require.NoError(t, res.Check(sc))
		return res.TraceHash
	}
	a, b := run(11), run(11)
	require.Equal(t, a, b, "same seed, same trace hash")
	require.NotEqual(t, a, run(12), fmt.Sprint("another seed, another trace"))
}
