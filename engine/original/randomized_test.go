package original

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/scenarios"
	"github.com/dflab/dflab/sim"
)

// TestRandomizedCrashes runs the whole scenario suite under many seeds,
// each varying the cluster (1-3 nodes, 1-5 control queues), extended
// sessions, and (two seeds in three) a crash of one node at a seed-chosen
// time with a restart 50-950 ms later (one seed in five then crashes the
// other node too); every expectation must hold and
// every history must record each step once. DFLAB_SEEDS widens the sweep
// (300 seeds found the bugs fixed along with this test).
//
// Under a crash two checks are relaxed, because the original design does
// not promise them (see checkUnderCrash).
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
					if seed%5 == 1 && len(nodes) > 1 { // and then the other node
						d.CrashAt(at+700*ms, nodes[(int(seed)+1)%2])
						d.RestartAt(at+1900*ms, nodes[(int(seed)+1)%2])
					}
				}
			}
			ext := seed%2 == 0
			t.Run(fmt.Sprintf("%d/%s/%v/%v", seed, sc.Name, crash, ext), func(t *testing.T) {
				e := &suiteEngine{controlQueues: int(1 + seed%5), extended: ext, visibility: 2 * port.Second}
				res, err := scenarios.Run(e, sc, scenarios.Options{Seed: seed, Nodes: int(1 + seed%3)})
				require.NoError(t, err)
				if crash {
					checkUnderCrash(t, sc, res)
				} else {
					require.NoError(t, res.Check(sc))
				}
				if sc.Name != "Retries" {
					checkHistories(t, res.Store, sc)
				}
			})
		}
	}
}

// checkUnderCrash checks what the original engine guarantees when a node
// crashes. Retries: activities run at least once and the scenario's
// activity counts its own runs, so only completion is checked. Entities: a
// client's signal redone after a crash may apply after the orchestration's
// operations that started later (the client was answered when it was
// enqueued), so the counter reads 15 or 115, the same at both entities.
// Bank is checked in full: an entity commits before it sends, so no
// caller sees a response whose state change is redone differently.
func checkUnderCrash(t *testing.T, sc scenarios.Scenario, res *scenarios.Result) {
	switch sc.Name {
	case "Retries":
		for _, x := range sc.Expect {
			st, ok := res.Final[x.Instance]
			require.True(t, ok, "%s: no answer", x.Instance)
			require.True(t, st.Done(), "%s: %s", x.Instance, st.Status)
		}
	case "Entities":
		st, ok := res.Final[sc.Expect[0].Instance]
		require.True(t, ok)
		require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
		var out []int
		require.NoError(t, json.Unmarshal(st.Output, &out))
		require.Len(t, out, 2)
		require.Contains(t, []int{15, 115}, out[0])
		require.Equal(t, out[0], out[1])
	default:
		require.NoError(t, res.Check(sc))
	}
}
