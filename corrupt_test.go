package dflab_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab"
	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/netherite"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/systems"
)

// The corruption table: Netherite on disk (2 partitions, a checkpoint
// every 40 updates) runs 30 Work instances over two lives of the engine
// (once; each row gets a copy of the directory), then one file of partition 0 (or a stream segment) is damaged — flipped,
// zeroed, truncated or deleted at its start, middle or end — and the
// engine is started again. Each row asserts either the refusal (at Start,
// or as the error of every call for an instance on partition 0, and in
// Engine.Health: the file or object, the offset and what was expected) or
// the exact recovery (every instance's output as the client read it
// before).
func TestCorruptionTable(t *testing.T) {
	if testing.Short() {
		t.Skip("starts engines on disk")
	}
	// One fixture per checkpoint setting, copied for each row.
	fixtures := map[bool]fixture{}
	for _, c := range corruptionRows {
		if _, ok := fixtures[c.noCkpt]; !ok {
			dir := t.TempDir()
			fixtures[c.noCkpt] = fixture{dir: dir, outputs: corruptionFixture(t, dir, c)}
		}
	}
	for _, c := range corruptionRows {
		t.Run(c.name, func(t *testing.T) {
			f := fixtures[c.noCkpt]
			dir := t.TempDir()
			copyTree(t, f.dir, dir)
			runCorruptionRow(t, c, dir, f.outputs)
		})
	}
}

type fixture struct {
	dir     string
	outputs map[string]string
}

// copyTree copies the regular files under from to to.
func copyTree(t *testing.T, from, to string) {
	require.NoError(t, filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(to, strings.TrimPrefix(path, from))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, src); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}))
}

type corruptionRow struct {
	name   string
	file   func(dir string) string
	damage func(t *testing.T, path string) // nil: delete the file
	// refused: at Start (atStart) or for partition 0's instances, with an
	// error containing each of want (after "%s" in want is the file and
	// "%n" its size once damaged);
	// exact recovery if want is empty.
	atStart bool
	want    []string
	noCkpt  bool // no checkpoints: recovery reads the log from its start
}

