package disk

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/dflab/dflab/engine/port"
)

const recHdr = 8 // u32 length, u32 CRC-32C

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stream is a directory of per-partition segment files.
type stream struct {
	dir   string
	lock  *os.File
	parts []*segment
}

// segment is one partition's append-only file and its record index.
type segment struct {
	mu   sync.RWMutex
	f    *os.File
	offs []int64 // offs[i]: file offset of record i
	end  int64   // file offset after the last record
}

func openStream(dir string, n int) (*stream, error) {
	if err := os.MkdirAll(filepath.Join(dir, "cursors"), 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := tryLockFile(lock); err != nil {
		lock.Close()
		return nil, fmt.Errorf("stream %s is open in another process: %w", dir, err)
	}
	st := &stream{dir: dir, lock: lock}
	if err := st.checkPartitions(n); err != nil {
		st.close()
		return nil, err
	}
	for p := 0; p < n; p++ {
		seg, err := openSegment(filepath.Join(dir, fmt.Sprintf("p%03d.seg", p)))
		if err != nil {
			st.close()
			return nil, err
		}
		st.parts = append(st.parts, seg)
	}
	return st, syncDir(dir)
}

// checkPartitions records n on first open and insists on it after.
func (st *stream) checkPartitions(n int) error {
	path := filepath.Join(st.dir, "PARTITIONS")
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return os.WriteFile(path, []byte(strconv.Itoa(n)), 0o644)
	}
	if err != nil {
		return err
	}
	if have, _ := strconv.Atoi(strings.TrimSpace(string(raw))); have != n {
		return port.BadRequest("Options.Partitions", n, fmt.Sprintf("%d (the stream's partition count)", have))
	}
	return nil
}

func (st *stream) close() error {
	var first error
	for _, seg := range st.parts {
		if err := seg.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	st.lock.Close()
	return first
}

// openSegment opens a segment, rebuilds its index and cuts a torn tail.
func openSegment(path string) (*segment, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	seg := &segment{f: f}
	if err := seg.scan(); err != nil {
		f.Close()
		return nil, fmt.Errorf("segment %s: %w", path, err)
	}
	return seg, nil
}

func (seg *segment) scan() error {
	fi, err := seg.f.Stat()
	if err != nil {
		return err
	}
	r := io.NewSectionReader(seg.f, 0, fi.Size())
	var hdr [recHdr]byte
	var buf []byte
	off := int64(0)
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			break // end, or a torn header
		}
		n := int64(binary.LittleEndian.Uint32(hdr[:4]))
		if n > port.MaxStreamBatchBytes || off+recHdr+n > fi.Size() {
			break // torn or garbage length
		}
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(r, buf); err != nil {
			break
		}
		if crc32.Checksum(buf, castagnoli) != binary.LittleEndian.Uint32(hdr[4:]) {
			break // torn data
		}
		seg.offs = append(seg.offs, off)
		off += recHdr + n
	}
	seg.end = off
	if off < fi.Size() {
		if err := seg.f.Truncate(off); err != nil {
			return err
		}
		return seg.f.Sync()
	}
	return nil
}

func (s *Store) segment(p int) (*segment, error) {
	if s.st == nil {
		return nil, port.BadRequest("partition", p, "none: the store has no stream (Options.Partitions 0)")
	}
	if err := port.ValidPartition(p, len(s.st.parts)); err != nil {
		return nil, err
	}
	return s.st.parts[p], nil
}

// Partitions implements port.Stream.
func (s *Store) Partitions(context.Context) (int, error) {
	if s.st == nil {
		return 0, nil
	}
	return len(s.st.parts), nil
}

// Append implements port.Stream: one write and one fdatasync per batch.
func (s *Store) Append(_ context.Context, p int, records [][]byte) (int64, error) {
	seg, err := s.segment(p)
	if err != nil {
		return 0, err
	}
	if err := port.ValidAppend(records); err != nil {
		return 0, err
	}
	buf := make([]byte, 0, len(records)*recHdr+port.RecordsBytes(records))
	offs := make([]int64, len(records))
	seg.mu.Lock()
	defer seg.mu.Unlock()
	for i, r := range records {
		offs[i] = seg.end + int64(len(buf))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(r)))
		buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(r, castagnoli))
		buf = append(buf, r...)
	}
	if _, err := seg.f.WriteAt(buf, seg.end); err != nil {
		return 0, fmt.Errorf("stream append p%d: %w", p, err)
	}
	if err := datasync(seg.f); err != nil {
		return 0, fmt.Errorf("stream sync p%d: %w", p, err)
	}
	first := int64(len(seg.offs))
	seg.offs = append(seg.offs, offs...)
	seg.end += int64(len(buf))
	return first, nil
}

// Read implements port.Stream.
func (s *Store) Read(_ context.Context, p int, from int64, max int) (port.Records, error) {
	seg, err := s.segment(p)
	if err != nil {
		return port.Records{}, err
	}
	if err := port.ValidRead(from, max); err != nil {
		return port.Records{}, err
	}
	seg.mu.RLock()
	n := int64(len(seg.offs))
	out := port.Records{First: from, End: n}
	if from >= n {
		seg.mu.RUnlock()
		return out, nil
	}
	last := min(n, from+int64(max))
	start, stop := seg.offs[from], seg.end
	if last < n {
		stop = seg.offs[last]
	}
	seg.mu.RUnlock()
	buf := make([]byte, stop-start)
	if _, err := seg.f.ReadAt(buf, start); err != nil {
		return port.Records{}, fmt.Errorf("stream read p%d: %w", p, err)
	}
	for len(buf) > 0 {
		l := binary.LittleEndian.Uint32(buf)
		out.Records = append(out.Records, buf[recHdr:recHdr+l:recHdr+l])
		buf = buf[recHdr+l:]
	}
	return out, nil
}
