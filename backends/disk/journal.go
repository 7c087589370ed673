package disk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"sync"

	"github.com/dflab/dflab/engine/port"
)

// The stream's appends share their durable flushes: an Append writes its
// frame and its committed-length slot into its segment without a sync,
// then queues one journal record holding both (partition, frame offset,
// frame, slot) and waits until the record is durable. The first waiter
// writes every queued record with one write and one fdatasync of the
// journal (group commit), so concurrent appends to several partitions —
// a client's requests to 12 partitions, their responses — cost one sync,
// not one each. A crash can lose segment writes that never reached the
// disk but not journaled ones: Open replays the journal into the
// segments (each record rewrites its frame and slot, in journal order,
// the same bytes at the same offsets), fdatasyncs them and empties the
// journal before it scans them; an append whose record is torn or
// missing was never acknowledged, and the scan cuts it as before (its
// slot, if it reached the disk, is overwritten by the replayed slot of
// the same parity). When the journal passes journalLimit bytes, the
// segments are fdatasync'ed and the journal is emptied; Close empties it
// after its slots. A failed journal write or sync fails that append and
// every later one until the store is opened again (what a failed fsync
// left on disk is unknown).
//
// A record: u32 payload length, u32 CRC-32C of the payload, then the
// payload: u32 partition, u64 frame offset, u64 slot seq, u64 slot end,
// u64 slot records, the frame.
const (
	journalName   = "JOURNAL"
	journalHdr    = 8
	journalFixed  = 36
	journalLimit  = 8 << 20
	journalMaxRec = journalFixed + maxFrame
)

// journal is the stream's shared group commit.
type journal struct {
	f       *os.File
	mu      sync.Mutex
	cond    sync.Cond
	off     int64  // where the next batch goes
	pending []byte // records queued, not yet written
	spare   []byte
	queued  uint64 // records queued so far
	durable uint64 // records durable so far
	syncing bool   // a waiter is writing and syncing a batch
	syncs   uint64 // batches synced (under mu; tests)
	err     error  // sticky: a write or sync failed
	// flushAll makes every segment write so far durable (before the
	// journal is emptied).
	flushAll func() error
}

func openJournal(path string, flushAll func() error) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, err
	}
	// Replayed by now (or a new stream's): what is left is no append's.
	if fi, err := f.Stat(); err != nil || fi.Size() > 0 {
		if err == nil {
			err = f.Truncate(0)
		}
		if err == nil {
			err = datasyncAs(f, syncJournal)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
	}
	j := &journal{f: f, flushAll: flushAll}
	j.cond.L = &j.mu
	return j, nil
}

func appendJournalRecord(dst []byte, p int, at int64, frame []byte, s slot) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, journalHdr)...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(p))
	for _, v := range []int64{at, s.seq, s.end, s.records} {
		dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
	}
	dst = append(dst, frame...)
	payload := dst[start+journalHdr:]
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(dst[start+4:], crc32.Checksum(payload, castagnoli))
	return dst
}

// commit journals an append of frame at offset at of partition p's
// segment, with its slot s, and returns once that is durable.
func (j *journal) commit(p int, at int64, frame []byte, s slot) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	j.pending = appendJournalRecord(j.pending, p, at, frame, s)
	j.queued++
	mine := j.queued
	for j.durable < mine && j.err == nil {
		if j.syncing {
			j.cond.Wait()
			continue
		}
		j.lead()
	}
	if j.durable >= mine {
		return nil
	}
	return j.err
}

// lead writes and syncs the queued records (called with mu held, which
// it releases meanwhile), emptying the journal when it grew past the limit.
func (j *journal) lead() {
	j.syncing = true
	batch, upTo, off := j.pending, j.queued, j.off
	j.pending = j.spare[:0]
	j.mu.Unlock()
	_, err := j.f.WriteAt(batch, off)
	if err == nil {
		err = datasyncAs(j.f, syncJournal)
	}
	end := off + int64(len(batch))
	if err == nil && end > journalLimit {
		if err = j.empty(); err == nil {
			end = 0
		}
	}
	j.mu.Lock()
	j.spare = batch[:0]
	j.syncing = false
	if err != nil {
		j.err = fmt.Errorf("stream journal: %w (appends fail until the store is opened again)", err)
	} else {
		j.off, j.durable = end, upTo
		j.syncs++
	}
	j.cond.Broadcast()
}

// empty makes the segments durable, then truncates the journal.
func (j *journal) empty() error {
	if err := j.flushAll(); err != nil {
		return err
	}
	if err := j.f.Truncate(0); err != nil {
		return err
	}
	return datasyncAs(j.f, syncJournal)
}

// close empties the journal (the segments' slots are durable by then)
// and closes it.
func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var err error
	if j.err == nil && j.off > 0 {
		err = j.empty()
	}
	return errors.Join(err, j.f.Close())
}

// replayJournal rewrites every whole record of the journal at path into
// the segments of the n partitions under dir (segPath), fdatasyncs them
// and empties the journal. It stops at the first torn record (its append
// was never acknowledged); a whole record that names no possible frame is
// corruption.
func replayJournal(path string, n int, segPath func(int) string) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || err == nil && len(raw) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	segs := map[int]*os.File{}
	defer func() {
		for _, f := range segs {
			f.Close()
		}
	}()
	for off := 0; off+journalHdr <= len(raw); {
		l := int(binary.LittleEndian.Uint32(raw[off:]))
		if l < journalFixed || l > journalMaxRec || off+journalHdr+l > len(raw) ||
			crc32.Checksum(raw[off+journalHdr:off+journalHdr+l], castagnoli) != binary.LittleEndian.Uint32(raw[off+4:]) {
			break // a torn tail: never acknowledged
		}
		rec := raw[off+journalHdr : off+journalHdr+l]
		if err := replayRecord(path, int64(off), rec, n, segPath, segs); err != nil {
			return err
		}
		off += journalHdr + l
	}
	for _, f := range segs {
		if err := datasyncAs(f, syncOther); err != nil {
			return err
		}
	}
	jf, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer jf.Close()
	if err := jf.Truncate(0); err != nil {
		return err
	}
	return datasyncAs(jf, syncJournal)
}

func replayRecord(path string, off int64, rec []byte, n int, segPath func(int) string, segs map[int]*os.File) error {
	p := int(binary.LittleEndian.Uint32(rec))
	at := int64(binary.LittleEndian.Uint64(rec[4:]))
	s := slot{seq: int64(binary.LittleEndian.Uint64(rec[12:])), end: int64(binary.LittleEndian.Uint64(rec[20:])),
		records: int64(binary.LittleEndian.Uint64(rec[28:]))}
	frame := rec[journalFixed:]
	if p < 0 || p >= n || at < segHdr || s.seq < 1 || s.end != at+int64(len(frame)) {
		return port.Corrupt(path, off, fmt.Sprintf("a journal record of an append to one of %d partitions "+
			"(partition %d, frame at %d, %d bytes, slot end %d)", n, p, at, len(frame), s.end))
	}
	f := segs[p]
	if f == nil {
		var err error
		if f, err = os.OpenFile(segPath(p), os.O_RDWR, 0); err != nil {
			return err
		}
		segs[p] = f
	}
	if _, err := f.WriteAt(frame, at); err != nil {
		return err
	}
	_, err := f.WriteAt(s.encode(), slotAt[s.seq%2])
	return err
}
