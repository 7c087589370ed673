package inject_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim/rng"
)

var ctx = context.Background()

// clock is an injected test clock.
type clock struct{ t port.Time }

func (c *clock) now() port.Time { return c.t }

type rig struct {
	clk   *clock
	store *mem.Store
	in    *inject.Injector
	exec  port.Exec // the store behind the injector
	slept []port.Time
}

// newRig puts an injector in front of a fresh mem store for planText. With
// sleep, latency faults are applied by the middleware and sleeping advances
// the clock.
func newRig(t *testing.T, planText string, seed uint64, sleep bool) *rig {
	t.Helper()
	p, err := plan.Parse(planText)
	require.NoError(t, err)
	r := &rig{clk: &clock{t: 1000 * port.Second}}
	r.store, err = mem.New(r.clk.now, mem.Options{Partitions: 2})
	require.NoError(t, err)
	cfg := inject.Config{Plan: p, Clock: r.clk.now, Start: 1000 * port.Second, Rand: rng.New(seed)}
	if sleep {
		cfg.Sleep = func(_ context.Context, d port.Time) error {
			r.slept = append(r.slept, d)
			r.clk.t += d
			return nil
		}
	}
	r.in, err = inject.New(cfg)
	require.NoError(t, err)
	r.exec = port.Chain(r.store.Stores(), r.in.Middleware)
	return r
}

// at sets the run time (since Start).
func (r *rig) at(d port.Time) { r.clk.t = 1000*port.Second + d }

func entity(rk string) port.Entity {
	return port.Entity{PartitionKey: "pk", RowKey: rk, Props: map[string][]byte{"v": []byte(rk)}}
}

func TestErrorBeforeApplyLeavesStorageUnchanged(t *testing.T) {
	r := newRig(t, "storage error p=1 op=page-write", 1, false)
	_, err := r.exec(ctx, port.PageCreate{Name: "log", Size: 4096})
	require.NoError(t, err)
	_, err = r.exec(ctx, port.PageWrite{Name: "log", Data: make([]byte, 512)})
	require.ErrorIs(t, err, inject.ErrTransient)
	require.ErrorIs(t, err, inject.ErrInjected)
	require.NotErrorIs(t, err, inject.ErrServerBusy)
	var ie *inject.Error
	require.ErrorAs(t, err, &ie)
	require.False(t, ie.Ambiguous())
	var retry interface{ Retryable() bool }
	require.ErrorAs(t, err, &retry, "engines detect retryable errors without importing faults")
	require.True(t, retry.Retryable())
	require.EqualError(t, err, "page-write: injected transient error before apply (storage error p=1 op=page-write)")
	props, err := r.store.GetBlob(ctx, "log", port.Range{})
	require.NoError(t, err)
	require.Equal(t, `"0x1"`, props.Props.ETag, "the write never reached the store")
	require.Equal(t, inject.Counts{{Fault: plan.StorageError, What: "page-write", N: 1}}, r.in.Counts())
}

func TestErrorAfterApplyIsAmbiguous(t *testing.T) {
	r := newRig(t, "storage error-after p=1 op=table-*", 1, false)
	require.NoError(t, r.store.CreateTable(ctx, "History"), "setup straight on the store")
	_, err := r.exec(ctx, port.TableBatch{Table: "History", Writes: []port.TableWrite{{Kind: port.Insert, Entity: entity("r1")}}})
	var ie *inject.Error
	require.ErrorAs(t, err, &ie)
	require.True(t, ie.Ambiguous())
	require.ErrorIs(t, err, inject.ErrTransient)
	got, err := r.store.Get(ctx, "History", "pk", "r1")
	require.NoError(t, err, "the batch was applied before the error")
	require.Equal(t, []byte("r1"), got.Props["v"])
	// A retry hits the design's duplicate handling: the insert conflicts.
	_, err = r.exec(ctx, port.TableWriteOp{Table: "History", W: port.TableWrite{Kind: port.Insert, Entity: entity("r1")}})
	require.ErrorIs(t, err, port.ErrConflict, "a request failing by itself keeps its own error")
	require.Equal(t, int64(1), r.in.Counts().Total(plan.StorageErrorAfter))
}