var corruptionRows = []corruptionRow{
	{name: "log flip start", file: logFile, damage: onFlush(0, 9), noCkpt: true, want: []string{"log dflab/p00/log at offset 0", "a valid flush-header of epoch 1 at offset 512"}},
	// Before the checkpoint's log position: recovery does not need it.
	{name: "log flip start, checkpointed", file: logFile, damage: onFlush(0, 9)},
	{name: "log flip middle", file: logFile, damage: onFlush(-2, 9), want: []string{"log dflab/p00/log at offset", "a damaged flush (record checksum mismatch)", "acknowledged updates would be lost"}},
	{name: "log zero middle", file: logFile, damage: zeroFlush(-2), want: []string{"log dflab/p00/log at offset", "found the log ends, and a valid flush-header"}},
	// The last flush: the last write; nothing follows it: a torn tail,
	// cut. What it made durable (the last instance's completion) is redone.
	{name: "log flip end", file: logFile, damage: onFlush(-1, 9)},
	{name: "log zero end", file: logFile, damage: zeroFlush(-1)},
	// The page blob keeps its size; a cut at a flush boundary is the log
	// zeroed from there on. Not a hole: the input stream still holds what
	// the lost flushes consumed (activity results included), so recovery
	// redoes them to the same outputs; the activity's life-dependent
	// answer (corruptionRegistry) shows none was run again.
	{name: "log cut middle (at a flush boundary)", file: logFile, damage: zeroFromFlush(-4)},
	{name: "log cut middle (at a flush boundary), no checkpoint", file: logFile, damage: zeroFromFlush(-4), noCkpt: true},
	{name: "log cut end (at the last flush boundary)", file: logFile, damage: zeroFromFlush(-1)},
	{name: "log cut end (at the last flush boundary), no checkpoint", file: logFile, damage: zeroFromFlush(-1), noCkpt: true},
	{name: "log truncate", file: logFile, damage: truncateTo(4096 + 1<<20), want: []string{"%s at offset 1052672", "the end of a page blob of 67108864 data bytes"}},
	{name: "log delete", file: logFile, want: []string{"log dflab/p00/log at offset 0", "it was missing and has been created empty"}},
	// Every log gets a checkpoint when it is created, so this holds
	// before the first regular checkpoint too.
	{name: "log delete, no checkpoint taken", file: logFile, noCkpt: true, want: []string{"log dflab/p00/log at offset 0", "it was missing and has been created empty"}},
	{name: "log header flip", file: logFile, damage: flipAt(20), want: []string{"%s at offset 36", "the header's CRC-32C"}},
	{name: "checkpoint flip data", file: ckptFile, damage: flipAt(4096 + 20), want: []string{"checkpoint dflab/p00/checkpoint at offset 0", "does not match its CRC-32"}},
	{name: "checkpoint zero data", file: ckptFile, damage: zeroFrom(4096), want: []string{"checkpoint dflab/p00/checkpoint at offset 0", "does not match its CRC-32 00000000"}},
	{name: "checkpoint truncate", file: ckptFile, damage: truncateBy(10), want: []string{"%s at offset", "the end of a block blob of"}},
	{name: "checkpoint header zero", file: ckptFile, damage: zeroRange(0, 4096), want: []string{"%s at offset 0", "a blob header (magic DFLB)"}},
	// The log still holds everything from its start (it has not wrapped).
	{name: "checkpoint delete", file: ckptFile},
	{name: "lease garbage", file: leaseFile, damage: writeBytes("garbage"), want: []string{"%s at offset 1", "a lease record"}},
	{name: "lease zero", file: leaseFile, damage: writeBytes(string(make([]byte, 512))), want: []string{"%s at offset 1", "a lease record"}},
	{name: "lease truncate", file: leaseFile, damage: truncateTo(0)},
	{name: "lease delete", file: leaseFile},
	{name: "segment flip start", file: segFile, damage: flipAt(3), atStart: true, want: []string{"%s at offset 0", "segment magic"}},
	{name: "segment flip middle", file: segFile, damage: flipMiddle, atStart: true, want: []string{"%s at offset", "'s CRC-32C", "acknowledged records would be lost"}},
	{name: "segment zero middle", file: segFile, damage: zeroMiddle, atStart: true, want: []string{"%s at offset", "a frame header (magic DFSF and its CRC-32C)", "acknowledged records would be lost"}},
	// The engine stopped cleanly: the segment's committed length covers
	// every frame, so damage in the last one, or a cut at a frame boundary,
	// is refused at Start by the disk store, as it is anywhere else.
	{name: "segment flip end", file: segFile, damage: flipEnd, atStart: true, want: []string{"%s at offset", "'s CRC-32C", "acknowledged records would be lost"}},
	{name: "segment truncate middle (at a frame boundary)", file: segFile, damage: truncateHalf, atStart: true, want: []string{"%s at offset %n: a frame: the committed length is", "the file ends at offset %n (the segment's", "acknowledged records would be lost"}},
	{name: "segment truncate end (at a frame boundary)", file: segFile, damage: truncateLast, atStart: true, want: []string{"%s at offset %n: a frame: the committed length is", "the file ends at offset %n (the segment's", "acknowledged records would be lost"}},
	// As a crash during the last append's sync leaves it (its slot on
	// disk, its frame not; no close slot): the disk store cuts that frame
	// as a torn tail, and the partition, whose state consumed the records
	// in it, refuses the shorter stream: "acknowledged records are
	// missing", or "were lost or replaced" when another partition's or the
	// client's append at the start of the new life took the cut record's
	// place before the partition's first read (real goroutines: either).
	{name: "segment crashed, last frame cut", file: segFile, damage: crashCutLast, want: []string{"input stream partition 0 at offset", "acknowledged records "}},
	{name: "segment delete", file: segFile, atStart: true, want: []string{"%s at offset 0", "records are missing"}},
}

