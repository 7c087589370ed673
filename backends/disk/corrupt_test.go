package disk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/backends/disk"
	"github.com/dflab/dflab/engine/port"
)

// segHdr is the segment header's size: the magic and committed-length
// slot 0 (at offset 8) in the first 4 KiB page, slot 1 in the second.
const segHdr = 8192

// segmentFixture appends 20 batches of 3 records to partition 0 and
// returns the directory, the segment's path and each batch's file offset
// (a frame: a 24-byte header, then records of 8 bytes of header and 100 of
// data) and the file's size. closed: the store is closed (a clean close);
// else the directory is a copy taken while it was open, what a crash
// leaves once the last append's sync returned.
func segmentFixture(t *testing.T, closed bool) (dir, seg string, frames []int64, size int64) {
	dir = t.TempDir()
	s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 1})
	require.NoError(t, err)
	at := int64(segHdr)
	for b := 0; b < 20; b++ {
		frames = append(frames, at)
		_, err := s.Append(ctx, 0, [][]byte{record(3 * b), record(3*b + 1), record(3*b + 2)})
		require.NoError(t, err)
		at += 24 + 3*(8+100)
	}
	if !closed {
		crashed := t.TempDir()
		copyDir(t, dir, crashed)
		dir = crashed
		// The segment as a crash leaves it once the stream journal was
		// emptied (its records made durable in the segment, journal.go):
		// what is damaged below is what the segment alone must decide.
		require.NoError(t, os.Truncate(filepath.Join(dir, "stream", "JOURNAL"), 0))
	}
	require.NoError(t, s.Close())
	seg = filepath.Join(dir, "stream", "p000.seg")
	fi, err := os.Stat(seg)
	require.NoError(t, err)
	require.Equal(t, at, fi.Size(), "the fixture's layout")
	return dir, seg, frames, at
}

// copyDir copies the files under from (one level of subdirectories).
func copyDir(t *testing.T, from, to string) {
	require.NoError(t, filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(to, strings.TrimPrefix(path, from))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	}))
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

func both(f, g func([]byte) []byte) func([]byte) []byte {
	return func(b []byte) []byte { return g(f(b)) }
}

