package mem

import (
	"errors"
	"strconv"
	"sync"

	"github.com/dflab/dflab/backends/sqlmem"
	"github.com/dflab/dflab/engine/port"
)

// Options configure a Store.
type Options struct {
	// Partitions is the number of stream partitions (0: no stream).
	Partitions int
	// DiskLike makes page writes and append blocks volatile until
	// SyncBlob, and lets Crash lose them.
	DiskLike bool
}

// Store is an in-memory implementation of every storage port.
type Store struct {
	mu      sync.Mutex
	now     func() port.Time
	opts    Options
	seq     uint64
	blobs   map[string]*blob
	queues  map[string]*queue
	tables  map[string]*table
	parts   [][][]byte
	cursors map[cursorKey]int64
	sql     *sqlmem.DB // the relational model (SQL engine), on the same clock
}

// New returns an empty Store reading time from clock (the simulator's
// virtual clock, or a wall clock for real runs).
func New(clock func() port.Time, o Options) (*Store, error) {
	if clock == nil {
		return nil, errors.New("mem.New: clock is nil, want a func() port.Time")
	}
	if o.Partitions < 0 {
		return nil, port.BadRequest("Options.Partitions", o.Partitions, ">= 0")
	}
	db, err := sqlmem.New(clock)
	if err != nil {
		return nil, err
	}
	return &Store{
		sql:     db,
		now:     clock,
		opts:    o,
		blobs:   map[string]*blob{},
		queues:  map[string]*queue{},
		tables:  map[string]*table{},
		parts:   make([][][]byte, o.Partitions),
		cursors: map[cursorKey]int64{},
	}, nil
}

// Stores returns s as every port of port.Stores (SQL: its relational
// model, backends/sqlmem).
func (s *Store) Stores() *port.Stores {
	ps := &port.Stores{Blob: s, Page: s, Append: s, Leases: s, Sync: s,
		Queue: s, Queues: s, Table: s, SQL: s.sql}
	if s.opts.Partitions > 0 {
		ps.Stream, ps.Cursors = s, s
	}
	return ps
}

// next returns a fresh counter value; callers hold s.mu.
func (s *Store) next() uint64 {
	s.seq++
	return s.seq
}

// etag returns a fresh ETag; callers hold s.mu.
func (s *Store) etag() string {
	b := append(make([]byte, 0, 24), `"0x`...)
	b = appendUpperHex(b, s.next())
	return string(append(b, '"'))
}

// appendUpperHex appends v in upper-case hexadecimal (fmt's %X).
func appendUpperHex(b []byte, v uint64) []byte {
	n := len(b)
	b = strconv.AppendUint(b, v, 16)
	for i := n; i < len(b); i++ {
		if c := b[i]; c >= 'a' {
			b[i] = c - 'a' + 'A'
		}
	}
	return b
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
