package azure_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/azure"
	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/internal/azurite"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if err := azurite.StopShared(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

var nsSeq atomic.Int64

// openStore opens a store in a fresh namespace of the shared Azurite.
func openStore(t testing.TB) *azure.Store {
	t.Helper()
	return openNamespace(t, fmt.Sprintf("ns%d", nsSeq.Add(1)))
}

func openNamespace(t testing.TB, ns string) *azure.Store {
	t.Helper()
	conn := azurite.Shared(t)
	s, err := azure.Open(context.Background(), conn, azure.Options{Namespace: ns})
	require.NoError(t, err)
	return s
}

func backend() conformance.Backend {
	return conformance.Backend{
		Open: func(t *testing.T, _ func() port.Time) conformance.Instance {
			ns := fmt.Sprintf("ns%d", nsSeq.Add(1))
			reopen := func(t *testing.T) *port.Stores {
				return openNamespace(t, ns).Stores() // a new client on the same account and namespace
			}
			return conformance.Instance{Stores: openNamespace(t, ns).Stores(), Reopen: reopen}
		},
		VirtualTime: false, // Azurite keeps its own clock: expiry subtests are skipped
	}
}

func TestConformanceBlob(t *testing.T)  { conformance.TestBlob(t, backend()) }
func TestConformanceQueue(t *testing.T) { conformance.TestQueue(t, backend()) }
func TestConformanceTable(t *testing.T) { conformance.TestTable(t, backend()) }

func TestBlobSmoke(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	_, err := s.GetBlob(ctx, "missing", port.Range{})
	require.ErrorIs(t, err, port.ErrNotFound)

	tag, err := s.PutBlob(ctx, "a/b", []byte("hello"), port.Cond{IfNoneMatch: "*"})
	require.NoError(t, err)
	_, err = s.PutBlob(ctx, "a/b", []byte("x"), port.Cond{IfNoneMatch: "*"})
	require.ErrorIs(t, err, port.ErrETagMismatch)
	_, err = s.PutBlob(ctx, "a/b", []byte("x"), port.Cond{IfMatch: "\"nope\""})
	require.ErrorIs(t, err, port.ErrETagMismatch)
	require.ErrorIs(t, err, port.ErrConflict)

	d, err := s.GetBlob(ctx, "a/b", port.Range{Off: 1, Len: 3})
	require.NoError(t, err)
	require.Equal(t, "ell", string(d.Data))
	require.Equal(t, int64(5), d.Props.Size)
	require.Equal(t, tag, d.Props.ETag)
	require.Equal(t, port.BlockBlob, d.Props.Type)
	d, err = s.GetBlob(ctx, "a/b", port.Range{Off: 9})
	require.NoError(t, err)
	require.Empty(t, d.Data)

	l, err := s.ListBlobs(ctx, "a/", "", 10)
	require.NoError(t, err)
	require.Len(t, l.Blobs, 1)
	require.Equal(t, "a/b", l.Blobs[0].Name)
	require.NoError(t, s.DeleteBlob(ctx, "a/b", port.Cond{IfMatch: tag}))
	require.ErrorIs(t, s.DeleteBlob(ctx, "a/b", port.Cond{}), port.ErrNotFound)
}

func TestPageAppendSmoke(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	_, err := s.CreatePageBlob(ctx, "log", 4*port.PageSize, port.Cond{})
	require.NoError(t, err)
	page := make([]byte, port.PageSize)
	copy(page, "record")
	_, err = s.WritePages(ctx, "log", port.PageSize, page, port.Cond{})
	require.NoError(t, err)
	got, err := s.ReadPages(ctx, "log", port.PageSize, port.PageSize)
	require.NoError(t, err)
	require.Equal(t, page, got)
	got, err = s.ReadPages(ctx, "log", 3*port.PageSize, 10*port.PageSize)
	require.NoError(t, err)
	require.Len(t, got, port.PageSize, "clipped to the blob")
	_, err = s.WritePages(ctx, "log", 4*port.PageSize, page, port.Cond{})
	require.ErrorIs(t, err, port.ErrBadRequest, "past the end")
	_, err = s.WritePages(ctx, "log", 1, page, port.Cond{})
	require.ErrorIs(t, err, port.ErrBadRequest, "unaligned")

	_, err = s.CreateAppendBlob(ctx, "app", port.Cond{})
	require.NoError(t, err)
	r1, err := s.AppendBlock(ctx, "app", []byte("abc"), port.Cond{})
	require.NoError(t, err)
	r2, err := s.AppendBlock(ctx, "app", []byte("de"), port.Cond{})
	require.NoError(t, err)
	require.Equal(t, int64(0), r1.Offset)
	require.Equal(t, int64(3), r2.Offset)
	d, err := s.GetBlob(ctx, "app", port.Range{})
	require.NoError(t, err)
	require.Equal(t, "abcde", string(d.Data))
	require.Equal(t, 2, d.Props.Blocks)
	_, err = s.AppendBlock(ctx, "log", []byte("x"), port.Cond{})
	require.ErrorIs(t, err, port.ErrConflict, "append to a page blob")
	_, err = s.ReadPages(ctx, "app", 0, 1)
	require.ErrorIs(t, err, port.ErrConflict, "read pages of an append blob")
}

