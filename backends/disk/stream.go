package disk

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/dflab/dflab/engine/port"
)

// stream is a directory of per-partition segment files.
type stream struct {
	dir   string
	lock  *os.File
	parts []*segment
	jr    *journal // the appends' shared group commit (journal.go)
	// loseSegmentWrites is a test's power loss: appends write only the
	// journal, as if their segment writes never reached the disk.
	loseSegmentWrites bool
}

// segment is one partition's append-only file and its record index.
type segment struct {
	mu   sync.RWMutex
	f    *os.File
	offs []int64 // offs[i]: file offset of record i
	end  int64   // file offset after the last frame
	seq  int64   // seq of the slot that holds end (see segment.go)
	// prevEnd is the end the other slot holds (-1: it is not valid); Close
	// writes a slot unless it is end already.
	prevEnd int64

	pending int64 // scan: records of the frame being indexed
}

func openStream(dir string, n int, logf func(string, ...any)) (*stream, error) {
	if err := os.MkdirAll(filepath.Join(dir, "cursors"), 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, err
	}
	if err := tryLockFile(lock); err != nil {
		lock.Close()
		return nil, fmt.Errorf("stream %s is open in another process: %w", dir, err)
	}
	st := &stream{dir: dir, lock: lock}
	fresh, err := st.checkPartitions(n)
	if err != nil {
		st.close()
		return nil, err
	}
	segPath := func(p int) string { return filepath.Join(dir, fmt.Sprintf("p%03d.seg", p)) }
	if !fresh {
		if err := replayJournal(filepath.Join(dir, journalName), n, segPath); err != nil {
			st.close()
			return nil, fmt.Errorf("stream journal: %w", err)
		}
	}
	for p := 0; p < n; p++ {
		path := segPath(p)
		if _, err := os.Stat(path); !fresh && errors.Is(err, os.ErrNotExist) {
			st.close()
			return nil, port.Corrupt(path, 0, fmt.Sprintf("a segment file: the stream was created with %d partitions, "+
				"and this one's records are missing", n))
		}
		seg, err := openSegment(path, fresh, logf)
		if err != nil {
			st.close()
			return nil, err
		}
		st.parts = append(st.parts, seg)
	}
	if st.jr, err = openJournal(filepath.Join(dir, journalName), st.syncSegments); err != nil {
		st.close()
		return nil, err
	}
	err = syncDir(dir)
	if err == nil && fresh {
		err = st.commitPartitions(n)
	}
	if err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

func (st *stream) commitPartitions(n int) error {
	f, err := os.OpenFile(filepath.Join(st.dir, "PARTITIONS"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strconv.Itoa(n))
	if err == nil {
		err = fsyncAs(f, syncOther)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return syncDir(st.dir)
}

// checkPartitions reports whether the stream is new (fresh: it has no
// partition count yet), else insists on n. The count is written once the
// segments exist (commitPartitions), so a missing segment of a stream that
// has its count lost its records.
func (st *stream) checkPartitions(n int) (fresh bool, err error) {
	path := filepath.Join(st.dir, "PARTITIONS")
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil // written by commitPartitions once the segments exist
	}
	if err != nil {
		return false, err
	}
	have, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return false, port.Corrupt(path, 0, "the stream's partition count (a decimal number)")
	}
	if have != n {
		return false, port.BadRequest("Options.Partitions", n, fmt.Sprintf("%d (the stream's partition count)", have))
	}
	return false, nil
}

func (st *stream) close() error {
	var first error
	for _, seg := range st.parts {
		if err := seg.closeSlot(); err != nil && first == nil {
			first = err
		}
	}
	if st.jr != nil && first == nil { // every slot is durable: the journal may go
		first = st.jr.close()
	} else if st.jr != nil {
		st.jr.f.Close()
	}
	for _, seg := range st.parts {
		if err := seg.f.Close(); err != nil && first == nil {
			first = err
		}
	}
	st.lock.Close()
	return first
}

// syncSegments makes every segment's writes so far durable.
func (st *stream) syncSegments() error {
	for _, seg := range st.parts {
		if err := datasyncAs(seg.f, syncOther); err != nil {
			return err
		}
	}
	return nil
}

// openSegment opens a segment, rebuilds its index and cuts a torn tail
// (see scan).
func openSegment(path string, fresh bool, logf func(string, ...any)) (*segment, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, err
	}
	seg := &segment{f: f}
	if err := seg.scan(fresh, logf); err != nil {
		f.Close()
		return nil, fmt.Errorf("segment %s: %w", path, err)
	}
	return seg, nil
}

