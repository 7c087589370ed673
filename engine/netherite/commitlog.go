package netherite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// The commit log lives on one page blob per partition. A flush writes, at
// a page-aligned offset, a flush header record followed by every update
// appended since the last flush, padded with zeros to a whole page. A
// record is a 4-byte little-endian length, the CRC-32 (IEEE) of the
// payload, and the payload (an encoded update). The flush header names its
// own offset and the writer's epoch (incremented at each recovery), so a
// reader stops at stale data left behind a torn tail.
const recordHeader = 8

// commitLog is the write side of a partition's log.
type commitLog struct {
	name       string
	leaseID    string
	lastSeq    int64 // last update appended
	durableSeq int64 // last update known durable
	off        int64 // logical offset of the next flush (see place)
	begin      int64 // logical offset of the oldest live byte (last durable checkpoint)
	epoch      int64
	size       int64

	buf      []byte  // records not yet flushed
	recEnds  []int   // end offset in buf of each record
	recSeqs  []int64 // seq of each record
	flushing bool
	dropTail bool // the planted bug PlantedDropLogTail
}

func (l *commitLog) append(u *update) {
	l.buf = appendRecord(l.buf, u)
	l.recEnds = append(l.recEnds, len(l.buf))
	l.recSeqs = append(l.recSeqs, u.Seq)
}

func appendRecord(dst []byte, u *update) []byte {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
	e := enc{b: dst}
	u.encode(&e)
	dst = e.b
	payload := dst[start+recordHeader:]
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(dst[start+4:], crc32.ChecksumIEEE(payload))
	return dst
}

var (
	errLogFull       = errors.New("commit log full (raise knob LogBytes)")
	errRecordTooLong = errors.New("one update record is larger than a page write")
)

// nextFlush cuts the next flush out of the pending records with seq up
// to limit (the first must qualify): the page data, the seq it makes
// durable, the log offset it goes to, and the offset of a wrap marker to
// write first (-1: none; see place).
func (l *commitLog) nextFlush(limit int64) (data []byte, upTo, at, wrapAt int64, err error) {
	n := len(l.recEnds)
	for n > 1 && l.recSeqs[n-1] > limit {
		n-- // the first record always qualifies (the caller checked)
	}
	maxBytes := l.maxRecords()
	for n > 0 && l.recEnds[n-1] > maxBytes {
		n--
	}
	if n == 0 {
		return nil, 0, 0, -1, fmt.Errorf("%w: %d bytes, limit %d (a batch too large for one flush)", errRecordTooLong, l.recEnds[0], maxBytes)
	}
	end, written, kept := l.recEnds[n-1], l.recEnds[n-1], n
	if l.dropTail && n > 1 {
		written, kept = l.recEnds[n-2], n-1
	}
	build := func(at int64) []byte {
		hdr := update{Body: flushHeader{Off: at, Epoch: l.epoch, Records: kept}}
		data := appendRecord(make([]byte, 0, end+recordHeader+64+port.PageSize), &hdr)
		data = append(data, l.buf[:written]...)
		if pad := len(data) % port.PageSize; pad != 0 {
			data = append(data, make([]byte, port.PageSize-pad)...)
		}
		return data
	}
	data = build(l.off)
	at, wrapAt = l.place(int64(len(data)))
	if at != l.off {
		data = build(at)
		at, wrapAt = l.place(int64(len(data)))
	}
	if len(data) > port.MaxPageWriteBytes || !l.fits(at, int64(len(data))) {
		return nil, 0, 0, -1, errLogFull
	}
	upTo = l.recSeqs[n-1]
	l.buf = append(l.buf[:0], l.buf[end:]...)
	for i := n; i < len(l.recEnds); i++ {
		l.recEnds[i] -= end
	}
	l.recEnds = append(l.recEnds[:0], l.recEnds[n:]...)
	l.recSeqs = append(l.recSeqs[:0], l.recSeqs[n:]...)
	return data, upTo, at, wrapAt, nil
}

// The log is circular. Offsets are logical: they grow forever, and byte
// off lives at off mod size in the blob, so a stale flush of an earlier
// lap never carries the offset a reader expects. A flush never straddles
// the blob's end: when it does not fit in what is left of the lap, a wrap
// marker (a page with one updWrap record) is written where it would have
// gone, and the flush goes to the start of the next lap. Only
// [begin, begin+size) may hold live data, where begin is the log offset of
// the last durable checkpoint: recovery never reads before it.

// place returns where n bytes go next, and where a wrap marker must go
// first (-1: no wrap). A lap start is always a fresh page.
func (l *commitLog) place(n int64) (at, wrapAt int64) {
	if rem := l.size - l.off%l.size; n > rem {
		return l.off + rem, l.off
	}
	return l.off, -1
}

// fits reports whether n bytes at logical offset at stay within the live
// window (they overwrite nothing recovery may still read).
func (l *commitLog) fits(at, n int64) bool { return at+n <= l.begin+l.size }

