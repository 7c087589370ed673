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
	updReceived                // Batches read from the input stream; Num = input position after them, Check = CRC-32 of the record before Num
	updOrchestrated            // an orchestration work item: Instance, Consumed, History, Messages, row fields, Restart
	updEntity                  // an entity batch: Instance, Consumed, Entity, Messages
	updActivityDone            // Num = activity id; Messages[0] = the TaskCompleted/TaskFailed reply
	updTimerDue                // Num = timer id
	updConfirmed               // Dest received every outbox entry for it up to seq Num
	updFlushHeader             // first record of a flush: Num = byte offset, Dest = epoch, Consumed = records
	updOffload                 // queued activities IDs leave for partition Dest (load monitor advice)
	updWrap                    // a wrap marker: the log goes on at the next lap's start; Num = its offset, Dest = epoch
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

// update is one update event: the only way partition state changes. It is
// a flat value; which fields a kind uses is listed at its constant.
type update struct {
	Kind     updateKind
	Seq      int64 // commit sequence number, assigned when appended to the log
	At       int64 // step time (Unix ns)
	Instance string
	Consumed int
	Num      int64
	Dest     int
	History  []durable.Event
	Restart  []durable.Event
	Messages []durable.Message
	Status   durable.Status
	Output   []byte
	Custom   []byte
	Failure  string
	Entity   replay.EntityState
	Batches  []batch
	IDs      []int64
	Check    uint32 // updReceived: CRC-32 of the record before Num (inputcheck.go)
}

func (u *update) encode(e *enc) {
	e.uint(uint64(u.Kind))
	e.int(u.Seq)
	e.int(u.At)
	switch u.Kind {
	case updReceived:
		e.int(u.Num)
		e.uint(uint64(u.Check))
		e.uint(uint64(len(u.Batches)))
		for i := range u.Batches {
			u.Batches[i].encode(e)
		}
	case updOrchestrated:
		e.str(u.Instance)
		e.uint(uint64(u.Consumed))
		e.events(u.History)
		e.messages(u.Messages)
		e.uint(uint64(u.Status))
		e.bytes(u.Output)
		e.bytes(u.Custom)
		e.str(u.Failure)
		e.events(u.Restart)
	case updEntity:
		e.str(u.Instance)
		e.uint(uint64(u.Consumed))
		encodeEntity(e, &u.Entity)
		e.messages(u.Messages)
	case updActivityDone:
		e.int(u.Num)
		e.messages(u.Messages)
	case updTimerDue:
		e.int(u.Num)
	case updConfirmed, updFlushHeader, updWrap:
		e.int(u.Num)
		e.int(int64(u.Dest))
		e.uint(uint64(u.Consumed))
	case updOffload:
		e.int(int64(u.Dest))
		e.uint(uint64(len(u.IDs)))
		for _, id := range u.IDs {
			e.int(id)
		}
	}
}

func decodeUpdate(p []byte) (update, error) {
	d := dec{b: p}
	var u update
	u.Kind = updateKind(d.uint())
	if d.err == nil && (u.Kind == updInvalid || u.Kind >= updKindCount) {
		return u, fmt.Errorf("%w: unknown update kind %d", ErrCorrupt, u.Kind)
	}
	u.Seq = d.int()
	u.At = d.int()
	switch u.Kind {
	case updReceived:
		u.Num = d.int()
		u.Check = uint32(d.uint())
		for n := d.count(); n > 0 && d.err == nil; n-- {
			b, err := decodeBatchFrom(&d)
			if err != nil {
				return u, err
			}
			u.Batches = append(u.Batches, b)
		}
	case updOrchestrated:
		u.Instance = d.str()
		u.Consumed = int(d.uint())
		u.History = d.events()
		u.Messages = d.messages()
		u.Status = durable.Status(d.uint())
		u.Output = d.bytes()
		u.Custom = d.bytes()
		u.Failure = d.str()
		u.Restart = d.events()
	case updEntity:
		u.Instance = d.str()
		u.Consumed = int(d.uint())
		u.Entity = decodeEntity(&d)
		u.Messages = d.messages()
	case updActivityDone:
		u.Num = d.int()
		u.Messages = d.messages()
	case updTimerDue:
		u.Num = d.int()
	case updConfirmed, updFlushHeader, updWrap:
		u.Num = d.int()
		u.Dest = int(d.int())
		u.Consumed = int(d.uint())
	case updOffload:
		u.Dest = int(d.int())
		for n := d.count(); n > 0 && d.err == nil; n-- {
			u.IDs = append(u.IDs, d.int())
		}
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
