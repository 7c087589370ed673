package conformance

import (
	"bytes"
	"fmt"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

var blockCases = []testCase{
	{"block/put-get-list", blockPutGetList},
	{"block/etag-conditions", blockETag},
	{"block/ops-dispatch", blockOps},
	{"blob/reopen", blobReopen},
}

func blockPutGetList(e *env) {
	t, b := e.t, e.s.Blob
	for _, n := range []string{"b/2", "a", "b/1", "b/3"} {
		_, err := b.PutBlob(ctx, n, []byte("data-"+n), port.Cond{})
		require.NoError(t, err)
	}
	got, err := b.GetBlob(ctx, "b/1", port.Range{})
	require.NoError(t, err)
	require.Equal(t, []byte("data-b/1"), got.Data)
	require.Equal(t, port.BlockBlob, got.Props.Type)
	require.EqualValues(t, 8, got.Props.Size)
	require.NotEmpty(t, got.Props.ETag)
	part, err := b.GetBlob(ctx, "b/1", port.Range{Off: 5, Len: 2})
	require.NoError(t, err)
	require.Equal(t, []byte("b/"), part.Data)

	var names []string
	marker := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 4, "listing does not terminate")
		l, err := b.ListBlobs(ctx, "b/", marker, 2)
		require.NoError(t, err)
		for _, p := range l.Blobs {
			names = append(names, p.Name)
		}
		if marker = l.Next; marker == "" {
			break
		}
	}
	require.Equal(t, []string{"b/1", "b/2", "b/3"}, names)
	_, err = b.ListBlobs(ctx, "", "", 0)
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = b.GetBlob(ctx, "missing", port.Range{})
	require.ErrorIs(t, err, port.ErrNotFound)
	require.ErrorIs(t, b.DeleteBlob(ctx, "missing", port.Cond{}), port.ErrNotFound)
}

func blockETag(e *env) {
	t, b := e.t, e.s.Blob
	e1, err := b.PutBlob(ctx, "x", []byte("v1"), port.Cond{IfNoneMatch: "*"})
	require.NoError(t, err)
	_, err = b.PutBlob(ctx, "x", []byte("v1b"), port.Cond{IfNoneMatch: "*"})
	require.ErrorIs(t, err, port.ErrETagMismatch)
	e2, err := b.PutBlob(ctx, "x", []byte("v2"), port.Cond{IfMatch: e1})
	require.NoError(t, err)
	require.NotEqual(t, e1, e2)
	_, err = b.PutBlob(ctx, "x", []byte("v3"), port.Cond{IfMatch: e1})
	require.ErrorIs(t, err, port.ErrETagMismatch)
	require.ErrorIs(t, err, port.ErrConflict, "ErrETagMismatch is a conflict")
	got, err := b.GetBlob(ctx, "x", port.Range{})
	require.NoError(t, err)
	require.Equal(t, []byte("v2"), got.Data)
	require.Equal(t, e2, got.Props.ETag)
	require.ErrorIs(t, b.DeleteBlob(ctx, "x", port.Cond{IfMatch: e1}), port.ErrETagMismatch)
	require.NoError(t, b.DeleteBlob(ctx, "x", port.Cond{IfMatch: e2}))
	_, err = b.GetBlob(ctx, "x", port.Range{})
	require.ErrorIs(t, err, port.ErrNotFound)
	_, err = b.PutBlob(ctx, "y", []byte("v"), port.Cond{IfNoneMatch: "etag"})
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = b.PutBlob(ctx, "", []byte("v"), port.Cond{})
	require.ErrorIs(t, err, port.ErrBadRequest)
}

// blockOps drives the store through port.Op values, as the drivers do.
func blockOps(e *env) {
	t := e.t
	r, err := port.BlobPut{Name: "o", Data: []byte("hello")}.Apply(ctx, e.s)
	require.NoError(t, err)
	require.IsType(t, "", r)
	r, err = port.BlobGet{Name: "o"}.Apply(ctx, e.s)
	require.NoError(t, err)
	require.Equal(t, []byte("hello"), r.(port.BlobData).Data)
	r, err = port.BlobListOp{Prefix: "o", Max: 10}.Apply(ctx, e.s)
	require.NoError(t, err)
	require.Len(t, r.(port.BlobList).Blobs, 1)
	_, err = port.BlobSync{Name: "o"}.Apply(ctx, e.s)
	require.NoError(t, err)
	_, err = port.BlobDelete{Name: "o"}.Apply(ctx, e.s)
	require.NoError(t, err)
	_, err = port.StreamRead{Max: 1}.Apply(ctx, &port.Stores{})
	require.ErrorIs(t, err, port.ErrNoStore)
}

// blobReopen checks that blobs, their contents and leases survive a reopen.
func blobReopen(e *env) {
	t := e.t
	if e.inst.Reopen == nil {
		t.Skip("backend is not persistent (no Reopen)")
	}
	s := e.s
	_, err := s.Blob.PutBlob(ctx, "blk", []byte("block"), port.Cond{})
	require.NoError(t, err)
	_, err = s.Page.CreatePageBlob(ctx, "pg", 2048, port.Cond{})
	require.NoError(t, err)
	page := bytes.Repeat([]byte{7}, 512)
	_, err = s.Page.WritePages(ctx, "pg", 512, page, port.Cond{})
	require.NoError(t, err)
	_, err = s.Append.CreateAppendBlob(ctx, "ap", port.Cond{})
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		_, err = s.Append.AppendBlock(ctx, "ap", []byte(fmt.Sprint(i)), port.Cond{})
		require.NoError(t, err)
	}
	require.NoError(t, s.Leases.AcquireLease(ctx, "pg", "L1", port.LeaseInfinite))
	for _, n := range []string{"pg", "ap"} {
		_, err = port.BlobSync{Name: n}.Apply(ctx, s)
		require.NoError(t, err)
	}
	s = e.inst.Reopen(t)
	got, err := s.Blob.GetBlob(ctx, "blk", port.Range{})
	require.NoError(t, err)
	require.Equal(t, []byte("block"), got.Data)
	pg, err := s.Page.ReadPages(ctx, "pg", 0, 2048)
	require.NoError(t, err)
	require.Equal(t, page, pg[512:1024])
	require.Equal(t, make([]byte, 512), pg[:512])
	ap, err := s.Blob.GetBlob(ctx, "ap", port.Range{})
	require.NoError(t, err)
	require.Equal(t, []byte("01234"), ap.Data)
	_, err = s.Page.WritePages(ctx, "pg", 0, page, port.Cond{})
	require.ErrorIs(t, err, port.ErrLeaseHeld, "lease survives reopen")
	_, err = s.Page.WritePages(ctx, "pg", 0, page, port.Cond{LeaseID: "L1"})
	require.NoError(t, err)
}
