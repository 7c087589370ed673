package original

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
)

// TestRandomizedCrashes runs the whole scenario suite under many seeds,
// each varying the cluster (1-3 nodes, 1-5 control queues), extended
// sessions, and (two seeds in three) a crash of one node at a seed-chosen
// time with a restart 50-950 ms later; every expectation must hold and
// every history must record each step once. DFLAB_SEEDS widens the sweep
// (300 seeds found the bugs fixed along with this test).
func TestRandomizedCrashes(t *testing.T) {
	seeds := uint64(60)
	if v, err := strconv.Atoi(os.Getenv("DFLAB_SEEDS")); err == nil && v > 0 {
		seeds = uint64(v)
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		for j, base := range scenarios.Suite() {
			sc := base
			sc.Deadline = 900 * port.Second
			crash := seed%3 != 0
			at := port.Time(10+int(seed*37+uint64(j)*13)%500) * ms
			if crash {
				sc.Faults = func(d *sim.Driver, nodes []sim.NodeID, _ *mem.Store) {
					d.CrashAt(at, nodes[int(seed)%2])
					d.RestartAt(at+port.Time(seed%4)*300*ms+50*ms, nodes[int(seed)%2])
				}
			}
			ext := seed%2 == 0
			t.Run(fmt.Sprintf("%d/%s/%v/%v", seed, sc.Name, crash, ext), func(t *testing.T) {
				e := &suiteEngine{controlQueues: int(1 + seed%5), extended: ext, visibility: 2 * port.Second}
				res, err := scenarios.Run(e, sc, scenarios.Options{Seed: seed, Nodes: int(1 + seed%3)})
				require.NoError(t, err)
				require.NoError(t, res.Check(sc))
				if sc.Name != "Retries" {
					checkHistories(t, res.Store, sc)
				}
			})
		}
	}
}
