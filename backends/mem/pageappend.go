package mem

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// CreatePageBlob implements port.PageBlob.
func (s *Store) CreatePageBlob(_ context.Context, name string, size int64, c port.Cond) (string, error) {
	if err := port.ValidBlobName(name); err != nil {
		return "", err
	}
	if err := port.ValidPageBlobSize(size); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	etag, err := s.replace(name, port.PageBlobType, nil, c)
	if err == nil {
		s.blobs[name].size = size // zeros: nothing is stored until written
	}
	return etag, err
}

// typed returns the blob name of type typ, or an error.
func (s *Store) typed(name string, typ port.BlobType) (*blob, error) {
	b, ok := s.blobs[name]
	if !ok {
		return nil, port.NotFound("blob", name)
	}
	if b.typ != typ {
		return nil, fmt.Errorf("blob %q is a %s blob, want %s: %w", name, b.typ, typ, port.ErrConflict)
	}
	return b, nil
}

// WritePages implements port.PageBlob.
func (s *Store) WritePages(_ context.Context, name string, off int64, data []byte, c port.Cond) (string, error) {
	if err := port.ValidPageRange(off, len(data), -1); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.typed(name, port.PageBlobType)
	if err != nil {
		return "", err
	}
	if err := port.ValidPageRange(off, len(data), b.size); err != nil {
		return "", err
	}
	now := s.now()
	if err := checkWrite(name, b, c, now); err != nil {
		return "", err
	}
	b.data = growTo(b.data, off+int64(len(data)))
	copy(b.data[off:], data)
	if s.opts.DiskLike {
		b.pending = append(b.pending, pendingWrite{off: off, data: clone(data)})
	}
	b.etag, b.modified = s.etag(), now
	return b.etag, nil
}

// ReadPages implements port.PageBlob.
func (s *Store) ReadPages(_ context.Context, name string, off, n int64) ([]byte, error) {
	if n < 1 {
		return nil, port.BadRequest("page read length", n, ">= 1")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.typed(name, port.PageBlobType)
	if err != nil {
		return nil, err
	}
	if off >= int64(len(b.data)) && off < b.size && n <= int64(len(unwritten)) {
		// All past the written prefix: zeros, shared (port.PageBlob makes
		// what ReadPages returns read only). A Netherite partition reads a
		// flush's worth of its log past the end at every start; allocating
		// and clearing those megabytes was most of a partition's start.
		end := min(off+n, b.size)
		return unwritten[: end-off : end-off], nil
	}
	return b.read(off, n)
}

// unwritten is what ReadPages returns of a range nothing was written to.
// It is never written, so its pages stay the kernel's shared zero page.
var unwritten [1 << 20]byte

// CreateAppendBlob implements port.AppendBlob.
func (s *Store) CreateAppendBlob(_ context.Context, name string, c port.Cond) (string, error) {
	if err := port.ValidBlobName(name); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replace(name, port.AppendBlobType, []byte{}, c)
}

// AppendBlock implements port.AppendBlob.
func (s *Store) AppendBlock(_ context.Context, name string, data []byte, c port.Cond) (port.AppendResult, error) {
	if len(data) == 0 {
		return port.AppendResult{}, port.BadRequest("append block length", 0, "1..4 MiB")
	}
	if len(data) > port.MaxAppendBlockBytes {
		return port.AppendResult{}, port.TooLarge("append block", len(data), port.MaxAppendBlockBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.typed(name, port.AppendBlobType)
	if err != nil {
		return port.AppendResult{}, err
	}
	now := s.now()
	if err := checkWrite(name, b, c, now); err != nil {
		return port.AppendResult{}, err
	}
	if b.blocks >= port.MaxAppendBlocks {
		return port.AppendResult{}, fmt.Errorf("append blob %q has %d blocks, limit %d: %w",
			name, b.blocks, port.MaxAppendBlocks, port.ErrConflict)
	}
	off := int64(len(b.data))
	b.data = append(b.data, data...)
	b.blocks++
	if s.opts.DiskLike {
		b.pending = append(b.pending, pendingWrite{off: off, data: clone(data)})
	}
	b.etag, b.modified = s.etag(), now
	return port.AppendResult{Offset: off, ETag: b.etag}, nil
}
