package mem

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

type blob struct {
	typ      port.BlobType
	data     []byte // a page blob's written prefix: zeros follow up to size
	size     int64  // page blobs: the declared size
	etag     string
	modified port.Time
	blocks   int
	lease    Lease

	// Disk-like mode, page and append blobs only: the synced image and
	// the writes acknowledged since.
	durable []byte
	pending []pendingWrite
	dblocks int
}

type pendingWrite struct {
	off  int64
	data []byte
}

// checkWrite applies a write's preconditions to b (nil: no such blob).
func checkWrite(name string, b *blob, c port.Cond, now port.Time) error {
	if err := port.ValidCond(c); err != nil {
		return err
	}
	if b == nil {
		if c.IfMatch != "" {
			return fmt.Errorf("blob %q does not exist, If-Match %q: %w", name, c.IfMatch, port.ErrETagMismatch)
		}
		if c.LeaseID != "" {
			return fmt.Errorf("blob %q does not exist, lease %q: %w", name, c.LeaseID, port.ErrLeaseLost)
		}
		return nil
	}
	if err := b.lease.Fence(name, c.LeaseID, now); err != nil {
		return err
	}
	if c.IfNoneMatch == "*" {
		return fmt.Errorf("blob %q exists, If-None-Match *: %w", name, port.ErrETagMismatch)
	}
	if c.IfMatch != "" && c.IfMatch != "*" && c.IfMatch != b.etag {
		return fmt.Errorf("blob %q ETag %s, If-Match %s: %w", name, b.etag, c.IfMatch, port.ErrETagMismatch)
	}
	return nil
}

// PutBlob implements port.Blob.
func (s *Store) PutBlob(_ context.Context, name string, data []byte, c port.Cond) (string, error) {
	if err := port.ValidBlobName(name); err != nil {
		return "", err
	}
	if len(data) > port.MaxBlockBlobBytes {
		return "", port.TooLarge("block blob", len(data), port.MaxBlockBlobBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replace(name, port.BlockBlob, clone(data), c)
}

// replace creates or replaces a blob, keeping an existing lease.
func (s *Store) replace(name string, typ port.BlobType, data []byte, c port.Cond) (string, error) {
	now := s.now()
	old := s.blobs[name]
	if err := checkWrite(name, old, c, now); err != nil {
		return "", err
	}
	b := &blob{typ: typ, data: data, etag: s.etag(), modified: now}
	if old != nil {
		b.lease = old.lease
	}
	if s.opts.DiskLike && typ != port.BlockBlob {
		b.durable = clone(data)
	}
	s.blobs[name] = b
	return b.etag, nil
}

// GetBlob implements port.Blob.
func (s *Store) GetBlob(_ context.Context, name string, r port.Range) (port.BlobData, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[name]
	if !ok {
		return port.BlobData{}, port.NotFound("blob", name)
	}
	data, err := b.read(r.Off, r.Len)
	if err != nil {
		return port.BlobData{}, err
	}
	return port.BlobData{Data: data, Props: b.props(name)}, nil
}

// length is the blob's size: a page blob's declared size, else its data.
func (b *blob) length() int64 {
	if b.typ == port.PageBlobType {
		return b.size
	}
	return int64(len(b.data))
}

// read returns n bytes from off (n 0: to the end), zeros past a page
// blob's written prefix.
func (b *blob) read(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 {
		return nil, port.BadRequest("range", fmt.Sprintf("off %d len %d", off, n), "off >= 0, len >= 0")
	}
	size := b.length()
	if off > size || (off == size && size > 0) {
		return nil, port.BadRequest("range offset", off, fmt.Sprintf("< blob size %d", size))
	}
	end := size
	if n > 0 && off+n < size {
		end = off + n
	}
	out := make([]byte, end-off)
	if off < int64(len(b.data)) {
		copy(out, b.data[off:min(end, int64(len(b.data)))])
	}
	return out, nil
}

// growTo extends p with zeros to at least n bytes.
func growTo(p []byte, n int64) []byte {
	if int64(len(p)) >= n {
		return p
	}
	return append(p, make([]byte, n-int64(len(p)))...)
}

func (b *blob) props(name string) port.BlobProps {
	return port.BlobProps{Name: name, Type: b.typ, Size: b.length(), ETag: b.etag,
		LastModified: b.modified, Blocks: b.blocks}
}

// DeleteBlob implements port.Blob.
func (s *Store) DeleteBlob(_ context.Context, name string, c port.Cond) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[name]
	if !ok {
		return port.NotFound("blob", name)
	}
	if err := checkWrite(name, b, c, s.now()); err != nil {
		return err
	}
	delete(s.blobs, name)
	return nil
}

// ListBlobs implements port.Blob.
func (s *Store) ListBlobs(_ context.Context, prefix, marker string, max int) (port.BlobList, error) {
	if err := port.ValidListMax(max); err != nil {
		return port.BlobList{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for n := range s.blobs {
		if strings.HasPrefix(n, prefix) && n >= marker {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out port.BlobList
	if len(names) > max {
		out.Next = names[max]
		names = names[:max]
	}
	for _, n := range names {
		out.Blobs = append(out.Blobs, s.blobs[n].props(n))
	}
	return out, nil
}
