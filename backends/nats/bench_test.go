package nats_test

import (
	"context"
	"testing"

	"github.com/dflab/dflab/backends/nats"
)

func opsPerSec(b *testing.B, perOp int, unit string) {
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), unit)
}

func fsyncModes(b *testing.B, f func(b *testing.B, s *nats.Stream)) {
	for _, m := range []struct {
		name    string
		noFsync bool
	}{{"fsync=on", false}, {"fsync=off", true}} {
		b.Run(m.name, func(b *testing.B) {
			s := open(b, nats.Options{Dir: b.TempDir(), Partitions: 4, NoFsync: m.noFsync})
			defer s.Close()
			b.ResetTimer()
			f(b, s)
		})
	}
}

func records(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, size)
	}
	return out
}

// BenchmarkAppend1 appends one 512-byte record per call, waiting for its ack.
func BenchmarkAppend1(b *testing.B) {
	fsyncModes(b, func(b *testing.B, s *nats.Stream) {
		ctx, rec := context.Background(), records(1, 512)
		b.SetBytes(512)
		for i := 0; i < b.N; i++ {
			if _, err := s.Append(ctx, i%4, rec); err != nil {
				b.Fatal(err)
			}
		}
		opsPerSec(b, 1, "appends/s")
	})
}

// BenchmarkAppendBatch100 appends 100 records of 512 bytes as one atomic batch.
func BenchmarkAppendBatch100(b *testing.B) {
	fsyncModes(b, func(b *testing.B, s *nats.Stream) {
		ctx, recs := context.Background(), records(100, 512)
		b.SetBytes(100 * 512)
		for i := 0; i < b.N; i++ {
			if _, err := s.Append(ctx, i%4, recs); err != nil {
				b.Fatal(err)
			}
		}
		opsPerSec(b, 1, "appends/s")
		opsPerSec(b, len(recs), "records/s")
	})
}

// BenchmarkAppend1Parallel appends single records from 16 goroutines
// (bounded by Options.MaxInflight).
func BenchmarkAppend1Parallel(b *testing.B) {
	fsyncModes(b, func(b *testing.B, s *nats.Stream) {
		ctx, rec := context.Background(), records(1, 512)
		b.SetBytes(512)
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			p := 0
			for pb.Next() {
				p++
				if _, err := s.Append(ctx, p%4, rec); err != nil {
					b.Error(err)
					return
				}
			}
		})
		opsPerSec(b, 1, "appends/s")
	})
}

// BenchmarkRead1000 reads 1000 records of 512 bytes per call.
func BenchmarkRead1000(b *testing.B) {
	ctx := context.Background()
	s := open(b, nats.Options{Dir: b.TempDir(), Partitions: 1, NoFsync: true})
	defer s.Close()
	for i := 0; i < 10; i++ {
		if _, err := s.Append(ctx, 0, records(1000, 512)); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(1000 * 512)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := s.Read(ctx, 0, int64(i%9)*1000, 1000)
		if err != nil || len(r.Records) != 1000 {
			b.Fatalf("read: %d records, %v", len(r.Records), err)
		}
	}
	opsPerSec(b, 1000, "records/s")
}
