package disk

import (
	"context"
	"fmt"
	"os"

	"github.com/dflab/dflab/engine/port"
)

// CreatePageBlob implements port.PageBlob: a preallocated, zero-filled file.
func (s *Store) CreatePageBlob(_ context.Context, name string, size int64, c port.Cond) (string, error) {
	if err := port.ValidPageBlobSize(size); err != nil {
		return "", err
	}
	t, err := s.lock(name)
	if err != nil {
		return "", err
	}
	defer t.unlock()
	return t.replace(port.PageBlobType, nil, size, c)
}

// CreateAppendBlob implements port.AppendBlob.
func (s *Store) CreateAppendBlob(_ context.Context, name string, c port.Cond) (string, error) {
	t, err := s.lock(name)
	if err != nil {
		return "", err
	}
	defer t.unlock()
	return t.replace(port.AppendBlobType, nil, 0, c)
}

// openTyped opens the blob for writing under t (keeping it open when t has
// a handle: release it with t.release) and checks type and preconditions.
func (t *txn) openTyped(typ port.BlobType, c port.Cond) (*os.File, header, int64, error) {
	f, h, size, err := t.blobFile()
	if err != nil {
		return nil, header{}, 0, err
	}
	if h.typ != typ {
		t.release(f)
		return nil, header{}, 0, fmt.Errorf("blob %q is a %s blob, want %s: %w", t.name, h.typ, typ, port.ErrConflict)
	}
	if err := t.check(&h, c); err != nil {
		t.release(f)
		return nil, header{}, 0, err
	}
	return f, h, size, nil
}

// commit writes data at off, bumps the header and syncs per the mode.
func (t *txn) commit(f *os.File, h *header, off int64, data []byte) error {
	if _, err := f.WriteAt(data, hdrSize+off); err != nil {
		return ioErr("write", t.name, err)
	}
	h.gen++
	h.modified = t.now
	var buf []byte
	if t.h != nil {
		buf = t.h.hdrBuf
	}
	if _, err := f.WriteAt(h.encodeTo(buf)[:hdrFixed], 0); err != nil {
		return ioErr("write header", t.name, err)
	}
	if t.s.opts.BlobSync == SyncPerWrite {
		if err := datasyncAs(f, syncBlob); err != nil {
			return ioErr("sync", t.name, err)
		}
	}
	return nil
}

// WritePages implements port.PageBlob.
func (s *Store) WritePages(_ context.Context, name string, off int64, data []byte, c port.Cond) (string, error) {
	if err := port.ValidPageRange(off, len(data), -1); err != nil {
		return "", err
	}
	t, err := s.lock(name)
	if err != nil {
		return "", err
	}
	defer t.unlock()
	f, h, size, err := t.openTyped(port.PageBlobType, c)
	if err != nil {
		return "", err
	}
	defer t.release(f)
	if err := port.ValidPageRange(off, len(data), size); err != nil {
		return "", err
	}
	if err := t.commit(f, &h, off, data); err != nil {
		return "", err
	}
	return h.etag(), nil
}

// ReadPages implements port.PageBlob.
func (s *Store) ReadPages(_ context.Context, name string, off, n int64) ([]byte, error) {
	if n < 1 {
		return nil, port.BadRequest("page read length", n, ">= 1")
	}
	f, h, err := s.openBlob(name, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if h.typ != port.PageBlobType {
		return nil, fmt.Errorf("blob %q is a %s blob, want page: %w", name, h.typ, port.ErrConflict)
	}
	size, err := dataSize(f)
	if err != nil {
		return nil, ioErr("stat", name, err)
	}
	return readRange(f, name, size, off, n)
}

// AppendBlock implements port.AppendBlob.
func (s *Store) AppendBlock(_ context.Context, name string, data []byte, c port.Cond) (port.AppendResult, error) {
	if len(data) == 0 {
		return port.AppendResult{}, port.BadRequest("append block length", 0, "1..4 MiB")
	}
	if len(data) > port.MaxAppendBlockBytes {
		return port.AppendResult{}, port.TooLarge("append block", len(data), port.MaxAppendBlockBytes)
	}
	t, err := s.lock(name)
	if err != nil {
		return port.AppendResult{}, err
	}
	defer t.unlock()
	f, h, off, err := t.openTyped(port.AppendBlobType, c)
	if err != nil {
		return port.AppendResult{}, err
	}
	defer t.release(f)
	if h.blocks >= port.MaxAppendBlocks {
		return port.AppendResult{}, fmt.Errorf("append blob %q has %d blocks, limit %d: %w",
			name, h.blocks, port.MaxAppendBlocks, port.ErrConflict)
	}
	h.blocks++
	if err := t.commit(f, &h, off, data); err != nil {
		return port.AppendResult{}, err
	}
	return port.AppendResult{Offset: off, ETag: h.etag()}, nil
}
