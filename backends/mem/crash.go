package mem

import (
	"context"
	"sort"

	"github.com/dflab/dflab/engine/port"
)

// Rand is the random source Crash draws from, e.g. a *sim/rng.Source.
type Rand interface{ Uint64() uint64 }

// SyncBlob implements port.Syncer: the blob's acknowledged writes become
// durable. Outside disk-like mode it only checks that the blob exists.
func (s *Store) SyncBlob(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.blobs[name]
	if !ok {
		return port.NotFound("blob", name)
	}
	if s.opts.DiskLike && b.typ != port.BlockBlob {
		b.durable = clone(b.data)
		b.dblocks = b.blocks
		b.pending = nil
	}
	return nil
}

// Unsynced returns the number of acknowledged, unsynced writes to a blob
// (always 0 outside disk-like mode).
func (s *Store) Unsynced(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.blobs[name]; ok {
		return len(b.pending)
	}
	return 0
}

// Crash simulates losing the machine that held unsynced blob writes, in
// disk-like mode (outside it Crash does nothing). Blobs are visited in name
// order and r decides, deterministically for a given state and source:
// for a page blob, each 512-byte page of each unsynced write independently
// survives or reverts to its synced content (torn writes); for an append
// blob, a uniformly chosen prefix of the unsynced blocks survives. What
// survives becomes the synced state.
func (s *Store) Crash(r Rand) { s.CrashBlobs(r, nil) }

// CrashBlobs is Crash for the blobs whose name match accepts (nil: every
// blob): the unsynced writes of one machine's files, when several machines
// share the store. It returns the number of blobs that had unsynced writes.
func (s *Store) CrashBlobs(r Rand, match func(name string) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.opts.DiskLike {
		return 0
	}
	names := make([]string, 0, len(s.blobs))
	for n, b := range s.blobs {
		if len(b.pending) > 0 && (match == nil || match(n)) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b := s.blobs[n]
		if b.typ == port.PageBlobType {
			crashPages(b, r)
		} else {
			crashAppends(b, r)
		}
		b.pending = nil
		b.data = clone(b.durable)
		b.etag = s.etag()
	}
	return len(names)
}

func crashPages(b *blob, r Rand) {
	for _, w := range b.pending {
		for i := 0; i < len(w.data); i += port.PageSize {
			if r.Uint64()&1 == 1 {
				b.durable = growTo(b.durable, w.off+int64(i)+port.PageSize)
				copy(b.durable[w.off+int64(i):], w.data[i:i+port.PageSize])
			}
		}
	}
}

func crashAppends(b *blob, r Rand) {
	keep := int(r.Uint64() % uint64(len(b.pending)+1))
	for _, w := range b.pending[:keep] {
		b.durable = append(b.durable, w.data...)
	}
	b.blocks = b.dblocks + keep
	b.dblocks = b.blocks
}
