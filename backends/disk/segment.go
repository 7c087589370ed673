package disk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/dflab/dflab/engine/port"
)

// A segment file starts with a header of segHdr bytes: segMagic and slot
// 0 in its first 4 KiB page, slot 1 in its second. A slot is the
// segment's committed length: slotMagic, u64 seq, u64 end (the file
// offset after the last frame), u64 record count, u32 CRC-32C of those 28
// bytes; slot seq%2 holds seq. Then one frame per Append: a frame header
// (frameMagic, u32 record count, u32 body bytes, u64 index of its first
// record, u32 CRC-32C of those 20 bytes) and the body, its records as u32
// length, u32 CRC-32C (of the length and the data), data.
//
// An Append writes its frame, then the next slot (seq+1) with the new
// end, and makes both durable with one fdatasync; Close writes one more
// slot with the same end. Appends to a segment are serial, so a crash
// interrupts at most the sync of the last append, and can leave any part
// of its frame and of its slot on disk, in any order. What Open finds:
//   - the slot of the highest valid seq (cur) with every frame up to its
//     end valid: the committed state; bytes after its end are an append
//     whose slot did not reach the disk (never acknowledged), cut;
//   - a damaged or missing frame before cur's end: a torn last write only
//     if it is the last append's frame, the one between the other slot's
//     end (prev, seq cur-1) and cur's, and every frame before prev's end
//     is valid; cut back to prev (and logged). Anything else is damage to
//     acknowledged records, refused. After a clean Close both slots hold
//     the same end, so no frame is open to doubt.
const (
	segMagic   = "DFLBSEG3"
	slotMagic  = "DFSL"
	slotSize   = 32
	segHdr     = 2 * 4096
	frameMagic = "DFSF"
	frameHdr   = 24
	recHdr     = 8 // u32 length, u32 CRC-32C
	// maxFrame is the largest frame an Append writes.
	maxFrame = frameHdr + port.MaxStreamBatchBytes + recHdr*(port.MaxStreamBatchBytes+1)
)

// slotAt is the file offset of each committed-length slot.
var slotAt = [2]int64{int64(len(segMagic)), 4096}

// slot is a decoded committed-length slot.
type slot struct {
	seq, end, records int64
}

func (s slot) encode() []byte {
	b := make([]byte, 0, slotSize)
	b = append(b, slotMagic...)
	b = binary.LittleEndian.AppendUint64(b, uint64(s.seq))
	b = binary.LittleEndian.AppendUint64(b, uint64(s.end))
	b = binary.LittleEndian.AppendUint64(b, uint64(s.records))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// decodeSlot decodes slot i; ok is false unless magic, CRC and its place
// (seq%2 == i) hold and it describes a possible segment.
func decodeSlot(b []byte, i int) (slot, bool) {
	if len(b) < slotSize || string(b[:4]) != slotMagic || crc32.Checksum(b[:28], castagnoli) != binary.LittleEndian.Uint32(b[28:]) {
		return slot{}, false
	}
	s := slot{seq: int64(binary.LittleEndian.Uint64(b[4:])), end: int64(binary.LittleEndian.Uint64(b[12:])),
		records: int64(binary.LittleEndian.Uint64(b[20:]))}
	return s, s.seq >= 0 && s.seq%2 == int64(i) && s.end >= segHdr && s.records >= 0 && s.records <= s.end
}

// freshHeader is a new segment's header: no frames, slot 0 at seq 0.
func freshHeader() []byte {
	h := make([]byte, segHdr)
	copy(h, segMagic)
	copy(h[slotAt[0]:], slot{end: segHdr}.encode())
	return h
}

// writeSlot writes s into its place (made durable by the caller's sync).
func (seg *segment) writeSlot(s slot) error {
	_, err := seg.f.WriteAt(s.encode(), slotAt[s.seq%2])
	return err
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendFrame encodes records, the first of index first, as a frame.
func appendFrame(buf []byte, first int64, records [][]byte) []byte {
	start := len(buf)
	buf = append(buf, frameMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(records)))
	buf = binary.LittleEndian.AppendUint32(buf, 0) // body bytes, below
	buf = binary.LittleEndian.AppendUint64(buf, uint64(first))
	buf = binary.LittleEndian.AppendUint32(buf, 0) // header CRC, below
	for _, r := range records {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(r)))
		buf = binary.LittleEndian.AppendUint32(buf, recordCRC(buf[len(buf)-4:], r))
		buf = append(buf, r...)
	}
	h := buf[start : start+frameHdr]
	binary.LittleEndian.PutUint32(h[8:], uint32(len(buf)-start-frameHdr))
	binary.LittleEndian.PutUint32(h[20:], crc32.Checksum(h[:20], castagnoli))
	return buf
}

// recordCRC is a record's CRC-32C: of its length field, then its data (so
// a zeroed record header is not a valid empty record).
func recordCRC(length, data []byte) uint32 {
	return crc32.Update(crc32.Checksum(length, castagnoli), castagnoli, data)
}

// frameHeader is a decoded frame header.
type frameHeader struct {
	n, body int64
	first   int64
}

