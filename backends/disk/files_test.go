//go:build unix

package disk_test

import (
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/engine/port"
)

// Every file the store writes has one mode, 0600, and a page blob (a
// Netherite partition's 64 MiB commit log) takes disk space only for the
// pages written.
func TestFilesArePrivateAndPageBlobsSparse(t *testing.T) {
	clk := conformance.NewClock(conformance.Start)
	dir := t.TempDir()
	s, err := disk.Open(dir, clk.Now, disk.Options{Partitions: 2})
	require.NoError(t, err)
	st := s.Stores()
	const logBytes = 64 << 20
	_, err = st.Page.CreatePageBlob(ctx, "hub/p00/log", logBytes, port.Cond{})
	require.NoError(t, err)
	_, err = st.Page.WritePages(ctx, "hub/p00/log", 0, make([]byte, 4096), port.Cond{})
	require.NoError(t, err)
	_, err = st.Blob.PutBlob(ctx, "hub/p00/checkpoint", []byte("state"), port.Cond{})
	require.NoError(t, err)
	require.NoError(t, st.Leases.AcquireLease(ctx, "hub/p00/log", "owner", port.LeaseMin))
	_, err = st.Stream.Append(ctx, 1, [][]byte{[]byte("record")})
	require.NoError(t, err)
	require.NoError(t, st.Cursors.CommitPosition(ctx, "client", 1, 1))
	require.NoError(t, s.Close())

	files, biggest := 0, int64(0)
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		require.Equal(t, fs.FileMode(0o600), info.Mode().Perm(), path)
		if info.Size() > biggest {
			biggest = info.Size()
			allocated := info.Sys().(*syscall.Stat_t).Blocks * 512
			require.Less(t, allocated, int64(1<<20), "%s: %d bytes allocated for a %d-byte page blob", path, allocated, info.Size())
		}
		return nil
	}))
	require.GreaterOrEqual(t, biggest, int64(logBytes), "the page blob keeps its size")
	require.GreaterOrEqual(t, files, 5, "blobs, lease, segments, cursor, lock")
}

// A large read of a sparse page blob skips its holes and still returns
// every written page where it was written, zeros elsewhere: pages written
// and synced, written and not yet synced, at a read's edges and past them.
func TestSparsePageReadsSkipHolesExactly(t *testing.T) {
	clk := conformance.NewClock(conformance.Start)
	s, err := disk.Open(t.TempDir(), clk.Now, disk.Options{BlobSync: disk.SyncOnFlush})
	require.NoError(t, err)
	defer s.Close()
	const size = 8 << 20
	_, err = s.CreatePageBlob(ctx, "log", size, port.Cond{})
	require.NoError(t, err)
	want := make([]byte, size)
	write := func(off int64, n int, c byte) {
		data := make([]byte, n)
		for i := range data {
			data[i] = c + byte(i/512)
		}
		_, err := s.WritePages(ctx, "log", off, data, port.Cond{})
		require.NoError(t, err)
		copy(want[off:], data)
	}
	write(0, 4096, 1)
	write(1<<20, 512, 2)
	write(3<<20-512, 8192, 3) // across a 1 MiB boundary
	require.NoError(t, s.SyncBlob(ctx, "log"))
	write(5<<20, 64<<10, 4) // in the page cache only
	write(size-512, 512, 5)
	for _, r := range [][2]int64{{0, size}, {512, 1 << 20}, {1 << 20, 4 << 20}, {2 << 20, 1 << 20}, {4 << 20, 4 << 20}, {6 << 20, 1 << 20}} {
		got, err := s.ReadPages(ctx, "log", r[0], r[1])
		require.NoError(t, err)
		require.Equal(t, want[r[0]:r[0]+r[1]], got, "read %d+%d", r[0], r[1])
	}
}