func TestThrottleOnlyInsideItsWindow(t *testing.T) {
	r := newRig(t, "throttle op=queue-* 10s..20s", 1, false)
	_, err := r.exec(ctx, port.QueueCreate{Queue: "control-00"})
	require.NoError(t, err)
	for _, c := range []struct {
		at   port.Time
		busy bool
	}{{5 * port.Second, false}, {10 * port.Second, true}, {19999 * port.Millisecond, true}, {20 * port.Second, false}} {
		r.at(c.at)
		_, err := r.exec(ctx, port.QueueEnqueue{Queue: "control-00", Data: []byte("m")})
		if c.busy {
			require.ErrorIs(t, err, inject.ErrServerBusy, c.at)
			require.ErrorIs(t, err, inject.ErrTransient)
			require.EqualError(t, err, "queue-enqueue: injected server busy (throttle op=queue-* 10s..20s)")
		} else {
			require.NoError(t, err, c.at)
		}
	}
	n, err := r.store.Length(ctx, "control-00")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, inject.Counts{{Fault: plan.Throttle, What: "queue-enqueue", N: 2}}, r.in.Counts())
}

func TestThrottleWinsOverErrorWinsOverErrorAfter(t *testing.T) {
	r := newRig(t, "storage error-after p=1 op=blob-put\nstorage error p=1 op=blob-*\nthrottle op=blob-put", 1, false)
	_, err := r.exec(ctx, port.BlobPut{Name: "b", Data: []byte("x")})
	require.ErrorIs(t, err, inject.ErrServerBusy)
	_, err = r.exec(ctx, port.BlobGet{Name: "b"})
	require.EqualError(t, err, "blob-get: injected transient error before apply (storage error p=1 op=blob-*)")
	require.Equal(t, inject.Counts{
		{Fault: plan.StorageError, What: "blob-get", N: 1},
		{Fault: plan.Throttle, What: "blob-put", N: 1},
	}, r.in.Counts())
}

func TestDuplicateStreamAppendsTheBatchTwice(t *testing.T) {
	r := newRig(t, "duplicate stream p=1", 1, false)
	recs := [][]byte{[]byte("a"), []byte("b")}
	first, err := r.exec(ctx, port.StreamAppend{Partition: 1, Records: recs})
	require.NoError(t, err)
	require.Equal(t, int64(0), first.(int64))
	got, err := r.store.Read(ctx, 1, 0, 10)
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("a"), []byte("b"), []byte("a"), []byte("b")}, got.Records)
	require.Equal(t, inject.Counts{{Fault: plan.DuplicateStream, What: "stream-append", N: 1}}, r.in.Counts())
}

// outcomes runs n table-gets on a missing row and returns, per call,
// whether it failed with an injected error of kind k.
func outcomes(t *testing.T, planText string, k plan.Kind, n int) []bool {
	r := newRig(t, planText, 42, false)
	require.NoError(t, r.store.CreateTable(ctx, "Instances"))
	out := make([]bool, n)
	for i := range out {
		_, err := r.exec(ctx, port.TableGet{Table: "Instances", PartitionKey: "pk", RowKey: "rk"})
		var ie *inject.Error
		out[i] = err != nil && errors.As(err, &ie) && ie.Fault.Kind == k
	}
	return out
}

func TestDecisionsAreSeededAndIndependentOfOtherLines(t *testing.T) {
	const line = "storage error p=0.3 op=table-get"
	base := outcomes(t, line, plan.StorageError, 2000)
	hits := 0
	for _, h := range base {
		if h {
			hits++
		}
	}
	require.InDelta(t, 600, hits, 90, "p=0.3 over 2000 requests")
	require.Equal(t, base, outcomes(t, line, plan.StorageError, 2000), "same seed, same faults")
	more := "throttle op=queue-* p=0.5\nstorage error-after p=0.5 op=table-get\n" + line + "\nlatency x5 op=table-get"
	require.Equal(t, base, outcomes(t, more, plan.StorageError, 2000),
		"adding lines before and after does not shift this line's decisions")
}

func TestLatencyDrawsIgnoreErrorLines(t *testing.T) {
	// delayed[i]: request i slept; failed[i]: it got an injected error.
	run := func(planText string) (delayed, failed []bool) {
		r := newRig(t, planText, 9, true)
		for i := 0; i < 300; i++ {
			n := len(r.slept)
			_, err := r.exec(ctx, port.StreamAppend{Records: [][]byte{[]byte("x")}})
			delayed, failed = append(delayed, len(r.slept) > n), append(failed, err != nil)
		}
		return delayed, failed
	}
	const delay = "delay stream 50ms p=0.2"
	base, _ := run(delay)
	delayed, failed := run("storage error p=0.5 op=stream-append\n" + delay)
	nFailed := 0
	for i := range base {
		if failed[i] {
			nFailed++
			require.False(t, delayed[i], "a failed request never reaches storage, nor sleeps")
			continue
		}
		require.Equal(t, base[i], delayed[i], "request %d: error lines do not shift the delay line's coins", i)
	}
	require.InDelta(t, 150, nFailed, 40)
}

