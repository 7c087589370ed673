package netherite

import (
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/port"
)

// readChunk is how much of the log one recovery read asks for.
const readChunk = 1 << 20

// boot starts a life: create the log blob if missing, take the lease,
// load the checkpoint, then replay the log suffix.
func (x *Partition) boot() {
	x.phase = phaseBooting
	l := &x.log
	l.name, l.size, l.leaseID = x.cfg.logName(x.p), x.k.LogBytes, x.owner+"/"+x.cfg.prefix(x.p)
	l.dropTail = x.k.Planted == PlantedDropLogTail
	if x.standby == 0 { // a standby creates the log only if it finds none
		x.createLog()
	}
	x.acquireLease()
}

// createLog creates the log blob unless it exists.
func (x *Partition) createLog() {
	l := &x.log
	x.issue(port.PageCreate{Name: l.name, Size: l.size, Cond: port.Cond{IfNoneMatch: "*"}},
		func(c port.Completion) {
			// It exists already (a conflict; or leased by the owner a standby waits for).
			if c.Err != nil && !errors.Is(c.Err, port.ErrConflict) && !errors.Is(c.Err, port.ErrLeaseHeld) {
				x.restart(fmt.Sprintf("create log %s: %v", l.name, c.Err), false)
			}
		})
}

func (x *Partition) acquireLease() {
	l := &x.log
	x.issue(port.LeaseAcquire{Name: l.name, ID: l.leaseID, Duration: x.k.LeaseDuration},
		func(c port.Completion) {
			switch {
			case x.phase == phaseDead:
			case c.Err == nil:
				if x.standby > 0 {
					x.cfg.logf("netherite p%02d: %s takes the partition over (standby rank %d)", x.p, x.owner, x.standby)
					x.standby = 0
				}
				x.loadCheckpoint()
				x.renewLease()
			case errors.Is(c.Err, port.ErrLeaseHeld):
				x.waitLease(x.acquireWait(), x.acquireLease)
			case errors.Is(c.Err, port.ErrNotFound) && x.standby > 0:
				// The owner placed first never created the log: create it.
				x.createLog()
				x.acquireLease()
			default:
				x.restart(fmt.Sprintf("lease on %s: %v", l.name, c.Err), false)
			}
		})
}

func (x *Partition) renewLease() {
	x.after(x.k.LeaseDuration/3, func() {
		if x.phase == phaseDead || x.phase == phaseStopped {
			return // a stopped partition's lease lapses if releasing it failed
		}
		x.issue(port.LeaseRenew{Name: x.log.name, ID: x.log.leaseID}, func(c port.Completion) {
			if c.Err != nil {
				x.restart(fmt.Sprintf("lease on %s lost: %v", x.log.name, c.Err), false)
				return
			}
			x.renewLease()
		})
	})
}

func (x *Partition) loadCheckpoint() {
	x.issue(port.BlobGet{Name: x.cfg.ckptName(x.p)}, func(c port.Completion) {
		var from, epoch int64
		switch {
		case errors.Is(c.Err, port.ErrNotFound):
		case c.Err != nil:
			x.restart(fmt.Sprintf("load checkpoint: %v", c.Err), false)
			return
		default:
			bd, _ := c.Result.(port.BlobData)
			st, off, ep, err := decodeCheckpoint(bd.Data, x.p, x.cfg.Partitions)
			if err != nil {
				x.fail("decode checkpoint: %v", err)
				return
			}
			x.setState(st)
			x.ckptSeq = st.Seq
			from, epoch = off, ep
		}
		x.phase = phaseReplay
		x.log.lastSeq, x.log.begin = x.st.Seq, from
		x.readLog(nil, from, from, epoch)
	})
}

