package conformance

import (
	"bytes"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/port"
)

var pageCases = []testCase{
	{"page/write-read", pageWriteRead},
	{"page/alignment-and-bounds", pageBadInput},
	{"append/blocks", appendBlocks},
}

func pageWriteRead(e *env) {
	t, p := e.t, e.s.Page
	_, err := p.CreatePageBlob(ctx, "log", 4096, port.Cond{})
	require.NoError(t, err)
	data := bytes.Repeat([]byte("0123456789abcdef"), 64) // 1024 bytes
	etag, err := p.WritePages(ctx, "log", 1024, data, port.Cond{})
	require.NoError(t, err)
	require.NotEmpty(t, etag)
	got, err := p.ReadPages(ctx, "log", 1024, 1024)
	require.NoError(t, err)
	require.Equal(t, data, got)
	got, err = p.ReadPages(ctx, "log", 0, 4096)
	require.NoError(t, err)
	require.Len(t, got, 4096)
	require.Equal(t, make([]byte, 1024), got[:1024], "unwritten pages read as zeros")
	require.Equal(t, make([]byte, 2048), got[2048:])
	got, err = p.ReadPages(ctx, "log", 1030, 6)
	require.NoError(t, err, "reads need no alignment")
	require.Equal(t, data[6:12], got)
	whole, err := e.s.Blob.GetBlob(ctx, "log", port.Range{})
	require.NoError(t, err)
	require.Equal(t, port.PageBlobType, whole.Props.Type)
	require.EqualValues(t, 4096, whole.Props.Size)
}

func pageBadInput(e *env) {
	t, p := e.t, e.s.Page
	_, err := p.CreatePageBlob(ctx, "odd", 1000, port.Cond{})
	require.ErrorIs(t, err, port.ErrBadRequest)
	_, err = p.CreatePageBlob(ctx, "pg", 2048, port.Cond{})
	require.NoError(t, err)
	page := make([]byte, 512)
	_, err = p.WritePages(ctx, "pg", 100, page, port.Cond{})
	require.ErrorIs(t, err, port.ErrBadRequest, "offset not aligned")
	require.ErrorContains(t, err, "512")
	_, err = p.WritePages(ctx, "pg", 0, make([]byte, 500), port.Cond{})
	require.ErrorIs(t, err, port.ErrBadRequest, "length not aligned")
	_, err = p.WritePages(ctx, "pg", 2048, page, port.Cond{})
	require.ErrorIs(t, err, port.ErrBadRequest, "beyond the blob's size")
	_, err = p.WritePages(ctx, "missing", 0, page, port.Cond{})
	require.ErrorIs(t, err, port.ErrNotFound)
	_, err = e.s.Blob.PutBlob(ctx, "blk", []byte("x"), port.Cond{})
	require.NoError(t, err)
	_, err = p.WritePages(ctx, "blk", 0, page, port.Cond{})
	require.ErrorIs(t, err, port.ErrConflict, "page write to a block blob")
}

func appendBlocks(e *env) {
	t, a := e.t, e.s.Append
	_, err := a.CreateAppendBlob(ctx, "ap", port.Cond{})
	require.NoError(t, err)
	r1, err := a.AppendBlock(ctx, "ap", []byte("abc"), port.Cond{})
	require.NoError(t, err)
	r2, err := a.AppendBlock(ctx, "ap", []byte("de"), port.Cond{IfMatch: r1.ETag})
	require.NoError(t, err)
	require.EqualValues(t, 0, r1.Offset)
	require.EqualValues(t, 3, r2.Offset)
	_, err = a.AppendBlock(ctx, "ap", []byte("f"), port.Cond{IfMatch: r1.ETag})
	require.ErrorIs(t, err, port.ErrETagMismatch)
	got, err := e.s.Blob.GetBlob(ctx, "ap", port.Range{})
	require.NoError(t, err)
	require.Equal(t, []byte("abcde"), got.Data)
	require.Equal(t, port.AppendBlobType, got.Props.Type)
	require.Equal(t, 2, got.Props.Blocks)
	tail, err := e.s.Blob.GetBlob(ctx, "ap", port.Range{Off: 3})
	require.NoError(t, err)
	require.Equal(t, []byte("de"), tail.Data)
	_, err = a.AppendBlock(ctx, "ap", make([]byte, port.MaxAppendBlockBytes+1), port.Cond{})
	require.ErrorIs(t, err, port.ErrTooLarge)
	_, err = a.AppendBlock(ctx, "missing", []byte("x"), port.Cond{})
	require.ErrorIs(t, err, port.ErrNotFound)
}
