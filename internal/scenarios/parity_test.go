package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/netherite"
)

// The parity table on Netherite in the simulator, at every speculation
// level.
func TestNetheriteParity(t *testing.T) {
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
		for _, sc := range Parity() {
			t.Run(fmt.Sprintf("%s/%s", spec, sc.Name), func(t *testing.T) {
				res, err := Run(netheriteEngine(t, spec), sc, Options{Seed: 7})
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				if spec != netherite.SpeculationGlobal {
					require.Empty(t, res.Violations, "outbox rule")
				}
			})
		}
	}
}
