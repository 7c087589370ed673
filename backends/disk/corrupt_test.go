package disk_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/engine/port"
)

// segmentFixture appends 20 batches of 3 records to partition 0 and
// returns the directory, the segment's path and each batch's file offset
// (a frame: a 24-byte header, then records of 8 bytes of header and 100 of
// data) and the file's size.
func segmentFixture(t *testing.T) (dir, seg string, frames []int64, size int64) {
	dir = t.TempDir()
	s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 1})
	require.NoError(t, err)
	at := int64(8) // the segment magic
	for b := 0; b < 20; b++ {
		frames = append(frames, at)
		_, err := s.Append(ctx, 0, [][]byte{record(3 * b), record(3*b + 1), record(3*b + 2)})
		require.NoError(t, err)
		at += 24 + 3*(8+100)
	}
	require.NoError(t, s.Close())
	seg = filepath.Join(dir, "stream", "p000.seg")
	fi, err := os.Stat(seg)
	require.NoError(t, err)
	require.Equal(t, at, fi.Size(), "the fixture's layout")
	return dir, seg, frames, at
}

func mutate(t *testing.T, path string, f func(b []byte) []byte) {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, f(b), 0o644))
}

func flip(off int64) func([]byte) []byte {
	return func(b []byte) []byte { b[off] ^= 0x40; return b }
}

func zero(off, n int64) func([]byte) []byte {
	return func(b []byte) []byte { clear(b[off : off+n]); return b }
}

func truncate(n int64) func([]byte) []byte { return func(b []byte) []byte { return b[:n] } }

// Each row damages the segment of 60 acknowledged records and reopens it:
// damage with a valid frame after it (or in the segment's magic, or a
// missing file) is refused with an error naming the file, the offset and
// what was expected; damage in the last frame (the last append: nothing
// valid follows) is a torn tail, cut and logged, and the records before it
// are read back as appended.
func TestSegmentCorruptionTable(t *testing.T) {
	_, _, frames, size := segmentFixture(t)
	mid, last := frames[10], frames[19]
	rec := func(f int64, k int64) int64 { return f + 24 + k*108 } // record k of the frame at f
	cases := []struct {
		name   string
		damage func(b []byte) []byte
		delete bool
		// refused: the error names the offset and this expectation; else
		// the records kept (a torn tail cut) or all 60.
		refusedAt int64
		want      string
		kept      int
	}{
		{name: "flip start (magic)", damage: flip(0), refusedAt: 0, want: "segment magic"},
		{name: "flip start (first frame header)", damage: flip(frames[0] + 2), refusedAt: frames[0], want: "a frame header"},
		{name: "flip start (first record data)", damage: flip(rec(frames[0], 0) + 50), refusedAt: rec(frames[0], 0), want: "record 0's CRC-32C"},
		{name: "flip middle (record length)", damage: flip(rec(mid, 1)), refusedAt: rec(mid, 1), want: "record 31's CRC-32C"},
		{name: "flip middle (record data)", damage: flip(rec(mid, 2) + 9), refusedAt: rec(mid, 2), want: "record 32's CRC-32C"},
		{name: "flip middle (frame index)", damage: flip(mid + 12), refusedAt: mid, want: "a frame header"},
		{name: "zero middle frame", damage: zero(mid, 24+3*108), refusedAt: mid, want: "a frame header"},
		{name: "zero middle record", damage: zero(rec(mid, 1), 108), refusedAt: rec(mid, 1), want: "record 31's CRC-32C"},
		{name: "truncate middle of a frame, refused by size", damage: func(b []byte) []byte {
			// a torn tail is at most one append: more after the damage is corruption
			return append(b[:rec(mid, 1)], make([]byte, 10<<20)...)
		}, refusedAt: rec(mid, 1), want: "more than one append writes"},
		{name: "flip end (last record data)", damage: flip(rec(last, 2) + 50), kept: 57},
		{name: "zero end (last frame)", damage: zero(last, size-last), kept: 57},
		{name: "zero end (last record)", damage: zero(rec(last, 2), 108), kept: 57},
		{name: "truncate end (inside the last record)", damage: truncate(size - 10), kept: 57},
		{name: "truncate end (inside the last frame header)", damage: truncate(last + 5), kept: 57},
		{name: "truncate at a frame boundary", damage: truncate(last), kept: 57},
		{name: "delete", delete: true, refusedAt: 0, want: "records are missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, seg, _, _ := segmentFixture(t)
			if c.delete {
				require.NoError(t, os.Remove(seg))
			} else {
				mutate(t, seg, c.damage)
			}
			var logged []string
			s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 1, Logf: func(f string, a ...any) {
				logged = append(logged, f)
			}})
			if c.want != "" {
				require.ErrorIs(t, err, port.ErrCorrupt)
				require.ErrorContains(t, err, seg)
				require.ErrorContains(t, err, "at offset "+itoa(c.refusedAt)+":")
				require.ErrorContains(t, err, c.want)
				return
			}
			require.NoError(t, err)
			defer s.Close()
			r, err := s.Read(ctx, 0, 0, 100)
			require.NoError(t, err)
			require.Len(t, r.Records, c.kept)
			for i, got := range r.Records {
				require.Equal(t, record(i), got, "record %d", i)
			}
			if c.kept < 60 && !strings.Contains(c.name, "boundary") {
				require.Len(t, logged, 1)
				require.Contains(t, logged[0], "cut torn tail")
			}
			pos, err := s.Append(ctx, 0, [][]byte{record(99)})
			require.NoError(t, err)
			require.Equal(t, int64(c.kept), pos, "appends go on after the kept records")
		})
	}
}