// readLog reads the log from logical offset base (data holds what was
// read from base so far) and replays it from offset from. It reads at most
// one lap past the live window's start (commitLog.begin), never across
// the blob's end in one request.
func (x *Partition) readLog(data []byte, base, from, epoch int64) {
	l := &x.log
	at := base + int64(len(data))
	n := min(int64(readChunk), l.size-l.phys(at), l.begin+l.size-at)
	if n <= 0 {
		x.replayLog(data, base, from, epoch, true)
		return
	}
	x.issue(port.PageRead{Name: l.name, Off: l.phys(at), N: n}, func(c port.Completion) {
		if c.Err != nil {
			x.restart(fmt.Sprintf("read log %s at %d: %v", x.log.name, at, c.Err), false)
			return
		}
		chunk, _ := c.Result.([]byte)
		data = append(data, chunk...)
		x.replayLog(data, base, from, epoch, at+int64(len(chunk)) >= l.begin+l.size || len(chunk) == 0)
	})
}

func (x *Partition) replayLog(data []byte, base, from, epoch int64, atEnd bool) {
	s := scanLog(data, base, from, epoch, x.log.size, atEnd)
	for i := range s.updates {
		u := &s.updates[i]
		x.st.apply(x.cfg.Registry, u)
		x.log.lastSeq = max(x.log.lastSeq, u.Seq)
		x.stats.RecoveredUpdates++
	}
	if s.needMore {
		keep := s.end - base
		x.readLog(append([]byte(nil), data[keep:]...), s.end, s.end, s.epoch)
		return
	}
	x.cfg.logf("netherite p%02d: recovered to seq %d (checkpoint seq %d, %d updates replayed), log end %d",
		x.p, x.log.lastSeq, x.ckptSeq, x.stats.RecoveredUpdates, s.end)
	if s.torn {
		x.stats.TornTail = true
		x.cfg.logf("netherite p%02d: log %s: cut torn tail at offset %d (%s)", x.p, x.log.name, s.end, s.reason)
	}
	x.resume(s.end, s.epoch+1)
}

// resume starts processing after recovery: everything in the log is
// durable, unconfirmed outbox entries are resent, activities restarted,
// timers re-armed, and the input stream read from the recovered position.
func (x *Partition) resume(end, epoch int64) {
	l := &x.log
	l.off, l.epoch, l.durableSeq = end, epoch, l.lastSeq
	x.ckpt.bytes = end - l.begin // the live log counts toward the next checkpoint
	// Start the new epoch with an empty flush (a header only), so that
	// every life has its own epoch even if it crashes before its first
	// flush (receivers tell lives of a sender apart by epoch). Its Makes
	// is the recovered end: the log read proved that suffix durable (a
	// flush in flight at the crash may have landed unseen), so the outbox
	// rule stays checkable as data before anything is resent.
	hdr := update{Kind: updFlushHeader, Num: end, Dest: int(epoch)}
	data := appendRecord(nil, &hdr)
	data = append(data, make([]byte, port.PageSize-len(data))...)
	if !l.fits(end, port.PageSize) {
		x.fail("log %s full at offset %d (live from %d; raise knob LogBytes)", l.name, end, l.begin)
		return
	}
	l.off += port.PageSize
	l.flushing = true
	x.issueMarked(port.PageWrite{Name: l.name, Off: l.phys(end), Data: data, Cond: port.Cond{LeaseID: l.leaseID}}, port.Mark{},
		port.Mark{Log: l.name, Pos: l.lastSeq}, func(c port.Completion) {
			l.flushing = false
			if c.Err != nil {
				x.restart(fmt.Sprintf("start epoch %d of log %s: %v", epoch, l.name, c.Err), false)
				return
			}
			x.run()
		})
}

// run enters the running phase.
func (x *Partition) run() {
	x.in = inputReader{pos: x.st.InputPos, seen: map[int]int64{}, toEnd: x.k.Planted == PlantedForgetInputPosition}
	for o, p := range x.st.Dedup {
		x.in.seen[o] = p
	}
	for _, inst := range sortedKeys(x.st.Sessions) {
		x.markReady(inst)
	}
	x.ckpt.last = x.now
	x.phase, x.runningAt = phaseRunning, x.now
	if x.k.Speculation == SpeculationGlobal {
		x.global.resume(x)
	}
}
