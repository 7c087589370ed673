package azure_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/azure"

	"github.com/dflab/dflab/engine/port"
)

// Benchmarks against Azurite measure the emulator on this machine, not
// Azure Storage: use them to compare backend code paths, never as cloud
// latencies.

func drop(b *testing.B, s *azure.Store) {
	b.StopTimer()
	require.NoError(b, s.Drop(context.Background()))
}

func opsPerSec(b *testing.B, perOp int, unit string) {
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), unit)
}

func BenchmarkPageWrite4KiB(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	defer drop(b, s)
	const size = 64 << 20
	_, err := s.CreatePageBlob(ctx, "log", size, port.Cond{})
	require.NoError(b, err)
	data := make([]byte, 4096)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := int64(i*len(data)) % size
		if _, err := s.WritePages(ctx, "log", off, data, port.Cond{}); err != nil {
			b.Fatal(err)
		}
	}
	opsPerSec(b, 1, "ops/s")
}

func BenchmarkAppendBlock1KiB(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	defer drop(b, s)
	data := make([]byte, 1024)
	b.SetBytes(int64(len(data)))
	name := ""
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%40000 == 0 { // stay under the 50,000 blocks of an append blob
			name = fmt.Sprint("app", i)
			if _, err := s.CreateAppendBlob(ctx, name, port.Cond{}); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.AppendBlock(ctx, name, data, port.Cond{}); err != nil {
			b.Fatal(err)
		}
	}
	opsPerSec(b, 1, "ops/s")
}

// BenchmarkTableBatch100 inserts 100 rows of 200 bytes per transaction,
// as the original engine writes history.
func BenchmarkTableBatch100(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	defer drop(b, s)
	require.NoError(b, s.CreateTable(ctx, "History"))
	val := make([]byte, 200)
	ws := make([]port.TableWrite, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range ws {
			ws[j] = port.TableWrite{Kind: port.Insert, Entity: port.Entity{
				PartitionKey: fmt.Sprint("inst", i), RowKey: fmt.Sprintf("%05d", j),
				Props: map[string][]byte{"Event": val}}}
		}
		if _, err := s.Batch(ctx, "History", ws); err != nil {
			b.Fatal(err)
		}
	}
	opsPerSec(b, 1, "batches/s")
	opsPerSec(b, len(ws), "rows/s")
}

func BenchmarkQueueEnqueue(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	defer drop(b, s)
	require.NoError(b, s.CreateQueue(ctx, "control-00"))
	msg := []byte(fmt.Sprintf("%01000d", 7)) // 1 KB of text
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Enqueue(ctx, "control-00", msg, 0); err != nil {
			b.Fatal(err)
		}
	}
	opsPerSec(b, 1, "ops/s")
}

// BenchmarkQueueDequeue times single-message dequeues from a queue kept
// 32 messages deep (each dequeued message is deleted and replaced with the
// timer stopped). Azurite's dequeue slows down with the number of messages
// it holds, so every benchmark drops its namespace when done.
func BenchmarkQueueDequeue(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	defer drop(b, s)
	require.NoError(b, s.CreateQueue(ctx, "control-00"))
	msg := []byte(fmt.Sprintf("%01000d", 7))
	for i := 0; i < 32; i++ {
		_, err := s.Enqueue(ctx, "control-00", msg, 0)
		require.NoError(b, err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ms, err := s.Dequeue(ctx, "control-00", 1, 60*port.Second)
		if err != nil || len(ms) != 1 {
			b.Fatalf("dequeue: %d messages, %v", len(ms), err)
		}
		b.StopTimer()
		require.NoError(b, s.DeleteMessage(ctx, "control-00", ms[0].ID, ms[0].PopReceipt))
		_, err = s.Enqueue(ctx, "control-00", msg, 0)
		require.NoError(b, err)
		b.StartTimer()
	}
	opsPerSec(b, 1, "ops/s")
}

// BenchmarkQueueEnqueueParallel shows the emulator's throughput with
// concurrent clients (GOMAXPROCS goroutines).
func BenchmarkQueueEnqueueParallel(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	defer drop(b, s)
	require.NoError(b, s.CreateQueue(ctx, "work-items"))
	msg := []byte(fmt.Sprintf("%01000d", 7))
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Enqueue(ctx, "work-items", msg, 0); err != nil {
				b.Error(err)
				return
			}
		}
	})
	opsPerSec(b, 1, "ops/s")
}
