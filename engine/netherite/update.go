package netherite

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/replay"
)

// updateKind tells what an update event records. The numbering is part of
// the log encoding: append new kinds, never renumber.
type updateKind uint8

const (
	updInvalid      updateKind = iota
	updReceived                // received
	updOrchestrated            // orchestrated
	updEntity                  // entityStep
	updActivityDone            // activityResult
	updTimerDue                // timerDue
	updConfirmed               // confirmed
	updFlushHeader             // flushHeader
	updOffload                 // offloaded
	updWrap                    // wrapMark
	updKindCount
)

var updateNames = [...]string{"invalid", "received", "orchestrated", "entity", "activity-done",
	"timer-due", "confirmed", "flush-header", "offload", "wrap"}

func (k updateKind) String() string {
	if k < updKindCount {
		return updateNames[k]
	}
	return fmt.Sprintf("updateKind(%d)", uint8(k))
}

// update is one update event: the only way partition state changes. Its
// Body is one of the per-kind payloads below, by value.
type update struct {
	Seq  int64 // commit sequence number, assigned when appended to the log
	At   int64 // step time (Unix ns)
	Body updateBody
}

// updateBody is an update's payload; its kind is the log encoding's tag.
type updateBody interface{ kind() updateKind }

// Kind is the kind of u's body (updInvalid for none).
func (u *update) Kind() updateKind {
	if u.Body == nil {
		return updInvalid
	}
	return u.Body.kind()
}

// stepResult reports whether u records a work item's result (an
// orchestration episode or an entity batch: Netherite's BatchProcessed),
// the only updates that speculation none applies once durable.
func (u *update) stepResult() bool {
	k := u.Kind()
	return k == updOrchestrated || k == updEntity
}

// instance is the instance whose session a work item's update locks
// (orchestrated, entityStep), else "".
func (u *update) instance() string {
	switch b := u.Body.(type) {
	case orchestrated:
		return b.Instance
	case entityStep:
		return b.Instance
	}
	return ""
}

// received records batches read from the input stream.
type received struct {
	InputPos int64  // the input position after them
	Check    uint32 // CRC-32 of the record before InputPos (inputcheck.go)
	Batches  []batch
}

// orchestrated records an orchestration work item.
type orchestrated struct {
	Instance string
	Consumed int // session messages the step consumed
	History  []durable.Event
	Messages []durable.Message
	Status   durable.Status
	Output   []byte
	Custom   []byte
	Failure  string
	Restart  []durable.Event // a ContinueAsNew's carried-over events
}

// entityStep records an entity batch.
type entityStep struct {
	Instance string
	Consumed int
	Entity   replay.EntityState
	Messages []durable.Message
}

// activityResult records an activity's end; Messages[0] is the
// TaskCompleted or TaskFailed reply.
type activityResult struct {
	Activity int64
	Messages []durable.Message
}

// timerDue records that a durable timer came due.
type timerDue struct{ Timer int64 }

// confirmed records that Dest received every outbox entry for it up to
// seq UpTo.
type confirmed struct {
	Dest int
	UpTo int64
}

// flushHeader is the first record of a flush: its byte offset in the
// log, the log's epoch and the number of records in the flush.
type flushHeader struct {
	Off, Epoch int64
	Records    int
}

// offloaded records that queued activities IDs leave for partition Dest
// (load monitor advice).
type offloaded struct {
	Dest int
	IDs  []int64
}

// wrapMark is a wrap marker: the log goes on at the next lap's start.
type wrapMark struct{ Off, Epoch int64 }

func (received) kind() updateKind       { return updReceived }
func (orchestrated) kind() updateKind   { return updOrchestrated }
func (entityStep) kind() updateKind     { return updEntity }
func (activityResult) kind() updateKind { return updActivityDone }
func (timerDue) kind() updateKind       { return updTimerDue }
func (confirmed) kind() updateKind      { return updConfirmed }
func (flushHeader) kind() updateKind    { return updFlushHeader }
func (offloaded) kind() updateKind      { return updOffload }
func (wrapMark) kind() updateKind       { return updWrap }

// logPos is the log offset and epoch a flush header or wrap marker
// names (ok false for other updates).
func (u *update) logPos() (off, epoch int64, ok bool) {
	switch b := u.Body.(type) {
	case flushHeader:
		return b.Off, b.Epoch, true
	case wrapMark:
		return b.Off, b.Epoch, true
	}
	return 0, 0, false
}

