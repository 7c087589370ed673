package netherite

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sort"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/engine/reactor"
)

// checkpointer decides when to checkpoint and tracks the one in progress.
// A checkpoint is a snapshot of the state taken when every appended update
// is applied and inside an issued flush; it is written (a block blob put)
// only once that flush is durable, and records the log offset after it.
type checkpointer struct {
	bytes    int64     // log bytes since the last checkpoint
	events   int       // updates since the last checkpoint
	last     port.Time // when the last checkpoint was taken
	idleSet  bool
	snapshot []byte // encoded, waiting for its flush
	waitSeq  int64
	logOff   int64 // the snapshot's log offset: the log's new start once written
	writing  bool
}

// checkpointVersion 2: a checkpoint ends with the CRC-32 (IEEE) of the
// bytes before it, so a damaged one is refused rather than loaded.
// Version 3: each entity carries its last update time (state.EntityUpdated).
const checkpointVersion = 3

func (x *Partition) maybeCheckpoint() {
	c := &x.ckpt
	if x.k.CheckpointEvents < 0 || c.writing || c.snapshot != nil || x.phase != phaseRunning {
		return
	}
	x.checkpoint(false)
}

// checkpoint takes a snapshot if one is due (or forced) and the log holds
// every applied update; it reports whether it took one.
func (x *Partition) checkpoint(force bool) bool {
	c := &x.ckpt
	if !c.idleSet && !force {
		c.idleSet = true
		x.After(x.k.CheckpointIdle, checkpointIdle{})
	}
	// A quarter of the circular log is the most it may grow between
	// checkpoints, so a flush always finds room (commitLog.fits).
	due := force || c.bytes >= min(x.k.CheckpointBytes, x.log.size/4) || c.events >= x.k.CheckpointEvents ||
		(c.events > 0 && x.Now()-c.last >= x.k.CheckpointIdle)
	if !due || len(x.log.recEnds) > 0 || len(x.none.updates) > 0 || x.st.Seq != x.log.lastSeq {
		return false
	}
	e := enc{}
	encodeCheckpoint(&e, x.st, x.log.off, x.log.epoch)
	c.snapshot, c.waitSeq, c.logOff = e.b, x.st.Seq, x.log.off
	c.bytes, c.events, c.last = 0, 0, x.Now()
	x.ckpt.flushed(x, x.log.durableSeq)
	return true
}

// flushed writes the waiting snapshot once the log is durable past it.
func (c *checkpointer) flushed(x *Partition, durable int64) {
	if c.snapshot == nil || durable < c.waitSeq {
		return
	}
	data, seq, off := c.snapshot, c.waitSeq, c.logOff
	c.snapshot, c.writing = nil, true
	x.stats.Checkpoints++
	x.work["checkpoint"]++
	x.IssueMarked(port.BlobPut{Name: x.cfg.ckptName(x.p), Data: data}, port.Mark{Log: x.log.name, Pos: seq}, port.Mark{},
		checkpointWritten{seq: seq, off: off})
}

// checkpointIdle: CheckpointIdle has passed since the idle check was set.
type checkpointIdle struct{}

func (checkpointIdle) Then() reactor.Then { return reactor.Then{Step: "checkpoint-idle"} }

func (checkpointIdle) step(x *Partition, _ reactor.Outcome) { x.ckpt.idleSet = false }

// checkpointWritten: the checkpoint at seq (taken at log offset off) came
// back: the log before off is free.
type checkpointWritten struct{ seq, off int64 }

func (k checkpointWritten) Then() reactor.Then {
	return reactor.Then{Step: "checkpoint-written", About: fmt.Sprintf("seq %d", k.seq)}
}

func (k checkpointWritten) step(x *Partition, o reactor.Outcome) {
	x.ckpt.writing = false
	if cp := o.Completion; cp.Err != nil {
		x.cfg.logf("netherite p%02d: checkpoint at seq %d: %v", x.p, k.seq, cp.Err)
		return
	}
	x.log.begin = max(x.log.begin, k.off)
}