func blobPath(dir, name, ext string) string {
	h := sha256.Sum256([]byte(name))
	return filepath.Join(dir, "storage", "blobs", hex.EncodeToString(h[:20])+ext)
}
func logFile(dir string) string   { return blobPath(dir, "dflab/p00/log", ".blob") }
func ckptFile(dir string) string  { return blobPath(dir, "dflab/p00/checkpoint", ".blob") }
func leaseFile(dir string) string { return blobPath(dir, "dflab/p00/log", ".lease") }
func segFile(dir string) string   { return filepath.Join(dir, "storage", "stream", "p000.seg") }

func corruptionOptions(dir string, c corruptionRow, logf func(string, ...any)) dflab.Options {
	o := dflab.Options{Engine: "netherite", Storage: "disk", Dir: dir, Partitions: 2, Knobs: systems.Values{"checkpoint.events": "40"}, Logf: logf}
	if c.noCkpt {
		o.Knobs["checkpoint.events"] = "-1"
	}
	return o
}

// corruptionFixture runs w0..w29 to completion over two lives and returns
// their outputs.
func corruptionFixture(t *testing.T, dir string, c corruptionRow) map[string]string {
	out := map[string]string{}
	for life, ids := range [][2]int{{0, 20}, {20, 30}} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		e, err := dflab.Start(ctx, corruptionRegistry(t, life), corruptionOptions(dir, c, nil))
		require.NoError(t, err)
		for n := ids[0]; n < ids[1]; n++ {
			_, err := e.Client().Start(ctx, "Work", n, durable.StartWithID(fmt.Sprintf("w%d", n)))
			require.NoError(t, err)
		}
		for n := ids[0]; n < ids[1]; n++ {
			st, err := e.Client().Wait(ctx, fmt.Sprintf("w%d", n))
			require.NoError(t, err, "life %d", life)
			require.Equal(t, durable.StatusCompleted, st.Status, st.Failure)
			out[st.InstanceID] = string(st.Output)
		}
		require.NoError(t, e.Stop())
		cancel()
	}
	return out
}