func (u *update) encode(e *enc) {
	e.uint(uint64(u.Kind()))
	e.int(u.Seq)
	e.int(u.At)
	switch b := u.Body.(type) {
	case received:
		e.int(b.InputPos)
		e.uint(uint64(b.Check))
		e.uint(uint64(len(b.Batches)))
		for i := range b.Batches {
			b.Batches[i].encode(e)
		}
	case orchestrated:
		e.str(b.Instance)
		e.uint(uint64(b.Consumed))
		e.events(b.History)
		e.messages(b.Messages)
		e.uint(uint64(b.Status))
		e.bytes(b.Output)
		e.bytes(b.Custom)
		e.str(b.Failure)
		e.events(b.Restart)
	case entityStep:
		e.str(b.Instance)
		e.uint(uint64(b.Consumed))
		encodeEntity(e, &b.Entity)
		e.messages(b.Messages)
	case activityResult:
		e.int(b.Activity)
		e.messages(b.Messages)
	case timerDue:
		e.int(b.Timer)
	// confirmed, flushHeader and wrapMark share one layout: a position,
	// a partition or epoch, a count (0 but for flush headers).
	case confirmed:
		e.int(b.UpTo)
		e.int(int64(b.Dest))
		e.uint(0)
	case flushHeader:
		e.int(b.Off)
		e.int(b.Epoch)
		e.uint(uint64(b.Records))
	case wrapMark:
		e.int(b.Off)
		e.int(b.Epoch)
		e.uint(0)
	case offloaded:
		e.int(int64(b.Dest))
		e.uint(uint64(len(b.IDs)))
		for _, id := range b.IDs {
			e.int(id)
		}
	}
}

func decodeUpdate(p []byte) (update, error) {
	d := dec{b: p}
	var u update
	k := updateKind(d.uint())
	if d.err == nil && (k == updInvalid || k >= updKindCount) {
		return u, fmt.Errorf("%w: unknown update kind %d", ErrCorrupt, k)
	}
	u.Seq = d.int()
	u.At = d.int()
	switch k {
	case updReceived:
		var b received
		b.InputPos = d.int()
		b.Check = uint32(d.uint())
		for n := d.count(); n > 0 && d.err == nil; n-- {
			bt, err := decodeBatchFrom(&d)
			if err != nil {
				return u, err
			}
			b.Batches = append(b.Batches, bt)
		}
		u.Body = b
	case updOrchestrated:
		var b orchestrated
		b.Instance = d.str()
		b.Consumed = int(d.uint())
		b.History = d.events()
		b.Messages = d.messages()
		b.Status = durable.Status(d.uint())
		b.Output = d.bytes()
		b.Custom = d.bytes()
		b.Failure = d.str()
		b.Restart = d.events()
		u.Body = b
	case updEntity:
		var b entityStep
		b.Instance = d.str()
		b.Consumed = int(d.uint())
		b.Entity = decodeEntity(&d)
		b.Messages = d.messages()
		u.Body = b
	case updActivityDone:
		var b activityResult
		b.Activity = d.int()
		b.Messages = d.messages()
		u.Body = b
	case updTimerDue:
		u.Body = timerDue{Timer: d.int()}
	case updConfirmed, updFlushHeader, updWrap:
		pos, dest, n := d.int(), d.int(), int(d.uint())
		switch k {
		case updConfirmed:
			u.Body = confirmed{Dest: int(dest), UpTo: pos}
		case updFlushHeader:
			u.Body = flushHeader{Off: pos, Epoch: dest, Records: n}
		default:
			u.Body = wrapMark{Off: pos, Epoch: dest}
		}
	case updOffload:
		var b offloaded
		b.Dest = int(d.int())
		for n := d.count(); n > 0 && d.err == nil; n-- {
			b.IDs = append(b.IDs, d.int())
		}
		u.Body = b
	}
	if d.err == nil && d.off != len(p) {
		d.fail("trailing bytes")
	}
	return u, d.err
}

// decodeBatchFrom decodes a batch embedded in a larger encoding.
func decodeBatchFrom(d *dec) (batch, error) {
	b, n, err := decodeBatchPrefix(d.b[d.off:])
	if err != nil {
		d.err = err
		return b, err
	}
	d.off += n
	return b, nil
}

func encodeEntity(e *enc, s *replay.EntityState) {
	e.bool(s.Exists)
	e.bytes(s.State)
	e.str(s.LockedBy)
	e.str(s.LockReq)
	e.events(s.Queue)
}

func decodeEntity(d *dec) replay.EntityState {
	var s replay.EntityState
	s.Exists = d.bool()
	s.State = d.bytes()
	s.LockedBy = d.str()
	s.LockReq = d.str()
	s.Queue = d.events()
	return s
}