// Each row damages the segment of 60 acknowledged records and reopens it.
// After a clean close (the store's last act a slot with the same
// committed length as the last append's) any damage before the committed
// length is refused with an error naming the file, the offset and what
// was expected: a frame boundary too, the middle or the end. After a crash
// (crashed) the last append's frame is the one a crash during its sync
// can have left incomplete (or missing: its slot written, its frame not),
// so damage there is a torn tail: cut back to the slot before, logged,
// and the records before it read back as appended; damage before it is
// refused.
func TestSegmentCorruptionTable(t *testing.T) {
	_, _, frames, size := segmentFixture(t, true)
	mid, last := frames[10], frames[19]
	rec := func(f int64, k int64) int64 { return f + 24 + k*108 } // record k of the frame at f
	committed := " (the segment's committed length is " + itoa(size) + " bytes, 60 records: acknowledged records would be lost)"
	cases := []struct {
		name    string
		crashed bool
		damage  func(b []byte) []byte
		delete  bool
		// refused: the error names the offset and this expectation; else
		// the records kept and what the log says (cut: a torn tail).
		refusedAt int64
		want      string
		kept      int
		cut       string
	}{
		{name: "flip start (magic)", damage: flip(0), refusedAt: 0, want: "segment magic"},
		{name: "truncate start (inside the header)", damage: truncate(100), refusedAt: 100, want: "a segment header of 8192 bytes; the file ends at offset 100"},
		{name: "zero start (both slots)", damage: both(zero(8, 32), zero(4096, 32)), refusedAt: 8, want: "a committed-length slot (magic DFSL, its CRC-32C) here or at offset 4096; neither is valid"},
		// The close's slot lost: the last append's holds the same length.
		{name: "flip start (the close's slot)", damage: flip(4096 + 10), kept: 60},
		{name: "flip start (first frame header)", damage: flip(frames[0] + 2), refusedAt: frames[0], want: "a frame header (magic DFSF and its CRC-32C)" + committed},
		{name: "flip start (first record data)", damage: flip(rec(frames[0], 0) + 50), refusedAt: rec(frames[0], 0), want: "record 0's CRC-32C"},
		{name: "flip middle (record length)", damage: flip(rec(mid, 1)), refusedAt: rec(mid, 1), want: "record 31's CRC-32C"},
		{name: "flip middle (record data)", damage: flip(rec(mid, 2) + 9), refusedAt: rec(mid, 2), want: "record 32's CRC-32C"},
		{name: "flip middle (frame index)", damage: flip(mid + 12), refusedAt: mid, want: "a frame header"},
		{name: "zero middle frame", damage: zero(mid, 24+3*108), refusedAt: mid, want: "a frame header"},
		{name: "zero middle record", damage: zero(rec(mid, 1), 108), refusedAt: rec(mid, 1), want: "record 31's CRC-32C"},
		{name: "truncate middle (inside a record)", damage: truncate(rec(mid, 1) + 10), refusedAt: mid,
			want: "a frame of 3 records in 324 body bytes ending by offset " + itoa(rec(mid, 1)+10)},
		{name: "truncate middle (at a frame boundary)", damage: truncate(mid), refusedAt: mid,
			want: "a frame: the committed length is " + itoa(size) + " bytes, the file ends at offset " + itoa(mid) + committed},
		{name: "truncate end (at a frame boundary)", damage: truncate(last), refusedAt: last,
			want: "a frame: the committed length is " + itoa(size) + " bytes, the file ends at offset " + itoa(last) + committed},
		{name: "truncate end (inside the last record)", damage: truncate(size - 10), refusedAt: last, want: "a frame of 3 records"},
		{name: "flip end (last record data)", damage: flip(rec(last, 2) + 50), refusedAt: rec(last, 2), want: "record 59's CRC-32C"},
		{name: "zero end (last frame)", damage: zero(last, size-last), refusedAt: last, want: "a frame header"},
		// Bytes after the committed length: an append whose slot a crash
		// kept from the disk.
		{name: "append garbage at the end", damage: func(b []byte) []byte { return append(b, make([]byte, 1000)...) },
			kept: 60, cut: "cut 1000 bytes after the committed end at offset " + itoa(size)},
		{name: "delete", delete: true, refusedAt: 0, want: "records are missing"},

		{name: "crashed: flip middle (record data)", crashed: true, damage: flip(rec(mid, 2) + 9), refusedAt: rec(mid, 2), want: "record 32's CRC-32C"},
		{name: "crashed: truncate middle (at a frame boundary)", crashed: true, damage: truncate(mid), refusedAt: mid,
			want: "a frame: the committed length is " + itoa(size) + " bytes, the file ends at offset " + itoa(mid) + committed},
		{name: "crashed: truncate end (at a frame boundary)", crashed: true, damage: truncate(last), kept: 57,
			cut: "cut torn tail at offset " + itoa(last) + ": the last append (records 57..59, 348 bytes) is incomplete, a frame: the committed length is " + itoa(size) + " bytes, the file ends at offset " + itoa(last)},
		{name: "crashed: truncate end (inside the last record)", crashed: true, damage: truncate(size - 10), kept: 57, cut: "cut torn tail at offset " + itoa(last)},
		{name: "crashed: truncate end (inside the last frame header)", crashed: true, damage: truncate(last + 5), kept: 57, cut: "cut torn tail at offset " + itoa(last)},
		{name: "crashed: flip end (last record data)", crashed: true, damage: flip(rec(last, 2) + 50), kept: 57,
			cut: "record 59's CRC-32C"},
		{name: "crashed: zero end (last frame)", crashed: true, damage: zero(last, size-last), kept: 57, cut: "cut torn tail at offset " + itoa(last)},
		// The last append's frame written, its slot not.
		{name: "crashed: zero the last slot", crashed: true, damage: zero(8, 32), kept: 57,
			cut: "cut 348 bytes after the committed end at offset " + itoa(last)},
		{name: "crashed: zero both slots", crashed: true, damage: both(zero(8, 32), zero(4096, 32)), refusedAt: 8, want: "a committed-length slot"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, seg, _, _ := segmentFixture(t, !c.crashed)
			if c.delete {
				require.NoError(t, os.Remove(seg))
			} else {
				mutate(t, seg, c.damage)
			}
			var logged []string
			logf := func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }
			s, err := disk.Open(dir, wallClock, disk.Options{Partitions: 1, Logf: logf})
			if c.want != "" {
				require.ErrorIs(t, err, port.ErrCorrupt)
				require.ErrorContains(t, err, seg+" at offset "+itoa(c.refusedAt)+": ")
				require.ErrorContains(t, err, c.want)
				return
			}
			require.NoError(t, err)
			r, err := s.Read(ctx, 0, 0, 100)
			require.NoError(t, err)
			require.Len(t, r.Records, c.kept)
			for i, got := range r.Records {
				require.Equal(t, record(i), got, "record %d", i)
			}
			if c.cut == "" {
				require.Empty(t, logged)
			} else {
				require.Len(t, logged, 1)
				require.Contains(t, logged[0], seg+": ")
				require.Contains(t, logged[0], c.cut)
			}
			pos, err := s.Append(ctx, 0, [][]byte{record(99)})
			require.NoError(t, err)
			require.Equal(t, int64(c.kept), pos, "appends go on after the kept records")
			require.NoError(t, s.Close())
			// Reopened, the segment is whole and nothing is cut again.
			logged = nil
			s, err = disk.Open(dir, wallClock, disk.Options{Partitions: 1, Logf: logf})
			require.NoError(t, err)
			defer s.Close()
			r, err = s.Read(ctx, 0, 0, 100)
			require.NoError(t, err)
			require.Len(t, r.Records, c.kept+1)
			require.Empty(t, logged)
		})
	}
}

// A record damaged after Open is refused when it is read.
func TestSegmentReadChecksRecords(t *testing.T) {
	dir, seg, frames, _ := segmentFixture(t, true)
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