// A record damaged after Open is refused when it is read.
func TestSegmentReadChecksRecords(t *testing.T) {
	dir, seg, frames, _ := segmentFixture(t)
	s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 1})
	require.NoError(t, err)
	defer s.Close()
	mutate(t, seg, flip(frames[5]+24+8+3))
	_, err = s.Read(ctx, 0, 0, 100)
	require.ErrorIs(t, err, port.ErrCorrupt)
	require.ErrorContains(t, err, seg+" at offset "+itoa(frames[5]+24)+": record 15 as appended")
	r, err := s.Read(ctx, 0, 0, 15)
	require.NoError(t, err, "the records before it are read")
	require.Len(t, r.Records, 15)
}

func itoa(n int64) string { return strconvItoa(n) }

func strconvItoa(n int64) string { return strconv.FormatInt(n, 10) }

// Blob files: a damaged header, a page blob file of the wrong length and a
// lease file that is not a lease record are refused, naming the file, the
// offset and what was expected there.
func TestBlobCorruptionTable(t *testing.T) {
	cases := []struct {
		name   string
		file   string // ".blob" or ".lease"
		damage func([]byte) []byte
		at     int64
		want   string
	}{
		{"flip header magic", ".blob", flip(1), 0, "a blob header (magic DFLB)"},
		{"flip header generation", ".blob", flip(17), 36, "the header's CRC-32C"},
		{"flip header name", ".blob", flip(50), 36, "the header's CRC-32C"},
		{"zero header", ".blob", zero(0, 4096), 0, "a blob header"},
		{"truncate page blob", ".blob", truncate(4096 + 512), 4096 + 512, "the end of a page blob of 4096 data bytes"},
		{"garbage lease", ".lease", func([]byte) []byte { return []byte("\x00garbage") }, 1, "a lease record"},
		{"truncated lease", ".lease", func(b []byte) []byte { return b[:10] }, 10, "a lease record"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := disk.Open(dir, wallClock, disk.Options{})
			require.NoError(t, err)
			_, err = s.CreatePageBlob(ctx, "log", 8*port.PageSize, port.Cond{})
			require.NoError(t, err)
			require.NoError(t, s.AcquireLease(ctx, "log", "me", 60*port.Second))
			files, err := filepath.Glob(filepath.Join(dir, "blobs", "*"+c.file))
			require.NoError(t, err)
			require.Len(t, files, 1)
			mutate(t, files[0], c.damage)
			_, err = s.WritePages(ctx, "log", 0, make([]byte, port.PageSize), port.Cond{LeaseID: "me"})
			require.ErrorIs(t, err, port.ErrCorrupt)
			require.ErrorContains(t, err, files[0]+" at offset "+itoa(c.at)+": "+c.want)
		})
	}
}
