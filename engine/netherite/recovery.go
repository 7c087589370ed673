package netherite

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
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
	x.created = false
	if x.standby == 0 { // a standby creates the log only if it finds none
		x.health(port.HealthRecovering, "")
		x.createLog()
	}
	x.acquireLease()
}

// createLog creates the log blob unless it exists.
func (x *Partition) createLog() {
	l := &x.log
	x.Issue(port.PageCreate{Name: l.name, Size: l.size, Cond: port.Cond{IfNoneMatch: "*"}}, logCreated{})
}

// logCreated: the create-only write of the log blob came back.
type logCreated struct{}

func (logCreated) Then() reactor.Then { return reactor.Then{Step: "log-created"} }

func (logCreated) step(x *Partition, o reactor.Outcome) {
	// It exists already (a conflict; or leased by the owner a standby waits for).
	if c := o.Completion; c.Err != nil && !errors.Is(c.Err, port.ErrConflict) && !errors.Is(c.Err, port.ErrLeaseHeld) {
		x.restart(fmt.Sprintf("create log %s: %v", x.log.name, c.Err), false)
	}
	x.created = o.Completion.Err == nil
}

func (x *Partition) acquireLease() {
	l := &x.log
	x.Issue(port.LeaseAcquire{Name: l.name, ID: l.leaseID, Duration: x.k.LeaseDuration}, leaseAcquired{})
}

// leaseAcquired: the try for the log's lease came back: recover, or wait
// for the core that holds it.
type leaseAcquired struct{}

func (leaseAcquired) Then() reactor.Then { return reactor.Then{Step: "lease-acquired"} }

func (leaseAcquired) step(x *Partition, o reactor.Outcome) {
	switch c := o.Completion; {
	case x.phase == phaseDead:
	case c.Err == nil:
		if x.standby > 0 {
			x.cfg.logf("netherite p%02d: %s takes the partition over (standby rank %d)", x.p, x.owner, x.standby)
			x.standby = 0
		}
		x.loadCheckpoint()
		x.renewLease()
	case errors.Is(c.Err, port.ErrLeaseHeld):
		if x.standby == 0 {
			x.health(port.HealthRecovering, "waiting for the lease on "+x.log.name)
		}
		x.waitLease(x.acquireWait(), acquireNext)
	case errors.Is(c.Err, port.ErrNotFound) && x.standby > 0:
		// The owner placed first never created the log: create it.
		x.createLog()
		x.acquireLease()
	default:
		x.restart(fmt.Sprintf("lease on %s: %v", x.log.name, c.Err), false)
	}
}

func (x *Partition) renewLease() { x.After(x.k.LeaseDuration/3, renewLease{}) }

// renewLease: a third of a LeaseDuration has passed: renew the lease.
type renewLease struct{}

func (renewLease) Then() reactor.Then { return reactor.Then{Step: "renew-lease"} }

func (renewLease) step(x *Partition, _ reactor.Outcome) {
	if x.phase == phaseDead || x.phase == phaseStopped {
		return // a stopped partition's lease lapses if releasing it failed
	}
	x.Issue(port.LeaseRenew{Name: x.log.name, ID: x.log.leaseID}, leaseRenewed{})
}

// leaseRenewed: a lease renewal came back.
type leaseRenewed struct{}

func (leaseRenewed) Then() reactor.Then { return reactor.Then{Step: "lease-renewed"} }

func (leaseRenewed) step(x *Partition, o reactor.Outcome) {
	if c := o.Completion; c.Err != nil {
		x.restart(fmt.Sprintf("lease on %s lost: %v", x.log.name, c.Err), false)
		return
	}
	x.failedLives = 0 // storage works
	x.renewLease()
}

func (x *Partition) loadCheckpoint() {
	x.Issue(port.BlobGet{Name: x.cfg.ckptName(x.p)}, checkpointLoaded{})
}

// checkpointLoaded: the checkpoint read came back: replay the log from
// the position it records.
type checkpointLoaded struct{}

func (checkpointLoaded) Then() reactor.Then { return reactor.Then{Step: "checkpoint-loaded"} }

