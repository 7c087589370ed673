package disk_test

import (
	"bytes"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/engine/port"
)

// benchDir is where benchmarks put their files: $DFLAB_BENCH_DIR (to
// measure a particular disk) or a temporary directory.
func benchDir(b *testing.B) string {
	if d := os.Getenv("DFLAB_BENCH_DIR"); d != "" {
		dir, err := os.MkdirTemp(d, "dflab-bench")
		require.NoError(b, err)
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

func openBench(b *testing.B, o disk.Options) *disk.Store {
	s, err := disk.Open(benchDir(b), wallClock, o)
	require.NoError(b, err)
	b.Cleanup(func() { s.Close() })
	return s
}

// cpuAtReset is the process's CPU time when the running benchmark's timer
// was last reset (benchmarks run one at a time).
var cpuAtReset time.Duration

func resetTimer(b *testing.B) {
	cpuAtReset = cpuTime(b)
	b.ResetTimer()
}

// cpuTime is the process's user + system CPU time so far (the kernel's
// work for the file system included).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(b *testing.B, perOp float64, unit string) {
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "us/op")
	b.ReportMetric(float64((cpuTime(b)-cpuAtReset).Nanoseconds())/1e3/float64(b.N), "cpu-us/op")
	if sec > 0 {
		b.ReportMetric(float64(b.N)*perOp/sec, unit)
	}
}

// BenchmarkStreamAppendFsync: one 100-byte record per append, each
// fdatasync'ed before acknowledgement.
func BenchmarkStreamAppendFsync(b *testing.B) {
	s := openBench(b, disk.Options{Partitions: 1})
	rec := [][]byte{bytes.Repeat([]byte("r"), 100)}
	b.SetBytes(100)
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		if _, err := s.Append(ctx, 0, rec); err != nil {
			b.Fatal(err)
		}
	}
	report(b, 1, "appends/s")
}

// BenchmarkStreamAppendBatch100: 100 records of 100 bytes per append (one
// write, one fdatasync).
func BenchmarkStreamAppendBatch100(b *testing.B) {
	s := openBench(b, disk.Options{Partitions: 1})
	batch := make([][]byte, 100)
	for i := range batch {
		batch[i] = bytes.Repeat([]byte("r"), 100)
	}
	b.SetBytes(100 * 100)
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		if _, err := s.Append(ctx, 0, batch); err != nil {
			b.Fatal(err)
		}
	}
	report(b, 100, "records/s")
}

// BenchmarkStreamRead: reading back 100-record pages.
func BenchmarkStreamRead(b *testing.B) {
	s := openBench(b, disk.Options{Partitions: 1})
	batch := make([][]byte, 100)
	for i := range batch {
		batch[i] = bytes.Repeat([]byte("r"), 100)
	}
	for i := 0; i < 100; i++ {
		_, err := s.Append(ctx, 0, batch)
		require.NoError(b, err)
	}
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		if _, err := s.Read(ctx, 0, int64(i%100)*100, 100); err != nil {
			b.Fatal(err)
		}
	}
	report(b, 100, "records/s")
}

func benchPages(b *testing.B, size int, o disk.Options, syncEvery int) {
	s := openBench(b, o)
	const slots = 1024
	_, err := s.CreatePageBlob(ctx, "log", int64(slots*size), port.Cond{})
	require.NoError(b, err)
	data := bytes.Repeat([]byte("p"), size)
	b.SetBytes(int64(size))
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		if _, err := s.WritePages(ctx, "log", int64(i%slots*size), data, port.Cond{}); err != nil {
			b.Fatal(err)
		}
		if syncEvery > 0 && i%syncEvery == syncEvery-1 {
			if err := s.SyncBlob(ctx, "log"); err != nil {
				b.Fatal(err)
			}
		}
	}
	report(b, 1, "writes/s")
}

// BenchmarkPageWriteFsync512: a 512-byte page write, fdatasync'ed.
func BenchmarkPageWriteFsync512(b *testing.B) { benchPages(b, 512, disk.Options{}, 0) }

// BenchmarkPageWriteFsync4K: a 4 KiB page write, fdatasync'ed.
func BenchmarkPageWriteFsync4K(b *testing.B) { benchPages(b, 4096, disk.Options{}, 0) }

// BenchmarkPageWriteSyncEvery100: 4 KiB page writes, one SyncBlob per 100.
func BenchmarkPageWriteSyncEvery100(b *testing.B) {
	benchPages(b, 4096, disk.Options{BlobSync: disk.SyncOnFlush}, 100)
}

// BenchmarkAppendBlockFsync: a 1 KiB append block, fdatasync'ed.
func BenchmarkAppendBlockFsync(b *testing.B) {
	s := openBench(b, disk.Options{})
	_, err := s.CreateAppendBlob(ctx, "ap", port.Cond{})
	require.NoError(b, err)
	data := bytes.Repeat([]byte("a"), 1024)
	b.SetBytes(1024)
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		if i%port.MaxAppendBlocks == port.MaxAppendBlocks-1 {
			b.StopTimer()
			_, err := s.CreateAppendBlob(ctx, "ap", port.Cond{})
			require.NoError(b, err)
			b.StartTimer()
		}
		if _, err := s.AppendBlock(ctx, "ap", data, port.Cond{}); err != nil {
			b.Fatal(err)
		}
	}
	report(b, 1, "appends/s")
}