func TestLeaseSmoke(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	require.ErrorIs(t, s.AcquireLease(ctx, "p0", "node1", 15*port.Second), port.ErrNotFound)
	_, err := s.PutBlob(ctx, "p0", []byte("x"), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, s.AcquireLease(ctx, "p0", "node1", 15*port.Second))
	require.NoError(t, s.AcquireLease(ctx, "p0", "node1", 15*port.Second), "re-acquire by the owner")
	require.ErrorIs(t, s.AcquireLease(ctx, "p0", "node2", 15*port.Second), port.ErrLeaseHeld)
	_, err = s.PutBlob(ctx, "p0", []byte("y"), port.Cond{})
	require.ErrorIs(t, err, port.ErrLeaseHeld, "write without the lease")
	_, err = s.PutBlob(ctx, "p0", []byte("y"), port.Cond{LeaseID: "node2"})
	require.ErrorIs(t, err, port.ErrLeaseLost, "write with another lease")
	_, err = s.PutBlob(ctx, "p0", []byte("y"), port.Cond{LeaseID: "node1"})
	require.NoError(t, err)
	require.NoError(t, s.RenewLease(ctx, "p0", "node1"))
	require.ErrorIs(t, s.RenewLease(ctx, "p0", "node2"), port.ErrLeaseLost)
	br, err := s.BreakLease(ctx, "p0", 0)
	require.NoError(t, err)
	require.Equal(t, port.Time(0), br.Remaining)
	require.ErrorIs(t, s.RenewLease(ctx, "p0", "node1"), port.ErrLeaseLost, "broken")
	require.NoError(t, s.AcquireLease(ctx, "p0", "node2", port.LeaseInfinite))
	require.ErrorIs(t, s.ReleaseLease(ctx, "p0", "node1"), port.ErrLeaseLost)
	require.NoError(t, s.ReleaseLease(ctx, "p0", "node2"))
	br, err = s.BreakLease(ctx, "p0", 0)
	require.NoError(t, err, "break without a lease")
	require.Equal(t, port.Time(0), br.Remaining)
}

func TestQueueSmoke(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	_, err := s.Enqueue(ctx, "work", []byte("x"), 0)
	require.ErrorIs(t, err, port.ErrNotFound)
	require.NoError(t, s.CreateQueue(ctx, "work"))
	require.NoError(t, s.CreateQueue(ctx, "work"), "create is idempotent")
	payloads := [][]byte{[]byte("text"), {}, {0, 0xff, 1}, []byte(" spaced \n"), []byte("~x")}
	for _, p := range payloads {
		_, err := s.Enqueue(ctx, "work", p, 0)
		require.NoError(t, err)
	}
	n, err := s.Length(ctx, "work")
	require.NoError(t, err)
	require.Equal(t, len(payloads), n)
	peek, err := s.Peek(ctx, "work", 32)
	require.NoError(t, err)
	require.Len(t, peek, len(payloads))
	ms, err := s.Dequeue(ctx, "work", 32, 30*port.Second)
	require.NoError(t, err)
	require.Len(t, ms, len(payloads))
	for i, m := range ms {
		require.Equal(t, string(payloads[i]), string(m.Data))
		require.Equal(t, 1, m.DequeueCount)
	}
	up, err := s.UpdateMessage(ctx, "work", ms[0].ID, ms[0].PopReceipt, nil, 30*port.Second)
	require.NoError(t, err)
	require.ErrorIs(t, s.DeleteMessage(ctx, "work", ms[0].ID, ms[0].PopReceipt), port.ErrPopReceipt)
	_, err = s.UpdateMessage(ctx, "work", ms[0].ID, up.PopReceipt, []byte("new"), 0)
	require.ErrorIs(t, err, nil)
	again, err := s.Dequeue(ctx, "work", 1, 30*port.Second)
	require.NoError(t, err)
	require.Len(t, again, 1)
	require.Equal(t, "new", string(again[0].Data), "content replaced")
	require.Equal(t, 2, again[0].DequeueCount)
	require.NoError(t, s.DeleteMessage(ctx, "work", again[0].ID, again[0].PopReceipt))
	require.ErrorIs(t, s.DeleteMessage(ctx, "work", again[0].ID, again[0].PopReceipt), port.ErrNotFound)
	_, err = s.Enqueue(ctx, "work", make([]byte, port.MaxMessageBytes+1), 0)
	require.ErrorIs(t, err, port.ErrTooLarge)
	require.NoError(t, s.DeleteQueue(ctx, "work"))
}

