package scenarios

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

// Random crashes and restarts of either node (1-3 per run, at random
// times, with random checkpoint thresholds; few activity slots and quick
// load reports, so activities are offloaded while nodes crash): every
// scenario still ends with the right outputs and the outbox rule holds. (Raise the seed count
// to sweep more; 60 seeds × 18 runs passed when this was written.)
func TestNetheriteRandomCrashes(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
			for _, base := range []Scenario{Bank(6), Hello5(40), SubOrchestrations(), Entities(), ContinueAsNew(), ExternalEvents(), FanOutFanIn(60)} {
				sc := base
				r := rng.New(seed).Fork(sc.Name)
				crashes := 1 + r.Intn(3)
				sc.Faults = func(d *sim.Driver, nodes []sim.NodeID, _ *mem.Store) {
					at := port.Time(0)
					for i := 0; i < crashes; i++ {
						at += port.Time(1+r.Intn(120)) * ms
						n := nodes[r.Intn(len(nodes))]
						d.CrashAt(at, n)
						at += port.Time(1+r.Intn(80)) * ms
						d.RestartAt(at, n)
					}
				}
				t.Run(fmt.Sprintf("%d/%s/%s", seed, spec, sc.Name), func(t *testing.T) {
					var logs []string
					e := &Netherite{Partitions: 4, Knobs: netherite.Knobs{Speculation: spec, LogBytes: 4 << 20, CheckpointEvents: 1 + int(seed%3)*15,
						MaxActivities: 3, LoadReport: 10 * ms},
						Logf: func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
					res, err := Run(e, sc, Options{Seed: seed})
					require.NoError(t, err)
					require.NoError(t, res.Check(sc), strings.Join(logs, "\n"))
					require.Empty(t, res.Violations)
					require.Len(t, res.Responses, len(sc.Calls)+len(sc.Expect), "every call answered exactly once")
				})
			}
		}
	}
}