// readFrameHeader decodes b[0:frameHdr]; ok is false unless magic and CRC hold.
func readFrameHeader(b []byte) (frameHeader, bool) {
	if len(b) < frameHdr || string(b[:4]) != frameMagic ||
		crc32.Checksum(b[:20], castagnoli) != binary.LittleEndian.Uint32(b[20:]) {
		return frameHeader{}, false
	}
	return frameHeader{n: int64(binary.LittleEndian.Uint32(b[4:])), body: int64(binary.LittleEndian.Uint32(b[8:])),
		first: int64(binary.LittleEndian.Uint64(b[12:]))}, true
}

// segDamage is where and how a segment's records stop being readable.
type segDamage struct {
	frame int64  // file offset of the frame that fails
	at    int64  // file offset of the failing field
	want  string // what was expected there
}

// scan reads the header (writing a new segment's), rebuilds the record
// index up to the committed length and decides what a stop before it is
// (see the top of this file): the last append torn by a crash (cut back to
// the slot before, and logged) or damage to acknowledged records (an error
// naming the file, the offset and what was expected). fresh: the stream
// has no partition count yet, so a short header is a torn creation.
func (seg *segment) scan(fresh bool, logf func(string, ...any)) error {
	fi, err := seg.f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if err := seg.checkHeader(size, fresh); err != nil {
		return err
	}
	if size < segHdr {
		size = segHdr // written by checkHeader
	}
	cur, prev, err := seg.readSlots()
	if err != nil {
		return err
	}
	r := bufioReader{f: seg.f, size: size}
	limit := min(size, cur.end)
	off, dmg := int64(segHdr), (*segDamage)(nil)
	for off < limit && dmg == nil {
		off, dmg = seg.scanFrame(&r, off, limit)
	}
	switch {
	case dmg == nil && off == cur.end && int64(len(seg.offs)) == cur.records:
		seg.end, seg.seq, seg.prevEnd = cur.end, cur.seq, -1
		if prev != nil {
			seg.prevEnd = prev.end
		}
		if size == cur.end {
			return nil
		}
		if logf != nil {
			logf("disk: stream segment %s: cut %d bytes after the committed end at offset %d (an append whose "+
				"sync did not complete: never acknowledged)", seg.f.Name(), size-cur.end, cur.end)
		}
		return seg.cut(cur.end)
	case dmg == nil && off < cur.end:
		dmg = &segDamage{frame: off, at: off, want: fmt.Sprintf("a frame: the committed length is %d bytes, "+
			"the file ends at offset %d", cur.end, size)}
	case dmg == nil:
		dmg = &segDamage{frame: off, at: slotAt[cur.seq%2], want: fmt.Sprintf("a slot of %d records: the frames up "+
			"to its end at offset %d hold %d", cur.records, cur.end, len(seg.offs))}
	}
	indexed := int64(len(seg.offs)) - seg.pending
	if prev == nil || dmg.frame != prev.end || indexed != prev.records {
		return port.Corrupt(seg.f.Name(), dmg.at, fmt.Sprintf("%s (the segment's committed length is %d bytes, "+
			"%d records: acknowledged records would be lost)", dmg.want, cur.end, cur.records))
	}
	if logf != nil {
		logf("disk: stream segment %s: cut torn tail at offset %d: the last append (records %d..%d, %d bytes) "+
			"is incomplete, %s at offset %d: a crash interrupted its sync, so it was never acknowledged",
			seg.f.Name(), prev.end, prev.records, cur.records-1, cur.end-prev.end, dmg.want, dmg.at)
	}
	seg.offs = seg.offs[:indexed]
	seg.end, seg.seq, seg.prevEnd = prev.end, prev.seq+1, prev.end
	// Slot cur.seq's place now says the same as prev, so a crash from here
	// on finds no torn append to cut again.
	if err := seg.writeSlot(slot{seq: seg.seq, end: seg.end, records: indexed}); err != nil {
		return err
	}
	return seg.cut(prev.end)
}

// cut truncates the segment at end and makes it durable.
func (seg *segment) cut(end int64) error {
	if err := seg.f.Truncate(end); err != nil {
		return err
	}
	return fsyncAs(seg.f, syncOther)
}

// checkHeader writes a new segment's header (or one whose creation a
// crash cut short, before the stream was committed), and checks the magic.
func (seg *segment) checkHeader(size int64, fresh bool) error {
	if size < segHdr {
		head := make([]byte, size)
		if _, err := seg.f.ReadAt(head, 0); err != nil && err != io.EOF {
			return err
		}
		if !fresh || !tornCreation(head) {
			if !bytes.HasPrefix(head, []byte(segMagic)) && !bytes.HasPrefix([]byte(segMagic), head) {
				return port.Corrupt(seg.f.Name(), 0, fmt.Sprintf("segment magic %q (a dflab stream segment, format 3)", segMagic))
			}
			return port.Corrupt(seg.f.Name(), size, fmt.Sprintf("a segment header of %d bytes; the file ends at offset %d", segHdr, size))
		}
		if _, err := seg.f.WriteAt(freshHeader(), 0); err != nil {
			return err
		}
		return fsyncAs(seg.f, syncOther)
	}
	head := make([]byte, len(segMagic))
	if _, err := seg.f.ReadAt(head, 0); err != nil {
		return err
	}
	if string(head) != segMagic {
		return port.Corrupt(seg.f.Name(), 0, fmt.Sprintf("segment magic %q (a dflab stream segment, format 3)", segMagic))
	}
	return nil
}