func (checkpointLoaded) step(x *Partition, o reactor.Outcome) {
	if x.phase == phaseDead {
		return // failed meanwhile (a corrupt completion of another request)
	}
	var from, epoch int64
	switch c := o.Completion; {
	case errors.Is(c.Err, port.ErrNotFound) && x.created:
		x.firstCheckpoint()
		return
	case errors.Is(c.Err, port.ErrNotFound):
		// Every log gets a checkpoint right after it is created
		// (firstCheckpoint); the log's start holds all there is
		// unless it wrapped, which recovery refuses (logcheck.go).
		x.cfg.logf("netherite p%02d: no checkpoint %s: recovering from the start of log %s", x.p, x.cfg.ckptName(x.p), x.log.name)
	case c.Err != nil:
		x.restart(fmt.Sprintf("load checkpoint: %v", c.Err), false)
		return
	case x.created:
		// The checkpoint is written only after the log holds what it
		// covers, and the log is never deleted: it was lost.
		x.fail("%v", port.Corrupt("log "+x.log.name, 0, fmt.Sprintf("the commit log that checkpoint %s was taken from; "+
			"it was missing and has been created empty: the updates after the checkpoint are lost", x.cfg.ckptName(x.p))))
		return
	default:
		bd, _ := c.Result.(port.BlobData)
		st, off, ep, err := decodeCheckpoint(bd.Data, x.p, x.cfg.Partitions)
		if err != nil {
			x.fail("%v", port.Corrupt("checkpoint "+x.cfg.ckptName(x.p), 0, fmt.Sprintf("a checkpoint of partition %d: %v", x.p, err)))
			return
		}
		x.setState(st)
		x.ckptSeq = st.Seq
		from, epoch = off, ep
	}
	x.replayFrom(from, epoch)
}

func (x *Partition) replayFrom(from, epoch int64) {
	x.phase = phaseReplay
	x.log.lastSeq, x.log.begin = x.st.Seq, from
	x.readLog(nil, from, from, epoch)
}

// firstCheckpoint writes the checkpoint of the empty state into a log
// this life created, before anything is logged: from then on a log always
// has a checkpoint, so a log found missing later (created anew while its
// checkpoint exists) is refused rather than started empty.
func (x *Partition) firstCheckpoint() {
	e := enc{}
	encodeCheckpoint(&e, x.st, 0, 0)
	x.stats.Checkpoints++
	x.Issue(port.BlobPut{Name: x.cfg.ckptName(x.p), Data: e.b, Cond: port.Cond{IfNoneMatch: "*"}}, firstCheckpointWritten{})
}

// firstCheckpointWritten: the checkpoint of a new log's empty state came
// back: replay the (empty) log.
type firstCheckpointWritten struct{}

func (firstCheckpointWritten) Then() reactor.Then {
	return reactor.Then{Step: "first-checkpoint-written"}
}

func (firstCheckpointWritten) step(x *Partition, o reactor.Outcome) {
	if x.phase == phaseDead {
		return
	}
	if c := o.Completion; c.Err != nil {
		x.restart(fmt.Sprintf("first checkpoint %s: %v", x.cfg.ckptName(x.p), c.Err), false)
		return
	}
	x.replayFrom(0, 0)
}

// readLog reads the log from logical offset base (data holds what was
// read from base so far) and replays it from offset from. It reads at most
// one lap past the live window's start (commitLog.begin), never across
// the blob's end in one request; once the replay stops, it reads on to the
// tail window (logcheck.go) before deciding what the stop is.
func (x *Partition) readLog(data []byte, base, from, epoch int64) {
	x.readChunk(logChunkRead{data: data, base: base, from: from, epoch: epoch})
}

// logChunkRead: a read of the log after data (from logical offset base)
// came back; the longer data goes on to the replay from offset from in
// epoch, or, with tail set, to the read of the tail window after that
// scan's stop.
type logChunkRead struct {
	data        []byte
	base        int64
	at, n       int64 // the chunk asked for
	from, epoch int64
	tail        *logScan
}

func (k logChunkRead) Then() reactor.Then {
	return reactor.Then{Step: "log-chunk-read", About: fmt.Sprintf("%d bytes at %d", k.n, k.at)}
}

// readChunk reads the next chunk of the log after k.data and hands on the
// longer data (chunkRead); atEnd says nothing is left in the live window.
// A log blob shorter than knob LogBytes is corrupt.
func (x *Partition) readChunk(k logChunkRead) {
	l := &x.log
	k.at = k.base + int64(len(k.data))
	k.n = min(int64(readChunk), l.size-l.phys(k.at), l.begin+l.size-k.at)
	if k.n <= 0 {
		x.chunkRead(k, k.data, true)
		return
	}
	x.Issue(port.PageRead{Name: l.name, Off: l.phys(k.at), N: k.n}, k)
}

