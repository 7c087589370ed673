package disk

import (
	"os"
	"sync/atomic"
)

// SyncCounts counts the fsync and fdatasync calls of every Store in the
// process by what they made durable: a benchmark divides them by its
// operations (each costs tens to hundreds of µs of CPU and more of wall
// time, so they are most of a durable run's cost).
type SyncCounts struct {
	Journal uint64 // the stream journal's group commits (and its emptying)
	Blob    uint64 // page writes, append blocks, SyncBlob, block blob puts
	Lease   uint64 // lease records
	Other   uint64 // directories, segments, cursors, the partition count
}

// Total is the sum of the counts.
func (c SyncCounts) Total() uint64 { return c.Journal + c.Blob + c.Lease + c.Other }

// Sub is c less an earlier count.
func (c SyncCounts) Sub(o SyncCounts) SyncCounts {
	return SyncCounts{Journal: c.Journal - o.Journal, Blob: c.Blob - o.Blob, Lease: c.Lease - o.Lease, Other: c.Other - o.Other}
}

// Syncs returns the process's sync calls so far.
func Syncs() SyncCounts {
	return SyncCounts{Journal: syncCount[syncJournal].Load(), Blob: syncCount[syncBlob].Load(),
		Lease: syncCount[syncLease].Load(), Other: syncCount[syncOther].Load()}
}

type syncKind uint8

const (
	syncJournal syncKind = iota
	syncBlob
	syncLease
	syncOther
	syncKinds
)

var syncCount [syncKinds]atomic.Uint64

// datasyncAs is datasync counted as kind k.
func datasyncAs(f *os.File, k syncKind) error {
	syncCount[k].Add(1)
	return datasync(f)
}

// fsyncAs is f.Sync counted as kind k.
func fsyncAs(f *os.File, k syncKind) error {
	syncCount[k].Add(1)
	return f.Sync()
}
