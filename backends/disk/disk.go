package disk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/dflab/dflab/engine/port"
)

// SyncMode says when page writes and append blocks reach the disk.
type SyncMode uint8

const (
	// SyncPerWrite fdatasyncs every page write and append block before it
	// is acknowledged (the default).
	SyncPerWrite SyncMode = iota
	// SyncOnFlush makes them durable only at SyncBlob (a batch of writes
	// per fsync); a crash may lose acknowledged, unsynced writes.
	SyncOnFlush
)

// fileMode is the mode of every file the store writes (blobs, leases,
// stream segments, cursors, locks): the data is the task hub's alone.
// Blobs are written through os.CreateTemp, whose mode is the same.
const fileMode = 0o600

// Options configure a Store.
type Options struct {
	// Partitions is the number of stream partitions (0: no stream). A
	// directory keeps the count it was first opened with.
	Partitions int
	// BlobSync is when page writes and append blocks are fsync'ed.
	BlobSync SyncMode
	// Logf receives what Open repaired (a torn tail cut off a stream
	// segment); nil drops it.
	Logf func(format string, args ...any)
}

// Store is a file-backed implementation of Blob, PageBlob, AppendBlob,
// Leases, Syncer, Stream and Cursors. Safe for concurrent use.
type Store struct {
	dir    string
	now    func() port.Time
	opts   Options
	closed atomic.Bool
	st     *stream // nil without partitions
	files  handles
}

// Open opens (creating if needed) the store in dir, reading time from clock.
func Open(dir string, clock func() port.Time, o Options) (*Store, error) {
	if clock == nil {
		return nil, errors.New("disk.Open: clock is nil, want a func() port.Time")
	}
	if o.Partitions < 0 {
		return nil, port.BadRequest("Options.Partitions", o.Partitions, ">= 0")
	}
	if o.BlobSync > SyncOnFlush {
		return nil, port.BadRequest("Options.BlobSync", o.BlobSync, "SyncPerWrite (0) or SyncOnFlush (1)")
	}
	s := &Store{dir: dir, now: clock, opts: o}
	if err := os.MkdirAll(s.blobDir(), 0o755); err != nil {
		return nil, fmt.Errorf("disk.Open: %w", err)
	}
	if o.Partitions > 0 {
		st, err := openStream(filepath.Join(dir, "stream"), o.Partitions, o.Logf)
		if err != nil {
			return nil, fmt.Errorf("disk.Open: %w", err)
		}
		s.st = st
	}
	return s, nil
}

// Close closes the stream files, releases the stream lock and closes the
// blob files kept open.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	err := s.files.closeAll()
	if s.st == nil {
		return err
	}
	return errors.Join(s.st.close(), err)
}

// Stores returns s as the ports it implements.
func (s *Store) Stores() *port.Stores {
	ps := &port.Stores{Blob: s, Page: s, Append: s, Leases: s, Sync: s}
	if s.st != nil {
		ps.Stream, ps.Cursors = s, s
	}
	return ps
}

func (s *Store) blobDir() string { return filepath.Join(s.dir, "blobs") }

// key maps a blob name to its file name stem.
func key(name string) string {
	h := sha256.Sum256([]byte(name))
	return hex.EncodeToString(h[:20])
}

func (s *Store) blobPath(name string) string {
	return filepath.Join(s.blobDir(), key(name)+".blob")
}

func (s *Store) leasePath(name string) string {
	return filepath.Join(s.blobDir(), key(name)+".lease")
}

// syncDir fsyncs a directory so that renames and creations in it persist.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return fsyncAs(d, syncOther)
}

// ioErr wraps an unexpected file system error with the operation.
func ioErr(op, name string, err error) error {
	return fmt.Errorf("disk %s %q: %w", op, name, err)
}
