package sim

import (
	"fmt"
	"testing"

	"github.com/dflab/dflab/engine/port"
)

// BenchmarkDriver runs the counter workload on 12 nodes × 4 cores (2 engine
// cores per node) for 1 s of virtual time per iteration and reports kernel
// events per second of wall time.
func BenchmarkDriver(b *testing.B) {
	b.ReportAllocs()
	var events uint64
	for i := 0; i < b.N; i++ {
		st := newFakeStore()
		d := NewDriver(NewKernel(0), Config{Seed: uint64(i + 1), Models: scenarioModels()})
		for n := 0; n < 12; n++ {
			node := d.AddNode(fmt.Sprint("node", n), 4)
			for c := 0; c < 2; c++ {
				key := fmt.Sprint(n, "/", c)
				d.AddCore(node, fmt.Sprint("c", c), func() port.Core { return newCounter(key, st, 1<<30) })
			}
		}
		d.RunUntil(port.Second)
		events += d.Kernel().Fired()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// TestDriverScenarioRepeatable is a quick check that the benchmark scenario
// is deterministic too.
func TestDriverScenarioRepeatable(t *testing.T) {
	run := func() uint64 {
		st := newFakeStore()
		d := NewDriver(NewKernel(0), Config{Seed: 5, Models: scenarioModels()})
		for n := 0; n < 4; n++ {
			node := d.AddNode(fmt.Sprint("node", n), 4)
			key := fmt.Sprint(n)
			d.AddCore(node, "c", func() port.Core { return newCounter(key, st, 1<<30) })
		}
		d.RunUntil(100 * port.Millisecond)
		return d.Trace().Hash()
	}
	if first, second := run(), run(); first != second {
		t.Fatal("benchmark scenario is not deterministic")
	}
}
