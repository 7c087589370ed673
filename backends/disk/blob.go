package disk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
)

// PutBlob implements port.Blob.
func (s *Store) PutBlob(_ context.Context, name string, data []byte, c port.Cond) (string, error) {
	if len(data) > port.MaxBlockBlobBytes {
		return "", port.TooLarge("block blob", len(data), port.MaxBlockBlobBytes)
	}
	t, err := s.lock(name)
	if err != nil {
		return "", err
	}
	defer t.unlock()
	return t.replace(port.BlockBlob, data, 0, c)
}

// GetBlob implements port.Blob.
func (s *Store) GetBlob(_ context.Context, name string, r port.Range) (port.BlobData, error) {
	f, h, err := s.openBlob(name, os.O_RDONLY)
	if err != nil {
		return port.BlobData{}, err
	}
	defer f.Close()
	size, err := dataSize(f)
	if err != nil {
		return port.BlobData{}, ioErr("stat", name, err)
	}
	data, err := readRange(f, name, size, r.Off, r.Len)
	if err != nil {
		return port.BlobData{}, err
	}
	return port.BlobData{Data: data, Props: props(&h, size)}, nil
}

func props(h *header, size int64) port.BlobProps {
	return port.BlobProps{Name: h.name, Type: h.typ, Size: size, ETag: h.etag(),
		LastModified: h.modified, Blocks: int(h.blocks)}
}

// readRange reads [off, off+n) of a blob's data (n 0: to the end).
func readRange(f *os.File, name string, size, off, n int64) ([]byte, error) {
	if off < 0 || n < 0 {
		return nil, port.BadRequest("range", fmt.Sprintf("off %d len %d", off, n), "off >= 0, len >= 0")
	}
	if off > size || (off == size && size > 0) {
		return nil, port.BadRequest("range offset", off, fmt.Sprintf("< blob size %d", size))
	}
	end := size
	if n > 0 && off+n < size {
		end = off + n
	}
	buf := make([]byte, end-off)
	if err := readData(f, buf, hdrSize+off); err != nil {
		return nil, ioErr("read", name, err)
	}
	return buf, nil
}

// DeleteBlob implements port.Blob. The blob's lease goes with it.
func (s *Store) DeleteBlob(_ context.Context, name string, c port.Cond) error {
	t, err := s.lock(name)
	if err != nil {
		return err
	}
	defer t.unlock()
	cur, err := t.current()
	if err != nil {
		return err
	}
	if cur == nil {
		return port.NotFound("blob", name)
	}
	if err := t.check(cur, c); err != nil {
		return err
	}
	if err := os.Remove(s.blobPath(name)); err != nil {
		return ioErr("delete", name, err)
	}
	if err := syncDir(s.blobDir()); err != nil {
		return ioErr("delete", name, err)
	}
	t.lease = mem.Lease{}
	return t.saveLease()
}

// ListBlobs implements port.Blob.
func (s *Store) ListBlobs(_ context.Context, prefix, marker string, max int) (port.BlobList, error) {
	if err := port.ValidListMax(max); err != nil {
		return port.BlobList{}, err
	}
	ents, err := os.ReadDir(s.blobDir())
	if err != nil {
		return port.BlobList{}, ioErr("list", prefix, err)
	}
	var all []port.BlobProps
	for _, de := range ents {
		if !strings.HasSuffix(de.Name(), ".blob") {
			continue
		}
		p, ok, err := s.listed(de.Name(), prefix, marker)
		if err != nil {
			return port.BlobList{}, err
		}
		if ok {
			all = append(all, p)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	var out port.BlobList
	if len(all) > max {
		out.Next = all[max].Name
		all = all[:max]
	}
	out.Blobs = all
	return out, nil
}

// listed reads one blob file's properties if its name matches.
func (s *Store) listed(file, prefix, marker string) (port.BlobProps, bool, error) {
	f, err := os.Open(s.blobDir() + "/" + file)
	if errors.Is(err, os.ErrNotExist) {
		return port.BlobProps{}, false, nil // deleted meanwhile
	}
	if err != nil {
		return port.BlobProps{}, false, ioErr("list", file, err)
	}
	defer f.Close()
	h, err := decodeHeader(f)
	if err != nil {
		return port.BlobProps{}, false, ioErr("list", file, err)
	}
	if !strings.HasPrefix(h.name, prefix) || h.name < marker {
		return port.BlobProps{}, false, nil
	}
	size, err := dataSize(f)
	if err != nil {
		return port.BlobProps{}, false, ioErr("list", file, err)
	}
	return props(&h, size), true, nil
}

// SyncBlob implements port.Syncer.
func (s *Store) SyncBlob(_ context.Context, name string) error {
	f, _, err := s.openBlob(name, os.O_RDWR)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := datasyncAs(f, syncBlob); err != nil {
		return ioErr("sync", name, err)
	}
	return nil
}