func TestLatencyAndDelayThroughSleep(t *testing.T) {
	r := newRig(t, "latency x3 op=stream-append 10s..20s\ndelay stream 50ms p=1", 1, true)
	slow := &slowStream{Stream: r.store, clk: r.clk, d: 10 * port.Millisecond}
	exec := port.Chain(&port.Stores{Stream: slow}, r.in.Middleware)
	_, err := exec(ctx, port.StreamAppend{Records: [][]byte{[]byte("x")}})
	require.NoError(t, err)
	require.Equal(t, []port.Time{50 * port.Millisecond}, r.slept, "outside the window: only the delay")
	r.slept = nil
	r.at(15 * port.Second)
	_, err = exec(ctx, port.StreamAppend{Records: [][]byte{[]byte("y")}})
	require.NoError(t, err)
	require.Equal(t, []port.Time{50 * port.Millisecond, 20 * port.Millisecond}, r.slept,
		"delay before, then (3-1) × the 10ms the call took")
	require.Equal(t, inject.Counts{
		{Fault: plan.DelayStream, What: "stream-append", N: 2},
		{Fault: plan.Latency, What: "stream-append", N: 1},
	}, r.in.Counts())
}

func TestLatencyHookForTheSimulator(t *testing.T) {
	r := newRig(t, "latency x20 op=queue-* 10s..20s\ndelay stream 50ms p=1", 1, false)
	_, err := r.exec(ctx, port.QueueCreate{Queue: "work-items"})
	require.NoError(t, err)
	r.at(12 * port.Second)
	_, err = r.exec(ctx, port.QueueEnqueue{Queue: "work-items", Data: []byte("m")})
	require.NoError(t, err)
	require.Empty(t, r.in.Counts(), "without Sleep the middleware leaves latency to the simulator")
	require.Equal(t, 200*port.Millisecond, r.in.Latency("queue-dequeue", 10*port.Millisecond))
	require.Equal(t, 10*port.Millisecond, r.in.Latency("table-get", 10*port.Millisecond))
	require.Equal(t, 60*port.Millisecond, r.in.Latency("stream-append", 10*port.Millisecond))
	r.at(20 * port.Second)
	require.Equal(t, 10*port.Millisecond, r.in.Latency("queue-dequeue", 10*port.Millisecond))
	require.Equal(t, inject.Counts{
		{Fault: plan.DelayStream, What: "stream-append", N: 1},
		{Fault: plan.Latency, What: "queue-dequeue", N: 1},
	}, r.in.Counts())
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := inject.New(inject.Config{Rand: rng.New(1)})
	require.EqualError(t, err, "inject.New: Config.Clock is nil, want the run's clock")
	_, err = inject.New(inject.Config{Clock: (&clock{}).now})
	require.EqualError(t, err, "inject.New: Config.Rand is nil, want a seeded *rng.Source")
	bad := &plan.Plan{Faults: []plan.Fault{{Kind: plan.Throttle, P: 1, Ops: "nope"}}}
	_, err = inject.New(inject.Config{Plan: bad, Clock: (&clock{}).now, Rand: rng.New(1)})
	require.ErrorContains(t, err, "op=nope matches no op kind")
}

func TestConcurrentUseCountsExactly(t *testing.T) {
	r := newRig(t, "storage error p=0.5 op=blob-get", 7, false)
	_, err := r.exec(ctx, port.BlobPut{Name: "b", Data: []byte("x")})
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				if _, err := r.exec(ctx, port.BlobGet{Name: "b"}); err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int64(failed), r.in.Counts().Total(plan.StorageError))
}

// slowStream advances the test clock by d on every append, standing in for
// a real backend's service time.
type slowStream struct {
	port.Stream
	clk *clock
	d   port.Time
}

func (s *slowStream) Append(ctx context.Context, p int, records [][]byte) (int64, error) {
	s.clk.t += s.d
	return s.Stream.Append(ctx, p, records)
}
