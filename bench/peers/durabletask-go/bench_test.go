package main

import (
	"context"
	"testing"
)

// BenchmarkHello5 runs b.N Hello5 instances on each configuration under a
// closed load of 64 callers, reporting orch/s, p50/p99 and CPU per
// orchestration (go test -bench . -benchmem adds allocations per op).
func BenchmarkHello5(b *testing.B) {
	for _, p := range peers {
		b.Run(p.name, func(b *testing.B) {
			ctx := context.Background()
			r, err := p.start(ctx, b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer func() {
				if err := r.stop(); err != nil {
					b.Error(err)
				}
			}()
			b.ReportAllocs()
			b.ResetTimer()
			res, err := measure(ctx, r, "b", b.N, 64)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.orchPerSec, "orch/s")
			b.ReportMetric(ms(res.p50), "p50-ms")
			b.ReportMetric(ms(res.p99), "p99-ms")
			b.ReportMetric(float64(res.cpuPerOrch.Microseconds()), "cpu-µs/orch")
		})
	}
}

func TestFlagsRefuseBadValues(t *testing.T) {
	for _, args := range [][]string{{"-n", "0"}, {"-callers", "-1"}, {"-only", "nope"}} {
		if err := run(args, discard{}); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
