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

func metered(t *testing.T) (*meter.Meter, *port.Stores) {
	clk := conformance.NewClock(conformance.Start)
	s, err := mem.New(clk.Now, mem.Options{Partitions: 2})
	require.NoError(t, err)
	m := meter.New()
	return m, m.Wrap(s.Stores())
}

func TestCountsAreExact(t *testing.T) {
	m, s := metered(t)
	_, err := s.Page.CreatePageBlob(ctx, "log", 64*port.PageSize, port.Cond{})
	require.NoError(t, err)
	const n = 37
	for i := 0; i < n; i++ {
		_, err := port.PageWrite{Name: "log", Off: int64(i) * 512, Data: make([]byte, 512)}.Apply(ctx, s)
		require.NoError(t, err)
	}
	_, err = s.Page.ReadPages(ctx, "log", 0, 1000)
	require.NoError(t, err)
	_, err = s.Page.WritePages(ctx, "log", 7, make([]byte, 512), port.Cond{})
	require.ErrorIs(t, err, port.ErrBadRequest)
	require.NoError(t, s.Queues.CreateQueue(ctx, "work"))
	for i := 0; i < n; i++ {
		_, err := s.Queue.Enqueue(ctx, "work", bytes.Repeat([]byte("m"), i), 0)
		require.NoError(t, err)
	}
	msgs, err := s.Queue.Dequeue(ctx, "work", 32, port.Second)
	require.NoError(t, err)
	require.Len(t, msgs, 32)
	_, err = s.Stream.Append(ctx, 0, [][]byte{make([]byte, 10), make([]byte, 70<<10)})
	require.NoError(t, err)

	snap := m.Snapshot()
	require.Equal(t, meter.Counts{Requests: n + 1, Errors: 1, BytesWritten: (n + 1) * 512}, snap.Kind("page-write"))
	require.Equal(t, meter.Counts{Requests: 1, BytesRead: 1000}, snap.Kind("page-read"))
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
	m, s := metered(t)
	require.NoError(t, s.Table.CreateTable(ctx, "History"))
	var ws []port.TableWrite
	for _, rk := range []string{"a", "b", "c"} {
		ws = append(ws, port.TableWrite{Kind: port.Insert,
			Entity: port.Entity{PartitionKey: "i", RowKey: rk, Props: map[string][]byte{"v": []byte("xyz")}}})
	}
	_, err := s.Table.Batch(ctx, "History", ws)
	require.NoError(t, err)
	e, err := s.Table.Get(ctx, "History", "i", "a")
	require.NoError(t, err)
	size := int64(port.EntitySize(ws[0].Entity))
	require.Equal(t, meter.Counts{Requests: 1, BytesWritten: 3 * size}, m.Snapshot().Kind("table-batch"))
	require.Equal(t, meter.Counts{Requests: 1, BytesRead: int64(port.EntitySize(e))}, m.Snapshot().Kind("table-get"))
}

func TestConcurrentCountsAreExact(t *testing.T) {
	m, s := metered(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				_, _ = s.Stream.Append(ctx, g%2, [][]byte{make([]byte, 3)})
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

// The metered stores still pass the conformance suites.
func TestMeteredConformance(t *testing.T) {
	b := conformance.Backend{VirtualTime: true, Open: func(t *testing.T, clock func() port.Time) conformance.Instance {
		s, err := mem.New(clock, mem.Options{Partitions: 2})
		require.NoError(t, err)
		return conformance.Instance{Stores: meter.New().Wrap(s.Stores())}
	}}
	conformance.TestBlob(t, b)
	conformance.TestQueue(t, b)
	conformance.TestTable(t, b)
	conformance.TestStream(t, b)
}
