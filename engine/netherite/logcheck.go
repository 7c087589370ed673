package netherite

import (
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// Where recovery's reading of the log stops — zeros, a flush or marker of
// an earlier lap, or a flush it cannot read — is the end of the log only
// if nothing acknowledged lies beyond it. Flushes are written one at a
// time, each where the last ended (a new life starts where recovery
// stopped), so the flush after a flush at offset D starts within one
// flush's length of D (maxFlushBytes; a wrap marker's successor, the next
// lap's start, too). A flush header or wrap marker of this lap at its own
// offset with an epoch not below the last one read, or any of a later lap,
// found in that window therefore proves that the stop is not the end of
// the last write but damage to acknowledged flushes: corruption, refused.
// Damage with nothing valid after it is the last write cut short by a
// crash: a torn tail, cut (and logged).

// maxFlushBytes is the most one flush takes in the log.
func (l *commitLog) maxFlushBytes() int64 { return int64(l.maxRecords()) + 2*port.PageSize }

// tailWindow is where recovery must have read up to (logical offset) to
// tell the end of the log at end from damage.
func (l *commitLog) tailWindow(end int64) int64 {
	return min(end+l.maxFlushBytes()+port.PageSize, l.begin+l.size)
}

// acknowledgedAfter looks in data (from logical offset base) for a flush
// or wrap marker that proves acknowledged flushes lie at or beyond end (see
// above); it returns its offset and what it is.
func acknowledgedAfter(data []byte, base, end, epoch, lap, window int64) (int64, string, bool) {
	first := end + (port.PageSize-end%port.PageSize)%port.PageSize
	for q := first; q < window && q-base+recordHeader <= int64(len(data)); q += port.PageSize {
		u, _, _, why := readRecord(data, int(q-base))
		at, ep, ok := u.logPos()
		if why != "" || !ok {
			continue
		}
		switch {
		case at == q && q > end && ep >= epoch:
			return q, fmt.Sprintf("a valid %s of epoch %d", u.Kind(), ep), true
		case at > q && (at-q)%lap == 0:
			return q, fmt.Sprintf("a %s of a later lap (offset %d)", u.Kind(), at), true
		}
	}
	return 0, "", false
}

// endOfLog decides what the stop of a scan is, once data holds the tail
// window: the end, a torn tail (cut and logged) or corruption (the
// partition fails with the reason). It reports whether recovery goes on.
func (x *Partition) endOfLog(data []byte, base int64, s *logScan) bool {
	l := &x.log
	at, what, ok := acknowledgedAfter(data, base, s.end, s.epoch, l.size, l.tailWindow(s.end))
	if ok {
		stop := "the log ends"
		if s.torn {
			stop = "a damaged flush (" + s.reason + ")"
		}
		x.fail("%v", port.Corrupt("log "+l.name, s.end, fmt.Sprintf("the next flush or the end of the log; "+
			"found %s, and %s at offset %d after it: acknowledged updates would be lost (recovered to seq %d)",
			stop, what, at, l.lastSeq)))
		return false
	}
	x.cfg.logf("netherite p%02d: recovered to seq %d (checkpoint seq %d, %d updates replayed), log end %d",
		x.p, l.lastSeq, x.ckptSeq, x.stats.RecoveredUpdates, s.end)
	if s.torn {
		x.stats.TornTail = true
		x.cfg.logf("netherite p%02d: log %s: cut torn tail at offset %d (%s)", x.p, l.name, s.end, s.reason)
	}
	return true
}