// closeSlot marks a clean close: a slot with the same end as the last
// append's, so the next Open holds every frame as acknowledged.
func (seg *segment) closeSlot() error {
	seg.mu.Lock()
	defer seg.mu.Unlock()
	if seg.prevEnd == seg.end {
		return nil
	}
	if err := seg.writeSlot(slot{seq: seg.seq + 1, end: seg.end, records: int64(len(seg.offs))}); err != nil {
		return err
	}
	if err := datasyncAs(seg.f, syncOther); err != nil {
		return err
	}
	seg.seq, seg.prevEnd = seg.seq+1, seg.end
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

// Append implements port.Stream: the frame and the next committed-length
// slot, then one fdatasync per batch.
func (s *Store) Append(_ context.Context, p int, records [][]byte) (int64, error) {
	seg, err := s.segment(p)
	if err != nil {
		return 0, err
	}
	if err := port.ValidAppend(records); err != nil {
		return 0, err
	}
	if n := frameHdr + len(records)*recHdr + port.RecordsBytes(records); n > maxFrame {
		return 0, port.TooLarge("stream batch with its record headers", n, maxFrame)
	}
	seg.mu.Lock()
	defer seg.mu.Unlock()
	first := int64(len(seg.offs))
	buf := appendFrame(make([]byte, 0, frameHdr+len(records)*recHdr+port.RecordsBytes(records)), first, records)
	offs := make([]int64, len(records))
	at := seg.end + frameHdr
	for i, r := range records {
		offs[i] = at
		at += recHdr + int64(len(r))
	}
	next := slot{seq: seg.seq + 1, end: seg.end + int64(len(buf)), records: first + int64(len(records))}
	if !s.st.loseSegmentWrites {
		if _, err := seg.f.WriteAt(buf, seg.end); err != nil {
			return 0, fmt.Errorf("stream append p%d: %w", p, err)
		}
		if err := seg.writeSlot(next); err != nil {
			return 0, fmt.Errorf("stream append p%d: %w", p, err)
		}
	}
	if err := s.st.jr.commit(p, seg.end, buf, next); err != nil {
		return 0, fmt.Errorf("stream sync p%d: %w", p, err)
	}
	seg.offs = append(seg.offs, offs...)
	seg.seq, seg.prevEnd, seg.end = next.seq, seg.end, next.end
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
	offs := seg.offs[from:last:last]
	seg.mu.RUnlock()
	buf := make([]byte, stop-start)
	if _, err := seg.f.ReadAt(buf, start); err != nil {
		return port.Records{}, fmt.Errorf("stream read p%d: %w", p, err)
	}
	for i, off := range offs {
		b := buf[off-start:]
		l := int64(binary.LittleEndian.Uint32(b))
		if recHdr+l > int64(len(b)) || recordCRC(b[:4], b[recHdr:recHdr+l]) != binary.LittleEndian.Uint32(b[4:]) {
			return port.Records{}, fmt.Errorf("stream read p%d: %w", p, port.Corrupt(seg.f.Name(), off,
				fmt.Sprintf("record %d as appended (its length and CRC-32C)", from+int64(i))))
		}
		out.Records = append(out.Records, b[recHdr:recHdr+l:recHdr+l])
	}
	return out, nil
}
