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
)

// A partition moves: its owner stops gracefully in the middle of the run
// and the standby core on the other node takes the lease, recovers from
// the final checkpoint and finishes the work.
func TestNetheritePartitionMove(t *testing.T) {
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal} {
		t.Run(spec.String(), func(t *testing.T) {
			var logs []string
			e := &Netherite{Partitions: 4, Standby: true,
				Knobs: netherite.Knobs{Speculation: spec, LogBytes: 4 << 20, AcquireRetry: 10 * ms},
				Logf:  func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }}
			sc := Bank(6)
			var from, to sim.CoreID
			sc.Faults = func(d *sim.Driver, _ []sim.NodeID, _ *mem.Store) {
				d.Kernel().Schedule(150*ms, sim.HandlerFunc(func(now port.Time, _ uint64) {
					from, to = e.Cores[1], e.Standbys[1]
					if !d.Core(from).(*netherite.Partition).Owns() {
						from, to = to, from
					}
					d.Deliver(now, from, port.ClientCall{ID: 1 << 40, Req: netherite.Stop{}})
				}), 0)
			}
			res, err := Run(e, sc, Options{Seed: 21})
			require.NoError(t, err)
			all := strings.Join(logs, "\n")
			require.NoError(t, res.Check(sc), all)
			require.Empty(t, res.Violations)
			require.NotContains(t, all, "stopped:", "no core failed")
			require.Contains(t, all, "netherite p01: stopped by")
			require.False(t, res.Driver.Core(from).(*netherite.Partition).Owns())
			require.True(t, res.Driver.Core(to).(*netherite.Partition).Owns())
			require.Regexp(t, `netherite p01: recovered to seq \d+ \(checkpoint seq [1-9]`, all)
		})
	}
}
