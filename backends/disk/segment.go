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

// A segment file starts with segMagic; then one frame per Append: a frame
// header (frameMagic, u32 record count, u32 body bytes, u64 index of its
// first record, u32 CRC-32C of those 20 bytes) and the body, its records
// as u32 length, u32 CRC-32C (of the length and the data), data. Appends to a segment are serial (one
// write and one fdatasync each, under the segment's lock), so only the
// last frame can have been cut by a crash, and a frame that follows a
// damaged one proves the damaged one was acknowledged.
const (
	segMagic   = "DFLBSEG2"
	frameMagic = "DFSF"
	frameHdr   = 24
	recHdr     = 8 // u32 length, u32 CRC-32C
	// maxFrame is the largest frame an Append writes: the crash can leave
	// at most this much of a last, torn write.
	maxFrame = frameHdr + port.MaxStreamBatchBytes + recHdr*(port.MaxStreamBatchBytes+1)
)

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

// scan rebuilds the record index, then decides what a damaged frame is: a
// torn tail (the last write, cut by a crash: nothing valid follows it, and
// it is cut off the file) or corruption of acknowledged records (an error
// naming the file, the offset and what was expected).
func (seg *segment) scan(logf func(string, ...any)) error {
	fi, err := seg.f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	if err := seg.checkMagic(size); err != nil {
		return err
	}
	r := bufioReader{f: seg.f, size: size}
	off, dmg := int64(len(segMagic)), (*segDamage)(nil)
	for off < size && dmg == nil {
		var next int64
		next, dmg = seg.scanFrame(&r, off, size)
		off = next
	}
	seg.end = off
	if dmg == nil {
		return nil
	}
	if follow, ok := seg.validAfter(dmg, size); ok {
		return port.Corrupt(seg.f.Name(), dmg.at, fmt.Sprintf("%s (the frame at offset %d is damaged, but a valid frame "+
			"follows at offset %d: acknowledged records would be lost)", dmg.want, dmg.frame, follow))
	}
	if size-dmg.frame > maxFrame {
		return port.Corrupt(seg.f.Name(), dmg.at, fmt.Sprintf("%s (%d bytes follow the damage, more than one append writes)",
			dmg.want, size-dmg.frame))
	}
	if logf != nil {
		logf("disk: stream segment %s: cut torn tail at offset %d (%d bytes; %s at offset %d)",
			seg.f.Name(), dmg.frame, size-dmg.frame, dmg.want, dmg.at)
	}
	seg.offs = seg.offs[:len(seg.offs)-int(seg.pending)]
	seg.end = dmg.frame
	if err := seg.f.Truncate(dmg.frame); err != nil {
		return err
	}
	return seg.f.Sync()
}

// checkMagic writes the segment's magic into a new file, and checks it in
// an existing one (a shorter prefix of it is a torn creation).
func (seg *segment) checkMagic(size int64) error {
	head := make([]byte, min(size, int64(len(segMagic))))
	if _, err := seg.f.ReadAt(head, 0); err != nil && err != io.EOF {
		return err
	}
	if !bytes.HasPrefix([]byte(segMagic), head) {
		return port.Corrupt(seg.f.Name(), 0, fmt.Sprintf("segment magic %q (a dflab stream segment, format 2)", segMagic))
	}
	if size >= int64(len(segMagic)) {
		return nil
	}
	if _, err := seg.f.WriteAt([]byte(segMagic), 0); err != nil {
		return err
	}
	return seg.f.Sync()
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
		return off, &segDamage{frame: off, at: off, want: fmt.Sprintf("a frame of %d records in %d body bytes within the file's %d bytes", h.n, h.body, size)}
	}
	at, end := off+frameHdr, off+frameHdr+h.body
	for k := int64(0); k < h.n; k++ {
		rh, err := r.at(at, recHdr)
		n := int64(0)
		if err == nil {
			n = int64(binary.LittleEndian.Uint32(rh))
		}
		if err != nil || at+recHdr+n > end {
			return off, &segDamage{frame: off, at: at, want: fmt.Sprintf("record %d of the frame within its %d body bytes", k, h.body)}
		}
		data, err := r.at(at+recHdr, n)
		if err != nil || recordCRC(rh[:4], data) != binary.LittleEndian.Uint32(rh[4:]) {
			return off, &segDamage{frame: off, at: at, want: fmt.Sprintf("record %d's CRC-32C %08x", int64(len(seg.offs)), binary.LittleEndian.Uint32(rh[4:]))}
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

// validAfter looks for a valid frame header after the damaged frame: at
// the offset its own header gives, or anywhere after (its header may be
// the damaged part), with a first record index beyond those indexed.
func (seg *segment) validAfter(d *segDamage, size int64) (int64, bool) {
	n := min(size-d.frame, maxFrame+frameHdr)
	buf := make([]byte, n)
	if _, err := seg.f.ReadAt(buf, d.frame); err != nil && err != io.EOF {
		return 0, false
	}
	indexed := int64(len(seg.offs)) - seg.pending
	for i := 1; i < len(buf); {
		j := bytes.Index(buf[i:], []byte(frameMagic))
		if j < 0 {
			break
		}
		i += j
		if h, ok := readFrameHeader(buf[i:]); ok && h.first > indexed && h.n > 0 {
			return d.frame + int64(i), true
		}
		i++
	}
	if size-d.frame > int64(len(buf)) {
		return d.frame + int64(len(buf)), false // the caller refuses it by size
	}
	return 0, false
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
