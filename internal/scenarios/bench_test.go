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
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
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

// One Hello5 at a time: local speculation (pipelining) saves the commit
// wait of every step that stays inside the partition, so its latency is
// well below none's; global saves no more for a one-partition workflow.
// Under none only a step's result waits for its flush (an activity's result
// applies at once, as Netherite's PersistStepsFirst), so the client, which
// also waits for its start's commit and the response's, sees about one
// commit more per step than with local.
func TestNetheriteHello5LatencyBySpeculation(t *testing.T) {
	lat, client := map[netherite.Speculation]port.Time{}, map[netherite.Speculation]port.Time{}
	for _, spec := range []netherite.Speculation{netherite.SpeculationNone, netherite.SpeculationLocal, netherite.SpeculationGlobal} {
		sc := Hello5(1)
		res, err := Run(&Netherite{Partitions: 4, Knobs: netherite.Knobs{Speculation: spec, LogBytes: 4 << 20}}, sc, Options{Seed: 1, StepMs: 1})
		require.NoError(t, err)
		require.NoError(t, res.Check(sc))
		st := res.Final["hello0"]
		lat[spec] = port.Time(st.Updated.Sub(st.Created))
		var seen port.Time // the client's wait answered (the start call left at 0)
		for _, r := range res.Responses {
			if r.Call == len(sc.Calls)+1 {
				seen = r.At
			}
		}
		client[spec] = seen
		t.Logf("%s: Hello5 at the partition %.1f ms, seen by the client after %.1f ms (virtual)", spec,
			float64(lat[spec])/float64(port.Millisecond), float64(seen)/float64(port.Millisecond))
	}
	require.Less(t, lat[netherite.SpeculationLocal]*2, lat[netherite.SpeculationNone])
	require.Less(t, client[netherite.SpeculationLocal]+lat[netherite.SpeculationNone]/2, client[netherite.SpeculationNone])
}