// tornCreation reports whether head is what writing freshHeader can leave
// when cut short: each byte is the header's or zero.
func tornCreation(head []byte) bool {
	fresh := freshHeader()
	for i, b := range head {
		if b != fresh[i] && b != 0 {
			return false
		}
	}
	return true
}

// readSlots returns the valid slot of the highest seq and, if the other
// is valid and just before it, the other.
func (seg *segment) readSlots() (cur slot, prev *slot, err error) {
	var s [2]slot
	var ok [2]bool
	for i := range s {
		b := make([]byte, slotSize)
		if _, err := seg.f.ReadAt(b, slotAt[i]); err != nil {
			return slot{}, nil, err
		}
		s[i], ok[i] = decodeSlot(b, i)
	}
	switch {
	case !ok[0] && !ok[1]:
		return slot{}, nil, port.Corrupt(seg.f.Name(), slotAt[0], fmt.Sprintf("a committed-length slot (magic %s, its "+
			"CRC-32C) here or at offset %d; neither is valid", slotMagic, slotAt[1]))
	case !ok[1] || ok[0] && s[0].seq > s[1].seq:
		cur, prev = s[0], &s[1]
		if !ok[1] {
			prev = nil
		}
	default:
		cur, prev = s[1], &s[0]
		if !ok[0] {
			prev = nil
		}
	}
	if prev != nil && (prev.seq != cur.seq-1 || prev.end > cur.end || prev.records > cur.records) {
		prev = nil
	}
	return cur, prev, nil
}

// scanFrame indexes the frame at off; it returns the offset after it, or
// the damage that stops the scan (its records stay indexed in pending).
func (seg *segment) scanFrame(r *bufioReader, off, size int64) (int64, *segDamage) {
	seg.pending = 0
	hdr, err := r.at(off, frameHdr)
	if err != nil {
		return off, &segDamage{frame: off, at: off, want: "a whole frame header (the file ends inside it)"}
	}
	h, ok := readFrameHeader(hdr)
	switch {
	case !ok:
		return off, &segDamage{frame: off, at: off, want: "a frame header (magic " + frameMagic + " and its CRC-32C)"}
	case h.first != int64(len(seg.offs)):
		return off, &segDamage{frame: off, at: off + 12, want: fmt.Sprintf("first record index %d, found %d", len(seg.offs), h.first)}
	case h.n == 0 || h.body > size-off-frameHdr || h.body > maxFrame:
		return off, &segDamage{frame: off, at: off, want: fmt.Sprintf("a frame of %d records in %d body bytes ending by offset %d", h.n, h.body, size)}
	}
	at, end := off+frameHdr, off+frameHdr+h.body
	for k := int64(0); k < h.n; k++ {
		rh, err := r.at(at, recHdr)
		var length [4]byte // rh is r's window, which the data's read may move
		n, sum := int64(0), uint32(0)
		if err == nil {
			copy(length[:], rh)
			n, sum = int64(binary.LittleEndian.Uint32(rh)), binary.LittleEndian.Uint32(rh[4:])
		}
		if err != nil || at+recHdr+n > end {
			return off, &segDamage{frame: off, at: at, want: fmt.Sprintf("record %d of the frame within its %d body bytes", k, h.body)}
		}
		data, err := r.at(at+recHdr, n)
		if err != nil || recordCRC(length[:], data) != sum {
			return off, &segDamage{frame: off, at: at, want: fmt.Sprintf("record %d's CRC-32C %08x", int64(len(seg.offs)), sum)}
		}
		seg.offs = append(seg.offs, at)
		seg.pending++
		at += recHdr + n
	}
	if at != end {
		return off, &segDamage{frame: off, at: at, want: fmt.Sprintf("the frame's end at offset %d after %d records", end, h.n)}
	}
	seg.pending = 0
	return end, nil
}

// bufioReader reads a file in 1 MiB windows, for the scan.
type bufioReader struct {
	f    *os.File
	size int64
	base int64
	buf  []byte
}

// at returns n bytes at off (valid until the next call), or io.ErrUnexpectedEOF.
func (r *bufioReader) at(off, n int64) ([]byte, error) {
	if off+n > r.size {
		return nil, io.ErrUnexpectedEOF
	}
	if off >= r.base && off+n <= r.base+int64(len(r.buf)) {
		return r.buf[off-r.base : off-r.base+n], nil
	}
	w := max(n, 1<<20)
	w = min(w, r.size-off)
	if int64(cap(r.buf)) < w {
		r.buf = make([]byte, w)
	}
	r.buf, r.base = r.buf[:w], off
	if _, err := r.f.ReadAt(r.buf, off); err != nil && err != io.EOF {
		return nil, err
	}
	return r.buf[:n], nil
}
