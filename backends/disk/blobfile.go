package disk

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
)

const (
	hdrSize    = 4096 // data starts here; keeps page data aligned
	hdrFixed   = 48   // fixed fields before the name
	hdrBuf     = hdrFixed + port.MaxBlobNameLen
	blobMagic  = "DFLB"
	hdrVersion = 2
)

// header is a blob file's header: magic, type, version, name length,
// incarnation, generation, modified, block count, a CRC-32C of the rest of
// the header (name included), the data size of page and block blobs (0
// for append blobs, which grow), then the name.
type header struct {
	typ      port.BlobType
	inc      uint64 // random per creation, so ETags never repeat
	gen      uint64 // bumped by every write
	modified port.Time
	blocks   uint32
	size     int64 // page and block blobs: their data size; append blobs: 0
	name     string
}

// etag is "<incarnation as 16 hex digits>-<generation>", quoted.
func (h *header) etag() string {
	var b [48]byte
	e := append(b[:0], '"')
	for i := 60; i >= 0; i -= 4 {
		e = append(e, "0123456789abcdef"[h.inc>>uint(i)&0xf])
	}
	e = append(e, '-')
	e = strconv.AppendUint(e, h.gen, 10)
	return string(append(e, '"'))
}

func (h *header) encode() []byte { return h.encodeTo(nil) }

// encodeTo encodes the header into dst's storage when it is large enough.
func (h *header) encodeTo(dst []byte) []byte {
	n := hdrFixed + len(h.name)
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	b := dst[:n]
	clear(b[:hdrFixed])
	copy(b, blobMagic)
	b[4] = byte(h.typ)
	b[5] = hdrVersion
	binary.LittleEndian.PutUint16(b[6:], uint16(len(h.name)))
	binary.LittleEndian.PutUint64(b[8:], h.inc)
	binary.LittleEndian.PutUint64(b[16:], h.gen)
	binary.LittleEndian.PutUint64(b[24:], uint64(h.modified))
	binary.LittleEndian.PutUint32(b[32:], h.blocks)
	binary.LittleEndian.PutUint64(b[40:], uint64(h.size))
	copy(b[hdrFixed:], h.name)
	binary.LittleEndian.PutUint32(b[36:], headerCRC(b))
	return b
}

// headerCRC is the CRC-32C of an encoded header but its CRC field.
func headerCRC(b []byte) uint32 {
	c := crc32.Checksum(b[:36], castagnoli)
	return crc32.Update(c, castagnoli, b[40:])
}

// decodeHeader reads and checks a blob file's header: a damaged one is
// an error wrapping port.ErrCorrupt naming the file, the offset and what
// was expected there, as is a page or block blob whose file is not as long
// as its header says.
func decodeHeader(f *os.File) (header, error) { return readHeader(f, nil, -1, "") }

// readHeader is decodeHeader reading into buf (nil: a new buffer of
// hdrBuf bytes), with the file's size when the caller has it (-1: stat
// it), and sharing the name string with known when they are equal.
func readHeader(f *os.File, buf []byte, fileSize int64, known string) (header, error) {
	b := buf
	if len(b) < hdrBuf {
		b = make([]byte, hdrBuf)
	}
	b = b[:hdrBuf]
	n, err := f.ReadAt(b, 0)
	if err != nil && err != io.EOF {
		return header{}, err
	}
	switch {
	case n < hdrFixed || string(b[:4]) != blobMagic:
		return header{}, port.Corrupt(f.Name(), 0, "a blob header (magic "+blobMagic+")")
	case b[5] != hdrVersion:
		return header{}, port.Corrupt(f.Name(), 5, fmt.Sprintf("blob header version %d, found %d", hdrVersion, b[5]))
	}
	nl := int(binary.LittleEndian.Uint16(b[6:]))
	if nl > port.MaxBlobNameLen || hdrFixed+nl > n {
		return header{}, port.Corrupt(f.Name(), 6, fmt.Sprintf("a name length up to %d within the header, found %d", port.MaxBlobNameLen, nl))
	}
	if sum := binary.LittleEndian.Uint32(b[36:]); headerCRC(b[:hdrFixed+nl]) != sum {
		return header{}, port.Corrupt(f.Name(), 36, fmt.Sprintf("the header's CRC-32C %08x", sum))
	}
	h := header{typ: port.BlobType(b[4]), inc: binary.LittleEndian.Uint64(b[8:]),
		gen: binary.LittleEndian.Uint64(b[16:]), modified: port.Time(binary.LittleEndian.Uint64(b[24:])),
		blocks: binary.LittleEndian.Uint32(b[32:]), size: int64(binary.LittleEndian.Uint64(b[40:]))}
	if nb := b[hdrFixed : hdrFixed+nl]; string(nb) == known {
		h.name = known
	} else {
		h.name = string(nb)
	}
	if h.typ == port.PageBlobType || h.typ == port.BlockBlob {
		if fileSize < 0 {
			fi, err := f.Stat()
			if err != nil {
				return header{}, err
			}
			fileSize = fi.Size()
		}
		if got := fileSize - hdrSize; got != h.size && !(h.size == 0 && got < 0) {
			return header{}, port.Corrupt(f.Name(), fileSize, fmt.Sprintf("the end of a %s blob of %d data bytes (file size %d)",
				h.typ, h.size, hdrSize+h.size))
		}
	}
	return h, nil
}