func (k logChunkRead) step(x *Partition, o reactor.Outcome) {
	if x.phase == phaseDead {
		return
	}
	l, c, at, n := &x.log, o.Completion, k.at, k.n
	chunk, _ := c.Result.([]byte)
	switch {
	case errors.Is(c.Err, port.ErrBadRequest) || c.Err == nil && int64(len(chunk)) < n:
		x.fail("%v", port.Corrupt("log "+l.name, l.phys(at)+int64(len(chunk)), fmt.Sprintf(
			"%d more bytes (a page blob of knob LogBytes %d bytes; read: %v): the log blob was cut short", n-int64(len(chunk)), l.size, c.Err)))
		return
	case c.Err != nil:
		x.restart(fmt.Sprintf("read log %s at %d: %v", l.name, at, c.Err), false)
		return
	}
	x.chunkRead(k, appendChunk(k.data, chunk, l.tailWindow(k.base)-k.base+readChunk), at+int64(len(chunk)) >= l.begin+l.size)
}

// chunkRead hands the data read so far on to what it was read for.
func (x *Partition) chunkRead(k logChunkRead, data []byte, atEnd bool) {
	if k.tail != nil {
		x.readTail(data, k.base, k.tail)
		return
	}
	x.replayLog(data, k.base, k.from, k.epoch, atEnd)
}

// appendChunk appends chunk to data, making room for at least hint bytes
// in one allocation when data must grow: the log is read in chunks, and
// growing by each would copy the prefix again every time (megabytes per
// partition start, where the tail check reads a flush's worth past the
// end). While everything read is zeros (a log's unwritten rest; all of a
// new log), data is a prefix of zeroLog, capped at its length, so nothing
// is allocated, cleared or copied.
func appendChunk(data, chunk []byte, hint int64) []byte {
	if n := len(data) + len(chunk); n <= len(zeroLog) && (len(data) == 0 || &data[0] == &zeroLog[0]) && allZero(chunk) {
		return zeroLog[:n:n]
	}
	if need := len(data) + len(chunk); cap(data) < need {
		grown := make([]byte, len(data), max(int64(need), hint, 2*int64(cap(data))))
		copy(grown, data)
		data = grown
	}
	return append(data, chunk...)
}

// zeroLog is the log data appendChunk hands on while it read only zeros.
// Nothing writes to it (recovery only reads its data, and a slice of it
// has no spare capacity to append into), so its pages stay the kernel's
// shared zero page.
var zeroLog [8 << 20]byte

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), port.PageSize)
		if !bytes.Equal(b[:n], zeroLog[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
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
	x.readTail(data, base, &s)
}

// readTail reads up to the tail window after the scan's stop, then
// decides what the stop is and resumes.
func (x *Partition) readTail(data []byte, base int64, s *logScan) {
	if base+int64(len(data)) < x.log.tailWindow(s.end) {
		x.readChunk(logChunkRead{data: data, base: base, tail: s})
		return
	}
	if x.endOfLog(data, base, s) {
		x.resume(s.end, s.epoch+1)
	}
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
	hdr := update{Body: flushHeader{Off: end, Epoch: epoch}}
	data := appendRecord(nil, &hdr)
	data = append(data, make([]byte, port.PageSize-len(data))...)
	if !l.fits(end, port.PageSize) {
		x.fail("log %s full at offset %d (live from %d; raise knob LogBytes)", l.name, end, l.begin)
		return
	}
	l.off += port.PageSize
	l.flushing = true
	x.logWrite(port.PageWrite{Name: l.name, Off: l.phys(end), Data: data, Cond: port.Cond{LeaseID: l.leaseID}},
		port.Mark{Log: l.name, Pos: l.lastSeq}, logResumed{epoch})
}

// logResumed: the empty flush that starts epoch came back: run.
type logResumed struct{ epoch int64 }

func (k logResumed) Then() reactor.Then {
	return reactor.Then{Step: "log-resumed", About: fmt.Sprintf("epoch %d", k.epoch)}
}

func (k logResumed) step(x *Partition, o reactor.Outcome) {
	l := &x.log
	l.flushing = false
	if x.phase == phaseDead {
		return
	}
	if c := o.Completion; c.Err != nil {
		x.restart(fmt.Sprintf("start epoch %d of log %s: %v", k.epoch, l.name, c.Err), false)
		return
	}
	x.run()
}

// run enters the running phase.
func (x *Partition) run() {
	x.in = inputReader{pos: x.st.InputPos, seen: map[int]int64{}, toEnd: x.k.Planted == PlantedForgetInputPosition}
	x.in.verify = x.st.InputPos > 0 && !x.in.toEnd
	x.readOnlyAt = map[int64]int64{}
	for o, p := range x.st.Dedup {
		x.in.seen[o] = p
	}
	for _, inst := range sortedKeys(x.st.Sessions) {
		x.markReady(inst)
	}
	x.ckpt.last = x.Now()
	x.phase, x.runningAt = phaseRunning, x.Now()
	x.health(port.HealthOK, "")
	if x.k.Speculation == SpeculationGlobal {
		x.global.resume(x)
	}
}
