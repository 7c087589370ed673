package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/netherite"
)

func netheriteEngine(t *testing.T, spec netherite.Speculation) *Netherite {
	return &Netherite{Partitions: 4, Knobs: netherite.Knobs{Speculation: spec, LogBytes: 4 << 20},
		Logf: func(format string, args ...any) { t.Logf(format, args...) }}
}

func TestNetheriteSuite(t *testing.T) {
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
		for _, sc := range Suite() {
			t.Run(fmt.Sprintf("%s/%s", spec, sc.Name), func(t *testing.T) {
				e := netheriteEngine(t, spec)
				res, err := Run(e, sc, Options{Seed: 7})
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				if spec != netherite.SpeculationGlobal {
					require.Empty(t, res.Violations, "outbox rule")
				}
				t.Logf("%s: done at %v virtual, %d events, %d storage requests", sc.Name, res.End, res.Events, res.Stats.Requests)
			})
		}
	}
}

func TestNetheriteSameSeedSameTrace(t *testing.T) {
	sc := Bank(4)
	run := func(seed uint64) uint64 {
		res, err := Run(netheriteEngine(t, netherite.SpeculationLocal), sc, Options{Seed: seed})
		require.NoError(t, err)
		require.NoError(t, res.Check(sc))
		return res.TraceHash
	}
	a, b := run(11), run(11)
	require.Equal(t, a, b, "same seed, same trace hash")
	require.NotEqual(t, a, run(12), "another seed, another trace")
}
