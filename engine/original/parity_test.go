package original

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/internal/scenarios"
)

// The parity table on the original engine in the simulator, with and
// without extended sessions.
func TestParity(t *testing.T) {
	for _, ext := range []bool{false, true} {
		for _, sc := range scenarios.Parity() {
			t.Run(fmt.Sprintf("ext=%v/%s", ext, sc.Name), func(t *testing.T) {
				res, err := scenarios.Run(&suiteEngine{controlQueues: 4, extended: ext}, sc, scenarios.Options{Seed: 7})
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				require.Empty(t, res.Violations)
			})
		}
	}
}
