package meter_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/backends/meter"
	"github.com/dflab/dflab/engine/port"
)

var ctx = context.Background()

// metered returns a meter and an Exec that applies ops to a fresh mem
// store through the meter, as a driver's chain does.
func metered(t *testing.T) (*meter.Meter, port.Exec) {
	clk := conformance.NewClock(conformance.Start)
	s, err := mem.New(clk.Now, mem.Options{Partitions: 2})
	require.NoError(t, err)
	m := meter.New()
	return m, port.Chain(s.Stores(), m.Middleware)
}

// do applies op through exec and requires success.
func do(t *testing.T, exec port.Exec, op port.Op) any {
	t.Helper()
	r, err := exec(ctx, op)
	require.NoError(t, err, "%s", op.Kind())
	return r
}

func TestCountsAreExact(t *testing.T) {
	m, exec := metered(t)
	do(t, exec, port.PageCreate{Name: "log", Size: 64 * port.PageSize})
	const n = 37
	for i := 0; i < n; i++ {
		do(t, exec, port.PageWrite{Name: "log", Off: int64(i) * 512, Data: make([]byte, 512)})
	}
	do(t, exec, port.PageRead{Name: "log", N: 1000})
	_, err := exec(ctx, port.PageWrite{Name: "log", Off: 7, Data: make([]byte, 512)})
	require.ErrorIs(t, err, port.ErrBadRequest)
	do(t, exec, port.QueueCreate{Queue: "work"})
	for i := 0; i < n; i++ {
		do(t, exec, port.QueueEnqueue{Queue: "work", Data: bytes.Repeat([]byte("m"), i)})
	}
	msgs := do(t, exec, port.QueueDequeue{Queue: "work", N: 32, Visibility: port.Second})
	require.Len(t, msgs, 32)
	do(t, exec, port.StreamAppend{Partition: 0, Records: [][]byte{make([]byte, 10), make([]byte, 70<<10)}})

	snap := m.Snapshot()
	require.Equal(t, meter.Counts{Requests: n + 1, Errors: 1, BytesWritten: (n + 1) * 512}, snap.Kind("page-write"))
	require.Equal(t, meter.Counts{Requests: 1, BytesRead: 1000}, snap.Kind("page-read"), "a read's asked length is not written")
	require.Equal(t, meter.Counts{Requests: n, BytesWritten: n * (n - 1) / 2}, snap.Kind("queue-enqueue"))
	require.Equal(t, meter.Counts{Requests: 1, BytesRead: 31 * 32 / 2}, snap.Kind("queue-dequeue"))
	require.Equal(t, meter.Counts{Requests: 1, BytesWritten: 10 + 70<<10, Events: 3}, snap.Kind("stream-append"))
	require.EqualValues(t, 2*n+6, snap.Total().Requests)
	for i := 1; i < len(snap); i++ {
		require.Less(t, snap[i-1].Kind, snap[i].Kind, "sorted by kind")
	}
	m.Reset()
	require.Empty(t, m.Snapshot())
}

func TestTableBatchIsOneRequest(t *testing.T) {
	m, exec := metered(t)
	do(t, exec, port.TableCreate{Table: "History"})
	var ws []port.TableWrite
	for _, rk := range []string{"a", "b", "c"} {
		ws = append(ws, port.TableWrite{Kind: port.Insert,
			Entity: port.Entity{PartitionKey: "i", RowKey: rk, Props: map[string][]byte{"v": []byte("xyz")}}})
	}
	do(t, exec, port.TableBatch{Table: "History", Writes: ws})
	e := do(t, exec, port.TableGet{Table: "History", PartitionKey: "i", RowKey: "a"}).(port.Entity)
	require.Equal(t, port.EntitySize(e), e.Size, "the store reports the size it keeps")
	size := int64(port.EntitySize(ws[0].Entity))
	require.Equal(t, meter.Counts{Requests: 1, BytesWritten: 3 * size}, m.Snapshot().Kind("table-batch"))
	require.Equal(t, meter.Counts{Requests: 1, BytesRead: int64(port.EntitySize(e))}, m.Snapshot().Kind("table-get"))
}