func encodeCheckpoint(e *enc, s *state, logOff, epoch int64) {
	e.uint(checkpointVersion)
	e.int(logOff)
	e.int(epoch)
	e.int(s.Seq)
	e.int(s.InputPos)
	e.uint(uint64(s.InputCheck))
	e.int(s.NextActivity)
	e.int(s.NextTimer)
	keys := sortedKeys(s.Sessions)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.events(s.Sessions[k].Queue)
	}
	e.uint(uint64(len(s.Activities)))
	for _, a := range s.Activities {
		e.int(a.ID)
		e.messages([]durable.Message{a.Msg})
	}
	ids := make([]int64, 0, len(s.Timers))
	for id := range s.Timers {
		ids = append(ids, id)
	}
	sortInt64s(ids)
	e.uint(uint64(len(ids)))
	for _, id := range ids {
		e.int(id)
		e.messages([]durable.Message{s.Timers[id].Msg})
	}
	e.uint(uint64(len(s.Outbox)))
	for i := range s.Outbox {
		o := &s.Outbox[i]
		b := batch{Origin: o.Dest, Pos: o.Seq, Messages: o.Messages, Responses: o.Responses, Activities: o.Activities}
		b.encode(e)
	}
	origins := make([]int, 0, len(s.Dedup))
	for o := range s.Dedup {
		origins = append(origins, o)
	}
	sort.Ints(origins)
	e.uint(uint64(len(origins)))
	for _, o := range origins {
		e.int(int64(o))
		e.int(s.Dedup[o])
	}
	encodeRows(e, s)
	e.b = binary.LittleEndian.AppendUint32(e.b, crc32.ChecksumIEEE(e.b))
}

func encodeRows(e *enc, s *state) {
	keys := sortedKeys(s.Instances)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		r := s.Instances[k]
		e.str(k)
		e.str(r.Name)
		e.uint(uint64(r.Status))
		e.bytes(r.Input)
		e.bytes(r.Output)
		e.bytes(r.Custom)
		e.str(r.Failure)
		e.int(r.Created)
		e.int(r.Updated)
	}
	keys = sortedKeys(s.Histories)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.events(s.Histories[k])
	}
	keys = sortedKeys(s.Entities)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		encodeEntity(e, s.Entities[k])
		e.int(s.EntityUpdated[k])
	}
	keys = sortedKeys(s.Waiters)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.uint(uint64(len(s.Waiters[k])))
		for _, w := range s.Waiters[k] {
			e.int(int64(w.Origin))
			e.uint(w.ID)
		}
	}
}

func decodeCheckpoint(p []byte, self, parts int) (st *state, logOff, epoch int64, err error) {
	if len(p) < 4 {
		return nil, 0, 0, fmt.Errorf("%w: checkpoint of %d bytes, want its CRC-32 at the end", ErrCorrupt, len(p))
	}
	sum := binary.LittleEndian.Uint32(p[len(p)-4:])
	if p = p[:len(p)-4]; crc32.ChecksumIEEE(p) != sum {
		return nil, 0, 0, fmt.Errorf("%w: checkpoint of %d bytes does not match its CRC-32 %08x", ErrCorrupt, len(p)+4, sum)
	}
	d := dec{b: p}
	if v := d.uint(); d.err == nil && v != checkpointVersion {
		return nil, 0, 0, fmt.Errorf("%w: checkpoint version %d, want %d", ErrCorrupt, v, checkpointVersion)
	}
	st = newState(self, parts)
	logOff, epoch = d.int(), d.int()
	st.Seq, st.InputPos = d.int(), d.int()
	st.InputCheck = uint32(d.uint())
	st.NextActivity, st.NextTimer = d.int(), d.int()
	for n := d.count(); n > 0 && d.err == nil; n-- {
		k := d.str()
		st.Sessions[k] = &session{Queue: d.events()}
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		id := d.int()
		ms := d.messages()
		if len(ms) == 1 {
			st.Activities = append(st.Activities, activity{ID: id, Msg: ms[0]})
		}
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		id := d.int()
		ms := d.messages()
		if len(ms) == 1 {
			st.Timers[id] = timer{ID: id, Msg: ms[0]}
		}
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		b, err := decodeBatchFrom(&d)
		if err != nil {
			break
		}
		st.Outbox = append(st.Outbox, outEntry{Seq: b.Pos, Dest: b.Origin, Messages: b.Messages, Responses: b.Responses,
			Activities: b.Activities})
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		o := int(d.int())
		st.Dedup[o] = d.int()
	}
	decodeRows(&d, st)
	if d.err == nil && d.off != len(p) {
		d.fail("trailing bytes")
	}
	return st, logOff, epoch, d.err
}

func decodeRows(d *dec, st *state) {
	for n := d.count(); n > 0 && d.err == nil; n-- {
		k := d.str()
		r := &row{Name: d.str(), Status: durable.Status(d.uint())}
		r.Input, r.Output, r.Custom = d.bytes(), d.bytes(), d.bytes()
		r.Failure, r.Created, r.Updated = d.str(), d.int(), d.int()
		st.Instances[k] = r
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		k := d.str()
		st.Histories[k] = d.events()
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		k := d.str()
		es := decodeEntity(d)
		st.Entities[k] = &es
		if at := d.int(); at != 0 {
			st.EntityUpdated[k] = at
		}
	}
	for n := d.count(); n > 0 && d.err == nil; n-- {
		k := d.str()
		for m := d.count(); m > 0 && d.err == nil; m-- {
			st.Waiters[k] = append(st.Waiters[k], waiter{Origin: int(d.int()), ID: d.uint()})
		}
	}
}