// openBlob opens a blob's file; ErrNotFound if it does not exist.
func (s *Store) openBlob(name string, flag int) (*os.File, header, error) {
	f, err := os.OpenFile(s.blobPath(name), flag, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, header{}, port.NotFound("blob", name)
	}
	if err != nil {
		return nil, header{}, ioErr("open", name, err)
	}
	h, err := decodeHeader(f)
	if err != nil {
		f.Close()
		return nil, header{}, ioErr("read header", name, err)
	}
	return f, h, nil
}

// dataSize is the size of a blob's data.
func dataSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size() - hdrSize, nil
}

// txn is one operation on a blob under the flock of its lease file.
type txn struct {
	s     *Store
	name  string
	lf    *os.File
	h     *handle // nil: files opened and closed per operation
	lease mem.Lease
	now   port.Time
}

func (s *Store) lock(name string) (*txn, error) {
	if err := port.ValidBlobName(name); err != nil {
		return nil, err
	}
	t := &txn{s: s, name: name, h: s.files.get(name)}
	lf, err := t.leaseFile()
	if err != nil {
		t.drop()
		return nil, ioErr("open lease", name, err)
	}
	t.lf = lf
	if err := lockFile(lf); err != nil {
		t.drop()
		return nil, ioErr("lock", name, err)
	}
	if err := t.readLease(); err != nil {
		t.unlock()
		return nil, ioErr("read lease", name, err)
	}
	t.now = s.now()
	return t, nil
}

// readLease reads and decodes the lease record under the flock. With a
// handle, the record is read into its buffer with one pread, and bytes
// equal to those last decoded are not decoded again (same bytes, same
// lease: a change by any process is still seen).
func (t *txn) readLease() error {
	var buf []byte
	if t.h != nil {
		if t.h.leaseBuf == nil {
			t.h.leaseBuf = make([]byte, leaseBufSize)
		}
		buf = t.h.leaseBuf
	} else {
		buf = make([]byte, leaseBufSize)
	}
	n, err := t.lf.ReadAt(buf, 0)
	if err == io.EOF {
		err = nil
	} else if err == nil && n == len(buf) { // longer than the buffer: read it all
		buf, err = io.ReadAll(io.NewSectionReader(t.lf, 0, 1<<30))
		n = len(buf)
	}
	if err != nil {
		return err
	}
	raw := buf[:n]
	if t.h != nil && t.h.leaseOK && bytes.Equal(raw, t.h.leaseRaw) {
		t.lease = t.h.lease
		return nil
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := decodeLease(t.lf.Name(), raw, &t.lease); err != nil {
			return err
		}
	}
	if t.h != nil {
		t.h.leaseRaw = append(t.h.leaseRaw[:0], raw...)
		t.h.lease, t.h.leaseOK = t.lease, true
	}
	return nil
}

// leaseBufSize is what one read of a lease record asks for (records are
// one 512-byte sector unless a lease ID is very long).
const leaseBufSize = 2048

