package disk

import (
	"errors"
	"os"
	"sync"
	"syscall"

	"github.com/dflab/dflab/backends/mem"
)

// maxHandles bounds how many blobs keep their files open between
// operations; the others open and close them per operation as before.
const maxHandles = 256

// handles keeps the lease and blob files of recently written blobs open, so
// that a page write or append block (a log flush) costs no open and close.
// Cross-process safety is unchanged: every operation still takes the lease
// file's flock and re-reads the lease and the blob header under it; a blob
// file replaced or deleted meanwhile (by this or another process) is seen
// by its link count (0 after the rename or unlink) and opened again.
type handles struct {
	mu sync.Mutex
	m  map[string]*handle
}

// handle is one blob's open files; mu serialises this process's operations
// on the blob (a flock is per open file, so it cannot do that by itself).
type handle struct {
	mu   sync.Mutex
	lf   *os.File // the lease file
	blob *os.File // the blob file, nil until a write opened it

	// leaseRaw is the lease file's content as last read or written under
	// the flock and lease its decoding (when leaseOK), so that a record
	// read back unchanged is not decoded again.
	leaseRaw []byte
	lease    mem.Lease
	leaseOK  bool
	leaseBuf []byte // what the lease record is read into
	hdrBuf   []byte // what the blob header is read into and encoded from
}

// get returns name's handle locked, or nil when the cache is full.
func (hs *handles) get(name string) *handle {
	hs.mu.Lock()
	h := hs.m[name]
	if h == nil && len(hs.m) < maxHandles {
		if hs.m == nil {
			hs.m = map[string]*handle{}
		}
		h = &handle{}
		hs.m[name] = h
	}
	hs.mu.Unlock()
	if h != nil {
		h.mu.Lock()
	}
	return h
}

// closeAll closes every cached file.
func (hs *handles) closeAll() error {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	var errs []error
	for name, h := range hs.m {
		h.mu.Lock()
		if h.lf != nil {
			errs = append(errs, h.lf.Close())
		}
		if h.blob != nil {
			errs = append(errs, h.blob.Close())
		}
		h.mu.Unlock()
		delete(hs.m, name)
	}
	return errors.Join(errs...)
}

// blobFile returns the blob's file open for writing with its header and
// data size: the cached one if it is still the blob's, else a new one
// (cached when t holds a handle; the caller closes it only when not).
func (t *txn) blobFile() (*os.File, header, int64, error) {
	if t.h != nil && t.h.blob != nil {
		var st syscall.Stat_t
		if err := syscall.Fstat(int(t.h.blob.Fd()), &st); err == nil && st.Nlink > 0 {
			if t.h.hdrBuf == nil {
				t.h.hdrBuf = make([]byte, hdrBuf)
			}
			hd, err := readHeader(t.h.blob, t.h.hdrBuf, st.Size, t.name)
			if err != nil {
				return nil, header{}, 0, ioErr("read header", t.name, err)
			}
			return t.h.blob, hd, st.Size - hdrSize, nil
		}
		t.h.blob.Close()
		t.h.blob = nil
	}
	f, hd, err := t.s.openBlob(t.name, os.O_RDWR)
	if err != nil {
		return nil, header{}, 0, err
	}
	size, err := dataSize(f)
	if err != nil {
		f.Close()
		return nil, header{}, 0, ioErr("stat", t.name, err)
	}
	if t.h != nil {
		t.h.blob = f
	}
	return f, hd, size, nil
}

// release closes f unless it is t's cached blob file.
func (t *txn) release(f *os.File) {
	if t.h == nil || t.h.blob != f {
		f.Close()
	}
}

// leaseFile opens (creating) the lease file, from t's handle if it has one.
func (t *txn) leaseFile() (*os.File, error) {
	if t.h != nil && t.h.lf != nil {
		return t.h.lf, nil
	}
	lf, err := os.OpenFile(t.s.leasePath(t.name), os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, err
	}
	if t.h != nil {
		t.h.lf = lf
	}
	return lf, nil
}

// unlock releases the flock and the handle (closing an uncached lease file
// drops its flock).
func (t *txn) unlock() {
	if t.h == nil {
		t.lf.Close()
		return
	}
	_ = unlockFile(t.lf)
	t.h.mu.Unlock()
}

// drop gives up a txn whose flock was not taken.
func (t *txn) drop() {
	if t.h == nil {
		if t.lf != nil {
			t.lf.Close()
		}
		return
	}
	t.h.mu.Unlock()
}
