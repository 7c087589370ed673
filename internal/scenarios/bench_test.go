package scenarios

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
)

// BenchmarkNetheriteHello5 runs n Hello5 orchestrations started at once on
// 4 partitions over 2 nodes × 2 cores and reports the simulated throughput
// (orchestrations per virtual second, first start to last completion) and
// the simulator's speed (events per wall second, in ns/op terms).
func BenchmarkNetheriteHello5(b *testing.B) {
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal} {
		for _, n := range []int{1000} {
			b.Run(fmt.Sprintf("%s/n%d", spec, n), func(b *testing.B) {
				sc := Hello5(n)
				var events int
				var end port.Time
				for i := 0; i < b.N; i++ {
					e := &Netherite{Partitions: 4, Knobs: netherite.Knobs{Speculation: spec, LogBytes: 16 << 20}}
					res, err := Run(e, sc, Options{Seed: uint64(i + 1), StepMs: 5})
					require.NoError(b, err)
					require.NoError(b, res.Check(sc))
					events += res.Events
					end = lastCompletion(res)
				}
				b.ReportMetric(float64(n)/(float64(end)/float64(port.Second)), "orch/vsec")
				b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/sec")
			})
		}
	}
}

// lastCompletion is the latest Updated time among the final statuses.
func lastCompletion(r *Result) port.Time {
	var end port.Time
	for _, st := range r.Final {
		if t := port.Time(st.Updated.UnixNano()); t > end {
			end = t
		}
	}
	return end
}
