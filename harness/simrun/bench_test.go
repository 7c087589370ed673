package simrun

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/harness/spec"
	"github.com/dflab/dflab/systems"
)

// BenchmarkHello5 is the whole simulated system as `make figures` runs it:
// one Fig. 9 point (Hello5, closed load, 4 nodes × 2 cores, 12 partitions
// with local speculation or 12 control queues) through the same runner,
// engines, stores, meters, checkers and trace hash. It reports simulated
// events per CPU second of the whole process (GC and every goroutine
// included), orchestrations per virtual second, events per run and allocs.
// The collector runs at GOGC=400 as in the dflab binary (harness/cmd/dflab)
// unless GOGC is set.
func BenchmarkHello5(b *testing.B) {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	for _, c := range []struct {
		engine string
		knobs  systems.Values
		n      int
	}{
		{spec.EngineNetherite, systems.Values{"partitions": "12", "speculation": "local"}, 2000},
		{spec.EngineOriginal, systems.Values{"controlQueues": "12"}, 1000},
	} {
		b.Run(fmt.Sprintf("%s/n%d", c.engine, c.n), func(b *testing.B) {
			s := spec.Spec{Engine: spec.Engine{Name: c.engine, Knobs: c.knobs}, Backend: spec.Backend{Kind: spec.BackendSim},
				Cluster: spec.Cluster{Nodes: 4, Cores: 2}, Workload: spec.Workload{Name: "hello5"},
				Load: spec.Load{Kind: spec.LoadClosed, Instances: c.n}}
			rs, err := s.Resolve()
			require.NoError(b, err)
			b.ReportAllocs()
			var events int64
			var virt float64
			cpu0 := cpuTime(b)
			for i := 0; i < b.N; i++ {
				m, err := Run(context.Background(), rs, uint64(i+1), nil)
				require.NoError(b, err)
				require.EqualValues(b, c.n, m.Completed)
				events += m.Events
				virt += m.ThroughputPerSec
			}
			cpu := cpuTime(b) - cpu0
			b.ReportMetric(float64(events)/cpu.Seconds(), "events/cpu-s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
			b.ReportMetric(virt/float64(b.N), "orch/vsec")
		})
	}
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