// decodeLease parses the lease record at the start of raw (what follows it
// is left of a longer, older record); what is not one is corruption.
func decodeLease(file string, raw []byte, l *mem.Lease) error {
	err := json.NewDecoder(bytes.NewReader(raw)).Decode(l)
	if err == nil {
		return nil
	}
	off := int64(0)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(raw)) // cut short
	}
	return port.Corrupt(file, off, fmt.Sprintf("a lease record (JSON, padded with spaces): %v", err))
}

// saveLease writes the lease record in place, padded with spaces to whole
// 512-byte sectors, so that the write replaces the old record in one piece
// (a crash leaves the old record or the new one, never a mix).
func (t *txn) saveLease() error {
	raw, err := json.Marshal(&t.lease)
	if err != nil {
		return err
	}
	if pad := len(raw) % leaseSector; pad != 0 || len(raw) == 0 {
		raw = append(raw, bytes.Repeat([]byte{' '}, leaseSector-pad)...)
	}
	if t.h != nil {
		t.h.leaseOK = false // read it back next time
	}
	if _, err := t.lf.WriteAt(raw, 0); err != nil {
		return ioErr("write lease", t.name, err)
	}
	return fsyncAs(t.lf, syncLease)
}

// leaseSector is the unit lease records are padded to.
const leaseSector = 512

// check applies a write's preconditions to the blob (h nil: missing).
func (t *txn) check(h *header, c port.Cond) error {
	if err := port.ValidCond(c); err != nil {
		return err
	}
	if h == nil {
		if c.IfMatch != "" {
			return fmt.Errorf("blob %q does not exist, If-Match %q: %w", t.name, c.IfMatch, port.ErrETagMismatch)
		}
		if c.LeaseID != "" {
			return fmt.Errorf("blob %q does not exist, lease %q: %w", t.name, c.LeaseID, port.ErrLeaseLost)
		}
		return nil
	}
	if err := t.lease.Fence(t.name, c.LeaseID, t.now); err != nil {
		return err
	}
	if c.IfNoneMatch == "*" {
		return fmt.Errorf("blob %q exists, If-None-Match *: %w", t.name, port.ErrETagMismatch)
	}
	if c.IfMatch != "" && c.IfMatch != "*" && c.IfMatch != h.etag() {
		return fmt.Errorf("blob %q ETag %s, If-Match %s: %w", t.name, h.etag(), c.IfMatch, port.ErrETagMismatch)
	}
	return nil
}

// current returns the blob's header, or nil if it does not exist.
func (t *txn) current() (*header, error) {
	f, h, err := t.s.openBlob(t.name, os.O_RDONLY)
	if errors.Is(err, port.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f.Close()
	return &h, nil
}

// replace atomically creates or replaces the blob with a new file of type
// typ holding data, preallocated to size bytes of data.
func (t *txn) replace(typ port.BlobType, data []byte, size int64, c port.Cond) (string, error) {
	cur, err := t.current()
	if err != nil {
		return "", err
	}
	if err := t.check(cur, c); err != nil {
		return "", err
	}
	var inc [8]byte
	if _, err := rand.Read(inc[:]); err != nil {
		return "", err
	}
	h := header{typ: typ, inc: binary.LittleEndian.Uint64(inc[:]), gen: 1, modified: t.now, name: t.name}
	if typ != port.AppendBlobType {
		h.size = max(size, int64(len(data)))
	}
	if err := t.s.writeFile(t.name, &h, data, size); err != nil {
		return "", ioErr("write", t.name, err)
	}
	return h.etag(), nil
}

// writeFile writes a temporary file, fsyncs it, renames it over the blob
// and fsyncs the directory.
func (s *Store) writeFile(name string, h *header, data []byte, size int64) error {
	path := s.blobPath(name)
	f, err := os.CreateTemp(s.blobDir(), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	err = preallocate(f, hdrSize+size)
	if err == nil {
		_, err = f.WriteAt(h.encode(), 0)
	}
	if err == nil && len(data) > 0 {
		_, err = f.WriteAt(data, hdrSize)
	}
	if err == nil && size == 0 {
		err = f.Truncate(hdrSize + int64(len(data)))
	}
	if err == nil {
		err = fsyncAs(f, syncBlob)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(s.blobDir())
	}
	return err
}