func runCorruptionRow(t *testing.T, c corruptionRow, dir string, before map[string]string) {
	path := c.file(dir)
	if c.damage == nil {
		require.NoError(t, os.Remove(path))
	} else {
		c.damage(t, path)
	}
	size := int64(-1)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	want := make([]string, len(c.want))
	for i, w := range c.want {
		want[i] = strings.ReplaceAll(strings.ReplaceAll(w, "%s", path), "%n", fmt.Sprint(size))
	}
	var mu sync.Mutex
	var logged []string
	logf := func(f string, a ...any) {
		mu.Lock()
		logged = append(logged, fmt.Sprintf(f, a...))
		mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := dflab.Start(ctx, corruptionRegistry(t, 2), corruptionOptions(dir, c, logf))
	if c.atStart {
		require.ErrorIs(t, err, port.ErrCorrupt)
		for _, w := range want {
			require.ErrorContains(t, err, w)
		}
		return
	}
	require.NoError(t, err)
	defer func() { require.NoError(t, e.Stop()) }()
	for id, output := range before {
		st, err := e.Client().Wait(ctx, id)
		if len(want) > 0 && durable.Partition(id, 2) == 0 {
			mu.Lock()
			require.ErrorIs(t, err, netherite.ErrPartitionFailed, "%s (log: %s)", id, strings.Join(logged, "\n"))
			mu.Unlock()
			for _, w := range want {
				require.ErrorContains(t, err, w, "%s", id)
			}
			continue
		}
		mu.Lock()
		require.NoError(t, err, "%s (log: %s)", id, strings.Join(logged, "\n"))
		mu.Unlock()
		require.Equal(t, durable.StatusCompleted, st.Status, "%s: %s", id, st.Failure)
		require.Equal(t, output, string(st.Output), "%s: the output the client read before", id)
	}
	if len(want) > 0 {
		// Status and Start for instances on the failed partition fail the same way.
		var onP0 string
		for n := 100; onP0 == ""; n++ {
			if id := fmt.Sprintf("w%d", n); durable.Partition(id, 2) == 0 {
				onP0 = id
			}
		}
		_, err := e.Client().Start(ctx, "Work", 1, durable.StartWithID(onP0))
		require.ErrorIs(t, err, netherite.ErrPartitionFailed)
		_, err = e.Client().Status(ctx, onP0)
		require.ErrorIs(t, err, netherite.ErrPartitionFailed)
		require.ErrorContains(t, err, "partition 0: ")
		require.ErrorContains(t, err, want[0])
	}
	if c.name == "segment crashed, last frame cut" {
		mu.Lock()
		require.Contains(t, strings.Join(logged, "\n"), "cut torn tail at offset", "the disk store says what it cut")
		mu.Unlock()
	}
	health := e.Health()
	require.Len(t, health, 2)
	if len(want) > 0 {
		require.Equal(t, port.HealthFailed, health[0].State, "%v", health)
		for _, w := range want {
			require.Contains(t, health[0].Reason, w)
		}
		mu.Lock()
		defer mu.Unlock()
		require.Contains(t, strings.Join(logged, "\n"), "dflab: p00: failed: ", "a warning through Logf")
	} else {
		require.Equal(t, port.HealthOK, health[0].State, "%v", health)
	}
	require.Equal(t, port.HealthOK, health[1].State, "%v", health)
}

// corruptionRegistry is crashRegistry's Work, but its activity answers
// differently in each life of the engine, as most real ones would (a
// time, an id, a remote service's answer): recovery that ran an
// activity again instead of keeping the result it acknowledged would
// change an output the client has read.
func corruptionRegistry(t *testing.T, life int) *durable.Registry {
	reg := durable.NewRegistry()
	require.NoError(t, reg.AddActivity("Square", func(ctx durable.ActivityContext) (any, error) {
		var n int
		err := ctx.GetInput(&n)
		return fmt.Sprintf("%d (life %d)", n*n, life), err
	}))
	require.NoError(t, reg.AddOrchestrator("Work", func(ctx *durable.OrchestrationContext) (any, error) {
		var n int
		var sq string
		if err := ctx.GetInput(&n); err != nil {
			return nil, err
		}
		return sq, ctx.CallActivity("Square", n).Await(&sq)
	}))
	return reg
}

// Damage helpers.

func flipAt(off int64) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		edit(t, path, func(b []byte) []byte { b[off] ^= 0x40; return b })
	}
}

func zeroRange(off, n int64) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		edit(t, path, func(b []byte) []byte { clear(b[off : off+n]); return b })
	}
}

func zeroFrom(off int64) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		edit(t, path, func(b []byte) []byte { clear(b[off:]); return b })
	}
}

func truncateTo(n int64) func(*testing.T, string) {
	return func(t *testing.T, path string) { require.NoError(t, os.Truncate(path, n)) }
}

func truncateBy(n int64) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.NoError(t, os.Truncate(path, fi.Size()-n))
	}
}

func writeBytes(s string) func(*testing.T, string) {
	return func(t *testing.T, path string) { require.NoError(t, os.WriteFile(path, []byte(s), 0o600)) }
}

func edit(t *testing.T, path string, f func([]byte) []byte) {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, f(b), 0o600))
}

// logFlushes lists the data offsets of the flushes in a commit log blob
// file (after its 4 KiB header): each is records (u32 length, u32 CRC-32,
// payload) padded with zeros to a 512-byte page.
func logFlushes(t *testing.T, b []byte) []int64 {
	data := b[4096:]
	var out []int64
	for q := 0; q+8 <= len(data); {
		if binary.LittleEndian.Uint32(data[q:]) == 0 {
			break
		}
		out = append(out, int64(q))
		i := q
		for i+8 <= len(data) {
			n := int(binary.LittleEndian.Uint32(data[i:]))
			if n == 0 || crc32.ChecksumIEEE(data[i+8:i+8+n]) != binary.LittleEndian.Uint32(data[i+4:]) {
				break
			}
			i += 8 + n
		}
		q = (i + 511) / 512 * 512
	}
	require.Greater(t, len(out), 4, "the fixture's log has flushes")
	return out
}