func TestConcurrentCountsAreExact(t *testing.T) {
	m, exec := metered(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				_, _ = exec(ctx, port.StreamAppend{Partition: g % 2, Records: [][]byte{make([]byte, 3)}})
			}
		}(g)
	}
	wg.Wait()
	require.Equal(t, meter.Counts{Requests: 2000, BytesWritten: 6000, Events: 2000}, m.Snapshot().Kind("stream-append"))
}

func TestBillFromPriceTable(t *testing.T) {
	snap := meter.Snapshot{
		{Kind: "page-write", Counts: meter.Counts{Requests: 20000}},
		{Kind: "blob-get", Counts: meter.Counts{Requests: 10000}},
		{Kind: "blob-delete", Counts: meter.Counts{Requests: 500}},
		{Kind: "queue-dequeue", Counts: meter.Counts{Requests: 30000}},
		{Kind: "table-batch", Counts: meter.Counts{Requests: 10000}},
		{Kind: "stream-append", Counts: meter.Counts{Requests: 10, Events: 2_000_000}},
	}
	p := meter.AzureListPrices2024
	b, err := p.Bill(snap, 10)
	require.NoError(t, err)
	want := 2*p.Per10k[meter.BlobWrite] + 1*p.Per10k[meter.BlobRead] + 3*p.Per10k[meter.QueueClass2] +
		1*p.Per10k[meter.TableTx] + 2*p.EventsPerM + 10*p.TUPerHour
	require.InDelta(t, want, b.Dollars, 1e-12)
	require.InDelta(t, 0.13, b.ByClass[meter.BlobWrite], 1e-12)
	require.EqualValues(t, 500, b.Requests[meter.Free])
	_, err = p.Bill(meter.Snapshot{{Kind: "made-up"}}, 0)
	require.ErrorContains(t, err, `"made-up"`)
}

func TestEveryOpKindHasAPrice(t *testing.T) {
	kinds := []string{"blob-put", "blob-get", "blob-delete", "blob-list", "blob-sync", "page-create",
		"page-write", "page-read", "append-create", "append-block", "lease-acquire", "lease-renew",
		"lease-release", "lease-break", "queue-create", "queue-drop", "queue-enqueue", "queue-dequeue",
		"queue-delete", "queue-update", "queue-peek", "queue-length", "table-create", "table-drop",
		"table-insert", "table-replace", "table-merge", "table-upsert", "table-upsert-merge",
		"table-delete", "table-get", "table-query", "table-batch", "stream-partitions",
		"stream-append", "stream-read", "stream-commit", "stream-position"}
	var snap meter.Snapshot
	for _, k := range kinds {
		snap = append(snap, meter.KindCounts{Kind: k, Counts: meter.Counts{Requests: 1}})
	}
	_, err := meter.AzureListPrices2024.Bill(snap, 0)
	require.NoError(t, err)
}

// The meter passes every op's result and error through unchanged, and
// counts a failed request's payload as written but nothing as read.
func TestMiddlewarePassesResultsThrough(t *testing.T) {
	m, exec := metered(t)
	do(t, exec, port.BlobPut{Name: "b", Data: []byte("hello")})
	got := do(t, exec, port.BlobGet{Name: "b", Range: port.Range{Len: 100}})
	require.Equal(t, []byte("hello"), got.(port.BlobData).Data)
	_, err := exec(ctx, port.BlobPut{Name: "b", Data: []byte("xy"), Cond: port.Cond{IfNoneMatch: "*"}})
	require.ErrorIs(t, err, port.ErrConflict)
	_, err = exec(ctx, port.BlobGet{Name: "missing"})
	require.ErrorIs(t, err, port.ErrNotFound)
	snap := m.Snapshot()
	require.Equal(t, meter.Counts{Requests: 2, Errors: 1, BytesWritten: 7}, snap.Kind("blob-put"))
	require.Equal(t, meter.Counts{Requests: 2, Errors: 1, BytesRead: 5}, snap.Kind("blob-get"))
}
