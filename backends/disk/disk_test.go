package disk_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/conformance"
	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/engine/port"
)

var ctx = context.Background()

func backend(o disk.Options) conformance.Backend {
	return conformance.Backend{
		VirtualTime: true,
		Open: func(t *testing.T, clock func() port.Time) conformance.Instance {
			dir := t.TempDir()
			s, err := disk.Open(dir, clock, o)
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			cur := s
			return conformance.Instance{Stores: s.Stores(), Reopen: func(t *testing.T) *port.Stores {
				require.NoError(t, cur.Close())
				next, err := disk.Open(dir, clock, o)
				require.NoError(t, err)
				t.Cleanup(func() { next.Close() })
				cur = next
				return next.Stores()
			}}
		},
	}
}

func TestBlob(t *testing.T) {
	t.Run("sync-per-write", func(t *testing.T) { conformance.TestBlob(t, backend(disk.Options{})) })
	t.Run("sync-on-flush", func(t *testing.T) {
		conformance.TestBlob(t, backend(disk.Options{BlobSync: disk.SyncOnFlush}))
	})
}

func TestStream(t *testing.T) { conformance.TestStream(t, backend(disk.Options{Partitions: 3})) }

func TestOpenRejectsBadOptions(t *testing.T) {
	clk := conformance.NewClock(conformance.Start)
	dir := t.TempDir()
	_, err := disk.Open(dir, nil, disk.Options{})
	require.ErrorContains(t, err, "clock")
	_, err = disk.Open(dir, clk.Now, disk.Options{BlobSync: 7})
	require.ErrorIs(t, err, port.ErrBadRequest)
	s, err := disk.Open(dir, clk.Now, disk.Options{Partitions: 2})
	require.NoError(t, err)
	_, err = disk.Open(dir, clk.Now, disk.Options{Partitions: 2})
	require.ErrorContains(t, err, "another process", "one stream owner at a time")
	require.NoError(t, s.Close())
	_, err = disk.Open(dir, clk.Now, disk.Options{Partitions: 3})
	require.ErrorIs(t, err, port.ErrBadRequest, "partition count is fixed")
}

// A segment longer than the scan's 1 MiB read window opens again with
// every record, whichever records cross a window's edge (their header in
// one window, their data in the next).
func TestSegmentsPastTheScanWindowReopen(t *testing.T) {
	dir := t.TempDir()
	open := func() *disk.Store {
		s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 1})
		require.NoError(t, err)
		return s
	}
	s := open()
	var want [][]byte
	for i, n := range []int{512 << 10, 512 << 10, 512 << 10, 1000, 300 << 10, 7, 900 << 10} {
		for k := 0; k < 3; k++ {
			rec := bytes.Repeat([]byte{byte(i*3 + k + 1)}, n)
			_, err := s.Append(ctx, 0, [][]byte{rec})
			require.NoError(t, err)
			want = append(want, rec)
		}
	}
	require.NoError(t, s.Close())
	s = open()
	defer s.Close()
	for i := range want {
		r, err := s.Read(ctx, 0, int64(i), 1)
		require.NoError(t, err)
		require.Equal(t, want[i], r.Records[0], "record %d", i)
	}
}