// maxRecords is the most record bytes one flush takes: an eighth of the
// circular log (and what one page write takes, less a header and padding),
// so checkpoints can keep the log's live part small.
func (l *commitLog) maxRecords() int {
	return int(min(port.MaxPageWriteBytes, l.size/8)) - 2*port.PageSize
}

// full reports whether a flush's worth of records waits to be flushed.
func (l *commitLog) full() bool { return len(l.buf) >= l.maxRecords() }

// pressed reports whether half the circular log is live: the partition
// then takes no new work until a checkpoint moves the live start (pump).
func (l *commitLog) pressed() bool { return l.off-l.begin >= l.size/2 }

// phys is the blob offset of logical offset off.
func (l *commitLog) phys(off int64) int64 { return off % l.size }

// wrapPage is the wrap marker written at logical offset off.
func (l *commitLog) wrapPage(off int64) []byte {
	u := update{Body: wrapMark{Off: off, Epoch: l.epoch}}
	data := appendRecord(nil, &u)
	return append(data, make([]byte, port.PageSize-len(data))...)
}

// flush writes the pending updates if no flush is in flight (group commit).
func (x *Partition) flush() {
	l := &x.log
	if l.flushing || len(l.recEnds) == 0 || (x.phase != phaseRunning && x.phase != phaseStopping) {
		return
	}
	limit := l.lastSeq
	if x.k.Speculation == SpeculationGlobal {
		limit = x.global.flushLimit(x)
	}
	if len(l.recSeqs) == 0 || l.recSeqs[0] > limit {
		return // held back: the first record depends on a speculative input
	}
	data, upTo, off, wrapAt, err := l.nextFlush(limit)
	if errors.Is(err, errLogFull) && (x.ckpt.writing || x.ckpt.snapshot != nil) {
		return // the checkpoint under way will free the log's start
	}
	if err != nil {
		x.fail("log %s at offset %d of %d bytes (live from %d): %v", l.name, l.off, l.size, l.begin, err)
		return
	}
	l.off = off + int64(len(data))
	l.flushing = true
	x.stats.Flushes++
	x.stats.FlushedBytes += uint64(len(data))
	x.ckpt.bytes += int64(len(data))
	x.work["log-flush"]++
	f := flushed{data: data, off: off, upTo: upTo}
	if wrapAt < 0 {
		x.writeFlush(f)
		return
	}
	// The marker must be durable before the flush behind it is written:
	// a reader that finds no marker stops there.
	x.stats.Wraps++
	x.logWrite(port.PageWrite{Name: l.name, Off: l.phys(wrapAt), Data: l.wrapPage(wrapAt), Cond: port.Cond{LeaseID: l.leaseID}}, port.Mark{},
		wrapWritten{wrapAt: wrapAt, flush: f})
}

// writeFlush writes a flush's data at logical offset off, making the log
// durable up to seq upTo.
func (x *Partition) writeFlush(f flushed) {
	l := &x.log
	x.logWrite(port.PageWrite{Name: l.name, Off: l.phys(f.off), Data: f.data, Cond: port.Cond{LeaseID: l.leaseID}},
		port.Mark{Log: l.name, Pos: f.upTo}, f)
}

// flushed: a flush's write (data at off, durable up to upTo) came back.
type flushed struct {
	data      []byte
	off, upTo int64
}

func (k flushed) Then() reactor.Then {
	return reactor.Then{Step: "flushed", About: fmt.Sprintf("seq %d at %d", k.upTo, k.off)}
}

func (k flushed) step(x *Partition, o reactor.Outcome) {
	l := &x.log
	if c := o.Completion; c.Err != nil {
		x.restart(fmt.Sprintf("flush to %s at offset %d: %v", l.name, k.off, c.Err), false)
		return
	}
	l.flushing = false
	l.durableSeq = k.upTo
	x.failedLives = 0 // storage works
	if x.k.Speculation == SpeculationNone {
		x.applyDurable(k.upTo)
	}
	x.ckpt.flushed(x, k.upTo)
}

// wrapWritten: the wrap marker at wrapAt came back: write the flush
// behind it.
type wrapWritten struct {
	wrapAt int64
	flush  flushed
}

func (k wrapWritten) Then() reactor.Then {
	return reactor.Then{Step: "wrap-page-written", About: fmt.Sprintf("at %d", k.wrapAt)}
}

func (k wrapWritten) step(x *Partition, o reactor.Outcome) {
	if c := o.Completion; c.Err != nil {
		x.restart(fmt.Sprintf("wrap marker in %s at offset %d: %v", x.log.name, k.wrapAt, c.Err), false)
		return
	}
	x.writeFlush(k.flush)
}

// logWrite issues a page write to the log that makes the mark durable:
// durable once acknowledged, or, with knob SyncLog, once the sync of the
// log after it completed (on storage that acknowledges writes before they
// are durable, as a local disk). on gets the write's completion, or the
// sync's.
func (x *Partition) logWrite(w port.PageWrite, makes port.Mark, on partStep) {
	if !x.k.SyncLog || x.k.Planted == PlantedSkipLogSync {
		x.IssueMarked(w, port.Mark{}, makes, on)
		return
	}
	x.Issue(w, logPageWritten{name: w.Name, makes: makes, on: on})
}