// onFlush flips byte k of flush i (negative: from the end) of the log.
func onFlush(i int, k int64) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		edit(t, path, func(b []byte) []byte {
			fs := logFlushes(t, b)
			if i < 0 {
				i += len(fs)
			}
			at := 4096 + fs[i] + k
			if i == len(fs)-1 {
				// the last record of the last flush
				at = 4096 + lastRecord(b[4096:], fs[i]) + 9
			}
			b[at] ^= 0x40
			return b
		})
	}
}

func lastRecord(data []byte, q int64) int64 {
	last := q
	for i := q; ; {
		n := int64(binary.LittleEndian.Uint32(data[i:]))
		if n == 0 {
			return last
		}
		last, i = i, i+8+n
	}
}

// zeroFromFlush zeroes the log from flush i (negative: from the end) on.
func zeroFromFlush(i int) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		edit(t, path, func(b []byte) []byte {
			fs := logFlushes(t, b)
			if i < 0 {
				i += len(fs)
			}
			clear(b[4096+fs[i]:])
			return b
		})
	}
}

// zeroFlush zeroes flush i's first page.
func zeroFlush(i int) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		edit(t, path, func(b []byte) []byte {
			fs := logFlushes(t, b)
			if i < 0 {
				i += len(fs)
			}
			clear(b[4096+fs[i] : 4096+fs[i]+512])
			return b
		})
	}
}

// Segment damage: frames as backends/disk writes them (an 8 KiB header,
// then per append a 24-byte header and the records).
func segFrames(t *testing.T, b []byte) []int {
	var out []int
	for at := 8192; at+24 <= len(b); {
		out = append(out, at)
		at += 24 + int(binary.LittleEndian.Uint32(b[at+8:]))
	}
	require.Greater(t, len(out), 4, "the fixture's segment has frames")
	return out
}

func flipMiddle(t *testing.T, path string) {
	edit(t, path, func(b []byte) []byte { fs := segFrames(t, b); b[fs[len(fs)/2]+24+8+2] ^= 0x40; return b })
}

func zeroMiddle(t *testing.T, path string) {
	edit(t, path, func(b []byte) []byte { fs := segFrames(t, b); clear(b[fs[len(fs)/2] : fs[len(fs)/2]+24]); return b })
}

func flipEnd(t *testing.T, path string) {
	edit(t, path, func(b []byte) []byte { fs := segFrames(t, b); b[fs[len(fs)-1]+24+8+2] ^= 0x40; return b })
}

func truncateHalf(t *testing.T, path string) {
	edit(t, path, func(b []byte) []byte { fs := segFrames(t, b); return b[:fs[len(fs)/2]] })
}

// crashCutLast rewrites the segment's close slot (the slot of the higher
// seq, at offset 8 or 4096: "DFSL", u64 seq, end offset, record count, a
// CRC-32C) as the slot before the last append (seq one below the other
// slot's, ending where the last frame starts), and cuts the last frame.
func crashCutLast(t *testing.T, path string) {
	edit(t, path, func(b []byte) []byte {
		seq := func(at int) uint64 { return binary.LittleEndian.Uint64(b[at+4:]) }
		close, last := 8, 4096
		if seq(4096) > seq(8) {
			close, last = 4096, 8
		}
		fs := segFrames(t, b)
		end := fs[len(fs)-1]
		slot := binary.LittleEndian.AppendUint64([]byte("DFSL"), seq(last)-1)
		slot = binary.LittleEndian.AppendUint64(slot, uint64(end))
		slot = binary.LittleEndian.AppendUint64(slot, binary.LittleEndian.Uint64(b[end+12:]))
		slot = binary.LittleEndian.AppendUint32(slot, crc32.Checksum(slot, crc32.MakeTable(crc32.Castagnoli)))
		copy(b[close:], slot)
		return b[:end]
	})
}

func truncateLast(t *testing.T, path string) {
	edit(t, path, func(b []byte) []byte { fs := segFrames(t, b); return b[:fs[len(fs)-1]] })
}
