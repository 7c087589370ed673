package disk_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/engine/port"
)

// Two stores on one directory stand for two processes: each keeps the
// page blob's files open after a write, and a blob replaced or deleted by
// the other is seen, never written through a stale file.
func TestKeptOpenFilesFollowReplacesByOthers(t *testing.T) {
	clk := conformance.NewClock(conformance.Start)
	dir := t.TempDir()
	a, err := disk.Open(dir, clk.Now, disk.Options{})
	require.NoError(t, err)
	defer a.Close()
	b, err := disk.Open(dir, clk.Now, disk.Options{})
	require.NoError(t, err)
	defer b.Close()
	page := func(c byte) []byte { return bytes.Repeat([]byte{c}, 512) }

	_, err = a.CreatePageBlob(ctx, "log", 4096, port.Cond{})
	require.NoError(t, err)
	_, err = a.WritePages(ctx, "log", 0, page('a'), port.Cond{})
	require.NoError(t, err)
	// b replaces the blob: a's kept-open file is the old one now.
	_, err = b.CreatePageBlob(ctx, "log", 4096, port.Cond{})
	require.NoError(t, err)
	etag, err := a.WritePages(ctx, "log", 512, page('b'), port.Cond{})
	require.NoError(t, err)
	got, err := b.ReadPages(ctx, "log", 0, 1024)
	require.NoError(t, err)
	require.Equal(t, append(make([]byte, 512), page('b')...), got, "a's write went to the new blob")
	props, err := b.GetBlob(ctx, "log", port.Range{Off: 0, Len: 1})
	require.NoError(t, err)
	require.Equal(t, etag, props.Props.ETag)

	// b deletes it: a's next write finds no blob.
	require.NoError(t, b.DeleteBlob(ctx, "log", port.Cond{}))
	_, err = a.WritePages(ctx, "log", 0, page('c'), port.Cond{})
	require.ErrorIs(t, err, port.ErrNotFound)

	// A lease b takes fences a's writes through its kept-open files.
	_, err = a.CreatePageBlob(ctx, "log", 4096, port.Cond{})
	require.NoError(t, err)
	_, err = a.WritePages(ctx, "log", 0, page('d'), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, b.AcquireLease(ctx, "log", "b", 60*port.Second))
	_, err = a.WritePages(ctx, "log", 0, page('e'), port.Cond{})
	require.ErrorIs(t, err, port.ErrLeaseHeld)
	_, err = a.WritePages(ctx, "log", 0, page('e'), port.Cond{LeaseID: "b"})
	require.NoError(t, err, "the lease holder's id passes the fence")
	// a keeps the lease record it last read; b's release changes it again.
	require.NoError(t, b.ReleaseLease(ctx, "log", "b"))
	_, err = a.WritePages(ctx, "log", 0, page('e'), port.Cond{LeaseID: "b"})
	require.ErrorIs(t, err, port.ErrLeaseLost, "a sees the release")
	_, err = a.WritePages(ctx, "log", 0, page('e'), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, b.AcquireLease(ctx, "log", "b", 60*port.Second))
	require.NoError(t, a.Close())
	_, err = b.WritePages(ctx, "log", 512, page('f'), port.Cond{LeaseID: "b"})
	require.NoError(t, err)
}