// logPageWritten: a log page write under knob SyncLog came back: sync the
// log, making the mark durable; on gets the sync's completion (the
// write's, if it failed or the partition is dead).
type logPageWritten struct {
	name  string
	makes port.Mark
	on    partStep
}

func (k logPageWritten) Then() reactor.Then {
	return reactor.Then{Step: "log-page-written", About: k.on.Then().Step}
}

func (k logPageWritten) step(x *Partition, o reactor.Outcome) {
	if o.Completion.Err != nil || x.phase == phaseDead {
		k.on.step(x, o)
		return
	}
	x.IssueMarked(port.BlobSync{Name: k.name}, port.Mark{}, k.makes, k.on)
}

// logScan is the result of parsing a stretch of the log.
type logScan struct {
	updates  []update
	end      int64 // offset after the last complete flush
	epoch    int64 // highest epoch seen
	torn     bool  // stopped at a corrupt or incomplete flush
	needMore bool  // the data ended inside a flush
	reason   string
}

// scanLog parses flushes from data, which starts at logical offset base,
// from the flush at offset from, in a circular log of lap bytes. atEnd
// says data holds everything there is to read. It stops cleanly at zeros
// or at a flush or marker of an earlier lap, follows wrap markers, and
// reports anything else it cannot read as a torn tail.
func scanLog(data []byte, base, from, minEpoch, lap int64, atEnd bool) logScan {
	s := logScan{end: from, epoch: minEpoch}
	for {
		i := int(s.end - base)
		if i+recordHeader > len(data) {
			s.needMore = !atEnd
			return s
		}
		if binary.LittleEndian.Uint32(data[i:]) == 0 || earlierLap(data, i, s.end, lap) {
			return s // the end of the log
		}
		ups, next, ok, more, why := scanFlush(data, base, i, s.epoch, lap)
		if more && !atEnd {
			s.needMore = true
			return s
		}
		if !ok {
			s.torn, s.reason = true, why
			return s
		}
		s.epoch = ups[0].epoch
		for _, u := range ups[1:] {
			s.updates = append(s.updates, u.u)
		}
		s.end = next
	}
}

// earlierLap reports whether data[i:] holds a whole flush header or wrap
// marker written one or more laps before offset off: what a circular log
// leaves behind its end.
func earlierLap(data []byte, i int, off, lap int64) bool {
	u, _, _, why := readRecord(data, i)
	at, _, ok := u.logPos()
	return why == "" && ok && at < off && (off-at)%lap == 0
}

type scanned struct {
	u     update
	epoch int64
}

// scanFlush parses the flush at data[i:]. It returns its records (the
// header first), the offset of the next flush, and whether it is whole and
// valid, or incomplete in data (more), with a reason when invalid.
func scanFlush(data []byte, base int64, i int, minEpoch, lap int64) ([]scanned, int64, bool, bool, string) {
	hdr, j, more, why := readRecord(data, i)
	if why != "" {
		return nil, 0, false, more, why
	}
	off := base + int64(i)
	at, epoch, ok := hdr.logPos()
	if !ok || at != off {
		return nil, 0, false, false, "no flush header at this offset"
	}
	if epoch < minEpoch {
		return nil, 0, false, false, "stale flush of an earlier epoch"
	}
	out := []scanned{{u: hdr, epoch: epoch}}
	fh, ok := hdr.Body.(flushHeader)
	if !ok { // a wrap marker
		return out, off + lap - off%lap, true, false, ""
	}
	for k := 0; k < fh.Records; k++ {
		u, next, more, why := readRecord(data, j)
		if why != "" {
			return nil, 0, false, more, why
		}
		out = append(out, scanned{u: u})
		j = next
	}
	end := base + int64(j)
	if r := end % port.PageSize; r != 0 {
		end += port.PageSize - r
	}
	return out, end, true, false, ""
}

func readRecord(data []byte, i int) (update, int, bool, string) {
	if i+recordHeader > len(data) {
		return update{}, 0, true, "record header cut off"
	}
	n := int(binary.LittleEndian.Uint32(data[i:]))
	sum := binary.LittleEndian.Uint32(data[i+4:])
	if n == 0 || n > port.MaxPageWriteBytes {
		return update{}, 0, false, "bad record length"
	}
	if i+recordHeader+n > len(data) {
		return update{}, 0, true, "record cut off"
	}
	payload := data[i+recordHeader : i+recordHeader+n]
	if crc32.ChecksumIEEE(payload) != sum {
		return update{}, 0, false, "record checksum mismatch"
	}
	u, err := decodeUpdate(payload)
	if err != nil {
		return update{}, 0, false, err.Error()
	}
	return u, i + recordHeader + n, false, ""
}
