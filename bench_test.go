package dflab_test

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/dflab/dflab"
	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/internal/azurite"
)

func hello5Registry(b testing.TB) *durable.Registry {
	reg := durable.NewRegistry()
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(reg.AddActivity("SayHello", func(ctx durable.ActivityContext) (any, error) {
		var city string
		err := ctx.GetInput(&city)
		return "Hello " + city + "!", err
	}))
	must(reg.AddOrchestrator("Hello5", func(ctx *durable.OrchestrationContext) (any, error) {
		var out []string
		for _, c := range []string{"Tokyo", "Seattle", "London", "Amsterdam", "Mumbai"} {
			var s string
			if err := ctx.CallActivity("SayHello", c).Await(&s); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}))
	return reg
}

// BenchmarkNetheriteDiskHello5 runs Hello5 orchestrations on the real
// driver with disk storage (fsync on every log flush) and local
// speculation: b.N orchestrations started by 64 concurrent callers
// (throughput, and latency under that load), for 1 and 12 partitions, and
// by 10,000 (or b.N if fewer) callers on 12 partitions: the closed load of
// `dflab run --load closed:10000`.
func BenchmarkNetheriteDiskHello5(b *testing.B) {
	for _, p := range []int{1, 12} {
		b.Run(fmt.Sprintf("P=%d", p), func(b *testing.B) {
			benchHello5(b, dflab.Options{Engine: "netherite", Storage: "disk", Dir: b.TempDir(), Partitions: p}, 64)
		})
	}
	b.Run("P=12/closed=10000", func(b *testing.B) {
		benchHello5(b, dflab.Options{Engine: "netherite", Storage: "disk", Dir: b.TempDir(), Partitions: 12}, min(b.N, 10000))
	})
}

// BenchmarkNetheriteDiskHello5Latency runs one Hello5 at a time: the latency
// of an orchestration at low load, with idle streams polled (hold=0) or
// held until an append (the default).
func BenchmarkNetheriteDiskHello5Latency(b *testing.B) {
	for _, hold := range []time.Duration{-1, 100 * time.Millisecond} {
		b.Run(fmt.Sprintf("hold=%v", max(hold, 0)), func(b *testing.B) {
			benchHello5(b, dflab.Options{Engine: "netherite", Storage: "disk", Dir: b.TempDir(), Partitions: 12, StreamHold: hold}, 1)
		})
	}
}

// BenchmarkAzuriteHello5 runs Hello5 on Azurite (emulator figures, not
// Azure's) with both engines in the same run: the original engine on queues,
// tables and blobs; Netherite with its logs on Azurite page blobs and an
// embedded NATS JetStream transport. It reports orchestrations/s and the
// storage requests per orchestration (polling included).
func BenchmarkAzuriteHello5(b *testing.B) {
	conn := azurite.Start(b)
	for i, engine := range []string{"original", "netherite"} {
		b.Run(engine, func(b *testing.B) {
			benchHello5(b, dflab.Options{Engine: engine, Storage: "azure", ConnectionString: conn,
				Namespace: fmt.Sprintf("bench%d%d", i, b.N), Transport: "nats", Dir: b.TempDir(),
				Partitions: 12, ControlQueues: 12, MaxPoll: time.Second}, 64)
		})
	}
}

func benchHello5(b *testing.B, opts dflab.Options, callers int) {
	ctx := context.Background()
	e, err := dflab.Start(ctx, hello5Registry(b), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Stop()
	c := e.Client()
	hist := hdrhistogram.New(1, int64(time.Minute), 3)
	var mu sync.Mutex
	next := make(chan int, b.N)
	for i := 0; i < b.N; i++ {
		next <- i
	}
	close(next)
	var failed error
	cpu0, syncs0 := cpuTime(b), disk.Syncs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := 0; w < callers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				id, err := c.Start(ctx, "Hello5", nil, durable.StartWithID(fmt.Sprintf("h%d", i)))
				if err == nil {
					var st durable.InstanceStatus
					st, err = c.Wait(ctx, id)
					if err == nil && st.Status != durable.StatusCompleted {
						err = fmt.Errorf("%s: %s %s", id, st.Status, st.Failure)
					}
				}
				mu.Lock()
				if err != nil && failed == nil {
					failed = err
				}
				_ = hist.RecordValue(int64(time.Since(t0)))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	cpu, syncs := cpuTime(b)-cpu0, disk.Syncs().Sub(syncs0)
	if failed != nil {
		b.Fatal(failed)
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/orch")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orch/s")
	b.ReportMetric(float64(hist.ValueAtQuantile(50))/1e6, "p50-ms")
	b.ReportMetric(float64(hist.ValueAtQuantile(99))/1e6, "p99-ms")
	b.ReportMetric(float64(e.Traffic().Total().Requests)/float64(b.N), "requests/orch")
	if opts.Storage == "disk" {
		b.ReportMetric(float64(syncs.Total())/float64(b.N), "fsyncs/orch")
		b.ReportMetric(float64(syncs.Blob)/float64(b.N), "blob-fsyncs/orch")
		b.ReportMetric(float64(syncs.Journal)/float64(b.N), "journal-fsyncs/orch")
	}
	if v := e.Violations(); len(v) > 0 {
		b.Fatalf("outbox rule violated: %v", v[0])
	}
}

// cpuTime is the process's user + system CPU time so far: the engine's
// goroutines, the callers' and the kernel's work for both.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