func TestTableSmoke(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	ent := func(rk, v string) port.Entity {
		return port.Entity{PartitionKey: "i1", RowKey: rk, Props: map[string][]byte{"Data": []byte(v)}}
	}
	_, err := s.Get(ctx, "History", "i1", "r1")
	require.ErrorIs(t, err, port.ErrNotFound)
	require.NoError(t, s.CreateTable(ctx, "History"))
	require.ErrorIs(t, s.CreateTable(ctx, "History"), port.ErrConflict)
	tag, err := s.Write(ctx, "History", port.TableWrite{Kind: port.Insert, Entity: ent("r1", "one")})
	require.NoError(t, err)
	_, err = s.Write(ctx, "History", port.TableWrite{Kind: port.Insert, Entity: ent("r1", "one")})
	require.ErrorIs(t, err, port.ErrConflict)
	_, err = s.Write(ctx, "History", port.TableWrite{Kind: port.Replace, Entity: ent("r1", "x"), IfMatch: "W/\"datetime'2000-01-01T00%3A00%3A00Z'\""})
	require.ErrorIs(t, err, port.ErrETagMismatch)
	e, err := s.Get(ctx, "History", "i1", "r1")
	require.NoError(t, err)
	require.Equal(t, tag, e.ETag)
	require.Equal(t, "one", string(e.Props["Data"]))
	require.NotZero(t, e.Timestamp)

	tags, err := s.Batch(ctx, "History", []port.TableWrite{
		{Kind: port.Insert, Entity: ent("r2", "two")},
		{Kind: port.Replace, Entity: ent("r1", "uno"), IfMatch: tag},
		{Kind: port.InsertOrMerge, Entity: ent("r3", "three")},
	})
	require.NoError(t, err)
	require.Len(t, tags, 3)
	e, err = s.Get(ctx, "History", "i1", "r1")
	require.NoError(t, err)
	require.Equal(t, tags[1], e.ETag)
	require.Equal(t, "uno", string(e.Props["Data"]))

	_, err = s.Batch(ctx, "History", []port.TableWrite{
		{Kind: port.Insert, Entity: ent("r4", "four")},
		{Kind: port.Insert, Entity: ent("r2", "dup")},
	})
	var be *port.BatchError
	require.ErrorAs(t, err, &be)
	require.Equal(t, 1, be.Index)
	require.ErrorIs(t, err, port.ErrConflict)
	_, err = s.Get(ctx, "History", "i1", "r4")
	require.ErrorIs(t, err, port.ErrNotFound, "the failed batch changed nothing")

	page, err := s.Query(ctx, "History", port.TableQuery{PartitionKey: "i1", PageSize: 2})
	require.NoError(t, err)
	require.Len(t, page.Entities, 2)
	require.NotEmpty(t, page.Next)
	page, err = s.Query(ctx, "History", port.TableQuery{PartitionKey: "i1", PageSize: 2, Continuation: page.Next})
	require.NoError(t, err)
	require.Len(t, page.Entities, 1)
	require.Equal(t, "r3", page.Entities[0].RowKey)
	require.Empty(t, page.Next)
	page, err = s.Query(ctx, "History", port.TableQuery{PartitionKey: "i1", RowKeyFrom: "r2", PageSize: 10})
	require.NoError(t, err)
	require.Len(t, page.Entities, 2)
}

func TestDropRemovesNamespace(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	require.NoError(t, s.CreateQueue(ctx, "qq1"))
	require.NoError(t, s.CreateTable(ctx, "Tab1"))
	require.NoError(t, s.Drop(ctx))
	_, err := s.Length(ctx, "qq1")
	require.ErrorIs(t, err, port.ErrNotFound)
	_, err = s.Get(ctx, "Tab1", "a", "b")
	require.True(t, errors.Is(err, port.ErrNotFound), "%v", err)
}
